//! The JSON documents: they round-trip, and every broken one gets an error that says where
//! and what was expected.

use handoff::{
    Engine, event_to_bytes, load_event_bytes, load_state, load_state_bytes, load_workspace, state_to_bytes,
    state_to_json, workspace_to_json,
};

use crate::support::{all_users, run, workspace};

/// The tests' workspace as version 1 wrote it (`legacy/support-v1.json`): its errors are placed
/// in a text that does not move when the writer does, and a version 1 document goes through the
/// same reader as a version 2 one.
fn valid_document() -> String {
    include_str!("legacy/support-v1.json").to_owned()
}

/// Loads the valid document with `from` replaced by `to` (exactly once) and compares the error.
fn check(from: &str, to: &str, expected: &str) {
    let document = valid_document();
    assert_eq!(document.matches(from).count(), 1, "`{from}` must occur once in the document");
    let broken = document.replacen(from, to, 1);
    match load_workspace(&broken) {
        Ok(_) => panic!("replacing `{from}` with `{to}` still loads"),
        Err(error) => assert_eq!(error.to_string(), expected, "replacing `{from}` with `{to}`"),
    }
}

/// Loads the valid document after `edit` changes it as JSON, and compares the error.
fn check_edit(edit: impl FnOnce(&mut serde_json::Value), expected: &str) {
    let mut document: serde_json::Value = serde_json::from_str(&valid_document()).expect("valid JSON");
    edit(&mut document);
    let text = serde_json::to_string_pretty(&document).expect("serializes");
    match load_workspace(&text) {
        Ok(_) => panic!("the edited document still loads; expected {expected}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

#[test]
fn a_workspace_round_trips_through_its_document() {
    let original = workspace("round_robin", 4, all_users());
    let loaded = load_workspace(&workspace_to_json(&original)).expect("its own document loads");
    assert_eq!(loaded, original);
}

#[test]
fn every_broken_workspace_document_says_where_and_what_was_expected() {
    check("{\n  \"format\"", "# {\n  \"format\"", "line 1, column 1: expected value");
    check(
        "\"handoff-studio/workspace\"",
        "\"handoff-studio/state\"",
        "at format: expected \"handoff-studio/workspace\", found \"handoff-studio/state\"",
    );
    check(
        "\"version\": 1",
        "\"version\": 3",
        "at version: version 3 is not readable by this build, which reads versions 1 to 2",
    );
    check("\"version\": 1,", "", "at version: missing; expected 2");
    check("\"name\": \"Ben\",", "", "at workspace.teamspace.agents[1] (line 38, column 9): missing field `name`");
    check(
        "\"action\": \"collect_feedback\"",
        "\"action\": \"collect_feedbak\"",
        "at workspace.ai_agent.workflow.triggers[2].actions[1] (line 142, column 15): unknown variant `collect_feedbak`, expected one of `send_message`, `set_chat_variable`, `if_else`, `human_handoff`, `collect_feedback`, `jump_to`, `close_chat`",
    );
    check(
        "\"auto_assign_cap\": 2",
        "\"auto_assign_cap\": \"two\"",
        "at workspace.teamspace.assignment.auto_assign_cap (line 64, column 32): invalid type: string \"two\", expected u32",
    );
    check(
        "\"auto_assign_cap\": 2",
        "\"auto_assign_cap\": -1",
        "at workspace.teamspace.assignment.auto_assign_cap (line 64, column 29): invalid value: integer `-1`, expected u32",
    );
    check(
        "\"name\": \"Support\",",
        "\"name\": \"Support\", \"colour\": \"blue\",",
        "at workspace.teamspace.colour (line 6, column 33): unknown field `colour`, expected one of `name`, `teams`, `agents`, `assignment`, `canned_replies`",
    );
}

/// The path is read off the text at serde_json's position, so it names the value (or key) that
/// ended where the parse stopped, or the object whose closing brace it stopped at.
#[test]
fn the_path_of_an_error_is_where_the_parse_stopped_in_the_text() {
    check_edit(
        |doc| {
            // Brackets, commas and quotes inside strings are text, not structure.
            doc["workspace"]["teamspace"]["agents"][0]["name"] = "Ann \"}], [{\\".into();
            doc["workspace"]["teamspace"]["agents"][2]["teams"] = serde_json::json!([1, "two"]);
        },
        "at workspace.teamspace.agents[2].teams[1] (line 154, column 17): invalid type: string \"two\", expected u32",
    );
    check_edit(
        |doc| doc["workspace"]["teamspace"]["agents"][0]["odd \"name\""] = true.into(),
        "at workspace.teamspace.agents[0].odd \"name\" (line 134, column 24): unknown field `odd \"name\"`, expected one of `id`, `name`, `role`, `teams`",
    );
    // The header is read first, and its errors have a path too.
    check(
        "\"version\": 1",
        "\"version\": \"1\"",
        "at version (line 3, column 16): invalid type: string \"1\", expected u32",
    );
    // A syntax error too: the comma is missing after the name.
    check(
        "\"name\": \"Ben\",",
        "\"name\": \"Ben\"",
        "at workspace.teamspace.agents[1].name (line 33, column 11): expected `,` or `}`",
    );
    let document = valid_document();
    let cut = &document[..document.find("\"auto_assign_cap\"").expect("a cap")];
    assert_eq!(
        load_workspace(cut).unwrap_err().to_string(),
        "at workspace.teamspace.assignment (line 64, column 8): EOF while parsing a value"
    );

    // A state snapshot's errors are placed the same way.
    let workspace = workspace("balanced", 1, all_users());
    let mut engine = Engine::new(workspace.clone(), 7);
    run(&mut engine, "in 1\nstart 10 en\nsay 10 human");
    let snapshot = state_to_json(engine.state()).replacen("\"open_chats\": 1", "\"open_chats\": \"one\"", 1);
    assert_eq!(
        load_state(&snapshot, &workspace).unwrap_err().to_string(),
        "at state.agents[0].open_chats (line 15, column 27): invalid type: string \"one\", expected u32"
    );
}

#[test]
fn ids_must_be_unique_and_references_must_resolve() {
    check_edit(
        |doc| doc["workspace"]["teamspace"]["agents"][2]["teams"][0] = 9.into(),
        "at workspace.teamspace.agents[2].teams[0]: there is no team 9 in the teamspace",
    );
    check_edit(
        |doc| doc["workspace"]["teamspace"]["agents"][3]["id"] = 1.into(),
        "at workspace.teamspace.agents[3].id: agent 1 appears twice",
    );
    check_edit(
        |doc| doc["workspace"]["teamspace"]["teams"][2]["id"] = 1.into(),
        "at workspace.teamspace.teams[2].id: team 1 appears twice",
    );
    check_edit(
        |doc| doc["workspace"]["ai_agent"]["other_languages"][1] = "en".into(),
        "at workspace.ai_agent.other_languages[1]: en is listed twice",
    );
    check_edit(
        |doc| doc["workspace"]["ai_agent"]["workflow"]["triggers"][4]["actions"][0]["id"] = 2.into(),
        "at workspace.ai_agent.workflow.triggers[4].actions[0].id: node 2 appears twice",
    );
}

#[test]
fn trailing_text_after_the_document_is_refused() {
    let document = valid_document() + "\n{}";
    assert_eq!(load_workspace(&document).unwrap_err().to_string(), "line 194, column 1: trailing characters");
}

#[test]
fn a_state_snapshot_round_trips_and_rebuilds_the_same_engine() {
    let workspace = workspace("balanced", 1, all_users());
    let mut engine = Engine::new(workspace.clone(), 7);
    run(&mut engine, "in 1\nin 2\nstart 10 fr\nsay 10 humain\nstart 11 en\nsay 11 human\nstart 12 es\nsay 12 human");
    let loaded = load_state(&state_to_json(engine.state()), &workspace).expect("its own snapshot loads");
    assert_eq!(&loaded, engine.state());

    // The rebuilt engine carries on exactly like the original: chat 12 waits in the queue.
    let mut rebuilt = Engine::from_state(workspace, loaded);
    assert_eq!(run(&mut rebuilt, "close 1 10"), run(&mut engine, "close 1 10"));
}

#[test]
fn every_worked_scenario_round_trips_through_its_document() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(folder).expect("examples/scenarios exists") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let scenario = handoff::load_scenario(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let again = serde_json::to_string(&scenario).expect("serializes");
        assert_eq!(handoff::load_scenario(&again).expect("its own JSON loads"), scenario, "{}", path.display());
        count += 1;
    }
    assert!(count >= 3);
}

#[test]
fn a_snapshot_that_no_longer_fits_its_workspace_is_refused_where_it_disagrees() {
    let workspace = workspace("balanced", 1, all_users());
    let mut engine = Engine::new(workspace.clone(), 7);
    run(&mut engine, "in 1\nstart 10 en\nsay 10 human\nstart 11 en\nsay 11 human");
    let snapshot = state_to_json(engine.state());

    // The admin deleted the handoff both chats went through.
    let mut edited = workspace.clone();
    handoff::edit::delete(&mut edited.ai_agent.workflow, handoff::NodeId(20)).expect("deletable");
    assert_eq!(
        load_state(&snapshot, &edited).unwrap_err().to_string(),
        "at state.chats.10.handoff: node 20 is not a Human Handoff action of the workflow"
    );
    // The browser journal's snapshot is checked the same way.
    assert_eq!(
        load_state_bytes(&state_to_bytes(engine.state()), &edited).unwrap_err().to_string(),
        "at state.chats.10.handoff: node 20 is not a Human Handoff action of the workflow"
    );

    let tampered = snapshot.replacen("\"open_chats\": 1", "\"open_chats\": 3", 1);
    assert_eq!(
        load_state(&tampered, &workspace).unwrap_err().to_string(),
        "at state.agents[0].open_chats: says 3 open chats, but 1 chats are open with agent 1"
    );
}

#[test]
fn a_journal_record_that_is_cut_short_padded_or_of_another_version_is_refused() {
    let workspace = workspace("balanced", 1, all_users());
    let mut engine = Engine::new(workspace.clone(), 7);
    run(&mut engine, "in 1\nstart 10 fr\nsay 10 humain");
    let snapshot = state_to_bytes(engine.state());
    assert_eq!(load_state_bytes(&snapshot, &workspace).as_ref(), Ok(engine.state()));

    let event = engine.state().chats[&handoff::ChatId(10)].transcript.last().expect("an event").clone();
    let bytes = event_to_bytes(&event);
    assert_eq!(load_event_bytes(&bytes), Ok(event));
    let cut = &bytes[..bytes.len() - 1];
    assert_eq!(load_event_bytes(cut).unwrap_err().to_string(), "the saved event is damaged");
    let padded = [&bytes[..], &[0]].concat();
    assert_eq!(load_event_bytes(&padded).unwrap_err().to_string(), "the saved event is damaged");
    let other_version = [&[2], &bytes[1..]].concat();
    assert_eq!(
        load_event_bytes(&other_version).unwrap_err().to_string(),
        "the saved event has journal version 2, not 1"
    );
    assert_eq!(load_event_bytes(&[]).unwrap_err().to_string(), "the saved event is empty");
    assert_eq!(
        load_state_bytes(&snapshot[..snapshot.len() / 2], &workspace).unwrap_err().to_string(),
        "the saved snapshot is damaged"
    );
}

/// The export is byte for byte what serde's derived code wrote, in version 2's shape: the files
/// in `exports/` were its output (for the starter workspace, the tests' workspace, and a document
/// with every kind of node, condition, assignment and optional field) with the texts the AI
/// agent says written per language since. `every_kind.input.json` is still version 1.
#[test]
fn the_export_is_byte_for_byte_what_serde_wrote() {
    let every_kind = load_workspace(include_str!("exports/every_kind.input.json")).expect("a valid document");
    let cases = [
        (handoff::starter_workspace(), include_str!("exports/starter.json")),
        (workspace("balanced", 2, all_users()), include_str!("exports/support.json")),
        (every_kind.clone(), include_str!("exports/every_kind.json")),
    ];
    for (workspace, expected) in cases {
        assert_eq!(workspace_to_json(&workspace), expected);
        assert_eq!(load_workspace(expected).as_ref(), Ok(&workspace));
    }
}

/// What the hand-written loader decides where serde's derived code decided otherwise (the old
/// answer is in each comment). serde buffered a trigger's and an action's kind (`flatten` and
/// internally tagged enums), so its errors named the whole trigger or action at its closing brace.
#[test]
fn the_loader_names_the_field_itself_where_serde_named_the_whole_node() {
    // Was: at workspace.ai_agent.workflow.triggers[3].actions[0] (line 175, column 15): …
    check(
        "\"text\": \"Same session: you rated {rating}.\"",
        "\"text\": 5",
        "at workspace.ai_agent.workflow.triggers[3].actions[0].then[0].text (line 165, column 29): invalid type: integer `5`, expected a map of language to text",
    );
    // Was: at workspace.ai_agent.workflow.triggers[2].actions[1] (line 142, column 15): …
    check(
        "\"title\": \"Rate us\",",
        "\"title\": \"Rate us\", \"colour\": 1,",
        "at workspace.ai_agent.workflow.triggers[2].actions[1].colour (line 138, column 44): unknown field `colour`, expected one of `title`, `request`, `thank_you`, `variable`, `comment`",
    );
    // Was: at workspace.ai_agent.workflow.triggers[2].actions[0] (line 134, column 15): …
    check(
        "\"text\": \"Thanks for chatting with us.\"",
        "\"text\": \"a\", \"text\": \"b\"",
        "at workspace.ai_agent.workflow.triggers[2].actions[0].text (line 133, column 35): duplicate field `text`",
    );
    // Was: at workspace.ai_agent.workflow.triggers[1].actions[0] (line 123, column 15): …
    check(
        "\"to\": \"all_users\"",
        "\"to\": \"nobody\"",
        "at workspace.ai_agent.workflow.triggers[1].actions[0].assign (line 113, column 17): unknown variant `nobody`, expected `all_users` or `specific_users_or_teams`",
    );
    // A tag that is not a string. Was: at workspace.ai_agent.workflow.triggers[3].actions[0]
    // (line 175, column 15): invalid value: integer `5`, expected variant index 0 <= i < 4
    check(
        "\"if\": \"variable_is_set\"",
        "\"if\": 5",
        "at workspace.ai_agent.workflow.triggers[3].actions[0].condition.if (line 158, column 25): invalid type: integer `5`, expected variant identifier",
    );
    // Was: at workspace.ai_agent.workflow.triggers[1].actions[0] (line 51, column 15): …
    check_edit(
        |doc| {
            let on_close = &mut doc["workspace"]["ai_agent"]["workflow"]["triggers"][1]["actions"][0]["on_close"];
            on_close[0].as_object_mut().expect("an action").remove("text");
        },
        "at workspace.ai_agent.workflow.triggers[1].actions[0].on_close[0] (line 48, column 19): missing field `text`",
    );
}

/// Forms serde's derived code accepted or worded otherwise, refused or worded by the
/// hand-written loader (the old answer is in each comment).
#[test]
fn the_loader_refuses_what_only_serde_accepted_and_words_what_serde_worded_otherwise() {
    // An array or object of the wrong type is placed at its opening bracket.
    // Was: at workspace.ai_agent.workflow.triggers[1].actions[0] (line 123, column 15): …
    check(
        "\"on_no_agent\": []",
        "\"on_no_agent\": {}",
        "at workspace.ai_agent.workflow.triggers[1].actions[0].on_no_agent (line 122, column 32): invalid type: map, expected a sequence",
    );
    // serde read a struct from an array, field by field. Was: it loaded.
    check_edit(
        |doc| doc["workspace"]["teamspace"]["assignment"] = serde_json::json!(["balanced", 2]),
        "at workspace.teamspace.assignment (line 171, column 21): invalid type: sequence, expected struct ChatAssignment",
    );
    // serde read an internally tagged enum from an array, the tag first. Was: it loaded.
    check_edit(
        |doc| {
            doc["workspace"]["ai_agent"]["workflow"]["triggers"][3]["actions"][0]["condition"] =
                serde_json::json!(["variable_is_set", "rating"]);
        },
        "at workspace.ai_agent.workflow.triggers[3].actions[0].condition (line 86, column 30): invalid type: sequence, expected internally tagged enum Condition",
    );
    // Was: at workspace.teamspace.agents[4].role (line 167, column 19): expected value
    check_edit(
        |doc| doc["workspace"]["teamspace"]["agents"][4]["role"] = 5.into(),
        "at workspace.teamspace.agents[4].role (line 167, column 19): invalid type: integer `5`, expected enum Role",
    );
    // serde read a unit variant from `{"admin": null}`. Was: it loaded.
    check_edit(
        |doc| doc["workspace"]["teamspace"]["agents"][4]["role"] = serde_json::json!({ "admin": null }),
        "at workspace.teamspace.agents[4].role (line 167, column 19): invalid type: map, expected enum Role",
    );
    // The header is read from the same tree as the rest. A document that is an array was read
    // field by field by serde. Was: line 1, column 2: invalid length 0, expected struct Header with 2 elements
    assert_eq!(
        load_workspace("[]").unwrap_err().to_string(),
        "line 1, column 1: invalid type: sequence, expected struct Header"
    );
    // Was: at [2] (line 1, column 33): trailing characters
    assert_eq!(
        load_workspace("[\"handoff-studio/workspace\", 1, {}]").unwrap_err().to_string(),
        "line 1, column 1: invalid type: sequence, expected struct Header"
    );
    // The document is read into its tree in one pass, whose wording of syntax errors this is.
    assert_eq!(
        load_workspace("{\"format\": \"handoff-studio/workspace\", \"version\": 1,}").unwrap_err().to_string(),
        "line 1, column 53: trailing comma"
    );
    assert_eq!(
        load_workspace("{\"format\": \"handoff-studio/workspace\", \"version\": 1,").unwrap_err().to_string(),
        "line 1, column 52: EOF while parsing a value"
    );
    // A header value of the wrong type that is also broken: its syntax error is reported (the
    // header's syntax is checked before its types). Was: at version (line 3, column 13): invalid type: sequence, expected u32
    check("\"version\": 1", "\"version\": [1 2]", "at version[0] (line 3, column 17): expected `,` or `]`");
    // With several errors in one object, the first in the order of the format's fields is
    // reported; serde reported the first in the text.
    // Was: at workspace.teamspace.teams[0].name (line 179, column 19): invalid type: integer `5`, expected a string
    check_edit(
        |doc| doc["workspace"]["teamspace"]["teams"][0] = serde_json::json!({ "name": 5 }),
        "at workspace.teamspace.teams[0] (line 180, column 9): missing field `id`",
    );
}

#[test]
fn a_scenario_reads_its_workspace_with_the_same_code_and_places_its_errors_the_same_way() {
    let scenario = include_str!("../../../../examples/scenarios/french-handoff.json");
    let broken = scenario.replacen("\"auto_assign_cap\": 2", "\"auto_assign_cap\": \"two\"", 1);
    assert_eq!(
        handoff::load_scenario(&broken).unwrap_err().to_string(),
        "at workspace.teamspace.assignment.auto_assign_cap (line 19, column 68): invalid type: string \"two\", expected u32"
    );
}
