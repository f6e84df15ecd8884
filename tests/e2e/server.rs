//! A real `handoff-server` for one test: the binary `cargo xtask test` built, on a new data
//! folder and a free loopback port, serving the release build. Each test gets its own, so that
//! each starts with a server nobody has set up.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::browser::required_env;

pub struct Server {
    child: Child,
    /// What the server prints after starting, kept open: it writes to it when it stops.
    _stdout: BufReader<ChildStdout>,
    data: PathBuf,
    /// Where browsers reach it, such as `http://127.0.0.1:41234`.
    pub url: String,
    /// With `--demo`, each live agent's name and the password the server printed once.
    pub demo_passwords: Vec<(String, String)>,
}

impl Server {
    /// Starts the server on a new, empty data folder (`demo`: seeded with the starter workspace
    /// and a password for each live agent) and waits until it listens.
    pub fn start(demo: bool) -> Server {
        static SERVERS: AtomicU32 = AtomicU32::new(0);
        let binary = required_env("HANDOFF_E2E_SERVER_BIN");
        let dist = required_env("HANDOFF_E2E_DIST");
        let number = SERVERS.fetch_add(1, Ordering::Relaxed);
        let data = std::env::temp_dir().join(format!("handoff-e2e-server-{}-{number}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut command = Command::new(&binary);
        // Port 0: the system picks a free port, and the server says which.
        command.args(["--dist", &dist, "--listen", "127.0.0.1:0", "--data"]).arg(&data);
        if demo {
            command.arg("--demo");
        }
        // Its log of every request would bury the test's own output; warnings and errors show.
        command.env("RUST_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut demo_passwords = Vec::new();
        let mut line = String::new();
        let url = loop {
            line.clear();
            let read = stdout.read_line(&mut line).expect("the server's output");
            assert!(read > 0, "the server stopped before it listened");
            if let Some((name, password)) = line.strip_prefix("  ").and_then(|rest| rest.trim_end().split_once(": ")) {
                demo_passwords.push((name.to_owned(), password.to_owned()));
            }
            if let Some((_, origin)) = line.trim_end().split_once(", for pages at ") {
                break origin.to_owned();
            }
        };
        Server { child, _stdout: stdout, data, url, demo_passwords }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
