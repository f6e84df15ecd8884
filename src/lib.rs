//! Handoff Studio's single-page app: the shell (header, navigation, routes) and its pages.
//!
//! The app only carries out what the domain crate `handoff` decides; it holds no rule of its own.

pub mod account;
pub mod backend;
pub mod editor;
pub mod history;
pub mod inbox;
pub mod pages;
pub mod preview;
pub mod remote;
mod router;
pub mod settings;
mod shell;
mod storage;
pub mod workspace_store;

pub use pages::{SECTIONS, Section};
pub use shell::{App, Header, ServerApp};
