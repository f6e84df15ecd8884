//! `cargo xtask test`: every check CI runs, in order, with a one-line result per stage.
//!
//! All stages share the workspace's one target folder, so a warm run rebuilds only what changed.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::shell::{cmd, end_group};
use crate::{serve, serve_dist, tools, workspace_root};

type Stage = fn() -> Result<(), String>;

const STAGES: [(&str, Stage); 7] = [
    ("cargo fmt --check", format),
    ("clippy -D warnings (native and wasm32)", clippy),
    ("native tests", native_tests),
    ("component tests in headless Chromium", component_tests),
    ("release build with trunk", release_build),
    ("the server binary (the native tests' build)", server_binary),
    ("end-to-end tests in headless Chromium", || end_to_end_tests(&[])),
];

/// The `handoff-server` binary the end-to-end tests start, once `server_binary` found it.
static SERVER_BINARY: OnceLock<PathBuf> = OnceLock::new();

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    let mut results = Vec::new();
    for (name, stage) in STAGES {
        println!("\nxtask test: ==> {name}");
        let stage_started = Instant::now();
        let outcome = stage();
        let line = format!(
            "{} {name} ({:.1} s)",
            if outcome.is_ok() { "ok  " } else { "FAIL" },
            stage_started.elapsed().as_secs_f64()
        );
        println!("xtask test: {line}");
        results.push(line);
        if let Err(error) = outcome {
            print_summary(&results, started);
            return Err(format!("stage `{name}` failed: {error}"));
        }
    }
    print_summary(&results, started);
    Ok(())
}

fn print_summary(results: &[String], started: Instant) {
    println!("\nxtask test summary ({:.1} s in all):", started.elapsed().as_secs_f64());
    for line in results {
        println!("  {line}");
    }
}

fn format() -> Result<(), String> {
    cmd("cargo", &["fmt", "--all", "--check"]).run()
}

fn clippy() -> Result<(), String> {
    cmd("cargo", &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]).run()?;
    cmd(
        "cargo",
        &[
            "clippy",
            "--package",
            "handoff-studio",
            "--package",
            "handoff",
            "--package",
            "handoff-bench",
            // The app will compile the wire types to wasm: kept buildable there from the start.
            "--package",
            "handoff-wire",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
    .run()
}

fn native_tests() -> Result<(), String> {
    cmd("cargo", &["test", "--workspace"]).run()
}

/// wasm-bindgen-test mounts real components in headless Chromium; the runner reads Chromium's
/// arguments from `webdriver.json` and finds chromedriver through `CHROMEDRIVER`.
fn component_tests() -> Result<(), String> {
    let chromedriver = tools::find("chromedriver").ok_or("chromedriver is not installed")?;
    cmd("cargo", &["test", "--package", "handoff-studio", "--target", "wasm32-unknown-unknown", "--test", "component"])
        .env("CHROMEDRIVER", chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", workspace_root().join("webdriver.json"))
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .run()
}

/// The optimised build a browser would download, into `dist/`.
pub fn release_build() -> Result<(), String> {
    cmd("trunk", &["build", "--release"]).run()
}

/// The server binary for the end-to-end tests: the very one the native tests built for their
/// own tests of the binary (`crates/handoff-server/tests/it/binary.rs`), debug with Argon2
/// optimised (see Cargo.toml). Asking cargo again with the same command and features builds
/// nothing after the native tests, and only says where it is; any other command or profile
/// would compile the server's two hundred dependencies a second time.
pub fn server_binary() -> Result<(), String> {
    let binary = serve::build_server(&["test", "--workspace", "--no-run"])?;
    println!("xtask: the end-to-end tests start {}", binary.display());
    SERVER_BINARY.set(binary).map_err(|_| "the server binary was looked for twice".to_owned())
}

/// Serves `dist/` on a free loopback port, starts chromedriver on another, and runs the
/// end-to-end tests against them, with the path of axe-core's `axe.min.js` for their
/// accessibility checks, and the server binary and the build for the tests that start their
/// own server (each on a new data folder).
pub fn end_to_end_tests(filters: &[String]) -> Result<(), String> {
    let server = SERVER_BINARY.get().ok_or("the server binary is not built")?;
    let app_url = serve_dist::start(&workspace_root().join("dist"))?;
    let chromedriver = tools::find("chromedriver").ok_or("chromedriver is not installed")?;
    let port = free_loopback_port()?;
    let driver =
        cmd(&chromedriver.to_string_lossy(), &[&format!("--port={port}"), "--log-level=WARNING"]).spawn_group()?;
    let outcome = wait_for_port(port, Duration::from_secs(20)).and_then(|()| {
        let mut args = vec!["test", "--package", "handoff-studio", "--features", "e2e", "--test", "e2e", "--"];
        args.extend(filters.iter().map(String::as_str));
        cmd("cargo", &args)
            .env("HANDOFF_E2E_APP_URL", &app_url)
            .env("HANDOFF_E2E_WEBDRIVER_URL", format!("http://127.0.0.1:{port}"))
            .env("HANDOFF_E2E_AXE_JS", tools::axe_core_js())
            .env("HANDOFF_E2E_SERVER_BIN", server)
            .env("HANDOFF_E2E_DIST", workspace_root().join("dist"))
            .run()
    });
    // chromedriver, and any browser still shutting down, would otherwise outlive us.
    end_group(driver);
    outcome
}

fn free_loopback_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("no free loopback port: {error}"))?;
    listener.local_addr().map(|address| address.port()).map_err(|error| error.to_string())
}

fn wait_for_port(port: u16, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listened on port {port} within {limit:?}"))
}
