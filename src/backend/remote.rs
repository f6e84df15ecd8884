//! The remote backend: the project's server, for a signed-in live agent or admin, or for the
//! customer of one chat (the preview's widget, through the customers' endpoints and the chat's
//! token, as a widget on a customer's site would reach the server).
//!
//! What happens comes over one WebSocket (`/api/socket` per tab for staff, and
//! `/api/chats/{chat}/socket` per customer) into a replica of what this viewer may see
//! (`handoff::viewer::Replica`), which the pages read exactly as they read the simulated
//! engine. A dropped socket is opened again, saying where the replica stands
//! (`Hello { since, journal, workspace }`, a `Mark` the server's frames told): the server
//! answers `UpToDate` when nothing was missed in that very journal, or a whole view, so nothing
//! is missed and nothing applied twice. What each frame does to the replica is `Tracking`'s,
//! plain Rust tested natively; `RemoteBackend` carries out what it says (the link, the pages,
//! the workspace store).
//!
//! Commands go by HTTP (`POST /api/commands`, a customer's `POST /api/chats/{chat}/commands`)
//! with an idempotency key made once per command: a command sent while the server cannot be
//! reached is sent again with the same key until it is (for `RETRY_FOR`), so it is applied
//! once, or refused in words. A command's answer gives its events' numbers, and `send` returns
//! once the socket has brought them, so the page shows what the command did as soon as it says
//! it is done.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::future::{Either, select};
use handoff::viewer::{Replica, View};
use handoff::{ChatId, Command, Engine, Workspace};
use handoff_wire::{ClientFrame, CustomerAction, CustomerCommand, Mark, Outcome, ServerFrame, StaffCommand};
use leptos::prelude::*;

use crate::remote::{self, RemoteError};

/// How long a command is sent again while the server cannot be reached.
const RETRY_FOR: Duration = Duration::from_secs(30);
/// How long `send` waits for the socket to bring a command's events before it returns anyway.
const FOLLOW_FOR: Duration = Duration::from_secs(5);

/// What the page says when the session ended while the socket was closed.
const SESSION_ENDED: &str = "Your session has ended: sign in again.";

/// The socket, as the header says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Opening, before the first view.
    Connecting,
    Live,
    /// Dropped; opened again after a pause.
    Reconnecting,
    /// The session ended: the page asks to sign in again.
    SignedOut(String),
    /// The server refused the socket (a fault of ours); said, and not tried again.
    Refused(String),
}

/// What runs when the server's workspace changes: its version and the workspace.
type WorkspaceChanged = Box<dyn Fn(u64, &Workspace)>;

/// The replica as the socket's frames make it, and where it stands: no IO and no signals, so
/// that every frame's effect is tested natively.
pub struct Tracking {
    replica: Replica,
    /// Where the replica stands, once a view came; `None` asks for a whole view.
    at: Option<Mark>,
    /// The workspace the next view is built on, and its version (the server's newest, as far as
    /// its frames said); no version for a customer, whose socket sends no workspace: the page's
    /// is used, and the version the server's marks name is said back.
    workspace: (Option<u64>, Workspace),
}

/// What a frame asks of the page around the tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Taken: `changed` when the pages may show something new, `live` when the replica is now
    /// current (a view, or `UpToDate`).
    Keep { changed: bool, live: bool },
    /// The server's workspace changed (`Tracking::workspace`): the store adopts it.
    Adopt { version: u64 },
    /// The replica cannot follow (changes out of step, another journal): open the socket again
    /// for a whole view.
    Reconnect,
    /// Stop, and say this.
    Stop(Link),
}

impl Tracking {
    /// Holds nothing until a view comes, on `workspace` at `version`.
    pub fn new(version: Option<u64>, workspace: Workspace) -> Tracking {
        let empty = View { chats: Vec::new(), agents: Vec::new(), assignment: None, places: Vec::new() };
        Tracking { replica: Replica::new(workspace.clone(), empty), at: None, workspace: (version, workspace) }
    }

    pub fn engine(&self) -> &Engine {
        self.replica.engine()
    }

    /// The workspace in force, as the server last said it.
    pub fn workspace(&self) -> &(Option<u64>, Workspace) {
        &self.workspace
    }

    /// The journal position the replica holds every event before, once a view came.
    pub fn position(&self) -> Option<u64> {
        self.at.map(|at| at.position)
    }

    /// What the socket says first: where the replica stands, so that the server answers
    /// `UpToDate` when nothing was missed. A replica still on an older workspace than the one
    /// held (its new view had not come) names no position, and is sent a whole view. `token` is
    /// a customer's chat token.
    pub fn hello(&self, token: Option<String>) -> ClientFrame {
        let (at, workspace) = match self.workspace.0 {
            Some(version) => (self.at.filter(|at| at.workspace == version), Some(version)),
            None => (self.at, self.at.map(|at| at.workspace)),
        };
        ClientFrame::Hello { since: at.map(|at| at.position), journal: at.map(|at| at.journal), workspace, token }
    }

    /// A frame that cannot be read: the next socket asks for a whole view.
    pub fn unreadable(&mut self) {
        self.at = None;
    }

    /// Carries out one frame of the server's.
    pub fn take(&mut self, frame: ServerFrame) -> Step {
        // Changes and `UpToDate` follow a view of the same journal; anything else is out of step.
        let follows = |held: Option<Mark>, at: Mark| held.is_some_and(|held| held.journal == at.journal);
        match frame {
            ServerFrame::View { at, view } => {
                self.replica = Replica::new(self.workspace.1.clone(), view);
                self.at = Some(at);
                Step::Keep { changed: true, live: true }
            }
            ServerFrame::Changes { at, changes } => {
                if !follows(self.at, at) || self.replica.apply(&changes).is_err() {
                    self.at = None;
                    return Step::Reconnect;
                }
                self.at = Some(at);
                Step::Keep { changed: true, live: false }
            }
            ServerFrame::UpToDate { at } => {
                if !follows(self.at, at) {
                    self.at = None;
                    return Step::Reconnect;
                }
                self.at = Some(at);
                Step::Keep { changed: false, live: true }
            }
            ServerFrame::Workspace { version, document } => match handoff::load_workspace(&document) {
                Ok(workspace) => {
                    self.workspace = (Some(version), workspace);
                    Step::Adopt { version }
                }
                Err(error) => Step::Stop(Link::Refused(format!("The server's workspace cannot be read: {error}"))),
            },
            ServerFrame::SignedOut { message } => Step::Stop(Link::SignedOut(message)),
            ServerFrame::Refused { message } => Step::Stop(Link::Refused(message)),
        }
    }
}

/// Whose socket and commands these are.
enum Caller {
    /// The signed-in person (the session cookie).
    Staff,
    /// The customer of `chat`, who holds its token.
    Customer { chat: ChatId, token: String },
}

pub struct RemoteBackend {
    caller: Caller,
    tracking: RefCell<Tracking>,
    link: RwSignal<Link>,
    /// Runs after every change the pages may show.
    changed: RefCell<Box<dyn Fn()>>,
    /// Runs when the server's workspace changes (the store adopts it).
    workspace_changed: RefCell<WorkspaceChanged>,
    /// Dropped (or used) by `stop`: the socket open now closes, and none opens again.
    hang_up: RefCell<Option<futures::channel::oneshot::Sender<()>>>,
    stopped: Cell<bool>,
}

impl RemoteBackend {
    /// A backend on `workspace` (as `GET /api/workspace` gave it) that holds nothing until its
    /// socket brings the first view; `run` keeps the socket.
    pub fn new(version: u64, workspace: Workspace) -> Rc<RemoteBackend> {
        RemoteBackend::for_caller(Caller::Staff, Some(version), workspace)
    }

    /// The customer of `chat`, who holds its `token`: a replica of the chat as the widget shows
    /// it, on `workspace` (the page's: a customer's socket sends none).
    pub fn customer(chat: ChatId, token: String, workspace: Workspace) -> Rc<RemoteBackend> {
        RemoteBackend::for_caller(Caller::Customer { chat, token }, None, workspace)
    }

    fn for_caller(caller: Caller, version: Option<u64>, workspace: Workspace) -> Rc<RemoteBackend> {
        Rc::new(RemoteBackend {
            caller,
            tracking: RefCell::new(Tracking::new(version, workspace)),
            link: RwSignal::new(Link::Connecting),
            changed: RefCell::new(Box::new(|| {})),
            workspace_changed: RefCell::new(Box::new(|_, _| {})),
            hang_up: RefCell::new(None),
            stopped: Cell::new(false),
        })
    }

    /// Closes the socket for good: the page that showed this backend is gone.
    pub fn stop(&self) {
        self.stopped.set(true);
        self.hang_up.borrow_mut().take();
    }

    pub fn link(&self) -> RwSignal<Link> {
        self.link
    }

    pub fn on_change(&self, changed: impl Fn() + 'static) {
        *self.changed.borrow_mut() = Box::new(changed);
    }

    pub fn on_workspace_change(&self, changed: impl Fn(u64, &Workspace) + 'static) {
        *self.workspace_changed.borrow_mut() = Box::new(changed);
    }

    pub fn with_engine<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        read(self.tracking.borrow().engine())
    }

    /// Keeps the socket open for as long as the tab lives (or the session does).
    pub async fn run(self: Rc<Self>) {
        let mut pause = Duration::from_millis(500);
        loop {
            match self.connect().await {
                Ended::Stop => return,
                Ended::Dropped { heard: true } => pause = Duration::from_millis(500),
                // Refused before a frame came: the server is down, or the session ended, which
                // the socket cannot say (its upgrade is refused with 401).
                Ended::Dropped { heard: false } => {
                    if matches!(self.caller, Caller::Staff)
                        && remote::me().await.as_ref().is_err_and(RemoteError::is_signed_out)
                    {
                        self.link.try_set(Link::SignedOut(SESSION_ENDED.to_owned()));
                        return;
                    }
                }
            }
            // The page that held this backend is gone (signed out, or another person's): stop.
            if self.stopped.get() || self.link.try_set(Link::Reconnecting).is_some() {
                return;
            }
            gloo_timers::future::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    async fn connect(&self) -> Ended {
        let (chat, token) = match &self.caller {
            Caller::Staff => (None, None),
            Caller::Customer { chat, token } => (Some(*chat), Some(token.clone())),
        };
        let hello = self.tracking.borrow().hello(token);
        let Some(mut socket) = remote::Socket::open(chat, &hello).await else { return Ended::Dropped { heard: false } };
        let (hang_up, mut hung_up) = futures::channel::oneshot::channel();
        *self.hang_up.borrow_mut() = Some(hang_up);
        // Stopped while the socket was opening: it closes as it is dropped.
        if self.stopped.get() {
            return Ended::Stop;
        }
        let mut heard = false;
        loop {
            let frame = match select(std::pin::pin!(socket.next_frame()), &mut hung_up).await {
                Either::Left((Some(frame), _)) => frame,
                Either::Left((None, _)) => break,
                Either::Right(_) => return Ended::Stop,
            };
            heard = true;
            match frame {
                Ok(frame) => match self.take(frame) {
                    Taken::Keep => {}
                    Taken::Reconnect => break,
                    Taken::Stop => return Ended::Stop,
                },
                // A frame we cannot read: start again from a whole view.
                Err(_) => {
                    self.tracking.borrow_mut().unreadable();
                    break;
                }
            }
        }
        Ended::Dropped { heard }
    }

    fn take(&self, frame: ServerFrame) -> Taken {
        // The tracking is let go before anything runs that may read it.
        let step = self.tracking.borrow_mut().take(frame);
        match step {
            Step::Keep { changed, live } => {
                if live {
                    self.link.try_set(Link::Live);
                }
                if changed {
                    (self.changed.borrow())();
                }
            }
            Step::Adopt { version } => {
                let workspace = self.tracking.borrow().workspace().1.clone();
                (self.workspace_changed.borrow())(version, &workspace);
            }
            Step::Reconnect => return Taken::Reconnect,
            Step::Stop(link) => {
                self.link.try_set(link);
                return Taken::Stop;
            }
        }
        Taken::Keep
    }

    /// Sends `command` once (one idempotency key, sent again while the server cannot be
    /// reached), then waits for the socket to bring what it did. A refusal in words.
    pub async fn send(&self, command: Command) -> Result<(), String> {
        let key = new_key();
        let body = match &self.caller {
            Caller::Staff => Body::Staff(StaffCommand { key, command }),
            Caller::Customer { chat, token } => {
                Body::Customer(*chat, token, CustomerCommand { key, action: customer_action(*chat, command)? })
            }
        };
        let started = js_sys::Date::now();
        let mut pause = Duration::from_millis(250);
        let answer = loop {
            let answer = match &body {
                Body::Staff(staff) => remote::command(staff).await,
                Body::Customer(chat, token, customer) => remote::customer_command(*chat, token, customer).await,
            };
            if !remote::worth_sending_again(&answer) || js_sys::Date::now() - started > RETRY_FOR.as_millis() as f64 {
                break answer;
            }
            gloo_timers::future::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        };
        match answer {
            Ok(Outcome::Accepted { first, count }) => {
                self.follow(first + count).await;
                Ok(())
            }
            Ok(Outcome::Refused { message, .. }) => Err(message),
            Err(RemoteError::Unreachable) => Err("The server cannot be reached, so this was not done: check the \
                                                  connection, then try again."
                .to_owned()),
            Err(error) => {
                if error.is_signed_out() {
                    self.link.try_set(Link::SignedOut(SESSION_ENDED.to_owned()));
                }
                Err(error.to_string())
            }
        }
    }

    /// Waits until the replica holds every event before `position` (or `FOLLOW_FOR` passed).
    async fn follow(&self, position: u64) {
        let started = js_sys::Date::now();
        while self.tracking.borrow().position().is_none_or(|held| held < position)
            && js_sys::Date::now() - started < FOLLOW_FOR.as_millis() as f64
        {
            gloo_timers::future::sleep(Duration::from_millis(20)).await;
        }
    }
}

enum Taken {
    Keep,
    Reconnect,
    Stop,
}

enum Ended {
    /// The socket dropped; `heard` when a frame came before it did.
    Dropped {
        heard: bool,
    },
    Stop,
}

/// A command as its endpoint takes it: the staff's, or a customer's in their chat with its token.
enum Body<'a> {
    Staff(StaffCommand),
    Customer(ChatId, &'a str, CustomerCommand),
}

/// What the customer of `own` may do, as the customers' endpoint takes it.
fn customer_action(own: ChatId, command: Command) -> Result<CustomerAction, String> {
    match command {
        Command::CustomerMessage { chat, text } if chat == own => Ok(CustomerAction::Message { text }),
        Command::GiveFeedback { chat, rating, comment } if chat == own => {
            Ok(CustomerAction::Feedback { rating, comment })
        }
        _ => Err("A customer can only write and rate in their own chat.".to_owned()),
    }
}

/// A new idempotency key: a random UUID from the browser.
fn new_key() -> String {
    match window().crypto() {
        Ok(crypto) => crypto.random_uuid(),
        // Crypto is in every browser the app runs in; a time and a random number otherwise.
        Err(_) => format!("{}-{}", js_sys::Date::now(), js_sys::Math::random()),
    }
}

#[cfg(test)]
mod tests {
    use handoff::viewer::{self, Seen, Viewer};
    use handoff::{AgentId, ChatId, Language, Timestamp};
    use handoff_wire::JournalId;

    use super::*;

    const JOURNAL: JournalId = JournalId(0x5eed);
    const ADMIN: Viewer = Viewer::Staff { agent: AgentId(1) };

    /// The server's side: its engine, what one viewer was told, and where it stands.
    struct Server {
        engine: Engine,
        seen: Seen,
        position: u64,
        version: u64,
    }

    impl Server {
        fn new() -> Server {
            let engine = Engine::new(handoff::starter_workspace(), 7);
            let (_, seen) = viewer::view(&engine, ADMIN);
            Server { engine, seen, position: 0, version: 1 }
        }

        fn at(&self) -> Mark {
            Mark { journal: JOURNAL, position: self.position, workspace: self.version }
        }

        fn view(&mut self) -> ServerFrame {
            let (view, seen) = viewer::view(&self.engine, ADMIN);
            self.seen = seen;
            ServerFrame::View { at: self.at(), view }
        }

        /// Runs `command` and tells the admin what changed.
        fn changes(&mut self, command: Command) -> ServerFrame {
            let events = self.engine.handle(Timestamp(self.position), command).expect("accepted");
            self.position += events.len() as u64;
            let changes = viewer::changes(&self.engine, ADMIN, &mut self.seen, &events);
            ServerFrame::Changes { at: self.at(), changes }
        }
    }

    fn tracking() -> Tracking {
        Tracking::new(Some(1), handoff::starter_workspace())
    }

    fn signed_in(tracking: &Tracking, agent: u32) -> bool {
        tracking.engine().agent(AgentId(agent)).is_some_and(|state| state.status.is_signed_in())
    }

    #[test]
    fn a_view_then_changes_build_the_replica_and_the_next_hello_says_where_it_stands() {
        let mut server = Server::new();
        let mut tracking = tracking();
        // A new tab names no position: the server sends everything.
        let ClientFrame::Hello { since, journal, workspace, .. } = tracking.hello(None);
        assert_eq!((since, journal, workspace), (None, None, Some(1)));

        assert_eq!(tracking.take(server.view()), Step::Keep { changed: true, live: true });
        assert!(!signed_in(&tracking, 2));
        let told = server.changes(Command::SignIn { agent: AgentId(2) });
        assert_eq!(tracking.take(told), Step::Keep { changed: true, live: false });
        assert!(signed_in(&tracking, 2), "the change is in the replica");
        assert_eq!(tracking.position(), Some(server.position));
        let ClientFrame::Hello { since, journal, workspace, .. } = tracking.hello(None);
        assert_eq!((since, journal, workspace), (Some(server.position), Some(JOURNAL), Some(1)));
    }

    #[test]
    fn up_to_date_moves_the_position_on_and_says_the_replica_is_current() {
        let mut server = Server::new();
        let mut tracking = tracking();
        tracking.take(server.view());
        let at = Mark { position: 40, ..server.at() };
        assert_eq!(tracking.take(ServerFrame::UpToDate { at }), Step::Keep { changed: false, live: true });
        assert_eq!(tracking.position(), Some(40));
        // An `UpToDate` of another journal (another server answered the reconnect) is not ours.
        let elsewhere = Mark { journal: JournalId(9), ..at };
        assert_eq!(tracking.take(ServerFrame::UpToDate { at: elsewhere }), Step::Reconnect);
        assert_eq!(tracking.position(), None, "the next socket asks for a whole view");
    }

    #[test]
    fn changes_out_of_step_ask_for_a_whole_view_again() {
        let mut server = Server::new();
        let mut tracking = tracking();
        tracking.take(server.view());
        // The lines of a chat the replica never held (a batch lost on the way).
        let chat = ChatId(1);
        let mut customer = viewer::view(&server.engine, Viewer::Customer { chat }).1;
        let started = server.engine.handle(Timestamp(1), Command::StartChat { chat, language: Language::new("en") });
        let started = started.expect("started");
        let _ = viewer::changes(&server.engine, Viewer::Customer { chat }, &mut customer, &started);
        let said = server.engine.handle(Timestamp(2), Command::CustomerMessage { chat, text: "hello".to_owned() });
        let said = said.expect("said");
        let lines = viewer::changes(&server.engine, Viewer::Customer { chat }, &mut customer, &said);
        let at = Mark { position: 9, ..server.at() };
        assert_eq!(tracking.take(ServerFrame::Changes { at, changes: lines }), Step::Reconnect);
        let ClientFrame::Hello { since, .. } = tracking.hello(None);
        assert_eq!(since, None, "a whole view is asked for");
        // Changes of another journal do not follow either.
        tracking.take(server.view());
        let elsewhere = Mark { journal: JournalId(9), ..server.at() };
        assert_eq!(tracking.take(ServerFrame::Changes { at: elsewhere, changes: Vec::new() }), Step::Reconnect);
        // A frame that cannot be read likewise.
        tracking.take(server.view());
        tracking.unreadable();
        assert_eq!(tracking.position(), None);
    }

    #[test]
    fn a_new_workspace_is_adopted_and_the_view_after_it_is_built_on_it() {
        let mut server = Server::new();
        let mut tracking = tracking();
        tracking.take(server.view());
        let mut renamed = handoff::starter_workspace();
        renamed.teamspace.name = "Acme Help".to_owned();
        let document = handoff::workspace_to_json(&renamed);
        assert_eq!(tracking.take(ServerFrame::Workspace { version: 2, document }), Step::Adopt { version: 2 });
        assert_eq!(tracking.workspace().0, Some(2));
        // Until its view comes, the replica is the old workspace's: a reconnect names no position.
        let ClientFrame::Hello { since, workspace, .. } = tracking.hello(None);
        assert_eq!((since, workspace), (None, Some(2)));
        server.version = 2;
        tracking.take(server.view());
        assert_eq!(tracking.engine().workspace().teamspace.name, "Acme Help");
        let ClientFrame::Hello { since, workspace, .. } = tracking.hello(None);
        assert_eq!((since, workspace), (Some(server.position), Some(2)));

        let unreadable = ServerFrame::Workspace { version: 3, document: "{".to_owned() };
        assert!(
            matches!(tracking.take(unreadable), Step::Stop(Link::Refused(words)) if words.contains("cannot be read"))
        );
    }

    #[test]
    fn signed_out_and_refused_stop_the_socket_in_the_servers_words() {
        let mut tracking = tracking();
        let out = ServerFrame::SignedOut { message: "You were signed out: sign in again.".to_owned() };
        assert_eq!(tracking.take(out), Step::Stop(Link::SignedOut("You were signed out: sign in again.".to_owned())));
        let refused = ServerFrame::Refused { message: "The first frame must be a Hello.".to_owned() };
        assert_eq!(tracking.take(refused), Step::Stop(Link::Refused("The first frame must be a Hello.".to_owned())));
    }

    #[test]
    fn a_customer_sends_only_messages_and_ratings_in_their_own_chat() {
        let own = ChatId(4);
        assert_eq!(
            customer_action(own, Command::CustomerMessage { chat: own, text: "Bonjour".to_owned() }),
            Ok(CustomerAction::Message { text: "Bonjour".to_owned() })
        );
        assert_eq!(
            customer_action(own, Command::GiveFeedback { chat: own, rating: 4, comment: None }),
            Ok(CustomerAction::Feedback { rating: 4, comment: None })
        );
        let elsewhere = Command::CustomerMessage { chat: ChatId(5), text: "Bonjour".to_owned() };
        assert!(customer_action(own, elsewhere).is_err());
        assert!(customer_action(own, Command::SignIn { agent: handoff::AgentId(1) }).is_err());
    }

    #[test]
    fn a_customers_hello_carries_the_token_and_says_back_the_mark_the_server_told() {
        let mut server = Server::new();
        // A customer's socket sends no workspace: the tracking holds no version of its own.
        let mut tracking = Tracking::new(None, handoff::starter_workspace());
        let ClientFrame::Hello { since, workspace, token, .. } = tracking.hello(Some("secret".to_owned()));
        assert_eq!((since, workspace, token.as_deref()), (None, None, Some("secret")));
        tracking.take(server.view());
        let ClientFrame::Hello { since, journal, workspace, .. } = tracking.hello(None);
        assert_eq!((since, journal, workspace), (Some(server.position), Some(JOURNAL), Some(1)));
    }
}
