//! Component tests: real components mounted in headless Chromium by wasm-bindgen-test.
//! They compile only for wasm32; `cargo xtask test` runs them.

#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use handoff_studio::App;
use handoff_studio::workspace_store::{StorageBanner, provide_workspace_store};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

mod settings;

mod accounts;
mod editor;
mod inbox;
mod journal;
mod preview;

/// The app mounted in a fresh element of the test page at `path`.
/// Dropping it cleans up the app's reactive owner, which removes the router's window listeners,
/// and removes the element, so one test's app never answers another test's clicks.
pub(crate) struct Stage {
    pub(crate) element: HtmlElement,
    owner: Owner,
}

impl Stage {
    pub(crate) fn mount_app_at(path: &str) -> Self {
        window().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
        Stage::mount(App)
    }

    pub(crate) fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Self {
        let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&element).unwrap();
        let owner = Owner::new();
        // The owner above is cleaned up explicitly on drop; the handle's own drop does not reach
        // the router's listeners, because spawned navigation tasks still hold the owner.
        owner.with(|| mount_to(element.clone(), view)).forget();
        Stage { element, owner }
    }

    pub(crate) fn find(&self, selector: &str) -> Element {
        self.element.query_selector(selector).unwrap().unwrap_or_else(|| panic!("nothing matches `{selector}`"))
    }

    pub(crate) fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }

    pub(crate) fn click(&self, selector: &str) {
        self.find(selector).unchecked_into::<HtmlElement>().click();
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        self.owner.cleanup();
        self.element.remove();
    }
}

/// How long `eventually` waits before it fails. Generous, because a loaded 2-core CI machine can
/// take seconds over a render; a condition that holds ends the wait at once, so no test is slower.
const PATIENCE_MS: f64 = 10_000.0;

/// Waits, a few milliseconds at a time, until `holds` is true; fails after `PATIENCE_MS` of the
/// clock, saying `what`. Rendering and navigation finish in tasks and animation frames, not
/// synchronously.
pub(crate) async fn eventually(what: &str, holds: impl Fn() -> bool) {
    let started = js_sys::Date::now();
    loop {
        tick().await;
        if holds() {
            return;
        }
        assert!(js_sys::Date::now() - started < PATIENCE_MS, "waited {PATIENCE_MS} ms for {what}");
        TimeoutFuture::new(10).await;
    }
}

fn path() -> String {
    window().location().pathname().unwrap()
}

#[wasm_bindgen_test]
async fn menu_button_unfolds_the_navigation_and_choosing_a_page_folds_it() {
    let stage = Stage::mount_app_at("/");
    tick().await;

    assert_eq!(stage.text("main h1"), "Handoff Studio");
    let toggle = stage.find("button.menu-toggle");
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("false"));
    assert!(!stage.find("#site-nav").class_list().contains("open"));

    stage.click("button.menu-toggle");
    tick().await;
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert!(stage.find("#site-nav").class_list().contains("open"));

    stage.click("#site-nav a[href='/inbox']");
    eventually("the Inbox page", || path() == "/inbox" && stage.text("main h1") == "Inbox").await;
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("false"));
    assert_eq!(
        stage.find("#site-nav a[href='/inbox']").get_attribute("aria-current").as_deref(),
        Some("page"),
        "the navigation marks the page being shown"
    );
    assert_eq!(document().title(), "Inbox · Handoff Studio");
}

#[wasm_bindgen_test]
async fn a_static_hosts_index_html_is_the_home_page() {
    let stage = Stage::mount_app_at("/index.html");
    tick().await;
    assert_eq!(stage.text("main h1"), "Handoff Studio");
}

#[wasm_bindgen_test]
async fn an_unknown_address_shows_the_not_found_page_with_a_way_home() {
    let stage = Stage::mount_app_at("/no/such/page");
    tick().await;

    assert_eq!(stage.text("main h1"), "Page not found");
    assert_eq!(stage.text("main code"), "/no/such/page");

    stage.click("main a[href='/']");
    eventually("the home page", || path() == "/" && stage.text("main h1") == "Handoff Studio").await;
}

pub(crate) fn stored_workspace() -> Option<String> {
    window().local_storage().unwrap().unwrap().get_item("handoff-studio/workspace").unwrap()
}

pub(crate) fn store_workspace(text: Option<&str>) {
    let storage = window().local_storage().unwrap().unwrap();
    match text {
        Some(text) => storage.set_item("handoff-studio/workspace", text).unwrap(),
        None => storage.remove_item("handoff-studio/workspace").unwrap(),
    }
}

/// The workspace store and its banner, as the editor and settings pages will provide them.
fn store_with_banner() -> impl IntoView {
    provide_workspace_store();
    view! { <StorageBanner/> }
}

#[wasm_bindgen_test]
async fn a_first_visit_saves_the_starter_workspace() {
    store_workspace(None);
    let stage = Stage::mount(store_with_banner);
    eventually("the starter workspace in storage", || stored_workspace().is_some()).await;
    let saved = stored_workspace().unwrap();
    assert!(saved.contains("\"format\": \"handoff-studio/workspace\""), "{saved}");
    assert!(saved.contains("Acme Support"));
    assert!(stage.element.query_selector(".banner").unwrap().is_none(), "no banner when all is well");
}

#[wasm_bindgen_test]
async fn unreadable_storage_is_kept_offered_for_download_and_replaced_only_when_asked() {
    store_workspace(Some("{\"format\": \"handoff-studio/workspace\", oops"));
    let stage = Stage::mount(store_with_banner);
    eventually("the storage banner", || stage.element.query_selector(".banner").unwrap().is_some()).await;
    assert!(stage.text(".banner").contains("Your saved workspace could not be read."));
    assert!(stage.text(".banner").contains("line 1, column"), "the banner says where the data is broken");
    let download = stage.find(".banner a[download]");
    let href = download.get_attribute("href").unwrap();
    assert!(href.starts_with("data:application/json;charset=utf-8,"));
    assert!(href.contains("oops"), "the download holds the raw data: {href}");
    assert_eq!(
        stored_workspace().as_deref(),
        Some("{\"format\": \"handoff-studio/workspace\", oops"),
        "nothing was wiped"
    );

    stage.click(".banner button");
    eventually("the banner to go", || stage.element.query_selector(".banner").unwrap().is_none()).await;
    eventually("the starter saved in place of the broken data", || {
        stored_workspace().is_some_and(|saved| saved.contains("Acme Support"))
    })
    .await;
    store_workspace(None);
}
