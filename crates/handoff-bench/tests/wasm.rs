//! The benchmark workload in wasm, run under Node by wasm-bindgen-test: `cargo xtask bench`
//! reads the `wasm engine decisions/s …` line it logs.

#![cfg(target_arch = "wasm32")]

use handoff_bench::{CHATS, prepare, run, workload};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// Milliseconds from the JavaScript clock: `Instant::now()` panics on wasm32.
fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn engine_decisions_per_second_at_1000_agents() {
    let workload = workload(1_000, CHATS);
    let mut best = f64::MAX;
    let mut decisions = 0;
    for _ in 0..3 {
        let mut engine = prepare(&workload, false);
        let started = now();
        decisions = run(&mut engine, &workload.commands);
        best = best.min(now() - started);
    }
    assert!(decisions > 0);
    let per_second = decisions as f64 / (best / 1_000.0);
    console_log!(
        "wasm engine decisions/s at 1,000 agents: {per_second:.0} ({decisions} decisions in {best:.0} ms, best of 3)"
    );
}
