//! The domain of Handoff Studio: teamspaces, live agents, the workflow tree, human handoff,
//! chat assignment and the chat lifecycle.
//!
//! This crate is pure.
//! It does no IO, reads no clock and draws no randomness of its own: time, new ids and random
//! seeds are arguments, so it behaves the same natively, in wasm, in tests and on the server.
//! `tests/it/purity.rs` keeps its dependency list free of anything that could break that.
