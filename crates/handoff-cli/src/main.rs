//! `handoff-cli scenario FILE.json`: runs a scenario through the engine and prints every step's
//! events and the final state as JSON. `handoff-cli match WORKSPACE.json LANGUAGE`: the intent
//! each customer message on standard input would fire in a new chat. The formats are in this
//! crate's README.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use handoff::{Engine, Language};

const USAGE: &str = "usage: handoff-cli scenario FILE.json
       handoff-cli match WORKSPACE.json LANGUAGE

scenario: runs the scenario (a workspace and timed steps) through the handoff engine and prints,
as JSON, each step with the events it caused or why it was rejected, then the final state.

match: reads customer messages on standard input, one a line, and prints for each the intent of
the top-level Message Received trigger it would fire in a new chat in LANGUAGE (one of the AI
agent's languages), or `fallback`.";

fn report(outcome: Result<(), String>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["scenario", path] => report(run(path).map(|report| println!("{report}"))),
        ["match", path, language] => report(match_messages(path, language)),
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

/// Each line of standard input, as a new chat's first message in `language`: the intent the
/// engine's top-level recognizer fires, or `fallback`.
fn match_messages(path: &str, language: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {path}: {error}"))?;
    let workspace = handoff::load_workspace(&text).map_err(|error| format!("{path}: {error}"))?;
    let language = Language::new(language);
    if !workspace.ai_agent.supports(&language) {
        let supported: Vec<&str> = workspace.ai_agent.languages().map(Language::as_str).collect();
        return Err(format!("the AI agent does not speak `{language}`; its languages are {}", supported.join(", ")));
    }
    let engine = Engine::new(workspace, 0);
    let workflow = &engine.workspace().ai_agent.workflow;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let message = line.map_err(|error| format!("cannot read standard input: {error}"))?;
        let intent = engine
            .first_message_trigger(&message, &language)
            .and_then(|id| workflow.find_trigger(id))
            .and_then(|trigger| match &trigger.kind {
                handoff::workflow::TriggerKind::MessageReceived { intent, .. } => Some(intent.as_str()),
                _ => None,
            })
            .unwrap_or("fallback");
        writeln!(out, "{intent}").map_err(|error| format!("cannot write: {error}"))?;
    }
    Ok(())
}
