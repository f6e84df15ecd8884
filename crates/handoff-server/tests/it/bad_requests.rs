//! Bad requests get a clear answer in words and change nothing.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{Call, Server, call, claim};

#[tokio::test]
async fn each_bad_request_gets_its_status_and_its_words_and_changes_nothing() {
    let server = Server::demo().await;
    let (amelie, _noah, chat, seen) = server.pending_french_chat().await;
    let (other_chat, other_token) = server.start_chat("en").await;
    let _ = other_chat;
    let huge = "x".repeat(600 * 1024);
    let commands = "/api/commands";
    let message = json!({"key": "k", "action": {"command": "message", "text": "hi"}});
    let chat_path = format!("/api/chats/{}/commands", chat.0);
    let rows: Vec<(&str, Call, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            call("POST", commands).cookie(&amelie).raw("{\"key\": "),
            StatusCode::BAD_REQUEST,
            "The body is not valid JSON: ",
        ),
        (
            "wrong types",
            call("POST", commands).cookie(&amelie).json(
                json!({"key": "k", "command": {"command": "claim", "chat": "one", "agent": 2, "seen_version": 1}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The body does not have the expected fields: ",
        ),
        (
            "an unknown command",
            call("POST", commands)
                .cookie(&amelie)
                .json(json!({"key": "k", "command": {"command": "delete_everything"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The body does not have the expected fields: ",
        ),
        (
            "an unknown field",
            call("POST", "/api/session").json(json!({"name": "Sam Rivera", "password": "x", "admin": true})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The body does not have the expected fields: ",
        ),
        (
            "an unknown chat",
            call("POST", commands)
                .cookie(&amelie)
                .json(json!({"key": "k1", "command": claim(handoff::ChatId(999), 2, 0)})),
            StatusCode::NOT_FOUND,
            "There is no chat #999.",
        ),
        (
            "an oversized body",
            call("POST", commands)
                .cookie(&amelie)
                .json(json!({"key": "k2", "command": {"command": "note", "chat": chat.0, "agent": 2, "text": huge}})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large.",
        ),
        (
            "no JSON content type",
            call("POST", commands).cookie(&amelie).header("content-type", "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON, with the header Content-Type: application/json.",
        ),
        (
            "a staff write without Origin",
            call("POST", commands)
                .cookie(&amelie)
                .without("origin")
                .json(json!({"key": "k3", "command": claim(chat, 2, seen)})),
            StatusCode::FORBIDDEN,
            "This request has no Origin header: writes come from the app's own pages.",
        ),
        (
            "a staff write from another site",
            call("POST", commands)
                .cookie(&amelie)
                .header("origin", "https://evil.example")
                .json(json!({"key": "k4", "command": claim(chat, 2, seen)})),
            StatusCode::FORBIDDEN,
            "This request came from another site (https://evil.example); it is refused.",
        ),
        (
            "a sign-in from another site",
            call("POST", "/api/session")
                .header("origin", "https://evil.example")
                .json(json!({"name": "Sam Rivera", "password": "whatever it is"})),
            StatusCode::FORBIDDEN,
            "This request came from another site (https://evil.example); it is refused.",
        ),
        (
            "a customer token for another chat",
            call("POST", &chat_path).bearer(&other_token).json(message.clone()),
            StatusCode::FORBIDDEN,
            "This chat's token is missing or wrong.",
        ),
        (
            "a customer without a token",
            call("POST", &chat_path).json(message.clone()),
            StatusCode::FORBIDDEN,
            "This chat's token is missing or wrong.",
        ),
        (
            "a chat number that is no number",
            call("POST", "/api/chats/abc/commands").bearer(&other_token).json(message),
            StatusCode::NOT_FOUND,
            "There is no chat abc.",
        ),
        (
            "no session",
            call("POST", commands).json(json!({"key": "k5", "command": claim(chat, 2, seen)})),
            StatusCode::UNAUTHORIZED,
            "Sign in first.",
        ),
        (
            "a forged session",
            call("POST", commands)
                .cookie("handoff_session=00ff")
                .json(json!({"key": "k6", "command": claim(chat, 2, seen)})),
            StatusCode::UNAUTHORIZED,
            "Sign in first.",
        ),
        (
            "an empty idempotency key",
            call("POST", commands).cookie(&amelie).json(json!({"key": "", "command": claim(chat, 2, seen)})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "An idempotency key is 1 to 128 visible ASCII characters (a UUID).",
        ),
        (
            "a customer's command from staff",
            call("POST", commands)
                .cookie(&amelie)
                .json(json!({"key": "k7", "command": {"command": "customer_message", "chat": chat.0, "text": "hi"}})),
            StatusCode::FORBIDDEN,
            "Customers' commands go to their chat (POST /api/chats, /api/chats/{chat}/commands).",
        ),
        (
            "a language the AI agent does not speak",
            call("POST", "/api/chats").json(json!({"language": "xx"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The AI agent does not speak xx.",
        ),
        ("an unknown endpoint", call("GET", "/api/nothing-here"), StatusCode::NOT_FOUND, "There is no such endpoint."),
    ];
    let position = server.state.position().await;
    let before = server.state.read(|engine| engine.state().clone()).await;
    for (what, request, status, words) in rows {
        let reply = server.send(request).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text);
        assert!(reply.message().starts_with(words), "{what}: {:?} does not start with {words:?}", reply.message());
    }
    assert_eq!(server.state.position().await, position, "nothing was appended");
    assert_eq!(server.state.read(|engine| engine.state().clone()).await, before);
    assert_eq!(server.assignee(chat).await, None);
}

#[tokio::test]
async fn arbitrary_bytes_never_make_the_server_panic() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let bodies = [
        "",
        "null",
        "[]",
        "{}",
        "\"\"",
        "{\"key\":1}",
        "{\"key\":\"k\",\"command\":null}",
        "\u{0}\u{1}",
        "{\"version\":-1}",
        "{\"key\":\"k\",\"command\":{\"command\":\"give_feedback\",\"chat\":4294967296}}",
    ];
    for path in [
        "/api/commands",
        "/api/workspace",
        "/api/session",
        "/api/setup",
        "/api/chats",
        "/api/chats/1/commands",
        "/api/agents/1/password",
    ] {
        for method in ["POST", "PUT"] {
            for body in bodies {
                let reply = server.send(call(method, path).cookie(&sam).raw(body)).await;
                assert!(reply.status.is_client_error(), "{method} {path} {body:?}: {} {}", reply.status, reply.text);
            }
        }
    }
}

#[tokio::test]
async fn a_text_over_ten_thousand_characters_is_refused_in_words_and_nothing_is_stored() {
    let server = Server::demo().await;
    let (amelie, _noah, chat, _) = server.pending_french_chat().await;
    let (other, token) = server.start_chat("en").await;
    // Two bytes a character: the length is counted in characters, and the body is far below its limit.
    let long = "é".repeat(10_001);
    let words = "A message, note or comment has at most 10000 characters; this one has 10001.";
    let keys = || async {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM commands").fetch_one(server.state.pool()).await.expect("count");
        count
    };
    let position = server.state.position().await;
    let stored_keys = keys().await;
    for command in ["reply", "note", "takeover_and_send"] {
        let reply =
            server.command(&amelie, json!({"command": command, "chat": chat.0, "agent": 2, "text": long})).await;
        assert_eq!((reply.status, reply.message()), (StatusCode::UNPROCESSABLE_ENTITY, words), "{command}");
    }
    for action in
        [json!({"command": "message", "text": long}), json!({"command": "feedback", "rating": 5, "comment": long})]
    {
        let reply = server.customer(other, &token, action.clone()).await;
        assert_eq!((reply.status, reply.message()), (StatusCode::UNPROCESSABLE_ENTITY, words), "{action}");
    }
    assert_eq!(server.state.position().await, position, "nothing was appended");
    assert_eq!(keys().await, stored_keys, "no key was stored");

    let at_the_limit = server.customer(other, &token, json!({"command": "message", "text": "é".repeat(10_000)})).await;
    assert_eq!(at_the_limit.status, StatusCode::OK, "{}", at_the_limit.text);
}

#[tokio::test]
async fn a_method_an_endpoint_does_not_take_or_a_path_id_that_is_no_number_is_answered_in_json_words() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let password = json!({"password": "a long enough secret"});
    let message = json!({"key": "k", "action": {"command": "message", "text": "hi"}});
    let rows: Vec<(Call, StatusCode, &str)> = vec![
        (call("GET", "/api/commands").cookie(&sam), StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not take GET."),
        (
            call("DELETE", "/api/workspace").cookie(&sam),
            StatusCode::METHOD_NOT_ALLOWED,
            "This endpoint does not take DELETE.",
        ),
        (call("GET", "/api/chats"), StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not take GET."),
        (call("PUT", "/api/chats/1/commands"), StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not take PUT."),
        (call("POST", "/api/chats/abc/commands").json(message.clone()), StatusCode::NOT_FOUND, "There is no chat abc."),
        (
            call("POST", "/api/chats/%FF/commands").json(message),
            StatusCode::NOT_FOUND,
            "There is no such chat: its number in the address cannot be read.",
        ),
        (
            call("PUT", "/api/agents/x/password").cookie(&sam).json(password.clone()),
            StatusCode::NOT_FOUND,
            "There is no live agent x.",
        ),
        (
            call("PUT", "/api/agents/%FF/password").cookie(&sam).json(password),
            StatusCode::NOT_FOUND,
            "There is no such live agent: its number in the address cannot be read.",
        ),
    ];
    for (request, status, words) in rows {
        let reply = server.send(request).await;
        assert_eq!((reply.status, reply.message()), (status, words), "{}", reply.text);
        let content_type = reply.headers.get("content-type").and_then(|value| value.to_str().ok());
        assert_eq!(content_type, Some("application/json"));
    }
    let reply = server.send(call("GET", "/api/commands").cookie(&sam)).await;
    assert_eq!(reply.headers.get("allow").and_then(|value| value.to_str().ok()), Some("POST"), "the methods it takes");
}
