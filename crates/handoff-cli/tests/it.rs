//! Runs the real binary on the worked examples under `examples/scenarios/` and on broken files.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios")
}

/// Runs `handoff-cli scenario FILE`; returns the exit success, stdout and stderr.
fn run(file: &Path) -> (bool, String, String) {
    let output =
        Command::new(env!("CARGO_BIN_EXE_handoff-cli")).arg("scenario").arg(file).output().expect("the binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (output.status.success(), text(output.stdout), text(output.stderr))
}

fn report(name: &str) -> Value {
    let (ok, stdout, stderr) = run(&examples().join(name));
    assert!(ok, "{name} failed: {stderr}");
    serde_json::from_str(&stdout).expect("the report is JSON")
}

/// Each step as `at do: event, event…` or `at do: rejected …`.
fn outline(report: &Value) -> Vec<String> {
    let steps = report["steps"].as_array().expect("steps");
    steps
        .iter()
        .map(|step| {
            let events: Vec<String> = step["events"]
                .as_array()
                .map(|events| events.iter().map(|event| event["event"].as_str().unwrap_or("?").to_owned()).collect())
                .unwrap_or_default();
            let outcome = match step["rejected"].as_str() {
                Some(why) => format!("rejected: {why}"),
                None => events.join(", "),
            };
            format!("{} {}: {outcome}", step["at"], step["step"]["do"].as_str().unwrap_or("?"))
        })
        .collect()
}

#[test]
fn every_example_runs_cleanly() {
    let mut count = 0;
    for entry in std::fs::read_dir(examples()).expect("examples/scenarios exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|extension| extension == "json") {
            let (ok, stdout, stderr) = run(&path);
            assert!(ok, "{}: {stderr}", path.display());
            assert!(serde_json::from_str::<Value>(&stdout).is_ok(), "{} prints JSON", path.display());
            count += 1;
        }
    }
    assert!(count >= 3, "the worked examples are there");
}

#[test]
fn french_handoff_goes_to_the_french_list_and_hands_back_in_order() {
    let report = report("french-handoff.json");
    let steps = &report["steps"];
    let assigned = &steps[3]["events"][3];
    assert_eq!(assigned["event"], "assigned");
    assert_eq!(assigned["agent"], 3, "Chloé of the Francophone team takes the French chat");
    let texts: Vec<&str> =
        steps[8]["events"].as_array().unwrap().iter().filter_map(|event| event["text"].as_str()).collect();
    assert_eq!(texts, ["Merci pour votre note !", "Au revoir, et merci !"], "feedback thanks, then the close subtree");
    assert_eq!(steps[8]["events"].as_array().unwrap().last().unwrap()["event"], "session_started");
    assert_eq!(report["final_state"]["chats"]["100"]["status"]["status"], "bot");
    assert_eq!(report["final_state"]["chats"]["100"].get("variables"), None, "the new session has no variables");
}

#[test]
fn queue_at_the_cap_serves_the_oldest_chat_first() {
    let report = report("queue-at-the-cap.json");
    assert_eq!(
        outline(&report),
        [
            "0 sign_in: agent_signed_in",
            "0 sign_in: agent_signed_in",
            "1 start_chat: chat_started, ai_message, handed_off, assigned",
            "2 start_chat: chat_started, ai_message, handed_off, assigned",
            "3 start_chat: chat_started, ai_message, handed_off, queued",
            "4 start_chat: chat_started, ai_message, handed_off, queued",
            "60 close: chat_closed, assigned, session_started",
            "61 set_assignment: assignment_changed, assigned",
        ]
    );
    assert_eq!(report["steps"][6]["events"][1]["chat"], 3, "the oldest queued chat is served first");
    assert_eq!(report["steps"][7]["events"][1]["chat"], 4, "raising the cap serves the next");
}

#[test]
fn in_a_claim_race_one_agent_wins_and_the_other_is_told() {
    let report = report("claim-race.json");
    let outline = outline(&report);
    assert_eq!(outline[3], "9 claim: assigned");
    assert_eq!(outline[4], "9 claim: rejected: chat 1 was already taken by agent 2");
}

#[test]
fn an_invalid_file_gets_a_clear_error_and_a_failing_exit() {
    let folder = std::env::temp_dir().join(format!("handoff-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a temp folder");
    let broken = folder.join("broken.json");
    let good = std::fs::read_to_string(examples().join("claim-race.json")).expect("the example");
    std::fs::write(
        &broken,
        good.replace("\"do\": \"claim\", \"chat\": 1, \"agent\": 1", "\"do\": \"grab\", \"chat\": 1, \"agent\": 1"),
    )
    .expect("written");
    let (ok, stdout, stderr) = run(&broken);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("broken.json: at steps[4]"), "{stderr}");
    assert!(stderr.contains("unknown variant `grab`"), "{stderr}");

    let (ok, _, stderr) = run(&folder.join("missing.json"));
    assert!(!ok);
    assert!(stderr.contains("cannot read"), "{stderr}");
    std::fs::remove_dir_all(&folder).ok();
}

/// Only Ben takes French chats, and Spanish ones too: the French customer, queued after a
/// Spanish one, is told 2nd, and moves up to 1st when Ben serves the Spanish chat.
#[test]
fn places_across_languages_count_every_older_chat_for_the_same_agents() {
    let report = report("places-across-languages.json");
    let steps = &report["steps"];
    assert_eq!(steps[4]["events"][2]["event"], "queued");
    assert_eq!(steps[4]["events"][2]["position"], 1, "the Spanish chat is first");
    assert_eq!(steps[5]["events"][2]["position"], 2, "the French chat is behind it");
    assert_eq!(steps[5]["queue_places"], serde_json::json!({ "3": 1, "4": 2 }));
    assert_eq!(steps[6]["events"][1]["chat"], 3, "Ben serves the older Spanish chat");
    assert_eq!(steps[6]["queue_places"], serde_json::json!({ "4": 1 }));
    assert_eq!(report["final_state"]["chats"]["4"]["queue_position"], 1);
}

/// Runs `handoff-cli match WORKSPACE LANGUAGE` with `input` on standard input.
fn run_match(workspace: &Path, language: &str, input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff-cli"))
        .args(["match".as_ref(), workspace.as_os_str(), language.as_ref()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A refused file or language ends the command before it reads its input: the pipe it
    // closed is that refusal, which the status and the error output say.
    match std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => panic!("the input is written: {error}"),
        _ => {}
    }
    let output = child.wait_with_output().expect("the binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (output.status.success(), text(output.stdout), text(output.stderr))
}

fn starter_workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../handoff/starter.workspace.json")
}

#[test]
fn match_prints_the_intent_each_message_fires_in_a_new_chat_or_fallback() {
    let input = "Can I talk to a human?\nmy invoice is wrong\nwhat's the weather like\nyes\n";
    let (ok, stdout, stderr) = run_match(&starter_workspace(), "en", input);
    assert!(ok, "{stderr}");
    // "yes" is an answer nested under the billing question: a new chat's first message only
    // reaches the top level, where it means nothing.
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["Talk to a human", "Billing", "fallback", "fallback"]);
}

#[test]
fn match_refuses_a_missing_file_an_invalid_one_and_a_language_the_agent_does_not_speak() {
    let (ok, stdout, stderr) = run_match(&starter_workspace(), "de", "hello\n");
    assert!(!ok && stdout.is_empty());
    assert!(stderr.starts_with("error: the AI agent does not speak `de`; its languages are en, fr, es"), "{stderr}");

    let (ok, _, stderr) = run_match(&examples().join("missing.json"), "en", "");
    assert!(!ok);
    assert!(stderr.starts_with("error: cannot read"), "{stderr}");

    // A scenario is not a workspace document.
    let (ok, _, stderr) = run_match(&examples().join("claim-race.json"), "en", "");
    assert!(!ok);
    assert!(stderr.starts_with("error: ") && stderr.contains("claim-race.json"), "{stderr}");
}
