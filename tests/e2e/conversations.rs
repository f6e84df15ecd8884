//! Conversations end to end on the in-browser backend: a French customer handed off to a live
//! agent and back, under Balanced and under Voluntary; two tabs racing for one chat; a reload in
//! the middle of a livechat; an Away agent; nobody Online; text that looks like HTML.

use fantoccini::Locator;
use fantoccini::key::Key;
use fantoccini::wd::WindowHandle;

use crate::browser::{Browser, eventually};

/// The starter workspace's Francophone agents.
const AMELIE: &str = "2";
const NOAH: &str = "6";
/// The starter workspace's Hispanophone agent.
const LUCIA: &str = "5";

pub(crate) async fn wait_for_text(browser: &Browser, css: &str, needle: &str) {
    eventually(&format!("`{needle}` in {css}"), || async {
        let seen = text_or_empty(browser, css).await;
        (seen.contains(needle), seen)
    })
    .await;
}

/// Waits until the element's whole text is `count`, so that a wait for 1 does not pass on 10.
pub(crate) async fn wait_for_count(browser: &Browser, css: &str, count: usize) {
    let expected = count.to_string();
    eventually(&format!("{css} to count {count}"), || async {
        let seen = text_or_empty(browser, css).await;
        (seen.trim() == expected, seen)
    })
    .await;
}

pub(crate) async fn text_or_empty(browser: &Browser, css: &str) -> String {
    match browser.client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub(crate) async fn choose(browser: &Browser, css: &str, value: &str) {
    let select = browser.client.wait().for_element(Locator::Css(css)).await.expect("the list");
    select.select_by_value(value).await.expect("the option");
}

pub(crate) async fn type_into(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.wait().for_element(Locator::Css(css)).await.expect("the field");
    browser.centre(&field).await;
    field.click().await.expect("focus");
    field.send_keys(text).await.expect("typing");
}

/// Sets the teamspace's Chat Assignment method on the settings page.
async fn use_method(browser: &Browser, label: &str) {
    browser.visit("/settings").await;
    browser.expect_page("/settings", "Teamspace settings").await;
    let radio = format!("//label[normalize-space()='{label}']");
    browser.client.wait().for_element(Locator::XPath(&radio)).await.expect("the method").click().await.expect("click");
}

/// On `/preview`: acts as `agent` in the inbox half.
async fn act_as(browser: &Browser, agent: &str) {
    choose(browser, "#acting-as", agent).await;
    eventually("the agent's desk", || async {
        let seen = text_or_empty(browser, ".agent-bar").await;
        (!seen.is_empty(), seen)
    })
    .await;
}

/// On `/preview`: a new customer in `language` who writes `first`.
pub(crate) async fn customer_starts(browser: &Browser, language: &str, greeting: &str, first: &str) {
    choose(browser, "#customer-language", language).await;
    browser.click(".start-chat button[type=submit]").await;
    wait_for_text(browser, ".widget .bubbles", greeting).await;
    customer_says(browser, first).await;
}

pub(crate) async fn customer_says(browser: &Browser, text: &str) {
    type_into(browser, "#widget-text", text).await;
    browser.click(".widget-input button[type=submit]").await;
    wait_for_text(browser, ".widget .bubbles", text).await;
}

pub(crate) async fn agent_sends(browser: &Browser, text: &str) {
    type_into(browser, "#reply-text", text).await;
    browser.click(".reply-box button[type=submit]").await;
    wait_for_text(browser, ".transcript", text).await;
}

pub(crate) const GREETING: &str = "Bonjour ! Je suis l'assistant d'Acme.";
const ASK: &str = "Je voudrais parler à un humain, <script>alert('x')</script>";

/// The whole path for a French customer, from the greeting to a new AI session, with the chat
/// reaching Amélie as `method` decides.
async fn french_journey(method: &str) {
    let browser = Browser::open(1400).await;
    use_method(&browser, method).await;
    browser.visit("/preview").await;
    browser.expect_page("/preview", "Preview").await;
    act_as(&browser, AMELIE).await;

    customer_starts(&browser, "fr", GREETING, ASK).await;
    wait_for_text(&browser, ".widget .bubbles", "Je vous mets en relation avec un agent…").await;
    // The message that looks like a script is text, in the widget and in the inbox.
    let scripts = browser.client.execute("return document.querySelectorAll('main script').length;", Vec::new()).await;
    assert_eq!(scripts.expect("a count"), 0, "no script element was made from the message");

    if method == "Voluntary" {
        wait_for_text(&browser, ".queue-position", "Vous êtes 1er dans la file d'attente").await;
        wait_for_count(&browser, "#folder-pending .count", 1).await;
        wait_for_text(&browser, ".conversation-status", "pending, 1st in queue").await;
        browser.click(".conversation-actions .primary").await;
    }
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    wait_for_count(&browser, "#folder-mine .count", 1).await;
    wait_for_text(&browser, ".transcript", ASK).await;
    browser.assert_accessible(&format!("/preview with a livechat under {method}")).await;

    agent_sends(&browser, "Bonjour, ici Amélie. Je regarde votre dossier.").await;
    wait_for_text(&browser, ".widget .bubbles", "Bonjour, ici Amélie. Je regarde votre dossier.").await;

    browser.click(".note-toggle input").await;
    agent_sends(&browser, "Client fidèle depuis 2019").await;
    wait_for_text(&browser, ".transcript .line.note", "Client fidèle depuis 2019").await;
    let widget = browser.text(".widget").await;
    assert!(!widget.contains("Client fidèle"), "an internal note never reaches the widget: {widget}");

    closed_rated_and_back_to_the_ai_agent(&browser, &browser).await;
    browser.close().await;
}

/// Amélie, at `agent`'s desk, closes the chat on screen; the customer in `preview` rates it
/// with a comment, the handoff's close subtree speaks, and the next message starts a new AI
/// session, as the preview's timeline shows.
pub(crate) async fn closed_rated_and_back_to_the_ai_agent(agent: &Browser, preview: &Browser) {
    agent.click(".close-chat").await;
    wait_for_text(agent, ".conversation-status", "closed by Amélie Laurent").await;
    preview.click(".rating button[aria-label='Noter 4 sur 5']").await;
    // The starter's Collect Feedback asks for an optional comment after the rating.
    type_into(preview, "#feedback-comment", "Très rapide").await;
    preview.click(".feedback-comment button[type=submit]").await;
    wait_for_text(preview, ".widget .bubbles", "Merci pour votre avis !").await;
    // The handoff's "When live agent closes chat" subtree speaks after the feedback.
    wait_for_text(preview, ".widget .bubbles", "Merci d'avoir contacté Acme. Bonne journée !").await;
    wait_for_text(agent, ".transcript", "Customer rated 4 of 5: “Très rapide”").await;

    // The next message starts a new AI session at the top level.
    customer_says(preview, "bonjour").await;
    wait_for_text(preview, ".widget .bubbles", "Désolé, je n'ai pas compris.").await;
    preview.click(".timeline summary").await;
    let timeline = preview.text(".timeline ol").await;
    let closed = timeline.find("chat_closed").expect("the close in the timeline");
    let rated = timeline.find("feedback_given").expect("the rating in the timeline");
    let session = timeline.rfind("session_started").expect("a new session in the timeline");
    assert!(closed < rated && rated < session, "closed, rated, then a new session: {timeline}");
}

#[tokio::test]
async fn a_french_customer_reaches_a_french_agent_under_balanced_and_comes_back_to_the_ai_agent() {
    french_journey("Balanced").await;
}

#[tokio::test]
async fn under_voluntary_the_french_chat_waits_in_the_queue_until_a_french_agent_claims_it() {
    french_journey("Voluntary").await;
}

/// What the starter workspace and the widget say in English: none of it may reach a Spanish
/// customer.
const ENGLISH_LINES: [&str; 12] = [
    "Hi! I'm Acme's assistant",
    "Talk to a human",
    "Connecting you to a live agent",
    "in the queue",
    "Waiting for a live agent",
    "Closed by",
    "How did we do?",
    "Please rate",
    "Thank you for your feedback",
    "Thanks for contacting Acme",
    "Sorry, I didn't get that",
    "Type a message",
];

/// The whole path for a Spanish customer under Voluntary: recognised in their own words,
/// waiting in the queue, claimed by Lucía of the Spanish list, closed, rated, thanked, every AI
/// line and every word of the widget in Spanish.
#[tokio::test]
async fn a_spanish_customer_reaches_a_spanish_agent_and_reads_every_ai_line_in_spanish() {
    let browser = Browser::open(1400).await;
    use_method(&browser, "Voluntary").await;
    browser.visit("/preview").await;
    browser.expect_page("/preview", "Preview").await;
    act_as(&browser, LUCIA).await;

    customer_starts(
        &browser,
        "es",
        "¡Hola! Soy el asistente de Acme. ¿En qué puedo ayudarte?",
        "quiero hablar con alguien, por favor",
    )
    .await;
    wait_for_text(&browser, ".widget .bubbles", "Te estamos conectando con un agente…").await;
    wait_for_text(&browser, ".widget .queue-position", "Está en el puesto 1 de la cola para un agente.").await;
    wait_for_text(&browser, ".conversation-status", "pending, 1st in queue").await;
    browser.click(".conversation-actions .primary").await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    wait_for_text(&browser, ".agent-bar", "Lucía Gómez").await;

    agent_sends(&browser, "Hola, soy Lucía. ¿En qué te ayudo?").await;
    wait_for_text(&browser, ".widget .bubbles", "Hola, soy Lucía. ¿En qué te ayudo?").await;
    browser.click(".close-chat").await;
    wait_for_text(&browser, ".conversation-status", "closed by Lucía Gómez").await;
    wait_for_text(&browser, ".widget .bubbles", "Cerrada por Lucía Gómez").await;
    wait_for_text(&browser, ".widget .bubbles", "¿Qué tal lo hicimos? Valora esta conversación del 1 al 5, por favor.")
        .await;
    browser.click(".rating button[aria-label='Valorar con 5 de 5']").await;
    wait_for_text(&browser, ".feedback-comment", "¿Algo que añadir? (opcional)").await;
    type_into(&browser, "#feedback-comment", "Muy amable").await;
    browser.click(".feedback-comment button[type=submit]").await;
    wait_for_text(&browser, ".widget .bubbles", "¡Gracias por tu opinión!").await;
    wait_for_text(&browser, ".widget .bubbles", "Gracias por contactar con Acme. ¡Que tengas un buen día!").await;

    let widget = browser.text(".widget").await;
    let placeholder =
        browser.client.execute("return document.querySelector('#widget-text').placeholder;", Vec::new()).await;
    let placeholder = placeholder.expect("the placeholder").as_str().unwrap_or_default().to_owned();
    assert_eq!(placeholder, "Escriba un mensaje");
    let english: Vec<&str> = ENGLISH_LINES.into_iter().filter(|line| widget.contains(line)).collect();
    assert_eq!(english, Vec::<&str>::new(), "no English in the Spanish customer's widget: {widget}");
    browser.close().await;
}

async fn switch_to(browser: &Browser, window: &WindowHandle) {
    browser.client.switch_to_window(window.clone()).await.expect("the tab");
}

#[tokio::test]
async fn two_tabs_claiming_one_chat_end_with_one_assignee_and_the_other_is_told() {
    let browser = Browser::open(1400).await;
    use_method(&browser, "Voluntary").await;
    browser.visit("/preview").await;
    act_as(&browser, AMELIE).await;
    customer_starts(&browser, "fr", GREETING, "parler à un humain").await;
    wait_for_text(&browser, ".conversation-status", "pending").await;
    let first = browser.client.window().await.expect("this tab");

    let second = browser.client.new_window(true).await.expect("a second tab").handle;
    switch_to(&browser, &second).await;
    browser.visit("/inbox").await;
    choose(&browser, "#sign-in-agent", NOAH).await;
    browser.click(".sign-in button[type=submit]").await;
    wait_for_count(&browser, "#folder-pending .count", 1).await;
    // The waiting chat Noah may take shows in the tab's title and the navigation.
    assert_eq!(browser.client.title().await.expect("the title"), "(1) Inbox · Handoff Studio");
    let nav = browser
        .client
        .execute("return document.querySelector('#site-nav .nav-count .visually-hidden').textContent;", Vec::new());
    assert_eq!(nav.await.expect("the navigation's count"), ", pending: 1");
    browser.click("#chat-list .chat-row").await;
    wait_for_text(&browser, ".conversation-status", "pending").await;

    // Hold the lock every tab decides under, so that both claims are sent from screens that
    // still show the chat pending, and race once it is let go.
    let hold = "navigator.locks.request('handoff-studio-conversations', () => new Promise(r => setTimeout(r, 1500)));";
    browser.client.execute(hold, Vec::new()).await.expect("the lock is held");
    browser.click(".conversation-actions .primary").await;
    switch_to(&browser, &first).await;
    browser.click(".conversation-actions .primary").await;

    // Noah's claim was queued first: it wins; Amélie is told it was taken.
    wait_for_text(&browser, ".conversation .error", "Someone else was quicker: Noah Martin took this chat.").await;
    wait_for_text(&browser, ".conversation-status", "open with Noah Martin").await;
    switch_to(&browser, &second).await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    assert_eq!(text_or_empty(&browser, ".conversation .error").await, "");
    browser.assert_accessible("/inbox with a claimed chat open").await;
    browser.close().await;
}

#[tokio::test]
async fn a_reload_in_the_middle_of_a_livechat_loses_nothing() {
    let browser = Browser::open(1400).await;
    browser.visit("/preview").await;
    act_as(&browser, AMELIE).await;
    customer_starts(&browser, "fr", GREETING, "parler à un humain").await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    agent_sends(&browser, "Un instant, je vérifie.").await;
    type_into(&browser, "#widget-text", "Merci !").await;
    browser.click(".widget-input button[type=submit]").await;
    wait_for_text(&browser, ".transcript", "Merci !").await;
    // Drafts typed but not sent, in both boxes.
    type_into(&browser, "#reply-text", "Votre commande part demain").await;
    type_into(&browser, "#widget-text", "Et la facture ?").await;

    browser.client.refresh().await.expect("the reload");
    wait_for_text(&browser, ".agent-bar", "Amélie Laurent").await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    for line in ["parler à un humain", "Un instant, je vérifie.", "Merci !"] {
        wait_for_text(&browser, ".transcript", line).await;
        wait_for_text(&browser, ".widget .bubbles", line).await;
    }
    let value = |css: &'static str| {
        let script = format!("return document.querySelector('{css}').value;");
        let client = browser.client.clone();
        async move {
            client.execute(&script, Vec::new()).await.expect("the box's text").as_str().unwrap_or_default().to_owned()
        }
    };
    assert_eq!(value("#reply-text").await, "Votre commande part demain", "the agent's draft survives the reload");
    assert_eq!(value("#widget-text").await, "Et la facture ?", "the customer's draft survives the reload");
    browser.click(".widget-input button[type=submit]").await;
    wait_for_text(&browser, ".transcript", "Et la facture ?").await;
    browser.click(".reply-box button[type=submit]").await;
    wait_for_text(&browser, ".widget .bubbles", "Votre commande part demain").await;
    eventually("the sent drafts forgotten", || async {
        let left = value("#reply-text").await + &value("#widget-text").await;
        (left.is_empty(), left)
    })
    .await;
    agent_sends(&browser, "C'est réglé.").await;
    wait_for_text(&browser, ".widget .bubbles", "C'est réglé.").await;
    browser.close().await;
}

#[tokio::test]
async fn an_away_agent_gets_no_new_chat_and_with_nobody_online_the_no_agent_branch_runs() {
    let browser = Browser::open(1400).await;
    browser.visit("/preview").await;
    // Noah is Online; Amélie signs in and goes Away.
    act_as(&browser, NOAH).await;
    act_as(&browser, AMELIE).await;
    browser.click(".presence").await;
    wait_for_text(&browser, ".presence-state", "Away").await;

    customer_starts(&browser, "fr", GREETING, "parler à un humain").await;
    wait_for_text(&browser, ".conversation-status", "open with Noah Martin").await;
    assert_eq!(browser.text("#folder-mine .count").await, "0", "Away: Amélie got nothing new");

    // Noah goes Away too: the availability check finds nobody Online for the next French chat.
    act_as(&browser, NOAH).await;
    browser.click(".presence").await;
    wait_for_text(&browser, ".presence-state", "Away").await;
    browser.click(".customer-tabs button:last-child").await;
    customer_starts(&browser, "fr", GREETING, "parler à un humain").await;
    wait_for_text(&browser, ".widget .bubbles", "Notre équipe est absente pour le moment").await;
    browser.click(".timeline summary").await;
    wait_for_text(&browser, ".timeline ol", "no_agent_available").await;
    browser.close().await;
}

/// What has the keyboard focus, as `tag#id.class`.
async fn focused(browser: &Browser) -> String {
    let script = "const e = document.activeElement; return e.tagName.toLowerCase() + '#' + e.id + '.' + e.className;";
    let seen = browser.client.execute(script, Vec::new()).await.expect("the focus");
    seen.as_str().unwrap_or_default().to_owned()
}

async fn press(browser: &Browser, keys: &str) {
    let focused = browser.client.active_element().await.expect("a focused element");
    focused.send_keys(keys).await.expect("keys");
}

/// Presses Tab until the focus is on something whose `focused` text contains `target`.
async fn tab_to(browser: &Browser, target: &str) {
    press_until_focused(browser, &Key::Tab.to_string(), target).await;
}

/// Presses `keys` (Tab, or Shift+Tab) until the focus is on something whose `focused` text
/// contains `target`; fails saying where the focus is instead.
async fn press_until_focused(browser: &Browser, keys: &str, target: &str) {
    for _ in 0..60 {
        if focused(browser).await.contains(target) {
            return;
        }
        press(browser, keys).await;
    }
    panic!("{keys:?} never reached {target}; the focus is on {}", focused(browser).await);
}

#[tokio::test]
async fn the_conversation_can_be_worked_with_the_keyboard_alone() {
    let browser = Browser::open(1400).await;
    use_method(&browser, "Voluntary").await;
    // A French customer waits (set up with the mouse on the preview).
    browser.visit("/preview").await;
    act_as(&browser, AMELIE).await;
    customer_starts(&browser, "fr", GREETING, "parler à un humain").await;

    // From here on, only keys: open the chat, claim it, pick a canned reply, send it, write a
    // note, close the chat.
    browser.visit("/inbox").await;
    wait_for_count(&browser, "#folder-pending .count", 1).await;
    tab_to(&browser, "chat-row").await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_text(&browser, ".conversation-status", "pending").await;
    tab_to(&browser, "button primary").await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    eventually("the focus in the reply box after claiming", || async {
        let seen = focused(&browser).await;
        (seen.starts_with("textarea#reply-text"), seen)
    })
    .await;
    press(&browser, "/by").await;
    wait_for_text(&browser, ".canned [aria-selected=true]", "/bye").await;
    press(&browser, &Key::Enter.to_string()).await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_text(&browser, ".transcript", "Glad I could help. Have a great day!").await;

    tab_to(&browser, "input#.").await;
    press(&browser, " ").await;
    wait_for_text(&browser, ".reply-box button[type=submit]", "Add note").await;
    tab_to(&browser, "textarea#reply-text").await;
    press(&browser, &format!("Résolu par clavier{}", Key::Enter)).await;
    wait_for_text(&browser, ".transcript .line.note", "Résolu par clavier").await;

    // Back up to Close chat.
    press_until_focused(&browser, &format!("{}{}", Key::Shift, Key::Tab), "button#.button close-chat").await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_text(&browser, ".conversation-status", "closed by Amélie Laurent").await;
    browser.close().await;
}

/// A designer's first run: nobody is signed in; beside the customer the preview says nobody is
/// Online for French, one click signs Amélie in, Online, as the agent of the desk, and the
/// customer's first request for a person reaches her.
#[tokio::test]
async fn the_first_preview_reaches_a_live_agent_with_one_click() {
    let browser = Browser::open(1280).await;
    browser.visit("/preview").await;
    browser.expect_page("/preview", "Preview").await;
    wait_for_text(&browser, ".agent-side", "Choose who you act as above").await;
    choose(&browser, "#customer-language", "fr").await;
    browser.click(".start-chat button[type=submit]").await;
    wait_for_text(&browser, ".widget .bubbles", GREETING).await;
    wait_for_text(&browser, ".reach", "Live agents for French").await;
    wait_for_text(&browser, ".reach", "Nobody is Online for this language").await;
    wait_for_text(&browser, ".reach", "Amélie Laurent: signed out").await;

    let button = "//button[normalize-space()='Sign in Amélie Laurent and go Online']";
    let button = browser.client.wait().for_element(Locator::XPath(button)).await.expect("the one-click sign-in");
    browser.centre(&button).await;
    button.click().await.expect("click");
    wait_for_text(&browser, ".reach", "Amélie Laurent: Online").await;
    wait_for_text(&browser, ".agent-bar", "Amélie Laurent").await;

    customer_says(&browser, "Je voudrais parler à un humain").await;
    wait_for_text(&browser, ".widget .bubbles", "Je vous mets en relation avec un agent…").await;
    wait_for_text(&browser, ".conversation-status", "open, yours").await;
    agent_sends(&browser, "Bonjour, ici Amélie.").await;
    wait_for_text(&browser, ".widget .bubbles", "Bonjour, ici Amélie.").await;
    browser.assert_accessible("/preview after a first run at 1280 px").await;
    // At 1280 px the agent's conversation keeps a readable width beside the customer.
    let width = browser
        .client
        .execute(
            "return document.querySelector('.agent-side .conversation').getBoundingClientRect().width;",
            Vec::new(),
        )
        .await
        .expect("the conversation's width");
    let width = width.as_f64().expect("a number");
    assert!(width >= 480.0, "the conversation is {width} px wide at 1280 px");
    browser.close().await;
}

/// The width the placeholder of the inbox's search needs, and the room its box gives it.
const PLACEHOLDER_ROOM: &str = "const input = document.querySelector('.filters input[type=search]'); \
    const style = getComputedStyle(input); \
    const context = document.createElement('canvas').getContext('2d'); \
    context.font = style.font; \
    const needed = context.measureText(input.placeholder).width; \
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); \
    return [needed, room];";

/// The space between the "Internal note" checkbox and its words.
const NOTE_GAP: &str = "const label = document.querySelector('.note-toggle'); \
    const box = label.querySelector('input').getBoundingClientRect(); \
    const words = [...label.childNodes].find((node) => node.nodeType === 3 && node.textContent.trim()); \
    const range = document.createRange(); \
    range.selectNodeContents(words); \
    return range.getBoundingClientRect().left - box.right;";

async fn numbers(browser: &Browser, script: &str) -> Vec<f64> {
    let seen = browser.client.execute(script, Vec::new()).await.expect("the measures");
    match seen {
        serde_json::Value::Array(values) => values.iter().map(|value| value.as_f64().unwrap_or(f64::NAN)).collect(),
        value => vec![value.as_f64().unwrap_or(f64::NAN)],
    }
}

/// Words are not cut or run together: the inbox's search placeholder fits its box on a phone and
/// beside a conversation on a laptop, and the "Internal note" checkbox stands apart from its words.
#[tokio::test]
async fn the_search_placeholder_fits_and_the_note_checkbox_stands_apart_from_its_words() {
    for width in [360, 1700] {
        let browser = Browser::open(width).await;
        use_method(&browser, "Balanced").await;
        browser.visit("/preview").await;
        act_as(&browser, AMELIE).await;
        customer_starts(&browser, "fr", GREETING, ASK).await;
        browser.visit("/inbox").await;
        wait_for_count(&browser, "#folder-mine .count", 1).await;
        browser.click("#folder-mine").await;
        browser.click(".chat-row").await;
        wait_for_text(&browser, ".conversation-status", "open, yours").await;

        let room = numbers(&browser, PLACEHOLDER_ROOM).await;
        let gap = numbers(&browser, NOTE_GAP).await[0];
        assert!(room[0] <= room[1], "at {width} px the placeholder needs {} px and has {} px", room[0], room[1]);
        assert!(gap >= 6.0, "at {width} px the note checkbox is {gap} px from its words");
        browser.close().await;
    }
}
