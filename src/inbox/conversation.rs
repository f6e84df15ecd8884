//! The conversation on the desk: the whole transcript in order with times, the reply box (with
//! canned replies picked by typing `/`, and an internal-note mode), Claim, Transfer, Takeover &
//! send and Close, and the "why" panel with the engine's explanation.
//!
//! The engine decides whether each action is allowed; the buttons shown are the ones that can
//! work for this agent and this chat, and a refusal is said in words, with the typed text kept.

use handoff::inbox::{SendAs, Standing, TransferOption, canned_replies_offered, standing};
use handoff::workspace::CannedReply;
use handoff::{AgentId, ChatId, ChatStage, Command, TransferTarget};
use leptos::html;
use leptos::prelude::*;

use super::lists::hand_focus_to;
use super::transcript::{Line, Speaker, clock_time, language_name, method_name, ordinal};
use super::use_identity;
use crate::backend::Backend;
use crate::editor::verdict_words;

/// What the desk shows of the chat on screen. What became of the last action outlives the
/// chat's view: a claim lost to a quicker agent is refused just as the chat leaves this desk's
/// sight (on the server it is no longer theirs to see), and the refusal says who took it.
#[component]
pub fn Conversation(backend: Backend, agent: AgentId) -> impl IntoView {
    let identity = use_identity();
    let shown =
        Memo::new(move |_| identity.chat.get().filter(|&chat| backend.read(|engine| engine.chat(chat).is_some())));
    let outcome = Outcome { error: RwSignal::new(None), status: RwSignal::new(None) };
    // Another chat chosen: what was said of the last one is no longer news.
    Effect::new(move |previous: Option<Option<ChatId>>| {
        let chat = identity.chat.get();
        if previous.is_some_and(|previous| previous != chat) {
            outcome.error.set(None);
            outcome.status.set(None);
        }
        chat
    });
    move || match shown.get() {
        Some(chat) => view! { <ChatView backend=backend agent=agent chat=chat outcome=outcome/> }.into_any(),
        None => view! {
            <section class="conversation" aria-label="Conversation">
                <p class="error" role="alert">{move || outcome.error.get()}</p>
                <p class="empty">"Choose a chat from the list to read it and answer."</p>
            </section>
        }
        .into_any(),
    }
}

/// Empties the box once its text is sent, unless more was typed meanwhile.
pub fn clear_if_unchanged(text: RwSignal<String>, sent: &str) {
    if text.with_untracked(|now| now.trim() == sent.trim()) {
        text.set(String::new());
    }
}

/// What became of the last action: a refusal in words, or a status read out politely.
#[derive(Clone, Copy)]
struct Outcome {
    error: RwSignal<Option<String>>,
    status: RwSignal<Option<String>>,
}

impl Outcome {
    /// Sends `command`; `done` runs once it is accepted, a refusal is shown.
    fn send(self, backend: Backend, command: Command, done: impl FnOnce() + 'static) {
        backend.dispatch(command, self.error, done);
    }

    fn say(self, status: &str) {
        self.status.set(Some(status.to_owned()));
    }
}

#[component]
fn ChatView(backend: Backend, agent: AgentId, chat: ChatId, outcome: Outcome) -> impl IntoView {
    let standing = Memo::new(move |_| backend.read(|engine| standing(engine, chat, agent)));
    let lines = Memo::new(move |_| {
        backend.read(|engine| {
            let workspace = engine.workspace();
            let transcript = engine.chat(chat).map(|found| found.transcript.as_slice()).unwrap_or_default();
            transcript.iter().filter_map(|event| super::transcript::line(event, workspace)).collect::<Vec<Line>>()
        })
    });
    let heading = move || {
        backend.read(|engine| {
            let Some(found) = engine.chat(chat) else { return String::new() };
            let name = |id| engine.workspace().teamspace.agent(id).map_or_else(|| id.to_string(), |a| a.name.clone());
            let status = match found.status.stage() {
                ChatStage::Bot => "with the AI agent".to_owned(),
                ChatStage::Pending { .. } => match engine.explain(chat).and_then(|why| why.queue_position) {
                    Some(place) => format!("pending, {} in queue", ordinal(place)),
                    None => "pending".to_owned(),
                },
                ChatStage::Open { assignee } if assignee == agent => "open, yours".to_owned(),
                ChatStage::Open { assignee } => format!("open with {}", name(assignee)),
                ChatStage::Closed { by } => format!("closed by {}", name(by)),
            };
            format!("{} · {status}", language_name(&found.language))
        })
    };
    // After an action its button may be gone: the keyboard focus goes where work continues,
    // at once, before the button goes, so that it never falls back to the page.
    let act = move |command: Command, done: &'static str, then_focus: &'static str| {
        outcome.send(backend, command, move || {
            outcome.say(done);
            hand_focus_to(then_focus);
        })
    };
    let claim = move |_| {
        if let Some(version) = standing.with_untracked(|standing| standing.as_ref().map(|standing| standing.version)) {
            act(
                Command::Claim { chat, agent, seen_version: version },
                "You claimed the chat: it is yours.",
                "reply-text",
            );
        }
    };
    let close =
        move |_| act(Command::Close { chat, agent }, "Chat closed: it went back to the AI agent.", "transcript");
    let transcript_ref = NodeRef::<html::Ol>::new();
    // What is on the agent's screen is read: the chat is no longer unread for them.
    Effect::new(move |_| {
        let read = backend.read(|engine| engine.chat(chat).map_or(0, |found| found.transcript.len()));
        super::unread::mark_seen(agent, chat, read);
    });
    // Keep the latest line in view as the conversation grows. Measured in the next frame, with
    // the layout the browser makes for it anyway, not in a layout forced now on every change.
    Effect::new(move |_| {
        lines.track();
        request_animation_frame(move || {
            if let Some(list) = transcript_ref.try_get().flatten() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });
    let mine = move || standing.with(|standing| standing.as_ref().is_some_and(|standing| standing.mine));
    let can_claim = move || standing.with(|standing| standing.as_ref().is_some_and(|standing| standing.can_claim));
    view! {
        <section class="conversation" aria-labelledby="conversation-heading">
            <header class="conversation-header">
                <h2 id="conversation-heading">{format!("Chat #{}", chat.0)}</h2>
                <p class="conversation-status">{move || heading()}</p>
                <div class="conversation-actions">
                    <Show when=can_claim>
                        <button type="button" class="button primary" on:click=claim>"Claim"</button>
                    </Show>
                    <Show when=mine>
                        <Transfer backend=backend agent=agent chat=chat outcome=outcome/>
                        <button type="button" class="button close-chat" on:click=close>"Close chat"</button>
                    </Show>
                </div>
            </header>
            <p class="error" role="alert">{move || outcome.error.get()}</p>
            <p class="visually-hidden" role="status">{move || outcome.status.get()}</p>
            <ol id="transcript" class="transcript" aria-label="Transcript" node_ref=transcript_ref tabindex="0">
                <For
                    each=move || lines.get().into_iter().enumerate()
                    key=|(index, line)| (*index, line.clone())
                    children=|(_, line)| transcript_line(line)
                />
            </ol>
            <ReplyBox backend=backend agent=agent chat=chat standing=standing outcome=outcome/>
            <Why backend=backend chat=chat/>
        </section>
    }
}

/// One line of the transcript as the inbox shows it. Text is always text: `<script>` stays visible.
fn transcript_line(line: Line) -> impl IntoView {
    let speaker = line.speaker;
    let buttons = (!line.buttons.is_empty()).then(|| {
        view! {
            <ul class="offered" aria-label="Buttons offered">
                {line.buttons.into_iter().map(|button| view! { <li>{button}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <li class=format!("line {}", speaker.class())>
            {(speaker != Speaker::System).then(|| view! { <span class="from">{line.from}</span> })}
            {line.at.map(|at| view! { <time>{clock_time(at)}</time> })}
            <p class="text">{line.text}</p>
            {buttons}
        </li>
    }
}

/// Transfer to another agent or a team.
#[component]
fn Transfer(backend: Backend, agent: AgentId, chat: ChatId, outcome: Outcome) -> impl IntoView {
    // Every other agent, with whether a transfer may go to them now (signed in, Online and
    // eligible), then the teams. Those it may not go to are shown, with why, and not offered.
    let targets = Memo::new(move |_| {
        backend.read(|engine| {
            let teamspace = &engine.workspace().teamspace;
            let name = |id| teamspace.agent(id).map_or_else(|| id.to_string(), |found| found.name.clone());
            let agents = handoff::inbox::transfer_targets(engine, chat).into_iter().map(|(other, option)| {
                let why = match option {
                    TransferOption::Available => None,
                    TransferOption::Away => Some("Away"),
                    TransferOption::SignedOut => Some("signed out"),
                    TransferOption::NotEligible => Some("not eligible for this chat"),
                };
                let label = why.map_or_else(|| name(other), |why| format!("{} ({why})", name(other)));
                (TransferTarget::Agent(other), label, why.is_none())
            });
            let teams =
                teamspace.teams.iter().map(|team| (TransferTarget::Team(team.id), format!("Team {}", team.name), true));
            agents.chain(teams).collect::<Vec<_>>()
        })
    });
    let chosen = RwSignal::new(None::<usize>);
    let options = move || {
        targets
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, (_, label, offered))| {
                view! { <option value=index.to_string() disabled=!offered>{label}</option> }
            })
            .collect_view()
    };
    let transfer = move |_| {
        let picked = chosen.get_untracked().and_then(|index| targets.with_untracked(|list| list.get(index).cloned()));
        let Some((to, _, true)) = picked else {
            outcome.error.set(Some("Choose an agent or a team to transfer to.".to_owned()));
            return;
        };
        outcome.send(backend, Command::Transfer { chat, agent, to }, move || {
            outcome.say("Chat transferred.");
            hand_focus_to("transcript");
        });
    };
    view! {
        <span class="transfer">
            <select
                aria-label="Transfer to"
                on:change=move |event| chosen.set(event_target_value(&event).parse().ok())
            >
                <option value="">"Transfer to…"</option>
                {move || options()}
            </select>
            <button type="button" class="button" on:click=transfer>"Transfer"</button>
        </span>
    }
}

/// The reply box: a reply, or an internal note; `/` opens the canned replies.
#[component]
fn ReplyBox(
    backend: Backend,
    agent: AgentId,
    chat: ChatId,
    standing: Memo<Option<Standing>>,
    outcome: Outcome,
) -> impl IntoView {
    // The draft typed for this chat, kept across reloads until it is sent.
    let draft = crate::storage::drafts::agent(agent, chat);
    let text = RwSignal::new(crate::storage::drafts::read(&draft));
    Effect::new(move |_| text.with(|typed| crate::storage::drafts::write(&draft, typed)));
    let note = RwSignal::new(false);
    let picked = RwSignal::new(0_usize);
    // A send of this box on its way: the next waits for it, so nothing is sent twice.
    let sending = RwSignal::new(false);
    let canned: Vec<CannedReply> = backend.read_untracked(|engine| engine.workspace().teamspace.canned_replies.clone());
    let suggestions = Memo::new(move |_| {
        text.with(|text| canned_replies_offered(&canned, text).into_iter().cloned().collect::<Vec<_>>())
    });
    // What sending does now: reply, note, or take over and send (the domain's `SendAs`).
    let send_as = move || standing.get().and_then(|standing| SendAs::for_standing(&standing, note.get()));

    let send = reply_sender(backend, agent, chat, outcome, text, sending, send_as);
    let choose = move |index: usize| {
        if let Some(reply) = suggestions.with_untracked(|list| list.get(index).cloned()) {
            text.set(reply.text);
            picked.set(0);
        }
    };
    let keydown = reply_keydown(suggestions, picked, text, choose, send);
    let button_label = move || send_as().map_or("Send", SendAs::label);
    let can_send = move || send_as().is_some();
    view! {
        <form
            class="reply-box"
            class:note=move || note.get()
            on:submit=move |event| {
                event.prevent_default();
                send();
            }
        >
            {move || canned_replies_listbox(suggestions, picked, choose)}
            <label for="reply-text" class="visually-hidden">
                {move || if note.get() { "Internal note, seen by live agents only" } else { "Reply to the customer" }}
            </label>
            <textarea
                id="reply-text"
                rows="3"
                placeholder=move || {
                    if note.get() { "Internal note: the customer never sees it" } else { "Reply… (type / for canned replies)" }
                }
                aria-autocomplete="list"
                aria-controls=move || suggestions.with(|list| !list.is_empty()).then_some("canned-replies")
                aria-activedescendant=move || {
                    suggestions.with(|list| !list.is_empty()).then(|| format!("canned-{}", picked.get()))
                }
                // A box being removed may still see one more input: then it reads and writes nothing.
                prop:value=move || text.try_get().unwrap_or_default()
                on:input=move |event| {
                    text.try_set(event_target_value(&event));
                    picked.set(0);
                }
                on:keydown=keydown
            ></textarea>
            <div class="reply-tools">
                <label class="note-toggle">
                    <input type="checkbox" prop:checked=move || note.get() on:change=move |event| note.set(event_target_checked(&event))/>
                    "Internal note"
                </label>
                <button type="submit" class="button primary" disabled=move || !can_send() aria-busy=move || sending.get().to_string()>{move || button_label()}</button>
            </div>
        </form>
    }
}

/// Sends the box's text as `send_as` says (a reply, a note, or taking over and sending), one
/// command at a time; a refusal keeps the text.
fn reply_sender(
    backend: Backend,
    agent: AgentId,
    chat: ChatId,
    outcome: Outcome,
    text: RwSignal<String>,
    sending: RwSignal<bool>,
    send_as: impl Fn() -> Option<SendAs> + Copy + 'static,
) -> impl Fn() + Copy + 'static {
    move || {
        if sending.get_untracked() {
            return;
        }
        let typed = text.get_untracked();
        let body = typed.trim().to_owned();
        if body.is_empty() {
            return;
        }
        let Some(command) = untrack(send_as).map(|send_as| send_as.command(chat, agent, body)) else {
            outcome.error.set(Some("Claim the chat first, or write an internal note.".to_owned()));
            return;
        };
        // On a refusal the text stays in the box, and what was typed while sending is kept:
        // nothing typed is lost.
        backend.dispatch_once(command, outcome.error, sending, move || clear_if_unchanged(text, &typed));
    }
}

/// The reply box's keys: while canned replies are offered, the arrows pick one, Enter or Tab
/// takes it and Escape drops the `/`; otherwise Enter sends and Shift+Enter starts a new line.
fn reply_keydown(
    suggestions: Memo<Vec<CannedReply>>,
    picked: RwSignal<usize>,
    text: RwSignal<String>,
    choose: impl Fn(usize) + 'static,
    send: impl Fn() + 'static,
) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    move |event: leptos::ev::KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        match event.key().as_str() {
            "ArrowDown" if count > 0 => picked.update(|picked| *picked = (*picked + 1) % count),
            "ArrowUp" if count > 0 => picked.update(|picked| *picked = (*picked + count - 1) % count),
            "Enter" | "Tab" if count > 0 && !event.shift_key() => choose(picked.get_untracked().min(count - 1)),
            "Escape" if count > 0 => text.update(|text| *text = text.trim_start_matches('/').to_owned()),
            "Enter" if !event.shift_key() => send(),
            _ => return,
        }
        event.prevent_default();
    }
}

/// The canned replies the typed `/` words offer, as a listbox the textarea controls; a press
/// takes one without moving the focus from the box.
fn canned_replies_listbox(
    suggestions: Memo<Vec<CannedReply>>,
    picked: RwSignal<usize>,
    choose: impl Fn(usize) + Copy + 'static,
) -> impl IntoView {
    let list = suggestions.get();
    (!list.is_empty()).then(|| {
        view! {
            <ul class="canned" role="listbox" id="canned-replies" aria-label="Canned replies">
                {list
                    .into_iter()
                    .enumerate()
                    .map(|(index, reply)| {
                        view! {
                            <li
                                role="option"
                                id=format!("canned-{index}")
                                aria-selected=move || (picked.get() == index).to_string()
                                on:mousedown=move |event| {
                                    event.prevent_default();
                                    choose(index);
                                }
                            >
                                <strong>{format!("/{}", reply.shortcut)}</strong>
                                " "
                                {reply.text}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// "Why is this chat here?": each agent's verdict, the method, the place in the queue.
#[component]
fn Why(backend: Backend, chat: ChatId) -> impl IntoView {
    // Explained only while open: every change of the state would otherwise work out every
    // agent's verdict and redraw them, unseen, beside each claim and reply.
    let open = RwSignal::new(false);
    let toggled = move |event: leptos::ev::Event| {
        open.set(event_target::<web_sys::HtmlDetailsElement>(&event).open());
    };
    let explanation = move || {
        backend.read(|engine| {
            let why = engine.explain(chat)?;
            let how = match why.assigned_by {
                Some(handoff::AssignedBy::Method(method)) => Some(format!("Assigned by {}.", method_name(method))),
                Some(handoff::AssignedBy::Claim) => Some("Claimed from the Pending queue.".to_owned()),
                Some(handoff::AssignedBy::Transfer) => Some("Assigned by a transfer.".to_owned()),
                Some(handoff::AssignedBy::Takeover) => Some("Taken over.".to_owned()),
                None => None,
            };
            let place = why.queue_position.map(|place| format!("{} in the Pending queue.", ordinal(place)));
            let verdicts: Vec<(String, String, bool)> = why
                .agents
                .iter()
                .map(|agent| {
                    let picked = matches!(agent.verdict, handoff::Verdict::Assignee | handoff::Verdict::Eligible);
                    (agent.name.clone(), verdict_words(&agent.verdict), picked)
                })
                .collect();
            Some((how, place, verdicts))
        })
    };
    view! {
        <details class="why" on:toggle=toggled>
            <summary>"Why is this chat here?"</summary>
            {move || open.get().then(explanation).flatten().map(|(how, place, verdicts)| view! {
                {how.map(|how| view! { <p>{how}</p> })}
                {place.map(|place| view! { <p>{place}</p> })}
                <ul class="verdicts">
                    {verdicts.into_iter().map(|(name, words, picked)| view! {
                        <li class:eligible=picked>{name} " — " {words}</li>
                    }).collect_view()}
                </ul>
            })}
        </details>
    }
}
