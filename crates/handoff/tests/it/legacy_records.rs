//! Records and documents written before a change of the engine's types keep loading: the bytes
//! and the JSON below were written by the build before `ChatStatus` carried the eligibility and
//! `AgentState` its `AgentStatus`, from the run in `run_that_wrote_them`, and the browser's
//! IndexedDB and people's files still hold such records.

use handoff::{Engine, Event, Timestamp, load_event_bytes, load_state, load_state_bytes};

use crate::support::{all_users, parse, run, workspace};

/// Agent 1 Online with chat 12 open, agent 2 signed out after being Online, agent 3 Away,
/// agents 4 and 5 never signed in; chat 10 pending for team 2 after a transfer (the old build
/// still held how it had been assigned), chat 11 closed and waiting for a rating, chat 13 with
/// the AI agent.
const STEPS: &str = "in 1\nin 2\nout 2\nin 3\naway 3\nstart 10 en\nsay 10 human\nstart 11 en\nsay 11 human\n\
                     start 12 fr\nsay 12 humain\ntransfer 1 10 team 2\nclose 1 11\nstart 13 es";

/// `state_to_bytes` of the state after `STEPS`, journal version 1, as the old build wrote it.
const SNAPSHOT_V1: &str = concat!(
    "0107000105010100010301020000000002030101000003040001000000050001000000040a0a02656ef02e0104030101",
    "02011401000001046e616d6506667269656e64031408040a02656ef02e060a021348692120486f772063616e20492068",
    "656c703f00f02e050a0568756d616ed836060a1421436f6e6e656374696e6720796f7520746f2061206c697665206167",
    "656e74e280a600d836100a14d836120a010000d836150a010102e05d110a03e05d0b0b02656ec03e0301030100140265",
    "6e011401000001046e616d6506667269656e64020702011400070a040b02656ec03e060b021348692120486f77206361",
    "6e20492068656c703f00c03e050b0568756d616ea846060b1421436f6e6e656374696e6720796f7520746f2061206c69",
    "7665206167656e74e280a600a846100b14a846110b01a846120b010000e05d170b01c865060b061c5468616e6b732066",
    "6f72206368617474696e6720776974682075732e00c865070b0707526174652075730e486f772064696420776520646f",
    "3fc8650c0c026672904e020102010014026672011401000001046e616d6506667269656e64031407040c026672904e06",
    "0c021348692120486f772063616e20492068656c703f00904e050c0668756d61696ef855060c1421436f6e6e65637469",
    "6e6720796f7520746f2061206c697665206167656e74e280a600f855100c14f855110c02f855120c010000c8650d0d02",
    "6573b06d000000000001046e616d6506667269656e6400000002040d026573b06d060d021348692120486f772063616e",
    "20492068656c703f00b06d03030304",
);

/// `event_to_bytes` of the events of the first five steps, as the old build wrote them.
const AGENT_EVENTS_V1: [&str; 5] = ["010001e807", "010002d00f", "010102b817", "010003a01f", "010203018827"];

fn run_that_wrote_them() -> Engine {
    let mut engine = Engine::new(workspace("balanced", 1, all_users()), 7);
    run(&mut engine, STEPS);
    engine
}

fn from_hex(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex.bytes().map(|digit| (digit as char).to_digit(16).expect("a hex digit") as u8).collect();
    digits.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect()
}

#[test]
fn a_snapshot_written_by_the_old_build_loads_as_the_state_this_build_reaches() {
    let engine = run_that_wrote_them();
    let loaded = load_state_bytes(&from_hex(SNAPSHOT_V1), engine.workspace()).expect("the old snapshot loads");
    assert_eq!(&loaded, engine.state());
}

#[test]
fn a_state_document_written_by_the_old_build_loads_as_the_state_this_build_reaches() {
    let engine = run_that_wrote_them();
    let loaded = load_state(include_str!("legacy/state-v1.json"), engine.workspace()).expect("the old document loads");
    assert_eq!(&loaded, engine.state());
}

#[test]
fn agent_events_written_by_the_old_build_load_as_the_events_this_build_decides() {
    let mut engine = Engine::new(workspace("balanced", 1, all_users()), 7);
    let mut decided: Vec<Event> = Vec::new();
    for (index, step) in STEPS.lines().take(AGENT_EVENTS_V1.len()).enumerate() {
        let now = Timestamp(1_000 * (index as u64 + 1));
        decided.extend(engine.handle(now, parse(step)).expect("accepted"));
    }
    let loaded: Vec<Event> =
        AGENT_EVENTS_V1.iter().map(|hex| load_event_bytes(&from_hex(hex)).expect("the old event loads")).collect();
    assert_eq!(loaded, decided);
}

#[test]
fn a_stored_chat_whose_status_lacks_what_it_holds_is_refused_not_loaded() {
    let engine = run_that_wrote_them();
    // Chat 10, pending, without its eligibility.
    let text = include_str!("legacy/state-v1.json");
    let at = text.find("\"eligibility\": {").expect("chat 10's eligibility");
    let end = at + text[at..].find("},").expect("its end") + 2;
    let without = format!("{}\"eligibility\": null,{}", &text[..at], &text[end..]);
    assert_eq!(
        load_state(&without, engine.workspace()).unwrap_err().to_string(),
        "at state.chats.10 (line 134, column 7): a chat with the live side needs its eligibility"
    );
    // Chat 13, with the AI agent, made open with agent 1 without an eligibility or how it was
    // assigned. Its record, after the key: id, language, start, then the stage Bot (0), version, no
    // eligibility, no handoff, no assignment; the stage becomes Open (2) with agent 1.
    let hex = SNAPSHOT_V1.replacen("0d0d026573b06d0000000000", "0d0d026573b06d020100000000", 1);
    assert_ne!(hex, SNAPSHOT_V1);
    assert_eq!(
        load_state_bytes(&from_hex(&hex), engine.workspace()).unwrap_err().to_string(),
        "the saved snapshot is damaged"
    );
}
