//! One test per kind of attempt to get around who may see and do what: another agent's chat,
//! another agent's id in the body, a customer's token for another chat, a note asked for by a
//! customer, a signed-out cookie, a socket opened from another site.

use std::net::SocketAddr;

use axum::http::StatusCode;
use futures::{SinkExt, StreamExt};
use handoff_wire::{ClientFrame, ServerFrame};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::support::{ORIGIN, Server, call, claim};

#[tokio::test]
async fn nobody_acts_on_or_hears_of_a_chat_they_may_not_see() {
    let server = Server::demo().await;
    let (amelie, noah, chat, version) = server.pending_french_chat().await;
    let taken = server.command(&noah, claim(chat, 6, version)).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.text);
    let jonas = server.sign_in("Jonas Weber").await;
    let position = server.state.position().await;
    let note = |agent: u32| json!({"command": "note", "chat": chat.0, "agent": agent, "text": "psst"});
    let reply = |agent: u32| json!({"command": "reply", "chat": chat.0, "agent": agent, "text": "hi"});
    let version = version + 1;
    // (who, what, status, words said, words never said)
    let table = [
        ("Jonas notes a chat of another team", &jonas, note(3), StatusCode::NOT_FOUND, "no chat #1", "Noah"),
        ("Jonas claims it", &jonas, claim(chat, 3, version), StatusCode::NOT_FOUND, "no chat #1", "Noah"),
        ("Jonas names Noah in the body", &jonas, reply(6), StatusCode::NOT_FOUND, "no chat #1", "Noah"),
        ("Amélie notes Noah's open chat", &amelie, note(2), StatusCode::NOT_FOUND, "no chat #1", "Noah"),
        // An eligible agent who lost the race is told who won (SPEC).
        ("Amélie claims it late", &amelie, claim(chat, 2, version), StatusCode::CONFLICT, "Noah Martin", "psst"),
    ];
    for (attempt, cookie, command, status, said, unsaid) in table {
        let answer = server.command(cookie, command).await;
        assert_eq!(answer.status, status, "{attempt}: {}", answer.text);
        let words = answer.message();
        assert!(words.contains(said), "{attempt}: {words}");
        assert!(!words.contains(unsaid), "{attempt} tells of what it may not see: {words}");
        assert_eq!(answer.json["outcome"], "refused", "{attempt}");
    }
    assert_eq!(server.state.position().await, position, "nothing was decided");
    assert_eq!(server.assignee(chat).await, Some(handoff::AgentId(6)));
}

#[tokio::test]
async fn a_customer_cannot_send_a_note_nor_act_with_a_signed_out_or_foreign_credential() {
    let server = Server::demo().await;
    let (chat, token) = server.start_chat("en").await;
    let path = format!("/api/chats/{}/commands", chat.0);
    let note = json!({"key": "k1", "action": {"command": "note", "text": "I am staff"}});
    let answer = server.send(call("POST", &path).bearer(&token).json(note)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert!(answer.message().contains("unknown variant `note`"), "{}", answer.message());

    // A signed-out cookie opens nothing, neither a command nor the workspace.
    let cookie = server.sign_in("Amélie Laurent").await;
    let out = server.send(call("DELETE", "/api/session").cookie(&cookie)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    let answer = server.command(&cookie, json!({"command": "sign_in", "agent": 2})).await;
    assert_eq!((answer.status, answer.message()), (StatusCode::UNAUTHORIZED, "Sign in first."));
    let answer = server.send(call("GET", "/api/workspace").cookie(&cookie)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

/// The server on a real port, for WebSocket handshakes.
pub async fn listening(server: &Server) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = server.router.clone().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

pub fn handshake(
    address: SocketAddr,
    path: &str,
    origin: &str,
    cookie: Option<&str>,
) -> tungstenite::handshake::client::Request {
    let mut request = format!("ws://{address}{path}").into_client_request().expect("a request");
    request.headers_mut().insert("origin", origin.parse().expect("an origin"));
    if let Some(cookie) = cookie {
        request.headers_mut().insert("cookie", cookie.parse().expect("a cookie"));
    }
    request
}

pub fn refused_with(outcome: Result<impl std::fmt::Debug, tungstenite::Error>) -> StatusCode {
    match outcome {
        Err(tungstenite::Error::Http(response)) => response.status(),
        other => panic!("expected the handshake refused, got {other:?}"),
    }
}

async fn frame(socket: &mut (impl StreamExt<Item = Result<Message, tungstenite::Error>> + Unpin)) -> ServerFrame {
    loop {
        match socket.next().await.expect("a frame").expect("readable") {
            Message::Binary(bytes) => return ServerFrame::from_bytes(&bytes).expect("a server frame"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_staff_socket_opens_only_signed_in_and_from_the_apps_own_origin() {
    let server = Server::demo().await;
    let address = listening(&server).await;
    let cookie = server.sign_in("Sam Rivera").await;

    let none = tokio_tungstenite::connect_async(handshake(address, "/api/socket", ORIGIN, None)).await;
    assert_eq!(refused_with(none), StatusCode::UNAUTHORIZED);
    let elsewhere = handshake(address, "/api/socket", "http://evil.example", Some(&cookie));
    assert_eq!(refused_with(tokio_tungstenite::connect_async(elsewhere).await), StatusCode::FORBIDDEN);

    let (mut socket, _) = tokio_tungstenite::connect_async(handshake(address, "/api/socket", ORIGIN, Some(&cookie)))
        .await
        .expect("a socket from the app's own page");
    let hello = serde_json::to_string(&ClientFrame::Hello { since: None, journal: None, workspace: None, token: None })
        .expect("json");
    socket.send(Message::text(hello)).await.expect("sent");
    assert!(matches!(frame(&mut socket).await, ServerFrame::Workspace { .. }));
    assert!(matches!(frame(&mut socket).await, ServerFrame::View { .. }));

    // Signed out: the cookie opens no socket any more.
    let out = server.send(call("DELETE", "/api/session").cookie(&cookie)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let again = tokio_tungstenite::connect_async(handshake(address, "/api/socket", ORIGIN, Some(&cookie))).await;
    assert_eq!(refused_with(again), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_customer_socket_opens_from_any_site_with_the_token_in_its_first_frame() {
    let server = Server::demo().await;
    let address = listening(&server).await;
    let (chat, token) = server.start_chat("en").await;
    let path = format!("/api/chats/{}/socket", chat.0);
    let (mut socket, _) = tokio_tungstenite::connect_async(handshake(address, &path, "https://shop.example", None))
        .await
        .expect("a customer's socket");
    let hello = ClientFrame::Hello { since: None, journal: None, workspace: None, token: Some(token) };
    socket.send(Message::text(serde_json::to_string(&hello).expect("json"))).await.expect("sent");
    match frame(&mut socket).await {
        ServerFrame::View { view, .. } => assert_eq!(view.chats.len(), 1),
        other => panic!("expected the customer's view, got {other:?}"),
    }
    let bad =
        tokio_tungstenite::connect_async(handshake(address, "/api/chats/abc/socket", "https://shop.example", None));
    assert_eq!(refused_with(bad.await), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_command_is_authorised_on_the_state_it_is_decided_on_not_on_an_instance_behind_the_journal() {
    use handoff::{AgentId, Command, Language};
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let voluntary = json!({"method": "voluntary", "auto_assign_cap": 3});
    let set = server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": voluntary})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let amelie = server.sign_in("Amélie Laurent").await;
    assert_eq!(server.command(&amelie, json!({"command": "sign_in", "agent": 0})).await.status, StatusCode::OK);

    // A second instance on the same database starts a French chat, whose customer asks for a human.
    let other = handoff_server::AppState::open(server.dir.path(), crate::support::config(), false)
        .await
        .expect("a second instance starts")
        .state;
    let (chat, started) = other.start_chat(Language::new("fr"), vec![7; 32]).await.expect("started");
    assert!(started.status.is_success(), "{started:?}");
    let text = "Je veux parler à un humain".to_owned();
    let asked = other.run(None, None, Command::CustomerMessage { chat, text }).await.expect("stored");
    assert!(asked.status.is_success(), "{asked:?}");
    let version = other.read(|engine| engine.chat(chat).map(|found| found.version)).await.expect("the chat");
    assert!(server.state.read(|engine| engine.chat(chat).is_none()).await, "this instance has not read it yet");

    // Amélie, eligible, claims it here: decided on what the journal holds, not refused (and that
    // refusal stored under her key) as a chat there is none of.
    let key = crate::support::new_key();
    let claimed = server.keyed(&amelie, &key, claim(chat, 2, version)).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text);
    assert_eq!(claimed.json["outcome"], "accepted");
    assert_eq!(server.assignee(chat).await, Some(AgentId(2)));
    let again = server.keyed(&amelie, &key, claim(chat, 2, version)).await;
    assert_eq!((again.status, &again.json), (StatusCode::OK, &claimed.json), "the key stands for the claim");

    // A chat she may not see is still answered as none, from the state decided on.
    let (hidden, _) = other.start_chat(Language::new("en"), vec![8; 32]).await.expect("started");
    let note = json!({"command": "note", "chat": hidden.0, "agent": 2, "text": "psst"});
    let refused = server.command(&amelie, note).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text);
    assert_eq!(refused.message(), format!("There is no chat #{}.", hidden.0));
}
