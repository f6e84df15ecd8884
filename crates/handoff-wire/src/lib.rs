//! The messages between Handoff Studio's app and its server, defined once for both sides.
//!
//! One closed type per request body and per answer, serde only: no IO, no runtime, so that the
//! app can compile it to wasm. The domain's own types (`Command`, `Rejection`, the ids) travel
//! as `handoff` serializes them; the workspace travels as the JSON document
//! `handoff::workspace_to_json` writes and `handoff::load_workspace` reads.
//! The WebSocket's messages will be added here too.

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
    fn outcomes_and_customer_actions_are_tagged() {
        let accepted = serde_json::to_string(&Outcome::Accepted { first: 5, count: 2 }).expect("writes");
        assert_eq!(accepted, r#"{"outcome":"accepted","first":5,"count":2}"#);
        let action: CustomerAction = serde_json::from_str(r#"{"command":"message","text":"hi"}"#).expect("reads");
        assert_eq!(action, CustomerAction::Message { text: "hi".to_owned() });
        assert!(serde_json::from_str::<SignIn>(r#"{"name":"a","password":"b","admin":true}"#).is_err());
    }
}
