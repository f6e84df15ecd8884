//! The backend boundary: everything the pages ask of a backend (commands in, the engine's
//! events out). The simulated backend runs the domain's journal discipline (`handoff::ledger`)
//! in the page over the browser's IndexedDB (`browser.rs`, `indexed_db.rs`); the remote backend
//! (`remote.rs`) holds a replica of what the signed-in person may see of the project's server,
//! fed by its WebSocket, and sends commands to it over HTTP.
//!
//! Pages hold a `Backend` and know nothing of what is behind it: they read the engine's state
//! (a replica fed by events, whatever backend produced them) and send commands. Every change,
//! this tab's or another's, bumps one signal, so what a page derives from the state updates
//! without a reload.

pub mod browser;
pub mod indexed_db;
pub mod remote;

use std::cell::RefCell;
use std::rc::Rc;

use handoff::{ChatId, Command, Engine, Event, Timestamp, Workspace};
use leptos::prelude::*;

use crate::workspace_store::WorkspaceStore;

use browser::BrowserBackend;
use handoff::ledger::{AppendError, CatchUpError, Damaged, Saved};
use remote::RemoteBackend;

/// Why the backend did not do a command; the journal's errors are the browser's words.
pub type Refusal = handoff::ledger::Refusal<String>;

/// What the pages talk to. Cheap to copy; `App` provides it once the backend has opened.
#[derive(Clone, Copy)]
pub struct Backend {
    transport: StoredValue<Transport, LocalStorage>,
    /// Bumped after every change a page may show.
    changes: RwSignal<u64>,
}

#[derive(Clone)]
enum Transport {
    /// The simulated backend, kept in the browser's IndexedDB and shared by its tabs.
    Browser(Rc<BrowserBackend>),
    /// An engine in memory that stores nothing: benchmarks and tests.
    Memory(Rc<RefCell<Engine>>),
    /// The project's server: a replica of what the signed-in agent may see, or of a customer's
    /// own chat (the preview's widget on the server).
    Remote(Rc<RemoteBackend>),
}

impl Backend {
    fn new(transport: Transport) -> Backend {
        Backend { transport: StoredValue::new_local(transport), changes: RwSignal::new(0) }
    }

    /// A backend over an engine in memory that stores nothing: for benchmarks and tests.
    pub fn in_memory(engine: Engine) -> Backend {
        Backend::new(Transport::Memory(Rc::new(RefCell::new(engine))))
    }

    /// The customer of `chat` on the server, who holds its `token`: their chat as the widget
    /// shows it (no internal note), over the customers' endpoints, on the page's `workspace`.
    /// `stop` closes its socket.
    pub fn customer_on_server(chat: ChatId, token: String, workspace: Workspace) -> Backend {
        let remote = RemoteBackend::customer(chat, token, workspace);
        let backend = Backend::new(Transport::Remote(Rc::clone(&remote)));
        remote.on_change(move || backend.changed());
        leptos::task::spawn_local(remote.run());
        backend
    }

    /// A remote backend's socket, as the header says it; `None` on the simulated backend.
    pub fn link(&self) -> Option<RwSignal<remote::Link>> {
        match self.transport.try_get_value()? {
            Transport::Remote(remote) => Some(remote.link()),
            Transport::Browser(_) | Transport::Memory(_) => None,
        }
    }

    /// Closes a remote backend's socket for good (the page that showed it is gone).
    pub fn stop(&self) {
        if let Some(Transport::Remote(remote)) = self.transport.try_get_value() {
            remote.stop();
        }
    }

    /// Reads the engine's state, tracking every later change.
    pub fn read<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        self.changes.track();
        self.read_untracked(read)
    }

    /// Reads the engine's state without tracking it (in event handlers).
    pub fn read_untracked<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        self.transport.get_value().read(read)
    }

    /// Asks the backend to do `command` now. On success, the events it caused; otherwise what
    /// a person should be told. Either way the pages show the latest state afterwards.
    pub async fn send(self, command: Command) -> Result<Vec<Event>, String> {
        let now = now();
        // Held to the end: the page that sent may be gone by the time the answer comes.
        let transport = self.transport.get_value();
        let in_words = |refusal: Refusal| transport.read(|engine| describe(&refusal, engine.workspace()));
        let result = match &transport {
            Transport::Browser(backend) => backend.send(now, command).await.map_err(in_words),
            Transport::Memory(engine) => {
                engine.borrow_mut().handle(now, command).map_err(Refusal::Rejected).map_err(in_words)
            }
            // The server's answer is in words already; its events come over the socket.
            Transport::Remote(remote) => remote.send(command).await.map(|()| Vec::new()),
        };
        self.changed();
        result
    }

    /// Sends `command` from an event handler: `error` is cleared, then holds the refusal if
    /// there is one; `done` runs once the command is accepted.
    pub fn dispatch(self, command: Command, error: RwSignal<Option<String>>, done: impl FnOnce() + 'static) {
        error.set(None);
        // One future type for every caller: the callback is boxed, not a type parameter.
        leptos::task::spawn_local(self.dispatched(command, error, None, Box::new(done)));
    }

    /// Like `dispatch`, one at a time: while `busy` is set (a send of the same box is on its
    /// way) the command is dropped, so a double click or two Enter presses send once.
    pub fn dispatch_once(
        self,
        command: Command,
        error: RwSignal<Option<String>>,
        busy: RwSignal<bool>,
        done: impl FnOnce() + 'static,
    ) {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(self.dispatched(command, error, Some(busy), Box::new(done)));
    }

    async fn dispatched(
        self,
        command: Command,
        error: RwSignal<Option<String>>,
        busy: Option<RwSignal<bool>>,
        done: Box<dyn FnOnce()>,
    ) {
        let outcome = self.send(command).await;
        if let Some(busy) = busy {
            busy.try_set(false);
        }
        match outcome {
            Ok(_) => done(),
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    }

    /// Says that the state changed, so that everything read from it is read again.
    fn changed(&self) {
        self.changes.try_update(|count| *count += 1);
    }

    /// Reads what other tabs wrote, then updates the pages.
    async fn refresh(self) -> Result<(), CatchUpError<String>> {
        let Some(transport) = self.transport.try_get_value() else { return Ok(()) };
        let result = match transport {
            Transport::Browser(backend) => backend.refresh().await,
            Transport::Memory(_) | Transport::Remote(_) => Ok(()),
        };
        self.changed();
        result
    }
}

impl Transport {
    fn read<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        match self {
            Transport::Browser(backend) => backend.with_engine(read),
            Transport::Memory(engine) => read(&engine.borrow()),
            Transport::Remote(remote) => remote.with_engine(read),
        }
    }
}

/// The time now, as the engine counts it: milliseconds since 1970, from the browser's clock.
pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as u64)
}

/// A refusal in a person's words, with names instead of numbers where it matters.
pub fn describe(refusal: &Refusal, workspace: &Workspace) -> String {
    match refusal {
        Refusal::Rejected(rejection) => rejection.in_words(workspace),
        Refusal::NotStored(AppendError::Taken { .. }) => {
            "Another tab wrote at the same moment; nothing was done. Try again.".to_owned()
        }
        Refusal::NotStored(AppendError::Storage(error)) => {
            format!("The browser could not store this, so nothing was done: {}.", error.trim_end_matches('.'))
        }
        Refusal::Unread(error) => format!(
            "The browser could not read the saved conversations, so nothing was done: {}.",
            error.trim_end_matches('.')
        ),
        Refusal::Damaged(damaged) => {
            format!("Some saved conversations could not be read ({damaged}), so nothing was done.")
        }
        Refusal::Busy => "This tab was still saving the last change; nothing was done. Try again.".to_owned(),
    }
}

/// Where the backend is: opening, open, or unable to open.
#[derive(Clone)]
pub enum Opening {
    Opening,
    Open(Backend),
    /// The browser's storage could not be opened.
    Failed(String),
    /// The server refused this page's socket, in its words (`remote::Link::Refused`).
    Refused(String),
}

/// The backend the pages use and what went wrong with its storage: provided by `App`.
#[derive(Clone, Copy)]
pub struct Conversations {
    pub opening: RwSignal<Opening, LocalStorage>,
    /// Saved conversations that could not be read, in words ("saved event 4: …"): the backend
    /// carries on from the last point it could read, and the pages offer the raw data before
    /// anything is reset.
    pub damaged: RwSignal<Option<String>, LocalStorage>,
}

impl Conversations {
    /// The backend once it is open (tracked).
    pub fn backend(&self) -> Option<Backend> {
        self.opening.with(|opening| match opening {
            Opening::Open(backend) => Some(*backend),
            _ => None,
        })
    }
}

pub fn use_conversations() -> Conversations {
    expect_context::<Conversations>()
}

/// The name of the IndexedDB database that holds this browser's conversations, before any reset.
pub const DATABASE: &str = "handoff-studio-conversations";

/// How many times the conversations were reset: each reset moves every tab to a new database.
const GENERATION_KEY: &str = "handoff-studio/conversations-generation";

fn generation() -> u64 {
    crate::storage::read(GENERATION_KEY).ok().flatten().and_then(|text| text.parse().ok()).unwrap_or(0)
}

/// The database the conversations are in now.
fn database_name() -> String {
    match generation() {
        0 => DATABASE.to_owned(),
        generation => format!("{DATABASE}-{generation}"),
    }
}

/// Starts again with no conversations in every tab of this browser: the tabs move to a new,
/// empty database and reload; the old database is deleted once no tab holds it open.
pub fn reset_conversations() {
    let old = database_name();
    // Chat numbers start again: a draft of a deleted chat must not appear in a new one.
    crate::storage::drafts::forget_all();
    if crate::storage::write(GENERATION_KEY, &(generation() + 1).to_string()).is_ok()
        && let Some(factory) = window().indexed_db().ok().flatten()
    {
        let _ = factory.delete_database(&old);
    }
    let _ = window().location().reload();
}

/// The seed the simulated backend's Random method draws from.
const SEED: u64 = 1;

/// Opens the simulated backend for the workspace and provides it; until it is open the pages
/// say so. When the workspace changes (an edit here or in another tab), the backend opens again
/// on it: the conversations are replayed under the new workspace, and what no longer fits it is
/// reported as damaged, never dropped.
pub fn provide_conversations(store: WorkspaceStore) {
    let conversations =
        Conversations { opening: RwSignal::new_local(Opening::Opening), damaged: RwSignal::new_local(None) };
    provide_context(conversations);
    // Another tab reset the conversations: follow it to the new database.
    let reset_elsewhere = crate::storage::on_change_elsewhere(GENERATION_KEY, |_| {
        let _ = window().location().reload();
    });
    on_cleanup(move || reset_elsewhere.remove());
    let attempts = StoredValue::new(0_u64);
    let current = StoredValue::new_local(None::<Rc<BrowserBackend>>);
    Effect::new(move |_| {
        let workspace = store.with(Workspace::clone);
        let attempt = attempts.get_value() + 1;
        attempts.set_value(attempt);
        leptos::task::spawn_local(async move {
            let opened = BrowserBackend::open(workspace, SEED, &database_name()).await;
            if attempts.try_get_value() != Some(attempt) {
                // A newer workspace is being opened, or the app is gone.
                return;
            }
            match opened {
                Ok((browser, damaged)) => {
                    // The backend opened on the previous workspace hears no more.
                    if let Some(previous) = current.get_value() {
                        previous.stop_listening();
                    }
                    current.set_value(Some(Rc::clone(&browser)));
                    conversations.damaged.set(damaged.as_ref().map(damage_in_words));
                    let open = conversations.opening.with_untracked(|opening| match opening {
                        Opening::Open(backend) => Some(*backend),
                        _ => None,
                    });
                    let transport = Transport::Browser(Rc::clone(&browser));
                    let backend = match open {
                        // The pages keep their handle, and with it what they show (typed text,
                        // the folder, the focus): only the engine behind it is new.
                        Some(backend) => {
                            backend.transport.set_value(transport);
                            backend.changed();
                            backend
                        }
                        None => {
                            let backend = Backend::new(transport);
                            conversations.opening.set(Opening::Open(backend));
                            backend
                        }
                    };
                    listen_to_other_tabs(&browser, backend, conversations.damaged);
                }
                Err(error) => conversations.opening.set(Opening::Failed(error)),
            }
        });
    });
}

/// Saves what the browser holds of the conversations, exactly as stored, to a file the browser
/// downloads: offered before any reset when some of it could not be read.
pub async fn download_saved_conversations() -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let journal = indexed_db::IndexedDbJournal::open(&database_name()).await?;
    let mut text = String::new();
    if let Some((next, state)) = journal.snapshot().await? {
        text.push_str(&format!("snapshot before event {next}:\n{state}\n"));
    }
    for (number, event) in journal.events_from(0).await? {
        text.push_str(&format!("event {number}: {event}\n"));
    }
    let href = format!("data:text/plain;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&text)));
    let link = document().create_element("a").map_err(|_| "the page cannot make a link".to_owned())?;
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("download", "handoff-studio-conversations.txt");
    link.unchecked_into::<web_sys::HtmlElement>().click();
    Ok(())
}

/// The remote backend's socket, for the header: provided by `provide_remote` only.
#[derive(Clone, Copy)]
pub struct RemoteLink(pub RwSignal<remote::Link>);

/// The socket's state on the server; `None` on the simulated backend.
pub fn use_remote_link() -> Option<RwSignal<remote::Link>> {
    use_context::<RemoteLink>().map(|link| link.0)
}

/// Opens the remote backend (the app is served by the project's server, and someone is signed
/// in) on the server's workspace and provides it and its link; the pages say it is opening until
/// the socket brings the first view. `workspace_changed` runs when the server's workspace changes.
pub fn provide_remote(
    version: u64,
    workspace: Workspace,
    workspace_changed: impl Fn(u64, &Workspace) + 'static,
) -> RwSignal<remote::Link> {
    let conversations =
        Conversations { opening: RwSignal::new_local(Opening::Opening), damaged: RwSignal::new_local(None) };
    provide_context(conversations);
    let remote = RemoteBackend::new(version, workspace);
    let backend = Backend::new(Transport::Remote(Rc::clone(&remote)));
    remote.on_change(move || backend.changed());
    remote.on_workspace_change(workspace_changed);
    let link = remote.link();
    provide_context(RemoteLink(link));
    Effect::new(move |_| {
        let next =
            link.with(|link| conversations.opening.with_untracked(|opening| opening_after(link, opening, backend)));
        if let Some(next) = next {
            conversations.opening.set(next);
        }
    });
    leptos::task::spawn_local(remote.run());
    link
}

/// What the pages show of the conversations once the socket's link is `link`: open at the first
/// view; the server's refusal in its words when it refused the socket before one came (rather
/// than "Opening the conversations…" for ever); once open, the pages keep what they show and
/// the header says what became of the link.
fn opening_after(link: &remote::Link, opening: &Opening, backend: Backend) -> Option<Opening> {
    match (link, opening) {
        (_, Opening::Open(_)) => None,
        (remote::Link::Live, _) => Some(Opening::Open(backend)),
        (remote::Link::Refused(message), _) => Some(Opening::Refused(message.clone())),
        (remote::Link::Connecting | remote::Link::Reconnecting | remote::Link::SignedOut(_), _) => None,
    }
}

/// Provides a backend that is already open (benchmarks and tests).
pub fn provide_open(backend: Backend) {
    provide_context(Conversations {
        opening: RwSignal::new_local(Opening::Open(backend)),
        damaged: RwSignal::new_local(None),
    });
}

/// What the banner says of a record that could not be read: which, why, and what is shown.
fn damage_in_words(damaged: &Damaged) -> String {
    match damaged.at {
        Saved::Event(_) => format!("{damaged}. What came before it is shown here; nothing has been deleted."),
        Saved::Snapshot => format!("{damaged}. Nothing saved is shown; nothing has been deleted."),
    }
}

/// When another tab says it wrote, read what it wrote. A read that fails is left for the next
/// one (every send reads first); a record that cannot be read is said in the banner.
fn listen_to_other_tabs(browser: &BrowserBackend, backend: Backend, damaged: RwSignal<Option<String>, LocalStorage>) {
    browser.on_other_tabs_writing(move || {
        leptos::task::spawn_local(async move {
            if let Err(CatchUpError::Damaged(found)) = backend.refresh().await {
                damaged.set(Some(damage_in_words(&found)));
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use remote::Link;

    #[test]
    fn a_socket_refused_before_its_first_view_is_said_instead_of_opening_for_ever() {
        let owner = Owner::new();
        owner.with(|| {
            let backend = Backend::in_memory(Engine::new(handoff::starter_workspace(), 1));
            let refused = Link::Refused("This socket opens only from the app's own pages.".to_owned());
            match opening_after(&refused, &Opening::Opening, backend) {
                Some(Opening::Refused(message)) => {
                    assert_eq!(message, "This socket opens only from the app's own pages.")
                }
                _ => panic!("the refusal is said"),
            }
            assert!(matches!(opening_after(&Link::Live, &Opening::Opening, backend), Some(Opening::Open(_))));
            // A refusal after a reconnect that follows a refusal's page: the first view opens it.
            let said = Opening::Refused("no".to_owned());
            assert!(matches!(opening_after(&Link::Live, &said, backend), Some(Opening::Open(_))));
            for waiting in [Link::Connecting, Link::Reconnecting] {
                assert!(opening_after(&waiting, &Opening::Opening, backend).is_none(), "{waiting:?}: still opening");
            }
            // Once open, the pages keep what they show; the header says the link.
            assert!(opening_after(&refused, &Opening::Open(backend), backend).is_none());
        });
    }
}
