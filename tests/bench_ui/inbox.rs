//! The inbox with 10,000 chats in the simulated backend (the seeded demo data): its first view,
//! and a claim until every list on screen shows it.

use handoff::demo::load_demo;
use handoff::{Engine, starter_workspace};
use handoff_studio::backend::{Backend, provide_open};
use handoff_studio::inbox::{Desk, provide_identity};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::{RUNS, Stage, median_ms, now_ms, report, until};

const CHATS: u32 = 10_000;

/// Sam Rivera: an admin in Billing and Technical, signed in by the demo.
const AGENT: &str = "1";

fn demo() -> Engine {
    load_demo(&starter_workspace(), 7, CHATS)
}

/// The desk of `AGENT` on a backend in memory holding `engine`, in a fresh tab.
fn mount_desk(engine: Engine) -> Stage {
    let storage = window().session_storage().unwrap().unwrap();
    storage.clear().unwrap();
    storage.set_item("handoff-studio/signed-in-agent", AGENT).unwrap();
    Stage::mount(move || {
        let backend = Backend::in_memory(engine);
        provide_open(backend);
        provide_identity(None);
        view! { <Desk backend=backend/> }
    })
}

fn count(stage: &Stage, folder: &str) -> Option<usize> {
    stage.text(&format!("#folder-{folder} .count"))?.parse().ok()
}

/// From mounting the inbox, signed in, on 10,000 chats, until the Pending list's rows and every
/// folder's count are on the page.
#[wasm_bindgen_test]
async fn inbox_10k_first_view() {
    let engine = demo();
    assert_eq!(engine.state().chats.len(), CHATS as usize);
    let ms = median_ms(RUNS, || {
        let engine = engine.clone();
        async move {
            let started = now_ms();
            let stage = mount_desk(engine);
            until("the first page of the Pending list", || {
                stage.query("#chat-list .chat-row").is_some() && count(&stage, "closed").is_some()
            })
            .await;
            stage.laid_out();
            let elapsed = now_ms() - started;
            let rows = stage.element_count("#chat-list .chat-row");
            assert_eq!(rows, handoff_studio::inbox::PAGE, "one page of rows is drawn, not all of them");
            elapsed
        }
    })
    .await;
    report("inbox-10k-first-view", ms);
}

/// With the first pending chat open, from clicking Claim until the conversation says it is
/// yours, Pending and Mine have their new counts, and the chat has left the Pending list.
#[wasm_bindgen_test]
async fn inbox_claim() {
    let engine = demo();
    let ms = median_ms(RUNS, || {
        let engine = engine.clone();
        async move {
            let stage = mount_desk(engine);
            until("the Pending list", || stage.query("#chat-list .chat-row").is_some()).await;
            let (pending, mine) = (count(&stage, "pending").unwrap(), count(&stage, "mine").unwrap());
            let first = stage.text("#chat-list .chat-row .chat-number").unwrap();
            stage.click("#chat-list .chat-row");
            until("the Claim button", || stage.query(".conversation-actions .primary").is_some()).await;
            // A person clicks Claim on a conversation the browser has drawn: the layout that
            // opening it costs is that click's, not the claim's, and the first forced layout
            // after the clock starts (the focus the claim moves) would otherwise pay it.
            stage.laid_out();

            let started = now_ms();
            stage.click(".conversation-actions .primary");
            until("the claim on every list", || {
                stage.text(".conversation-status").is_some_and(|status| status.contains("open, yours"))
                    && count(&stage, "pending") == Some(pending - 1)
                    && count(&stage, "mine") == Some(mine + 1)
                    && stage.text("#chat-list .chat-row .chat-number").is_some_and(|number| number != first)
            })
            .await;
            stage.laid_out();
            now_ms() - started
        }
    })
    .await;
    report("inbox-claim", ms);
}

impl Stage {
    fn click(&self, selector: &str) {
        self.query(selector).unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    }

    fn element_count(&self, selector: &str) -> usize {
        self.element.query_selector_all(selector).unwrap().length() as usize
    }
}
