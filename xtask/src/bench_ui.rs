//! `cargo xtask bench-ui`: the UI benchmarks of `tests/bench_ui` in headless Chromium, built
//! with optimisations, then every figure they logged, one `ui NAME: VALUE ms` line each, with
//! its target where the issue set one.
//!
//! A benchmark reports; it does not fail on time. The command fails only when the run itself
//! fails (a build error, a panic, a page that never rendered) or logs no figure at all.

use crate::shell::cmd;
use crate::{tools, workspace_root};

/// The profile the benchmarks are built with: `release`, the shipped app's (`opt-level = "z"`,
/// fat LTO, one codegen unit), so that the figures are the shipped app's. On the project's
/// 2-core machine it builds about as fast as the full-speed `bench` profile once dependencies are
/// built (some 45 s after a change in `src/`), and it carries no debug info, which made the
/// `bench` profile's test module 72 MB. Trunk's further `wasm-opt -Oz` pass is not applied.
const PROFILE: &str = "release";

/// The most a figure should take, in milliseconds, as the issues set them: a claim and the
/// editor's first render at half what a slower laptop may take, so that it still shows a claim
/// within one frame (issue 10).
const TARGETS: [(&str, f64); 4] =
    [("editor-1000-first-render", 150.0), ("editor-edit", 16.0), ("inbox-10k-first-view", 100.0), ("inbox-claim", 8.0)];

pub fn run() -> Result<(), String> {
    let chromedriver = tools::find("chromedriver").ok_or("chromedriver is not installed")?;
    println!("xtask bench-ui: UI benchmarks in headless Chromium, built with the `{PROFILE}` profile");
    // `--nocapture` makes wasm-bindgen-test-runner print the page's console output as it comes,
    // which is where each benchmark logs its figure.
    let output = cmd(
        "cargo",
        &[
            "test",
            "--package",
            "handoff-studio",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            PROFILE,
            "--test",
            "bench-ui",
            "--",
            "--nocapture",
        ],
    )
    .env("CHROMEDRIVER", chromedriver)
    .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", workspace_root().join("webdriver.json"))
    .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
    .run_and_capture()?;

    let figures = figures(&output);
    if figures.is_empty() {
        return Err("the UI benchmarks logged no `ui NAME: VALUE ms` line".to_owned());
    }
    println!("\nUI benchmark summary (this machine, headless Chromium; each the median of several runs):");
    for (name, ms) in figures {
        println!("{}", summary_line(&name, ms));
    }
    Ok(())
}

/// Every `ui NAME: VALUE ms` figure in the output, in order, wherever it starts on its line.
fn figures(output: &str) -> Vec<(String, f64)> {
    output.lines().filter_map(|line| line.match_indices("ui ").find_map(|(start, _)| figure(&line[start..]))).collect()
}

/// The name and milliseconds of a text that is exactly `ui NAME: VALUE ms`.
fn figure(text: &str) -> Option<(String, f64)> {
    let (name, rest) = text.trim_end().strip_prefix("ui ")?.split_once(": ")?;
    let value = rest.strip_suffix(" ms")?.parse().ok()?;
    let well_formed = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    well_formed.then(|| (name.to_owned(), value))
}

/// `ui NAME: VALUE ms`, followed by the target where there is one, marked when it is missed.
fn summary_line(name: &str, ms: f64) -> String {
    let line = format!("ui {name}: {ms:.1} ms");
    match TARGETS.iter().find(|(target_name, _)| *target_name == name) {
        Some((_, target)) if ms <= *target => format!("{line} (target ≤ {target})"),
        Some((_, target)) => format!("{line} (target ≤ {target}, missed)"),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::{figures, summary_line};

    #[test]
    fn finds_each_figure_even_after_the_runner_s_own_text() {
        let output = "\
running 2 tests
test bench_ui::shell_first_render ... ui shell-first-render: 12.3 ms
ok
ui editor-edit: 3.2 ms
a line that mentions ui but is no figure: 4 ms
ui broken name: 1.0 ms
test result: ok. 2 passed; 0 failed; 0 ignored";
        assert_eq!(figures(output), [("shell-first-render".to_owned(), 12.3), ("editor-edit".to_owned(), 3.2)]);
    }

    #[test]
    fn names_the_target_where_there_is_one() {
        assert_eq!(summary_line("editor-edit", 3.2), "ui editor-edit: 3.2 ms (target ≤ 16)");
        assert_eq!(
            summary_line("editor-1000-first-render", 412.0),
            "ui editor-1000-first-render: 412.0 ms (target ≤ 150, missed)"
        );
        assert_eq!(summary_line("shell-first-render", 12.34), "ui shell-first-render: 12.3 ms");
    }
}
