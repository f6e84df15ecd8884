//! Handoff Studio's server: the built app and an HTTP API over the same `handoff` engine as
//! the browser, every accepted command's events committed to SQLite before it is answered.
//!
//! - `journal`: `handoff::ledger::Journal` over SQL (`SqlJournal`).
//! - `server`: the state every request shares (`AppState`): the database, the ledger, the
//!   workspace, the writers' lock and the turns at Argon2.
//! - `api`: `app(state, dist)`, the router; sessions, the Origin rule.
//! - `limits`: the rate limits per client address, kept in the state and pruned.
//! - `listeners`: the open sockets by viewer, which of them a batch concerns, recent batches.
//! - `socket`: the WebSocket, over which each tab's replica of what it may see is kept.
//! - `secret`: tokens, their hashes, Argon2id passwords.
//! - `error`: `ApiError`, the one error type, which becomes a response.

pub mod api;
pub mod error;
pub mod journal;
pub mod limits;
pub mod listeners;
pub mod secret;
pub mod server;
pub mod socket;

pub use api::app;
pub use error::ApiError;
pub use journal::SqlJournal;
pub use server::{AppState, Config, Started};
