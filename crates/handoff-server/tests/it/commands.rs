//! Commands over HTTP: the acting agent is the session's, a key applies once, two claims at
//! once end with one assignee, customers act only with their chat's token.

use axum::http::StatusCode;
use handoff::{AgentId, AssignmentMethod, ChatId};
use serde_json::json;

use handoff_server::Config;

use crate::support::{Server, call, claim, new_key};

#[tokio::test]
async fn the_acting_agent_is_the_sessions_whatever_the_body_names() {
    let server = Server::demo().await;
    let amelie = server.sign_in("Amélie Laurent").await;
    let reply = server.command(&amelie, json!({"command": "sign_in", "agent": 6})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(server.signed_in(AgentId(2)).await, "Amélie, whose session it is, signed in");
    assert!(!server.signed_in(AgentId(6)).await, "not Noah, whom the body named");

    // An agent naming an admin in a change of Chat Assignment is still refused as herself.
    let voluntary = json!({"method": "voluntary", "auto_assign_cap": 3});
    let refused =
        server.command(&amelie, json!({"command": "set_assignment", "agent": 1, "assignment": voluntary})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(refused.json["message"], "Amélie Laurent is not an admin: only admins may change Chat Assignment.");
    assert_eq!(refused.json["outcome"], "refused");
}

#[tokio::test]
async fn the_same_key_twice_applies_once_and_answers_the_same() {
    let server = Server::demo().await;
    let (chat, token) = server.start_chat("en").await;
    let path = format!("/api/chats/{}/commands", chat.0);
    let body =
        json!({"key": "0f0e6a52-6d2b-4c59-9a37-7d1f7c5d8e11", "action": {"command": "message", "text": "Hello"}});
    let first = server.send(call("POST", &path).bearer(&token).json(body.clone())).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.json["outcome"], "accepted");
    let position = server.state.position().await;
    let transcript = server.state.read(|engine| engine.chat(chat).map(|chat| chat.transcript.len())).await;

    let retry = server.send(call("POST", &path).bearer(&token).json(body)).await;
    assert_eq!((retry.status, &retry.json), (first.status, &first.json), "the same answer");
    assert_eq!(retry.headers.get("idempotent-replayed").map(|value| value.to_str().ok()), Some(Some("true")));
    assert_eq!(server.state.position().await, position, "nothing appended again");
    assert_eq!(server.state.read(|engine| engine.chat(chat).map(|chat| chat.transcript.len())).await, transcript);

    // The key is the customer's own: used for another message, it is refused.
    let other = json!({"key": "0f0e6a52-6d2b-4c59-9a37-7d1f7c5d8e11", "action": {"command": "message", "text": "Bye"}});
    let reused = server.send(call("POST", &path).bearer(&token).json(other)).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.message(), "This idempotency key was used for another command: make a new key for each command.");

    // A refusal is stored too, and given again, even once the command would now be accepted.
    let sam = server.sign_in("Sam Rivera").await;
    let key = new_key();
    let away = server.keyed(&sam, &key, json!({"command": "set_presence", "agent": 1, "presence": "away"})).await;
    assert_eq!((away.status, away.message()), (StatusCode::UNPROCESSABLE_ENTITY, "Sam Rivera is not signed in."));
    server.command(&sam, json!({"command": "sign_in", "agent": 1})).await;
    let again = server.keyed(&sam, &key, json!({"command": "set_presence", "agent": 1, "presence": "away"})).await;
    assert_eq!((again.status, &again.json), (away.status, &away.json));
}

#[tokio::test]
async fn an_acknowledged_key_survives_a_restart() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let first = server.keyed(&sam, "sign-in-1", json!({"command": "sign_in", "agent": 1})).await;
    let position = server.state.position().await;
    let server = server.restarted().await;
    let retry = server.keyed(&sam, "sign-in-1", json!({"command": "sign_in", "agent": 1})).await;
    assert_eq!(retry.json, first.json);
    assert_eq!(server.state.position().await, position);
}

#[tokio::test]
async fn two_claims_at_once_end_with_one_assignee_and_the_loser_is_told_who_won() {
    let server = Server::demo().await;
    let (amelie, noah, chat, seen) = server.pending_french_chat().await;
    let (first, second) =
        tokio::join!(server.command(&amelie, claim(chat, 2, seen)), server.command(&noah, claim(chat, 6, seen)));
    let statuses = [first.status, second.status];
    assert_eq!(statuses.iter().filter(|status| status.is_success()).count(), 1, "{statuses:?}");
    let (winner, loser) = if first.status.is_success() { (AgentId(2), &second) } else { (AgentId(6), &first) };
    assert_eq!(server.assignee(chat).await, Some(winner));
    assert_eq!(loser.status, StatusCode::CONFLICT);
    let name = if winner == AgentId(2) { "Amélie Laurent" } else { "Noah Martin" };
    assert_eq!(loser.message(), format!("Someone else was quicker: {name} took this chat."));
    assert_eq!(loser.json["rejection"]["by"], winner.0);
}

#[tokio::test]
async fn fifty_claims_at_once_on_ten_chats_give_each_chat_one_assignee() {
    let server = Server::demo().await;
    let (amelie, noah, first_chat, _) = server.pending_french_chat().await;
    let mut chats = vec![first_chat];
    for _ in 1..10 {
        let (chat, token) = server.start_chat("fr").await;
        server.customer(chat, &token, json!({"command": "message", "text": "Je veux parler à un humain"})).await;
        chats.push(chat);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..5 {
        for &chat in &chats {
            let seen = server.state.read(|engine| engine.chat(chat).map(|chat| chat.version)).await.expect("the chat");
            let (cookie, agent) = if (round + chat.0) % 2 == 0 { (amelie.clone(), 2) } else { (noah.clone(), 6) };
            let router = server.router.clone();
            tasks.spawn(async move { (chat, posted(router, cookie, claim(chat, agent, seen)).await) });
        }
    }
    let mut won = std::collections::HashMap::<ChatId, usize>::new();
    while let Some(joined) = tasks.join_next().await {
        let (chat, status) = joined.expect("no panic");
        assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
        if status == StatusCode::OK {
            *won.entry(chat).or_default() += 1;
        }
    }
    for chat in chats {
        assert_eq!(won.get(&chat), Some(&1), "exactly one claim of {chat} won");
        assert!(server.assignee(chat).await.is_some());
    }
}

#[tokio::test]
async fn a_change_of_chat_assignment_is_saved_in_the_workspace_and_survives_a_restart() {
    let server = Server::demo().await;
    let (version, _) = server.state.workspace();
    let sam = server.sign_in("Sam Rivera").await;
    let reply = server
        .command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": {"method": "voluntary", "auto_assign_cap": 5}}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let (saved, workspace) = server.state.workspace();
    assert_eq!(saved, version + 1);
    assert_eq!(workspace.teamspace.assignment.method, AssignmentMethod::Voluntary);
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    assert_eq!(got.json["version"], saved);
    let server = server.restarted().await;
    assert_eq!(server.state.read(|engine| engine.state().assignment.method).await, AssignmentMethod::Voluntary);
    assert_eq!(server.state.workspace().0, saved);
}

#[tokio::test]
async fn only_a_chats_token_lets_a_customer_act_in_it() {
    let server = Server::demo().await;
    let (mine, my_token) = server.start_chat("en").await;
    let (theirs, _their_token) = server.start_chat("en").await;
    assert_ne!(mine, theirs);
    let hello = json!({"command": "message", "text": "Hello"});
    assert_eq!(server.customer(mine, &my_token, hello.clone()).await.status, StatusCode::OK);
    let position = server.state.position().await;
    let reply = server.customer(theirs, &my_token, hello.clone()).await;
    assert_eq!((reply.status, reply.message()), (StatusCode::FORBIDDEN, "This chat's token is missing or wrong."));
    let reply = server.customer(ChatId(999), &my_token, hello).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "an unknown chat is not told apart from another's");
    assert_eq!(server.state.position().await, position, "nothing changed");
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT token_hash FROM chat_tokens").fetch_all(server.state.pool()).await.expect("read");
    assert!(stored.iter().all(|hash| hash.len() == 32 && *hash != my_token.as_bytes()), "only hashes are kept");
}

#[tokio::test]
async fn a_widget_on_another_site_may_start_a_chat_and_read_the_answer() {
    let server = Server::demo().await;
    let preflight = call("OPTIONS", "/api/chats")
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type");
    let reply = server.send(preflight).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(reply.headers.get("access-control-allow-origin").map(|value| value.to_str().ok()), Some(Some("*")));
    let start = call("POST", "/api/chats").header("origin", "https://shop.example").json(json!({"language": "en"}));
    let started = server.send(start).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
    assert_eq!(started.headers.get("access-control-allow-origin").map(|value| value.to_str().ok()), Some(Some("*")));
    assert!(started.headers.get("access-control-allow-credentials").is_none(), "no cookie goes along");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_chats_started_at_once_all_start_each_with_its_own_number() {
    let server = Server::demo().await;
    let mut tasks = tokio::task::JoinSet::new();
    for customer in 0..30u8 {
        let router = server.router.clone();
        tasks.spawn(async move {
            let request: axum::http::Request<axum::body::Body> =
                call("POST", "/api/chats").peer([10, 3, 0, customer]).json(json!({"language": "en"})).into();
            let response = tower::ServiceExt::oneshot(router, request).await.expect("an answer");
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body()).await.expect("a body").to_bytes();
            (status, serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default())
        });
    }
    let mut numbers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (status, body) = joined.expect("no panic");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        numbers.push(body["chat"].as_u64().expect("a number"));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=30).collect::<Vec<u64>>(), "thirty numbers, none twice");
    let tokens: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM chat_tokens").fetch_one(server.state.pool()).await.expect("count");
    assert_eq!(tokens, 30);
}

#[tokio::test]
async fn too_many_chats_started_from_one_address_are_refused_in_words() {
    let server = Server::demo().await;
    let start = || {
        call("POST", "/api/chats")
            .peer([10, 0, 0, 7])
            .header("origin", "https://shop.example")
            .json(json!({"language": "en"}))
    };
    let mut last = None;
    for _ in 0..10 {
        let started = server.send(start()).await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
        last = Some((started.json["chat"].as_u64().expect("a chat"), started.json["token"].clone()));
    }
    let position = server.state.position().await;
    let limited = server.send(start()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text);
    assert!(
        limited.message().starts_with("Too many chats started from this address: try again in "),
        "{}",
        limited.text
    );
    assert_eq!(
        limited.headers.get("access-control-allow-origin").map(|value| value.to_str().ok()),
        Some(Some("*")),
        "the widget may read why"
    );
    assert_eq!(server.state.position().await, position, "no chat started");
    let elsewhere = server.send(start().peer([10, 0, 0, 8])).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "another address is not limited");
    // The customer's messages in a chat started are not limited by it.
    let (chat, token) = last.expect("a chat");
    let path = format!("/api/chats/{chat}/commands");
    let body = json!({"key": new_key(), "action": {"command": "message", "text": "Hello"}});
    let reply =
        server.send(call("POST", &path).peer([10, 0, 0, 7]).bearer(token.as_str().expect("a token")).json(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn a_customer_sending_too_fast_is_refused_in_words_and_nothing_is_stored() {
    // The server's own burst of twenty, but the next one only after a minute, so that sending
    // twenty on a busy machine cannot earn one more meanwhile.
    let config =
        Config { chat_command_period: std::time::Duration::from_secs(60), ..Config::new(crate::support::ORIGIN) };
    assert_eq!(config.chat_command_burst, 20);
    let server = Server::with_config(config, true).await;
    let (chat, token) = server.start_chat("en").await;
    let path = format!("/api/chats/{}/commands", chat.0);
    let send = |key: String| {
        let body = json!({"key": key, "action": {"command": "message", "text": "x".repeat(10_000)}});
        call("POST", &path).header("origin", "https://shop.example").bearer(&token).json(body)
    };
    for _ in 0..20 {
        let reply = server.send(send(new_key())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let position = server.state.position().await;
    let key = new_key();
    let limited = server.send(send(key.clone())).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text);
    assert_eq!(limited.message(), "Too many messages in this chat at once: try again in 60 seconds.");
    assert_eq!(
        limited.headers.get("access-control-allow-origin").map(|value| value.to_str().ok()),
        Some(Some("*")),
        "the widget may read why"
    );
    assert_eq!(server.state.position().await, position, "nothing was appended");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM commands WHERE key = $1")
        .bind(&key)
        .fetch_one(server.state.pool())
        .await
        .expect("count");
    assert_eq!(stored, 0, "its key is not stored");
    // Another chat has its own allowance.
    let (other, other_token) = server.start_chat("en").await;
    let reply = server.customer(other, &other_token, json!({"command": "message", "text": "Hello"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn the_rate_limits_forget_the_addresses_whose_allowance_is_full_again() {
    let mut config = crate::support::config();
    config.start_chat_burst = 1;
    config.start_chat_period = std::time::Duration::from_millis(500);
    config.sign_in_period = std::time::Duration::from_millis(500);
    let server = Server::with_config(config, true).await;
    for _ in 0..3 {
        server.start_chat("en").await;
    }
    // A setup on a server set up already counts as an attempt, and is answered without Argon2.
    let setup = call("POST", "/api/setup").json(json!({"name": "Eve", "password": "another long secret"}));
    assert_eq!(server.send(setup).await.status, StatusCode::CONFLICT);
    assert_eq!(server.state.forget_idle_clients(), 4, "three customers and one sign-in, each short of allowance");
    // One period makes each allowance full again, and the limiter keeps an address one more.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(server.state.forget_idle_clients(), 0, "nothing is kept of them");
}

#[tokio::test]
async fn fifty_clients_claiming_one_chat_at_once_make_exactly_one_winner() {
    let server = Server::demo().await;
    let (amelie, noah, chat, seen) = server.pending_french_chat().await;
    // Ten sessions, five of each Francophone agent, fifty requests at once.
    let mut sessions = vec![(amelie, 2), (noah, 6)];
    for _ in 0..4 {
        sessions.push((server.sign_in("Amélie Laurent").await, 2));
        sessions.push((server.sign_in("Noah Martin").await, 6));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..50 {
        let (cookie, agent) = sessions[client % sessions.len()].clone();
        let router = server.router.clone();
        tasks.spawn(async move { (agent, posted(router, cookie, claim(chat, agent, seen)).await) });
    }
    let mut winners = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (agent, status) = joined.expect("no panic");
        assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
        if status == StatusCode::OK {
            winners.push(agent);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(server.assignee(chat).await, Some(AgentId(winners[0])));
}

/// A staff command with a new key, sent on its own router clone (for tasks run at once).
async fn posted(router: axum::Router, cookie: String, command: serde_json::Value) -> StatusCode {
    let request: axum::http::Request<axum::body::Body> =
        call("POST", "/api/commands").cookie(&cookie).json(json!({"key": new_key(), "command": command})).into();
    tower::ServiceExt::oneshot(router, request).await.expect("an answer").status()
}

/// Every event of the journal, in order, as stored.
async fn journal(server: &Server) -> Vec<handoff::Event> {
    let records: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM events ORDER BY number")
        .fetch_all(server.state.pool())
        .await
        .expect("the journal");
    records.iter().map(|record| handoff::load_event_bytes(record).expect("a record")).collect()
}

#[tokio::test]
async fn commands_at_once_never_pass_the_cap_nor_give_one_chat_twice() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let balanced = json!({"method": "balanced", "auto_assign_cap": 2});
    let set = server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": balanced})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let names = ["Amélie Laurent", "Noah Martin", "Jonas Weber", "Priya Shah"];
    let ids = [2, 6, 3, 4];
    let mut cookies = Vec::new();
    for (name, id) in names.iter().zip(ids) {
        let cookie = server.sign_in(name).await;
        for command in [
            json!({"command": "sign_in", "agent": id}),
            json!({"command": "set_presence", "agent": id, "presence": "online"}),
        ] {
            assert_eq!(server.command(&cookie, command).await.status, StatusCode::OK);
        }
        cookies.push((cookie, id));
    }
    let mut chats = Vec::new();
    for index in 0..24 {
        chats.push(server.start_chat(["fr", "en", "es"][index % 3]).await);
    }
    // Every customer asks for a human while every agent closes, claims and transfers, at once.
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (chat, token)) in chats.iter().enumerate() {
        let (server_chat, token, router) = (*chat, token.clone(), server.router.clone());
        let text = ["talk to a human", "parler à un humain", "hablar con una persona"][index % 3];
        tasks.spawn(async move {
            let path = format!("/api/chats/{}/commands", server_chat.0);
            let body = json!({"key": new_key(), "action": {"command": "message", "text": text}});
            let request: axum::http::Request<axum::body::Body> = call("POST", &path).bearer(&token).json(body).into();
            tower::ServiceExt::oneshot(router, request).await.expect("an answer").status()
        });
        let (cookie, agent) = cookies[index % cookies.len()].clone();
        let router = server.router.clone();
        let other = chats[(index * 7 + 3) % chats.len()].0;
        let command = match index % 3 {
            0 => json!({"command": "close", "chat": other.0, "agent": agent}),
            1 => claim(other, agent, 3),
            _ => json!({"command": "transfer", "chat": other.0, "agent": agent, "to": {"team": 1}}),
        };
        tasks.spawn(posted(router, cookie, command));
    }
    while let Some(joined) = tasks.join_next().await {
        let status = joined.expect("no panic");
        assert!(status.as_u16() < 500, "{status}");
    }
    // Replayed event by event: no automatic assignment beyond the cap, no chat given twice.
    let (_, workspace) = server.state.workspace();
    let mut engine = handoff::Engine::new(workspace, 0);
    let mut assigned = std::collections::HashMap::<ChatId, AgentId>::new();
    let mut automatic = 0;
    for event in journal(&server).await {
        engine.try_apply(&event).expect("the journal replays");
        match &event {
            handoff::Event::Assigned { chat, agent, by, .. } => {
                assert_eq!(assigned.insert(*chat, *agent), None, "{chat} given again without being freed");
                if let handoff::AssignedBy::Method(_) = by {
                    automatic += 1;
                    let open = engine.agent(*agent).expect("an agent").open_chats;
                    let cap = engine.state().assignment.auto_assign_cap;
                    assert!(open <= cap, "{agent} holds {open} chats, over the cap of {cap}");
                }
            }
            handoff::Event::Unassigned { chat, .. }
            | handoff::Event::Transferred { chat, .. }
            | handoff::Event::ChatClosed { chat, .. } => {
                assigned.remove(chat);
            }
            _ => {}
        }
    }
    assert!(automatic >= 4, "the method assigned chats ({automatic})");
}
