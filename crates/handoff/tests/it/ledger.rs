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
    let lost = block_on(ledger::handle(&second, &journal, T, claim(chat, 6, seen)));
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
    let outcome = block_on(ledger::handle(&mine, &racing, T, claim(chat, 2, seen)));
    assert!(
        matches!(outcome, Err(Refusal::Rejected(Rejection::AlreadyTaken { by: AgentId(6), .. }))),
        "the loser is told who won: {outcome:?}"
    );
    assert_eq!(state(&mine), state(&rival), "nothing of the refused batch remains");
    let assignee = mine.with(|l| l.engine().chat(chat).map(|chat| chat.status.stage()));
    assert_eq!(assignee, Some(ChatStage::Open { assignee: AgentId(6) }));
    assert_eq!(state(&writer(&journal)), state(&rival), "the journal holds one claim");

    // A command the rival's does not conflict with is decided again and stored.
    let racing = Racing {
        inner: journal.clone(),
        rival: &rival,
        command: RefCell::new(Some(Command::StartChat { chat: ChatId(2), language: Language::new("en") })),
    };
    let handled = block_on(ledger::handle(
        &mine,
        &racing,
        T,
        Command::StartChat { chat: ChatId(3), language: Language::new("en") },
    ))
    .expect("stored on the second attempt");
    assert!(handled.earlier.events.iter().any(|event| matches!(event, Event::ChatStarted { chat: ChatId(2), .. })));
    assert_eq!(state(&writer(&journal)), state(&mine));
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
}

impl Journal for Refusing {
    type Error = String;

    async fn read(&self, from: u64) -> Result<Reading, String> {
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
    let journal = Refusing { inner: MemoryJournal::default(), limit: Cell::new(usize::MAX) };
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    send(&ledger, &journal, Command::StartChat { chat: ChatId(1), language: Language::new("fr") });
    let before = (state(&ledger), journal.inner.len());

    // Asking for a human is several events (the message, the AI's answer, the handoff): the
    // batch is refused whole.
    journal.limit.set(1);
    let ask = || Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() };
    let refused = block_on(ledger::handle(&ledger, &journal, T, ask()));
    assert_eq!(refused, Err(Refusal::NotStored(AppendError::Storage("full".to_owned()))));
    assert_eq!((state(&ledger), journal.inner.len()), before, "nothing half-done remains");
    assert_eq!(state(&writer(&journal)), before.0, "a reload finds nothing of it either");

    journal.limit.set(usize::MAX);
    let events = send(&ledger, &journal, ask());
    assert!(events.len() > 1, "{events:?}");
    assert!(events.iter().any(|event| matches!(event, Event::HandedOff { .. })), "the same message goes through later");
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
    assert!(damaged.to_string().starts_with("saved event 1: "), "{damaged}");
    assert_eq!(reopened.position(), 1, "what came before it is read");

    // Deciding after it would write over what cannot be read: refused, the journal untouched.
    let reopened = RefCell::new(reopened);
    let refused = block_on(ledger::handle(&reopened, &journal, T, Command::SignIn { agent: AgentId(6) }));
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
fn an_unreadable_snapshot_is_reported_and_the_ledger_carries_on_after_it() {
    let journal = MemoryJournal::default();
    block_on(journal.write_snapshot(5, &[0xff])).expect("written");
    let (ledger, damaged) = block_on(ledger::open(starter_workspace(), 7, &journal)).expect("read");
    let damaged = damaged.expect("reported");
    assert_eq!(damaged.at, Saved::Snapshot);
    assert!(damaged.to_string().starts_with("the saved snapshot: "), "{damaged}");
    assert_eq!(ledger.position(), 5, "new events go after it, not over the events it replaced");
    let ledger = RefCell::new(ledger);
    let events = send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    assert_eq!(events.len(), 1);
    assert_eq!(block_on(journal.read(5)).expect("read").events.first().map(|(number, _)| *number), Some(5));
}

#[test]
fn a_reading_asked_for_before_the_state_was_rebuilt_is_dropped() {
    let journal = MemoryJournal::default();
    let ledger = writer(&journal);
    send(&ledger, &journal, Command::SignIn { agent: AgentId(2) });
    let mut behind = Ledger::new(starter_workspace(), 7);
    let ask = behind.ask();
    let reading = block_on(journal.read(ask.from)).expect("read");
    // Meanwhile the ledger was rebuilt (a refused write, a snapshot from another writer).
    behind.restart();
    behind.catch_up(behind.ask(), block_on(journal.read(0)).expect("read")).expect("read");
    let position = behind.position();
    let stale = behind.catch_up(ask, reading).expect("no damage");
    assert_eq!((stale.events.len(), behind.position()), (0, position), "nothing applied twice");
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
