//! The messages between Handoff Studio's app and its server, defined once for both sides.
//!
//! One closed type per request body and per answer, serde only: no IO, no runtime, so that the
//! app can compile it to wasm. The domain's own types (`Command`, `Rejection`, the ids) travel
//! as `handoff` serializes them; the workspace travels as the JSON document
//! `handoff::workspace_to_json` writes and `handoff::load_workspace` reads.
//!
//! The WebSocket's frames are one closed enum per direction too: `ClientFrame` (text, JSON),
//! and `ServerFrame` (binary: a tag byte, then its fields; views and changes in the compact
//! bytes of `handoff::viewer`, whose decoders never panic). A replica's place is a `Mark`: which
//! journal, how far into it, under which workspace version.

use handoff::viewer::{self, Change, View};
use handoff::{AgentId, ChatId, Command, Language, Rejection};
use serde::{Deserialize, Serialize};

/// Every answer that is not a success and has no body of its own: what went wrong, in words
/// for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub message: String,
}

/// `POST /api/setup`: the first admin, on a database where nobody has a password yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub name: String,
    pub password: String,
}

/// `POST /api/session`: signing in with a live agent's name and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// Who a session belongs to: the answer to signing in, to setup and to `GET /api/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub agent: AgentId,
    pub name: String,
    pub admin: bool,
}

/// `GET /api/setup`: whether the first admin may still be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupState {
    pub open: bool,
}

/// `PUT /api/agents/{id}/password`: an admin sets or resets a live agent's password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// The workspace and its version: the answer to `GET` and to an accepted `PUT /api/workspace`.
/// `workspace` is the document of `handoff::workspace_to_json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionedWorkspace {
    pub version: u64,
    pub workspace: serde_json::Value,
    /// In the answer to a `PUT` only, when the workspace was saved but what follows a save
    /// (recording its Chat Assignment on the conversations, offering the chats that waited
    /// under its rules) could not all be done: what was not, in words for the admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfinished: Option<String>,
}

/// `PUT /api/workspace`: a new workspace, naming the version it was edited from.
pub type PutWorkspace = VersionedWorkspace;

/// The answer to a `PUT /api/workspace` that edited an older version (409): the newer version
/// and its workspace, so that nothing is overwritten unseen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConflict {
    pub message: String,
    pub version: u64,
    pub workspace: serde_json::Value,
}

/// `POST /api/commands`: a live agent's or an admin's command. The acting agent is the
/// session's: the server overwrites every `agent` field of `command` with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffCommand {
    /// Made by the client, unique per command (a UUID): a retry with the same key is answered
    /// with the first outcome and applies nothing again.
    pub key: String,
    pub command: Command,
}

/// What a customer may do in their chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum CustomerAction {
    Message { text: String },
    Feedback { rating: u8, comment: Option<String> },
}

/// `POST /api/chats/{id}/commands`, with the chat's token as `Authorization: Bearer TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerCommand {
    /// As `StaffCommand::key`.
    pub key: String,
    pub action: CustomerAction,
}

/// The outcome of a command, stored under its key and given again to a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// Done and stored: its events are numbered `first` to `first + count - 1` in the journal
    /// (none, when the command changed nothing: signing in twice).
    Accepted { first: u64, count: u64 },
    /// The engine refused it; nothing changed.
    Refused { message: String, rejection: Rejection },
}

/// `POST /api/chats`: a customer starts a chat in a language the AI agent speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartChat {
    pub language: Language,
}

/// The answer to starting a chat: its number, and the secret that alone lets its holder act in
/// it (shown once; the server keeps only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatStarted {
    pub chat: ChatId,
    pub token: String,
    pub first: u64,
    pub count: u64,
}

/// Which journal a position counts in: a random number the server's database draws once, when
/// it is created. A data folder made anew, or another server at the same address, has another,
/// so a tab's position in one journal is never taken for a position in another. In JSON it is
/// 16 hexadecimal digits (a JSON number would lose digits in JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JournalId(pub u64);

impl std::fmt::Display for JournalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Serialize for JournalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for JournalId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<JournalId, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        match text.len() == 16 && text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            true => u64::from_str_radix(&text, 16).map(JournalId).map_err(serde::de::Error::custom),
            false => Err(serde::de::Error::custom("a journal id is 16 hexadecimal digits")),
        }
    }
}

/// Where a replica stands: every event of `journal` before `position` is in it, as the viewer
/// may see them, on workspace version `workspace` (a new workspace can change what the same
/// events show, places in queues among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub journal: JournalId,
    pub position: u64,
    pub workspace: u64,
}

/// What a WebSocket client says: one `Hello`, as its first frame, and nothing after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Hello {
        /// The position of the last frame the tab applied, when it holds a replica: a socket
        /// that finds nothing new since (in the same `journal`, on the same `workspace`) says
        /// `UpToDate` instead of sending everything again.
        #[serde(default)]
        since: Option<u64>,
        /// The journal that position counts in, as the server's frames said it.
        #[serde(default)]
        journal: Option<JournalId>,
        /// The workspace version the tab holds (as a `Workspace` frame or a `Mark` said it):
        /// for staff, a newer one is sent first.
        #[serde(default)]
        workspace: Option<u64>,
        /// A customer's socket: the chat's token (never in the URL, which servers log).
        #[serde(default)]
        token: Option<String>,
    },
}

/// What the server says on a WebSocket. `at` is where the replica stands once the frame is
/// applied.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame {
    /// Everything the viewer may see: the replica is replaced by it.
    View { at: Mark, view: View },
    /// What changed for the viewer since the last frame.
    Changes { at: Mark, changes: Vec<Change> },
    /// Nothing the viewer sees changed up to `at`: after a `Hello` whose `since` was current, or
    /// when batches the viewer sees nothing of moved the position on.
    UpToDate { at: Mark },
    /// The workspace changed (staff): its version and document (`handoff::workspace_to_json`);
    /// a `View` built on it follows.
    Workspace { version: u64, document: String },
    /// The session ended (signed out here or everywhere, a password reset, expiry); the socket
    /// closes after it.
    SignedOut { message: String },
    /// The client broke the protocol (a frame that is not a valid `Hello`, a wrong token); the
    /// socket closes after it.
    Refused { message: String },
}

/// A server frame that cannot be read, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError(pub String);

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const VIEW: u8 = 1;
const CHANGES: u8 = 2;
const UP_TO_DATE: u8 = 3;
const WORKSPACE: u8 = 4;
const SIGNED_OUT: u8 = 5;
const REFUSED: u8 = 6;

impl ServerFrame {
    /// A tag byte, then little-endian `u64`s (a mark's position, journal and workspace, or a
    /// version, or a zero), then the rest.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mark = |at: &Mark| vec![at.position, at.journal.0, at.workspace];
        let (tag, numbers, rest) = match self {
            ServerFrame::View { at, view } => (VIEW, mark(at), viewer::view_to_bytes(view)),
            ServerFrame::Changes { at, changes } => (CHANGES, mark(at), viewer::changes_to_bytes(changes)),
            ServerFrame::UpToDate { at } => (UP_TO_DATE, mark(at), Vec::new()),
            ServerFrame::Workspace { version, document } => (WORKSPACE, vec![*version], document.as_bytes().to_vec()),
            ServerFrame::SignedOut { message } => (SIGNED_OUT, vec![0], message.as_bytes().to_vec()),
            ServerFrame::Refused { message } => (REFUSED, vec![0], message.as_bytes().to_vec()),
        };
        let mut bytes = Vec::with_capacity(1 + 8 * numbers.len() + rest.len());
        bytes.push(tag);
        for number in numbers {
            bytes.extend_from_slice(&number.to_le_bytes());
        }
        bytes.extend_from_slice(&rest);
        bytes
    }

    /// Reads a frame; any bytes at all give a frame or an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<ServerFrame, FrameError> {
        let (&tag, rest) = bytes.split_first().ok_or_else(|| FrameError("an empty frame".to_owned()))?;
        let number = |rest: &[u8]| -> Result<(u64, Vec<u8>), FrameError> {
            let (number, rest) = rest.split_at_checked(8).ok_or_else(|| FrameError("a frame cut short".to_owned()))?;
            let mut le = [0; 8];
            le.copy_from_slice(number);
            Ok((u64::from_le_bytes(le), rest.to_vec()))
        };
        let (first, rest) = number(rest)?;
        let marked = |rest: &[u8]| -> Result<(Mark, Vec<u8>), FrameError> {
            let (journal, rest) = number(rest)?;
            let (workspace, rest) = number(&rest)?;
            Ok((Mark { journal: JournalId(journal), position: first, workspace }, rest))
        };
        let text =
            |rest: Vec<u8>| String::from_utf8(rest).map_err(|_| FrameError("a frame's text is not UTF-8".to_owned()));
        match tag {
            VIEW => {
                let (at, rest) = marked(&rest)?;
                viewer::load_view_bytes(&rest)
                    .map(|view| ServerFrame::View { at, view })
                    .map_err(|error| FrameError(format!("a view that cannot be read: {error}")))
            }
            CHANGES => {
                let (at, rest) = marked(&rest)?;
                viewer::load_changes_bytes(&rest)
                    .map(|changes| ServerFrame::Changes { at, changes })
                    .map_err(|error| FrameError(format!("changes that cannot be read: {error}")))
            }
            UP_TO_DATE => match marked(&rest)? {
                (at, rest) if rest.is_empty() => Ok(ServerFrame::UpToDate { at }),
                _ => Err(FrameError("an up-to-date frame with more after it".to_owned())),
            },
            WORKSPACE => Ok(ServerFrame::Workspace { version: first, document: text(rest)? }),
            SIGNED_OUT => Ok(ServerFrame::SignedOut { message: text(rest)? }),
            REFUSED => Ok(ServerFrame::Refused { message: text(rest)? }),
            _ => Err(FrameError(format!("a frame of an unknown kind ({tag})"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_command_reads_as_the_domain_writes_it() {
        let text = r#"{"key":"k1","command":{"command":"claim","chat":3,"agent":2,"seen_version":4}}"#;
        let parsed: StaffCommand = serde_json::from_str(text).expect("reads");
        assert_eq!(parsed.command, Command::Claim { chat: ChatId(3), agent: AgentId(2), seen_version: 4 });
        assert_eq!(serde_json::to_string(&parsed).expect("writes"), text);
    }

    /// The app compiles this crate to wasm: it depends on the domain and serde, nothing that
    /// does IO (`cargo xtask test` lints it for wasm32 too).
    #[test]
    fn it_depends_on_no_runtime_server_or_database() {
        let manifest = include_str!("../Cargo.toml");
        let dependencies = manifest.split("[dependencies]").nth(1).expect("a [dependencies] table");
        let names: Vec<&str> = dependencies
            .lines()
            .take_while(|line| !line.starts_with('['))
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .filter_map(|line| line.split(['=', '.']).next().map(str::trim))
            .collect();
        assert_eq!(names, ["handoff", "serde", "serde_json"]);
    }

    #[test]
    fn a_journal_id_is_sixteen_hexadecimal_digits_in_a_hello_and_a_mark_travels_whole() {
        let hello = ClientFrame::Hello {
            since: Some(5),
            journal: Some(JournalId(0x00ab_cdef_0123_4567)),
            workspace: Some(2),
            token: None,
        };
        let text = serde_json::to_string(&hello).expect("writes");
        assert_eq!(text, r#"{"frame":"hello","since":5,"journal":"00abcdef01234567","workspace":2,"token":null}"#);
        assert_eq!(serde_json::from_str::<ClientFrame>(&text).expect("reads"), hello);
        for wrong in [r#""abc""#, r#""00abcdef0123456z""#, "12", r#""+0abcdef01234567""#] {
            assert!(serde_json::from_str::<JournalId>(wrong).is_err(), "{wrong}");
        }
        let at = Mark { journal: JournalId(u64::MAX - 3), position: 50, workspace: 7 };
        for frame in [ServerFrame::UpToDate { at }, ServerFrame::Changes { at, changes: Vec::new() }] {
            assert_eq!(ServerFrame::from_bytes(&frame.to_bytes()), Ok(frame));
        }
        let mut cut = ServerFrame::UpToDate { at }.to_bytes();
        cut.pop();
        assert!(ServerFrame::from_bytes(&cut).is_err());
    }

    #[test]
    fn outcomes_and_customer_actions_are_tagged() {
        let accepted = serde_json::to_string(&Outcome::Accepted { first: 5, count: 2 }).expect("writes");
        assert_eq!(accepted, r#"{"outcome":"accepted","first":5,"count":2}"#);
        let action: CustomerAction = serde_json::from_str(r#"{"command":"message","text":"hi"}"#).expect("reads");
        assert_eq!(action, CustomerAction::Message { text: "hi".to_owned() });
        assert!(serde_json::from_str::<SignIn>(r#"{"name":"a","password":"b","admin":true}"#).is_err());
    }
}
