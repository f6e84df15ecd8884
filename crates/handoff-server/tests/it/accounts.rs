//! The first admin, passwords, sessions and their cookies, signing out, the sign-in rate limit.

use axum::http::StatusCode;
use handoff::AgentId;
use serde_json::json;

use crate::support::{Server, call};

#[tokio::test]
async fn the_first_admin_is_set_up_once_and_only_on_an_empty_database() {
    let server = Server::empty().await;
    assert_eq!(server.send(call("GET", "/api/setup")).await.json, json!({"open": true}));
    let short = server.send(call("POST", "/api/setup").json(json!({"name": "Ada", "password": "short"}))).await;
    assert_eq!(
        (short.status, short.message()),
        (StatusCode::UNPROCESSABLE_ENTITY, "A password has at least 12 characters.")
    );

    let setup = json!({"name": "Ada Admin", "password": "a long enough secret"});
    let created = server.send(call("POST", "/api/setup").json(setup.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["name"], "Ada Admin");
    assert_eq!(created.json["admin"], true);
    let me = server.send(call("GET", "/api/session").cookie(&created.cookie())).await;
    assert_eq!(me.json, created.json, "set up and signed in");

    let again =
        server.send(call("POST", "/api/setup").json(json!({"name": "Eve", "password": "another long secret"}))).await;
    assert_eq!(
        (again.status, again.message()),
        (StatusCode::CONFLICT, "This server is set up already: sign in instead.")
    );
    assert_eq!(server.send(call("GET", "/api/setup")).await.json, json!({"open": false}));
    let (_, workspace) = server.state.workspace();
    assert_eq!(workspace.teamspace.agents.len(), 1, "Eve was not added");

    // The first admin is in the stored workspace: a restart keeps them.
    let server = server.restarted().await;
    let signed_in = server.send(call("POST", "/api/session").json(setup)).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);

    let demo = Server::demo().await;
    let refused =
        demo.send(call("POST", "/api/setup").json(json!({"name": "Eve", "password": "another long secret"}))).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "the demo's agents have passwords");
}

#[tokio::test]
async fn a_wrong_password_or_an_unknown_name_is_refused_alike() {
    let server = Server::demo().await;
    for (name, password) in [("Amélie Laurent", "not her password"), ("Nobody Here", "whatever it is")] {
        let reply = server.send(call("POST", "/api/session").json(json!({"name": name, "password": password}))).await;
        assert_eq!((reply.status, reply.message()), (StatusCode::UNAUTHORIZED, "The name or the password is wrong."));
        assert!(reply.headers.get("set-cookie").is_none());
    }
    // Names are matched without regard to case or surrounding spaces.
    let password = server.password("Amélie Laurent");
    let reply =
        server.send(call("POST", "/api/session").json(json!({"name": " amélie laurent ", "password": password}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn passwords_are_stored_only_as_argon2id_hashes() {
    let server = Server::demo().await;
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT hash FROM passwords").fetch_all(server.state.pool()).await.expect("read");
    assert_eq!(hashes.len(), 6);
    for hash in &hashes {
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(server.passwords.iter().all(|(_, password)| !hash.contains(password.as_str())));
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_strict_unguessable_and_expires() {
    let server = Server::demo().await;
    let password = server.password("Noah Martin");
    let reply =
        server.send(call("POST", "/api/session").json(json!({"name": "Noah Martin", "password": password}))).await;
    let set_cookie = reply.headers.get("set-cookie").expect("a cookie").to_str().expect("text").to_owned();
    let attributes: Vec<&str> = set_cookie.split("; ").collect();
    assert!(attributes.contains(&"HttpOnly"), "{set_cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{set_cookie}");
    assert!(attributes.contains(&"Max-Age=43200"), "twelve hours: {set_cookie}");
    assert!(attributes.contains(&"Path=/"), "{set_cookie}");
    let token = reply.cookie().trim_start_matches("handoff_session=").to_owned();
    assert_eq!(token.len(), 64, "32 random bytes");
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_all(server.state.pool()).await.expect("read");
    assert!(stored.iter().all(|hash| hash.len() == 32 && *hash != token.as_bytes()), "only its SHA-256 is kept");

    // A session past its expiry is no session.
    sqlx::query("UPDATE sessions SET expires_at = 0").execute(server.state.pool()).await.expect("expired");
    let me = server.send(call("GET", "/api/session").cookie(&reply.cookie())).await;
    assert_eq!((me.status, me.message()), (StatusCode::UNAUTHORIZED, "Sign in first."));
}

#[tokio::test]
async fn an_agent_whose_last_session_expired_is_signed_out_at_the_desk() {
    let server = Server::demo().await;
    let noah = server.sign_in("Noah Martin").await;
    let amelie = server.sign_in("Amélie Laurent").await;
    for cookie in [&noah, &amelie] {
        assert_eq!(server.command(cookie, json!({"command": "sign_in", "agent": 0})).await.status, StatusCode::OK);
    }
    sqlx::query("UPDATE sessions SET expires_at = 0 WHERE agent = 6")
        .execute(server.state.pool())
        .await
        .expect("expired");
    assert_eq!(server.state.end_expired_sessions().await, Ok(1));
    assert!(!server.signed_in(AgentId(6)).await, "Noah went away: no new chats go to him");
    assert!(server.signed_in(AgentId(2)).await, "Amélie's session is still on");
    assert_eq!(server.state.end_expired_sessions().await, Ok(0));
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_that_agent_and_no_one_elses() {
    let server = Server::demo().await;
    let laptop = server.sign_in("Amélie Laurent").await;
    let phone = server.sign_in("Amélie Laurent").await;
    let noah = server.sign_in("Noah Martin").await;
    let signed_in = server.command(&phone, json!({"command": "sign_in", "agent": 2})).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    assert!(server.signed_in(AgentId(2)).await);

    let out = server.send(call("DELETE", "/api/sessions").cookie(&laptop)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    assert!(out.headers.get("set-cookie").expect("cleared").to_str().expect("text").contains("Max-Age=0"));
    for cookie in [&laptop, &phone] {
        assert_eq!(server.send(call("GET", "/api/session").cookie(cookie)).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(server.send(call("GET", "/api/session").cookie(&noah)).await.status, StatusCode::OK);
    assert!(!server.signed_in(AgentId(2)).await, "signed out at the desk too: no new chats go to her");
}

#[tokio::test]
async fn signing_out_ends_this_session_only() {
    let server = Server::demo().await;
    let laptop = server.sign_in("Amélie Laurent").await;
    let phone = server.sign_in("Amélie Laurent").await;
    assert_eq!(server.send(call("DELETE", "/api/session").cookie(&laptop)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(server.send(call("GET", "/api/session").cookie(&laptop)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.send(call("GET", "/api/session").cookie(&phone)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_sets_and_resets_passwords_and_an_agent_may_not() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let jonas = server.sign_in("Jonas Weber").await;
    let reset = server
        .send(call("PUT", "/api/agents/3/password").cookie(&sam).json(json!({"password": "Jonas's new password"})))
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.text);
    assert_eq!(
        server.send(call("GET", "/api/session").cookie(&jonas)).await.status,
        StatusCode::UNAUTHORIZED,
        "a reset ends his sessions"
    );
    let new = server
        .send(call("POST", "/api/session").json(json!({"name": "Jonas Weber", "password": "Jonas's new password"})))
        .await;
    assert_eq!(new.status, StatusCode::OK);
    let old = server
        .send(
            call("POST", "/api/session")
                .json(json!({"name": "Jonas Weber", "password": server.password("Jonas Weber")})),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);

    let by_agent = server
        .send(call("PUT", "/api/agents/1/password").cookie(&new.cookie()).json(json!({"password": "taking over Sam"})))
        .await;
    assert_eq!(
        (by_agent.status, by_agent.message()),
        (StatusCode::FORBIDDEN, "Only admins may set live agents' passwords.")
    );
    let unknown = server
        .send(call("PUT", "/api/agents/99/password").cookie(&sam).json(json!({"password": "for nobody at all"})))
        .await;
    assert_eq!((unknown.status, unknown.message()), (StatusCode::NOT_FOUND, "There is no live agent 99."));
}

#[tokio::test]
async fn a_password_reset_ends_every_session_of_the_agent_and_signs_them_out_at_the_desk() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let laptop = server.sign_in("Jonas Weber").await;
    let phone = server.sign_in("Jonas Weber").await;
    assert_eq!(server.command(&phone, json!({"command": "sign_in", "agent": 3})).await.status, StatusCode::OK);
    assert!(server.signed_in(AgentId(3)).await);

    let reset = server
        .send(call("PUT", "/api/agents/3/password").cookie(&sam).json(json!({"password": "Jonas's new password"})))
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.text);
    for cookie in [&laptop, &phone] {
        assert_eq!(server.send(call("GET", "/api/session").cookie(cookie)).await.status, StatusCode::UNAUTHORIZED);
    }
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE agent = 3")
        .fetch_one(server.state.pool())
        .await
        .expect("count");
    assert_eq!(left, 0, "no session of his is left");
    assert!(!server.signed_in(AgentId(3)).await, "signed out at the desk: no new chats go to him");

    // An admin who resets her own password keeps the session she does it with, and the desk.
    assert_eq!(server.command(&sam, json!({"command": "sign_in", "agent": 1})).await.status, StatusCode::OK);
    let own = server
        .send(call("PUT", "/api/agents/1/password").cookie(&sam).json(json!({"password": "Sam's own new password"})))
        .await;
    assert_eq!(own.status, StatusCode::NO_CONTENT, "{}", own.text);
    assert_eq!(server.send(call("GET", "/api/session").cookie(&sam)).await.status, StatusCode::OK);
    assert!(server.signed_in(AgentId(1)).await);
}

#[tokio::test]
async fn too_many_sign_in_attempts_from_one_address_are_refused() {
    let server = Server::demo().await;
    let attempt = |peer| {
        call("POST", "/api/session").peer(peer).json(json!({"name": "Sam Rivera", "password": "guess guess guess"}))
    };
    for _ in 0..5 {
        assert_eq!(server.send(attempt([10, 0, 0, 9])).await.status, StatusCode::UNAUTHORIZED);
    }
    let limited = server.send(attempt([10, 0, 0, 9])).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.message().starts_with("Too many sign-in attempts from this address: try again in "),
        "{}",
        limited.text
    );
    // Even the right password waits.
    let right = call("POST", "/api/session")
        .peer([10, 0, 0, 9])
        .json(json!({"name": "Sam Rivera", "password": server.password("Sam Rivera")}));
    assert_eq!(server.send(right).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        server.send(attempt([10, 0, 0, 8])).await.status,
        StatusCode::UNAUTHORIZED,
        "another address is not limited"
    );
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_too() {
    let server = Server::with_config(handoff_server::Config::new("https://help.example"), true).await;
    let password = server.password("Noah Martin");
    let body = json!({"name": "Noah Martin", "password": password});
    let reply = server.send(call("POST", "/api/session").header("origin", "https://help.example").json(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let set_cookie = reply.headers.get("set-cookie").expect("a cookie").to_str().expect("text").to_owned();
    assert!(set_cookie.split("; ").any(|attribute| attribute == "Secure"), "{set_cookie}");
}

#[tokio::test]
async fn argon2_runs_only_as_often_at_once_as_allowed_and_a_sign_in_past_the_cap_waits_then_is_told_to_retry() {
    let mut config = handoff_server::Config::new(crate::support::ORIGIN);
    config.hashing_at_once = 1;
    config.hashing_wait = std::time::Duration::from_millis(300);
    let server = Server::with_config(config, true).await;
    let password = server.password("Noah Martin");
    let sign_in = || call("POST", "/api/session").json(json!({"name": "Noah Martin", "password": password}));

    // Every turn is taken: the sign-in waits its while, then is told to try again.
    let turn = server.state.hashing_turn().await.expect("the one turn");
    let busy = server.send(sign_in()).await;
    assert_eq!(
        (busy.status, busy.message()),
        (StatusCode::SERVICE_UNAVAILABLE, "The server is busy checking passwords: try again in a moment.")
    );
    let sessions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(server.state.pool()).await.expect("count");
    assert_eq!(sessions, 0, "nobody was signed in");

    // A sign-in that waits gets the turn once it is given back.
    let give_back = async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        drop(turn);
    };
    let (signed_in, ()) = tokio::join!(server.send(sign_in()), give_back);
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    assert_eq!(handoff_server::Config::new("http://x").hashing_at_once, 2, "two at once by default");
}

#[tokio::test]
async fn signing_in_with_a_session_cookie_ends_that_old_session() {
    let server = Server::demo().await;
    let pool = server.state.pool().clone();
    let sessions = |agent: i64| {
        let pool = pool.clone();
        async move {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE agent = $1")
                .bind(agent)
                .fetch_one(&pool)
                .await
                .expect("count");
            count
        }
    };
    let sign_in = |name: &str, cookie: &str| {
        let body = json!({"name": name, "password": server.password(name)});
        call("POST", "/api/session").peer([10, 0, 0, 20]).cookie(cookie).json(body)
    };
    let first = server.sign_in("Amélie Laurent").await;
    let again = server.send(sign_in("Amélie Laurent", &first)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(server.send(call("GET", "/api/session").cookie(&first)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.send(call("GET", "/api/session").cookie(&again.cookie())).await.status, StatusCode::OK);
    assert_eq!(sessions(2).await, 1, "no orphan session is left behind");

    // Someone else signing in where Noah was: his session ends, and with none left, his desk.
    let noah = server.sign_in("Noah Martin").await;
    assert_eq!(server.command(&noah, json!({"command": "sign_in", "agent": 6})).await.status, StatusCode::OK);
    let amelie = server.send(sign_in("Amélie Laurent", &noah)).await;
    assert_eq!(amelie.status, StatusCode::OK, "{}", amelie.text);
    assert_eq!(sessions(6).await, 0);
    assert!(!server.signed_in(AgentId(6)).await, "no new chats go to him");
    assert_eq!(sessions(2).await, 2, "Amélie's other session is hers to end");
}
