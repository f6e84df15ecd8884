//! The inbox on the server, live: the real server binary with `--demo`, each live agent in a
//! browser session of their own (one WebSocket each), and a customer driven through the public
//! HTTP API as the widget on a customer's site drives it. Two Francophone agents race for one
//! chat; the assignee's reply and note reach the admin's open conversation; the server stopped
//! and started again in the middle of a livechat, with a line sent while it was down.

use serde_json::json;

use crate::accounts::sign_in;
use crate::browser::{Browser, eventually};
use crate::conversations::{agent_sends, text_or_empty, type_into, wait_for_count, wait_for_text};
use crate::server::{Customer, Server};

/// The starter workspace's Francophone live agents, and its admin.
pub(crate) const AMELIE: &str = "Amélie Laurent";
const NOAH: &str = "Noah Martin";
pub(crate) const SAM: &str = "Sam Rivera";

const ASK: &str = "Je veux parler à un humain";

/// A new server with the demo workspace, its Chat Assignment set to Voluntary by the admin over
/// the API: handed-off chats wait in Pending until somebody claims them.
fn demo_under_voluntary() -> Server {
    let server = Server::start(true);
    let sam = server.sign_in(SAM);
    let assignment = json!({"method": "voluntary", "auto_assign_cap": 3});
    let answer = server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": assignment}));
    assert_eq!(answer.status, 200, "Voluntary is set: {}", answer.body);
    server
}

/// A new browser in which `name` signed in with their password and then at the desk.
pub(crate) async fn at_the_desk(server: &Server, name: &str) -> Browser {
    let browser = Browser::open_at(&server.url, 1400).await;
    browser.visit("/inbox").await;
    browser.expect_page("/inbox", "Sign in").await;
    sign_in(&browser, name, &server.password(name)).await;
    browser.expect_page("/inbox", "Inbox").await;
    wait_for_text(&browser, ".sign-in", &format!("Work the inbox as {name}")).await;
    browser.click("#sign-in-agent").await;
    wait_for_text(&browser, ".agent-bar .presence-now", "Online").await;
    browser
}

/// A French customer who asked for a human: pending, under Voluntary.
fn french_customer_asks_for_a_human(server: &Server) -> Customer {
    let customer = Customer::start(server, "fr");
    customer.says(server, ASK);
    customer
}

/// Opens the one chat of `folder` (its tab's id) on the desk and waits for its status.
pub(crate) async fn open_the_chat(browser: &Browser, folder: &str, status: &str) {
    browser.click(&format!("#{folder}")).await;
    wait_for_count(browser, &format!("#{folder} .count"), 1).await;
    browser.click("#chat-list .chat-row").await;
    wait_for_text(browser, ".conversation-status", status).await;
}

/// Claims the chat on screen, and waits until it is this agent's.
pub(crate) async fn claim(browser: &Browser) {
    browser.click(".conversation-actions .primary").await;
    wait_for_text(browser, ".conversation-status", "open, yours").await;
}

/// How many lines of the transcript on screen read exactly `text`.
pub(crate) async fn lines_reading(browser: &Browser, text: &str) -> usize {
    let script = "return [...document.querySelectorAll('.transcript .line .text')].map(line => line.textContent);";
    let lines = browser.client.execute(script, Vec::new()).await.expect("the transcript");
    lines.as_array().expect("a list").iter().filter(|line| line.as_str() == Some(text)).count()
}

#[tokio::test]
async fn two_francophone_agents_see_a_pending_chat_live_both_claim_it_and_exactly_one_gets_it() {
    let server = demo_under_voluntary();
    let amelie = at_the_desk(&server, AMELIE).await;
    let noah = at_the_desk(&server, NOAH).await;

    // The customer asks once both desks are open: the chat comes to them over their sockets.
    french_customer_asks_for_a_human(&server);
    for browser in [&amelie, &noah] {
        open_the_chat(browser, "folder-pending", "pending").await;
        wait_for_text(browser, ".transcript", ASK).await;
    }

    // Both click Claim on screens that show the chat pending: each page's requests are held at
    // a gate until both have clicked, then let go together, so the two claims race at the server.
    let gate = "window.openGate = null; const gate = new Promise(open => { window.openGate = open; }); \
                const fetch = window.fetch.bind(window); window.fetch = (...call) => gate.then(() => fetch(...call));";
    let click = "document.querySelector('.conversation-actions .primary').click();";
    for (name, browser) in [(AMELIE, &amelie), (NOAH, &noah)] {
        browser.client.execute(gate, Vec::new()).await.unwrap_or_else(|error| panic!("{name}'s gate: {error}"));
        browser.client.execute(click, Vec::new()).await.unwrap_or_else(|error| panic!("{name} claims: {error}"));
    }
    for browser in [&amelie, &noah] {
        browser.client.execute("window.openGate();", Vec::new()).await.expect("the gate opens");
    }

    // Exactly one has it, and the other is told who took it (the chat has left their desk).
    let started = std::time::Instant::now();
    let statuses = loop {
        let mut statuses = Vec::new();
        for (name, browser) in [(AMELIE, &amelie), (NOAH, &noah)] {
            let status = text_or_empty(browser, ".conversation-status").await;
            statuses.push((name, status, text_or_empty(browser, ".conversation .error").await));
        }
        let yours = statuses.iter().filter(|(_, status, _)| status.contains("open, yours")).count();
        let told = statuses.iter().filter(|(.., error)| !error.is_empty()).count();
        if yours == 1 && told == 1 {
            break statuses;
        }
        assert!(started.elapsed().as_secs() < 15, "one claim won and the other was told; saw {statuses:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let (winner, loser) = match statuses[0].1.contains("open, yours") {
        true => (&statuses[0], &statuses[1]),
        false => (&statuses[1], &statuses[0]),
    };
    assert_eq!(winner.2, "", "{} is told of no refusal", winner.0);
    assert_eq!(loser.2, format!("Someone else was quicker: {} took this chat.", winner.0));
    assert!(!loser.1.contains("yours"), "{} does not have it: {:?}", loser.0, loser.1);
    amelie.close().await;
    noah.close().await;
}

#[tokio::test]
async fn the_assignees_reply_and_note_show_live_in_the_admins_open_conversation() {
    let server = demo_under_voluntary();
    let amelie = at_the_desk(&server, AMELIE).await;
    let sam = at_the_desk(&server, SAM).await;
    french_customer_asks_for_a_human(&server);
    open_the_chat(&amelie, "folder-pending", "pending").await;
    claim(&amelie).await;
    // The admin has every open chat in All open, and opens this one.
    open_the_chat(&sam, "folder-all-open", &format!("open with {AMELIE}")).await;

    agent_sends(&amelie, "Bonjour, ici Amélie. Je regarde votre dossier.").await;
    wait_for_text(&sam, ".transcript", "Bonjour, ici Amélie. Je regarde votre dossier.").await;
    amelie.click(".note-toggle input").await;
    wait_for_text(&amelie, ".reply-box button[type=submit]", "Add note").await;
    agent_sends(&amelie, "Client fidèle depuis 2019").await;
    wait_for_text(&sam, ".transcript .line.note", "Client fidèle depuis 2019").await;
    assert_eq!(lines_reading(&sam, "Bonjour, ici Amélie. Je regarde votre dossier.").await, 1);
    amelie.close().await;
    sam.close().await;
}

#[tokio::test]
async fn a_line_sent_while_the_server_restarts_is_sent_exactly_once() {
    let mut server = demo_under_voluntary();
    let amelie = at_the_desk(&server, AMELIE).await;
    let customer = french_customer_asks_for_a_human(&server);
    open_the_chat(&amelie, "folder-pending", "pending").await;
    claim(&amelie).await;
    agent_sends(&amelie, "Bonjour, je suis là.").await;

    server.stop();
    wait_for_text(&amelie, ".link-status", "Reconnecting…").await;
    const DURING: &str = "Une ligne écrite pendant la coupure";
    type_into(&amelie, "#reply-text", DURING).await;
    amelie.click(".reply-box button[type=submit]").await;
    // Nothing answers: the line waits in the box, as typed.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let typed = amelie.client.find(fantoccini::Locator::Css("#reply-text")).await.expect("the box");
    assert_eq!(typed.prop("value").await.expect("its value").as_deref(), Some(DURING), "the page keeps the line");

    server.restart();
    eventually("the socket live again", || async {
        let status = text_or_empty(&amelie, ".link-status").await;
        (status.is_empty(), status)
    })
    .await;
    wait_for_text(&amelie, ".transcript", DURING).await;
    let typed = amelie.client.find(fantoccini::Locator::Css("#reply-text")).await.expect("the box");
    assert_eq!(typed.prop("value").await.expect("its value").as_deref(), Some(""), "sent, the box is empty");
    // The customer writes after the restart; everything arrives, once.
    customer.says(&server, "Merci !");
    wait_for_text(&amelie, ".transcript", "Merci !").await;
    assert_eq!(lines_reading(&amelie, DURING).await, 1, "the line sent during the outage, once");
    assert_eq!(lines_reading(&amelie, "Bonjour, je suis là.").await, 1, "the line before it, once");

    // What the server holds, read afresh: the same.
    amelie.client.refresh().await.expect("reload");
    wait_for_text(&amelie, ".transcript", "Merci !").await;
    assert_eq!(lines_reading(&amelie, DURING).await, 1, "once on the server");
    assert_eq!(lines_reading(&amelie, "Bonjour, je suis là.").await, 1);
    amelie.close().await;
}
