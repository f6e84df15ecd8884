//! UI benchmarks: real app components mounted in headless Chromium and timed with
//! `performance.now()`, each figure the median of several runs. A figure runs until what it
//! waits for is in the page and the page is laid out (`Stage::laid_out`): the layout a change
//! costs counts, but not work the app leaves to a later animation frame.
//!
//! `cargo xtask bench-ui` builds this with optimisations, runs it, and prints every
//! `ui NAME: VALUE ms` line that `report` logs, with its target if it has one. These are
//! benchmarks, not timed tests: a slow figure is reported, never a failure. Only a broken run
//! (a panic, nothing rendered) fails. `cargo xtask test` does not run them; its clippy stage
//! lints them. Compiled only for wasm32.
//!
//! A new figure is one `#[wasm_bindgen_test] async fn`:
//!
//! ```ignore
//! #[wasm_bindgen_test]
//! async fn editor_edit() {
//!     let ms = median_ms(RUNS, || async {
//!         let stage = Stage::mount(/* the editor on a 1,000-node workflow */);
//!         until("the editor", || stage.query("…").is_some()).await; // setting up is not timed
//!         let started = now_ms();
//!         // … the one-field edit …
//!         until("the edit on screen", || stage.text("…").as_deref() == Some("…")).await;
//!         stage.laid_out(); // the layout it costs counts too
//!         now_ms() - started
//!     })
//!     .await;
//!     report("editor-edit", ms);
//! }
//! ```

#![cfg(target_arch = "wasm32")]

use std::future::Future;

use gloo_timers::future::TimeoutFuture;
use handoff_studio::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

mod editor;
mod inbox;

/// Runs per figure; odd, so the median is one of them.
const RUNS: usize = 15;

/// How long `until` waits before it fails the run.
const PATIENCE_MS: f64 = 5_000.0;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds since the page started, to a fraction of a millisecond.
    /// Bound here because the package's web-sys is built without its `Performance` feature.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The current time in milliseconds, for timing one run.
pub fn now_ms() -> f64 {
    performance_now()
}

/// Logs one figure as `ui NAME: VALUE ms`, with one decimal; `cargo xtask bench-ui` collects these lines.
pub fn report(name: &str, ms: f64) {
    console_log!("ui {name}: {ms:.1} ms");
}

/// Runs `run_once` `runs` times, one after another, and returns the median of the milliseconds
/// each run returns. A run times only what it measures (see `now_ms`), so it can set up before
/// starting its clock and clean up after stopping it. Between runs the browser gets a turn of
/// its event loop, so that one run's leftover tasks do not land in the next one's time.
pub async fn median_ms<F, Fut>(runs: usize, mut run_once: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: Future<Output = f64>,
{
    assert!(runs > 0, "a median needs at least one run");
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(run_once().await);
        TimeoutFuture::new(0).await;
    }
    median(&mut times)
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    let middle = times.len() / 2;
    if times.len() % 2 == 1 { times[middle] } else { (times[middle - 1] + times[middle]) / 2.0 }
}

/// Waits until `holds` is true, checking at once and then after each task the app may have
/// queued; every few checks it lets timers and rendering run too. Fails after five seconds,
/// saying `what`. Microtask turns keep the wait's own overhead far below a millisecond.
pub async fn until(what: &str, holds: impl Fn() -> bool) {
    let started = now_ms();
    for check in 1_u32.. {
        if holds() {
            return;
        }
        assert!(now_ms() - started < PATIENCE_MS, "waited {PATIENCE_MS} ms for {what}");
        if check % 8 == 0 {
            next_task().await;
        } else {
            tick().await;
        }
    }
}

/// Lets the browser's event loop run one turn: the tasks already queued (timers that are due,
/// input, messages) run before this returns. Through `scheduler.yield()` where the browser has
/// it, not a zero-millisecond timer: the browser clamps nested timers to 4 ms, which `until`'s
/// waits would otherwise add to the figure they time.
async fn next_task() {
    let scheduler = js_sys::Reflect::get(&window(), &"scheduler".into()).ok().filter(|value| value.is_object());
    let yielded = scheduler.and_then(|scheduler| {
        let yield_now = js_sys::Reflect::get(&scheduler, &"yield".into()).ok()?;
        let yield_now: &js_sys::Function = yield_now.dyn_ref()?;
        yield_now.call0(&scheduler).ok()?.dyn_into::<js_sys::Promise>().ok()
    });
    match yielded {
        Some(promise) => drop(wasm_bindgen_futures::JsFuture::from(promise).await),
        // A timer task, where the browser has no `scheduler.yield()`.
        None => TimeoutFuture::new(0).await,
    }
}

/// Puts `path` in the address bar without navigating, for the router of the next app mounted.
pub fn set_address(path: &str) {
    window().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
}

/// A view mounted in a fresh element of the test page. Dropping it cleans up its reactive
/// owner, which removes the router's window listeners, and removes the element, so one run's
/// app never answers the next run's events.
pub struct Stage {
    element: HtmlElement,
    owner: Owner,
}

impl Stage {
    pub fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Self {
        with_the_apps_stylesheet();
        let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&element).unwrap();
        let owner = Owner::new();
        // The owner is cleaned up explicitly on drop: the mount handle's own drop does not reach
        // the router's listeners, because spawned navigation tasks still hold the owner.
        owner.with(|| mount_to(element.clone(), view)).forget();
        Stage { element, owner }
    }

    /// The first element inside the stage that matches `selector`, if any.
    pub fn query(&self, selector: &str) -> Option<Element> {
        self.element.query_selector(selector).unwrap()
    }

    /// Makes the browser lay out the page now, as it must before the next frame: a figure that
    /// ends with this counts the layout its change costs, not only the DOM it wrote.
    pub fn laid_out(&self) {
        let _ = self.element.offset_height();
    }

    /// The text of the first element matching `selector`, or `None` while there is none.
    pub fn text(&self, selector: &str) -> Option<String> {
        self.query(selector).map(|element| element.text_content().unwrap_or_default())
    }
}

/// Puts the app's own stylesheet in the page once, so that the layout a figure counts is the
/// app's layout (the chat list scrolls in its box, for one), not an unstyled page's.
fn with_the_apps_stylesheet() {
    const ID: &str = "bench-app-style";
    if document().get_element_by_id(ID).is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id(ID);
        style.set_text_content(Some(include_str!("../../style/main.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        self.owner.cleanup();
        self.element.remove();
    }
}

/// The whole app mounted at `/`, until the home page's heading is in the DOM.
#[wasm_bindgen_test]
async fn shell_first_render() {
    let ms = median_ms(RUNS, || async {
        set_address("/");
        let started = now_ms();
        let stage = Stage::mount(App);
        until("the home page heading", || stage.text("main h1").as_deref() == Some("Handoff Studio")).await;
        stage.laid_out();
        now_ms() - started
    })
    .await;
    report("shell-first-render", ms);
}
