//! `cargo xtask serve`: the app on its own server, and the server binary that the end-to-end
//! tests start.
//!
//! `serve` makes the app's release build with Trunk, builds `handoff-server` with the `server`
//! profile (optimised for speed; the release profile is the wasm app's, tuned for download
//! size), and runs it on that build and a data folder, in the foreground until Ctrl-C.

use std::path::PathBuf;

use crate::shell::cmd;
use crate::test::release_build;
use crate::workspace_root;

/// The Cargo profile `cargo xtask serve` builds the server with (see the workspace's Cargo.toml).
const SERVE_PROFILE: &str = "server";

#[derive(Debug, PartialEq, Eq)]
pub struct Arguments {
    demo: bool,
    data: PathBuf,
    listen: Option<String>,
}

pub const USAGE: &str = "usage: cargo xtask serve [--demo] [--data DIR] [--listen ADDR]";

/// `[--demo] [--data DIR] [--listen ADDR]`; the data folder is `./data` unless given, relative
/// to the folder the command is typed in.
pub fn arguments(given: &[String]) -> Result<Arguments, String> {
    let mut parsed = Arguments { demo: false, data: PathBuf::from("data"), listen: None };
    let mut given = given.iter();
    while let Some(flag) = given.next() {
        let mut value = || given.next().cloned().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--demo" => parsed.demo = true,
            "--data" => parsed.data = PathBuf::from(value()?),
            "--listen" => parsed.listen = Some(value()?),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

pub fn run(arguments: Arguments) -> Result<(), String> {
    release_build()?;
    let server =
        build_server(&["build", "--package", "handoff-server", "--bin", "handoff-server", "--profile", SERVE_PROFILE])?;
    // Commands run in the workspace root; the data folder is where the person asked for it.
    let data = std::env::current_dir().map_err(|error| error.to_string())?.join(&arguments.data);
    let dist = workspace_root().join("dist");
    let (data, dist) = (data.to_string_lossy().into_owned(), dist.to_string_lossy().into_owned());
    let mut args = vec!["--dist", dist.as_str(), "--data", data.as_str()];
    if let Some(listen) = &arguments.listen {
        args.extend(["--listen", listen.as_str()]);
    }
    if arguments.demo {
        args.push("--demo");
    }
    // The server prints its data folder, its address, and with --demo the demo passwords.
    cmd(&server.to_string_lossy(), &args).run()
}

/// Runs `cargo ARGS --message-format=json-render-diagnostics` (a build of `handoff-server` among
/// others) and returns where the server binary is, as cargo says: wherever `CARGO_TARGET_DIR`
/// and the profile put it.
pub fn build_server(args: &[&str]) -> Result<PathBuf, String> {
    let mut args = args.to_vec();
    args.push("--message-format=json-render-diagnostics");
    let messages = cmd("cargo", &args).capture()?;
    server_executable(&messages).ok_or_else(|| format!("`cargo {}` built no handoff-server binary", args.join(" ")))
}

/// The `handoff-server` binary in cargo's JSON messages: the artifact of its `bin` target that is
/// not a test harness.
fn server_executable(messages: &str) -> Option<PathBuf> {
    messages.lines().filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok()).find_map(|message| {
        let target = &message["target"];
        let is_server = message["reason"] == "compiler-artifact"
            && target["name"] == "handoff-server"
            && target["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
            && message["profile"]["test"] == false;
        is_server.then(|| message["executable"].as_str().map(PathBuf::from)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::{Arguments, arguments, server_executable};
    use std::path::PathBuf;

    #[test]
    fn serve_takes_demo_data_and_listen_and_refuses_the_rest() {
        let given = |args: &[&str]| arguments(&args.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>());
        assert_eq!(given(&[]), Ok(Arguments { demo: false, data: PathBuf::from("data"), listen: None }));
        assert_eq!(
            given(&["--demo", "--data", "/tmp/d", "--listen", "127.0.0.1:9000"]),
            Ok(Arguments { demo: true, data: PathBuf::from("/tmp/d"), listen: Some("127.0.0.1:9000".to_owned()) })
        );
        assert!(given(&["--data"]).is_err_and(|error| error.starts_with("--data needs a value")));
        assert!(given(&["--port", "1"]).is_err_and(|error| error.starts_with("unknown argument --port")));
    }

    #[test]
    fn the_server_binary_is_its_bin_artifact_not_its_test_harness() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"name":"handoff-server","kind":["bin"]},"profile":{"test":true},"executable":"/t/debug/deps/handoff_server-1"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"handoff-server","kind":["lib"]},"profile":{"test":false},"executable":null}"#,
            r#"{"reason":"build-finished","success":true}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"handoff-server","kind":["bin"]},"profile":{"test":false},"executable":"/t/debug/handoff-server"}"#,
        ]
        .join("\n");
        assert_eq!(server_executable(&messages), Some(PathBuf::from("/t/debug/handoff-server")));
        assert_eq!(server_executable(r#"{"reason":"build-finished","success":true}"#), None);
    }
}
