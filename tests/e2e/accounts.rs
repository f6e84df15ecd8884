//! Staff accounts against the real server binary: the first admin's setup, signing out and in,
//! a wrong password refused in words, an admin giving a live agent a password that the agent
//! then signs in with in another browser, two sessions' saves of the workspace reaching each other live, and axe-core on
//! the pages of somebody not signed in.

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::Value;

use crate::browser::{Browser, eventually};
use crate::server::Server;

const ADMIN: &str = "Ada Lovelace";
const ADMIN_PASSWORD: &str = "analytical engine 1843";

/// Types `text` into the field, replacing what it held, as a person does (select all, type).
async fn type_into(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.wait().for_element(Locator::Css(css)).await.expect("the field");
    field.click().await.expect("focus");
    field.send_keys(&format!("{}a{}{text}", Key::Control, Key::Null)).await.expect("typing");
}

/// Presses Enter in the focused field: a form is sent from the keyboard.
async fn press_enter(browser: &Browser) {
    let focused = browser.client.active_element().await.expect("a focused element");
    focused.send_keys(&Key::Enter.to_string()).await.expect("Enter");
}

/// Waits until the element's text (what a person reads of it, hidden parts included) holds `needle`.
async fn wait_for_text(browser: &Browser, css: &str, needle: &str) {
    let script = format!("const found = document.querySelector({css:?}); return found ? found.textContent : '';");
    eventually(&format!("`{needle}` in {css}"), || async {
        let seen = browser.client.execute(&script, Vec::new()).await.expect("the page runs scripts");
        let seen = seen.as_str().unwrap_or_default().to_owned();
        (seen.contains(needle), seen)
    })
    .await;
}

async fn value_of(browser: &Browser, css: &str) -> String {
    let field = browser.client.find(Locator::Css(css)).await.expect("the field");
    field.prop("value").await.expect("its value").unwrap_or_default()
}

/// Clicks the header's button with this text.
async fn click_header_button(browser: &Browser, text: &str) {
    let button = browser.client.find(Locator::XPath(&format!("//header//button[normalize-space()='{text}']"))).await;
    button.unwrap_or_else(|error| panic!("no header button {text:?}: {error}")).click().await.expect("click");
}

/// Creates the first admin on a server nobody has set up, at whatever page the browser is on.
async fn set_up_first_admin(browser: &Browser, path: &str) {
    browser.expect_page(path, "Set up Handoff Studio").await;
    type_into(browser, "#account-name", ADMIN).await;
    type_into(browser, "#account-password", ADMIN_PASSWORD).await;
    type_into(browser, "#account-password-again", ADMIN_PASSWORD).await;
    press_enter(browser).await;
}

/// A new browser in which the first admin has just set up the server, on the settings page.
async fn first_admin_at_settings(server: &Server) -> Browser {
    let browser = Browser::open_at(&server.url, 1280).await;
    browser.visit("/settings").await;
    set_up_first_admin(&browser, "/settings").await;
    browser.expect_page("/settings", "Teamspace settings").await;
    browser
}

/// Reloads the page, which stays signed in as `name`: the session is the browser's cookie.
async fn reload_still_signed_in(browser: &Browser, path: &str, heading: &str, name: &str) {
    browser.client.refresh().await.expect("reload");
    browser.expect_page(path, heading).await;
    wait_for_text(browser, ".account-name", &format!("Signed in as {name}")).await;
}

pub(crate) async fn sign_in(browser: &Browser, name: &str, password: &str) {
    type_into(browser, "#account-name", name).await;
    type_into(browser, "#account-password", password).await;
    press_enter(browser).await;
}

/// The names of the teams on the settings page, as their fields hold them.
async fn team_names(browser: &Browser) -> Vec<String> {
    let script =
        "return [...document.querySelectorAll('input[id^=\"team-\"][id$=\"-name\"]')].map(field => field.value);";
    let names = browser.client.execute(script, Vec::new()).await.expect("the teams");
    names.as_array().expect("a list").iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

async fn wait_until_saved(browser: &Browser) {
    wait_for_text(browser, ".save-status", "All changes saved").await;
}

/// Adds a team that is not there yet from the settings page's Teams form, and waits until the
/// server has it.
async fn add_team(browser: &Browser, name: &str) {
    assert!(!team_names(browser).await.iter().any(|team| team == name), "no team {name} yet");
    type_into(browser, "#new-team", name).await;
    press_enter(browser).await;
    eventually(&format!("team {name} on the page"), || async {
        let names = team_names(browser).await;
        (names.iter().any(|team| team == name), format!("{names:?}"))
    })
    .await;
    wait_until_saved(browser).await;
}

#[tokio::test]
async fn the_first_admin_sets_up_signs_out_is_refused_a_wrong_password_in_words_and_signs_in_again() {
    let server = Server::start(false);
    let browser = Browser::open_at(&server.url, 1280).await;
    // Every address shows the setup while nobody has an account; the page asked for follows.
    browser.visit("/settings").await;
    wait_for_text(&browser, ".backend-label", "Server").await;
    set_up_first_admin(&browser, "/settings").await;
    browser.expect_page("/settings", "Teamspace settings").await;
    wait_for_text(&browser, ".account-name", &format!("Signed in as {ADMIN}")).await;

    click_header_button(&browser, "Sign out").await;
    browser.expect_page("/settings", "Sign in").await;
    wait_for_text(&browser, ".account-notice", "You are signed out.").await;
    assert!(browser.client.find(Locator::Id("site-nav")).await.is_err(), "no navigation before signing in");

    sign_in(&browser, ADMIN, "not the password at all").await;
    wait_for_text(&browser, "#account-error", "The name or the password is wrong.").await;
    assert_eq!(value_of(&browser, "#account-name").await, ADMIN, "the name is kept");
    assert_eq!(value_of(&browser, "#account-password").await, "", "the wrong password is typed again");
    let invalid = browser.client.find(Locator::Css("#account-password[aria-invalid='true']")).await;
    assert!(invalid.is_ok(), "the password field says it is in error");

    type_into(&browser, "#account-password", ADMIN_PASSWORD).await;
    press_enter(&browser).await;
    browser.expect_page("/settings", "Teamspace settings").await;
    wait_for_text(&browser, ".account-name", &format!("Signed in as {ADMIN}")).await;

    reload_still_signed_in(&browser, "/settings", "Teamspace settings", ADMIN).await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_sets_a_live_agents_password_and_the_agent_signs_in_with_it_in_another_browser() {
    let server = Server::start(false);
    let admin = first_admin_at_settings(&server).await;

    type_into(&admin, "#new-agent", "Grace Hopper").await;
    press_enter(&admin).await;
    let label = "//label[normalize-space()='New password for Grace Hopper']";
    let label = admin.client.wait().for_element(Locator::XPath(label)).await.expect("the new agent's password field");
    let field = format!("#{}", label.attr("for").await.expect("its for").expect("a label for a field"));
    wait_until_saved(&admin).await;
    type_into(&admin, &field, "short").await;
    press_enter(&admin).await;
    wait_for_text(&admin, &format!("form:has({field}) .field-error"), "at least 12 characters").await;
    type_into(&admin, &field, "compiler of 1952").await;
    press_enter(&admin).await;
    wait_for_text(&admin, &format!("form:has({field}) .password-set"), "Password set: Grace Hopper signs in with it")
        .await;
    assert_eq!(value_of(&admin, &field).await, "", "the password is not left in the page");

    let agent = Browser::open_at(&server.url, 1280).await;
    agent.visit("/inbox").await;
    agent.expect_page("/inbox", "Sign in").await;
    sign_in(&agent, "grace hopper", "compiler of 1952").await;
    agent.expect_page("/inbox", "Inbox").await;
    wait_for_text(&agent, ".account-name", "Signed in as Grace Hopper").await;
    // A live agent is no admin: no passwords to set.
    agent.visit("/settings").await;
    agent.expect_page("/settings", "Teamspace settings").await;
    let forms = agent.client.find_all(Locator::Css(".password-form")).await.expect("a query");
    assert!(forms.is_empty(), "a live agent sets nobody's password");

    // The admin still works in the first browser: two people, two sessions.
    reload_still_signed_in(&admin, "/settings", "Teamspace settings", ADMIN).await;
    agent.close().await;
    admin.close().await;
}

/// Two sessions of the admin: each one's saved edits reach the other's open page over its
/// socket (the server's `Workspace` frame, adopted by the store), so that the next edit builds on
/// them and nothing is overwritten. (A save that crosses another is refused and kept with the
/// conflict banner: `Saving`'s tests in `src/workspace_store/on_server.rs`.)
#[tokio::test]
async fn an_admins_saved_workspace_reaches_their_other_session_live_and_the_next_edit_builds_on_it() {
    let server = Server::start(false);
    let first = first_admin_at_settings(&server).await;
    // The same admin in a second browser, with the page open on the same version.
    let second = Browser::open_at(&server.url, 1280).await;
    second.visit("/settings").await;
    second.expect_page("/settings", "Sign in").await;
    sign_in(&second, ADMIN, ADMIN_PASSWORD).await;
    second.expect_page("/settings", "Teamspace settings").await;
    let before = team_names(&second).await;

    add_team(&first, "Refunds").await;
    eventually("the second page shows the first's team, without a reload", || async {
        let names = team_names(&second).await;
        (names.contains(&"Refunds".to_owned()), format!("{names:?}"))
    })
    .await;
    add_team(&second, "Returns").await;
    let both: Vec<String> = before.iter().cloned().chain(["Refunds".to_owned(), "Returns".to_owned()]).collect();
    assert_eq!(team_names(&second).await, both);
    eventually("the first page shows the second's team", || async {
        let names = team_names(&first).await;
        (names == both, format!("{names:?}"))
    })
    .await;
    assert!(second.client.find(Locator::Css(".banner")).await.is_err(), "no conflict: each edit built on the other");
    reload_still_signed_in(&first, "/settings", "Teamspace settings", ADMIN).await;
    assert_eq!(team_names(&first).await, both, "the server holds both");
    second.close().await;
    first.close().await;
}

#[tokio::test]
async fn the_setup_and_sign_in_pages_have_no_serious_accessibility_violation() {
    let fresh = Server::start(false);
    let browser = Browser::open_at(&fresh.url, 1280).await;
    browser.visit("/").await;
    browser.expect_page("/", "Set up Handoff Studio").await;
    browser.assert_accessible("the first admin's setup page").await;
    browser.close().await;

    let demo = Server::start(true);
    assert_eq!(demo.demo_passwords.len(), 6, "a password per live agent of the starter workspace");
    let browser = Browser::open_at(&demo.url, 1280).await;
    browser.visit("/").await;
    browser.expect_page("/", "Sign in").await;
    browser.assert_accessible("the sign-in page").await;
    sign_in(&browser, &demo.demo_passwords[0].0, "a wrong password").await;
    wait_for_text(&browser, "#account-error", "The name or the password is wrong.").await;
    browser.assert_accessible("the sign-in page with its error").await;
    let (name, password) = &demo.demo_passwords[0];
    sign_in(&browser, name, password).await;
    browser.expect_page("/", "Handoff Studio").await;
    browser.assert_accessible("the home page, signed in on the server").await;
    browser.close().await;
}
