//! No password, token or cookie is ever logged, at any level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{Server, call};

/// Everything logged, at every level, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// On the test's one thread, where the subscriber set below sees every request.
#[tokio::test(flavor = "current_thread")]
async fn no_password_token_or_cookie_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = Server::empty().await;
    let password = "the first admin's secret";
    let created =
        server.send(call("POST", "/api/setup").json(json!({"name": "Ada Admin", "password": password}))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let cookie = created.cookie();
    let wrong = "a wrong guess of it";
    server.send(call("POST", "/api/session").json(json!({"name": "Ada Admin", "password": wrong}))).await;
    let reset = json!({"password": "Ada's next password"});
    let agent = created.json["agent"].as_u64().expect("an id");
    server.send(call("PUT", &format!("/api/agents/{agent}/password")).cookie(&cookie).json(reset)).await;
    let (chat, token) = server.start_chat("en").await;
    server.customer(chat, &token, json!({"command": "message", "text": "Hello"})).await;
    server.send(call("DELETE", "/api/sessions").cookie(&cookie)).await;

    let logged = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("text");
    assert!(logged.contains("the first admin was created"), "the logs were captured: {logged}");
    let session_token = cookie.trim_start_matches("handoff_session=");
    for secret in [password, wrong, "Ada's next password", session_token, token.as_str()] {
        assert!(!logged.contains(secret), "{secret:?} was logged:\n{logged}");
    }
}
