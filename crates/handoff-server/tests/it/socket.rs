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

    /// A signed-in agent's socket; `cookie` is `handoff_session=TOKEN`.
    pub fn staff(server: &Server, agent: u32, cookie: &str) -> Client {
        Client::open(server, Client::caller(agent, cookie))
    }

    pub fn caller(agent: u32, cookie: &str) -> Caller {
        let token = cookie.split_once('=').expect("name=value").1;
        Caller::Staff { agent: AgentId(agent), token_hash: handoff_server::secret::token_hash(token) }
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
fn truth(server: &Server, viewer: Viewer) -> Replica {
    let (_, workspace) = server.state.workspace();
    server.state.read(|engine| Replica::new(workspace, viewer::view(engine, viewer).0))
}

fn same_chats(client: &Client, server: &Server) {
    let truth = truth(server, client.viewer);
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
    same_chats(&amelie, &server);
    same_chats(&sam, &server);
    assert_eq!(sam.position, server.state.position());
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
    let (_, noah, chat, version) = server.pending_french_chat().await;
    let claimed = server.command(&noah, crate::support::claim(chat, 6, version)).await;
    assert!(claimed.status.is_success(), "{}", claimed.text);
    let token = chat_token(&server, chat).await;
    let mut customer = Client::open(&server, Caller::Customer { chat });
    customer.hello(None, Some(&token)).await;
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
    let position = server.state.position();
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
    let position = server.state.position();
    assert_eq!(at.position, position);

    let sam = server.sign_in("Sam Rivera").await;
    let got = server.send(crate::support::call("GET", "/api/workspace").cookie(&sam)).await;
    let body = json!({"version": got.json["version"], "workspace": got.json["workspace"]});
    let put = server.send(crate::support::call("PUT", "/api/workspace").cookie(&sam).json(body)).await;
    assert!(put.status.is_success(), "{}", put.text);
    assert_eq!(server.state.position(), position, "the new workspace added no event");

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
    assert!(server.state.position() > before.position);
    assert_eq!(watcher.position, server.state.position(), "the position followed: {:?}", watcher.frames);
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
    let mut stuck = Client::open_with(&server, Client::caller(3, &cookie), 0);
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
