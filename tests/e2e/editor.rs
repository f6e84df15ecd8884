//! The workflow editor, end to end: building a handoff by clicks, export, reload, a broken
//! import, undo and redo, and the same edits with the keyboard alone.

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::{Browser, eventually};

/// The tree as `id:level` for each row, in order.
async fn outline(browser: &Browser) -> Vec<String> {
    let script = "return [...document.querySelectorAll('[role=treeitem]')].map(row => row.id + ':' + row.getAttribute('aria-level'));";
    let rows = browser.client.execute(script, Vec::new()).await.expect("the tree's rows");
    rows.as_array().expect("a list").iter().map(|row| row.as_str().unwrap_or_default().to_owned()).collect()
}

async fn wait_for_outline(browser: &Browser, what: &str, expected: &[&str]) {
    eventually(what, || async {
        let seen = outline(browser).await;
        (seen == expected, format!("{seen:?}"))
    })
    .await;
}

async fn wait_for_text(browser: &Browser, css: &str, needle: &str) {
    eventually(&format!("`{needle}` in {css}"), || async {
        let seen = match browser.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        (seen.contains(needle), seen)
    })
    .await;
}

/// Replaces a text field's value as a person does (select all, type) and leaves the field with
/// Tab, which commits it. WebDriver's own "clear" would commit an empty value first, and the
/// page updating the field to it could land in the middle of the typing.
async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.wait().for_element(Locator::Css(css)).await.expect("the field");
    field.click().await.expect("focus");
    field.send_keys(&format!("{}a{}{text}{}", Key::Control, Key::Null, Key::Tab)).await.expect("typing");
}

async fn active_id(browser: &Browser) -> String {
    let id = browser.client.execute("return document.activeElement.id;", Vec::new()).await.expect("the focus");
    id.as_str().unwrap_or_default().to_owned()
}

async fn press(browser: &Browser, keys: &str) {
    let focused = browser.client.active_element().await.expect("a focused element");
    focused.send_keys(keys).await.expect("keys");
}

/// The workspace document the Export link hands over.
async fn exported(browser: &Browser) -> Value {
    browser.click("a[download]").await;
    let script = "const href = document.querySelector('a[download]').getAttribute('href'); \
                  return decodeURIComponent(href.slice(href.indexOf(',') + 1));";
    let text = browser.client.execute(script, Vec::new()).await.expect("the export link");
    serde_json::from_str(text.as_str().expect("text")).expect("the export is JSON")
}

async fn open_empty_editor(width: u32) -> Browser {
    let browser = Browser::open(width).await;
    browser.visit("/editor").await;
    browser.expect_page("/editor", "Workflow editor").await;
    browser.click(".file-tools button").await;
    // Emptying the workflow asks first, and says what undo brings back.
    let question = browser.text("#empty-question").await;
    assert!(question.contains("Undo (Ctrl+Z) brings them back"), "{question}");
    browser.click("[role='alertdialog'][aria-labelledby='empty-question'] .danger").await;
    wait_for_outline(&browser, "the empty workflow", &["row-1:1", "row-2:1"]).await;
    browser
}

#[tokio::test]
async fn a_handoff_by_language_built_by_clicks_exports_reloads_and_survives_a_broken_import() {
    let browser = open_empty_editor(1280).await;

    // A Message Received trigger "Talk to a human" after Chat Started.
    browser.click("#row-1").await;
    browser.click("#add-button").await;
    browser.click("#add-menu .menu-section[aria-label='Add a trigger after this one'] button").await;
    wait_for_outline(&browser, "the new trigger", &["row-1:1", "row-3:1", "row-2:1"]).await;
    fill(&browser, ".panel-pane input[type=text]", "Talk to a human").await;
    fill(&browser, ".panel-pane textarea", "talk to a human").await;
    wait_for_text(&browser, "#row-3", "Message Received: Talk to a human").await;

    // A Human Handoff in it, to specific teams, with French given its own team.
    browser.click("#add-button").await;
    let section = "#add-menu .menu-section[aria-label='Add an action to this trigger']";
    let buttons = browser.client.find_all(Locator::Css(&format!("{section} button"))).await.expect("the menu");
    let mut handoff_button = None;
    for button in buttons {
        if button.text().await.expect("label") == "Human Handoff" {
            handoff_button = Some(button);
        }
    }
    handoff_button.expect("Human Handoff is offered").click().await.expect("click");
    wait_for_text(&browser, "#panel-heading", "Human Handoff").await;
    browser.click("input[name='handoff-4-assign'][value='specific']").await;
    browser.click("#handoff-4-default fieldset:first-of-type .check-field:nth-of-type(1) input").await;
    browser.click("#handoff-4-default fieldset:first-of-type .check-field:nth-of-type(2) input").await;
    wait_for_text(&browser, "#handoff-4-default .picker-summary", "Specific teams: Billing, Technical").await;
    browser.click(".by-language input[type=checkbox]").await;
    browser.click(".language-row[data-language='fr'] input[value='own']").await;
    browser.click("#handoff-4-fr fieldset:first-of-type .check-field:nth-of-type(3) input").await;
    wait_for_text(&browser, "#handoff-4-fr .picker-summary", "Specific teams: Francophone").await;
    wait_for_text(&browser, "#row-4", "Specific teams: Billing, Technical · by language · availability check").await;

    // Undo takes back the French team, redo puts it back.
    browser.click(".undo-redo button:first-child").await;
    wait_for_text(&browser, "#handoff-4-fr .picker-summary", "nobody chosen").await;
    browser.click(".undo-redo button:last-child").await;
    wait_for_text(&browser, "#handoff-4-fr .picker-summary", "Specific teams: Francophone").await;

    let document = exported(&browser).await;
    let workflow = &document["workspace"]["ai_agent"]["workflow"];
    assert_eq!(workflow["triggers"].as_array().map(Vec::len), Some(3));
    let intent = &workflow["triggers"][1];
    assert_eq!(intent["trigger"], "message_received");
    assert_eq!(intent["intent"], "Talk to a human");
    assert_eq!(intent["training_phrases"], json!({ "en": ["talk to a human"] }), "the default language's phrases");
    let handoff = &intent["actions"][0];
    assert_eq!(handoff["action"], "human_handoff");
    assert_eq!(handoff["availability_check"], true);
    assert_eq!(
        handoff["assign"],
        json!({
            "to": "specific_users_or_teams",
            "targets": { "agents": [], "teams": [1, 2] },
            "by_language": { "en": { "use": "default" }, "es": { "use": "default" }, "fr": { "use": "own", "agents": [], "teams": [3] } }
        })
    );

    // A reload finds it all again.
    browser.client.refresh().await.expect("reload");
    browser.expect_page("/editor", "Workflow editor").await;
    wait_for_outline(
        &browser,
        "the tree after the reload",
        &["row-1:1", "row-3:1", "row-4:2", "row-4-on-close:3", "row-4-on-no-agent:3", "row-2:1"],
    )
    .await;
    wait_for_text(&browser, "#row-4", "Specific teams: Billing, Technical · by language").await;

    // A broken file is refused with a clear message, and nothing changes.
    let broken = std::env::temp_dir().join(format!("handoff-e2e-broken-{}.json", std::process::id()));
    std::fs::write(
        &broken,
        "{\n  \"format\": \"handoff-studio/workspace\",\n  \"version\": 1,\n  \"workspace\": { oops }\n}\n",
    )
    .expect("a temp file");
    let input = browser.client.find(Locator::Css(".file-tools input[type=file]")).await.expect("the file input");
    input.send_keys(&broken.display().to_string()).await.expect("choosing the file");
    wait_for_text(&browser, "#import-error", "was not imported").await;
    let message = browser.text("#import-error").await;
    assert!(message.contains("line 4"), "the message says where the file is broken: {message}");
    assert!(message.contains("Nothing was changed."), "{message}");
    assert_eq!(exported(&browser).await, document, "the workspace is unchanged");
    let _ = std::fs::remove_file(broken);

    browser.assert_accessible("the editor with a handoff selected").await;
    browser.close().await;
}

#[tokio::test]
async fn add_move_delete_and_undo_with_the_keyboard_alone() {
    let browser = open_empty_editor(1280).await;

    // Tab until the tree has the focus: its selected row, Chat Started.
    for _ in 0..30 {
        if active_id(&browser).await == "row-1" {
            break;
        }
        press(&browser, &Key::Tab.to_string()).await;
    }
    assert_eq!(active_id(&browser).await, "row-1", "Tab reaches the tree");

    // A adds: the menu opens on its first choice, Send Message in Chat Started.
    press(&browser, "a").await;
    eventually("the add menu's focus", || async {
        let focused = browser.client.execute("return document.activeElement.textContent;", Vec::new()).await;
        let text = focused.map(|value| value.as_str().unwrap_or_default().to_owned()).unwrap_or_default();
        (text == "Send Message", text)
    })
    .await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_outline(&browser, "a message under Chat Started", &["row-1:1", "row-3:2", "row-2:1"]).await;
    eventually("the new row focused", || async { (active_id(&browser).await == "row-3", active_id(&browser).await) })
        .await;

    // Another one after it, then Alt+↑ moves it above the first.
    press(&browser, "a").await;
    eventually("the add menu", || async { (active_id(&browser).await != "row-3", active_id(&browser).await) }).await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_outline(&browser, "a second message", &["row-1:1", "row-3:2", "row-4:2", "row-2:1"]).await;
    eventually("the second row focused", || async {
        (active_id(&browser).await == "row-4", active_id(&browser).await)
    })
    .await;
    press(&browser, &format!("{}{}", Key::Alt, Key::Up)).await;
    wait_for_outline(&browser, "the second message moved up", &["row-1:1", "row-4:2", "row-3:2", "row-2:1"]).await;

    // M offers the other places; the first is Chat Closed by Live Agent's actions.
    eventually("the moved row focused", || async { (active_id(&browser).await == "row-4", active_id(&browser).await) })
        .await;
    press(&browser, "m").await;
    eventually("the move menu", || async {
        let focused = browser.client.execute("return document.activeElement.textContent;", Vec::new()).await;
        let text = focused.map(|value| value.as_str().unwrap_or_default().to_owned()).unwrap_or_default();
        (text == "Actions of Chat Closed by Live Agent", text)
    })
    .await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for_outline(&browser, "the message under Chat Closed", &["row-1:1", "row-3:2", "row-2:1", "row-4:2"]).await;

    // Delete removes it, Ctrl+Z brings it back.
    eventually("the moved row focused", || async { (active_id(&browser).await == "row-4", active_id(&browser).await) })
        .await;
    press(&browser, &Key::Delete.to_string()).await;
    wait_for_outline(&browser, "the message deleted", &["row-1:1", "row-3:2", "row-2:1"]).await;
    wait_for_text(&browser, ".status-line", "Undo (Ctrl+Z) brings it back").await;
    press(&browser, &format!("{}z{}", Key::Control, Key::Null)).await;
    wait_for_outline(&browser, "the message restored", &["row-1:1", "row-3:2", "row-2:1", "row-4:2"]).await;

    browser.assert_accessible("the editor after keyboard edits").await;
    browser.close().await;
}

/// Scrolled down with the long Human Handoff panel open, the top of the settings panel stays in
/// view below the site's and the page's sticky headers instead of sliding under them.
#[tokio::test]
async fn the_settings_panel_top_stays_below_the_sticky_headers_when_scrolled() {
    let browser = Browser::open(1280).await;
    browser.visit("/editor").await;
    browser.expect_page("/editor", "Workflow editor").await;
    browser.click("#row-11").await;
    wait_for_text(&browser, "#panel-heading", "Human Handoff").await;
    let script = "window.scrollTo(0, 600); \
                  const header = document.querySelector('.editor .page-header').getBoundingClientRect(); \
                  const heading = document.querySelector('#panel-heading').getBoundingClientRect(); \
                  return [window.scrollY, header.bottom, heading.top];";
    eventually("the page scrolled with the panel's heading below the headers", || async {
        let seen = browser.client.execute(script, Vec::new()).await.expect("the positions");
        let numbers: Vec<f64> =
            seen.as_array().expect("a list").iter().map(|value| value.as_f64().unwrap_or(0.0)).collect();
        let (scrolled, header_bottom, heading_top) = (numbers[0], numbers[1], numbers[2]);
        (
            scrolled > 100.0 && heading_top >= header_bottom,
            format!("scrolled {scrolled}, header bottom {header_bottom}, panel heading top {heading_top}"),
        )
    })
    .await;
    browser.close().await;
}

/// Typing in the workflow's "Try a message" box says, as the admin types, which trigger the
/// message would reach with what confidence; the trigger's own panel has the same box.
#[tokio::test]
async fn try_a_message_shows_the_trigger_that_would_fire_and_its_confidence() {
    let browser = Browser::open(1280).await;
    browser.visit("/editor").await;
    browser.expect_page("/editor", "Workflow editor").await;
    let languages = browser.text(".tree-pane .try-message select").await;
    assert!(languages.contains("English") && languages.contains("French"), "{languages}");
    let input =
        browser.client.wait().for_element(Locator::Css(".tree-pane .try-message input")).await.expect("the box");
    input.send_keys("I want to speak to a person").await.expect("typing");
    let result = ".tree-pane .try-message .try-result";
    wait_for_text(&browser, result, "Talk to a human").await;
    let said = browser.text(result).await;
    assert!(said.contains('%'), "a confidence as a percentage: {said}");

    browser.click("#row-20").await;
    wait_for_text(&browser, "#panel-heading", "Billing").await;
    let input =
        browser.client.wait().for_element(Locator::Css(".panel-pane .try-message input")).await.expect("the box");
    input.send_keys("I need a refund").await.expect("typing");
    wait_for_text(&browser, ".panel-pane .try-message .try-result", "Billing would fire").await;
    browser.close().await;
}
