//! The versioned JSON documents: a workspace (what an admin edits) and a state snapshot (what
//! the engine holds). Loading never panics: a malformed or invalid document gives a
//! `DocumentError` that says where (a JSON path, and a line and column) and what was expected.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::engine::{ChatStage, Eligibility, State, queue_exists};
use crate::ids::{AgentId, Language};
use crate::workflow::{IndexedWorkflow, node_id};
use crate::workspace::Workspace;
use crate::workspace_json::{self, Json};

pub const WORKSPACE_FORMAT: &str = "handoff-studio/workspace";
pub const STATE_FORMAT: &str = "handoff-studio/state";
/// The workspace format this build writes. Version 2 keeps every text the AI agent says per
/// language (`{"en": "Hi!", "fr": "Bonjour !"}`, phrases `{"en": [...]}`); version 1, where each
/// was a string (a list), still loads, its texts becoming the default language's.
pub const WORKSPACE_VERSION: u32 = 2;
/// The oldest workspace format this build reads.
pub const OLDEST_WORKSPACE_VERSION: u32 = 1;
/// The state snapshot's format, which holds no workspace (and so no texts): still version 1.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// Where, as a JSON path such as `workspace.teamspace.agents[2].teams[0]`; empty for the whole document.
    pub path: String,
    /// 1-based; 0 when the problem is not at one place in the text (such as a duplicate id).
    pub line: usize,
    pub column: usize,
    /// What was wrong, or what was expected.
    pub message: String,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path.is_empty(), self.line) {
            (true, 0) => write!(f, "{}", self.message),
            (true, line) => write!(f, "line {line}, column {}: {}", self.column, self.message),
            (false, 0) => write!(f, "at {}: {}", self.path, self.message),
            (false, line) => write!(f, "at {} (line {line}, column {}): {}", self.path, self.column, self.message),
        }
    }
}

impl std::error::Error for DocumentError {}

impl DocumentError {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> DocumentError {
        DocumentError { path: path.into(), line: 0, column: 0, message: message.into() }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateDocument {
    format: String,
    version: u32,
    state: State,
}

/// The workspace a first visit opens: Acme Support's AI agent in English, French and Spanish,
/// Billing, Technical and Francophone teams, a "Talk to a human" intent handing off by language,
/// feedback when a live agent closes, and a goodbye in the handoff's close subtree.
pub fn starter_workspace() -> Workspace {
    load_workspace(include_str!("../starter.workspace.json")).expect("the starter workspace is a valid document")
}

/// Written by hand (`workspace_json`), in the order and shape serde's derived code wrote.
pub fn workspace_to_json(workspace: &Workspace) -> String {
    let document = workspace_json::document(WORKSPACE_FORMAT, WORKSPACE_VERSION, workspace);
    serde_json::to_string_pretty(&document).expect("a workspace always serializes")
}

/// Parses the text into a `Json` tree (syntax errors placed by `path_at`), then converts it by
/// hand (`workspace_json`), which knows the path of an error and finds its line and column.
pub fn load_workspace(text: &str) -> Result<Workspace, DocumentError> {
    let tree = parse_tree(text)?;
    check_header(&tree, text, WORKSPACE_FORMAT, OLDEST_WORKSPACE_VERSION..=WORKSPACE_VERSION)?;
    let workspace = workspace_json::workspace_document(&tree).map_err(|fault| fault.locate(text))?;
    check_integrity(&workspace)?;
    Ok(workspace)
}

pub fn state_to_json(state: &State) -> String {
    let document = StateDocument { format: STATE_FORMAT.to_owned(), version: STATE_VERSION, state: state.clone() };
    serde_json::to_string_pretty(&document).expect("a state always serializes")
}

/// Reads a snapshot and checks it against the workspace it belongs to: the same agents, and
/// every chat's handoff, eligibility and assignee still there, with agents' open chats agreeing
/// with the chats. A snapshot that passes can be carried on by `Engine::from_state`.
pub fn load_state(text: &str, workspace: &Workspace) -> Result<State, DocumentError> {
    check_header(&parse_tree(text)?, text, STATE_FORMAT, STATE_VERSION..=STATE_VERSION)?;
    let document: StateDocument = parse(text)?;
    check_state(document.state, workspace)
}

/// Checks a state read from a snapshot against the workspace it belongs to (see `load_state`).
pub(crate) fn check_state(state: State, workspace: &Workspace) -> Result<State, DocumentError> {
    let agents: Vec<_> = workspace.teamspace.agents.iter().map(|agent| agent.id).collect();
    let in_state: Vec<_> = state.agents.iter().map(|agent| agent.id).collect();
    if agents != in_state {
        return Err(DocumentError::at("state.agents", "the agents differ from the workspace's live agents"));
    }
    let workflow = IndexedWorkflow::new(workspace.ai_agent.workflow.clone());
    let mut open: HashMap<AgentId, u32> = HashMap::new();
    let mut ids: Vec<_> = state.chats.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let chat = &state.chats[&id];
        let at = |field: &str| format!("state.chats.{}.{field}", id.0);
        if id != chat.id {
            return Err(DocumentError::at(at("id"), format!("holds {} under key {}", chat.id, id.0)));
        }
        // A chat in a language the AI agent no longer speaks carries on (the engine routes it by
        // the handoff's main list), as it does when its events are replayed.
        if let Some(node) = chat.handoff
            && workflow.handoff(node).is_none()
        {
            return Err(DocumentError::at(
                at("handoff"),
                format!("{node} is not a Human Handoff action of the workflow"),
            ));
        }
        // The one check of a queue, as `Engine::fits` makes it for events. That a chat with the
        // live side has its eligibility, the types say (`stored::StoredChat`).
        if let Some(eligibility) = chat.status.eligibility()
            && !queue_exists(&workflow, workspace, eligibility)
        {
            let message = match eligibility {
                Eligibility::Handoff { node, language } => {
                    format!("no Human Handoff {node} for {language} in the workflow")
                }
                Eligibility::Team { team } => format!("there is no {team} in the teamspace"),
            };
            return Err(DocumentError::at(at("eligibility"), message));
        }
        match chat.status.stage() {
            ChatStage::Open { assignee: agent } | ChatStage::Closed { by: agent } if !agents.contains(&agent) => {
                return Err(DocumentError::at(at("status"), format!("there is no {agent} in the teamspace")));
            }
            ChatStage::Open { assignee } => *open.entry(assignee).or_default() += 1,
            _ => {}
        }
    }
    for (index, agent) in state.agents.iter().enumerate() {
        let counted = open.get(&agent.id).copied().unwrap_or(0);
        if agent.open_chats != counted {
            let message =
                format!("says {} open chats, but {counted} chats are open with {}", agent.open_chats, agent.id);
            return Err(DocumentError::at(format!("state.agents[{index}].open_chats"), message));
        }
    }
    Ok(state)
}

/// The header every document starts with (`tree` is the document parsed from `text`), read
/// before the rest so that a document of another kind or version gets that said, not a
/// confusing field error.
pub(crate) fn check_header(
    tree: &Json,
    text: &str,
    format: &str,
    readable: std::ops::RangeInclusive<u32>,
) -> Result<(), DocumentError> {
    let (found_format, found_version) = workspace_json::header(tree).map_err(|fault| fault.locate(text))?;
    match found_format.as_deref() {
        Some(found) if found == format => {}
        Some(found) => return Err(DocumentError::at("format", format!("expected \"{format}\", found \"{found}\""))),
        None => return Err(DocumentError::at("format", format!("missing; expected \"{format}\""))),
    }
    let newest = *readable.end();
    match found_version {
        Some(found) if readable.contains(&found) => Ok(()),
        Some(other) => {
            let reads = match *readable.start() {
                oldest if oldest == newest => format!("version {newest}"),
                oldest => format!("versions {oldest} to {newest}"),
            };
            Err(DocumentError::at(
                "version",
                format!("version {other} is not readable by this build, which reads {reads}"),
            ))
        }
        None => Err(DocumentError::at("version", format!("missing; expected {newest}"))),
    }
}

/// The document as a tree (`workspace_json::Json`), in one pass. A first pass that only
/// checked the syntax (`IgnoredAny`) would word a few syntax errors as serde_json's skipping
/// does ("EOF while parsing an object" where the tree says "EOF while parsing a value"), for 668
/// more brotli bytes of the app; the line, column and path are the same either way.
pub(crate) fn parse_tree(text: &str) -> Result<Json, DocumentError> {
    parse(text)
}

/// Plain `serde_json`, whose errors carry a line and column; the JSON path is then read off the
/// text at that position (`path_at`). Tracking the path while deserializing
/// (`serde_path_to_error`) wrapped every `Deserialize` impl in its tracker, at 4,195 brotli bytes
/// of the app.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DocumentError> {
    serde_json::from_str(text).map_err(|error| located(text, &error))
}

fn located(text: &str, error: &serde_json::Error) -> DocumentError {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the position has its own fields.
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    };
    let (line, column) = (error.line(), error.column());
    let path = if line == 0 { String::new() } else { path_at(text, line, column) };
    DocumentError { path, line, column, message }
}

/// One open object or array on the way to a position.
enum Open<'a> {
    /// The current key as written (quotes and escapes included); `None` before it or after a comma.
    Object(Option<&'a str>),
    /// The index of the current element.
    Array(usize),
}

/// The JSON path, such as `workspace.teamspace.agents[2].teams[0]`, of where serde_json stopped:
/// `line` and `column` as its errors give them (1-based, in bytes, the last byte it read).
/// The text up to and including that byte is scanned for the objects and arrays still open, each
/// object's current key and each array's current index. So an error at the end of a value (a
/// wrong type, an unknown field's name) names that value, and one at the closing brace of an
/// object (a missing field, an unknown variant of an internally tagged enum) names the object.
/// Any text gives some path, never a panic: a syntax error's is where the parse stopped.
fn path_at(text: &str, line: usize, column: usize) -> String {
    let line_start = match line {
        0 | 1 => 0,
        _ => text.match_indices('\n').nth(line - 2).map_or(text.len(), |(at, _)| at + 1),
    };
    let scanned = &text.as_bytes()[..(line_start + column).min(text.len())];
    let mut open = Vec::new();
    let mut at = 0;
    while at < scanned.len() {
        match scanned[at] {
            b'"' => {
                let start = at;
                at += 1;
                while at < scanned.len() && scanned[at] != b'"' {
                    at += if scanned[at] == b'\\' { 2 } else { 1 };
                }
                if at >= scanned.len() {
                    break;
                }
                if let Some(Open::Object(key @ None)) = open.last_mut() {
                    *key = Some(&text[start..=at]);
                }
            }
            b'{' => open.push(Open::Object(None)),
            b'[' => open.push(Open::Array(0)),
            b'}' | b']' => {
                open.pop();
            }
            b',' => match open.last_mut() {
                Some(Open::Object(key)) => *key = None,
                Some(Open::Array(index)) => *index += 1,
                None => {}
            },
            _ => {}
        }
        at += 1;
    }
    let mut path = String::new();
    for segment in open {
        match segment {
            Open::Object(None) => {}
            Open::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                // The key as a string, escapes decoded; serde_json's own string reader does it.
                match serde_json::from_str::<String>(key) {
                    Ok(key) => path.push_str(&key),
                    Err(_) => path.push_str(key.trim_matches('"')),
                }
            }
            Open::Array(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// What the types cannot say: ids are unique, and references between parts resolve.
pub(crate) fn check_integrity(workspace: &Workspace) -> Result<(), DocumentError> {
    let teamspace = &workspace.teamspace;
    let mut teams = HashSet::new();
    for (index, team) in teamspace.teams.iter().enumerate() {
        if !teams.insert(team.id) {
            return Err(DocumentError::at(
                format!("workspace.teamspace.teams[{index}].id"),
                format!("{} appears twice", team.id),
            ));
        }
    }
    let mut agents = HashSet::new();
    for (index, agent) in teamspace.agents.iter().enumerate() {
        if !agents.insert(agent.id) {
            let path = format!("workspace.teamspace.agents[{index}].id");
            return Err(DocumentError::at(path, format!("{} appears twice", agent.id)));
        }
        if let Some((at, team)) = agent.teams.iter().enumerate().find(|(_, team)| !teams.contains(team)) {
            let path = format!("workspace.teamspace.agents[{index}].teams[{at}]");
            return Err(DocumentError::at(path, format!("there is no {team} in the teamspace")));
        }
    }
    let ai_agent = &workspace.ai_agent;
    let mut languages: HashSet<&Language> = HashSet::new();
    for (index, language) in ai_agent.languages().enumerate() {
        if language.as_str().trim().is_empty() {
            return Err(DocumentError::at(language_path(index), "a language code cannot be empty"));
        }
        if !languages.insert(language) {
            return Err(DocumentError::at(language_path(index), format!("{language} is listed twice")));
        }
    }
    let mut nodes = HashSet::new();
    for entry in ai_agent.workflow.entries() {
        let id = node_id(entry.node);
        if !nodes.insert(id) {
            let path = format!("workspace.ai_agent.workflow.{}.id", entry.path);
            return Err(DocumentError::at(path, format!("{id} appears twice")));
        }
    }
    Ok(())
}

fn language_path(index: usize) -> String {
    match index {
        0 => "workspace.ai_agent.default_language".to_owned(),
        other => format!("workspace.ai_agent.other_languages[{}]", other - 1),
    }
}
