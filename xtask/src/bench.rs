//! `cargo xtask bench`: the engine benchmark natively (criterion) and in wasm (under Node),
//! then a summary with the intent recognizer's time per message and its accuracy on the
//! labelled set, whose last line is `engine decisions/s: N` for 1,000 agents, natively.

use crate::shell::cmd;

pub fn run() -> Result<(), String> {
    println!("xtask bench: criterion, natively (about a minute)");
    let native = cmd("cargo", &["bench", "--package", "handoff-bench", "--bench", "engine"]).run_and_capture()?;
    println!("\nxtask bench: the same workload in wasm, under Node");
    let wasm = cmd(
        "cargo",
        &[
            "test",
            "--package",
            "handoff-bench",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "bench",
            "--test",
            "wasm",
            "--",
            "--nocapture",
        ],
    )
    .run_and_capture()?;

    let native_lines: Vec<&str> = native.lines().filter(|line| line.starts_with("native ")).collect();
    let wasm_line = wasm
        .lines()
        .find(|line| line.starts_with("wasm engine decisions/s"))
        .ok_or("the wasm run printed no figure")?;
    let native_rate = figure(native_lines.iter().copied(), "native engine decisions/s at 1,000 agents: ")?;
    let wasm_rate = figure(std::iter::once(wasm_line), "wasm engine decisions/s at 1,000 agents: ")?;

    println!("\nbenchmark summary (this machine; one core per run):");
    for line in &native_lines {
        println!("  {line}");
    }
    println!("  {wasm_line}");
    println!("  wasm takes x{:.2} the time of native per decision", native_rate / wasm_rate);
    let intent_micros = figure(native_lines.iter().copied(), "native intent match µs: ")?;
    let accuracy = figure(native_lines.iter().copied(), "native intents accuracy: ")?;
    let false_handoffs = figure(native_lines.iter().copied(), "native intents false handoffs: ")?;
    println!("intent match µs: {intent_micros:.2}");
    println!("intents accuracy: {accuracy:.1}%");
    println!("intents false handoffs: {false_handoffs:.1}%");
    println!("engine decisions/s: {native_rate:.0}");
    Ok(())
}

/// The number after `prefix` on the first line that starts with it.
fn figure<'a>(mut lines: impl Iterator<Item = &'a str>, prefix: &str) -> Result<f64, String> {
    let line = lines.find(|line| line.starts_with(prefix)).ok_or_else(|| format!("no line starts with `{prefix}`"))?;
    let number = line[prefix.len()..].split_whitespace().next().unwrap_or_default().trim_end_matches('%');
    number.parse().map_err(|_| format!("`{number}` in `{line}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::figure;

    #[test]
    fn reads_the_figure_after_its_label() {
        let lines =
            ["native 100 agents: 5 decisions", "wasm engine decisions/s at 1,000 agents: 1112662 (164674 decisions)"];
        assert_eq!(figure(lines.into_iter(), "wasm engine decisions/s at 1,000 agents: "), Ok(1_112_662.0));
        assert!(figure(lines.into_iter(), "missing: ").is_err());
        let percent = ["native intents accuracy: 95.3%"];
        assert_eq!(figure(percent.into_iter(), "native intents accuracy: "), Ok(95.3));
    }
}
