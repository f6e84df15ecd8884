//! The simulated backend's browser journal: IndexedDB and the Web Lock the tabs share.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::join;
use gloo_timers::future::TimeoutFuture;
use handoff::ledger::{AppendError, Journal, Reading};
use handoff_studio::backend::indexed_db::{IndexedDbJournal, Record, with_lock};
use wasm_bindgen_test::wasm_bindgen_test;

/// A database of its own for each test, so runs never see each other's events.
async fn fresh(name: &str) -> IndexedDbJournal {
    let name = format!("handoff-test-{name}-{}", js_sys::Date::now());
    IndexedDbJournal::open(&name).await.expect("the browser opens a database")
}

/// Records as the journal stores them are bytes; these tests write readable ones.
fn records(texts: &[&str]) -> Vec<Vec<u8>> {
    texts.iter().map(|text| text.as_bytes().to_vec()).collect()
}

fn texts(events: &[(u64, Record)]) -> Vec<(u64, &str)> {
    events.iter().map(|(number, record)| (*number, std::str::from_utf8(&record.0).expect("written as text"))).collect()
}

#[wasm_bindgen_test]
async fn events_are_kept_in_order_and_a_taken_number_refuses_the_whole_write() {
    let journal = fresh("events").await;
    assert_eq!(journal.snapshot().await, Ok(None));
    assert_eq!(journal.events_from(0).await, Ok(Vec::new()));
    journal.append(0, &records(&["a", "b"])).await.expect("written");
    journal.append(2, &records(&["c"])).await.expect("written");
    assert_eq!(texts(&journal.events_from(0).await.unwrap()), [(0, "a"), (1, "b"), (2, "c")]);
    assert_eq!(texts(&journal.events_from(2).await.unwrap()), [(2, "c")]);

    // Another tab wrote event 3 first: this tab's 3 and 4 are refused together.
    journal.append(3, &records(&["other tab"])).await.expect("written");
    let refused = journal.append(3, &records(&["mine", "mine too"])).await;
    assert_eq!(refused, Err(AppendError::Taken { number: 3 }));
    assert_eq!(texts(&journal.events_from(3).await.unwrap()), [(3, "other tab")], "nothing of the refused write");
}

#[wasm_bindgen_test]
async fn a_snapshot_replaces_the_events_it_holds() {
    let journal = fresh("snapshot").await;
    let events: Vec<Vec<u8>> = (0..5).map(|number| format!("event {number}").into_bytes()).collect();
    journal.append(0, &events).await.expect("written");
    journal.write_snapshot(3, &[1, 0, 255]).await.expect("written");
    assert_eq!(journal.snapshot().await, Ok(Some((3, Record(vec![1, 0, 255])))));
    assert_eq!(Record(vec![1, 0, 255]).to_string(), "0100ff", "a download shows every byte");
    assert_eq!(texts(&journal.events_from(0).await.unwrap()), [(3, "event 3"), (4, "event 4")]);

    // What the journal discipline reads: the snapshot only when it holds events not yet read,
    // and the events after it, in one transaction.
    let after_snapshot = vec![(3, b"event 3".to_vec()), (4, b"event 4".to_vec())];
    let from_1 = Reading { snapshot: Some((3, vec![1, 0, 255])), events: after_snapshot.clone() };
    assert_eq!(journal.read(1).await, Ok(from_1));
    assert_eq!(journal.read(3).await, Ok(Reading { snapshot: None, events: after_snapshot }));

    // A second connection (another tab) reads the same.
    let again = journal.clone();
    assert_eq!(again.snapshot().await.unwrap().map(|(next, _)| next), Some(3));
}

#[wasm_bindgen_test]
async fn work_under_the_lock_never_overlaps() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let step = |log: &Rc<RefCell<Vec<String>>>, who: &'static str| {
        let log = Rc::clone(log);
        async move {
            log.borrow_mut().push(format!("{who} starts"));
            // Give the other one every chance to run in between: a timer lets the browser's
            // event loop turn. (Not Leptos's `tick`: these tests mount no app, so Leptos's
            // executor may not be set up.)
            for _ in 0..5 {
                TimeoutFuture::new(0).await;
            }
            log.borrow_mut().push(format!("{who} ends"));
            who
        }
    };
    let first = with_lock("handoff-test-lock", step(&log, "first"));
    let second = with_lock("handoff-test-lock", step(&log, "second"));
    let (first, second) = join(first, second).await;
    assert_eq!((first, second), (Ok("first"), Ok("second")));
    // Whichever asked first, the other starts only after it ended.
    let log = log.borrow();
    let who = |line: &str| line.split(' ').next().unwrap_or_default().to_owned();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(who(&log[1]), who(&log[0]), "{log:?}");
    assert!(log[0].ends_with("starts") && log[1].ends_with("ends") && log[2].ends_with("starts"), "{log:?}");
    assert_ne!(who(&log[0]), who(&log[2]), "{log:?}");
}

mod backend {
    use handoff::{AgentId, AssignmentMethod, ChatId, ChatStatus, Command, Event, Language, Rejection, Timestamp};
    use handoff_studio::backend::Refusal;
    use handoff_studio::backend::browser::BrowserBackend;

    use futures::future::join;

    const T: Timestamp = Timestamp(1_000);

    async fn tab(name: &str) -> std::rc::Rc<BrowserBackend> {
        let (backend, damaged) =
            BrowserBackend::open(handoff::starter_workspace(), 7, name).await.expect("the backend opens");
        assert_eq!(damaged, None);
        backend
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    async fn two_tabs_claiming_one_chat_at_once_end_with_one_assignee_and_a_reload_keeps_it() {
        let name = format!("handoff-test-tabs-{}", js_sys::Date::now());
        let first = tab(&name).await;
        let second = tab(&name).await;
        let mut assignment = first.with_engine(|engine| engine.state().assignment);
        assignment.method = AssignmentMethod::Voluntary;
        let setup = [
            Command::SetAssignment { agent: AgentId(1), assignment },
            Command::SignIn { agent: AgentId(2) },
            Command::SignIn { agent: AgentId(6) },
            Command::StartChat { chat: ChatId(1), language: Language::new("fr") },
            Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() },
        ];
        for command in setup {
            first.send(T, command).await.expect("accepted");
        }
        second.refresh().await.expect("the second tab reads the first's events");
        let seen = second.with_engine(|engine| engine.chat(ChatId(1)).map(|chat| chat.version)).expect("the chat");
        assert!(second.with_engine(|engine| matches!(
            engine.chat(ChatId(1)).map(|chat| &chat.status),
            Some(ChatStatus::Pending { .. })
        )));

        // Both tabs claim at once, each from what it saw.
        let claim = move |agent| Command::Claim { chat: ChatId(1), agent: AgentId(agent), seen_version: seen };
        let (a, b) = (std::rc::Rc::clone(&first), std::rc::Rc::clone(&second));
        let (one, other) =
            join(async move { a.send(T, claim(2)).await }, async move { b.send(T, claim(6)).await }).await;
        let won = [&one, &other].iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(won, 1, "exactly one claim wins: {one:?} / {other:?}");
        let lost = [one.clone(), other.clone()].into_iter().find_map(Result::err).expect("one refusal");
        assert!(
            matches!(lost, Refusal::Rejected(Rejection::AlreadyTaken { .. } | Rejection::StaleVersion { .. })),
            "the other says it was taken: {lost:?}"
        );
        let winner = [one, other].into_iter().find_map(Result::ok).expect("one win");
        assert!(winner.iter().any(|event| matches!(event, Event::Assigned { .. })), "{winner:?}");

        // Both tabs, and a reload, agree on the one assignee.
        first.refresh().await.expect("read");
        second.refresh().await.expect("read");
        let state = first.with_engine(|engine| engine.state().clone());
        assert_eq!(second.with_engine(|engine| engine.state().clone()), state);
        let reloaded = tab(&name).await;
        assert_eq!(reloaded.with_engine(|engine| engine.state().clone()), state, "a reload loses nothing");
    }
}

mod serving {
    use handoff::{AgentId, AssignmentMethod, ChatId, ChatStage, Command, Language, Timestamp, Workspace};
    use handoff_studio::backend::browser::BrowserBackend;

    fn with_cap(cap: u32) -> Workspace {
        let mut workspace = handoff::starter_workspace();
        workspace.teamspace.assignment.method = AssignmentMethod::RoundRobin;
        workspace.teamspace.assignment.auto_assign_cap = cap;
        workspace
    }

    /// A cap raised in the settings opens the backend again on the edited workspace: the chat
    /// that waited at the old cap goes to the agent with room then, not at the next sign-in.
    #[wasm_bindgen_test::wasm_bindgen_test]
    async fn a_backend_opened_on_a_raised_cap_serves_the_chats_that_waited() {
        let name = format!("handoff-test-serving-{}", js_sys::Date::now());
        let (before, _) = BrowserBackend::open(with_cap(1), 7, &name).await.expect("opens");
        let t = Timestamp(1_000);
        before.send(t, Command::SignIn { agent: AgentId(2) }).await.expect("accepted");
        for chat in [1, 2] {
            before.send(t, Command::StartChat { chat: ChatId(chat), language: Language::new("fr") }).await.expect("ok");
            let text = "Je veux parler à un humain".to_owned();
            before.send(t, Command::CustomerMessage { chat: ChatId(chat), text }).await.expect("accepted");
        }
        let stage =
            |backend: &BrowserBackend| backend.with_engine(|engine| engine.chat(ChatId(2)).map(|c| c.status.stage()));
        assert!(matches!(stage(&before), Some(ChatStage::Pending { .. })), "at the cap of 1");

        let (after, damaged) = BrowserBackend::open(with_cap(2), 7, &name).await.expect("opens");
        assert_eq!(damaged, None);
        assert_eq!(stage(&after), Some(ChatStage::Open { assignee: AgentId(2) }));
        let (reopened, _) = BrowserBackend::open(with_cap(2), 7, &name).await.expect("opens");
        assert_eq!(stage(&reopened), Some(ChatStage::Open { assignee: AgentId(2) }), "stored, not only shown");
    }
}
