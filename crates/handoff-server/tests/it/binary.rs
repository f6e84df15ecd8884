//! The real binary: an acknowledged message survives `kill -9`, and so does every one of
//! concurrent customers' killed at five moments, none half applied nor applied twice; the app's
//! files are served with the single-page app's fallback and compressed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use handoff::{ChatId, Event};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Starts `handoff-server` on a free port; the child, the address it listens on, and what it
/// printed before.
fn start(data: &std::path::Path) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff-server"))
        // Its concurrent customers send back to back, far faster than a person types.
        .args(["--listen", "127.0.0.1:0", "--demo", "--chat-commands-per-second", "1000000", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("its output");
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let address = loop {
        let line = lines.next().expect("it says where it listens").expect("a line");
        if let Some(rest) = line.strip_prefix("handoff-server: listening on ") {
            break rest.split(',').next().expect("an address").to_owned();
        }
        printed.push(line);
    };
    (child, address, printed)
}

/// One HTTP/1.1 request by hand; the status and the JSON body.
fn post(address: &str, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).expect("connects");
    let body = body.to_string();
    let authorization = token.map(|token| format!("Authorization: Bearer {token}\r\n")).unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("an answer");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.split(' ').nth(1).and_then(|status| status.parse().ok()).expect("a status");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_acknowledged_message_survives_kill_9() {
    let dir = tempfile::tempdir().expect("a folder");
    let (mut child, address, printed) = start(dir.path());
    let passwords = printed.iter().filter(|line| line.starts_with("  ")).count();
    assert_eq!(passwords, 6, "each demo agent's password, once: {printed:?}");
    let (status, started) = post(&address, "/api/chats", None, &json!({"language": "en"}));
    assert_eq!(status, 201, "{started}");
    let chat = started["chat"].as_u64().expect("a chat");
    let token = started["token"].as_str().expect("a token");
    let message = json!({"key": "m1", "action": {"command": "message", "text": "Remember me"}});
    let (status, outcome) = post(&address, &format!("/api/chats/{chat}/commands"), Some(token), &message);
    assert_eq!(status, 200, "{outcome}");
    child.kill().expect("killed"); // SIGKILL: no shutdown, no flush.
    child.wait().expect("gone");

    // Started again, it prints no password: the database keeps only their hashes.
    let (mut again, _, printed) = start(dir.path());
    assert!(printed.iter().all(|line| !line.starts_with("  ")), "{printed:?}");
    again.kill().expect("killed");
    again.wait().expect("gone");

    let opened = handoff_server::AppState::open(dir.path(), crate::support::config(), false).await.expect("opens");
    let chat = ChatId(u32::try_from(chat).expect("small"));
    let kept = opened
        .state
        .read(|engine| {
            engine.chat(chat).is_some_and(|chat| {
                chat.transcript
                    .iter()
                    .any(|event| matches!(event, Event::CustomerMessage { text, .. } if text == "Remember me"))
            })
        })
        .await;
    assert!(kept, "the acknowledged message is in the rebuilt engine");
    let first = outcome["first"].as_u64().expect("a number");
    assert!(opened.state.position().await > first);
}

/// A customer that sends numbered messages until the server goes away; each acknowledged
/// one is remembered, and the one cut off is sent again, with its key, after the restart.
struct Sender {
    chat: u64,
    token: String,
    next: u32,
    acknowledged: Vec<String>,
    /// A message sent whose answer never came: it may or may not have been stored.
    unanswered: Option<(String, String)>,
}

impl Sender {
    fn text(&self, number: u32) -> String {
        format!("chat {} line {number}", self.chat)
    }

    /// Sends until a request fails (the server was killed) or `limit` messages are answered.
    fn run(&mut self, address: &str, limit: u32) {
        if let Some((key, text)) = self.unanswered.take() {
            // Again with the same key: applied once, whether or not the first attempt was.
            if !self.send(address, key, text) {
                return;
            }
        }
        for _ in 0..limit {
            let (key, text) = (format!("{}-{}", self.chat, self.next), self.text(self.next));
            self.next += 1;
            if !self.send(address, key, text) {
                return;
            }
        }
    }

    /// Whether the message was acknowledged; if not, it is kept as cut off.
    fn send(&mut self, address: &str, key: String, text: String) -> bool {
        let path = format!("/api/chats/{}/commands", self.chat);
        let message = json!({"key": key, "action": {"command": "message", "text": text}});
        match try_post(address, &path, Some(&self.token), &message) {
            Some((200, _)) => {
                self.acknowledged.push(text);
                true
            }
            _ => {
                self.unanswered = Some((key, text));
                false
            }
        }
    }
}

/// `post`, or `None` when the server is not there or goes away mid-answer.
fn try_post(address: &str, path: &str, token: Option<&str>, body: &Value) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect(address).ok()?;
    let body = body.to_string();
    let authorization = token.map(|token| format!("Authorization: Bearer {token}\r\n")).unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

#[tokio::test]
async fn every_acknowledged_message_of_concurrent_customers_survives_kill_9_at_random_moments() {
    let dir = tempfile::tempdir().expect("a folder");
    let (mut child, mut address, _) = start(dir.path());
    let mut senders: Vec<Sender> = (0..4)
        .map(|_| {
            let (status, started) = post(&address, "/api/chats", None, &json!({"language": "en"}));
            assert_eq!(status, 201, "{started}");
            let chat = started["chat"].as_u64().expect("a chat");
            let token = started["token"].as_str().expect("a token").to_owned();
            Sender { chat, token, next: 0, acknowledged: Vec::new(), unanswered: None }
        })
        .collect();
    // Killed at moments that vary from round to round (a fixed sequence, so a failure repeats).
    for (round, pause) in [70_u64, 230, 20, 150, 310].into_iter().enumerate() {
        let running: Vec<_> = senders
            .drain(..)
            .map(|mut sender| {
                let address = address.clone();
                std::thread::spawn(move || {
                    sender.run(&address, 10_000);
                    sender
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(pause));
        child.kill().expect("killed"); // SIGKILL: no shutdown, no flush.
        child.wait().expect("gone");
        senders = running.into_iter().map(|thread| thread.join().expect("a sender")).collect();
        let acknowledged: usize = senders.iter().map(|sender| sender.acknowledged.len()).sum();
        assert!(acknowledged > round, "messages were acknowledged before round {round}'s kill");
        (child, address, _) = start(dir.path());
    }
    // The messages cut off by the last kill are sent again once more, then the server stops.
    for sender in &mut senders {
        sender.run(&address, 0);
        assert!(sender.unanswered.is_none(), "the server answers after its restart");
    }
    child.kill().expect("killed");
    child.wait().expect("gone");

    let opened = handoff_server::AppState::open(dir.path(), crate::support::config(), false).await.expect("opens");
    let total: usize = senders.iter().map(|sender| sender.acknowledged.len()).sum();
    assert!(total > 50, "only {total} messages acknowledged");
    eprintln!("{total} messages acknowledged across five kills");
    opened
        .state
        .read(|engine| {
            for sender in &senders {
                let chat = engine.chat(ChatId(u32::try_from(sender.chat).expect("small"))).expect("the chat");
                let said: Vec<&str> = chat
                    .transcript
                    .iter()
                    .filter_map(|event| match event {
                        Event::CustomerMessage { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                for text in &sender.acknowledged {
                    assert_eq!(
                        said.iter().filter(|said| **said == text).count(),
                        1,
                        "{text}: once, not lost, not twice"
                    );
                }
                // No half-applied command: every message stored has the AI's answer after it.
                for (index, event) in chat.transcript.iter().enumerate() {
                    if let Event::CustomerMessage { text, .. } = event {
                        let answered = chat.transcript[index + 1..]
                            .iter()
                            .take_while(|event| !matches!(event, Event::CustomerMessage { .. }))
                            .any(|event| matches!(event, Event::AiMessage { .. }));
                        assert!(answered, "{text} was stored without the AI's answer");
                    }
                }
                // Stored in the order sent: numbered lines never go back.
                let numbers: Vec<u32> = said.iter().filter_map(|text| text.rsplit(' ').next()?.parse().ok()).collect();
                assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]), "{numbers:?}");
            }
        })
        .await;
}

#[tokio::test]
async fn the_app_is_served_with_its_fallback_and_compressed() {
    let dist = tempfile::tempdir().expect("a folder");
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>Handoff Studio</title>").expect("written");
    std::fs::write(dist.path().join("app.js"), "console.log('handoff');\n".repeat(100)).expect("written");
    let server = crate::support::Server::demo().await;
    let router = handoff_server::app(server.state.clone(), Some(dist.path()));
    let get = |path: &str| Request::get(path).header("accept-encoding", "gzip").body(Body::empty()).expect("a request");

    let plain = Request::get("/inbox").body(Body::empty()).expect("a request");
    let deep_link = router.clone().oneshot(plain).await.expect("an answer");
    assert_eq!(deep_link.status(), StatusCode::OK);
    let body = deep_link.into_body().collect().await.expect("a body").to_bytes();
    assert!(body.starts_with(b"<!doctype html>"), "index.html for the app's own routes");

    let script = router.clone().oneshot(get("/app.js")).await.expect("an answer");
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers().get("content-encoding").map(|value| value.to_str().ok()), Some(Some("gzip")));

    let api = router.oneshot(get("/api/no-such-thing")).await.expect("an answer");
    assert_eq!(api.status(), StatusCode::NOT_FOUND, "the API's paths never fall back to the app");
}
