//! The preview's customer widget and timeline on a backend in memory: the optional feedback
//! comment, following the conversation, one send at a time, and notes marked in the timeline.

use handoff::{AgentId, ChatId, Command, Engine, Event, Language, Timestamp, starter_workspace};
use handoff_studio::backend::Backend;
use handoff_studio::preview::{Timeline, Widget};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};

use crate::{Stage, eventually};

/// The starter workspace with a French customer (chat 1) whose chat Amélie Laurent has.
fn engine_with_a_french_livechat() -> Engine {
    let mut engine = Engine::new(starter_workspace(), 1);
    let mut step = 0;
    let mut send = |command: Command| {
        step += 1;
        engine.handle(Timestamp(1_000 * step), command).expect("the setup is accepted");
    };
    send(Command::SignIn { agent: AgentId(2) });
    send(Command::StartChat { chat: ChatId(1), language: Language::new("fr") });
    send(Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() });
    engine
}

fn mount_widget(engine: Engine) -> (Stage, Backend) {
    let backend = Backend::in_memory(engine);
    let stage = Stage::mount(move || view! { <Widget backend=backend chat=ChatId(1)/> });
    (stage, backend)
}

fn transcript(backend: &Backend) -> Vec<Event> {
    backend.read_untracked(|engine| engine.chat(ChatId(1)).unwrap().transcript.clone())
}

#[wasm_bindgen_test]
async fn a_rating_takes_an_optional_comment_shown_as_text() {
    let mut engine = engine_with_a_french_livechat();
    engine.handle(Timestamp(10_000), Command::Close { chat: ChatId(1), agent: AgentId(2) }).unwrap();
    let (stage, backend) = mount_widget(engine);
    eventually("the rating buttons", || stage.element.query_selector(".rating button").unwrap().is_some()).await;
    stage.click("[aria-label='Noter 4 sur 5']");
    eventually("the comment box", || stage.element.query_selector("#feedback-comment").unwrap().is_some()).await;
    assert_eq!(stage.text(".feedback-comment label"), "Autre chose à ajouter ? (facultatif)");
    let comment: HtmlTextAreaElement = stage.find("#feedback-comment").unchecked_into();
    comment.set_value("<script>alert(1)</script> Rapide et gentil");
    comment.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    stage.click(".feedback-comment button[type=submit]");
    eventually("the thanks", || stage.text(".bubbles").contains("Merci pour votre avis !")).await;
    let given = transcript(&backend).into_iter().find_map(|event| match event {
        Event::FeedbackGiven { rating, comment, .. } => Some((rating, comment)),
        _ => None,
    });
    assert_eq!(given, Some((4, Some("<script>alert(1)</script> Rapide et gentil".to_owned()))));
    assert!(
        stage.text(".bubbles").contains("<script>alert(1)</script> Rapide et gentil"),
        "{}",
        stage.text(".bubbles")
    );
    assert!(stage.element.query_selector(".bubbles script").unwrap().is_none(), "text, never markup");
}

#[wasm_bindgen_test]
async fn skipping_the_comment_sends_the_rating_alone() {
    let mut engine = engine_with_a_french_livechat();
    engine.handle(Timestamp(10_000), Command::Close { chat: ChatId(1), agent: AgentId(2) }).unwrap();
    let (stage, backend) = mount_widget(engine);
    eventually("the rating buttons", || stage.element.query_selector(".rating button").unwrap().is_some()).await;
    stage.click("[aria-label='Noter 5 sur 5']");
    eventually("the comment box", || stage.element.query_selector("#feedback-comment").unwrap().is_some()).await;
    stage.click(".feedback-comment button[type=button]");
    eventually("the rating sent", || {
        transcript(&backend).iter().any(|event| matches!(event, Event::FeedbackGiven { rating: 5, comment: None, .. }))
    })
    .await;
}

fn bubbles(stage: &Stage) -> HtmlElement {
    stage.find(".bubbles").unchecked_into()
}

fn at_newest(list: &HtmlElement) -> bool {
    list.scroll_height() - list.scroll_top() - list.client_height() <= 24
}

async fn customer_says(stage: &Stage, text: &str) {
    let input: HtmlInputElement = stage.find("#widget-text").unchecked_into();
    input.set_value(text);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    stage.click(".widget-input button[type=submit]");
    eventually("the message shown", || stage.text(".bubbles").contains(text)).await;
}

#[wasm_bindgen_test]
async fn the_widget_keeps_the_newest_message_in_view_unless_the_customer_scrolled_up() {
    let (stage, backend) = mount_widget(engine_with_a_french_livechat());
    let list = bubbles(&stage);
    // A small box, as on a phone, so that twelve messages overflow it.
    list.style().set_property("max-height", "120px").unwrap();
    list.style().set_property("overflow-y", "auto").unwrap();
    for index in 1..=12 {
        customer_says(&stage, &format!("Message {index}")).await;
    }
    eventually("the newest message in view", || at_newest(&list)).await;

    // After the close, the rating question is in view above the buttons.
    backend.send(Command::Close { chat: ChatId(1), agent: AgentId(2) }).await.unwrap();
    eventually("the rating buttons", || stage.element.query_selector(".rating button").unwrap().is_some()).await;
    eventually("the rating question in view", || at_newest(&list)).await;
    assert!(
        stage.text(".bubbles li:last-child").contains("Merci de noter cette conversation"),
        "{}",
        stage.text(".bubbles li:last-child")
    );

    // Scrolled up to read: new messages wait behind a button.
    list.set_scroll_top(0);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    leptos::task::tick().await;
    backend.send(Command::CustomerMessage { chat: ChatId(1), text: "Encore une chose".to_owned() }).await.unwrap();
    eventually("the New messages button", || stage.element.query_selector(".new-messages").unwrap().is_some()).await;
    assert_eq!(stage.text(".new-messages"), "Nouveaux messages ↓");
    assert_eq!(list.scroll_top(), 0, "the reader's place is kept");
    stage.click(".new-messages");
    eventually("the newest message in view again", || at_newest(&list)).await;
    eventually("the button gone", || stage.element.query_selector(".new-messages").unwrap().is_none()).await;
}

#[wasm_bindgen_test]
async fn a_double_click_on_send_sends_the_message_once() {
    let (stage, backend) = mount_widget(engine_with_a_french_livechat());
    let input: HtmlInputElement = stage.find("#widget-text").unchecked_into();
    input.set_value("Allô ?");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    stage.click(".widget-input button[type=submit]");
    stage.click(".widget-input button[type=submit]");
    eventually("the message shown", || stage.text(".bubbles").contains("Allô ?")).await;
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    let sent = transcript(&backend)
        .iter()
        .filter(|event| matches!(event, Event::CustomerMessage { text, .. } if text == "Allô ?"))
        .count();
    assert_eq!(sent, 1);
}

#[wasm_bindgen_test]
async fn an_internal_note_shows_in_the_timeline_under_its_agent_marked_as_a_note() {
    let mut engine = engine_with_a_french_livechat();
    engine
        .handle(Timestamp(10_000), Command::Note { chat: ChatId(1), agent: AgentId(2), text: "Client VIP".to_owned() })
        .unwrap();
    let backend = Backend::in_memory(engine);
    let stage = Stage::mount(move || view! { <Timeline backend=backend customer=backend chat=ChatId(1)/> });
    eventually("the note line", || stage.element.query_selector(".timeline-note").unwrap().is_some()).await;
    assert_eq!(stage.text(".timeline-note .who"), "Internal note by Amélie Laurent (the customer never sees it)");
    assert!(stage.text(".timeline-note").ends_with("Client VIP"));
    assert_eq!(stage.text(".timeline-customer .who"), "Customer");
}

#[wasm_bindgen_test]
async fn the_customer_finds_unsent_text_after_the_widget_comes_back_and_not_once_sent() {
    let key = "handoff-studio/draft/customer/chat-1";
    window().local_storage().unwrap().unwrap().remove_item(key).unwrap();
    let kept = move || window().local_storage().unwrap().unwrap().get_item(key).unwrap();
    let (stage, backend) = mount_widget(engine_with_a_french_livechat());
    let input: HtmlInputElement = stage.find("#widget-text").unchecked_into();
    input.set_value("Ma commande 42");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    eventually("the draft kept", || kept().as_deref() == Some("Ma commande 42")).await;
    drop(stage);

    let stage = Stage::mount(move || view! { <Widget backend=backend chat=ChatId(1)/> });
    let input: HtmlInputElement = stage.find("#widget-text").unchecked_into();
    eventually("the draft restored", || input.value() == "Ma commande 42").await;
    stage.click(".widget-input button[type=submit]");
    eventually("the message shown", || stage.text(".bubbles").contains("Ma commande 42")).await;
    eventually("the box emptied", || input.value().is_empty()).await;
    eventually("the draft forgotten", || kept().is_none()).await;
    drop(stage);

    let stage = Stage::mount(move || view! { <Widget backend=backend chat=ChatId(1)/> });
    let input: HtmlInputElement = stage.find("#widget-text").unchecked_into();
    for _ in 0..3 {
        leptos::task::tick().await;
    }
    assert_eq!(input.value(), "", "a sent message is no draft");
}

/// The starter workspace under Voluntary with Amélie Laurent Online and two French customers
/// waiting for a person, chat 1 before chat 2.
fn engine_with_two_french_chats_waiting() -> Engine {
    let mut workspace = starter_workspace();
    workspace.teamspace.assignment.method = handoff::AssignmentMethod::Voluntary;
    let mut engine = Engine::new(workspace, 1);
    let mut step = 0;
    let mut send = |command: Command| {
        step += 1;
        engine.handle(Timestamp(1_000 * step), command).expect("the setup is accepted");
    };
    send(Command::SignIn { agent: AgentId(2) });
    for chat in [ChatId(1), ChatId(2)] {
        send(Command::StartChat { chat, language: Language::new("fr") });
        send(Command::CustomerMessage { chat, text: "Je veux parler à un humain".to_owned() });
    }
    engine
}

#[wasm_bindgen_test]
async fn the_customer_is_told_their_current_place_as_the_queue_moves() {
    let backend = Backend::in_memory(engine_with_two_french_chats_waiting());
    let stage = Stage::mount(move || view! { <Widget backend=backend chat=ChatId(2)/> });
    eventually("2nd in the queue", || {
        stage.text(".queue-position") == "Vous êtes 2e dans la file d'attente pour un agent."
    })
    .await;

    // Amélie takes the chat ahead: the customer behind moves up, as the engine keeps the place.
    let version = backend.read_untracked(|engine| handoff::inbox::standing(engine, ChatId(1), AgentId(2)).unwrap());
    let claim = Command::Claim { chat: ChatId(1), agent: AgentId(2), seen_version: version.version };
    backend.send(claim).await.expect("Amélie claims chat 1");
    eventually("1st in the queue", || {
        stage.text(".queue-position") == "Vous êtes 1er dans la file d'attente pour un agent."
    })
    .await;
    let told = transcript_of(&backend, ChatId(2));
    assert!(
        told.iter().any(|event| matches!(event, Event::Queued { position: 2, .. })),
        "the place told when queued was 2nd, and the widget shows the place now"
    );

    // Once Amélie claims it too, nothing is said about a queue any more.
    let version = backend.read_untracked(|engine| handoff::inbox::standing(engine, ChatId(2), AgentId(2)).unwrap());
    let claim = Command::Claim { chat: ChatId(2), agent: AgentId(2), seen_version: version.version };
    backend.send(claim).await.expect("Amélie claims chat 2");
    eventually("no queue place once taken", || stage.text(".queue-position").is_empty()).await;
}

fn transcript_of(backend: &Backend, chat: ChatId) -> Vec<Event> {
    backend.read_untracked(|engine| engine.chat(chat).unwrap().transcript.clone())
}

#[wasm_bindgen_test]
async fn a_bubble_reads_as_its_speaker_then_the_words_not_run_together() {
    let (stage, backend) = mount_widget(engine_with_a_french_livechat());
    let reply = Command::Reply { chat: ChatId(1), agent: AgentId(2), text: "Bonjour, ici Amélie.".to_owned() };
    backend.send(reply).await.expect("Amélie replies");
    eventually("the reply", || stage.text(".bubbles").contains("Bonjour, ici Amélie.")).await;
    // What the live region announces is the bubble's text: the name, then the words.
    assert_eq!(stage.text(".bubbles li:last-child"), "Amélie Laurent: Bonjour, ici Amélie.");
    customer_says(&stage, "Merci").await;
    assert_eq!(stage.text(".bubbles li:last-child"), "You: Merci");
}
