//! `handoff-cli scenario FILE.json`: runs a scenario through the engine and prints every step's
//! events and the final state as JSON. The file format is in this crate's README.

use std::process::ExitCode;

const USAGE: &str = "usage: handoff-cli scenario FILE.json

Runs the scenario (a workspace and timed steps) through the handoff engine and prints, as JSON,
each step with the events it caused or why it was rejected, then the final state.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["scenario", path] => match run(path) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {path}: {error}"))?;
    let scenario = handoff::load_scenario(&text).map_err(|error| format!("{path}: {error}"))?;
    let report = handoff::run_scenario(&scenario);
    Ok(serde_json::to_string_pretty(&report).expect("a report always serializes"))
}
