//! The domain of Handoff Studio: teamspaces, live agents, the workflow tree, human handoff,
//! chat assignment and the chat lifecycle.
//!
//! This crate is pure.
//! It does no IO, reads no clock and draws no randomness of its own: time, new ids and random
//! seeds are arguments, so it behaves the same natively, in wasm, in tests and on the server.
//! `tests/it/purity.rs` keeps its dependency list free of anything that could break that.
//!
//! The engine takes a `Command` and a time, and answers with the `Event`s it decided, or a
//! `Rejection`; `Engine::apply` replays events.

pub mod customer_words;
pub mod demo;
pub mod document;
pub mod edit;
pub mod engine;
pub mod explain;
pub mod fold;
pub mod ids;
pub mod inbox;
pub mod journal;
pub mod ledger;
pub mod localized;
pub mod matching;
pub mod node_edit;
mod pools;
pub mod protocol;
pub mod scenario;
mod stored;
pub mod teamspace_edit;
pub mod validate;
pub mod viewer;
pub mod widget;
pub mod workflow;
pub mod workspace;
mod workspace_json;

pub use document::{DocumentError, load_state, load_workspace, starter_workspace, state_to_json, workspace_to_json};
pub use engine::{AgentState, AgentStatus, Chat, ChatStage, ChatStatus, Eligibility, Engine, Misfit, State};
pub use explain::{AgentVerdict, Availability, Explanation, Verdict};
pub use ids::{AgentId, ChatId, Language, NodeId, TeamId, Timestamp};
pub use journal::{event_to_bytes, load_event_bytes, load_state_bytes, state_to_bytes};
pub use localized::Localized;
pub use protocol::{AssignedBy, Command, Event, Frame, Presence, RATINGS, Rejection, TransferTarget, Waiting};
pub use scenario::{Report, Scenario, load_scenario, run_scenario};
pub use teamspace_edit::SettingsError;
pub use validate::{Problem, ProblemKind, Referent, Severity, Usage, usages, validate};
pub use workspace::{AssignmentMethod, ChatAssignment, Workspace};
