//! End-to-end tests: the release build, served on a loopback port, driven in headless Chromium
//! through chromedriver.
//!
//! `cargo xtask test` builds and serves the app, starts chromedriver, and runs these with the
//! `e2e` feature, the two addresses in `HANDOFF_E2E_APP_URL` and `HANDOFF_E2E_WEBDRIVER_URL`,
//! in `HANDOFF_E2E_AXE_JS` the path of the axe-core script the accessibility checks inject, and
//! for the tests of the app on its server (`accounts.rs`, `live.rs`, `preview_on_server.rs`), which start one server each, the
//! server binary in `HANDOFF_E2E_SERVER_BIN` and the release build in `HANDOFF_E2E_DIST`.

#![cfg(not(target_arch = "wasm32"))]

mod accessibility;
mod accounts;
mod browser;
mod conversations;
mod editor;
mod live;
mod preview_on_server;
mod server;
mod shell;
