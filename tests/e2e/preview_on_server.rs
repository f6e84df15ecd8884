//! The preview on the server: the designer (the admin) plays a French customer in `/preview`,
//! which reaches the real server binary through its public customer API (`POST /api/chats`, the
//! chat's token, its own socket), while two live agents work their desks in browsers of their
//! own, each with its own cookies: Amélie, on the French list, and Jonas, who is not. Under
//! Balanced and under Voluntary the chat reaches Amélie and never Jonas; her reply reaches the
//! customer and her note never does; a reload of the customer's page loses nothing, nor does a
//! restart of the server, with a line the customer sent while it was down; she closes,
//! the customer rates, the close subtree runs, and a new AI session answers the next message;
//! another save of the workspace reaches the customer's widget.

use serde_json::json;

use crate::accounts::sign_in;
use crate::browser::{Browser, eventually};
use crate::conversations::{
    GREETING, agent_sends, choose, closed_rated_and_back_to_the_ai_agent, customer_says, text_or_empty, type_into,
    wait_for_count, wait_for_text,
};
use crate::live::{AMELIE, SAM, at_the_desk, claim, lines_reading, open_the_chat};
use crate::server::Server;

/// The starter workspace's live agent of the Technical team: not on the French list.
const JONAS: &str = "Jonas Weber";

const ASK: &str = "Je voudrais parler à un humain";
const REPLY: &str = "Bonjour, ici Amélie. Je regarde votre dossier.";
const NOTE: &str = "Client fidèle depuis 2019";

/// The admin in `/preview`, signed in with their password: the designer who plays the customer.
async fn designer_at_the_preview(server: &Server) -> Browser {
    let browser = Browser::open_at(&server.url, 1400).await;
    browser.visit("/preview").await;
    browser.expect_page("/preview", "Sign in").await;
    sign_in(&browser, SAM, &server.password(SAM)).await;
    browser.expect_page("/preview", "Preview").await;
    browser
}

/// Jonas has seen nothing of the chat: no chat in any of his folders.
async fn jonas_sees_nothing(jonas: &Browser) {
    for folder in ["folder-pending", "folder-mine", "folder-closed"] {
        wait_for_count(jonas, &format!("#{folder} .count"), 0).await;
    }
    let rows = jonas.client.find_all(fantoccini::Locator::Css("#chat-list .chat-row")).await.expect("a query");
    assert!(rows.is_empty(), "no chat on Jonas's desk");
}

/// The admin renames the AI agent over the API, as another session of theirs would save it.
async fn rename_the_ai_agent(server: &Server, name: &str) {
    let sam = server.sign_in(SAM);
    let headers = [format!("Origin: {}", server.url), format!("Cookie: {sam}")];
    let answer = server.call("GET", "/api/workspace", &headers, "");
    assert_eq!(answer.status, 200, "the workspace: {}", answer.body);
    let mut versioned: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    versioned["workspace"]["workspace"]["ai_agent"]["name"] = json!(name);
    let answer = server.call("PUT", "/api/workspace", &headers, &versioned.to_string());
    assert_eq!(answer.status, 200, "the renamed workspace is saved: {}", answer.body);
}

async fn french_journey_on_the_server(method: &str) {
    let mut server = Server::start(true);
    if method == "Voluntary" {
        let sam = server.sign_in(SAM);
        let assignment = json!({"method": "voluntary", "auto_assign_cap": 3});
        let answer = server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": assignment}));
        assert_eq!(answer.status, 200, "Voluntary is set: {}", answer.body);
    }
    let amelie = at_the_desk(&server, AMELIE).await;
    let jonas = at_the_desk(&server, JONAS).await;
    let designer = designer_at_the_preview(&server).await;

    // The customer starts a French chat: the server numbers it, the AI agent greets in French.
    choose(&designer, "#customer-language", "fr").await;
    designer.click(".start-chat button[type=submit]").await;
    wait_for_text(&designer, ".widget .bubbles", GREETING).await;
    // Beside the customer, who the language reaches, from the admin's own view of the agents.
    wait_for_text(&designer, ".reach", "Amélie Laurent: Online").await;
    wait_for_text(&designer, ".reach", "Noah Martin: signed out").await;
    customer_says(&designer, ASK).await;
    wait_for_text(&designer, ".widget .bubbles", "Je vous mets en relation avec un agent…").await;

    if method == "Voluntary" {
        wait_for_text(&designer, ".queue-position", "Vous êtes 1er dans la file d'attente").await;
        open_the_chat(&amelie, "folder-pending", "pending, 1st in queue").await;
        claim(&amelie).await;
    } else {
        open_the_chat(&amelie, "folder-mine", "open, yours").await;
    }
    wait_for_text(&amelie, ".transcript", ASK).await;
    eventually("the queue place gone from the widget", || async {
        let place = text_or_empty(&designer, ".queue-position").await;
        (place.is_empty(), place)
    })
    .await;
    jonas_sees_nothing(&jonas).await;

    agent_sends(&amelie, REPLY).await;
    wait_for_text(&designer, ".widget .bubbles", REPLY).await;
    amelie.click(".note-toggle input").await;
    wait_for_text(&amelie, ".reply-box button[type=submit]", "Add note").await;
    agent_sends(&amelie, NOTE).await;
    wait_for_text(&amelie, ".transcript .line.note", NOTE).await;
    amelie.click(".note-toggle input").await;
    wait_for_text(&amelie, ".reply-box button[type=submit]", "Send").await;
    // The customer writes after the note: once Amélie reads it, the customer's socket has passed
    // the note, which it never brought.
    customer_says(&designer, "Merci !").await;
    wait_for_text(&amelie, ".transcript", "Merci !").await;
    designer.assert_accessible(&format!("/preview on the server with a livechat under {method}")).await;

    // The customer's page is reloaded mid-livechat, a draft typed: the chat and the draft resume.
    type_into(&designer, "#widget-text", "Et la facture ?").await;
    designer.client.refresh().await.expect("the reload");
    designer.expect_page("/preview", "Preview").await;
    for line in [ASK, REPLY, "Merci !"] {
        wait_for_text(&designer, ".widget .bubbles", line).await;
    }
    let draft = designer.client.execute("return document.querySelector('#widget-text').value;", Vec::new()).await;
    assert_eq!(draft.expect("the draft").as_str(), Some("Et la facture ?"), "the customer's draft survives the reload");
    designer.click(".widget-input button[type=submit]").await;
    wait_for_text(&amelie, ".transcript", "Et la facture ?").await;
    agent_sends(&amelie, "C'est réglé.").await;
    wait_for_text(&designer, ".widget .bubbles", "C'est réglé.").await;
    assert_eq!(lines_reading(&amelie, "Merci !").await, 1, "the line before the reload, once");

    // The server stops and starts again mid-livechat: the widget says so, and a line the customer
    // sent meanwhile is sent again under its key until the server takes it, and arrives once.
    server.stop();
    wait_for_text(&designer, ".widget .link-status", "Reconnecting…").await;
    const DURING: &str = "Vous êtes toujours là ?";
    type_into(&designer, "#widget-text", DURING).await;
    designer.click(".widget-input button[type=submit]").await;
    server.restart();
    wait_for_text(&amelie, ".transcript", DURING).await;
    wait_for_text(&designer, ".widget .bubbles", DURING).await;
    eventually("the customer's socket live again", || async {
        let status = text_or_empty(&designer, ".widget .link-status").await;
        (status.is_empty(), status)
    })
    .await;
    assert_eq!(lines_reading(&amelie, DURING).await, 1, "the line sent during the outage, once");
    let widget = text_or_empty(&designer, ".widget").await;
    assert!(!widget.contains(NOTE), "an internal note never reaches the customer: {widget}");

    // Amélie closes; the customer rates; the close subtree runs; a new AI session answers.
    closed_rated_and_back_to_the_ai_agent(&amelie, &designer).await;
    let widget = text_or_empty(&designer, ".widget").await;
    assert!(!widget.contains(NOTE), "an internal note never reaches the customer: {widget}");
    jonas_sees_nothing(&jonas).await;

    // Another admin's save reaches the preview: the customer's widget is built again on the new
    // workspace, and keeps the chat.
    rename_the_ai_agent(&server, "Acme Aide").await;
    eventually("the widget on the new workspace", || async {
        let widget = designer.client.find(fantoccini::Locator::Css(".widget")).await;
        let label = match widget {
            Ok(widget) => widget.attr("aria-label").await.ok().flatten().unwrap_or_default(),
            Err(_) => String::new(),
        };
        (label == "Chat widget: Acme Aide", label)
    })
    .await;
    wait_for_text(&designer, ".widget .bubbles", "Désolé, je n'ai pas compris.").await;
    wait_for_text(&designer, ".widget .bubbles", REPLY).await;

    designer.close().await;
    jonas.close().await;
    amelie.close().await;
}

#[tokio::test]
async fn on_the_server_the_preview_plays_a_french_customer_through_the_customer_api_under_balanced() {
    french_journey_on_the_server("Balanced").await;
}

#[tokio::test]
async fn on_the_server_the_preview_plays_a_french_customer_through_the_customer_api_under_voluntary() {
    french_journey_on_the_server("Voluntary").await;
}
