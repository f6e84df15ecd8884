//! `cargo xtask bench-server`: the server built with full optimisation (the `server` profile),
//! started on loopback on an empty data folder with `--demo`, driven by `handoff-load` (its
//! README is its doc comment), then stopped. Prints each figure as `server NAME: VALUE UNIT`.
//!
//! `BENCH_SOCKETS` (10,000), `BENCH_SECONDS` (20) and `BENCH_RATE` (chats handed off a second,
//! 20) change the load; `BENCH_WATCHERS` (names, comma-separated) whose sessions hold the
//! sockets (by default the demo's agents of the teams the load does not reach).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::cmd;

fn setting(name: &str, default: u64) -> String {
    std::env::var(name).ok().filter(|value| value.parse::<u64>().is_ok()).unwrap_or_else(|| default.to_string())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::workspace_root().join("target"), PathBuf::from)
}

pub fn run() -> Result<(), String> {
    println!("xtask bench-server: building the server and the load generator (the server profile)");
    cmd("cargo", &["build", "--profile", "server", "--package", "handoff-server", "--package", "handoff-load"])
        .run()?;
    let binaries = target_dir().join("server");
    let data = std::env::temp_dir().join(format!("handoff-bench-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|error| format!("no free loopback port: {error}"))?
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(binaries.join("handoff-server"))
        // Every socket of the load comes from loopback, one address; its customers send back to
        // back, far faster than a person types.
        .args(["--demo", "--sockets-per-address", "100000", "--chat-commands-per-second", "1000000"])
        .args(["--listen", &address, "--data"])
        .arg(&data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not start the server: {error}"))?;
    let outcome = drive(&mut server, &binaries, &address);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    outcome
}

/// Reads the demo passwords the server prints once, waits until it listens, runs the load.
fn drive(server: &mut std::process::Child, binaries: &std::path::Path, address: &str) -> Result<(), String> {
    let stdout = server.stdout.take().ok_or("the server's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut agents = Vec::new();
    let started = Instant::now();
    loop {
        let line = lines.next().ok_or("the server stopped before it listened")?.map_err(|error| error.to_string())?;
        if let Some((name, password)) = line.strip_prefix("  ").and_then(|line| line.split_once(": ")) {
            agents.push(format!("{name}={password}"));
        }
        if line.contains("listening on") {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err("the server did not start listening within a minute".to_owned());
        }
    }
    // The rest of its output is not needed, but must not fill the pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let (sockets, seconds, rate) =
        (setting("BENCH_SOCKETS", 10_000), setting("BENCH_SECONDS", 20), setting("BENCH_RATE", 20));
    println!("xtask bench-server: {sockets} sockets, then {rate} chats a second for {seconds} s");
    let url = format!("http://{address}");
    let pid = server.id().to_string();
    let mut arguments = vec!["--url", &url, "--sockets", &sockets, "--seconds", &seconds, "--rate", &rate];
    arguments.extend(["--server-pid", &pid]);
    for agent in &agents {
        arguments.extend(["--agent", agent]);
    }
    let watchers = std::env::var("BENCH_WATCHERS").unwrap_or_default();
    if !watchers.is_empty() {
        arguments.extend(["--watchers", &watchers]);
    }
    let load = binaries.join("handoff-load");
    cmd(load.to_str().ok_or("a path in UTF-8")?, &arguments).run()
}
