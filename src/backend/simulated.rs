//! The simulated backend: the domain engine running in the page, every accepted event written
//! through to a journal, the state rebuilt from the journal on load, and other tabs' events
//! caught up from the same journal.
//!
//! A plain type over a `Journal`, tested natively with a journal in memory; the browser's
//! journal lives in browser storage. Deciding must not interleave between tabs: the page calls
//! `handle` under a lock all its tabs share, so "catch up, decide, append" is one step and two
//! claims of one chat end with exactly one assignee.

use std::cell::RefCell;
use std::rc::Rc;

use handoff::{
    Command, Engine, Event, Rejection, Timestamp, Workspace, event_to_bytes, load_event_bytes, load_state_bytes,
};

/// How many events the journal holds before the backend writes a snapshot and drops them.
pub const EVENTS_PER_SNAPSHOT: u64 = 2_000;

/// Where the simulated backend keeps what it accepted: a snapshot of the engine's state and the
/// events accepted since, numbered from 0 without gaps. Each record is bytes in the domain's
/// compact journal encoding (`handoff::journal`), not JSON: that keeps the download small.
pub trait Journal {
    /// The latest snapshot, as the number of the first event after it and the state's bytes.
    fn snapshot(&self) -> Option<(u64, Vec<u8>)>;
    /// The event numbered `number`, as written.
    fn event(&self, number: u64) -> Option<Vec<u8>>;
    /// Writes event `number`; fails when the number is taken (another tab got there first) or
    /// the storage refuses.
    fn append(&mut self, number: u64, event: &[u8]) -> Result<(), JournalError>;
    /// Writes a snapshot taken before event `next`, and drops the events it holds.
    fn write_snapshot(&mut self, next: u64, state: &[u8]) -> Result<(), JournalError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalError {
    /// Another tab wrote an event with this number first.
    Taken { number: u64 },
    /// The browser refused to store it (full, or blocked).
    Refused(String),
}

/// Why the backend could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The engine's answer: the command changes nothing.
    Rejected(Rejection),
    /// The events were decided but could not be stored; the backend went back to what the
    /// journal holds, so nothing half-done remains.
    NotStored(JournalError),
}

/// What the journal held that could not be read: the backend starts from the last readable point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    pub what: String,
    pub error: String,
}

pub struct SimulatedBackend<J: Journal> {
    workspace: Workspace,
    seed: u64,
    engine: Engine,
    /// The number of the next event to read or write.
    next: u64,
    /// The number of the first event after the latest snapshot.
    snapshot_at: u64,
    /// After how many events `handle` writes a snapshot; `None` leaves snapshots to the caller.
    snapshot_every: Option<u64>,
    journal: J,
}

impl<J: Journal> SimulatedBackend<J> {
    /// The backend with the journal's state: its snapshot, then every event after it.
    /// A snapshot or an event that cannot be read stops the replay there and is reported, never
    /// dropped silently; the journal itself is left as it is.
    pub fn open(workspace: Workspace, seed: u64, journal: J) -> (SimulatedBackend<J>, Option<Damaged>) {
        let (engine, snapshot_at, next, damaged) = replay(&workspace, seed, &journal);
        let snapshot_every = Some(EVENTS_PER_SNAPSHOT);
        (SimulatedBackend { workspace, seed, engine, next, snapshot_at, snapshot_every, journal }, damaged)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many events this backend has read or written.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Goes back to exactly what the journal holds, as on opening.
    pub fn reload(&mut self) -> Option<Damaged> {
        let damaged;
        (self.engine, self.snapshot_at, self.next, damaged) = replay(&self.workspace, self.seed, &self.journal);
        damaged
    }

    /// Leaves snapshots to the caller, who stores events elsewhere first (the browser's journal).
    pub fn without_snapshots(mut self) -> Self {
        self.snapshot_every = None;
        self
    }

    /// Applies the events other tabs appended since this one last looked, and returns them.
    pub fn catch_up(&mut self) -> Result<Vec<Event>, Damaged> {
        read_events(&mut self.engine, &self.journal, &mut self.next)
    }

    /// Decides `command` on the latest state and writes its events through to the journal.
    /// Returns the events other tabs had appended first (already applied), then this command's.
    pub fn handle(&mut self, now: Timestamp, command: Command) -> Result<(Vec<Event>, Vec<Event>), Refusal> {
        let earlier = self.catch_up().unwrap_or_default();
        let events = self.engine.handle(now, command).map_err(Refusal::Rejected)?;
        for (offset, event) in events.iter().enumerate() {
            if let Err(error) = self.journal.append(self.next + offset as u64, &event_to_bytes(event)) {
                // Go back to exactly what the journal holds: nothing half-done remains.
                self.reload();
                return Err(Refusal::NotStored(error));
            }
        }
        self.next += events.len() as u64;
        if self.snapshot_every.is_some_and(|every| self.next - self.snapshot_at >= every) {
            let state = handoff::state_to_bytes(self.engine.state());
            // A snapshot that cannot be written leaves the events in place: nothing is lost.
            if self.journal.write_snapshot(self.next, &state).is_ok() {
                self.snapshot_at = self.next;
            }
        }
        Ok((earlier, events))
    }
}

/// The engine the journal describes, where its snapshot ends, where its events end, and what
/// could not be read.
fn replay(workspace: &Workspace, seed: u64, journal: &impl Journal) -> (Engine, u64, u64, Option<Damaged>) {
    let (mut engine, snapshot_at, damaged) = match journal.snapshot() {
        Some((next, bytes)) => match load_state_bytes(&bytes, workspace) {
            Ok(state) => (Engine::from_state(workspace.clone(), state), next, None),
            Err(error) => {
                let damaged = Damaged { what: "the saved snapshot".to_owned(), error: error.to_string() };
                (Engine::new(workspace.clone(), seed), next, Some(damaged))
            }
        },
        None => (Engine::new(workspace.clone(), seed), 0, None),
    };
    let mut next = snapshot_at;
    if damaged.is_some() {
        return (engine, snapshot_at, next, damaged);
    }
    let damaged = read_events(&mut engine, journal, &mut next).err();
    (engine, snapshot_at, next, damaged)
}

/// Applies the journal's events from `next` on, moving `next` past each.
fn read_events(engine: &mut Engine, journal: &impl Journal, next: &mut u64) -> Result<Vec<Event>, Damaged> {
    let mut read = Vec::new();
    while let Some(bytes) = journal.event(*next) {
        let event = load_event_bytes(&bytes)
            .map_err(|error| Damaged { what: format!("saved event {next}"), error: error.to_string() })?;
        // An event decided under another workspace may not fit this one: stop there, reported.
        engine
            .try_apply(&event)
            .map_err(|misfit| Damaged { what: format!("saved event {next}"), error: misfit.to_string() })?;
        read.push(event);
        *next += 1;
    }
    Ok(read)
}

/// A journal in memory. Clones share it, like a browser's tabs share its storage: the tests'
/// journal, and in the page the mirror of the browser's journal that the backend reads.
#[derive(Debug, Clone, Default)]
pub struct MemoryJournal {
    inner: Rc<RefCell<Stored>>,
}

#[derive(Debug, Default)]
struct Stored {
    snapshot: Option<(u64, Vec<u8>)>,
    /// In order of their numbers, each number once. A sorted `Vec` rather than a `BTreeMap`:
    /// events arrive in order, and the map's code added about 2,000 bytes to the download.
    events: Vec<(u64, Vec<u8>)>,
}

impl Stored {
    /// Where event `number` is, or would go.
    fn find(&self, number: u64) -> Result<usize, usize> {
        self.events.binary_search_by_key(&number, |(held, _)| *held)
    }

    /// The index of the first event numbered `from` or more.
    fn start(&self, from: u64) -> usize {
        self.events.partition_point(|(held, _)| *held < from)
    }
}

impl MemoryJournal {
    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.inner.borrow().events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds events read from elsewhere (another tab's, or the browser's journal on opening).
    pub fn extend(&self, events: impl IntoIterator<Item = (u64, Vec<u8>)>) {
        let mut stored = self.inner.borrow_mut();
        for (number, event) in events {
            match stored.find(number) {
                Ok(at) => stored.events[at].1 = event,
                Err(at) => stored.events.insert(at, (number, event)),
            }
        }
    }

    /// Sets the snapshot read from elsewhere, dropping the events it holds.
    pub fn set_snapshot(&self, next: u64, state: Vec<u8>) {
        let mut stored = self.inner.borrow_mut();
        stored.snapshot = Some((next, state));
        let start = stored.start(next);
        stored.events.drain(..start);
    }

    /// The events numbered `from` or more, in order.
    pub fn events_from(&self, from: u64) -> Vec<(u64, Vec<u8>)> {
        let stored = self.inner.borrow();
        stored.events[stored.start(from)..].to_vec()
    }

    /// Forgets the events numbered `from` or more (a write that the browser refused).
    pub fn forget_from(&self, from: u64) {
        let mut stored = self.inner.borrow_mut();
        let start = stored.start(from);
        stored.events.truncate(start);
    }
}

impl Journal for MemoryJournal {
    fn snapshot(&self) -> Option<(u64, Vec<u8>)> {
        self.inner.borrow().snapshot.clone()
    }

    fn event(&self, number: u64) -> Option<Vec<u8>> {
        let stored = self.inner.borrow();
        stored.find(number).ok().map(|at| stored.events[at].1.clone())
    }

    fn append(&mut self, number: u64, event: &[u8]) -> Result<(), JournalError> {
        let mut stored = self.inner.borrow_mut();
        match stored.find(number) {
            Ok(_) => Err(JournalError::Taken { number }),
            Err(at) => {
                stored.events.insert(at, (number, event.to_owned()));
                Ok(())
            }
        }
    }

    fn write_snapshot(&mut self, next: u64, state: &[u8]) -> Result<(), JournalError> {
        self.set_snapshot(next, state.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use handoff::{AgentId, ChatId, Language, starter_workspace};

    use super::*;

    /// A journal that refuses writes once it holds `refuse_after` events, like full storage.
    #[derive(Clone)]
    struct RefusingJournal {
        inner: MemoryJournal,
        refuse_after: Rc<RefCell<Option<usize>>>,
    }

    impl Journal for RefusingJournal {
        fn snapshot(&self) -> Option<(u64, Vec<u8>)> {
            self.inner.snapshot()
        }

        fn event(&self, number: u64) -> Option<Vec<u8>> {
            self.inner.event(number)
        }

        fn append(&mut self, number: u64, event: &[u8]) -> Result<(), JournalError> {
            if self.refuse_after.borrow().is_some_and(|limit| self.inner.len() >= limit) {
                return Err(JournalError::Refused("full".to_owned()));
            }
            self.inner.append(number, event)
        }

        fn write_snapshot(&mut self, next: u64, state: &[u8]) -> Result<(), JournalError> {
            self.inner.write_snapshot(next, state)
        }
    }

    const T: Timestamp = Timestamp(1_000);

    fn tab(journal: &MemoryJournal) -> SimulatedBackend<MemoryJournal> {
        let (backend, damaged) = SimulatedBackend::open(starter_workspace(), 7, journal.clone());
        assert_eq!(damaged, None);
        backend
    }

    /// Two French chats handed off under Voluntary, with Amélie and Noah (Francophone) signed in.
    fn pending_french_chat(backend: &mut SimulatedBackend<MemoryJournal>) -> ChatId {
        let mut assignment = backend.engine().state().assignment;
        assignment.method = handoff::AssignmentMethod::Voluntary;
        let commands = [
            Command::SetAssignment { agent: AgentId(1), assignment },
            Command::SignIn { agent: AgentId(2) },
            Command::SignIn { agent: AgentId(6) },
            Command::StartChat { chat: ChatId(1), language: Language::new("fr") },
            Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() },
        ];
        for command in commands {
            backend.handle(T, command).expect("accepted");
        }
        ChatId(1)
    }

    #[test]
    fn a_reload_rebuilds_exactly_the_state_the_events_made() {
        let journal = MemoryJournal::default();
        let mut first = tab(&journal);
        let chat = pending_french_chat(&mut first);
        assert!(matches!(first.engine().chat(chat).expect("the chat").status, handoff::ChatStatus::Pending { .. }));
        let reloaded = tab(&journal);
        assert_eq!(reloaded.engine().state(), first.engine().state());
        assert_eq!(reloaded.position(), first.position());
    }

    #[test]
    fn two_tabs_claiming_one_chat_end_with_one_assignee() {
        let journal = MemoryJournal::default();
        let mut first = tab(&journal);
        let mut second = tab(&journal);
        let chat = pending_french_chat(&mut first);
        // The second tab has not looked yet; it saw version 1 of the chat, like the first did.
        let seen = first.engine().chat(chat).expect("the chat").version;
        let claim = |agent| Command::Claim { chat, agent: AgentId(agent), seen_version: seen };
        let (_, won) = first.handle(T, claim(2)).expect("the first claim wins");
        assert!(won.iter().any(|event| matches!(event, Event::Assigned { agent: AgentId(2), .. })), "{won:?}");
        let lost = second.handle(T, claim(6));
        assert!(
            matches!(
                lost,
                Err(Refusal::Rejected(Rejection::AlreadyTaken { by: AgentId(2), .. } | Rejection::StaleVersion { .. }))
            ),
            "{lost:?}"
        );
        assert_eq!(second.engine().state(), first.engine().state(), "the second tab caught up before deciding");
    }

    #[test]
    fn the_journal_is_compacted_into_a_snapshot_without_losing_anything() {
        let journal = MemoryJournal::default();
        let mut backend = tab(&journal);
        backend.handle(T, Command::SignIn { agent: AgentId(2) }).expect("accepted");
        let mut chat = 0;
        while journal.snapshot().is_none() {
            chat += 1;
            let start = Command::StartChat { chat: ChatId(chat), language: Language::new("en") };
            backend.handle(Timestamp(u64::from(chat)), start).expect("accepted");
        }
        assert!(journal.len() < 10, "the snapshot replaced the events it holds");
        let reloaded = tab(&journal);
        assert_eq!(reloaded.engine().state(), backend.engine().state());
    }

    #[test]
    fn a_refused_write_leaves_the_backend_as_the_journal_has_it() {
        let journal = RefusingJournal { inner: MemoryJournal::default(), refuse_after: Rc::default() };
        let (mut backend, _) = SimulatedBackend::open(starter_workspace(), 7, journal.clone());
        backend.handle(T, Command::SignIn { agent: AgentId(2) }).expect("accepted");
        let before = backend.engine().state().clone();
        *journal.refuse_after.borrow_mut() = Some(1);
        let refused = backend.handle(T, Command::StartChat { chat: ChatId(1), language: Language::new("en") });
        assert!(matches!(refused, Err(Refusal::NotStored(JournalError::Refused(_)))), "{refused:?}");
        assert_eq!(backend.engine().state(), &before, "nothing half-done remains");
    }

    #[test]
    fn the_memory_journal_keeps_events_in_number_order_like_a_map() {
        let mut journal = MemoryJournal::default();
        journal.extend([(2, vec![2]), (0, vec![0])]);
        journal.append(1, &[1]).expect("a free number");
        assert_eq!(journal.append(1, &[9]), Err(JournalError::Taken { number: 1 }));
        journal.extend([(2, vec![22]), (3, vec![3])]);
        assert_eq!(journal.events_from(1), [(1, vec![1]), (2, vec![22]), (3, vec![3])]);
        journal.set_snapshot(2, vec![7]);
        assert_eq!(journal.events_from(0), [(2, vec![22]), (3, vec![3])], "the snapshot holds the rest");
        assert_eq!(journal.event(1), None);
        journal.forget_from(3);
        assert_eq!(journal.events_from(0), [(2, vec![22])]);
        assert_eq!(journal.snapshot(), Some((2, vec![7])));
    }

    #[test]
    fn a_damaged_event_is_reported_and_the_replay_stops_before_it() {
        let journal = MemoryJournal::default();
        let mut backend = tab(&journal);
        backend.handle(T, Command::SignIn { agent: AgentId(2) }).expect("accepted");
        journal.extend([(1, vec![0xff, 0xff])]);
        let (reloaded, damaged) = SimulatedBackend::open(starter_workspace(), 7, journal.clone());
        let damaged = damaged.expect("the damage is reported");
        assert_eq!(damaged.what, "saved event 1");
        assert_eq!(reloaded.position(), 1);
        assert_eq!(journal.len(), 2, "the journal is left as it is");
    }

    #[test]
    fn events_that_no_longer_fit_an_edited_workspace_are_reported_not_replayed() {
        let journal = MemoryJournal::default();
        let mut backend = tab(&journal);
        let chat = pending_french_chat(&mut backend);
        backend.handle(T, Command::Claim { chat, agent: AgentId(6), seen_version: 1 }).expect("Noah claims");

        // The admin removes Noah; the journal still says he signed in and took the chat.
        let mut without_noah = starter_workspace();
        without_noah.teamspace.agents.retain(|agent| agent.id != AgentId(6));
        let (reopened, damaged) = SimulatedBackend::open(without_noah, 7, journal.clone());
        let damaged = damaged.expect("reported");
        assert_eq!(
            (damaged.what.as_str(), damaged.error.as_str()),
            ("saved event 2", "it names agent 6, who is not in the teamspace")
        );
        assert_eq!(reopened.position(), 2, "the replay stopped before that event");

        // The admin deletes the Human Handoff the chat was handed off by.
        let mut without_handoff = starter_workspace();
        let triggers = &mut without_handoff.ai_agent.workflow.triggers;
        triggers.iter_mut().for_each(|trigger| trigger.actions.retain(|action| action.kind.assign().is_none()));
        let (_, damaged) = SimulatedBackend::open(without_handoff, 7, journal.clone());
        let damaged = damaged.expect("reported");
        assert!(damaged.error.contains("handoff or a team the workspace no longer has"), "{damaged:?}");
    }
}
