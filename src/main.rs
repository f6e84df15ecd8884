//! The browser entry point: install the panic hook, ask which backend the page is on, mount the
//! app. Everything else is in `lib.rs`.

use handoff_studio::remote::{Detected, detect};
use handoff_studio::{App, ServerApp};
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    // The first page depends on the answer (the sign-in page, or the studio on this browser's
    // own storage), so nothing is drawn before it: one request to the page's own origin.
    wasm_bindgen_futures::spawn_local(async {
        let detected = detect().await;
        // One mount for either answer, whichever app it draws.
        leptos::mount::mount_to_body(move || match detected {
            Detected::Simulated => view! { <App/> }.into_any(),
            Detected::Server(start) => view! { <ServerApp start=start/> }.into_any(),
        });
    });
}
