//! The domain crate's one integration-test binary.

mod demo;
mod documents;
mod edit;
mod engine;
mod explain;
#[cfg(not(target_arch = "wasm32"))]
mod fuzz;
mod inbox;
mod intents;
mod ledger;
mod legacy_records;
mod matching;
mod node_edit;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod purity;
mod rejections;
mod starter;
mod support;
mod teamspace_edit;
mod translations;
mod validation;
mod viewer;
mod widget;
mod workspace_changes;
