//! `/inbox`: the live agent's desk. Sign in as one of the teamspace's live agents, go Online or
//! Away, work the lists (Pending, Mine, All open, Closed) and the conversation.
//!
//! On the simulated backend who is signed in is per tab (two tabs can be two agents), kept
//! across a reload in the tab's own storage, as is the chat on screen. On the server the desk
//! is the signed-in account's: there is nobody else to choose. Everything shown is read from the backend and updates
//! when anything changes, in this tab or another.

mod conversation;
mod lists;
pub mod transcript;
mod unread;

use handoff::inbox::Folder;
use handoff::{AgentId, ChatId, Command, Presence, Timestamp, workspace::Role};
use leptos::prelude::*;

use crate::backend::{Backend, Opening, download_saved_conversations, now, reset_conversations, use_conversations};
use crate::pages::set_document_title;
use crate::storage::tab;

pub use conversation::{Conversation, clear_if_unchanged};
pub use lists::{ChatLists, PAGE};

const AGENT_KEY: &str = "handoff-studio/signed-in-agent";
const CHAT_KEY: &str = "handoff-studio/open-chat";

/// Who this tab works as, and the chat on its screen.
#[derive(Clone, Copy)]
pub struct Identity {
    pub agent: RwSignal<Option<AgentId>>,
    pub chat: RwSignal<Option<ChatId>>,
}

/// Provides this tab's identity, as the tab last left it; on the server (`account`, the
/// signed-in person's agent) the desk is theirs whatever the tab held.
pub fn provide_identity(account: Option<AgentId>) {
    let read = |key| tab::read(key).and_then(|text| text.parse().ok());
    let identity = Identity {
        agent: RwSignal::new(account.or(read(AGENT_KEY).map(AgentId))),
        chat: RwSignal::new(read(CHAT_KEY).map(ChatId)),
    };
    Effect::new(move |_| tab::write(AGENT_KEY, identity.agent.get().map(|agent| agent.0.to_string()).as_deref()));
    Effect::new(move |_| tab::write(CHAT_KEY, identity.chat.get().map(|chat| chat.0.to_string()).as_deref()));
    provide_context(identity);
    unread::provide_seen();
}

pub fn use_identity() -> Identity {
    expect_context::<Identity>()
}

/// The agent this tab is signed in as, if the backend agrees they are signed in (tracked).
pub fn signed_in(backend: Backend) -> Option<AgentId> {
    let agent = use_identity().agent.get()?;
    backend.read(|engine| engine.agent(agent).is_some_and(|state| state.status.is_signed_in())).then_some(agent)
}

/// How many pending chats the signed-in agent may take: for the navigation and the tab's title.
pub fn pending_count() -> Option<usize> {
    let backend = use_conversations().backend()?;
    let agent = signed_in(backend)?;
    // The Pending count alone: `counts` would count Closed too, over every chat, on every change.
    Some(backend.read(|engine| engine.pending_count_for(agent)))
}

/// How many of the signed-in agent's chats in Mine have something unread.
pub fn unread_count() -> Option<usize> {
    let backend = use_conversations().backend()?;
    let agent = signed_in(backend)?;
    Some(unread::unread_chats(backend, agent).len())
}

/// A clock for "waiting 4 min": the time now, updated every 15 seconds while the page shows it.
pub fn ticking_clock() -> ReadSignal<Timestamp> {
    let (clock, set_clock) = signal(now());
    if let Ok(handle) = set_interval_with_handle(move || set_clock.set(now()), std::time::Duration::from_secs(15)) {
        on_cleanup(move || handle.clear());
    }
    clock
}

/// Saved conversations that could not be read: said, offered for download, and reset only when
/// asked.
#[component]
fn DamagedBanner() -> impl IntoView {
    let conversations = use_conversations();
    let failed = RwSignal::new(None::<String>);
    let download = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(error) = download_saved_conversations().await {
                failed.set(Some(error));
            }
        });
    };
    move || {
        conversations.damaged.get().map(|damaged| {
            view! {
                <div class="banner" role="alert">
                    <p>
                        <strong>"Some saved conversations could not be read: "</strong>
                        {damaged}
                    </p>
                    <p class="banner-actions">
                        <button type="button" class="button" on:click=download>"Download the saved conversations"</button>
                        <button type="button" class="button danger" on:click=move |_| reset_conversations()>
                            "Start again with no conversations"
                        </button>
                    </p>
                    <p class="error">{move || failed.get()}</p>
                </div>
            }
        })
    }
}

/// Why the conversations did not open, and what to do.
fn not_opened(why: String, next: &'static str) -> AnyView {
    view! {
        <div class="banner error" role="alert">
            <p>{why}</p>
            <p>{next}</p>
        </div>
    }
    .into_any()
}

/// Shows `render(backend)` once the backend is open; until then, what it is doing.
pub fn with_backend(render: impl Fn(Backend) -> AnyView + Send + Sync + 'static) -> impl IntoView {
    let conversations = use_conversations();
    let page = move || match conversations.opening.get() {
        Opening::Opening => view! { <p class="loading" role="status">"Opening the conversations…"</p> }.into_any(),
        Opening::Open(backend) => render(backend),
        Opening::Failed(error) => not_opened(
            format!("The conversations could not be opened: {error}"),
            "The browser may block storage for this site (private mode, or settings). Nothing was changed.",
        ),
        Opening::Refused(message) => not_opened(
            format!("The server refused this page's connection to the conversations: {message}"),
            "Reload the page to try again.",
        ),
    };
    view! {
        <DamagedBanner/>
        {move || page()}
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    set_document_title("Inbox");
    view! {
        <article class="inbox-page">
            <h1>"Inbox"</h1>
            {with_backend(|backend| view! { <Desk backend=backend/> }.into_any())}
        </article>
    }
}

/// The desk for whoever this tab is signed in as, or the sign-in form; without it (the
/// preview, whose "Acting as" signs agents in) a line saying where to choose one.
#[component]
pub fn Desk(backend: Backend, #[prop(default = true)] sign_in_form: bool) -> impl IntoView {
    let agent = Memo::new(move |_| signed_in(backend));
    move || match agent.get() {
        Some(agent) => view! { <SignedIn backend=backend agent=agent/> }.into_any(),
        None if sign_in_form => view! { <SignIn backend=backend/> }.into_any(),
        None => view! {
            <p class="card desk-nobody">"Choose who you act as above: that live agent is signed in and Online."</p>
        }
        .into_any(),
    }
}

/// Signs `agent` in and makes this tab work as them; a refusal goes to `error`.
pub fn sign_in(backend: Backend, identity: Identity, agent: AgentId, error: RwSignal<Option<String>>) {
    backend.dispatch(Command::SignIn { agent }, error, move || {
        identity.agent.set(Some(agent));
        focus_when_drawn("folder-pending");
    });
}

/// An option per live agent of the teamspace, the one `selected` names marked.
pub fn agent_options(backend: Backend, selected: RwSignal<Option<AgentId>>) -> impl IntoView {
    let agents: Vec<(AgentId, String)> = backend.read_untracked(|engine| {
        engine.workspace().teamspace.agents.iter().map(|agent| (agent.id, agent.name.clone())).collect()
    });
    agents
        .into_iter()
        .map(|(id, name)| view! { <option value=id.0.to_string() prop:selected=move || selected.get() == Some(id)>{name}</option> })
        .collect_view()
}

/// Moves the keyboard focus to the element with this id once the next frame has drawn it: the
/// button pressed may be gone, and the focus with it.
pub fn focus_when_drawn(id: &'static str) {
    request_animation_frame(move || lists::focus(id));
}

/// Signs this tab in as one of the teamspace's live agents; on the server, the signed-in
/// person at the desk.
#[component]
fn SignIn(backend: Backend) -> impl IntoView {
    let identity = use_identity();
    if let Some(me) = crate::account::use_account().and_then(|account| account.me_untracked()) {
        return sign_in_as_me(backend, identity, me).into_any();
    }
    let first = backend.read_untracked(|engine| engine.workspace().teamspace.agents.first().map(|agent| agent.id));
    let chosen = RwSignal::new(identity.agent.get_untracked().or(first));
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Some(agent) = chosen.get_untracked() {
            sign_in(backend, identity, agent, error);
        }
    };
    let options = agent_options(backend, chosen);
    view! {
        <form class="sign-in card" on:submit=submit>
            <h2>"Sign in"</h2>
            <p>"Work the inbox as one of the teamspace's live agents. Each tab can be a different agent."</p>
            <label for="sign-in-agent">"Live agent"</label>
            <select
                id="sign-in-agent"
                on:change=move |event| chosen.set(event_target_value(&event).parse().ok().map(AgentId))
            >
                {options}
            </select>
            <button type="submit" class="button primary">"Sign in"</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
    .into_any()
}

/// The signed-in person, not at the desk yet: one button puts them there, Online.
fn sign_in_as_me(backend: Backend, identity: Identity, me: handoff_wire::Me) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        sign_in(backend, identity, me.agent, error);
    };
    view! {
        <form class="sign-in card" on:submit=submit>
            <h2>"Sign in at the desk"</h2>
            <p>{format!("Work the inbox as {}: new chats can come to you once you are Online.", me.name)}</p>
            <button type="submit" id="sign-in-agent" class="button primary">"Sign in at the desk"</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// The signed-in agent's bar, lists and conversation.
#[component]
fn SignedIn(backend: Backend, agent: AgentId) -> impl IntoView {
    let identity = use_identity();
    let (name, role) = backend.read_untracked(|engine| {
        engine
            .workspace()
            .teamspace
            .agent(agent)
            .map_or((agent.to_string(), Role::Agent), |found| (found.name.clone(), found.role))
    });
    let online = Memo::new(move |_| {
        backend.read(|engine| engine.agent(agent).is_some_and(|state| state.status == handoff::AgentStatus::Online))
    });
    let error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let presence = if online.get_untracked() { Presence::Away } else { Presence::Online };
        backend.dispatch(Command::SetPresence { agent, presence }, error, || ());
    };
    let sign_out = move |_| {
        backend.dispatch(Command::SignOut { agent }, error, move || {
            // The next agent in this tab starts with no chat open: it may not be theirs to see.
            identity.chat.set(None);
            identity.agent.set(None);
            focus_when_drawn("sign-in-agent");
        })
    };
    let folder = RwSignal::new(Folder::Pending);
    // One derivation of the unread chats for the lists and the notifications.
    let unread = Memo::new(move |_| unread::unread_chats(backend, agent));
    view! {
        <div class="desk">
            <div class="agent-bar">
                <p class="agent-name">
                    <span class="visually-hidden">"Signed in as "</span>
                    <strong>{name}</strong>
                    {(role == Role::Admin).then(|| view! { <span class="badge">"Admin"</span> })}
                </p>
                // The button says the agent's status as it is, and what a click does.
                <button type="button" class="presence" class:online=move || online.get() on:click=toggle>
                    <span class="presence-dot" aria-hidden="true"></span>
                    <span class="presence-now">{move || if online.get() { "Online" } else { "Away" }}</span>
                    <span class="visually-hidden">{move || if online.get() { ", go Away" } else { ", go Online" }}</span>
                </button>
                <span class="presence-state" aria-hidden="true">{move || if online.get() { "" } else { "Away: no new chats" }}</span>
                <unread::NotifyToggle unread=unread/>
                <button type="button" class="button" on:click=sign_out>"Sign out"</button>
                <p class="error" role="alert">{move || error.get()}</p>
            </div>
            <div class="desk-body">
                <ChatLists backend=backend agent=agent role=role folder=folder unread=unread/>
                <Conversation backend=backend agent=agent/>
            </div>
        </div>
    }
}
