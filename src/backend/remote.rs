//! The remote backend: the project's server, for a signed-in live agent or admin, or for the
//! customer of one chat (the preview's widget, through the customers' endpoints and the chat's
//! token, as a widget on a customer's site would reach the server).
//!
//! What happens comes over one WebSocket (`/api/socket` per tab for staff, and
//! `/api/chats/{chat}/socket` per customer) into a replica of what this viewer may see
//! (`handoff::viewer::Replica`), which the pages read exactly as they read the simulated
//! engine. A dropped socket is opened again, saying the position it holds
//! (`Hello { since }`): the server answers `UpToDate` when nothing was missed, or a whole view,
//! so nothing is missed and nothing applied twice.
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
use handoff_wire::{ClientFrame, CustomerAction, CustomerCommand, Outcome, ServerFrame, StaffCommand};
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

/// Whose socket and commands these are.
enum Caller {
    /// The signed-in person (the session cookie).
    Staff,
    /// The customer of `chat`, who holds its token.
    Customer { chat: ChatId, token: String },
}

pub struct RemoteBackend {
    caller: Caller,
    replica: RefCell<Replica>,
    /// The position of the last frame applied, once a view came.
    position: Cell<Option<u64>>,
    /// The workspace the replica is built on, and its version.
    workspace: RefCell<(Option<u64>, Workspace)>,
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
        let empty = View { chats: Vec::new(), agents: Vec::new(), assignment: None, places: Vec::new() };
        Rc::new(RemoteBackend {
            caller,
            replica: RefCell::new(Replica::new(workspace.clone(), empty)),
            position: Cell::new(None),
            workspace: RefCell::new((version, workspace)),
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
        read(self.replica.borrow().engine())
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
        let hello = ClientFrame::Hello { since: self.position.get(), workspace: self.workspace.borrow().0, token };
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
                    self.position.set(None);
                    break;
                }
            }
        }
        Ended::Dropped { heard }
    }

    fn take(&self, frame: ServerFrame) -> Taken {
        match frame {
            ServerFrame::View { position, view } => {
                let workspace = self.workspace.borrow().1.clone();
                *self.replica.borrow_mut() = Replica::new(workspace, view);
                self.position.set(Some(position));
                self.link.try_set(Link::Live);
                (self.changed.borrow())();
            }
            ServerFrame::Changes { position, changes } => {
                if self.replica.borrow_mut().apply(&changes).is_err() {
                    // Out of step: a whole view again.
                    self.position.set(None);
                    return Taken::Reconnect;
                }
                self.position.set(Some(position));
                (self.changed.borrow())();
            }
            ServerFrame::UpToDate { position } => {
                self.position.set(Some(position));
                self.link.try_set(Link::Live);
            }
            ServerFrame::Workspace { version, document } => match handoff::load_workspace(&document) {
                Ok(workspace) => {
                    (self.workspace_changed.borrow())(version, &workspace);
                    *self.workspace.borrow_mut() = (Some(version), workspace);
                }
                Err(error) => {
                    self.link.try_set(Link::Refused(format!("The server's workspace cannot be read: {error}")));
                    return Taken::Stop;
                }
            },
            ServerFrame::SignedOut { message } => {
                self.link.try_set(Link::SignedOut(message));
                return Taken::Stop;
            }
            ServerFrame::Refused { message } => {
                self.link.try_set(Link::Refused(message));
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
        while self.position.get().is_none_or(|held| held < position)
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
    use super::*;

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
}
