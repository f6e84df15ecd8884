//! The app as a server's visitor sees it before signing in, and the start-up question on a host
//! that is no server. The test runner's own web server answers the network calls: it is no
//! Handoff Studio server, as a static host is not.

use handoff_studio::ServerApp;
use handoff_studio::remote::{Detected, ServerStart, detect};
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlInputElement;

use crate::{Stage, eventually};

fn server_app_at(path: &str, setup_open: bool) -> Stage {
    window().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
    Stage::mount(move || view! { <ServerApp start=ServerStart { setup_open, me: None }/> })
}

/// Types `text` into the field as a person does: the field's value, then its `input` event.
fn type_into(stage: &Stage, selector: &str, text: &str) {
    let field: HtmlInputElement = stage.find(selector).unchecked_into();
    field.set_value(text);
    field.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn focused_id() -> String {
    document().active_element().map(|element| element.id()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_host_that_is_no_server_leaves_the_app_on_the_simulated_backend_and_the_header_says_so() {
    assert_eq!(detect().await, Detected::Simulated);
    let stage = Stage::mount_app_at("/");
    tick().await;
    assert_eq!(stage.text(".backend-label"), "Backend: Simulated (this browser)");
    assert!(stage.element.query_selector(".account").unwrap().is_none(), "no account without a server");
}

#[wasm_bindgen_test]
async fn on_a_server_nobody_has_set_up_every_address_shows_the_first_admins_setup() {
    let stage = server_app_at("/inbox", true);
    tick().await;
    assert_eq!(stage.text("main h1"), "Set up Handoff Studio");
    assert_eq!(stage.text(".backend-label"), "Backend: Server");
    assert!(stage.element.query_selector("#site-nav").unwrap().is_none(), "nothing to navigate to yet");
    for (field, label) in
        [("account-name", "Your name"), ("account-password", "Password"), ("account-password-again", "Password again")]
    {
        assert_eq!(stage.text(&format!("label[for='{field}']")), label);
    }

    type_into(&stage, "#account-name", "Ada Lovelace");
    type_into(&stage, "#account-password", "analytical engine 1843");
    type_into(&stage, "#account-password-again", "analytical engine 1834");
    stage.click("form button[type='submit']");
    tick().await;
    assert_eq!(
        stage.text("#account-error"),
        "The two passwords are not the same: type the password again in both fields."
    );
    let field = stage.find("#account-password-again");
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(field.get_attribute("aria-describedby").unwrap_or_default().contains("account-error"));
    eventually("the focus on the field to fix", || focused_id() == "account-password-again").await;
}

#[wasm_bindgen_test]
async fn the_sign_in_page_asks_for_what_is_missing_and_says_any_answer_in_words() {
    let stage = server_app_at("/settings", false);
    tick().await;
    assert_eq!(stage.text("main h1"), "Sign in");
    assert_eq!(document().title(), "Sign in · Handoff Studio");

    stage.click("form button[type='submit']");
    tick().await;
    assert_eq!(stage.text("#account-error"), "Type your name.");
    eventually("the focus on the name", || focused_id() == "account-name").await;
    type_into(&stage, "#account-name", "Ada Lovelace");
    stage.click("form button[type='submit']");
    tick().await;
    assert_eq!(stage.text("#account-error"), "Type your password.");

    // The runner's server has no such endpoint, and answers as no Handoff Studio server would.
    type_into(&stage, "#account-password", "analytical engine 1843");
    stage.click("form button[type='submit']");
    eventually("the answer in words", || {
        stage.text("#account-error").starts_with("The server gave an answer this page cannot read (HTTP ")
    })
    .await;
    assert_eq!(stage.text("main h1"), "Sign in", "still signed out");
    assert_eq!(stage.find("#account-name").unchecked_into::<HtmlInputElement>().value(), "Ada Lovelace");
}
