//! `/preview`: the designer's bench. A customer chat widget beside an agent inbox (the same desk
//! as `/inbox`), on the simulated backend: several customers at once, the agent identity
//! switched at will, a timeline of the engine's events for the chat, and a reset.
//!
//! On the server the customer is played through the server's public customer API, as a widget
//! on a customer's site plays it: `POST /api/chats` starts the chat and gives its token, and the
//! widget runs on a backend of its own for that chat (`Backend::customer_on_server`: its socket,
//! its commands with the token), which holds only what the customer may see. The tokens are kept
//! in the tab, so a reload resumes each customer's chat. The desk beside it is the signed-in
//! person's, on the page's backend; who else is Online is told, not switched (each live agent
//! signs in in their own browser), and there is no reset (the conversations are the server's).
//!
//! The widget shows the customer only what a customer sees (`Event::is_visible_to_customer`):
//! never an internal note, nor assignment bookkeeping.

use handoff::customer_words::{CustomerWords, customer_words};
use handoff::widget::Offer;
use handoff::{AgentId, Availability, ChatId, ChatStatus, Command, Event, Language};
use handoff_wire::{ChatStarted, StartChat as StartChatBody};
use leptos::prelude::*;

use crate::backend::{Backend, reset_conversations};
use crate::inbox::transcript::{Line, Speaker, clock_time, kind, language_name, line, line_in};
use crate::inbox::{Desk, agent_options, clear_if_unchanged, focus_when_drawn, sign_in, use_identity, with_backend};
use crate::pages::set_document_title;
use crate::storage::tab;

const CUSTOMERS_KEY: &str = "handoff-studio/preview-customers";

const LEAD: &str = "Play the customer on the left and the live agent on the right: the whole path runs in this \
                    browser, on the same conversations as the Inbox.";
const LEAD_ON_SERVER: &str = "Play the customer on the left, as a customer's widget reaches the server, and work the \
                              chat at your desk on the right or in the live agents' own browsers.";

#[component]
pub fn PreviewPage() -> impl IntoView {
    set_document_title("Preview");
    let lead = match on_server() {
        false => LEAD,
        true => LEAD_ON_SERVER,
    };
    view! {
        <article class="preview-page">
            <h1>"Preview"</h1>
            <p class="lead">{lead}</p>
            {with_backend(|backend| view! { <Bench backend=backend/> }.into_any())}
        </article>
    }
}

/// Whether the page is on the server (somebody signed in there), not the simulated backend.
fn on_server() -> bool {
    crate::account::use_account().is_some()
}

/// A customer this tab's designer started: their chat and, on the server, the chat's token,
/// which alone acts in it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Customer {
    chat: ChatId,
    token: Option<String>,
}

/// The customers this tab's designer started, kept across a reload of the tab: `3` for a chat
/// of the simulated backend, `3:TOKEN` for one on the server.
fn read_customers(text: &str) -> Vec<Customer> {
    let customer = |entry: &str| {
        let (chat, token) = entry.split_once(':').map_or((entry, None), |(chat, token)| (chat, Some(token.to_owned())));
        Some(Customer { chat: ChatId(chat.parse().ok()?), token })
    };
    text.split(',').filter_map(customer).collect()
}

fn write_customers(customers: &[Customer]) -> String {
    let entry = |customer: &Customer| match &customer.token {
        Some(token) => format!("{}:{token}", customer.chat.0),
        None => customer.chat.0.to_string(),
    };
    customers.iter().map(entry).collect::<Vec<_>>().join(",")
}

#[component]
fn Bench(backend: Backend) -> impl IntoView {
    let identity = use_identity();
    let on_server = on_server();
    let store = crate::workspace_store::use_workspace_store();
    let customers = RwSignal::new(tab::read(CUSTOMERS_KEY).map(|text| read_customers(&text)).unwrap_or_default());
    let current = RwSignal::new(customers.with_untracked(|list| list.last().map(|customer| customer.chat)));
    Effect::new(move |_| tab::write(CUSTOMERS_KEY, Some(&customers.with(|list| write_customers(list)))));
    // The customers whose chats still exist (a reset forgets them); on the server, every one
    // with a token (the page's own replica holds only the chats of the desk's folders).
    let known = Memo::new(move |_| {
        let list = customers.get();
        let exists = |customer: &Customer| match on_server {
            true => customer.token.is_some(),
            false => customer.token.is_none() && backend.read(|engine| engine.chat(customer.chat).is_some()),
        };
        list.into_iter().filter(exists).map(|customer| customer.chat).collect::<Vec<_>>()
    });
    let started = move |chat: ChatId, token: Option<String>| {
        // Chats a reset removed are forgotten, so a number used again is one customer.
        let exists = |other: &ChatId| on_server || backend.read_untracked(|engine| engine.chat(*other).is_some());
        customers.update(|list| {
            list.retain(|other| other.chat != chat && exists(&other.chat));
            list.push(Customer { chat, token });
        });
        current.set(Some(chat));
        identity.chat.set(Some(chat));
        focus_when_drawn("widget-text");
    };
    let tabs = move || {
        known
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, chat)| {
                view! {
                    <button
                        type="button"
                        class="button customer-tab"
                        aria-pressed=move || (current.get() == Some(chat)).to_string()
                        on:click=move |_| {
                            current.set(Some(chat));
                            identity.chat.set(Some(chat));
                        }
                    >
                        {format!("Customer {} (chat #{})", index + 1, chat.0)}
                    </button>
                }
            })
            .collect_view()
    };
    let shown = Memo::new(move |_| current.get().filter(|chat| known.with(|known| known.contains(chat))));
    view! {
        <div class="bench">
            <section class="customer-side" aria-labelledby="customer-heading">
                <h2 id="customer-heading">"Customer"</h2>
                <div class="customer-tabs" role="group" aria-label="Customers">
                    {move || tabs()}
                    <button type="button" class="button" on:click=move |_| current.set(None)>"New customer"</button>
                </div>
                {move || match shown.get() {
                    Some(chat) => {
                        let customer = customer_backend(backend, store, customers, chat);
                        view! {
                            <Reach backend=backend customer=customer chat=chat/>
                            <Widget backend=customer chat=chat/>
                            <Timeline backend=backend customer=customer chat=chat/>
                        }
                        .into_any()
                    }
                    None => view! { <StartChat backend=backend started=started/> }.into_any(),
                }}
            </section>
            <section class="agent-side" aria-labelledby="agent-heading">
                <h2 id="agent-heading">"Live agent"</h2>
                {(!on_server).then(|| view! { <AgentSwitcher backend=backend/> })}
                <Desk backend=backend sign_in_form=on_server/>
            </section>
        </div>
        {(!on_server).then(|| view! { <Reset/> })}
    }
}

/// The backend the customer of `chat` plays on: the page's own on the simulated backend; on the
/// server one of the customer's own, with the chat's token, whose socket closes when the
/// customer is no longer shown. Its replica is built on the page's workspace, so it is made
/// again on a newer one (another admin's save, which the store adopts; the server sends every
/// customer's socket a whole view after it too).
fn customer_backend(
    backend: Backend,
    store: crate::workspace_store::WorkspaceStore,
    customers: RwSignal<Vec<Customer>>,
    chat: ChatId,
) -> Backend {
    let token = customers.with_untracked(|list| {
        list.iter().find(|customer| customer.chat == chat).and_then(|customer| customer.token.clone())
    });
    let Some(token) = token else { return backend };
    let workspace = store.with(handoff::Workspace::clone);
    let customer = Backend::customer_on_server(chat, token, workspace);
    on_cleanup(move || customer.stop());
    customer
}

/// A new customer: the language is chosen first, as a widget on a website would know it.
#[component]
fn StartChat(
    backend: Backend,
    started: impl Fn(ChatId, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let on_server = on_server();
    let languages: Vec<Language> =
        backend.read_untracked(|engine| engine.workspace().ai_agent.languages().cloned().collect());
    let language = RwSignal::new(languages.first().cloned());
    let error = RwSignal::new(None::<String>);
    let start = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(language) = language.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            // On the server, as a customer's widget starts a chat: the server picks the number.
            if on_server {
                match crate::remote::start_chat(&StartChatBody { language }).await {
                    Ok(ChatStarted { chat, token, .. }) => started(chat, Some(token)),
                    Err(refused) => {
                        error.try_set(Some(refused.to_string()));
                    }
                }
                return;
            }
            // The next free number; another tab may take it first, so try the one after once.
            for _ in 0..2 {
                let chat = backend.read_untracked(|engine| {
                    ChatId(engine.state().chats.keys().map(|chat| chat.0).max().unwrap_or(0) + 1)
                });
                match backend.send(Command::StartChat { chat, language: language.clone() }).await {
                    Ok(_) => return started(chat, None),
                    Err(message) => error.set(Some(message)),
                }
            }
        });
    };
    let options = languages
        .into_iter()
        .map(|code| view! { <option value=code.as_str().to_owned()>{language_name(&code)}</option> })
        .collect_view();
    view! {
        <form class="start-chat card" on:submit=start>
            <label for="customer-language">"The customer's language"</label>
            <select
                id="customer-language"
                on:change=move |event| language.set(Some(Language(event_target_value(&event))))
            >
                {options}
            </select>
            <button type="submit" class="button primary">"Start chat"</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// The customer's chat widget: bubbles, quick replies, the queue position while pending, and
/// rating buttons when feedback is asked.
#[component]
pub fn Widget(backend: Backend, chat: ChatId) -> impl IntoView {
    // The product's own words in the chat's language (the AI agent's texts come in it already),
    // read afresh, not a memo: a widget being removed may still render once after its own
    // signals are gone, and the backend outlives it.
    let words = move || backend.read(|engine| customer_words_of(engine, chat));
    let words_untracked = move || backend.read_untracked(|engine| customer_words_of(engine, chat));
    let bubbles = Memo::new(move |_| {
        let words = words();
        backend.read(|engine| {
            let workspace = engine.workspace();
            let transcript = engine.chat(chat).map(|found| found.transcript.as_slice()).unwrap_or_default();
            transcript
                .iter()
                .filter(|event| event.is_visible_to_customer())
                .filter_map(|event| line_in(event, workspace, words))
                .collect::<Vec<Line>>()
        })
    });
    // What the customer can do besides typing: answer buttons, or a rating.
    let offer = Memo::new(move |_| backend.read(|engine| handoff::widget::offer(engine, chat)));
    // The customer's draft for this chat, kept across reloads until it is sent.
    let draft = crate::storage::drafts::customer(chat);
    let text = RwSignal::new(crate::storage::drafts::read(&draft));
    Effect::new(move |_| text.with(|typed| crate::storage::drafts::write(&draft, typed)));
    let error = RwSignal::new(None::<String>);
    // One message, or one rating, on its way at a time: a double click sends once.
    let sending = RwSignal::new(false);
    // A quick-reply button sends its own words; what the customer was typing stays.
    let say = move |words: String| {
        backend.dispatch_once(Command::CustomerMessage { chat, text: words.clone() }, error, sending, move || {
            clear_if_unchanged(text, &words);
        });
    };
    // The rating picked while the action asks for an optional comment, before it is sent.
    let rated = RwSignal::new(None::<u8>);
    let comment = RwSignal::new(String::new());
    let give = move |rating: u8, words: Option<String>| {
        let command = Command::GiveFeedback { chat, rating, comment: words };
        backend.dispatch_once(command, error, sending, move || {
            rated.set(None);
            comment.set(String::new());
        });
    };
    let rate = move |rating: u8| match backend.read_untracked(|engine| engine.asks_for_comment(chat)) {
        true => rated.set(Some(rating)),
        false => give(rating, None),
    };
    let send_comment = move |skip: bool| {
        if let Some(rating) = rated.get_untracked() {
            // The engine trims the comment and drops an empty one.
            give(rating, (!skip).then(|| comment.get_untracked()));
        }
    };
    let offers = move || {
        offer.get().map(|offer| match offer {
            Offer::Buttons(buttons) => quick_replies(words_untracked(), buttons, say),
            Offer::Rating => rating_and_comment(words_untracked(), rated, comment, rate, send_comment),
        })
    };
    let ai_name = backend.read_untracked(|engine| engine.workspace().ai_agent.name.clone());
    let messages = messages_following_the_newest(words, bubbles, offer);
    view! {
        <div class="widget" role="region" aria-label=format!("Chat widget: {ai_name}")>
            {messages}
            {backend.link().map(crate::shell::link_status)}
            <p class="queue-position" role="status">{move || queue_place(backend, chat, words())}</p>
            {move || offers()}
            {message_box(words, text, sending, say)}
            <p class="error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The widget's words for the chat: in its language, else the AI agent's default language's,
/// else English (`handoff::customer_words`).
fn customer_words_of(engine: &handoff::Engine, chat: ChatId) -> &'static CustomerWords {
    let default = &engine.workspace().ai_agent.default_language;
    customer_words(engine.chat(chat).map_or(default, |found| &found.language), default)
}

/// The customer's place in the queue while the chat is pending.
fn queue_place(backend: Backend, chat: ChatId, words: &'static CustomerWords) -> Option<String> {
    backend.read(|engine| {
        let found = engine.chat(chat)?;
        matches!(found.status, ChatStatus::Pending { .. }).then(|| {
            // The engine's current place, kept up to date as the queue moves; not the place the
            // Queued event told at the time, and no whole explanation built on every change.
            match engine.queue_place(chat) {
                Some(place) => words.in_queue(place),
                None => words.waiting.to_owned(),
            }
        })
    })
}

/// The quick replies of the last message: each button sends its own words.
fn quick_replies(
    words: &'static CustomerWords,
    buttons: Vec<String>,
    say: impl Fn(String) + Copy + 'static,
) -> AnyView {
    view! {
        <div class="quick-replies" role="group" aria-label=words.quick_replies>
            {buttons.into_iter().map(|button| {
                let words = button.clone();
                view! { <button type="button" class="button" on:click=move |_| say(words.clone())>{button}</button> }
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// The rating buttons, then, when the action asks for one, the optional comment on the rating
/// picked.
fn rating_and_comment(
    words: &'static CustomerWords,
    rated: RwSignal<Option<u8>>,
    comment: RwSignal<String>,
    rate: impl Fn(u8) + Copy + Send + Sync + 'static,
    send_comment: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> AnyView {
    view! {
        <Show
            when=move || rated.get().is_some()
            fallback=move || view! {
                <div class="rating" role="group" aria-label=words.rate_group>
                    {handoff::RATINGS.map(|rating| view! {
                        <button type="button" class="button" aria-label=words.rate_button(rating) on:click=move |_| rate(rating)>
                            {rating.to_string()}
                        </button>
                    }).collect_view()}
                </div>
            }
        >
            <form
                class="feedback-comment"
                on:submit=move |event| {
                    event.prevent_default();
                    send_comment(false);
                }
            >
                <p>{move || words.you_rated(rated.get().unwrap_or_default())}</p>
                <label for="feedback-comment">{words.anything_to_add}</label>
                <textarea
                    id="feedback-comment"
                    rows="2"
                    prop:value=move || comment.get()
                    on:input=move |event| comment.set(event_target_value(&event))
                ></textarea>
                <div class="confirm-actions">
                    <button type="submit" class="button primary">{words.send_feedback}</button>
                    <button type="button" class="button" on:click=move |_| send_comment(true)>{words.skip_comment}</button>
                </div>
            </form>
        </Show>
    }
    .into_any()
}

/// The messages. The newest message stays in view unless the customer scrolled up to read;
/// then a button offers the new ones.
fn messages_following_the_newest(
    words: impl Fn() -> &'static CustomerWords + Copy + Send + Sync + 'static,
    bubbles: Memo<Vec<Line>>,
    offer: Memo<Option<Offer>>,
) -> impl IntoView {
    let bubbles_ref = NodeRef::<leptos::html::Ol>::new();
    let following = RwSignal::new(true);
    let unseen = RwSignal::new(false);
    // A scroll event can arrive while the widget is being removed: then nothing is done.
    let to_newest = move || {
        if let Some(list) = bubbles_ref.try_get_untracked().flatten() {
            list.set_scroll_top(list.scroll_height());
        }
        following.try_set(true);
        unseen.try_set(false);
    };
    Effect::new(move |_| {
        bubbles.track();
        offer.track();
        if following.try_get_untracked().unwrap_or(true) {
            to_newest();
        } else {
            unseen.try_set(true);
        }
    });
    let scrolled = move |_| {
        if let Some(list) = bubbles_ref.try_get_untracked().flatten() {
            let at_newest = list.scroll_height() - list.scroll_top() - list.client_height() <= 24;
            following.try_set(at_newest);
            if at_newest {
                unseen.try_set(false);
            }
        }
    };
    view! {
        <ol class="bubbles" aria-label=move || words().messages aria-live="polite" node_ref=bubbles_ref on:scroll=scrolled tabindex="0">
            <For
                each=move || bubbles.get().into_iter().enumerate()
                key=|(index, line)| (*index, line.clone())
                children=|(_, line)| bubble(line)
            />
        </ol>
        <Show when=move || unseen.try_get().unwrap_or(false)>
            <button type="button" class="button new-messages" on:click=move |_| to_newest()>{move || words().new_messages}</button>
        </Show>
    }
}

/// What the customer types; Send sends it, one message at a time.
fn message_box(
    words: impl Fn() -> &'static CustomerWords + Copy + Send + Sync + 'static,
    text: RwSignal<String>,
    sending: RwSignal<bool>,
    say: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    view! {
        <form
            class="widget-input"
            on:submit=move |event| {
                event.prevent_default();
                let words = text.get_untracked().trim().to_owned();
                if !words.is_empty() {
                    say(words);
                }
            }
        >
            <label for="widget-text" class="visually-hidden">{move || words().message}</label>
            <input
                id="widget-text"
                type="text"
                autocomplete="off"
                placeholder=move || words().type_a_message
                // A box being removed may still see one more input: then it reads and writes nothing.
                prop:value=move || text.try_get().unwrap_or_default()
                on:input=move |event| { text.try_set(event_target_value(&event)); }
            />
            <button type="submit" class="button primary" aria-busy=move || sending.get().to_string()>{move || words().send}</button>
        </form>
    }
}

/// A line as the customer sees it: their own words on one side, everyone else's on the other.
/// The name is on a line of its own; a hidden ": " after it keeps the name and the words apart
/// where they are read as one text (the live region's announcement, a copy of the messages).
fn bubble(line: Line) -> impl IntoView {
    let from = match line.speaker {
        Speaker::Customer => "You".to_owned(),
        Speaker::System => String::new(),
        _ => line.from,
    };
    view! {
        <li class=format!("line {}", line.speaker.class())>
            {(!from.is_empty()).then(|| view! { <span class="from">{from}<span class="visually-hidden">": "</span></span> })}
            <p class="text">{line.text}</p>
        </li>
    }
}

/// Who the customer's language reaches, and whether each is Online now, with one click to sign
/// an agent in and Online and act as them (on the simulated backend; on the server each signs in
/// in their own browser): without an Online agent, a handoff with the availability check runs
/// its "no agent" branch. The chat's language is the customer's to say, the agents' states the
/// page's backend's.
#[component]
fn Reach(backend: Backend, customer: Backend, chat: ChatId) -> impl IntoView {
    let identity = use_identity();
    let on_server = on_server();
    let error = RwSignal::new(None::<String>);
    let reach = Memo::new(move |_| {
        let Some(language) = customer.read(|engine| engine.chat(chat).map(|found| found.language.clone())) else {
            return (String::new(), Vec::new());
        };
        backend.read(|engine| {
            let name = |agent: AgentId| {
                engine.workspace().teamspace.agent(agent).map_or_else(|| agent.to_string(), |found| found.name.clone())
            };
            let agents = engine
                .agents_for_language(&language)
                .into_iter()
                .map(|(agent, availability)| (agent, name(agent), availability))
                .collect::<Vec<_>>();
            (language_name(&language), agents)
        })
    });
    let bring_online = move |agent: AgentId, availability: Availability| {
        if let Some(command) = availability.command_to_go_online(agent) {
            backend.dispatch(command, error, move || identity.agent.set(Some(agent)));
        }
    };
    view! {
        <section class="reach" aria-labelledby="reach-heading">
            <h3 id="reach-heading">{move || format!("Live agents for {}", reach.with(|(language, _)| language.clone()))}</h3>
            <p class="field-hint">
                {move || {
                    let online = reach.with(|(_, agents)| agents.iter().filter(|(_, _, now)| *now == Availability::Online).count());
                    match online {
                        0 => "Nobody is Online for this language: a handoff that checks availability takes its “no agent” branch.".to_owned(),
                        1 => "1 is Online.".to_owned(),
                        count => format!("{count} are Online."),
                    }
                }}
            </p>
            <ul>
                {move || reach.get().1.into_iter().map(|(agent, name, availability)| {
                    let state = match availability {
                        Availability::Online => "Online",
                        Availability::Away => "Away",
                        Availability::SignedOut => "signed out",
                    };
                    view! {
                        <li>
                            <span>{format!("{name}: {state}")}</span>
                            {(availability != Availability::Online && !on_server).then(|| view! {
                                " "
                                <button type="button" class="button" on:click=move |_| bring_online(agent, availability)>
                                    {match availability {
                                        Availability::SignedOut => format!("Sign in {name} and go Online"),
                                        _ => format!("Put {name} Online"),
                                    }}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="error" role="alert">{move || error.get()}</p>
        </section>
    }
}

/// The engine's events for the chat, in order, by their engine names: as the page's backend
/// holds them, internal notes included, or while it does not hold the chat (on the server, one
/// outside the desk's folders) as the customer's does.
#[component]
pub fn Timeline(backend: Backend, customer: Backend, chat: ChatId) -> impl IntoView {
    let events = move || {
        let source = match backend.read(|engine| engine.chat(chat).is_some()) {
            true => backend,
            false => customer,
        };
        source.read(|engine| {
            let workspace = engine.workspace();
            let transcript = engine.chat(chat).map(|found| found.transcript.as_slice()).unwrap_or_default();
            transcript
                .iter()
                .map(|event| {
                    let found = line(event, workspace);
                    let at = found.as_ref().and_then(|line| line.at).map(clock_time).unwrap_or_default();
                    let (class, who, words) = found.map_or(("system", String::new(), String::new()), |line| {
                        (line.speaker.class(), who_said(event, &line, workspace), line.text)
                    });
                    (kind(event), at, class, who, words)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <details class="timeline">
            <summary>{format!("Engine events for chat #{}", chat.0)}</summary>
            <ol>
                {move || events().into_iter().map(|(kind, at, class, who, words)| view! {
                    <li class=format!("timeline-{class}")>
                        <time>{at}</time> " " <code>{kind}</code> " "
                        {(!who.is_empty()).then(|| view! { <span class="who">{who}</span> ": " })}
                        {words}
                    </li>
                }).collect_view()}
            </ol>
        </details>
    }
}

/// Who a timeline line is from: the customer, the AI agent, a live agent, or a live agent's
/// internal note, which the customer never sees.
fn who_said(event: &Event, line: &Line, workspace: &handoff::Workspace) -> String {
    match (line.speaker, event) {
        (Speaker::Customer, _) => "Customer".to_owned(),
        (Speaker::Note, Event::NoteAdded { agent, .. }) => {
            let name = workspace.teamspace.agent(*agent).map_or_else(|| agent.to_string(), |found| found.name.clone());
            format!("Internal note by {name} (the customer never sees it)")
        }
        (Speaker::Note | Speaker::Ai | Speaker::Agent, _) => line.from.clone(),
        (Speaker::System, _) => String::new(),
    }
}

/// Switches the live agent this tab acts as, signing them in if they are not.
#[component]
fn AgentSwitcher(backend: Backend) -> impl IntoView {
    let identity = use_identity();
    let error = RwSignal::new(None::<String>);
    let switch = move |event: leptos::ev::Event| {
        if let Some(agent) = event_target_value(&event).parse().ok().map(AgentId) {
            sign_in(backend, identity, agent, error);
        }
    };
    let options = agent_options(backend, identity.agent);
    view! {
        <p class="agent-switcher">
            <label for="acting-as">"Acting as "</label>
            <select id="acting-as" on:change=switch>
                <option value="" disabled=true prop:selected=move || identity.agent.get().is_none()>"Choose a live agent"</option>
                {options}
            </select>
            <span class="error" role="alert">{move || error.get()}</span>
        </p>
    }
}

/// Starts again with no conversations, after saying what that deletes.
#[component]
fn Reset() -> impl IntoView {
    let asking = RwSignal::new(false);
    view! {
        <div class="preview-reset">
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <button type="button" class="button danger" on:click=move |_| asking.set(true)>"Reset conversations…"</button>
                }
            >
                <div class="confirm" role="group" aria-label="Reset conversations">
                    <p>"Delete every conversation in this browser, in every tab, and start with none? The workspace is kept."</p>
                    <div class="confirm-actions">
                        <button type="button" class="button danger" on:click=move |_| reset_conversations()>"Delete all conversations"</button>
                        <button type="button" class="button" on:click=move |_| asking.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_customers_keep_each_chat_and_on_the_server_its_token() {
        let customers = vec![
            Customer { chat: ChatId(3), token: None },
            Customer { chat: ChatId(12), token: Some("9f3a".to_owned()) },
        ];
        assert_eq!(write_customers(&customers), "3,12:9f3a");
        assert_eq!(read_customers("3,12:9f3a"), customers);
        // What an older build stored (numbers only) still reads; what cannot be read is skipped.
        assert_eq!(read_customers("4,x,:abc,"), vec![Customer { chat: ChatId(4), token: None }]);
        assert_eq!(read_customers(""), Vec::new());
    }
}
