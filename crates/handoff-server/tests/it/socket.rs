//! The WebSocket, driven through channels (`socket::serve` is generic over `Sink`/`Stream`):
//! what each viewer's frames say, and that a replica fed only them stays what the viewer may see.

use std::time::Duration;

use axum::extract::ws::Message;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use handoff::viewer::{self, Replica, Viewer};
use handoff::{AgentId, ChatId, Event};
use handoff_server::socket::{self, Caller};
use handoff_wire::{ClientFrame, Mark, ServerFrame};
use serde_json::json;

use crate::support::Server;

/// One socket's client end, with the replica its frames build.
pub struct Client {
    pub to_server: mpsc::Sender<Result<Message, axum::Error>>,
    pub from_server: mpsc::Receiver<Message>,
    pub viewer: Viewer,
    pub replica: Option<Replica>,
    pub position: u64,
    /// Where the frames said the replica stands.
    pub mark: Option<Mark>,
    pub frames: Vec<ServerFrame>,
    /// Whether the server closed the socket.
    pub closed: bool,
}

impl Client {
    pub fn open(server: &Server, caller: Caller) -> Client {
        Client::open_with(server, caller, 1024)
    }

    /// A socket whose client end holds at most `room` frames (and one more) it has not read.
    pub fn open_with(server: &Server, caller: Caller, room: usize) -> Client {
        let (to_server, read) = mpsc::channel(16);
        let (write, from_server) = mpsc::channel(room);
        let viewer = match &caller {
            Caller::Staff { agent, .. } => Viewer::Staff { agent: *agent },
            Caller::Customer { chat } => Viewer::Customer { chat: *chat },
        };
        tokio::spawn(socket::serve(server.state.clone(), caller, write, read));
        Client {
            to_server,
            from_server,
            viewer,
            replica: None,
            position: 0,
            mark: None,
            frames: Vec::new(),
            closed: false,
        }
    }

    /// A signed-in agent's socket; `cookie` is `handoff_session=TOKEN`, just signed in.
    pub fn staff(server: &Server, agent: u32, cookie: &str) -> Client {
        Client::open(server, Client::caller(server, agent, cookie))
    }

    pub fn caller(server: &Server, agent: u32, cookie: &str) -> Caller {
        let token = cookie.split_once('=').expect("name=value").1;
        let token_hash = handoff_server::secret::token_hash(token);
        Caller::Staff { agent: AgentId(agent), token_hash, expires_at: crate::support::session_end(server) }
    }

    pub async fn say(&mut self, text: &str) {
        self.to_server.send(Ok(Message::Text(text.to_owned().into()))).await.expect("the socket listens");
    }

    pub async fn hello(&mut self, since: Option<u64>, token: Option<&str>) {
        let hello = ClientFrame::Hello { since, journal: None, workspace: None, token: token.map(str::to_owned) };
        self.say(&serde_json::to_string(&hello).expect("json")).await;
    }

    /// The `Hello` of a tab that holds a replica up to `at`, as the app says it.
    pub async fn hello_at(&mut self, at: Mark, token: Option<&str>) {
        let hello = ClientFrame::Hello {
            since: Some(at.position),
            journal: Some(at.journal),
            workspace: Some(at.workspace),
            token: token.map(str::to_owned),
        };
        self.say(&serde_json::to_string(&hello).expect("json")).await;
    }

    /// The next frame, applied to the replica; `None` once the socket closed or stays quiet.
    pub async fn next(&mut self, server: &Server) -> Option<ServerFrame> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.from_server.next()).await.ok()??;
            let bytes = match message {
                Message::Binary(bytes) => bytes,
                Message::Close(_) => {
                    self.closed = true;
                    return None;
                }
                _ => continue,
            };
            let frame = ServerFrame::from_bytes(&bytes).expect("a frame the client reads");
            match &frame {
                ServerFrame::View { at, view } => {
                    let (_, workspace) = server.state.workspace();
                    self.replica = Some(Replica::new(workspace, view.clone()));
                    (self.position, self.mark) = (at.position, Some(*at));
                }
                ServerFrame::Changes { at, changes } => {
                    self.replica.as_mut().expect("a view first").apply(changes).expect("changes that follow on");
                    (self.position, self.mark) = (at.position, Some(*at));
                }
                ServerFrame::UpToDate { at } => (self.position, self.mark) = (at.position, Some(*at)),
                _ => {}
            }
            self.frames.push(frame.clone());
            return Some(frame);
        }
    }

    /// Reads frames until the socket has caught up with the server's journal.
    pub async fn settle(&mut self, server: &Server) {
        // Frames come only when something the viewer sees changed: wait for a quiet moment.
        while tokio::time::timeout(Duration::from_millis(300), self.next(server)).await.ok().flatten().is_some() {}
    }

    pub fn engine(&self) -> &handoff::Engine {
        self.replica.as_ref().expect("a replica").engine()
    }
}

/// What a viewer may see of the server's engine now, as a replica built from a fresh view.
async fn truth(server: &Server, viewer: Viewer) -> Replica {
    let (_, workspace) = server.state.workspace();
    server.state.read(|engine| Replica::new(workspace, viewer::view(engine, viewer).0)).await
}

async fn same_chats(client: &Client, server: &Server) {
    let truth = truth(server, client.viewer).await;
    let mut held: Vec<_> = client.engine().state().chats.values().cloned().collect();
    let mut expected: Vec<_> = truth.engine().state().chats.values().cloned().collect();
    held.sort_by_key(|chat| chat.id);
    expected.sort_by_key(|chat| chat.id);
    assert_eq!(held, expected, "{:?}'s replica", client.viewer);
}

#[tokio::test]
async fn an_agent_sees_a_chat_handed_off_to_them_arrive_and_nothing_of_others() {
    let server = Server::demo().await;
    let (amelie, noah, chat, version) = server.pending_french_chat().await;
    let sam = server.sign_in("Sam Rivera").await;
    let mut amelie = Client::staff(&server, 2, &amelie);
    let mut sam = Client::staff(&server, 1, &sam);
    amelie.hello(None, None).await;
    sam.hello(None, None).await;
    assert!(matches!(amelie.next(&server).await, Some(ServerFrame::Workspace { .. })));
    assert!(matches!(amelie.next(&server).await, Some(ServerFrame::View { .. })));
    assert!(amelie.engine().chat(chat).is_some(), "Amélie may take the pending French chat");
    sam.settle(&server).await;

    // Noah claims it: Amélie's Pending loses it, the admin sees it open with Noah.
    let claimed = server.command(&noah, crate::support::claim(chat, 6, version)).await;
    assert!(claimed.status.is_success(), "{}", claimed.text);
    amelie.settle(&server).await;
    sam.settle(&server).await;
    assert!(amelie.engine().chat(chat).is_none(), "a chat taken by Noah leaves Amélie's replica");
    assert_eq!(sam.engine().chat(chat).and_then(|chat| chat.status.assignee()), Some(AgentId(6)));
    same_chats(&amelie, &server).await;
    same_chats(&sam, &server).await;
    assert_eq!(sam.position, server.state.position().await);
}

#[tokio::test]
async fn a_customer_sees_only_their_own_chat_and_another_chats_token_opens_nothing() {
    let server = Server::demo().await;
    let (_, noah, chat, version) = server.pending_french_chat().await;
    let claimed = server.command(&noah, crate::support::claim(chat, 6, version)).await;
    assert!(claimed.status.is_success(), "{}", claimed.text);
    let (other, other_token) = server.start_chat("en").await;
    // The token of another chat opens nothing.
    let mut intruder = Client::open(&server, Caller::Customer { chat });
    intruder.hello(None, Some(&other_token)).await;
    assert!(matches!(intruder.next(&server).await, Some(ServerFrame::Refused { .. })));
    assert!(intruder.next(&server).await.is_none() && intruder.closed);

    let mut customer = Client::open(&server, Caller::Customer { chat: other });
    customer.hello(None, Some(&other_token)).await;
    assert!(matches!(customer.next(&server).await, Some(ServerFrame::View { .. })), "no workspace for customers");
    assert_eq!(customer.engine().state().chats.len(), 1);
    let noted = server.command(&noah, json!({"command": "note", "chat": chat.0, "agent": 6, "text": "VIP"})).await;
    assert!(noted.status.is_success(), "{}", noted.text);
    customer.settle(&server).await;
    for frame in &customer.frames {
        assert!(!format!("{frame:?}").contains("VIP"), "a note reached a customer: {frame:?}");
    }
}

#[tokio::test]
async fn the_customer_of_a_chat_never_receives_its_notes() {
    let server = Server::demo().await;
    let (noah, chat, mut customer) = claimed_by_noah_and_its_customer(&server).await;
    customer.settle(&server).await;
    let reply = json!({"command": "reply", "chat": chat.0, "agent": 6, "text": "Bonjour !"});
    let note = json!({"command": "note", "chat": chat.0, "agent": 6, "text": "client VIP"});
    for command in [note, reply] {
        let answer = server.command(&noah, command).await;
        assert!(answer.status.is_success(), "{}", answer.text);
    }
    customer.settle(&server).await;
    let transcript = &customer.engine().chat(chat).expect("their chat").transcript;
    assert!(transcript.iter().any(|event| matches!(event, Event::AgentMessage { text, .. } if text == "Bonjour !")));
    assert!(!transcript.iter().any(|event| matches!(event, Event::NoteAdded { .. })));
    for frame in &customer.frames {
        assert!(!format!("{frame:?}").contains("client VIP"), "a note reached the customer: {frame:?}");
    }
}

/// A French chat Noah (6) claimed, his cookie, and its customer's socket, its Hello said.
async fn claimed_by_noah_and_its_customer(server: &Server) -> (String, ChatId, Client) {
    let (_, noah, chat, version) = server.pending_french_chat().await;
    let claimed = server.command(&noah, crate::support::claim(chat, 6, version)).await;
    assert!(claimed.status.is_success(), "{}", claimed.text);
    let token = chat_token(server, chat).await;
    let mut customer = Client::open(server, Caller::Customer { chat });
    customer.hello(None, Some(&token)).await;
    (noah, chat, customer)
}

/// A token for a chat whose own token the test did not keep (`pending_french_chat`'s).
async fn chat_token(server: &Server, chat: ChatId) -> String {
    let token = handoff_server::secret::new_token().expect("random");
    sqlx::query("UPDATE chat_tokens SET token_hash = $1 WHERE chat = $2")
        .bind(handoff_server::secret::token_hash(&token))
        .bind(i64::from(chat.0))
        .execute(server.state.pool())
        .await
        .expect("the token is set");
    token
}

#[tokio::test]
async fn a_tab_that_missed_nothing_is_told_it_is_up_to_date_and_one_that_did_gets_everything() {
    let server = Server::demo().await;
    let (amelie, _, chat, _) = server.pending_french_chat().await;
    let position = server.state.position().await;
    let mut current = Client::staff(&server, 2, &amelie);
    current.hello(Some(position), None).await;
    assert!(matches!(current.next(&server).await, Some(ServerFrame::Workspace { .. })));
    // It named no workspace version and no journal, so a view comes with the workspace.
    assert!(matches!(current.next(&server).await, Some(ServerFrame::View { .. })));
    let at = current.mark.expect("a mark");
    let (version, _) = server.state.workspace();
    assert_eq!(at, Mark { journal: server.state.journal_id(), position, workspace: version });

    let mut resumed = Client::staff(&server, 2, &amelie);
    resumed.hello_at(at, None).await;
    assert_eq!(resumed.next(&server).await, Some(ServerFrame::UpToDate { at }));

    let mut behind = Client::staff(&server, 2, &amelie);
    behind.hello_at(Mark { position: position - 1, ..at }, None).await;
    match behind.next(&server).await {
        Some(ServerFrame::View { at: told, view }) => {
            assert_eq!(told, at);
            let (_, workspace) = server.state.workspace();
            assert!(Replica::new(workspace, view).engine().chat(chat).is_some());
        }
        other => panic!("expected a whole view, got {other:?}"),
    }
}

/// A data folder made anew, or another server at the same address, can stand at the same
/// position and workspace version with another history: its journal's id tells them apart.
#[tokio::test]
async fn the_same_position_in_another_journal_is_answered_with_a_whole_view() {
    let server = Server::demo().await;
    let other = Server::demo().await;
    assert_ne!(server.state.journal_id(), other.state.journal_id(), "each database draws its own");
    let cookie = server.sign_in("Amélie Laurent").await;
    let mut first = Client::staff(&server, 2, &cookie);
    first.hello(None, None).await;
    first.settle(&server).await;
    let at = first.mark.expect("a mark");
    let elsewhere = Mark { journal: other.state.journal_id(), ..at };
    let mut resumed = Client::staff(&server, 2, &cookie);
    resumed.hello_at(elsewhere, None).await;
    assert!(matches!(resumed.next(&server).await, Some(ServerFrame::View { at: told, .. }) if told == at));

    // The id is the database's: a restart keeps it.
    let journal = server.state.journal_id();
    let server = server.restarted().await;
    assert_eq!(server.state.journal_id(), journal);
}

/// A customer's `Hello` names no workspace of its own: a new workspace rebuilds the state on
/// the same events (a place in a queue can change), so the position alone is not current.
#[tokio::test]
async fn a_customer_at_the_same_position_after_a_new_workspace_gets_a_whole_view() {
    let server = Server::demo().await;
    let (chat, token) = server.start_chat("en").await;
    let mut customer = Client::open(&server, Caller::Customer { chat });
    customer.hello(None, Some(&token)).await;
    customer.settle(&server).await;
    let at = customer.mark.expect("a mark");
    let position = server.state.position().await;
    assert_eq!(at.position, position);

    let sam = server.sign_in("Sam Rivera").await;
    let got = server.send(crate::support::call("GET", "/api/workspace").cookie(&sam)).await;
    let body = json!({"version": got.json["version"], "workspace": got.json["workspace"]});
    let put = server.send(crate::support::call("PUT", "/api/workspace").cookie(&sam).json(body)).await;
    assert!(put.status.is_success(), "{}", put.text);
    assert_eq!(server.state.position().await, position, "the new workspace added no event");

    let mut resumed = Client::open(&server, Caller::Customer { chat });
    resumed.hello_at(at, Some(&token)).await;
    match resumed.next(&server).await {
        Some(ServerFrame::View { at: told, .. }) => {
            assert_eq!((told.position, told.workspace), (position, at.workspace + 1))
        }
        other => panic!("expected a whole view, got {other:?}"),
    }
    let now = resumed.mark.expect("a mark");
    let mut again = Client::open(&server, Caller::Customer { chat });
    again.hello_at(now, Some(&token)).await;
    assert_eq!(again.next(&server).await, Some(ServerFrame::UpToDate { at: now }));
}

/// A socket that sees nothing of what happens (other teams' chats) is still told where the
/// journal stands, so that after a reconnect it is up to date rather than sent everything.
#[tokio::test]
async fn a_tab_that_sees_nothing_of_a_busy_teamspace_follows_the_position_and_reconnects_up_to_date() {
    let server = Server::demo().await;
    let jonas = server.sign_in("Jonas Weber").await;
    let mut watcher = Client::staff(&server, 3, &jonas);
    watcher.hello(None, None).await;
    watcher.settle(&server).await;
    let before = watcher.mark.expect("a mark");
    // French customers talk to the AI agent: nothing of it is Jonas's to see.
    for _ in 0..3 {
        let (chat, token) = server.start_chat("fr").await;
        let said = server.customer(chat, &token, json!({"command": "message", "text": "Bonjour"})).await;
        assert!(said.status.is_success(), "{}", said.text);
    }
    watcher.settle(&server).await;
    assert!(server.state.position().await > before.position);
    assert_eq!(watcher.position, server.state.position().await, "the position followed: {:?}", watcher.frames);
    assert!(!watcher.frames.iter().any(|frame| matches!(frame, ServerFrame::Changes { .. })), "nothing to see");

    let mut resumed = Client::staff(&server, 3, &jonas);
    resumed.hello_at(watcher.mark.expect("a mark"), None).await;
    assert!(matches!(resumed.next(&server).await, Some(ServerFrame::UpToDate { .. })));
}

/// A server whose sockets ping every 250 ms, take a frame within 200 ms, two per address.
async fn quick_server() -> Server {
    let config = handoff_server::Config {
        ping_every: Duration::from_millis(250),
        send_within: Duration::from_millis(200),
        sockets_per_address: 2,
        ..crate::support::config()
    };
    Server::with_config(config, true).await
}

#[tokio::test]
async fn a_client_that_answers_no_ping_is_closed_and_one_that_does_is_kept() {
    let server = quick_server().await;
    let cookie = server.sign_in("Jonas Weber").await;
    let mut silent = Client::staff(&server, 3, &cookie);
    silent.hello(None, None).await;
    let started = std::time::Instant::now();
    // It reads everything and answers nothing: closed after three pings unanswered.
    let until = tokio::time::Instant::now() + Duration::from_secs(4);
    while let Ok(Some(_)) = tokio::time::timeout_at(until, silent.next(&server)).await {}
    assert!(silent.closed, "the server closed it");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(750) && waited < Duration::from_secs(3), "{waited:?}");

    let mut answering = Client::staff(&server, 3, &cookie);
    answering.hello(None, None).await;
    let until = tokio::time::Instant::now() + Duration::from_millis(2000);
    while let Ok(message) = tokio::time::timeout_at(until, answering.from_server.next()).await {
        match message {
            Some(Message::Ping(bytes)) => answering.to_server.send(Ok(Message::Pong(bytes))).await.expect("open"),
            Some(Message::Close(_)) | None => panic!("a client that answers pings was closed"),
            Some(_) => {}
        }
    }
    assert_eq!(server.state.sockets(), 1);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_once_a_frame_waits_too_long() {
    let server = quick_server().await;
    let cookie = server.sign_in("Jonas Weber").await;
    // Room for one frame only: the workspace goes, the view waits, and nobody reads.
    let mut stuck = Client::open_with(&server, Client::caller(&server, 3, &cookie), 0);
    stuck.hello(None, None).await;
    let started = std::time::Instant::now();
    while server.state.sockets() == 0 && started.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(server.state.sockets(), 1, "the socket is open");
    while server.state.sockets() > 0 && started.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.state.sockets(), 0, "the socket of a client that reads nothing was closed");
}

#[tokio::test]
async fn an_address_holds_only_so_many_sockets_and_the_next_is_refused_in_words() {
    use tokio_tungstenite::tungstenite;
    let server = quick_server().await;
    let address = crate::visibility::listening(&server).await;
    let open = || async {
        let request = crate::visibility::handshake(address, "/api/chats/1/socket", "https://shop.example", None);
        tokio_tungstenite::connect_async(request).await
    };
    let first = open().await.expect("the first opens");
    let _second = open().await.expect("the second opens");
    match open().await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned();
            assert!(body.contains("Too many sockets are open from this address"), "{body}");
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // A socket that closes gives its place back.
    let (mut first, _) = first;
    first.close(None).await.expect("closes");
    drop(first);
    let started = std::time::Instant::now();
    let reopened = loop {
        match open().await {
            Ok(socket) => break Some(socket),
            Err(_) if started.elapsed() < Duration::from_secs(3) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => break None,
        }
    };
    assert!(reopened.is_some(), "a place came free");
}

#[tokio::test]
async fn a_frame_that_is_not_a_hello_is_refused_in_words_and_the_socket_closes() {
    let server = Server::demo().await;
    let cookie = server.sign_in("Sam Rivera").await;
    for (first, words) in [
        ("hello", "must be a Hello"),
        (r#"{"frame":"hello","since":"yesterday"}"#, "must be a Hello"),
        (r#"{"frame":"claim","chat":1}"#, "must be a Hello"),
        (r#"{"frame":"hello","admin":true}"#, "must be a Hello"),
    ] {
        let mut client = Client::staff(&server, 1, &cookie);
        client.say(first).await;
        match client.next(&server).await {
            Some(ServerFrame::Refused { message }) => assert!(message.contains(words), "{first}: {message}"),
            other => panic!("{first}: expected a refusal, got {other:?}"),
        }
        assert!(client.next(&server).await.is_none() && client.closed, "{first}: the socket closes");
    }
    // After a good Hello, anything more is refused too.
    let mut client = Client::staff(&server, 1, &cookie);
    client.hello(None, None).await;
    client.settle(&server).await;
    client.say(r#"{"frame":"hello"}"#).await;
    assert!(matches!(client.next(&server).await, Some(ServerFrame::Refused { .. })));
}

#[tokio::test]
async fn signing_out_everywhere_closes_the_agents_sockets() {
    let server = Server::demo().await;
    let cookie = server.sign_in("Amélie Laurent").await;
    let mut client = Client::staff(&server, 2, &cookie);
    client.hello(None, None).await;
    client.settle(&server).await;
    let reply = server.send(crate::support::call("DELETE", "/api/sessions").cookie(&cookie)).await;
    assert!(reply.status.is_success(), "{}", reply.text);
    let mut said = None;
    while let Some(frame) = client.next(&server).await {
        if let ServerFrame::SignedOut { message } = frame {
            said = Some(message);
        }
    }
    assert!(said.is_some_and(|message| message.contains("signed out")));
    assert!(client.closed);
}

#[tokio::test]
async fn what_an_agent_sees_comes_at_once_and_other_agents_load_within_two_seconds() {
    // The server's own timing: other agents' load every second.
    let server = Server::with_config(handoff_server::Config::new(crate::support::ORIGIN), true).await;
    let (amelie, noah, chat, version) = server.pending_french_chat().await;
    let jonas = server.sign_in("Jonas Weber").await;
    let mut amelie = Client::staff(&server, 2, &amelie);
    let mut jonas = Client::staff(&server, 3, &jonas);
    for client in [&mut amelie, &mut jonas] {
        client.hello(None, None).await;
        client.settle(&server).await;
    }
    let claimed = server.command(&noah, crate::support::claim(chat, 6, version)).await;
    assert!(claimed.status.is_success(), "{}", claimed.text);
    // Amélie held the pending chat: she is told at once that it is gone.
    let started = std::time::Instant::now();
    assert!(matches!(amelie.next(&server).await, Some(ServerFrame::Changes { .. })));
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    assert!(amelie.engine().chat(chat).is_none());
    // Jonas sees none of the French chats; Noah's load reaches him later, in one frame.
    let noah_load = |client: &Client| client.engine().agent(AgentId(6)).map(|state| state.open_chats);
    assert_eq!(noah_load(&jonas), Some(0));
    assert!(tokio::time::timeout(Duration::from_millis(300), jonas.next(&server)).await.is_err(), "not at once");
    let frame = tokio::time::timeout(Duration::from_secs(3), jonas.next(&server)).await;
    assert!(matches!(frame, Ok(Some(ServerFrame::Changes { .. }))), "{frame:?}");
    assert_eq!(noah_load(&jonas), Some(1));
    assert!(jonas.engine().chat(chat).is_none());
}

#[tokio::test]
async fn another_writers_events_caught_up_by_a_refused_command_reach_the_sockets() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let mut client = Client::staff(&server, 1, &sam);
    client.hello(None, None).await;
    client.settle(&server).await;

    // A second writer on the same database (another server instance) signs Jonas in at the desk.
    let other = handoff_server::AppState::open(server.dir.path(), crate::support::config(), false)
        .await
        .expect("a second instance starts")
        .state;
    let signed_in = other.run(None, None, handoff::Command::SignIn { agent: AgentId(3) }).await.expect("stored");
    assert!(signed_in.status.is_success(), "{signed_in:?}");

    // This instance catches up on it before the engine refuses Sam's command (he is not at the desk).
    let refused = server.command(&sam, json!({"command": "set_presence", "agent": 1, "presence": "away"})).await;
    assert_eq!(refused.message(), "Sam Rivera is not signed in.", "{}", refused.text);
    assert!(server.signed_in(AgentId(3)).await);
    client.settle(&server).await;
    let jonas = client.engine().agent(AgentId(3)).map(|agent| agent.status.is_signed_in());
    assert_eq!(jonas, Some(true), "the socket was told of the other instance's sign-in");
    assert_eq!(client.position, server.state.position().await);
}

/// A connection of the test's own to the server's database, holding its write lock: the
/// server's next append waits for it (up to its busy timeout).
async fn hold_the_write_lock(server: &Server) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let path = server.dir.path().join(handoff_server::server::DATABASE_FILE);
    let mut blocker = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display())).await.expect("opens");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut blocker).await.expect("the write lock");
    blocker
}

/// Signs Sam (1) in at the desk while the database's write lock is held elsewhere; once the
/// append waits, opens a socket and reads the engine: neither may see the sign-in yet.
async fn sign_in_while_the_append_waits(
    server: &Server,
    cookie: &str,
) -> (tokio::task::JoinHandle<Result<handoff_server::server::Answer, handoff_server::ApiError>>, Client) {
    let state = server.state.clone();
    let command =
        tokio::spawn(async move { state.run(None, None, handoff::Command::SignIn { agent: AgentId(1) }).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut opened_meanwhile = Client::staff(server, 1, cookie);
    opened_meanwhile.hello(None, None).await;
    let read = tokio::time::timeout(Duration::from_millis(200), server.signed_in(AgentId(1))).await;
    assert!(!matches!(read, Ok(true)), "a reader saw the sign-in while its append was on its way");
    (command, opened_meanwhile)
}

#[tokio::test]
async fn no_reader_sees_a_decision_before_its_events_are_stored_nor_after_their_append_failed() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;

    // The append waits for the lock; when it gets it, a trigger refuses every event.
    let mut blocker = hold_the_write_lock(&server).await;
    sqlx::query("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END")
        .execute(&mut blocker)
        .await
        .expect("a trigger");
    let (refused, mut opened_meanwhile) = sign_in_while_the_append_waits(&server, &sam).await;
    sqlx::query("COMMIT").execute(&mut blocker).await.expect("released");
    assert!(refused.await.expect("ran").is_err(), "the append failed");
    assert!(!server.signed_in(AgentId(1)).await, "the refused sign-in never happened");
    opened_meanwhile.settle(&server).await;
    let held = opened_meanwhile.engine().agent(AgentId(1)).map(|agent| agent.status.is_signed_in());
    assert_eq!(held, Some(false), "a socket opened meanwhile was never told of it");
    assert_eq!(opened_meanwhile.position, server.state.position().await);

    // Stored this time: a socket opened while the append waited is told of it once, at its position.
    sqlx::query("DROP TRIGGER refuse_events").execute(&mut blocker).await.expect("dropped");
    let mut blocker = hold_the_write_lock(&server).await;
    let (stored, mut opened_meanwhile) = sign_in_while_the_append_waits(&server, &sam).await;
    sqlx::query("ROLLBACK").execute(&mut blocker).await.expect("released");
    assert!(stored.await.expect("ran").is_ok_and(|answer| answer.status.is_success()));
    assert!(server.signed_in(AgentId(1)).await);
    opened_meanwhile.settle(&server).await;
    let held = opened_meanwhile.engine().agent(AgentId(1)).map(|agent| agent.status.is_signed_in());
    assert_eq!(held, Some(true));
    assert_eq!(opened_meanwhile.position, server.state.position().await);
}

/// Whether the socket is told `SignedOut` and closed within a second.
async fn signed_out_at_once(client: &mut Client, server: &Server) -> bool {
    signed_out_within(Duration::from_secs(1), client, server).await
}

/// Whether the socket is told it is signed out, then closed, within `limit`.
async fn signed_out_within(limit: Duration, client: &mut Client, server: &Server) -> bool {
    let told = tokio::time::timeout(limit, async {
        while let Some(frame) = client.next(server).await {
            if matches!(frame, ServerFrame::SignedOut { .. }) {
                return client.next(server).await.is_none() && client.closed;
            }
        }
        false
    });
    told.await.unwrap_or(false)
}

/// A socket of `name`'s (agent `agent`) on a new session, caught up; its cookie.
async fn open_socket(server: &Server, name: &str, agent: u32) -> (String, Client) {
    let cookie = server.sign_in(name).await;
    let mut client = Client::staff(server, agent, &cookie);
    client.hello(None, None).await;
    client.settle(server).await;
    (cookie, client)
}

#[tokio::test]
async fn every_way_a_session_ends_closes_its_sockets_at_once_and_no_others() {
    use crate::support::call;
    let server = Server::demo().await;
    let (sam, mut bystander) = open_socket(&server, "Sam Rivera", 1).await;

    // Signing out here.
    let (cookie, mut client) = open_socket(&server, "Amélie Laurent", 2).await;
    let (_, mut other_session) = open_socket(&server, "Amélie Laurent", 2).await;
    assert!(server.send(call("DELETE", "/api/session").cookie(&cookie)).await.status.is_success());
    assert!(signed_out_at_once(&mut client, &server).await, "signed out");
    other_session.settle(&server).await;
    assert!(!other_session.closed, "her session in another browser goes on");

    // Signing out everywhere.
    let (cookie, mut client) = open_socket(&server, "Amélie Laurent", 2).await;
    assert!(server.send(call("DELETE", "/api/sessions").cookie(&cookie)).await.status.is_success());
    assert!(signed_out_at_once(&mut client, &server).await, "signed out everywhere");
    assert!(signed_out_at_once(&mut other_session, &server).await, "everywhere");

    // A password reset by an admin.
    let (_, mut client) = open_socket(&server, "Amélie Laurent", 2).await;
    let reset = call("PUT", "/api/agents/2/password").cookie(&sam).json(json!({"password": "Amélie's new password"}));
    assert!(server.send(reset).await.status.is_success());
    assert!(signed_out_at_once(&mut client, &server).await, "a password reset");

    // Someone signing in over the session's cookie.
    let (cookie, mut client) = open_socket(&server, "Noah Martin", 6).await;
    let body = json!({"name": "Jonas Weber", "password": server.password("Jonas Weber")});
    let over = server.send(call("POST", "/api/session").peer([10, 0, 0, 30]).cookie(&cookie).json(body)).await;
    assert!(over.status.is_success(), "{}", over.text);
    assert!(signed_out_at_once(&mut client, &server).await, "a sign-in over its cookie");

    // Expiry, as the sweep finds it.
    let (cookie, mut client) = open_socket(&server, "Noah Martin", 6).await;
    let token_hash = handoff_server::secret::token_hash(cookie.split_once('=').expect("name=value").1);
    let expired = sqlx::query("UPDATE sessions SET expires_at = 0 WHERE token_hash = $1").bind(token_hash);
    expired.execute(server.state.pool()).await.expect("expired");
    assert_eq!(server.state.end_expired_sessions().await, Ok(1));
    assert!(signed_out_at_once(&mut client, &server).await, "expired");

    // The agent removed from the teamspace.
    let (_, mut client) = open_socket(&server, "Jonas Weber", 3).await;
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    let mut workspace = handoff::load_workspace(&got.json["workspace"].to_string()).expect("a workspace");
    handoff::teamspace_edit::remove_agent(&mut workspace, AgentId(3)).expect("removed");
    let document: serde_json::Value = serde_json::from_str(&handoff::workspace_to_json(&workspace)).expect("json");
    let put =
        call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": got.json["version"], "workspace": document}));
    let put = server.send(put).await;
    assert!(put.status.is_success(), "{}", put.text);
    assert!(signed_out_at_once(&mut client, &server).await, "removed");

    bystander.settle(&server).await;
    assert!(!bystander.closed, "the admin's own socket stays open throughout");
}

#[tokio::test]
async fn a_socket_closes_when_its_session_expires_without_asking_the_database() {
    let config = handoff_server::Config { session_lifetime: Duration::from_secs(1), ..crate::support::config() };
    let server = Server::with_config(config, true).await;
    let cookie = server.sign_in("Amélie Laurent").await;
    let mut client = Client::staff(&server, 2, &cookie);
    client.hello(None, None).await;
    assert!(matches!(client.next(&server).await, Some(ServerFrame::Workspace { .. })));
    assert!(matches!(client.next(&server).await, Some(ServerFrame::View { .. })));
    // No sweep runs: the socket's own timer ends it, at the session's end. The limit is loose
    // (the session has at most a second left) because a loaded machine delays timers, and
    // nothing else would ever close this socket.
    assert!(signed_out_within(Duration::from_secs(5), &mut client, &server).await, "closed at the session's end");
}

#[tokio::test]
async fn after_a_refused_append_that_cannot_be_read_back_readers_wait_for_the_rebuild() {
    let server = Server::demo().await;
    let (_, mut client) = open_socket(&server, "Sam Rivera", 1).await;
    // The events' table goes away once the append waits: it is refused, and so is the re-read.
    let mut blocker = hold_the_write_lock(&server).await;
    sqlx::query("ALTER TABLE events RENAME TO hidden_events").execute(&mut blocker).await.expect("renamed");
    let state = server.state.clone();
    let command =
        tokio::spawn(async move { state.run(None, None, handoff::Command::SignIn { agent: AgentId(1) }).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqlx::query("COMMIT").execute(&mut blocker).await.expect("released");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let read = tokio::time::timeout(Duration::from_millis(200), server.signed_in(AgentId(1))).await;
    assert!(read.is_err(), "a reader waits while the engine may hold the refused events: {read:?}");
    assert!(!command.is_finished());

    sqlx::query("ALTER TABLE hidden_events RENAME TO events").execute(&mut blocker).await.expect("back");
    assert!(command.await.expect("ran").is_err(), "the append was refused");
    assert!(!server.signed_in(AgentId(1)).await, "the refused sign-in never happened");
    client.settle(&server).await;
    let held = client.engine().agent(AgentId(1)).map(|agent| agent.status.is_signed_in());
    assert_eq!(held, Some(false));
    assert_eq!(client.position, server.state.position().await);
}

#[tokio::test]
async fn a_chat_start_whose_client_goes_away_mid_append_shows_no_reader_a_chat_the_journal_does_not_hold() {
    use crate::support::call;
    let server = Server::demo().await;
    let mut blocker = hold_the_write_lock(&server).await;
    // The customer's request, dropped while its append waits for the database (its client left).
    let router = server.router.clone();
    let start = call("POST", "/api/chats").peer([10, 3, 0, 1]).json(json!({"language": "en"}));
    let start: axum::http::Request<axum::body::Body> = start.into();
    let request = tokio::spawn(async move { tower::ServiceExt::oneshot(router, start).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    request.abort();
    let _ = request.await;
    let stored = |server: &Server| {
        let pool = server.state.pool().clone();
        async move {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&pool).await.expect("read");
            count
        }
    };
    let read =
        tokio::time::timeout(Duration::from_millis(200), server.state.read(|engine| engine.chat(ChatId(1)).is_some()))
            .await;
    assert!(!matches!(read, Ok(true)), "a reader saw a chat whose append was still on its way, its request gone");

    // Once the database is free, the decision runs to its end all the same: engine and journal agree.
    sqlx::query("ROLLBACK").execute(&mut blocker).await.expect("released");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = server.state.read(|engine| engine.chat(ChatId(1)).is_some()).await;
    assert_eq!(held, stored(&server).await > 0, "the engine holds the chat exactly when the journal does");
    assert_eq!(server.state.position().await, u64::try_from(stored(&server).await).expect("a count"));
}

#[tokio::test]
async fn pings_do_not_put_off_the_hello_a_socket_must_say_within_ten_seconds() {
    let server = Server::demo().await;
    let (chat, _) = server.start_chat("en").await;
    let mut client = Client::open(&server, Caller::Customer { chat });
    let started = std::time::Instant::now();
    let pinging = {
        let mut to_server = client.to_server.clone();
        tokio::spawn(async move {
            while to_server.send(Ok(Message::Ping(Default::default()))).await.is_ok() {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        })
    };
    // A socket that says no Hello holds its address's place: it is refused in time all the same.
    let told = tokio::time::timeout(Duration::from_secs(13), async {
        loop {
            match client.from_server.next().await {
                Some(Message::Binary(bytes)) => break ServerFrame::from_bytes(&bytes).ok(),
                Some(_) => {}
                None => break None,
            }
        }
    })
    .await;
    pinging.abort();
    let told = told.expect("the socket was not refused within 13 seconds of pings and no Hello");
    assert!(matches!(&told, Some(ServerFrame::Refused { message }) if message == "No Hello came in time."), "{told:?}");
    assert!(started.elapsed() < socket::HELLO_WITHIN + Duration::from_millis(1500), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_note_wakes_no_customer_socket_not_even_for_an_up_to_date() {
    // Sockets catch up on what does not concern them only every 30 s here: whatever the
    // customer's socket says within a moment of a batch, it says because of that batch.
    let config = handoff_server::Config { idle_gap: Duration::from_secs(30), ..crate::support::config() };
    let server = Server::with_config(config, true).await;
    let (noah, chat, mut customer) = claimed_by_noah_and_its_customer(&server).await;
    assert!(matches!(customer.next(&server).await, Some(ServerFrame::View { .. })));

    let note = json!({"command": "note", "chat": chat.0, "agent": 6, "text": "client VIP"});
    assert!(server.command(&noah, note).await.status.is_success());
    let told = tokio::time::timeout(Duration::from_millis(600), customer.next(&server)).await;
    assert!(told.is_err(), "a note on their chat was a sign of life to the customer: {told:?}");

    // A reply is news: told at once.
    let reply = json!({"command": "reply", "chat": chat.0, "agent": 6, "text": "Bonjour !"});
    assert!(server.command(&noah, reply).await.status.is_success());
    let told = tokio::time::timeout(Duration::from_millis(600), customer.next(&server)).await;
    assert!(matches!(told, Ok(Some(ServerFrame::Changes { .. }))), "{told:?}");
    assert_eq!(customer.position, server.state.position().await, "the note's position is told with the reply");
}
