//! Demo data: seeded, reproducible traffic with chats in every state an inbox shows.

use std::collections::BTreeMap;

use handoff::demo::load_demo;
use handoff::{ChatStatus, starter_workspace};

/// How many chats are in each status, and in each language.
fn census(engine: &handoff::Engine) -> (BTreeMap<&'static str, usize>, BTreeMap<String, usize>) {
    let mut statuses = BTreeMap::new();
    let mut languages = BTreeMap::new();
    for chat in engine.state().chats.values() {
        let status = match chat.status {
            ChatStatus::Bot => "bot",
            ChatStatus::Pending { .. } => "pending",
            ChatStatus::Open { .. } => "open",
            ChatStatus::Closed { .. } => "closed",
        };
        *statuses.entry(status).or_insert(0) += 1;
        *languages.entry(chat.language.0.clone()).or_insert(0) += 1;
    }
    (statuses, languages)
}

#[test]
fn the_same_seed_gives_the_same_demo_and_another_seed_another() {
    let workspace = starter_workspace();
    let first = load_demo(&workspace, 42, 300);
    assert_eq!(first.state(), load_demo(&workspace, 42, 300).state());
    assert_ne!(first.state(), load_demo(&workspace, 43, 300).state());
}

#[test]
fn the_demo_has_chats_in_every_state_an_inbox_shows_and_every_language() {
    let engine = load_demo(&starter_workspace(), 7, 2_000);
    let (statuses, languages) = census(&engine);
    assert_eq!(statuses.values().sum::<usize>(), 2_000, "{statuses:?}");
    let handed_off = 2_000 - statuses.get("bot").copied().unwrap_or(0);
    assert!((1_200..=1_600).contains(&handed_off), "about seven in ten ask for a person: {statuses:?}");
    assert!(statuses.get("pending").copied().unwrap_or(0) > 1_000, "six agents cannot take them all: {statuses:?}");
    assert!(statuses.get("open").copied().unwrap_or(0) >= 5, "{statuses:?}");
    let closed = engine
        .state()
        .chats
        .values()
        .filter(|chat| chat.transcript.iter().any(|event| matches!(event, handoff::Event::ChatClosed { .. })))
        .count();
    assert!(closed > 0, "some chats were closed and handed back");
    assert_eq!(languages.keys().cloned().collect::<Vec<_>>(), ["en", "es", "fr"]);
    assert!(languages["en"] > languages["fr"] && languages["en"] > languages["es"], "the default language leads");
}
