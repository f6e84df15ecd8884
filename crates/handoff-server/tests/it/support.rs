//! A server on its own temporary database, driven in-process with `oneshot`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU16, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use handoff::{AgentId, AssignmentMethod, ChatAssignment, ChatId, Command};
use handoff_server::{AppState, Config, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

/// The origin the test servers believe they are reached at.
pub const ORIGIN: &str = "http://handoff.test";

static NEXT_PEER: AtomicU8 = AtomicU8::new(0);
static NEXT_CUSTOMER: AtomicU16 = AtomicU16::new(0);

pub struct Server {
    pub dir: TempDir,
    pub state: AppState,
    pub router: Router,
    /// The starter workspace's live agents' generated passwords, by name (demo servers).
    pub passwords: Vec<(String, String)>,
}

/// The server's defaults, but sockets catch up on other agents' load every 100 ms (not every
/// second), so that a test waiting for quiet sees everything, and a chat's commands are not
/// limited (tests send them far faster than a person types; the limit's own test sets it).
pub fn config() -> Config {
    Config {
        idle_gap: std::time::Duration::from_millis(100),
        chat_command_period: std::time::Duration::from_nanos(1),
        ..Config::new(ORIGIN)
    }
}

impl Server {
    /// A server on an empty database.
    pub async fn empty() -> Server {
        Server::start(false).await
    }

    /// A server seeded with the starter workspace (`--demo`).
    pub async fn demo() -> Server {
        Server::start(true).await
    }

    async fn start(demo: bool) -> Server {
        Server::with_config(config(), demo).await
    }

    pub async fn with_config(config: Config, demo: bool) -> Server {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let started = AppState::open(dir.path(), config, demo).await.expect("the server starts");
        let router = app(started.state.clone(), None);
        Server { dir, state: started.state, router, passwords: started.demo_passwords }
    }

    /// The same data folder opened again, as after a restart.
    pub async fn restarted(self) -> Server {
        let Server { dir, state, router, passwords } = self;
        state.pool().close().await;
        drop((state, router));
        let started = AppState::open(dir.path(), config(), false).await.expect("the server starts again");
        let router = app(started.state.clone(), None);
        Server { dir, state: started.state, router, passwords }
    }

    pub fn password(&self, name: &str) -> String {
        self.passwords
            .iter()
            .find(|(held, _)| held == name)
            .map(|(_, password)| password.clone())
            .expect("a demo agent")
    }

    pub async fn send(&self, request: impl Into<Request<Body>>) -> Reply {
        let request = request.into();
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("the body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, json, text }
    }

    /// Signs a demo agent in; the cookie to send back.
    pub async fn sign_in(&self, name: &str) -> String {
        // From an address of its own each time, below the sign-in rate limit.
        let peer = [10, 1, 0, NEXT_PEER.fetch_add(1, Ordering::Relaxed)];
        let body = json!({"name": name, "password": self.password(name)});
        let reply = self.send(call("POST", "/api/session").peer(peer).json(body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.cookie()
    }

    /// Sends a staff command with a new key.
    pub async fn command(&self, cookie: &str, command: Value) -> Reply {
        self.keyed(cookie, &new_key(), command).await
    }

    pub async fn keyed(&self, cookie: &str, key: &str, command: Value) -> Reply {
        self.send(call("POST", "/api/commands").cookie(cookie).json(json!({"key": key, "command": command}))).await
    }

    /// Starts a customer's chat; its number and token.
    pub async fn start_chat(&self, language: &str) -> (ChatId, String) {
        // From an address of its own each time, below the rate limit of starts.
        let [high, low] = NEXT_CUSTOMER.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        let start = call("POST", "/api/chats").peer([10, 2, high, low]).json(json!({"language": language}));
        let reply = self.send(start).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let chat = ChatId(u32::try_from(reply.json["chat"].as_u64().expect("a chat")).expect("small"));
        (chat, reply.json["token"].as_str().expect("a token").to_owned())
    }

    pub async fn customer(&self, chat: ChatId, token: &str, action: Value) -> Reply {
        let path = format!("/api/chats/{}/commands", chat.0);
        self.send(call("POST", &path).bearer(token).json(json!({"key": new_key(), "action": action}))).await
    }

    /// A French chat pending under Voluntary, with Amélie (2) and Noah (6), both Francophone,
    /// signed in at the desk; their cookies, the chat and its version.
    pub async fn pending_french_chat(&self) -> (String, String, ChatId, u32) {
        let sam = self.sign_in("Sam Rivera").await;
        let voluntary = ChatAssignment { method: AssignmentMethod::Voluntary, auto_assign_cap: 3 };
        let set = self.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": voluntary})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        let amelie = self.sign_in("Amélie Laurent").await;
        let noah = self.sign_in("Noah Martin").await;
        for cookie in [&amelie, &noah] {
            let reply = self.command(cookie, json!({"command": "sign_in", "agent": 0})).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        }
        let (chat, token) = self.start_chat("fr").await;
        let asked =
            self.customer(chat, &token, json!({"command": "message", "text": "Je veux parler à un humain"})).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
        let version = self
            .state
            .read(|engine| {
                let found = engine.chat(chat).expect("the chat");
                assert!(matches!(found.status, handoff::ChatStatus::Pending { .. }), "{:?}", found.status);
                found.version
            })
            .await;
        (amelie, noah, chat, version)
    }

    pub async fn assignee(&self, chat: ChatId) -> Option<AgentId> {
        self.state.read(|engine| engine.chat(chat).and_then(|chat| chat.status.assignee())).await
    }

    pub async fn signed_in(&self, agent: AgentId) -> bool {
        self.state.read(|engine| engine.agent(agent).is_some_and(|agent| agent.status.is_signed_in())).await
    }
}

/// When a session signed in now ends.
pub fn session_end(server: &Server) -> handoff::Timestamp {
    let lifetime = u64::try_from(server.state.config().session_lifetime.as_millis()).unwrap_or(u64::MAX);
    handoff::Timestamp(handoff_server::server::now().0.saturating_add(lifetime))
}

pub fn new_key() -> String {
    handoff_server::secret::random_hex(16).expect("random")
}

/// A claim, as the app sends it.
pub fn claim(chat: ChatId, agent: u32, seen_version: u32) -> Value {
    serde_json::to_value(Command::Claim { chat, agent: AgentId(agent), seen_version }).expect("a command")
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Reply {
    /// The session cookie it sets, as a `Cookie` header's value.
    pub fn cookie(&self) -> String {
        let set = self.headers.get("set-cookie").expect("a cookie").to_str().expect("text");
        set.split(';').next().expect("name=value").to_owned()
    }

    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or("")
    }
}

/// A request from the app's own pages (the server's origin), from one client address.
pub fn call(method: &str, path: &str) -> Call {
    Call {
        method: method.to_owned(),
        path: path.to_owned(),
        headers: vec![("origin".into(), ORIGIN.into())],
        body: None,
        peer: [10, 0, 0, 1],
    }
}

pub struct Call {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    peer: [u8; 4],
}

impl Call {
    pub fn json(mut self, value: Value) -> Call {
        self.body = Some(value.to_string());
        self.header("content-type", "application/json")
    }

    pub fn raw(mut self, body: &str) -> Call {
        self.body = Some(body.to_owned());
        self.header("content-type", "application/json")
    }

    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.retain(|(held, _)| held != name);
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn without(mut self, name: &str) -> Call {
        self.headers.retain(|(held, _)| held != name);
        self
    }

    pub fn cookie(self, cookie: &str) -> Call {
        self.header("cookie", cookie)
    }

    pub fn bearer(self, token: &str) -> Call {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn peer(mut self, peer: [u8; 4]) -> Call {
        self.peer = peer;
        self
    }
}

impl From<Call> for Request<Body> {
    fn from(call: Call) -> Request<Body> {
        let mut builder = Request::builder().method(call.method.as_str()).uri(call.path.as_str());
        for (name, value) in &call.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut request = builder.body(call.body.map_or_else(Body::empty, Body::from)).expect("a request");
        // As `into_make_service_with_connect_info` gives it, for the sign-in rate limit.
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from((call.peer, 40000))));
        request
    }
}
