//! The workspace document's JSON, read and written by hand: the one definition of its format.
//!
//! The text is parsed into `Json` (one small generic instantiation of serde_json, whose syntax
//! errors carry a line and column), then converted into the domain types by plain functions that
//! carry the JSON path as they descend; an error's line and column are found by scanning the text
//! for that path (`locate`). Serde's derived code for these types, with `#[serde(flatten)]` and
//! internally tagged enums buffering through serde's private `Content`, was some 141,000 bytes of
//! the release wasm before wasm-opt.
//!
//! Messages use serde's own wording (built by serde's error constructors): `missing field `id``,
//! `unknown field `x`, expected one of …`, `unknown variant `x`, expected one of …`,
//! `invalid type: string "x", expected u32`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Unexpected};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::document::DocumentError;
use crate::ids::{AgentId, Language, NodeId, TeamId};
use crate::localized::{Localized, Phrases, phrases_in};
use crate::workflow::{
    Action, ActionKind, Assign, Condition, Feedback, Handoff, LanguageTargets, Targets, Trigger, TriggerKind,
    VariableValue, Workflow,
};
use crate::workspace::{
    AiAgent, AssignmentMethod, CannedReply, ChatAssignment, LiveAgent, Role, Team, Teamspace, Workspace,
};

/// A JSON value whose objects keep their entries in the order written, duplicates included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        struct JsonVisitor;
        impl<'de> de::Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
                Ok(Json::Bool(value))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
                Ok(Json::Unsigned(value))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
                Ok(if value >= 0 { Json::Unsigned(value as u64) } else { Json::Signed(value) })
            }
            fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
                Ok(Json::Float(value))
            }
            fn visit_str<E>(self, value: &str) -> Result<Json, E> {
                Ok(Json::String(value.to_owned()))
            }
            fn visit_string<E>(self, value: String) -> Result<Json, E> {
                Ok(Json::String(value))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Unsigned(value) => serializer.serialize_u64(*value),
            Json::Signed(value) => serializer.serialize_i64(*value),
            Json::Float(value) => serializer.serialize_f64(*value),
            Json::String(value) => serializer.serialize_str(value),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Where a conversion is in the document: a chain on the stack, so descending costs nothing.
#[derive(Clone, Copy)]
pub(crate) enum At<'a> {
    Root,
    /// The value of the `entry`th entry (counting duplicates) of an object, under `key`.
    Key(&'a At<'a>, &'a str, usize),
    Index(&'a At<'a>, usize),
}

/// One step of a path, for finding it in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Entry(String, usize),
    Index(usize),
}

/// Which byte of the text an error points at, as serde_json's errors did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// A wrong value: a scalar's last byte, an array's or object's opening bracket.
    Value,
    /// An unknown or repeated field: the closing quote of its key.
    Key,
    /// A missing field or an unknown variant: the object's closing brace.
    ObjectEnd,
}

/// A conversion error, before its line and column are found in the text.
#[derive(Debug)]
pub(crate) struct Fault {
    steps: Vec<Step>,
    mark: Mark,
    message: String,
}

impl At<'_> {
    fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut at = self;
        loop {
            match at {
                At::Root => break,
                At::Key(parent, key, entry) => {
                    steps.push(Step::Entry((*key).to_owned(), *entry));
                    at = parent;
                }
                At::Index(parent, index) => {
                    steps.push(Step::Index(*index));
                    at = parent;
                }
            }
        }
        steps.reverse();
        steps
    }

    fn fault(&self, mark: Mark, error: serde_json::Error) -> Fault {
        Fault { steps: self.steps(), mark, message: error.to_string() }
    }
}

impl Fault {
    /// The error with its path, and its line and column in `text` (the text the tree was parsed from).
    pub(crate) fn locate(self, text: &str) -> DocumentError {
        let mut path = String::new();
        for step in &self.steps {
            match step {
                Step::Entry(key, _) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Step::Index(index) => path.push_str(&format!("[{index}]")),
            }
        }
        let (line, column) = match locate(text.as_bytes(), &self.steps, self.mark) {
            Some(offset) => line_and_column(text, offset),
            None => (0, 0),
        };
        DocumentError { path, line, column, message: self.message }
    }

    fn into_custom<E: de::Error>(self) -> E {
        E::custom(self.locate(""))
    }
}

fn unexpected(value: &Json) -> Unexpected<'_> {
    match value {
        Json::Null => Unexpected::Unit,
        Json::Bool(value) => Unexpected::Bool(*value),
        Json::Unsigned(value) => Unexpected::Unsigned(*value),
        Json::Signed(value) => Unexpected::Signed(*value),
        Json::Float(value) => Unexpected::Float(*value),
        Json::String(value) => Unexpected::Str(value),
        Json::Array(_) => Unexpected::Seq,
        Json::Object(_) => Unexpected::Map,
    }
}

fn invalid_type(value: &Json, at: &At, expected: &str) -> Fault {
    at.fault(Mark::Value, de::Error::invalid_type(unexpected(value), &expected))
}

type Read<T> = Result<T, Fault>;

fn string(value: &Json, at: &At) -> Read<String> {
    match value {
        Json::String(text) => Ok(text.clone()),
        other => Err(invalid_type(other, at, "a string")),
    }
}

fn language(value: &Json, at: &At) -> Read<Language> {
    string(value, at).map(Language)
}

fn optional_string(value: &Json, at: &At) -> Read<Option<String>> {
    match value {
        Json::Null => Ok(None),
        other => string(other, at).map(Some),
    }
}

/// A text the AI agent says: an object of language code to text (version 2), or a string, the
/// `default` language's text (version 1, and what a version 1 document migrates by). Empty
/// texts are dropped: a language without a text has no entry.
fn localized(value: &Json, at: &At, default: &Language) -> Read<Localized> {
    match value {
        Json::String(text) => Ok(Localized::one(default, text)),
        Json::Object(entries) => {
            let mut texts = Localized::new();
            for (entry, (key, value)) in entries.iter().enumerate() {
                texts.set(&Language::new(key), &string(value, &At::Key(at, key, entry))?);
            }
            Ok(texts)
        }
        other => Err(invalid_type(other, at, "a map of language to text")),
    }
}

/// An optional text the AI agent says: `null` is no text.
fn optional_localized(value: &Json, at: &At, default: &Language) -> Read<Localized> {
    match value {
        Json::Null => Ok(Localized::new()),
        other => localized(other, at, default),
    }
}

/// A trigger's phrases: an object of language code to a list (version 2), or a list, the
/// `default` language's (version 1). Empty lists are dropped.
fn phrases(value: &Json, at: &At, default: &Language) -> Read<Phrases> {
    match value {
        Json::Array(_) => Ok(phrases_in(default, list(value, at, string)?)),
        Json::Object(entries) => {
            let mut phrases = Phrases::new();
            for (entry, (key, value)) in entries.iter().enumerate() {
                let items = list(value, &At::Key(at, key, entry), string)?;
                if !items.is_empty() {
                    phrases.insert(Language::new(key), items);
                }
            }
            Ok(phrases)
        }
        other => Err(invalid_type(other, at, "a map of language to phrases")),
    }
}

fn boolean(value: &Json, at: &At) -> Read<bool> {
    match value {
        Json::Bool(value) => Ok(*value),
        other => Err(invalid_type(other, at, "a boolean")),
    }
}

fn unsigned(value: &Json, at: &At) -> Read<u32> {
    match value {
        Json::Unsigned(number) => u32::try_from(*number)
            .map_err(|_| at.fault(Mark::Value, de::Error::invalid_value(unexpected(value), &"u32"))),
        Json::Signed(_) => Err(at.fault(Mark::Value, de::Error::invalid_value(unexpected(value), &"u32"))),
        other => Err(invalid_type(other, at, "u32")),
    }
}

fn node_id(value: &Json, at: &At) -> Read<NodeId> {
    unsigned(value, at).map(NodeId)
}

fn agent_id(value: &Json, at: &At) -> Read<AgentId> {
    unsigned(value, at).map(AgentId)
}

fn team_id(value: &Json, at: &At) -> Read<TeamId> {
    unsigned(value, at).map(TeamId)
}

fn list<T>(value: &Json, at: &At, item: fn(&Json, &At) -> Read<T>) -> Read<Vec<T>> {
    match value {
        Json::Array(items) => {
            items.iter().enumerate().map(|(index, value)| item(value, &At::Index(at, index))).collect()
        }
        other => Err(invalid_type(other, at, "a sequence")),
    }
}

/// A unit-only enum written as a string, such as a role.
fn name_of(value: &Json, at: &At, expected: &str, variants: &'static [&'static str]) -> Read<usize> {
    match value {
        Json::String(name) => variants
            .iter()
            .position(|variant| variant == name)
            .ok_or_else(|| at.fault(Mark::Value, de::Error::unknown_variant(name, variants))),
        other => Err(invalid_type(other, at, expected)),
    }
}

/// An object being read as a struct, and where it is.
struct Fields<'j, 'a> {
    entries: &'j [(String, Json)],
    at: &'a At<'a>,
}

impl<'j, 'a> Fields<'j, 'a> {
    fn of(value: &'j Json, at: &'a At<'a>, expected: &str) -> Read<Fields<'j, 'a>> {
        match value {
            Json::Object(entries) => Ok(Fields { entries, at }),
            other => Err(invalid_type(other, at, expected)),
        }
    }

    /// A struct that refuses keys other than its fields (serde's `deny_unknown_fields`).
    fn strict(value: &'j Json, at: &'a At<'a>, expected: &str, names: &'static [&'static str]) -> Read<Fields<'j, 'a>> {
        let fields = Fields::of(value, at, expected)?;
        fields.check(&[names], Some(names))?;
        Ok(fields)
    }

    /// Refuses a field written twice, and with `deny` a key that is no field (named among
    /// `deny`'s fields, as serde's `deny_unknown_fields` does); other keys are ignored.
    fn check(&self, known: &[&[&str]], deny: Option<&'static [&'static str]>) -> Read<()> {
        for (index, (key, _)) in self.entries.iter().enumerate() {
            let at = At::Key(self.at, key, index);
            if known.iter().any(|fields| fields.contains(&key.as_str())) {
                if self.entries[..index].iter().any(|(earlier, _)| earlier == key) {
                    return Err(at.fault(Mark::Key, de::Error::custom(format_args!("duplicate field `{key}`"))));
                }
            } else if let Some(fields) = deny {
                return Err(at.fault(Mark::Key, de::Error::unknown_field(key, fields)));
            }
        }
        Ok(())
    }

    fn get(&self, name: &str) -> Option<(usize, &'j Json)> {
        self.entries.iter().enumerate().find(|(_, (key, _))| key == name).map(|(index, (_, value))| (index, value))
    }

    fn required<T>(&self, name: &'static str, read: impl FnOnce(&Json, &At) -> Read<T>) -> Read<T> {
        match self.get(name) {
            Some((index, value)) => read(value, &At::Key(self.at, name, index)),
            None => Err(self.at.fault(Mark::ObjectEnd, de::Error::missing_field(name))),
        }
    }

    /// A field that may be left out (serde's `#[serde(default)]`).
    fn or_default<T: Default>(&self, name: &'static str, read: impl FnOnce(&Json, &At) -> Read<T>) -> Read<T> {
        match self.get(name) {
            Some((index, value)) => read(value, &At::Key(self.at, name, index)),
            None => Ok(T::default()),
        }
    }

    /// The variant named by an internally tagged enum's tag.
    fn tag(&self, tag: &'static str, variants: &'static [&'static str]) -> Read<usize> {
        let (index, value) =
            self.get(tag).ok_or_else(|| self.at.fault(Mark::ObjectEnd, de::Error::missing_field(tag)))?;
        match value {
            Json::String(name) => variants
                .iter()
                .position(|variant| variant == name)
                .ok_or_else(|| self.at.fault(Mark::ObjectEnd, de::Error::unknown_variant(name, variants))),
            other => Err(invalid_type(other, &At::Key(self.at, tag, index), "variant identifier")),
        }
    }
}

const DOCUMENT_FIELDS: &[&str] = &["format", "version", "workspace"];
const WORKSPACE_FIELDS: &[&str] = &["teamspace", "ai_agent"];
const TEAMSPACE_FIELDS: &[&str] = &["name", "teams", "agents", "assignment", "canned_replies"];
const TEAM_FIELDS: &[&str] = &["id", "name"];
const AGENT_FIELDS: &[&str] = &["id", "name", "role", "teams"];
const ROLES: &[&str] = &["admin", "agent"];
const ASSIGNMENT_FIELDS: &[&str] = &["method", "auto_assign_cap"];
const METHODS: &[&str] = &["balanced", "round_robin", "random", "voluntary"];
const CANNED_REPLY_FIELDS: &[&str] = &["shortcut", "text"];
const AI_AGENT_FIELDS: &[&str] = &["name", "default_language", "other_languages", "workflow"];
const WORKFLOW_FIELDS: &[&str] = &["triggers"];
const TRIGGER_FIELDS: &[&str] = &["id", "trigger", "actions"];
const TRIGGERS: &[&str] = &["chat_started", "chat_closed_by_live_agent", "message_received", "fallback"];
const MESSAGE_RECEIVED_FIELDS: &[&str] = &["intent", "training_phrases", "excluded_phrases"];
const ACTION_FIELDS: &[&str] = &["id", "label", "enabled", "action", "triggers"];
const ACTIONS: &[&str] =
    &["send_message", "set_chat_variable", "if_else", "human_handoff", "collect_feedback", "jump_to", "close_chat"];
const SEND_MESSAGE_FIELDS: &[&str] = &["text", "buttons"];
const SET_CHAT_VARIABLE_FIELDS: &[&str] = &["name", "value"];
const IF_ELSE_FIELDS: &[&str] = &["condition", "then", "else"];
const HANDOFF_FIELDS: &[&str] = &["availability_check", "assign", "message", "on_close", "on_no_agent"];
const FEEDBACK_FIELDS: &[&str] = &["title", "request", "thank_you", "variable", "comment"];
const JUMP_TO_FIELDS: &[&str] = &["target"];
const VALUES: &[&str] = &["text", "next_reply"];
const CONDITIONS: &[&str] = &["variable_equals", "variable_is_set", "language_is", "live_agent_online"];
const ASSIGNS: &[&str] = &["all_users", "specific_users_or_teams"];
const SPECIFIC_FIELDS: &[&str] = &["targets", "by_language"];
const TARGETS_FIELDS: &[&str] = &["agents", "teams"];
const LANGUAGE_TARGETS: &[&str] = &["default", "own"];

/// The header every document starts with: `format` and `version`, each `None` when left out
/// or `null`, read in the order written; the document's other keys are left to its reader.
pub(crate) fn header(value: &Json) -> Read<(Option<String>, Option<u32>)> {
    let fields = Fields::of(value, &At::Root, "struct Header")?;
    fields.check(&[&["format", "version"]], None)?;
    let (mut format, mut version) = (None, None);
    for (index, (key, value)) in fields.entries.iter().enumerate() {
        let at = At::Key(&At::Root, key, index);
        match (key.as_str(), value) {
            ("format", value) => format = optional_string(value, &at)?,
            ("version", Json::Null) => version = None,
            ("version", value) => version = Some(unsigned(value, &at)?),
            _ => {}
        }
    }
    Ok((format, version))
}

/// The workspace of a workspace document (`{"format", "version", "workspace"}`) whose header
/// `check_header` has already read.
pub(crate) fn workspace_document(value: &Json) -> Read<Workspace> {
    let fields = Fields::strict(value, &At::Root, "struct WorkspaceDocument", DOCUMENT_FIELDS)?;
    fields.required("format", string)?;
    fields.required("version", unsigned)?;
    fields.required("workspace", workspace)
}

pub(crate) fn workspace(value: &Json, at: &At) -> Read<Workspace> {
    let fields = Fields::strict(value, at, "struct Workspace", WORKSPACE_FIELDS)?;
    Ok(Workspace {
        teamspace: fields.required("teamspace", teamspace)?,
        ai_agent: fields.required("ai_agent", ai_agent)?,
    })
}

fn teamspace(value: &Json, at: &At) -> Read<Teamspace> {
    let fields = Fields::strict(value, at, "struct Teamspace", TEAMSPACE_FIELDS)?;
    Ok(Teamspace {
        name: fields.required("name", string)?,
        teams: fields.or_default("teams", |value, at| list(value, at, team))?,
        agents: fields.or_default("agents", |value, at| list(value, at, live_agent))?,
        assignment: fields.or_default("assignment", assignment)?,
        canned_replies: fields.or_default("canned_replies", |value, at| list(value, at, canned_reply))?,
    })
}

fn team(value: &Json, at: &At) -> Read<Team> {
    let fields = Fields::strict(value, at, "struct Team", TEAM_FIELDS)?;
    Ok(Team { id: fields.required("id", team_id)?, name: fields.required("name", string)? })
}

fn live_agent(value: &Json, at: &At) -> Read<LiveAgent> {
    let fields = Fields::strict(value, at, "struct LiveAgent", AGENT_FIELDS)?;
    Ok(LiveAgent {
        id: fields.required("id", agent_id)?,
        name: fields.required("name", string)?,
        role: fields
            .or_default("role", |value, at| Ok([Role::Admin, Role::Agent][name_of(value, at, "enum Role", ROLES)?]))?,
        teams: fields.or_default("teams", |value, at| list(value, at, team_id))?,
    })
}

fn assignment(value: &Json, at: &At) -> Read<ChatAssignment> {
    let fields = Fields::strict(value, at, "struct ChatAssignment", ASSIGNMENT_FIELDS)?;
    const BY_NAME: [AssignmentMethod; 4] = [
        AssignmentMethod::Balanced,
        AssignmentMethod::RoundRobin,
        AssignmentMethod::Random,
        AssignmentMethod::Voluntary,
    ];
    Ok(ChatAssignment {
        method: fields
            .required("method", |value, at| Ok(BY_NAME[name_of(value, at, "enum AssignmentMethod", METHODS)?]))?,
        auto_assign_cap: fields.required("auto_assign_cap", unsigned)?,
    })
}

fn canned_reply(value: &Json, at: &At) -> Read<CannedReply> {
    let fields = Fields::strict(value, at, "struct CannedReply", CANNED_REPLY_FIELDS)?;
    Ok(CannedReply { shortcut: fields.required("shortcut", string)?, text: fields.required("text", string)? })
}

fn ai_agent(value: &Json, at: &At) -> Read<AiAgent> {
    let fields = Fields::strict(value, at, "struct AiAgent", AI_AGENT_FIELDS)?;
    let name = fields.required("name", string)?;
    let default_language = fields.required("default_language", language)?;
    let other_languages = fields.or_default("other_languages", |value, at| list(value, at, language))?;
    let workflow = fields.required("workflow", |value, at| {
        let fields = Fields::strict(value, at, "struct Workflow", WORKFLOW_FIELDS)?;
        let triggers = fields.required("triggers", |value, at| triggers(value, at, &default_language))?;
        Ok(Workflow { triggers })
    })?;
    Ok(AiAgent { name, default_language, other_languages, workflow })
}

fn triggers(value: &Json, at: &At, default: &Language) -> Read<Vec<Trigger>> {
    match value {
        Json::Array(items) => {
            items.iter().enumerate().map(|(index, value)| trigger(value, &At::Index(at, index), default)).collect()
        }
        other => Err(invalid_type(other, at, "a sequence")),
    }
}

fn actions(value: &Json, at: &At, default: &Language) -> Read<Vec<Action>> {
    match value {
        Json::Array(items) => {
            items.iter().enumerate().map(|(index, value)| action(value, &At::Index(at, index), default)).collect()
        }
        other => Err(invalid_type(other, at, "a sequence")),
    }
}

/// A trigger: its id, actions, and the fields of its kind side by side, as serde's
/// `#[serde(flatten)]` wrote them. Keys that belong to nothing are ignored. A version 1 text or
/// phrase list is `default`'s.
pub(crate) fn trigger(value: &Json, at: &At, default: &Language) -> Read<Trigger> {
    let fields = Fields::of(value, at, "struct Trigger")?;
    let id = fields.required("id", node_id)?;
    let variant = fields.tag("trigger", TRIGGERS)?;
    let own: &[&str] = if variant == 2 { MESSAGE_RECEIVED_FIELDS } else { &[] };
    fields.check(&[TRIGGER_FIELDS, own], None)?;
    let kind = match variant {
        0 => TriggerKind::ChatStarted,
        1 => TriggerKind::ChatClosedByLiveAgent,
        2 => TriggerKind::MessageReceived {
            intent: fields.required("intent", string)?,
            training_phrases: fields.required("training_phrases", |value, at| phrases(value, at, default))?,
            excluded_phrases: fields.or_default("excluded_phrases", |value, at| phrases(value, at, default))?,
        },
        _ => TriggerKind::Fallback,
    };
    Ok(Trigger { id, kind, actions: fields.or_default("actions", |value, at| actions(value, at, default))? })
}

/// An action: its own fields and those of its kind side by side. The Human Handoff's and Collect
/// Feedback's settings refuse unknown keys (they did with serde); the other kinds ignore them.
pub(crate) fn action(value: &Json, at: &At, default: &Language) -> Read<Action> {
    let fields = Fields::of(value, at, "struct Action")?;
    let id = fields.required("id", node_id)?;
    let label = fields.or_default("label", optional_string)?;
    let enabled = match fields.get("enabled") {
        Some((index, value)) => boolean(value, &At::Key(at, "enabled", index))?,
        None => true,
    };
    let variant = fields.tag("action", ACTIONS)?;
    let (own, deny): (&[&str], _) = match variant {
        0 => (SEND_MESSAGE_FIELDS, None),
        1 => (SET_CHAT_VARIABLE_FIELDS, None),
        2 => (IF_ELSE_FIELDS, None),
        3 => (HANDOFF_FIELDS, Some(HANDOFF_FIELDS)),
        4 => (FEEDBACK_FIELDS, Some(FEEDBACK_FIELDS)),
        5 => (JUMP_TO_FIELDS, None),
        _ => (&[], None),
    };
    fields.check(&[ACTION_FIELDS, own], deny)?;
    let actions = |value: &Json, at: &At| actions(value, at, default);
    let text = |value: &Json, at: &At| localized(value, at, default);
    let kind = match variant {
        0 => ActionKind::SendMessage {
            text: fields.required("text", text)?,
            buttons: fields.or_default("buttons", |value, at| match value {
                Json::Array(items) => {
                    items.iter().enumerate().map(|(index, value)| text(value, &At::Index(at, index))).collect()
                }
                other => Err(invalid_type(other, at, "a sequence")),
            })?,
        },
        1 => ActionKind::SetChatVariable {
            name: fields.required("name", string)?,
            value: fields.required("value", variable_value)?,
        },
        2 => ActionKind::IfElse {
            condition: fields.required("condition", condition)?,
            then: fields.or_default("then", actions)?,
            otherwise: fields.or_default("else", actions)?,
        },
        3 => ActionKind::HumanHandoff(Handoff {
            availability_check: fields.required("availability_check", boolean)?,
            assign: fields.required("assign", assign)?,
            message: fields.or_default("message", |value, at| optional_localized(value, at, default))?,
            on_close: fields.or_default("on_close", actions)?,
            on_no_agent: fields.or_default("on_no_agent", actions)?,
        }),
        4 => ActionKind::CollectFeedback(Feedback {
            title: fields.required("title", text)?,
            request: fields.required("request", text)?,
            thank_you: fields.required("thank_you", text)?,
            variable: fields.or_default("variable", optional_string)?,
            comment: fields.or_default("comment", boolean)?,
        }),
        5 => ActionKind::JumpTo { target: fields.required("target", node_id)? },
        _ => ActionKind::CloseChat,
    };
    let triggers = fields.or_default("triggers", |value, at| triggers(value, at, default))?;
    Ok(Action { id, label, enabled, kind, triggers })
}

fn variable_value(value: &Json, at: &At) -> Read<VariableValue> {
    let fields = Fields::of(value, at, "internally tagged enum VariableValue")?;
    let variant = fields.tag("from", VALUES)?;
    let own: &[&str] = if variant == 0 { &["text"] } else { &[] };
    fields.check(&[&["from"], own], None)?;
    Ok(match variant {
        0 => VariableValue::Text { text: fields.required("text", string)? },
        _ => VariableValue::NextReply,
    })
}

fn condition(value: &Json, at: &At) -> Read<Condition> {
    let fields = Fields::of(value, at, "internally tagged enum Condition")?;
    let variant = fields.tag("if", CONDITIONS)?;
    let own: &[&str] = match variant {
        0 => &["name", "value"],
        1 => &["name"],
        2 => &["language"],
        _ => &["assign"],
    };
    fields.check(&[&["if"], own], None)?;
    Ok(match variant {
        0 => Condition::VariableEquals {
            name: fields.required("name", string)?,
            value: fields.required("value", string)?,
        },
        1 => Condition::VariableIsSet { name: fields.required("name", string)? },
        2 => Condition::LanguageIs { language: fields.required("language", language)? },
        _ => Condition::LiveAgentOnline { assign: fields.required("assign", assign)? },
    })
}

fn assign(value: &Json, at: &At) -> Read<Assign> {
    let fields = Fields::of(value, at, "internally tagged enum Assign")?;
    let variant = fields.tag("to", ASSIGNS)?;
    let own: &[&str] = if variant == 1 { SPECIFIC_FIELDS } else { &[] };
    fields.check(&[&["to"], own], None)?;
    if variant == 0 {
        return Ok(Assign::AllUsers);
    }
    let by_language = match fields.get("by_language") {
        None | Some((_, Json::Null)) => None,
        Some((index, Json::Object(entries))) => {
            let at = At::Key(at, "by_language", index);
            let mut rows = BTreeMap::new();
            for (entry, (key, value)) in entries.iter().enumerate() {
                // A language written twice keeps its last row, as a map does.
                rows.insert(Language::new(key), language_targets(value, &At::Key(&at, key, entry))?);
            }
            Some(rows)
        }
        Some((index, other)) => return Err(invalid_type(other, &At::Key(at, "by_language", index), "a map")),
    };
    Ok(Assign::SpecificUsersOrTeams { targets: fields.or_default("targets", targets)?, by_language })
}

fn targets(value: &Json, at: &At) -> Read<Targets> {
    let fields = Fields::strict(value, at, "struct Targets", TARGETS_FIELDS)?;
    targets_of(&fields)
}

fn targets_of(fields: &Fields) -> Read<Targets> {
    Ok(Targets {
        agents: fields.or_default("agents", |value, at| list(value, at, agent_id))?,
        teams: fields.or_default("teams", |value, at| list(value, at, team_id))?,
    })
}

fn language_targets(value: &Json, at: &At) -> Read<LanguageTargets> {
    let fields = Fields::of(value, at, "internally tagged enum LanguageTargets")?;
    if fields.tag("use", LANGUAGE_TARGETS)? == 0 {
        fields.check(&[&["use"]], None)?;
        return Ok(LanguageTargets::Default);
    }
    fields.check(&[&["use"], TARGETS_FIELDS], Some(TARGETS_FIELDS))?;
    targets_of(&fields).map(LanguageTargets::Own)
}

// ---------------------------------------------------------------------------------------------
// Finding a path in the text

/// The byte `mark` names for the value at `steps`, found by walking the text (which parsed as
/// JSON) entry by entry. `None` if the text does not hold the path, never a panic.
fn locate(text: &[u8], steps: &[Step], mark: Mark) -> Option<usize> {
    let mut scan = Scan { text, at: 0 };
    let mut key_end = None;
    for step in steps {
        scan.space();
        match step {
            Step::Entry(_, entry) => {
                scan.expect(b'{')?;
                for _ in 0..*entry {
                    scan.space();
                    scan.string()?;
                    scan.space();
                    scan.expect(b':')?;
                    scan.value()?;
                    scan.space();
                    scan.expect(b',')?;
                }
                scan.space();
                key_end = Some(scan.string()?);
                scan.space();
                scan.expect(b':')?;
            }
            Step::Index(index) => {
                scan.expect(b'[')?;
                for _ in 0..*index {
                    scan.value()?;
                    scan.space();
                    scan.expect(b',')?;
                }
            }
        }
    }
    scan.space();
    let start = scan.at;
    let end = scan.value()?;
    match mark {
        Mark::Key => key_end,
        Mark::ObjectEnd => Some(end),
        Mark::Value if matches!(text.get(start), Some(b'{' | b'[')) => Some(start),
        Mark::Value => Some(end),
    }
}

struct Scan<'t> {
    text: &'t [u8],
    at: usize,
}

impl Scan<'_> {
    fn space(&mut self) {
        while matches!(self.text.get(self.at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.text.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// Skips a string; the offset of its closing quote.
    fn string(&mut self) -> Option<usize> {
        self.expect(b'"')?;
        loop {
            match self.text.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(self.at - 1);
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    /// Skips whitespace and a value; the offset of the value's last byte.
    fn value(&mut self) -> Option<usize> {
        self.space();
        match self.text.get(self.at)? {
            b'"' => self.string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.text.get(self.at)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Some(self.at - 1);
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                let start = self.at;
                while !matches!(self.text.get(self.at), None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                {
                    self.at += 1;
                }
                (self.at > start).then(|| self.at - 1)
            }
        }
    }
}

/// 1-based line and column (in bytes) of the byte at `offset`, as serde_json counts them.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
    let line_start = before.iter().rposition(|byte| *byte == b'\n').map_or(0, |at| at + 1);
    (line, offset - line_start + 1)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// An object under construction, its entries in the order written.
struct Object(Vec<(String, Json)>);

impl Object {
    fn new() -> Object {
        Object(Vec::new())
    }

    fn with(mut self, key: &str, value: Json) -> Object {
        self.0.push((key.to_owned(), value));
        self
    }

    fn with_if(self, present: bool, key: &str, value: impl FnOnce() -> Json) -> Object {
        if present { self.with(key, value()) } else { self }
    }

    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

fn text(value: &str) -> Json {
    Json::String(value.to_owned())
}

fn number(value: u32) -> Json {
    Json::Unsigned(u64::from(value))
}

fn array<T>(items: &[T], write: impl Fn(&T) -> Json) -> Json {
    Json::Array(items.iter().map(write).collect())
}

fn texts(items: &[String]) -> Json {
    array(items, |item| text(item))
}

/// A text the AI agent says, as version 2 writes it: `{"en": "Hi!", "fr": "Bonjour !"}`.
fn localized_json(texts: &Localized) -> Json {
    Json::Object(texts.iter().map(|(language, words)| (language.0.clone(), text(words))).collect())
}

fn phrases_json(phrases: &Phrases) -> Json {
    Json::Object(phrases.iter().map(|(language, list)| (language.0.clone(), texts(list))).collect())
}

pub(crate) fn document(format: &str, version: u32, workspace: &Workspace) -> Json {
    Object::new()
        .with("format", text(format))
        .with("version", number(version))
        .with("workspace", workspace_json(workspace))
        .done()
}

pub(crate) fn workspace_json(workspace: &Workspace) -> Json {
    let teamspace = &workspace.teamspace;
    let teamspace = Object::new()
        .with("name", text(&teamspace.name))
        .with(
            "teams",
            array(&teamspace.teams, |team| {
                Object::new().with("id", number(team.id.0)).with("name", text(&team.name)).done()
            }),
        )
        .with(
            "agents",
            array(&teamspace.agents, |agent| {
                Object::new()
                    .with("id", number(agent.id.0))
                    .with("name", text(&agent.name))
                    .with("role", text(ROLES[agent.role as usize]))
                    .with("teams", array(&agent.teams, |team| number(team.0)))
                    .done()
            }),
        )
        .with(
            "assignment",
            Object::new()
                .with("method", text(METHODS[teamspace.assignment.method as usize]))
                .with("auto_assign_cap", number(teamspace.assignment.auto_assign_cap))
                .done(),
        )
        .with(
            "canned_replies",
            array(&teamspace.canned_replies, |reply| {
                Object::new().with("shortcut", text(&reply.shortcut)).with("text", text(&reply.text)).done()
            }),
        )
        .done();
    let ai_agent = &workspace.ai_agent;
    let ai_agent = Object::new()
        .with("name", text(&ai_agent.name))
        .with("default_language", text(ai_agent.default_language.as_str()))
        .with("other_languages", array(&ai_agent.other_languages, |language| text(language.as_str())))
        .with("workflow", Object::new().with("triggers", array(&ai_agent.workflow.triggers, trigger_json)).done())
        .done();
    Object::new().with("teamspace", teamspace).with("ai_agent", ai_agent).done()
}

pub(crate) fn trigger_json(trigger: &Trigger) -> Json {
    let object = Object::new().with("id", number(trigger.id.0));
    let object = match &trigger.kind {
        TriggerKind::ChatStarted => object.with("trigger", text(TRIGGERS[0])),
        TriggerKind::ChatClosedByLiveAgent => object.with("trigger", text(TRIGGERS[1])),
        TriggerKind::MessageReceived { intent, training_phrases, excluded_phrases } => object
            .with("trigger", text(TRIGGERS[2]))
            .with("intent", text(intent))
            .with("training_phrases", phrases_json(training_phrases))
            .with("excluded_phrases", phrases_json(excluded_phrases)),
        TriggerKind::Fallback => object.with("trigger", text(TRIGGERS[3])),
    };
    object.with("actions", array(&trigger.actions, action_json)).done()
}

pub(crate) fn action_json(action: &Action) -> Json {
    let object = Object::new()
        .with("id", number(action.id.0))
        .with_if(action.label.is_some(), "label", || text(action.label.as_deref().unwrap_or_default()))
        .with_if(!action.enabled, "enabled", || Json::Bool(false));
    let actions = |actions: &Vec<Action>| array(actions, action_json);
    let object = match &action.kind {
        ActionKind::SendMessage { text: message, buttons } => object
            .with("action", text(ACTIONS[0]))
            .with("text", localized_json(message))
            .with_if(!buttons.is_empty(), "buttons", || array(buttons, localized_json)),
        ActionKind::SetChatVariable { name, value } => {
            let value = match value {
                VariableValue::Text { text: fixed } => {
                    Object::new().with("from", text(VALUES[0])).with("text", text(fixed)).done()
                }
                VariableValue::NextReply => Object::new().with("from", text(VALUES[1])).done(),
            };
            object.with("action", text(ACTIONS[1])).with("name", text(name)).with("value", value)
        }
        ActionKind::IfElse { condition, then, otherwise } => object
            .with("action", text(ACTIONS[2]))
            .with("condition", condition_json(condition))
            .with("then", actions(then))
            .with("else", actions(otherwise)),
        ActionKind::HumanHandoff(handoff) => object
            .with("action", text(ACTIONS[3]))
            .with("availability_check", Json::Bool(handoff.availability_check))
            .with("assign", assign_json(&handoff.assign))
            .with_if(!handoff.message.is_empty(), "message", || localized_json(&handoff.message))
            .with("on_close", actions(&handoff.on_close))
            .with("on_no_agent", actions(&handoff.on_no_agent)),
        ActionKind::CollectFeedback(feedback) => object
            .with("action", text(ACTIONS[4]))
            .with("title", localized_json(&feedback.title))
            .with("request", localized_json(&feedback.request))
            .with("thank_you", localized_json(&feedback.thank_you))
            .with_if(feedback.variable.is_some(), "variable", || text(feedback.variable.as_deref().unwrap_or_default()))
            .with_if(feedback.comment, "comment", || Json::Bool(true)),
        ActionKind::JumpTo { target } => object.with("action", text(ACTIONS[5])).with("target", number(target.0)),
        ActionKind::CloseChat => object.with("action", text(ACTIONS[6])),
    };
    object.with_if(!action.triggers.is_empty(), "triggers", || array(&action.triggers, trigger_json)).done()
}

fn condition_json(condition: &Condition) -> Json {
    let object = Object::new();
    match condition {
        Condition::VariableEquals { name, value } => {
            object.with("if", text(CONDITIONS[0])).with("name", text(name)).with("value", text(value))
        }
        Condition::VariableIsSet { name } => object.with("if", text(CONDITIONS[1])).with("name", text(name)),
        Condition::LanguageIs { language } => {
            object.with("if", text(CONDITIONS[2])).with("language", text(language.as_str()))
        }
        Condition::LiveAgentOnline { assign } => {
            object.with("if", text(CONDITIONS[3])).with("assign", assign_json(assign))
        }
    }
    .done()
}

fn assign_json(assign: &Assign) -> Json {
    match assign {
        Assign::AllUsers => Object::new().with("to", text(ASSIGNS[0])).done(),
        Assign::SpecificUsersOrTeams { targets, by_language } => {
            let object = targets_into(Object::new().with("to", text(ASSIGNS[1])), "targets", targets);
            let object = match by_language {
                Some(rows) => object.with(
                    "by_language",
                    Json::Object(
                        rows.iter()
                            .map(|(language, row)| {
                                let row = match row {
                                    LanguageTargets::Default => Object::new().with("use", text(LANGUAGE_TARGETS[0])),
                                    LanguageTargets::Own(own) => {
                                        targets_fields(Object::new().with("use", text(LANGUAGE_TARGETS[1])), own)
                                    }
                                };
                                (language.0.clone(), row.done())
                            })
                            .collect(),
                    ),
                ),
                None => object,
            };
            object.done()
        }
    }
}

fn targets_into(object: Object, key: &str, targets: &Targets) -> Object {
    object.with(key, targets_fields(Object::new(), targets).done())
}

fn targets_fields(object: Object, targets: &Targets) -> Object {
    object
        .with("agents", array(&targets.agents, |agent| number(agent.0)))
        .with("teams", array(&targets.teams, |team| number(team.0)))
}

// ---------------------------------------------------------------------------------------------
// serde, for what embeds a workspace (a scenario) and for tests that build parts of one

/// serde's traits for a type of the document, by way of its hand-written reading and writing.
macro_rules! serde_by_hand {
    ($type:ty, $read:ident, $write:ident) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $write(self).serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$type, D::Error> {
                $read(&Json::deserialize(deserializer)?, &At::Root).map_err(Fault::into_custom)
            }
        }
    };
}

/// A trigger or action read on its own (a test's part of a workflow) has no AI agent to say its
/// default language: a version 1 text or phrase list in it is English.
fn trigger_alone(value: &Json, at: &At) -> Read<Trigger> {
    trigger(value, at, &Language::new("en"))
}

fn action_alone(value: &Json, at: &At) -> Read<Action> {
    action(value, at, &Language::new("en"))
}

serde_by_hand!(Workspace, workspace, workspace_json);
serde_by_hand!(Trigger, trigger_alone, trigger_json);
serde_by_hand!(Action, action_alone, action_json);
