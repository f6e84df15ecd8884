//! The inbox on a backend in memory: sign in, the lists and their counts, claim, reply, internal
//! notes, canned replies, and text that looks like HTML shown as text.

use handoff::{AgentId, AssignmentMethod, ChatId, Command, Engine, Language, Timestamp, starter_workspace};
use handoff_studio::backend::{Backend, provide_open};
use handoff_studio::inbox::{Desk, provide_identity};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit};

use crate::{Stage, eventually};

/// The starter workspace under `method`, with a French customer who asked for a person, and
/// every agent signed in and Online.
fn engine_with_a_french_handoff(method: AssignmentMethod) -> Engine {
    let mut workspace = starter_workspace();
    workspace.teamspace.assignment.method = method;
    let mut engine = Engine::new(workspace, 1);
    let mut step = 0;
    let mut send = |command: Command| {
        step += 1;
        engine.handle(Timestamp(1_000 * step), command).expect("the setup is accepted");
    };
    for agent in 1..=6 {
        send(Command::SignIn { agent: AgentId(agent) });
    }
    send(Command::StartChat { chat: ChatId(1), language: Language::new("fr") });
    send(Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() });
    engine
}

/// The desk on an in-memory backend, in a tab where nobody has signed in yet.
fn mount_desk(engine: Engine) -> (Stage, Backend) {
    let storage = window().session_storage().unwrap().unwrap();
    storage.clear().unwrap();
    let backend = Backend::in_memory(engine);
    let stage = Stage::mount(move || {
        provide_open(backend);
        provide_identity(None);
        view! { <Desk backend=backend/> }
    });
    (stage, backend)
}

async fn sign_in_as(stage: &Stage, agent: u32) {
    let select: HtmlSelectElement = stage.find("#sign-in-agent").unchecked_into();
    select.set_value(&agent.to_string());
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    stage.click(".sign-in button[type=submit]");
    eventually("the desk after signing in", || stage.element.query_selector(".agent-bar").unwrap().is_some()).await;
}

async fn type_and_send(stage: &Stage, text: &str) {
    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    area.set_value(text);
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    stage.click(".reply-box button[type=submit]");
}

fn lines(stage: &Stage) -> Vec<String> {
    let list = stage.element.query_selector_all(".transcript .line .text").unwrap();
    (0..list.length())
        .filter_map(|index| list.item(index))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn a_francophone_agent_claims_the_french_chat_replies_and_writes_a_note_shown_as_text() {
    let (stage, backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Voluntary));
    // Amélie Laurent is in the Francophone team, the French list.
    sign_in_as(&stage, 2).await;
    assert_eq!(stage.text("#folder-pending .count"), "1", "the French chat waits for her");
    assert!(stage.text("#chat-list").contains("Chat #1"));
    assert!(stage.text("#chat-list").contains("1st in queue"));

    stage.click("#chat-list .chat-row");
    eventually("the conversation", || stage.element.query_selector("#conversation-heading").unwrap().is_some()).await;
    assert!(lines(&stage).iter().any(|line| line == "Je veux parler à un humain"));
    stage.click(".conversation-actions .primary");
    eventually("the claim", || stage.text(".conversation-status").contains("open, yours")).await;
    assert_eq!(stage.text("#folder-mine .count"), "1");
    assert_eq!(stage.text("#folder-pending .count"), "0");

    type_and_send(&stage, "Bonjour, je m'en occupe.").await;
    eventually("the reply in the transcript", || lines(&stage).iter().any(|line| line == "Bonjour, je m'en occupe."))
        .await;

    // "Why is this chat here?" explains when opened, and follows the chat while open.
    let verdicts_drawn = || stage.element.query_selector(".why .verdicts").unwrap().is_some();
    assert!(!verdicts_drawn(), "nothing is worked out while it is closed");
    stage.click(".why summary");
    eventually("the explanation", || stage.text(".why").contains("Claimed from the Pending queue.")).await;
    assert!(stage.text(".why .verdicts").contains("Amélie Laurent"), "{}", stage.text(".why .verdicts"));

    let note: web_sys::HtmlInputElement = stage.find(".note-toggle input").unchecked_into();
    note.click();
    eventually("note mode", || stage.text(".reply-box button[type=submit]") == "Add note").await;
    type_and_send(&stage, "<script>alert(1)</script> VIP").await;
    eventually("the note", || stage.element.query_selector(".transcript .line.note").unwrap().is_some()).await;
    assert_eq!(stage.text(".transcript .line.note .text"), "<script>alert(1)</script> VIP");
    assert!(stage.element.query_selector(".transcript script").unwrap().is_none(), "text, never markup");
    let transcript = backend.read_untracked(|engine| engine.chat(ChatId(1)).unwrap().transcript.clone());
    assert!(transcript.iter().any(|event| matches!(event, handoff::Event::NoteAdded { agent: AgentId(2), .. })));
}

fn press(element: &web_sys::Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    element.dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()).unwrap();
}

#[wasm_bindgen_test]
async fn typing_a_slash_offers_the_canned_replies_and_enter_picks_one_then_sends_it() {
    let (stage, _backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    // Balanced: Amélie and Noah (Francophone) tie on open chats; the smaller id, Amélie, gets it.
    sign_in_as(&stage, 2).await;
    assert_eq!(stage.text("#folder-mine .count"), "1");
    stage.click("#folder-mine");
    eventually("the Mine list", || stage.text("#chat-list").contains("Chat #1")).await;
    stage.click("#chat-list .chat-row");
    eventually("the reply box", || stage.element.query_selector("#reply-text").unwrap().is_some()).await;

    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    area.set_value("/re");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    eventually("the canned replies", || stage.element.query_selector(".canned").unwrap().is_some()).await;
    assert_eq!(
        stage.text(".canned [aria-selected=true]"),
        "/refund I've started your refund; you'll see it within five business days."
    );
    press(&area, "Enter");
    eventually("the canned reply in the box", || area.value().starts_with("I've started your refund")).await;
    assert!(stage.element.query_selector(".canned").unwrap().is_none());
    press(&area, "Enter");
    eventually("the reply sent", || lines(&stage).iter().any(|line| line.starts_with("I've started your refund")))
        .await;
    eventually("the box emptied once sent", || area.value().is_empty()).await;
}

/// The open chat in Mine, with its reply box, for agent `agent`.
async fn open_mine(stage: &Stage, agent: u32) {
    sign_in_as(stage, agent).await;
    stage.click("#folder-mine");
    eventually("the Mine list", || stage.text("#chat-list").contains("Chat #1")).await;
    stage.click("#chat-list .chat-row");
    eventually("the reply box", || stage.element.query_selector("#reply-text").unwrap().is_some()).await;
}

fn agent_messages(backend: &Backend) -> usize {
    backend.read_untracked(|engine| {
        let chat = engine.chat(ChatId(1)).unwrap();
        chat.transcript.iter().filter(|event| matches!(event, handoff::Event::AgentMessage { .. })).count()
    })
}

#[wasm_bindgen_test]
async fn two_enter_presses_or_clicks_in_the_same_instant_send_a_reply_once() {
    let (stage, backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    open_mine(&stage, 2).await;
    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    area.set_value("Bonjour !");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    press(&area, "Enter");
    press(&area, "Enter");
    eventually("the reply sent", || lines(&stage).iter().any(|line| line == "Bonjour !")).await;
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    assert_eq!(agent_messages(&backend), 1, "two Enter presses send once");

    area.set_value("Un instant.");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    stage.click(".reply-box button[type=submit]");
    stage.click(".reply-box button[type=submit]");
    eventually("the second reply", || lines(&stage).iter().any(|line| line == "Un instant.")).await;
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    assert_eq!(agent_messages(&backend), 2, "a double click sends once");
}

#[wasm_bindgen_test]
async fn the_presence_button_says_away_while_away() {
    let (stage, _backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    sign_in_as(&stage, 2).await;
    assert_eq!(stage.text(".presence .presence-now"), "Online");
    assert_eq!(stage.text(".presence"), "Online, go Away");
    stage.click(".presence");
    eventually("Away", || stage.text(".presence .presence-now") == "Away").await;
    assert_eq!(stage.text(".presence"), "Away, go Online", "the button never reads Online while Away");
    assert_eq!(stage.text(".presence-state"), "Away: no new chats");
}

#[wasm_bindgen_test]
async fn the_transfer_picker_shows_who_is_away_or_signed_out_and_offers_only_the_others() {
    let mut engine = engine_with_a_french_handoff(AssignmentMethod::Balanced);
    // Noah Martin, Amélie's Francophone teammate, is Away; Jonas Weber signed out.
    engine
        .handle(Timestamp(90_000), Command::SetPresence { agent: AgentId(6), presence: handoff::Presence::Away })
        .unwrap();
    engine.handle(Timestamp(90_001), Command::SignOut { agent: AgentId(3) }).unwrap();
    let (stage, backend) = mount_desk(engine);
    open_mine(&stage, 2).await;
    let option = |label: &str| -> Option<web_sys::HtmlOptionElement> {
        let options = stage.element.query_selector_all(".transfer option").unwrap();
        (0..options.length())
            .filter_map(|index| options.item(index))
            .map(|node| node.unchecked_into::<web_sys::HtmlOptionElement>())
            .find(|option| option.text() == label)
    };
    assert!(option("Noah Martin (Away)").is_some_and(|option| option.disabled()), "Away is shown, not offered");
    assert!(option("Jonas Weber (signed out)").is_some_and(|option| option.disabled()));
    assert!(option("Sam Rivera (not eligible for this chat)").is_some_and(|option| option.disabled()));
    assert!(option("Team Billing").is_some_and(|option| !option.disabled()));

    backend.send(Command::SetPresence { agent: AgentId(6), presence: handoff::Presence::Online }).await.unwrap();
    eventually("Noah offered once Online", || option("Noah Martin").is_some_and(|option| !option.disabled())).await;
}

#[wasm_bindgen_test]
async fn a_chat_assigned_by_the_method_is_unread_in_mine_until_opened() {
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/seen").unwrap();
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/notify").unwrap();
    // Balanced gave the French chat to Amélie before she looked.
    let (stage, backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    sign_in_as(&stage, 2).await;
    eventually("the unread count on Mine", || stage.text("#folder-mine .unread-count") == ", 1 unread").await;
    assert_eq!(stage.text("#folder-mine .count"), "1");
    stage.click("#folder-mine");
    eventually("the Mine list", || stage.text("#chat-list").contains("Chat #1")).await;
    assert!(stage.find("#chat-list .chat-row").class_list().contains("unread"));
    assert_eq!(stage.text("#chat-list .unread-tag"), "Unread");
    // Sounds and notifications wait for a click: nothing was asked on load.
    assert_eq!(stage.text(".notify"), "Notify me of new chats");
    assert_eq!(stage.find(".notify").get_attribute("aria-pressed").as_deref(), Some("false"));

    stage.click("#chat-list .chat-row");
    eventually("read once opened", || stage.element.query_selector("#folder-mine .unread-count").unwrap().is_none())
        .await;
    assert!(stage.element.query_selector("#chat-list .unread-tag").unwrap().is_none());

    // A customer's message while another chat is open makes it unread again.
    leptos::prelude::window().session_storage().unwrap().unwrap().remove_item("handoff-studio/open-chat").unwrap();
    drop(stage);
    let stage = Stage::mount(move || {
        provide_open(backend);
        provide_identity(None);
        view! { <Desk backend=backend/> }
    });
    eventually("the desk again", || stage.element.query_selector(".agent-bar").unwrap().is_some()).await;
    backend.send(Command::CustomerMessage { chat: ChatId(1), text: "Vous êtes là ?".to_owned() }).await.unwrap();
    eventually("unread again", || stage.text("#folder-mine .unread-count") == ", 1 unread").await;
}

#[wasm_bindgen_test]
async fn a_reply_typed_but_not_sent_is_back_after_the_desk_is_mounted_again_and_gone_once_sent() {
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/draft/agent-2/chat-1").unwrap();
    let (stage, backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    open_mine(&stage, 2).await;
    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    area.set_value("Bonjour, je regarde votre commande");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    // A reload comes after the typing has been kept, never within the same tick.
    let kept = || window().local_storage().unwrap().unwrap().get_item("handoff-studio/draft/agent-2/chat-1").unwrap();
    eventually("the draft kept", || kept().as_deref() == Some("Bonjour, je regarde votre commande")).await;

    // The page goes away (as on a reload) and comes back: the same agent finds the text.
    let remount = |backend: Backend| {
        Stage::mount(move || {
            provide_open(backend);
            provide_identity(None);
            view! { <Desk backend=backend/> }
        })
    };
    drop(stage);
    let stage = remount(backend);
    eventually("the reply box again", || stage.element.query_selector("#reply-text").unwrap().is_some()).await;
    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    eventually("the draft restored", || area.value() == "Bonjour, je regarde votre commande").await;

    // Once sent, the box is empty, and stays empty after mounting again.
    stage.click(".reply-box button[type=submit]");
    eventually("the reply sent", || agent_messages(&backend) == 1).await;
    eventually("the box emptied", || area.value().is_empty()).await;
    eventually("the draft forgotten", || kept().is_none()).await;
    drop(stage);
    let stage = remount(backend);
    eventually("the reply box again", || stage.element.query_selector("#reply-text").unwrap().is_some()).await;
    let area: HtmlTextAreaElement = stage.find("#reply-text").unchecked_into();
    assert_eq!(area.value(), "", "a sent reply is no draft");
    assert!(stage.text("#transcript").contains("Bonjour, je regarde votre commande"), "the reply is in the transcript");
}

#[wasm_bindgen_test]
async fn the_browser_is_asked_about_notifications_only_when_the_agent_clicks_notify_me() {
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/notify").unwrap();
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/seen").unwrap();
    // Count the browser's permission prompts, and answer as a browser that has not been asked yet.
    let stub = js_sys::Function::new_no_args(
        "const N = window.Notification;
         window.__asks = 0;
         window.__saved = [Object.getOwnPropertyDescriptor(N, 'permission'), N.requestPermission];
         Object.defineProperty(N, 'permission', { configurable: true, get: () => 'default' });
         N.requestPermission = () => { window.__asks += 1; return Promise.resolve('default'); };",
    );
    stub.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let asks = || js_sys::Reflect::get(&window(), &"__asks".into()).unwrap().as_f64().unwrap_or(-1.0) as i32;
    let (stage, _backend) = mount_desk(engine_with_a_french_handoff(AssignmentMethod::Balanced));
    sign_in_as(&stage, 2).await;
    eventually("the unread count on Mine", || stage.text("#folder-mine .unread-count") == ", 1 unread").await;
    assert_eq!(asks(), 0, "nothing asks for permission on mount");

    stage.click(".notify");
    eventually("asked on the click", || asks() == 1).await;
    eventually("the button on", || stage.find(".notify").get_attribute("aria-pressed").as_deref() == Some("true"))
        .await;
    drop(stage);
    js_sys::Function::new_no_args(
        "const N = window.Notification;
         if (window.__saved[0]) { Object.defineProperty(N, 'permission', window.__saved[0]); } else { delete N.permission; }
         N.requestPermission = window.__saved[1];",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
    window().local_storage().unwrap().unwrap().remove_item("handoff-studio/notify").unwrap();
}

/// A socket the server refused before its first view: the page says why, in the server's words,
/// instead of "Opening the conversations…" for ever.
#[wasm_bindgen_test]
async fn conversations_the_server_refused_say_so_instead_of_opening_for_ever() {
    use handoff_studio::backend::{Conversations, Opening};
    let refused = "This socket opens only from the app's own pages.".to_owned();
    let stage = Stage::mount(move || {
        provide_context(Conversations {
            opening: RwSignal::new_local(Opening::Refused(refused)),
            damaged: RwSignal::new_local(None),
        });
        handoff_studio::inbox::with_backend(|_| view! { <p class="desk">"the desk"</p> }.into_any())
    });
    let said = stage.text("[role=alert]");
    assert!(said.contains("The server refused this page's connection to the conversations"), "{said}");
    assert!(said.contains("This socket opens only from the app's own pages."), "{said}");
    assert!(stage.element.query_selector(".loading").unwrap().is_none(), "not still opening");
}
