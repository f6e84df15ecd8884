//! The journal discipline (`handoff::ledger`) against journals in memory: several writers share
//! one journal, decide one command at a time on what it holds, and whatever a journal refuses,
//! the ledger ends holding exactly what the journal holds.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;

use futures_executor::block_on;
use handoff::ledger::{self, AppendError, Damage, Journal, Ledger, MemoryJournal, Reading, Refusal, Saved, Shared};
use handoff::{
    AgentId, AssignmentMethod, ChatId, ChatStage, ChatStatus, Command, Event, Language, Rejection, Timestamp,
    Workspace, starter_workspace,
};

const T: Timestamp = Timestamp(1_000);

/// A writer (a tab, a server instance) on `journal`, opened on the starter workspace.
fn writer(journal: &impl Journal) -> RefCell<Ledger> {
    opened(starter_workspace(), journal)
}

fn opened(workspace: Workspace, journal: &impl Journal) -> RefCell<Ledger> {
    let (ledger, damaged) = block_on(ledger::open(workspace, 7, journal)).expect("the journal reads");
    assert_eq!(damaged, None);
    RefCell::new(ledger)
}

fn send<J: Journal>(ledger: &RefCell<Ledger>, journal: &J, command: Command) -> Vec<Event> {
    block_on(ledger::handle(ledger, journal, T, command)).expect("accepted").events
}

fn state(ledger: &RefCell<Ledger>) -> handoff::State {
    ledger.with(|ledger| ledger.engine().state().clone())
}

/// A French chat pending under Voluntary, with Amélie (2) and Noah (6), both Francophone, signed in.
fn pending_french_chat<J: Journal>(ledger: &RefCell<Ledger>, journal: &J) -> (ChatId, u32) {
    let mut assignment = ledger.with(|ledger| ledger.engine().state().assignment);
    assignment.method = AssignmentMethod::Voluntary;
    let commands = [
        Command::SetAssignment { agent: AgentId(1), assignment },
        Command::SignIn { agent: AgentId(2) },
        Command::SignIn { agent: AgentId(6) },
        Command::StartChat { chat: ChatId(1), language: Language::new("fr") },
        Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() },
    ];
    for command in commands {
        send(ledger, journal, command);
    }
    let chat = ledger.with(|ledger| ledger.engine().chat(ChatId(1)).cloned()).expect("the chat");
    assert!(matches!(chat.status, ChatStatus::Pending { .. }), "{:?}", chat.status);
    (ChatId(1), chat.version)
}

fn claim(chat: ChatId, agent: u32, seen_version: u32) -> Command {
    Command::Claim { chat, agent: AgentId(agent), seen_version }
}

#[test]
fn a_reopened_ledger_holds_exactly_the_state_the_events_made() {
    let journal = MemoryJournal::default();
    let first = writer(&journal);
    pending_french_chat(&first, &journal);
    let reopened = writer(&journal);
    assert_eq!(state(&reopened), state(&first));
    assert_eq!(reopened.with(|l| l.position()), first.with(|l| l.position()));
    assert_eq!(journal.len() as u64, first.with(|l| l.position()), "every event is in the journal");
}

#[test]
fn a_writer_catches_up_before_deciding_so_a_second_claim_is_told_who_won() {
    let journal = MemoryJournal::default();
    let first = writer(&journal);
    let second = writer(&journal);
    let (chat, seen) = pending_french_chat(&first, &journal);
    let won = send(&first, &journal, claim(chat, 2, seen));
    assert!(won.iter().any(|event| matches!(event, Event::Assigned { agent: AgentId(2), .. })), "{won:?}");

    // The second writer has not looked since it opened; it claims from the same version.
    let lost = block_on(ledger::handle(&second, &journal, T, claim(chat, 6, seen))).map_err(Refusal::from);
    assert!(matches!(lost, Err(Refusal::Rejected(Rejection::AlreadyTaken { by: AgentId(2), .. }))), "{lost:?}");
    assert_eq!(state(&second), state(&first), "the second writer caught up before deciding");
}

/// A journal where another writer slips a command in just before this writer's next append,
/// as two server instances deciding at once would without a shared lock.
struct Racing<'a> {
    inner: MemoryJournal,
    rival: &'a RefCell<Ledger>,
    command: RefCell<Option<Command>>,
}

impl Journal for Racing<'_> {
    type Error = Infallible;

    async fn read(&self, from: u64) -> Result<Reading, Infallible> {
        self.inner.read(from).await
    }

    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<Infallible>> {
        let rival_command = self.command.borrow_mut().take();
        if let Some(command) = rival_command {
            ledger::handle(self.rival, &self.inner, T, command).await.expect("the rival's command");
        }
        self.inner.append(first, events).await
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), Infallible> {
        self.inner.write_snapshot(next, state).await
    }
}

#[test]
fn a_number_another_writer_took_is_refused_and_the_command_decided_again_on_the_newer_state() {
    let journal = MemoryJournal::default();
    let mine = writer(&journal);
    let rival = writer(&journal);
    let (chat, seen) = pending_french_chat(&mine, &journal);
    let racing = Racing { inner: journal.clone(), rival: &rival, command: RefCell::new(Some(claim(chat, 6, seen))) };

    // Both decide the claim on the same state; the rival's events reach the journal first.
    let outcome = block_on(ledger::handle(&mine, &racing, T, claim(chat, 2, seen))).map_err(Refusal::from);
    assert!(
        matches!(outcome, Err(Refusal::Rejected(Rejection::AlreadyTaken { by: AgentId(6), .. }))),
        "the loser is told who won: {outcome:?}"
    );
    assert_eq!(state(&mine), state(&rival), "nothing of the refused batch remains");
    let assignee = mine.with(|l| l.engine().chat(chat).map(|chat| chat.status.stage()));
    assert_eq!(assignee, Some(ChatStage::Open { assignee: AgentId(6) }));
    assert_eq!(state(&writer(&journal)), state(&rival), "the journal holds one claim");

    // A command the rival's does not conflict with is decided again and stored.
    let rival_start = Command::StartChat { chat: ChatId(2), language: Language::new("en") };
    let mut alone = Ledger::new(starter_workspace(), 7);
    let rival_events = {
        let reading = block_on(journal.read(0)).expect("read");
        alone.catch_up(alone.ask().expect("idle"), reading).expect("read");
        alone.decide(T, rival_start.clone()).expect("idle").expect("accepted").events
    };
    let racing = Racing { inner: journal.clone(), rival: &rival, command: RefCell::new(Some(rival_start)) };
    let start_3 = Command::StartChat { chat: ChatId(3), language: Language::new("en") };
    let handled = block_on(ledger::handle(&mine, &racing, T, start_3)).expect("stored on the second attempt");
    assert_eq!(handled.earlier.events, rival_events, "exactly the rival's events are news, once");
    assert!(!handled.earlier.restarted);
    assert_eq!(state(&writer(&journal)), state(&mine));
}

#[test]
fn a_chat_assignment_changed_in_the_settings_is_in_force_after_a_snapshot_written_before() {
    let journal = MemoryJournal::default();
    let (ledger, _) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let ledger = RefCell::new(ledger.with_snapshots_every(5));
    for chat in 1..=6 {
        send(&ledger, &journal, Command::StartChat { chat: ChatId(chat), language: Language::new("en") });
    }
    assert!(block_on(journal.read(0)).expect("read").snapshot.is_some());

    // The admin picks another method and a cap of 5 in the settings; the backend opens again.
    let mut edited = starter_workspace();
    let before = edited.teamspace.assignment;
    handoff::teamspace_edit::set_assignment_method(&mut edited, AssignmentMethod::Voluntary);
    edited.teamspace.assignment.auto_assign_cap = 5;
    assert_ne!(edited.teamspace.assignment, before);
    let (reopened, damaged) = block_on(ledger::open(edited.clone(), 7, &journal)).expect("read");
    assert_eq!(damaged, None);
    assert_eq!(reopened.engine().state().assignment, edited.teamspace.assignment);
}

#[test]
fn a_ledger_that_follows_a_chat_assignment_runs_as_one_built_again_on_the_workspace_that_saves_it() {
    let journal = MemoryJournal::default();
    let (ledger, _) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let ledger = RefCell::new(ledger.with_snapshots_every(3));
    for chat in 1..=4 {
        send(&ledger, &journal, Command::StartChat { chat: ChatId(chat), language: Language::new("en") });
    }
    let mut edited = starter_workspace();
    handoff::teamspace_edit::set_assignment_method(&mut edited, AssignmentMethod::Voluntary);
    edited.teamspace.assignment.auto_assign_cap = 5;
    let assignment = edited.teamspace.assignment;
    send(&ledger, &journal, Command::SetAssignment { agent: AgentId(1), assignment });
    let before = state(&ledger);
    ledger.with(|ledger| ledger.follow_chat_assignment(assignment));
    assert_eq!(state(&ledger), before, "the state holds the change already");
    let rebuilt = opened(edited.clone(), &journal);
    assert_eq!(state(&rebuilt), state(&ledger));
    assert_eq!(ledger.with(|ledger| ledger.engine().workspace().clone()), edited);
    // Its later decisions, and the snapshots they write, are those of one built again.
    for chat in 5..=8 {
        send(&ledger, &journal, Command::StartChat { chat: ChatId(chat), language: Language::new("fr") });
    }
    assert!(block_on(journal.read(0)).expect("read").snapshot.is_some());
    assert_eq!(state(&opened(edited, &journal)), state(&ledger));
}

#[test]
fn a_check_before_deciding_sees_what_other_writers_appended_and_its_refusal_appends_nothing() {
    let journal = MemoryJournal::default();
    let (mine, theirs) = (writer(&journal), writer(&journal));
    send(&theirs, &journal, Command::StartChat { chat: ChatId(1), language: Language::new("en") });
    let no_chat = |engine: &handoff::Engine| {
        engine.chat(ChatId(1)).is_none().then_some(Rejection::UnknownChat { chat: ChatId(1) })
    };
    let message = Command::CustomerMessage { chat: ChatId(1), text: "Hello".to_owned() };
    let handled =
        block_on(ledger::handle_checked(&mine, &journal, T, message, no_chat)).expect("decided after the catch-up");
    assert!(!handled.earlier.events.is_empty(), "the other writer's chat was caught up first");
    let held = journal.len();
    let start = Command::StartChat { chat: ChatId(2), language: Language::new("en") };
    let refused = block_on(ledger::handle_checked(&mine, &journal, T, start, |_| Some(Rejection::EmptyMessage)))
        .map_err(Refusal::from);
    assert!(matches!(refused, Err(Refusal::Rejected(Rejection::EmptyMessage))), "{refused:?}");
    assert_eq!(journal.len(), held, "nothing appended");
    assert_eq!(state(&mine), state(&writer(&journal)));
}

#[test]
fn the_journal_is_folded_into_a_snapshot_without_losing_anything() {
    let journal = MemoryJournal::default();
    let (ledger, _) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let ledger = RefCell::new(ledger.with_snapshots_every(10));
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    for chat in 1..=12 {
        send(&ledger, &journal, Command::StartChat { chat: ChatId(chat), language: Language::new("en") });
    }
    let held = block_on(journal.read(0)).expect("read");
    let (snapshot_at, _) = held.snapshot.expect("a snapshot was written");
    assert!(snapshot_at >= 10, "{snapshot_at}");
    assert!(journal.len() < 10, "the snapshot replaced the events it holds: {} left", journal.len());
    assert_eq!(state(&writer(&journal)), state(&ledger), "a reopened ledger starts from the snapshot");

    // A writer that had read less starts from the snapshot and says its state was rebuilt.
    let behind = RefCell::new(Ledger::new(starter_workspace(), 7));
    let caught_up = block_on(ledger::catch_up(&behind, &journal)).expect("read");
    assert!(caught_up.restarted);
    assert_eq!(state(&behind), state(&ledger));
}

/// A journal that refuses every batch of more than `limit` events, like storage that is full.
struct Refusing {
    inner: MemoryJournal,
    limit: Cell<usize>,
    /// Reads fail too, like a database whose connection dropped.
    unreadable: Cell<bool>,
}

impl Refusing {
    fn new() -> Refusing {
        Refusing { inner: MemoryJournal::default(), limit: Cell::new(usize::MAX), unreadable: Cell::new(false) }
    }
}

impl Journal for Refusing {
    type Error = String;

    async fn read(&self, from: u64) -> Result<Reading, String> {
        if self.unreadable.get() {
            return Err("connection lost".to_owned());
        }
        self.inner.read(from).await.map_err(|never| match never {})
    }

    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<String>> {
        if events.len() > self.limit.get() {
            return Err(AppendError::Storage("full".to_owned()));
        }
        self.inner.append(first, events).await.map_err(|error| match error {
            AppendError::Taken { number } => AppendError::Taken { number },
        })
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), String> {
        self.inner.write_snapshot(next, state).await.map_err(|never| match never {})
    }
}

#[test]
fn a_refused_batch_leaves_nothing_behind_in_the_journal_or_the_ledger() {
    let journal = Refusing::new();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    send(&ledger, &journal, Command::StartChat { chat: ChatId(1), language: Language::new("fr") });
    let before = (state(&ledger), journal.inner.len());

    // Asking for a human is several events (the message, the AI's answer, the handoff): the
    // batch is refused whole.
    journal.limit.set(1);
    let ask = || Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() };
    let refused = block_on(ledger::handle(&ledger, &journal, T, ask())).map_err(Refusal::from);
    assert_eq!(refused, Err(Refusal::NotStored(AppendError::Storage("full".to_owned()))));
    assert_eq!((state(&ledger), journal.inner.len()), before, "nothing half-done remains");
    assert_eq!(state(&writer(&journal)), before.0, "a reload finds nothing of it either");

    journal.limit.set(usize::MAX);
    let events = send(&ledger, &journal, ask());
    assert!(events.len() > 1, "{events:?}");
    assert!(events.iter().any(|event| matches!(event, Event::HandedOff { .. })), "the same message goes through later");
}

#[test]
fn a_refused_batch_that_cannot_be_read_back_leaves_the_ledger_stale_and_no_gap_in_the_journal() {
    let journal = Refusing::new();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });

    // The store goes away between the decision and the append, and stays away for the re-read.
    journal.limit.set(0);
    journal.unreadable.set(true);
    let refused =
        block_on(ledger::handle(&ledger, &journal, T, Command::SignIn { agent: AgentId(6) })).map_err(Refusal::from);
    assert_eq!(refused, Err(Refusal::Unread("connection lost".to_owned())));

    // Back again: the next command rebuilds from the journal first and goes right after event 0.
    journal.limit.set(usize::MAX);
    journal.unreadable.set(false);
    let handled =
        block_on(ledger::handle(&ledger, &journal, T, Command::SignIn { agent: AgentId(3) })).expect("stored");
    assert_eq!(handled.first, 1, "appended where the journal ends, not after the refused events");
    let (reopened, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    assert_eq!(damaged, None, "no gap");
    assert_eq!(reopened.engine().state(), &state(&ledger));
    assert!(
        reopened.engine().agent(AgentId(6)).is_some_and(|agent| !agent.status.is_signed_in()),
        "the refused sign-in never happened"
    );
}

/// A journal whose appends never finish: a server's request whose client went away mid-write.
struct Hanging(MemoryJournal);

impl Journal for Hanging {
    type Error = Infallible;

    async fn read(&self, from: u64) -> Result<Reading, Infallible> {
        self.0.read(from).await
    }

    async fn append(&self, _first: u64, _events: &[Vec<u8>]) -> Result<(), AppendError<Infallible>> {
        std::future::pending().await
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), Infallible> {
        self.0.write_snapshot(next, state).await
    }
}

#[test]
fn a_command_abandoned_mid_append_leaves_nothing_that_the_journal_does_not_hold() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let journal = MemoryJournal::default();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    let hanging = Hanging(journal.clone());
    {
        let mut abandoned = std::pin::pin!(ledger::handle(&ledger, &hanging, T, Command::SignIn { agent: AgentId(6) }));
        let polled = abandoned.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert!(matches!(polled, Poll::Pending));
        // While the append is on its way, nothing else is decided on top of it.
        let busy = block_on(ledger::handle(&ledger, &journal, T, Command::SignIn { agent: AgentId(3) }))
            .map_err(Refusal::from);
        assert_eq!(busy, Err(Refusal::Busy));
    }
    let handled =
        block_on(ledger::handle(&ledger, &journal, T, Command::SignIn { agent: AgentId(3) })).expect("stored");
    assert_eq!(handled.first, 1);
    let (reopened, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    assert_eq!(damaged, None);
    assert_eq!(reopened.engine().state(), &state(&ledger), "the abandoned sign-in is gone from the ledger too");
}

#[test]
fn a_damaged_event_is_reported_the_replay_stops_before_it_and_nothing_is_decided_after_it() {
    let journal = MemoryJournal::default();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    journal.overwrite(1, vec![0xff, 0xff]);
    let (reopened, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let damaged = damaged.expect("the damage is reported");
    assert_eq!(damaged.at, Saved::Event(1));
    assert!(matches!(damaged.why, Damage::Unreadable(_)), "{damaged:?}");
    assert_eq!(damaged.to_string(), "event 1: the saved event has journal version 255, not 1");
    assert_eq!(reopened.position(), 1, "what came before it is read");

    // Deciding after it would write over what cannot be read: refused, the journal untouched.
    let reopened = RefCell::new(reopened);
    let refused =
        block_on(ledger::handle(&reopened, &journal, T, Command::SignIn { agent: AgentId(6) })).map_err(Refusal::from);
    assert!(matches!(refused, Err(Refusal::Damaged(ref d)) if d.at == Saved::Event(1)), "{refused:?}");
    assert_eq!(journal.len(), 2, "the journal is left as it is");
}

#[test]
fn a_missing_event_is_reported_where_the_gap_is() {
    let journal = MemoryJournal::default();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    send(&ledger, &journal, Command::SignIn { agent: AgentId(6) });
    send(&ledger, &journal, Command::SignOut { agent: AgentId(6) });
    journal.remove(1);
    let (reopened, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let damaged = damaged.expect("reported");
    assert_eq!((damaged.at, damaged.why.clone()), (Saved::Event(1), Damage::Missing));
    assert_eq!(damaged.to_string(), "saved event 1: it is missing, and later events are there");
    assert_eq!(reopened.position(), 1);
}

#[test]
fn an_unreadable_snapshot_is_reported_and_nothing_is_decided_after_it() {
    let journal = MemoryJournal::default();
    block_on(journal.write_snapshot(5, &[0xff])).expect("written");
    let (ledger, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let damaged = damaged.expect("reported");
    assert_eq!(damaged.at, Saved::Snapshot);
    assert_eq!(damaged.to_string(), "the saved snapshot has journal version 255, not 1");
    assert_eq!(ledger.position(), 0, "nothing after it is read");
    let ledger = RefCell::new(ledger);
    let refused =
        block_on(ledger::handle(&ledger, &journal, T, Command::SignIn { agent: AgentId(2) })).map_err(Refusal::from);
    assert!(matches!(refused, Err(Refusal::Damaged(ref damaged)) if damaged.at == Saved::Snapshot), "{refused:?}");
    assert!(journal.is_empty(), "the journal is left as it is");
}

#[test]
fn a_reading_asked_for_before_a_refused_write_or_during_a_decision_is_not_applied() {
    let journal = MemoryJournal::default();
    let other = writer(&journal);
    send(&other, &journal, Command::SignIn { agent: AgentId(2) });
    let mut ledger = Ledger::new(starter_workspace(), 7);
    let ask = ledger.ask().expect("idle");
    let reading = block_on(journal.read(ask.from)).expect("read");

    // A decision is on its way: no reading lands on its events, and nothing else is asked.
    let decision = ledger.decide(T, Command::SignIn { agent: AgentId(6) }).expect("idle").expect("accepted");
    assert_eq!(ledger.ask(), None);
    assert_eq!(ledger.catch_up(ask, reading.clone()), Ok(None));
    // The journal refused it (event 0 is the other writer's): the old reading is stale too.
    assert_eq!(decision.first, 0);
    ledger.settle(false);
    assert_eq!(ledger.catch_up(ask, reading), Ok(None), "asked before the refusal");
    let ask = ledger.ask().expect("idle");
    assert_eq!(ask.from, 0, "a stale ledger reads everything again");
    let caught_up = ledger.catch_up(ask, block_on(journal.read(0)).expect("read")).expect("read").expect("applied");
    assert!(caught_up.restarted);
    assert_eq!(ledger.engine().state(), &state(&other), "exactly the journal's events, the refused one gone");
}

#[test]
fn events_that_no_longer_fit_an_edited_workspace_are_reported_not_replayed() {
    let journal = MemoryJournal::default();
    let ledger = writer(&journal);
    let (chat, seen) = pending_french_chat(&ledger, &journal);
    send(&ledger, &journal, claim(chat, 6, seen));

    // The admin removes Noah; the journal still says he signed in and took the chat.
    let mut without_noah = starter_workspace();
    without_noah.teamspace.agents.retain(|agent| agent.id != AgentId(6));
    let (reopened, damaged) = block_on(ledger::open(without_noah, 7, &journal)).expect("read");
    let damaged = damaged.expect("reported");
    assert_eq!(damaged.to_string(), "saved event 2: it names agent 6, who is not in the teamspace");
    assert_eq!(reopened.position(), 2, "the replay stopped before that event");

    // The admin deletes the Human Handoff the chat was handed off by.
    let mut without_handoff = starter_workspace();
    let triggers = &mut without_handoff.ai_agent.workflow.triggers;
    triggers.iter_mut().for_each(|trigger| trigger.actions.retain(|action| action.kind.assign().is_none()));
    let (_, damaged) = block_on(ledger::open(without_handoff, 7, &journal)).expect("read");
    let damaged = damaged.expect("reported");
    assert!(matches!(damaged.why, Damage::Misfit(handoff::Misfit::Queue)), "{damaged:?}");
}

#[test]
fn the_memory_journal_appends_batches_all_or_none_in_number_order() {
    let journal = MemoryJournal::default();
    block_on(journal.append(0, &[vec![0], vec![1]])).expect("free numbers");
    assert_eq!(block_on(journal.append(1, &[vec![9], vec![9]])), Err(AppendError::Taken { number: 1 }));
    block_on(journal.append(2, &[vec![2], vec![3]])).expect("free numbers");
    let events = |from| block_on(journal.read(from)).expect("read").events;
    assert_eq!(events(1), [(1, vec![1]), (2, vec![2]), (3, vec![3])], "nothing of the refused batch");
    block_on(journal.write_snapshot(2, &[7])).expect("written");
    assert_eq!(
        block_on(journal.read(0)).expect("read"),
        Reading { snapshot: Some((2, vec![7])), events: vec![(2, vec![2]), (3, vec![3])] }
    );
    assert_eq!(block_on(journal.read(2)).expect("read").snapshot, None, "a snapshot is read only when it holds more");
    assert_eq!(block_on(journal.append(1, &[vec![9]])), Err(AppendError::Taken { number: 1 }), "held by the snapshot");
}

/// A journal that holds nothing and takes everything, and is `Send`, as a server's SQL one is.
struct Forgetful;

impl Journal for Forgetful {
    type Error = Infallible;

    async fn read(&self, _from: u64) -> Result<Reading, Infallible> {
        Ok(Reading::default())
    }

    async fn append(&self, _first: u64, _events: &[Vec<u8>]) -> Result<(), AppendError<Infallible>> {
        Ok(())
    }

    async fn write_snapshot(&self, _next: u64, _state: &[u8]) -> Result<(), Infallible> {
        Ok(())
    }
}

#[test]
fn a_server_can_run_the_drivers_on_a_thread_pool() {
    fn on_any_thread<T: Send>(future: T) -> T {
        future
    }
    let ledger = std::sync::Mutex::new(Ledger::new(starter_workspace(), 7));
    let handled =
        block_on(on_any_thread(ledger::handle(&ledger, &Forgetful, T, Command::SignIn { agent: AgentId(2) })));
    assert_eq!(handled.map(|handled| handled.events.len()), Ok(1));
    block_on(on_any_thread(ledger::catch_up(&ledger, &Forgetful))).expect("read");
    block_on(on_any_thread(ledger::open(starter_workspace(), 7, &Forgetful))).expect("read");
}

#[test]
fn a_refused_command_carries_what_it_caught_up_from_another_writer() {
    let journal = Refusing::new();
    let mine = writer(&journal);
    let other = writer(&journal);
    let signed_in = send(&other, &journal, Command::SignIn { agent: AgentId(3) });

    // Rejected by the engine after catching up: the other writer's events come back all the same.
    let unknown = Command::Close { chat: ChatId(99), agent: AgentId(1) };
    let refused = block_on(ledger::handle(&mine, &journal, T, unknown)).expect_err("no such chat");
    assert!(matches!(refused.refusal, Refusal::Rejected(_)), "{refused:?}");
    assert_eq!(refused.earlier.events, signed_in);
    assert_eq!(refused.earlier.end(), journal.inner.len() as u64);

    // Decided after catching up, but not stored: likewise, and only the other writer's.
    let signed_in = send(&other, &journal, Command::SignIn { agent: AgentId(4) });
    journal.limit.set(0);
    let refused = block_on(ledger::handle(&mine, &journal, T, Command::SignIn { agent: AgentId(6) }))
        .expect_err("the store is full");
    assert_eq!(refused.refusal, Refusal::NotStored(AppendError::Storage("full".to_owned())));
    assert_eq!(refused.earlier.events, signed_in);
    assert!(!refused.earlier.restarted, "the rebuild read again only what the ledger had");
    assert_eq!(state(&mine), state(&other));
}
