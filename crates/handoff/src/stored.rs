//! The shapes the state document keeps the engine's state in: the fields as the engine held
//! them before its types carried them, so that documents written then still load and those
//! written now read the same. The journal's bytes keep the same layout (`journal.rs`).
//! A stored chat whose status lacks what its stage needs (an open chat without its eligibility)
//! is refused: no build wrote one.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::engine::{AgentState, AgentStatus, Chat, ChatStage, ChatStatus, Eligibility};
use crate::ids::{AgentId, ChatId, Language, NodeId, Timestamp};
use crate::protocol::{AssignedBy, Event, Presence, Waiting};

/// An `AgentState` with `signed_in` and `presence` side by side. A signed-out agent is written
/// Away, as a fresh one always was; whatever presence an old document gives a signed-out
/// agent is dropped.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredAgent {
    pub id: AgentId,
    pub signed_in: bool,
    pub presence: Presence,
    pub open_chats: u32,
    pub last_assignment: u64,
    pub rotation: u64,
}

impl From<StoredAgent> for AgentState {
    fn from(stored: StoredAgent) -> AgentState {
        let StoredAgent { id, signed_in, presence, open_chats, last_assignment, rotation } = stored;
        let status = if signed_in { AgentStatus::signed_in(presence) } else { AgentStatus::SignedOut };
        AgentState { id, status, open_chats, last_assignment, rotation }
    }
}

impl From<AgentState> for StoredAgent {
    fn from(state: AgentState) -> StoredAgent {
        let AgentState { id, status, open_chats, last_assignment, rotation } = state;
        let presence = status.presence().unwrap_or(Presence::Away);
        StoredAgent { id, signed_in: status.is_signed_in(), presence, open_chats, last_assignment, rotation }
    }
}

/// A `Chat` with its status as a `ChatStage`, and the eligibility and how it was assigned in
/// fields of their own beside it, in the order they always had.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredChat {
    pub id: ChatId,
    pub language: Language,
    pub started_at: Timestamp,
    pub status: ChatStage,
    pub version: u32,
    pub eligibility: Option<Eligibility>,
    pub handoff: Option<NodeId>,
    pub assigned_by: Option<AssignedBy>,
    pub variables: BTreeMap<String, String>,
    pub waiting: Waiting,
    pub transcript: Vec<Event>,
}

impl TryFrom<StoredChat> for Chat {
    type Error = &'static str;

    fn try_from(stored: StoredChat) -> Result<Chat, &'static str> {
        let StoredChat {
            id,
            language,
            started_at,
            status,
            version,
            eligibility,
            handoff,
            assigned_by,
            variables,
            waiting,
            transcript,
        } = stored;
        let status = ChatStatus::from_parts(status, eligibility, assigned_by)?;
        Ok(Chat { id, language, started_at, status, version, handoff, variables, waiting, transcript })
    }
}

impl From<Chat> for StoredChat {
    fn from(chat: Chat) -> StoredChat {
        let Chat { id, language, started_at, status, version, handoff, variables, waiting, transcript } = chat;
        StoredChat {
            id,
            language,
            started_at,
            version,
            eligibility: status.eligibility().cloned(),
            handoff,
            assigned_by: status.assigned_by(),
            status: status.stage(),
            variables,
            waiting,
            transcript,
        }
    }
}
