//! The shapes the state document keeps the engine's state in: the fields as the engine held
//! them before its types carried them, so that documents written then still load and those
//! written now read the same. The journal's bytes keep the same layout (`journal.rs`).

use serde::{Deserialize, Serialize};

use crate::engine::{AgentState, AgentStatus};
use crate::ids::AgentId;
use crate::protocol::Presence;

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
