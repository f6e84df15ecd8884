//! A real `handoff-server` for one test: the binary `cargo xtask test` built, on a new data
//! folder and a free loopback port, serving the release build. Each test gets its own, so that
//! each starts with a server nobody has set up.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
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
        let number = SERVERS.fetch_add(1, Ordering::Relaxed);
        let data = std::env::temp_dir().join(format!("handoff-e2e-server-{}-{number}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        // Port 0: the system picks a free port, and the server says which.
        let (child, stdout, url, demo_passwords) = spawn(&data, "127.0.0.1:0", demo);
        Server { child, _stdout: stdout, data, url, demo_passwords }
    }

    /// Stops the server at once (as a crash would), leaving its data folder as it is.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the stopped server again on the same data folder and address.
    pub fn restart(&mut self) {
        let address = self.url.trim_start_matches("http://").to_owned();
        let (child, stdout, url, _) = spawn(&self.data, &address, false);
        assert_eq!(url, self.url, "the same address as before");
        self.child = child;
        self._stdout = stdout;
    }
}

/// Starts the server binary on `data`, listening on `listen`, and waits until it listens: the
/// process, its output, the address it serves pages at and any demo passwords it printed.
fn spawn(data: &Path, listen: &str, demo: bool) -> (Child, BufReader<ChildStdout>, String, Vec<(String, String)>) {
    let binary = required_env("HANDOFF_E2E_SERVER_BIN");
    let dist = required_env("HANDOFF_E2E_DIST");
    let mut command = Command::new(&binary);
    command.args(["--dist", &dist, "--listen", listen, "--data"]).arg(data);
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
    (child, stdout, url, demo_passwords)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// An answer of the server's HTTP API: its status, its headers as sent, its body.
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Server {
    /// One HTTP/1.1 call to the server, as a client that is no browser makes it (the customer's
    /// widget on another site, or a script): `headers` are sent as given, one `Name: value` each.
    pub fn call(&self, method: &str, path: &str, headers: &[String], body: &str) -> Answer {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("the server listens");
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
        for header in headers {
            request.push_str(&format!("{header}\r\n"));
        }
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).expect("the request is sent");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("the answer");
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head.split(' ').nth(1).and_then(|status| status.parse().ok()).expect("a status");
        Answer { status, headers: head.to_owned(), body: body.to_owned() }
    }

    /// Signs `name` in over the API, as a script would; the session's cookie.
    pub fn sign_in(&self, name: &str) -> String {
        let password = self.password(name);
        let body = serde_json::json!({"name": name, "password": password}).to_string();
        let answer = self.call("POST", "/api/session", &[format!("Origin: {}", self.url)], &body);
        assert_eq!(answer.status, 200, "{name} signs in: {}", answer.body);
        let cookie = answer.headers.lines().find_map(|line| {
            let (name, value) = line.split_once(": ")?;
            name.eq_ignore_ascii_case("set-cookie").then(|| value.split(';').next().unwrap_or_default().to_owned())
        });
        cookie.expect("a session cookie")
    }

    /// A staff command over the API under a new idempotency key, with the session's cookie.
    pub fn command(&self, cookie: &str, command: serde_json::Value) -> Answer {
        let key = format!("e2e-{}-{}", std::process::id(), KEYS.fetch_add(1, Ordering::Relaxed));
        let body = serde_json::json!({"key": key, "command": command}).to_string();
        self.call("POST", "/api/commands", &[format!("Origin: {}", self.url), format!("Cookie: {cookie}")], &body)
    }

    /// The password `--demo` printed for `name`.
    pub fn password(&self, name: &str) -> String {
        let found = self.demo_passwords.iter().find(|(agent, _)| agent == name);
        found.unwrap_or_else(|| panic!("no demo password for {name}: {:?}", self.demo_passwords)).1.clone()
    }
}

static KEYS: AtomicU32 = AtomicU32::new(0);

/// A customer of one chat, driven through the public HTTP API as the widget on a customer's
/// site would drive it.
pub struct Customer {
    pub chat: u64,
    token: String,
}

impl Customer {
    /// Starts a chat in `language`.
    pub fn start(server: &Server, language: &str) -> Customer {
        let answer = server.call("POST", "/api/chats", &[], &serde_json::json!({"language": language}).to_string());
        assert_eq!(answer.status, 201, "the chat starts: {}", answer.body);
        let started: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
        Customer {
            chat: started["chat"].as_u64().expect("its number"),
            token: started["token"].as_str().expect("its token").to_owned(),
        }
    }

    pub fn says(&self, server: &Server, text: &str) {
        let key = format!("e2e-{}-{}", std::process::id(), KEYS.fetch_add(1, Ordering::Relaxed));
        let body = serde_json::json!({"key": key, "action": {"command": "message", "text": text}}).to_string();
        let path = format!("/api/chats/{}/commands", self.chat);
        let answer = server.call("POST", &path, &[format!("Authorization: Bearer {}", self.token)], &body);
        assert_eq!(answer.status, 200, "the customer's message is taken: {}", answer.body);
    }
}
