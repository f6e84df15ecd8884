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
    const RUNS: u32 = 5;
    let workload = workload(1_000, CHATS);
    // One run to warm the JavaScript engine's tiers up, then the mean of the next five, like
    // criterion's mean natively.
    let decisions = run(&mut prepare(&workload, false), &workload.commands);
    let mut total = 0.0;
    for _ in 0..RUNS {
        let mut engine = prepare(&workload, false);
        let started = now();
        assert_eq!(run(&mut engine, &workload.commands), decisions, "every run decides the same");
        total += now() - started;
    }
    let mean = total / f64::from(RUNS);
    let per_second = decisions as f64 / (mean / 1_000.0);
    console_log!(
        "wasm engine decisions/s at 1,000 agents: {per_second:.0} ({decisions} decisions in {mean:.0} ms, mean of {RUNS})"
    );
}
