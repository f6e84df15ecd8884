//! The one module of the app that touches the network: typed calls over the server's HTTP API
//! (`crates/handoff-server`, its bodies the types of `handoff-wire`), made with gloo-net's
//! `fetch`, the WebSockets (`Socket`: the staff's, and a customer's of one chat), and the
//! start-up question of whether the page is on that server at all.
//!
//! Every call goes to the page's own origin, so the browser sends the session cookie and the
//! `Origin` header the server checks. An answer is read in one place (`read_answer`): a success
//! as its typed body, an error as the server's `ErrorBody.message`, no answer as "The server
//! cannot be reached…"; those rules are plain functions, tested natively.

use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use gloo_net::http::Request;
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use handoff::{AgentId, ChatId};
use handoff_wire::{
    ChatStarted, ClientFrame, CustomerCommand, ErrorBody, FrameError, Me, Outcome, PutWorkspace, ServerFrame,
    SetPassword, Setup, SetupState, SignIn, StaffCommand, StartChat, VersionedWorkspace, WorkspaceConflict,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call to the server did not give what was asked, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteError {
    /// No answer came: the network is down, or the server is.
    Unreachable,
    /// The server said no, and why (its `ErrorBody.message`).
    Refused { status: u16, message: String },
    /// An answer that is not the API's: a proxy's error page, a body of the wrong shape.
    Unexpected { status: u16 },
}

impl RemoteError {
    /// The answer was "Sign in first.": the session ended (expired, or signed out elsewhere).
    pub fn is_signed_out(&self) -> bool {
        matches!(self, RemoteError::Refused { status: 401, .. })
    }
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RemoteError::Unreachable => {
                formatter.write_str("The server cannot be reached: check the connection, then try again.")
            }
            RemoteError::Refused { message, .. } => formatter.write_str(message),
            RemoteError::Unexpected { status } => {
                write!(
                    formatter,
                    "The server gave an answer this page cannot read (HTTP {status}); nothing was changed here."
                )
            }
        }
    }
}

/// What the page is on, as the start-up question found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// No Handoff Studio server answered on the page's origin (a static host, or none at all):
    /// the app runs on the simulated backend, in this browser.
    Simulated,
    Server(ServerStart),
}

/// The server, as the app finds it when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStart {
    /// Nobody has a password yet: the first admin is still to be created.
    pub setup_open: bool,
    /// Who this browser's session cookie signs in, if anyone.
    pub me: Option<Me>,
}

/// An answer's status and body, whatever the call: read by `read_answer`.
struct Answer {
    status: u16,
    body: String,
}

/// Reads a JSON answer to a call: a success is its body as `T`; an error is the server's words.
fn read_answer<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, RemoteError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(body).map_err(|_| RemoteError::Unexpected { status });
    }
    Err(refusal(status, body))
}

/// Reads an answer that has no body when it succeeds (204).
fn read_empty(status: u16, body: &str) -> Result<(), RemoteError> {
    match status {
        200..300 => Ok(()),
        _ => Err(refusal(status, body)),
    }
}

fn refusal(status: u16, body: &str) -> RemoteError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { message }) => RemoteError::Refused { status, message },
        Err(_) => RemoteError::Unexpected { status },
    }
}

/// Why a workspace was not saved.
#[derive(Debug, Clone, PartialEq)]
pub enum PutRefused {
    /// Another edit was saved first (409): the newer version and its workspace.
    Conflict(WorkspaceConflict),
    Failed(RemoteError),
}

fn read_put(status: u16, body: &str) -> Result<VersionedWorkspace, PutRefused> {
    match status {
        409 => match serde_json::from_str::<WorkspaceConflict>(body) {
            Ok(conflict) => Err(PutRefused::Conflict(conflict)),
            Err(_) => Err(PutRefused::Failed(refusal(status, body))),
        },
        _ => read_answer(status, body).map_err(PutRefused::Failed),
    }
}

/// Reads the answer to a command: the outcome the server stored under its key, accepted or
/// refused by the engine, whatever the status (a refusal comes with 403, 404, 409 or 422);
/// any other error in the server's words.
fn read_outcome(status: u16, body: &str) -> Result<Outcome, RemoteError> {
    match serde_json::from_str::<Outcome>(body) {
        Ok(outcome) => Ok(outcome),
        Err(_) => Err(refusal(status, body)),
    }
}

/// Whether a command whose answer was `answer` is worth sending again with the same key: no
/// answer came, or the server could not store it just now (503), or a proxy in front of it
/// had no server to pass it to (502, 504). The key makes a second arrival apply nothing again.
pub fn worth_sending_again(answer: &Result<Outcome, RemoteError>) -> bool {
    match answer {
        Err(RemoteError::Unreachable) => true,
        Err(RemoteError::Refused { status, .. } | RemoteError::Unexpected { status }) => {
            matches!(status, 502..=504)
        }
        Ok(_) => false,
    }
}

/// Sends a request built by gloo-net and reads its whole answer; no answer is `Unreachable`.
async fn send(request: Result<Request, gloo_net::Error>) -> Result<Answer, RemoteError> {
    // A request that cannot even be built (the browser refused its address or body) reached
    // nobody either.
    let response = request.map_err(|_| RemoteError::Unreachable)?.send().await.map_err(|_| RemoteError::Unreachable)?;
    let status = response.status();
    let body = response.text().await.map_err(|_| RemoteError::Unreachable)?;
    Ok(Answer { status, body })
}

async fn get(path: &str) -> Result<Answer, RemoteError> {
    send(Request::get(path).build()).await
}

async fn delete(path: &str) -> Result<Answer, RemoteError> {
    send(Request::delete(path).build()).await
}

async fn post<T: Serialize>(path: &str, body: &T) -> Result<Answer, RemoteError> {
    send(Request::post(path).json(body)).await
}

async fn put<T: Serialize>(path: &str, body: &T) -> Result<Answer, RemoteError> {
    send(Request::put(path).json(body)).await
}

/// Asks the page's own origin whether it is a Handoff Studio server, and if so whether it is
/// set up and who this browser is signed in as. Anything but the server's own answer to
/// `GET /api/setup` means the simulated backend, exactly as on a static host: no answer, a 404
/// page, or the app's own `index.html`, which a single-page host gives for any path that is no
/// file.
pub async fn detect() -> Detected {
    let Ok(setup) = setup_state().await else { return Detected::Simulated };
    // A server that is still to be set up has nobody to be signed in as.
    let me = match setup.open {
        true => None,
        false => me().await.ok(),
    };
    Detected::Server(ServerStart { setup_open: setup.open, me })
}

/// `GET /api/setup`: whether the first admin may still be created.
pub async fn setup_state() -> Result<SetupState, RemoteError> {
    let answer = get("/api/setup").await?;
    read_answer(answer.status, &answer.body)
}

/// `POST /api/setup`: creates the first admin and signs them in.
pub async fn set_up(setup: &Setup) -> Result<Me, RemoteError> {
    let answer = post("/api/setup", setup).await?;
    read_answer(answer.status, &answer.body)
}

/// `POST /api/session`: signs in with a name and a password.
pub async fn sign_in(sign_in: &SignIn) -> Result<Me, RemoteError> {
    let answer = post("/api/session", sign_in).await?;
    read_answer(answer.status, &answer.body)
}

/// `GET /api/session`: who this browser's session belongs to; "Sign in first." without one.
pub async fn me() -> Result<Me, RemoteError> {
    let answer = get("/api/session").await?;
    read_answer(answer.status, &answer.body)
}

/// `DELETE /api/session`: ends this browser's session.
pub async fn sign_out() -> Result<(), RemoteError> {
    let answer = delete("/api/session").await?;
    read_empty(answer.status, &answer.body)
}

/// `DELETE /api/sessions`: ends every session of the signed-in person, in every browser.
pub async fn sign_out_everywhere() -> Result<(), RemoteError> {
    let answer = delete("/api/sessions").await?;
    read_empty(answer.status, &answer.body)
}

/// `PUT /api/agents/{id}/password`: an admin sets or resets a live agent's password.
pub async fn set_password(agent: AgentId, password: &SetPassword) -> Result<(), RemoteError> {
    let answer = put(&format!("/api/agents/{}/password", agent.0), password).await?;
    read_empty(answer.status, &answer.body)
}

/// `GET /api/workspace`: the workspace and its version.
pub async fn workspace() -> Result<VersionedWorkspace, RemoteError> {
    let answer = get("/api/workspace").await?;
    read_answer(answer.status, &answer.body)
}

/// `PUT /api/workspace`: saves the workspace edited from `edit.version`; refused with the newer
/// version when another edit was saved since.
pub async fn put_workspace(edit: &PutWorkspace) -> Result<VersionedWorkspace, PutRefused> {
    let answer = put("/api/workspace", edit).await.map_err(PutRefused::Failed)?;
    read_put(answer.status, &answer.body)
}

/// `POST /api/commands`: a staff command under its idempotency key.
pub async fn command(command: &StaffCommand) -> Result<Outcome, RemoteError> {
    let answer = post("/api/commands", command).await?;
    read_outcome(answer.status, &answer.body)
}

/// `POST /api/chats`: a customer starts a chat; its number and the token that alone acts in it.
pub async fn start_chat(start: &StartChat) -> Result<ChatStarted, RemoteError> {
    let answer = post("/api/chats", start).await?;
    read_answer(answer.status, &answer.body)
}

/// `POST /api/chats/{chat}/commands`: a customer's message or rating in their chat, with the
/// chat's token, under its idempotency key.
pub async fn customer_command(chat: ChatId, token: &str, command: &CustomerCommand) -> Result<Outcome, RemoteError> {
    let request = Request::post(&format!("/api/chats/{}/commands", chat.0))
        .header("Authorization", &format!("Bearer {token}"))
        .json(command);
    let answer = send(request).await?;
    read_outcome(answer.status, &answer.body)
}

/// A WebSocket on the page's own origin, its `Hello` said: the staff's (`GET /api/socket`), or
/// with `chat` a customer's of that chat (`GET /api/chats/{chat}/socket`, the token in the
/// `Hello`); the server's frames, one at a time. Dropping it closes it.
pub struct Socket {
    // Kept, though nothing more is written: the socket closes once both halves are dropped.
    _write: SplitSink<WebSocket, Message>,
    read: SplitStream<WebSocket>,
}

impl Socket {
    /// Opens the socket and says `hello`; `None` when it cannot be opened or written to.
    pub async fn open(chat: Option<ChatId>, hello: &ClientFrame) -> Option<Socket> {
        let location = web_sys::window()?.location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss:",
            _ => "ws:",
        };
        let path = match chat {
            None => "/api/socket".to_owned(),
            Some(chat) => format!("/api/chats/{}/socket", chat.0),
        };
        let url = format!("{scheme}//{}{path}", location.host().ok()?);
        let (mut write, read) = WebSocket::open(&url).ok()?.split();
        let hello = serde_json::to_string(hello).ok()?;
        write.send(Message::Text(hello)).await.ok()?;
        Some(Socket { _write: write, read })
    }

    /// The next frame the server sent, or why it cannot be read; `None` once the socket closed.
    /// The server sends only binary frames: a text frame is skipped.
    pub async fn next_frame(&mut self) -> Option<Result<ServerFrame, FrameError>> {
        loop {
            match self.read.next().await? {
                Ok(Message::Bytes(bytes)) => return Some(ServerFrame::from_bytes(&bytes)),
                Ok(Message::Text(_)) => {}
                Err(_) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_is_its_typed_body_and_an_error_is_the_servers_words() {
        let me = r#"{"agent":1,"name":"Ada Lovelace","admin":true}"#;
        assert_eq!(
            read_answer::<Me>(200, me),
            Ok(Me { agent: AgentId(1), name: "Ada Lovelace".to_owned(), admin: true })
        );
        let wrong = r#"{"message":"The name or the password is wrong."}"#;
        let refused = read_answer::<Me>(401, wrong).expect_err("refused");
        assert_eq!(refused.to_string(), "The name or the password is wrong.");
        assert!(refused.is_signed_out());
        assert_eq!(read_empty(204, ""), Ok(()));
        assert_eq!(
            read_empty(403, r#"{"message":"Only admins may set live agents' passwords."}"#),
            Err(RemoteError::Refused {
                status: 403,
                message: "Only admins may set live agents' passwords.".to_owned()
            })
        );
    }

    #[test]
    fn an_answer_that_is_not_the_apis_is_said_as_such_and_no_answer_as_unreachable() {
        assert_eq!(read_answer::<Me>(502, "<html>Bad gateway</html>"), Err(RemoteError::Unexpected { status: 502 }));
        assert_eq!(read_answer::<Me>(200, r#"{"open":true}"#), Err(RemoteError::Unexpected { status: 200 }));
        assert_eq!(
            RemoteError::Unexpected { status: 502 }.to_string(),
            "The server gave an answer this page cannot read (HTTP 502); nothing was changed here."
        );
        assert!(RemoteError::Unreachable.to_string().starts_with("The server cannot be reached"));
        assert!(!RemoteError::Unreachable.is_signed_out());
    }

    #[test]
    fn only_the_servers_own_answer_to_the_setup_question_means_the_page_is_on_the_server() {
        let on_server = |status, body| read_answer::<SetupState>(status, body).ok();
        assert_eq!(on_server(200, r#"{"open":false}"#), Some(SetupState { open: false }));
        assert_eq!(on_server(200, r#"{"open":true}"#), Some(SetupState { open: true }));
        // A single-page host answers every path with the app itself.
        let index = "<!doctype html><html lang=\"en\"><title>Handoff Studio</title></html>";
        assert_eq!(on_server(200, index), None);
        assert_eq!(on_server(404, "Not Found"), None);
        assert_eq!(on_server(404, r#"{"message":"There is no such endpoint."}"#), None);
    }

    #[test]
    fn a_stale_save_is_a_conflict_with_the_newer_version_and_any_other_refusal_is_in_words() {
        let conflict =
            r#"{"message":"The workspace was changed since you opened it.","version":4,"workspace":{"format":1}}"#;
        match read_put(409, conflict) {
            Err(PutRefused::Conflict(found)) => {
                assert_eq!(found.version, 4);
                assert_eq!(found.workspace, serde_json::json!({"format": 1}));
            }
            other => panic!("a conflict, not {other:?}"),
        }
        let saved = read_put(200, r#"{"version":5,"workspace":{}}"#).expect("saved");
        assert_eq!(saved.version, 5);
        let refused = r#"{"message":"This workspace takes your own admin role away: another admin must do that."}"#;
        assert_eq!(
            read_put(422, refused),
            Err(PutRefused::Failed(RemoteError::Refused {
                status: 422,
                message: "This workspace takes your own admin role away: another admin must do that.".to_owned()
            }))
        );
    }

    #[test]
    fn a_commands_outcome_is_read_whatever_its_status_and_only_no_answer_is_sent_again() {
        let accepted = read_outcome(200, r#"{"outcome":"accepted","first":7,"count":2}"#);
        assert_eq!(accepted, Ok(Outcome::Accepted { first: 7, count: 2 }));
        let quicker = r#"{"outcome":"refused","message":"Someone else was quicker: Noah Martin took this chat.","rejection":{"rejection":"already_taken","chat":1,"by":2}}"#;
        match read_outcome(409, quicker) {
            Ok(Outcome::Refused { message, .. }) => {
                assert_eq!(message, "Someone else was quicker: Noah Martin took this chat.")
            }
            other => panic!("a refusal, not {other:?}"),
        }
        let signed_out = read_outcome(401, r#"{"message":"Sign in first."}"#);
        assert!(signed_out.as_ref().is_err_and(RemoteError::is_signed_out));
        assert!(!worth_sending_again(&signed_out));
        assert!(!worth_sending_again(&accepted));
        assert!(worth_sending_again(&Err(RemoteError::Unreachable)));
        assert!(worth_sending_again(&read_outcome(503, r#"{"message":"The server is busy: try again."}"#)));
        assert!(worth_sending_again(&read_outcome(502, "<html>Bad gateway</html>")));
        assert!(!worth_sending_again(&read_outcome(500, r#"{"message":"Something went wrong."}"#)));
    }
}
