//! Project automation, run as `cargo xtask <command>` (the cargo-xtask pattern).
//!
//! Every command first installs what it needs and is missing, saying what and why, so that a
//! fresh Debian machine with only rustup's stable toolchain needs nothing done by hand.

mod bench;
mod bench_server;
mod bench_ui;
mod serve;
mod serve_dist;
mod shell;
mod size;
mod test;
#[cfg(test)]
mod tidy;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--demo] [--data DIR] [--listen ADDR]
            install what is missing, build the app (release) and the server, and run the server
            on them: the app with accounts and the workspace on the server, at
            http://127.0.0.1:8080 unless --listen says otherwise; data in ./data unless --data
            says otherwise; --demo seeds an empty data folder with the starter workspace and
            prints a password for each live agent
  serve-static
            install what is missing, then serve the app alone at http://127.0.0.1:8080 with
            Trunk, rebuilt on every change (the simulated backend, in the browser)
  test      install what is missing, then fmt, clippy, native tests, browser component tests,
            a release build and the end-to-end tests against it
  e2e       a release build, then only the end-to-end tests; any further arguments (such as a
            test name) are passed to the test binary
  size      a release build, then the brotli-compressed size of the app's wasm and JS
  bench     the engine benchmark natively (criterion) and in wasm; ends with `engine decisions/s: N`
  bench-ui  the UI benchmarks in headless Chromium, built with optimisations; ends with one
            `ui NAME: VALUE ms` line per figure (a median of several runs), with its target if any
  bench-server  the server, fully optimised, on loopback, driven by the load generator
            (crates/handoff-load); one `server NAME: VALUE UNIT` line per figure
  install   install what the other commands need, and nothing else";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::arguments(&args[1..])
            .and_then(|arguments| tools::ensure(tools::Needs::Build).map(|()| arguments))
            .and_then(serve::run),
        Some("serve-static") => tools::ensure(tools::Needs::Build).and_then(|()| serve_static()),
        Some("test") => tools::ensure(tools::Needs::BrowserTests).and_then(|()| test::run()),
        Some("e2e") => tools::ensure(tools::Needs::BrowserTests)
            .and_then(|()| test::release_build())
            .and_then(|()| test::server_binary())
            .and_then(|()| test::end_to_end_tests(&args[1..])),
        Some("size") => tools::ensure(tools::Needs::Build).and_then(|()| size::run()),
        Some("bench") => tools::ensure(tools::Needs::Build).and_then(|()| bench::run()),
        Some("bench-ui") => tools::ensure(tools::Needs::BrowserTests).and_then(|()| bench_ui::run()),
        Some("bench-server") => bench_server::run(),
        Some("install") => tools::ensure(tools::Needs::BrowserTests),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one folder below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits inside the workspace").to_path_buf()
}

fn serve_static() -> Result<(), String> {
    println!("Serving the app alone at http://127.0.0.1:8080, on the simulated backend (Ctrl-C stops it)");
    shell::cmd("trunk", &["serve", "--address", "127.0.0.1", "--port", "8080"]).run()
}
