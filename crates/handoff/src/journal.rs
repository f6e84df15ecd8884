//! The simulated backend's journal records: each accepted event and each state snapshot as
//! compact bytes, for the browser's storage only (people read the JSON documents).
//!
//! The encoding is written out here rather than derived with serde: serde's generated code for
//! `Event` and `State` was most of what linking the browser's backend added to the download.
//! A record is a version byte, then each value in declaration order: integers as LEB128
//! varints, `bool` as 0 or 1, text and lists as a length and their items, `Option` as 0 or
//! 1 and the value, an enum as its variant's number and its fields.
//! Each type's fields are named once, in `record_struct!` or `record_enum!`, which take them apart
//! without `..`: adding a field or a variant without encoding it does not compile.
//! The same encoding carries what a server tells a connected viewer (`viewer`), under a version
//! byte of its own.

use std::collections::BTreeMap;

use crate::document::{DocumentError, check_state};
use crate::engine::{AgentState, Chat, ChatStage, ChatStatus, Counters, Eligibility, State};
use crate::ids::{AgentId, ChatId, Language, NodeId, TeamId, Timestamp};
use crate::protocol::{AssignedBy, Event, Frame, Presence, TransferTarget, Waiting};
use crate::stored::StoredAgent;
use crate::workspace::{AssignmentMethod, ChatAssignment, Workspace};

/// The first byte of every record; a record of another version is refused, not misread.
const JOURNAL_VERSION: u8 = 1;

/// One accepted event, as the journal keeps it.
pub fn event_to_bytes(event: &Event) -> Vec<u8> {
    to_bytes(JOURNAL_VERSION, event)
}

/// Reads an event written by `event_to_bytes`.
pub fn load_event_bytes(bytes: &[u8]) -> Result<Event, DocumentError> {
    from_bytes(bytes, (JOURNAL_VERSION, "journal"), "saved event")
}

/// A snapshot of the engine's state, as the journal keeps it.
pub fn state_to_bytes(state: &State) -> Vec<u8> {
    to_bytes(JOURNAL_VERSION, state)
}

/// Reads a snapshot written by `state_to_bytes` and checks it against its workspace, as
/// `load_state` does.
pub fn load_state_bytes(bytes: &[u8], workspace: &Workspace) -> Result<State, DocumentError> {
    check_state(from_bytes(bytes, (JOURNAL_VERSION, "journal"), "saved snapshot")?, workspace)
}

/// The value's record: `version`, then the value. Also the encoding of what a server sends a
/// viewer (`viewer`), under a version of its own.
pub(crate) fn to_bytes(version: u8, value: &impl Record) -> Vec<u8> {
    let mut writer = Writer(vec![version]);
    value.put(&mut writer);
    writer.0
}

/// Reads a record written by `to_bytes` under `version`, which an error calls a version of
/// `scheme` ("journal"); `what` names the record in an error ("saved event").
pub(crate) fn from_bytes<T: Record>(
    bytes: &[u8],
    (version, scheme): (u8, &str),
    what: &str,
) -> Result<T, DocumentError> {
    match bytes.split_first() {
        Some((&found, rest)) if found == version => {
            let mut reader = Reader { rest, failed: false };
            let value = T::take(&mut reader);
            if reader.failed || !reader.rest.is_empty() {
                return Err(DocumentError::at("", format!("the {what} is damaged")));
            }
            Ok(value)
        }
        Some((found, _)) => {
            Err(DocumentError::at("", format!("the {what} has {scheme} version {found}, not {version}")))
        }
        None => Err(DocumentError::at("", format!("the {what} is empty"))),
    }
}

pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn int(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }
}

/// Reads values back; a read past the end or of a value out of range marks the reader failed
/// and gives a placeholder, so that decoding needs no early return per field.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    pub(crate) failed: bool,
}

impl Reader<'_> {
    pub(crate) fn int(&mut self) -> u64 {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some((&byte, rest)) = self.rest.split_first() else { break };
            self.rest = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
        }
        self.failed = true;
        0
    }

    /// An integer no larger than `max`.
    fn int_at_most(&mut self, max: u64) -> u64 {
        let value = self.int();
        if value > max {
            self.failed = true;
        }
        value.min(max)
    }

    /// A length, which cannot exceed the bytes left since every item takes at least one.
    fn len(&mut self) -> usize {
        let len = self.int();
        if len > self.rest.len() as u64 {
            self.failed = true;
            return 0;
        }
        len as usize
    }
}

pub(crate) trait Record: Sized {
    fn put(&self, writer: &mut Writer);
    fn take(reader: &mut Reader) -> Self;
}

macro_rules! record_int {
    ($($int:ty),*) => {$(
        impl Record for $int {
            fn put(&self, writer: &mut Writer) {
                writer.int(*self as u64);
            }
            fn take(reader: &mut Reader) -> Self {
                reader.int_at_most(<$int>::MAX as u64) as $int
            }
        }
    )*};
}

record_int!(u8, u32, u64, usize);

impl Record for bool {
    fn put(&self, writer: &mut Writer) {
        writer.int(u64::from(*self));
    }
    fn take(reader: &mut Reader) -> Self {
        reader.int_at_most(1) == 1
    }
}

impl Record for String {
    fn put(&self, writer: &mut Writer) {
        writer.int(self.len() as u64);
        writer.0.extend_from_slice(self.as_bytes());
    }
    fn take(reader: &mut Reader) -> Self {
        let len = reader.len();
        let (text, rest) = reader.rest.split_at(len);
        reader.rest = rest;
        String::from_utf8(text.to_vec()).unwrap_or_else(|_| {
            reader.failed = true;
            String::new()
        })
    }
}

impl<T: Record> Record for Option<T> {
    fn put(&self, writer: &mut Writer) {
        self.is_some().put(writer);
        if let Some(value) = self {
            value.put(writer);
        }
    }
    fn take(reader: &mut Reader) -> Self {
        bool::take(reader).then(|| T::take(reader))
    }
}

/// A list as `to_bytes` writes a `Vec` of it, from a slice.
pub(crate) fn list_to_bytes<T: Record>(version: u8, items: &[T]) -> Vec<u8> {
    let mut writer = Writer(vec![version]);
    put_list(items, &mut writer);
    writer.0
}

fn put_list<T: Record>(items: &[T], writer: &mut Writer) {
    writer.int(items.len() as u64);
    for item in items {
        item.put(writer);
    }
}

impl<T: Record> Record for Vec<T> {
    fn put(&self, writer: &mut Writer) {
        put_list(self, writer);
    }
    fn take(reader: &mut Reader) -> Self {
        let len = reader.len();
        (0..len).map(|_| T::take(reader)).collect()
    }
}

impl Record for BTreeMap<String, String> {
    fn put(&self, writer: &mut Writer) {
        writer.int(self.len() as u64);
        for (key, value) in self {
            key.put(writer);
            value.put(writer);
        }
    }
    fn take(reader: &mut Reader) -> Self {
        // Inserted one by one: `collect` would link a sort of its own for a map already in order.
        let mut map = BTreeMap::new();
        for _ in 0..reader.len() {
            map.insert(String::take(reader), String::take(reader));
        }
        map
    }
}

/// A struct, field by field in the order given (which must name them all).
macro_rules! record_struct {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl Record for $name {
            fn put(&self, writer: &mut Writer) {
                let $name { $($field),* } = self;
                $($field.put(writer);)*
            }
            fn take(reader: &mut Reader) -> Self {
                $name { $($field: Record::take(reader)),* }
            }
        }
    )*};
}

/// A newtype over one value.
macro_rules! record_newtype {
    ($($name:ident),*) => {$(
        impl Record for $name {
            fn put(&self, writer: &mut Writer) {
                self.0.put(writer);
            }
            fn take(reader: &mut Reader) -> Self {
                $name(Record::take(reader))
            }
        }
    )*};
}

/// An enum with struct-like and unit variants, each under its number; an unknown number fails
/// the reader and gives `$placeholder`.
macro_rules! record_enum {
    ($name:ident, placeholder $placeholder:expr, { $($tag:literal => $variant:ident $({ $($field:ident),* $(,)? })?),* $(,)? }) => {
        impl Record for $name {
            fn put(&self, writer: &mut Writer) {
                match self {
                    $($name::$variant $({ $($field),* })? => {
                        writer.int($tag);
                        $($($field.put(writer);)*)?
                    })*
                }
            }
            fn take(reader: &mut Reader) -> Self {
                match reader.int() {
                    $($tag => $name::$variant $({ $($field: Record::take(reader)),* })?,)*
                    _ => {
                        reader.failed = true;
                        $placeholder
                    }
                }
            }
        }
    };
}

pub(crate) use {record_enum, record_struct};

record_newtype!(AgentId, TeamId, ChatId, NodeId, Timestamp, Language);

record_struct! {
    ChatAssignment { method, auto_assign_cap }
    StoredAgent { id, signed_in, presence, open_chats, last_assignment, rotation }
    Counters { assignments, automatic_assignments, rotation, queue }
}

record_enum!(Presence, placeholder Presence::Away, { 0 => Online, 1 => Away });
record_enum!(AssignmentMethod, placeholder AssignmentMethod::Voluntary, {
    0 => Balanced, 1 => RoundRobin, 2 => Random, 3 => Voluntary,
});
record_enum!(ChatStage, placeholder ChatStage::Bot, {
    0 => Bot, 1 => Pending { queued }, 2 => Open { assignee }, 3 => Closed { by },
});
record_enum!(Eligibility, placeholder Eligibility::Team { team: TeamId(0) }, {
    0 => Handoff { node, language }, 1 => Team { team },
});
record_enum!(Frame, placeholder Frame::NewSession, {
    0 => After { node }, 1 => HandoffClosed { handoff }, 2 => NewSession, 3 => AskAgain { level },
});
record_enum!(Waiting, placeholder Waiting::Ended, {
    0 => Message { level, then },
    1 => Reply { action, variable, then },
    2 => Feedback { action, then },
    3 => LiveAgent { handoff },
    4 => Ended,
});
record_enum!(Event, placeholder Event::FeedbackSkipped { chat: ChatId(0), at: Timestamp(0) }, {
    0 => AgentSignedIn { agent, at },
    1 => AgentSignedOut { agent, at },
    2 => PresenceChanged { agent, presence, at },
    3 => AssignmentChanged { assignment, at },
    4 => ChatStarted { chat, language, at },
    5 => CustomerMessage { chat, text, at },
    6 => AiMessage { chat, node, text, buttons, at },
    7 => FeedbackRequested { chat, node, title, request, at },
    8 => FeedbackGiven { chat, rating, comment, at },
    9 => FeedbackSkipped { chat, at },
    10 => VariableSet { chat, name, value },
    11 => FlowWaiting { chat, waiting },
    12 => SessionStarted { chat, at },
    13 => SessionEnded { chat, node, at },
    14 => WorkflowStopped { chat, node, at },
    15 => NoAgentAvailable { chat, handoff, subtree, at },
    16 => HandedOff { chat, handoff, at },
    17 => Queued { chat, position, at },
    18 => Assigned { chat, agent, by, at },
    19 => AgentMessage { chat, agent, text, at },
    20 => NoteAdded { chat, agent, text, at },
    21 => Transferred { chat, from, to, at },
    22 => Unassigned { chat, from, at },
    23 => ChatClosed { chat, by, at },
});

impl Record for TransferTarget {
    fn put(&self, writer: &mut Writer) {
        match self {
            TransferTarget::Agent(agent) => (0u8, agent.0).put(writer),
            TransferTarget::Team(team) => (1u8, team.0).put(writer),
        }
    }
    fn take(reader: &mut Reader) -> Self {
        match <(u8, u32)>::take(reader) {
            (0, agent) => TransferTarget::Agent(AgentId(agent)),
            (1, team) => TransferTarget::Team(TeamId(team)),
            _ => {
                reader.failed = true;
                TransferTarget::Team(TeamId(0))
            }
        }
    }
}

impl Record for AssignedBy {
    fn put(&self, writer: &mut Writer) {
        match self {
            AssignedBy::Method(method) => {
                writer.int(0);
                method.put(writer);
            }
            AssignedBy::Claim => writer.int(1),
            AssignedBy::Transfer => writer.int(2),
            AssignedBy::Takeover => writer.int(3),
        }
    }
    fn take(reader: &mut Reader) -> Self {
        match reader.int() {
            0 => AssignedBy::Method(AssignmentMethod::take(reader)),
            1 => AssignedBy::Claim,
            2 => AssignedBy::Transfer,
            3 => AssignedBy::Takeover,
            _ => {
                reader.failed = true;
                AssignedBy::Claim
            }
        }
    }
}

/// In the layout it always had (`stored::StoredChat`): the status as a `ChatStage`, with the
/// eligibility and how it was assigned in fields of their own. Written field by field rather
/// than through a `StoredChat`, which would copy the transcript for every snapshot.
impl Record for Chat {
    fn put(&self, writer: &mut Writer) {
        let Chat { id, language, started_at, status, version, handoff, variables, waiting, transcript } = self;
        id.put(writer);
        language.put(writer);
        started_at.put(writer);
        status.stage().put(writer);
        version.put(writer);
        status.eligibility().cloned().put(writer);
        handoff.put(writer);
        status.assigned_by().put(writer);
        variables.put(writer);
        waiting.put(writer);
        transcript.put(writer);
    }
    fn take(reader: &mut Reader) -> Self {
        let id = ChatId::take(reader);
        let language = Language::take(reader);
        let started_at = Timestamp::take(reader);
        let stage = ChatStage::take(reader);
        let version = u32::take(reader);
        let eligibility = Record::take(reader);
        let handoff = Record::take(reader);
        let assigned_by = Record::take(reader);
        let status = ChatStatus::from_parts(stage, eligibility, assigned_by).unwrap_or_else(|_| {
            reader.failed = true;
            ChatStatus::Bot
        });
        let (variables, waiting, transcript) = (Record::take(reader), Record::take(reader), Record::take(reader));
        Chat { id, language, started_at, status, version, handoff, variables, waiting, transcript }
    }
}

/// In the layout it always had: `signed_in`, then `presence` (`StoredAgent`).
impl Record for AgentState {
    fn put(&self, writer: &mut Writer) {
        StoredAgent::from(self.clone()).put(writer);
    }
    fn take(reader: &mut Reader) -> Self {
        StoredAgent::take(reader).into()
    }
}

impl<T: Record> Record for Box<T> {
    fn put(&self, writer: &mut Writer) {
        T::put(self, writer);
    }
    fn take(reader: &mut Reader) -> Self {
        Box::new(T::take(reader))
    }
}

impl<A: Record, B: Record> Record for (A, B) {
    fn put(&self, writer: &mut Writer) {
        self.0.put(writer);
        self.1.put(writer);
    }
    fn take(reader: &mut Reader) -> Self {
        (A::take(reader), B::take(reader))
    }
}

/// The chats in id order, each under its key, so that snapshots of the same state are the same bytes.
impl Record for State {
    fn put(&self, writer: &mut Writer) {
        let State { seed, assignment, agents, chats, counters } = self;
        seed.put(writer);
        assignment.put(writer);
        agents.put(writer);
        let mut ids: Vec<ChatId> = chats.keys().copied().collect();
        ids.sort_unstable();
        writer.int(ids.len() as u64);
        for id in ids {
            id.put(writer);
            chats[&id].put(writer);
        }
        counters.put(writer);
    }
    fn take(reader: &mut Reader) -> Self {
        let seed = u64::take(reader);
        let assignment = ChatAssignment::take(reader);
        let agents = Vec::take(reader);
        let len = reader.len();
        let chats = (0..len).map(|_| <(ChatId, Chat)>::take(reader)).collect();
        let counters = Counters::take(reader);
        State { seed, assignment, agents, chats, counters }
    }
}
