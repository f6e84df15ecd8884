//! The journal discipline: one engine kept in step with a journal that several writers share
//! (the browser's tabs; later the server's instances). A writer catches up with what the
//! journal holds, decides on that state, and appends the command's events as one batch under
//! the next numbers; a number another writer took first refuses the whole batch.
//!
//! Two halves, so that every store does only its IO:
//! - `Ledger` is the discipline without IO: the engine, where it stands in the journal, when a
//!   snapshot is due. It is given what the journal holds (`Reading`) and says what to write.
//! - `Journal` is the IO a store does (IndexedDB in the browser, SQL on the server): read from
//!   an event number on, append a batch all or none, write a snapshot.
//!
//! `open`, `catch_up` and `handle` drive one with the other. They reach the ledger only between
//! awaits (through `Shared`), so a page can read the engine while a write is on its way (and
//! sees the decision's events before they are stored); a server that must show no reader such
//! events holds its lock for the whole decision and hands the drivers the ledger it borrowed.
//! Writers decide one at a time under a lock they share (the browser's Web Lock, a database
//! lock): the journal's refusal of a taken number is the safety net, not the mechanism. A
//! writer that meets it reloads and decides again on the newer state, so a lost claim is told
//! who won.

use std::cell::RefCell;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use crate::document::DocumentError;
use crate::engine::{Engine, Misfit};
use crate::ids::Timestamp;
use crate::journal::{event_to_bytes, load_event_bytes, load_state_bytes, state_to_bytes};
use crate::protocol::{Command, Event, Rejection};
use crate::workspace::{ChatAssignment, Workspace};

/// How many events a journal holds before the ledger asks for a snapshot that replaces them.
pub const EVENTS_PER_SNAPSHOT: u64 = 2_000;

/// How many times `handle` decides a command when other writers keep taking its numbers.
const ATTEMPTS: usize = 3;

/// What a journal holds from some event number on. Records are the bytes of
/// `journal::event_to_bytes` and `journal::state_to_bytes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// The latest snapshot, when it ends after the number asked for: the number of the first
    /// event after it, and the state's bytes.
    pub snapshot: Option<(u64, Vec<u8>)>,
    /// The events from the number asked for (or from the snapshot's end, when later), in order.
    pub events: Vec<(u64, Vec<u8>)>,
}

/// Why a journal did not append a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendError<E> {
    /// Another writer appended an event with this number first; nothing of the batch was written.
    Taken { number: u64 },
    /// The store refused; nothing of the batch was written.
    Storage(E),
}

/// A store of events, numbered from 0 without gaps, and of the latest snapshot.
///
/// Its futures are not required to be `Send`: the browser's are not. A server that needs `Send`
/// futures calls the drivers with its concrete journal, whose futures are `Send` if their
/// parts are.
#[allow(async_fn_in_trait)]
pub trait Journal {
    /// What went wrong in the store, as the store says it.
    type Error: fmt::Debug + fmt::Display;

    /// What the journal holds from event `from` on, read at one moment (one transaction): the
    /// snapshot when it ends after `from`, and the events numbered `from` or more (those the
    /// snapshot holds may be left out).
    async fn read(&self, from: u64) -> Result<Reading, Self::Error>;

    /// Writes `events` numbered from `first`, all or none.
    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<Self::Error>>;

    /// Writes a snapshot taken before event `next`; the journal may drop the events it holds.
    /// Written by the writer holding the writers' lock, just after an append, so it is never
    /// older than the snapshot it replaces.
    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), Self::Error>;
}

/// A record of the journal that could not be read: the ledger carries on from the last point it
/// could read, and the journal is left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    pub at: Saved,
    pub why: Damage,
}

/// Which record of a journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Snapshot,
    Event(u64),
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Its bytes are not a record of this version.
    Unreadable(DocumentError),
    /// It was decided under another workspace (an admin's edit since), or in another journal.
    Misfit(Misfit),
    /// The journal skips it: a later event is there, this one is not.
    Missing,
}

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An unreadable record's error names the record already ("the saved snapshot is damaged").
        match (self.at, &self.why) {
            (Saved::Snapshot, Damage::Unreadable(error)) => write!(f, "{error}"),
            (Saved::Event(number), Damage::Unreadable(error)) => write!(f, "event {number}: {error}"),
            (Saved::Snapshot, Damage::Misfit(misfit)) => write!(f, "the saved snapshot: {misfit}"),
            (Saved::Event(number), Damage::Misfit(misfit)) => write!(f, "saved event {number}: {misfit}"),
            (Saved::Snapshot, Damage::Missing) => f.write_str("the saved snapshot is missing"),
            (Saved::Event(number), Damage::Missing) => {
                write!(f, "saved event {number}: it is missing, and later events are there")
            }
        }
    }
}

/// What a catch-up brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaughtUp {
    /// Other writers' events, applied, in order.
    pub events: Vec<Event>,
    /// The state was rebuilt from a snapshot or from the start: events before `events` were
    /// applied that are not listed, so whatever was derived from the state is derived again.
    pub restarted: bool,
    /// The number of the first event listed.
    first: u64,
}

impl CaughtUp {
    fn and(mut self, later: CaughtUp) -> CaughtUp {
        self.events.extend(later.events);
        self.restarted |= later.restarted;
        self
    }

    /// The number of the event after the last one listed.
    pub fn end(&self) -> u64 {
        self.first + self.events.len() as u64
    }

    /// Only the events from number `known` on, when the catch-up listed them all: after a
    /// rebuild, what the journal held before a refused write is not news.
    fn since(mut self, known: u64) -> CaughtUp {
        if self.first <= known {
            let skip = usize::try_from(known - self.first).unwrap_or(usize::MAX).min(self.events.len());
            self.events.drain(..skip);
            self.first = known;
            self.restarted = false;
        }
        self
    }
}

/// A command done and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// What other writers had appended before it, applied first.
    pub earlier: CaughtUp,
    /// The number of its first event in the journal.
    pub first: u64,
    /// Its events, in order.
    pub events: Vec<Event>,
}

/// A command not done, and what its catch-ups brought in before it was refused: other writers'
/// events are in the journal whatever became of the command, so whoever is told of `Handled`'s
/// `earlier` is told of these too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<E> {
    pub earlier: CaughtUp,
    pub refusal: Refusal<E>,
}

impl<E> From<Refused<E>> for Refusal<E> {
    fn from(refused: Refused<E>) -> Refusal<E> {
        refused.refusal
    }
}

/// Why a command was not done. In every case the ledger keeps nothing the journal does not
/// hold: a refused write leaves it stale, and its next catch-up rebuilds it from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal<E> {
    /// The engine's answer: the command changes nothing.
    Rejected(Rejection),
    /// The events were decided but not stored, so they never happened.
    NotStored(AppendError<E>),
    /// The journal could not be read before deciding.
    Unread(E),
    /// The journal holds a record that cannot be read: nothing is decided after it.
    Damaged(Damaged),
    /// Another command was being decided on this ledger (a writer that does not hold the lock
    /// the writers share); nothing was done.
    Busy,
}

/// The engine and where it stands in its journal: the discipline without IO.
#[derive(Debug, Clone)]
pub struct Ledger {
    workspace: Workspace,
    seed: u64,
    engine: Engine,
    /// The number of the next event to read or write.
    next: u64,
    /// The number of the first event after the latest snapshot this ledger knows of.
    snapshot_at: u64,
    snapshot_every: u64,
    /// Bumped whenever the position goes back: a reading asked for before then is stale.
    generation: u64,
    /// A decision's events are applied and their append is on its way: readings are not
    /// applied on top of them, and no other command is decided.
    deciding: bool,
    /// It may hold events the journal does not (a refused or abandoned append): the next
    /// catch-up rebuilds it from the journal.
    stale: bool,
}

impl Ledger {
    /// The ledger of an empty journal.
    pub fn new(workspace: Workspace, seed: u64) -> Ledger {
        let engine = Engine::new(workspace.clone(), seed);
        Ledger {
            workspace,
            seed,
            engine,
            next: 0,
            snapshot_at: 0,
            snapshot_every: EVENTS_PER_SNAPSHOT,
            generation: 0,
            deciding: false,
            stale: false,
        }
    }

    /// Asks for a snapshot after `events` events instead of `EVENTS_PER_SNAPSHOT`.
    pub fn with_snapshots_every(mut self, events: u64) -> Ledger {
        self.snapshot_every = events.max(1);
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether it may hold events the journal does not (a refused append whose catch-up could
    /// not read the journal): the next catch-up rebuilds it.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// How many events of the journal this ledger has read or written.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Where to read from next, and when that was asked (for `catch_up`); `None` while a
    /// decision's append is on its way, which brings the ledger up to date itself.
    pub fn ask(&self) -> Option<Ask> {
        let from = if self.stale { 0 } else { self.next };
        (!self.deciding).then_some(Ask { from, generation: self.generation, rebuild: self.stale })
    }

    /// Applies what the journal held from where `ask` stood; `None` when the reading came too
    /// late (the position went back since it was asked, or a decision is on its way) and must
    /// be asked again. Events this ledger has already are skipped; a snapshot that ends later
    /// than its position replaces its state. A record that cannot be applied stops it there, at
    /// the last point it could read, and every later catch-up stops there again.
    pub fn catch_up(&mut self, ask: Ask, reading: Reading) -> Result<Option<CaughtUp>, Damaged> {
        if ask.generation != self.generation || self.deciding {
            return Ok(None);
        }
        let mut caught_up = CaughtUp { first: self.next, ..CaughtUp::default() };
        if ask.rebuild {
            self.restart();
            caught_up = CaughtUp { restarted: true, ..CaughtUp::default() };
        }
        if let Some((next, state)) = reading.snapshot
            && next > self.next
        {
            let state = load_state_bytes(&state, &self.workspace)
                .map_err(|error| Damaged { at: Saved::Snapshot, why: Damage::Unreadable(error) })?;
            self.engine = Engine::from_state(self.workspace.clone(), state);
            self.follow_the_workspaces_chat_assignment();
            self.next = next;
            self.snapshot_at = next;
            caught_up = CaughtUp { restarted: true, first: next, ..caught_up };
        }
        for (number, bytes) in reading.events {
            if number < self.next {
                continue;
            }
            let damaged = |why| Damaged { at: Saved::Event(self.next), why };
            if number > self.next {
                return Err(damaged(Damage::Missing));
            }
            let event = load_event_bytes(&bytes).map_err(|error| damaged(Damage::Unreadable(error)))?;
            // An event decided under another workspace may not fit this one: stop there, reported.
            self.engine.try_apply(&event).map_err(|misfit| damaged(Damage::Misfit(misfit)))?;
            caught_up.events.push(event);
            self.next += 1;
        }
        Ok(Some(caught_up))
    }

    /// Decides `command` on the state as it is; `None` while another decision is on its way or
    /// the ledger is stale (catch up first). The events are applied at once, but they happened
    /// only once the journal holds them: append `records` at `first`, then say how that went
    /// with `settle`. Until then nothing else is decided or caught up.
    pub fn decide(&mut self, now: Timestamp, command: Command) -> Option<Result<Decision, Rejection>> {
        if self.deciding || self.stale {
            return None;
        }
        let decided = self.engine.handle(now, command).map(|events| {
            let first = self.next;
            self.next += events.len() as u64;
            let records = events.iter().map(event_to_bytes).collect();
            Decision { first, events, records }
        });
        self.deciding = decided.is_ok();
        Some(decided)
    }

    /// The journal stored the decision's events (`true`), or refused them or may not have them
    /// (`false`): then the ledger is stale until a catch-up rebuilds it from the journal.
    pub fn settle(&mut self, stored: bool) {
        if !self.deciding {
            return;
        }
        self.deciding = false;
        if !stored {
            self.stale = true;
            // A reading asked from past the refused events must not land on them.
            self.generation += 1;
        }
    }

    /// The workspace's Chat Assignment is now the one a `Command::SetAssignment` put in force,
    /// saved in the workspace with its events (as a server does): the engine keeps its state,
    /// which holds the change already, and runs on the workspace with it, as one built again
    /// on that workspace from the journal would; a later rebuild, or a snapshot read, keeps it.
    /// Nothing is read, so nothing can fail after the commit.
    pub fn follow_chat_assignment(&mut self, assignment: ChatAssignment) {
        self.workspace.teamspace.assignment = assignment;
        self.engine = Engine::from_state(self.workspace.clone(), self.engine.state().clone());
    }

    /// The Chat Assignment in force after a snapshot is the workspace's, as on an engine built
    /// without one (`Engine::new`): an admin's change in the settings is saved in the workspace,
    /// and the backend opens again on it, so a snapshot written before must not bring back the
    /// method or cap it replaced. (`Command::SetAssignment` changes a running engine's until it
    /// is next built; a server saves such a change in the workspace too.)
    fn follow_the_workspaces_chat_assignment(&mut self) {
        let assignment = self.workspace.teamspace.assignment;
        if self.engine.state().assignment != assignment {
            let changed = Event::AssignmentChanged { assignment, at: Timestamp(0) };
            // It always fits: it names no agent, chat or queue.
            let _ = self.engine.try_apply(&changed);
        }
    }

    /// Forgets everything, as before reading the journal from 0.
    fn restart(&mut self) {
        self.engine = Engine::new(self.workspace.clone(), self.seed);
        self.next = 0;
        self.snapshot_at = 0;
        self.generation += 1;
        self.stale = false;
    }

    /// The snapshot to write now, when enough events were written since the last one: the
    /// number of the first event after it, and the state's bytes.
    pub fn snapshot_due(&self) -> Option<(u64, Vec<u8>)> {
        (self.next - self.snapshot_at >= self.snapshot_every).then(|| (self.next, state_to_bytes(self.engine.state())))
    }

    /// The journal holds a snapshot up to event `next`.
    pub fn snapshot_written(&mut self, next: u64) {
        self.snapshot_at = self.snapshot_at.max(next);
    }
}

/// Where a ledger asked to read from, and when (`Ledger::ask`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    pub from: u64,
    generation: u64,
    /// The ledger is stale: the reading, from 0, replaces everything.
    rebuild: bool,
}

/// A command's events as decided, and their records to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub first: u64,
    pub events: Vec<Event>,
    pub records: Vec<Vec<u8>>,
}

/// Somewhere a ledger is kept that the drivers reach only between awaits.
pub trait Shared {
    fn with<R>(&self, work: impl FnOnce(&mut Ledger) -> R) -> R;
}

impl Shared for RefCell<Ledger> {
    fn with<R>(&self, work: impl FnOnce(&mut Ledger) -> R) -> R {
        work(&mut self.borrow_mut())
    }
}

impl Shared for Mutex<Ledger> {
    fn with<R>(&self, work: impl FnOnce(&mut Ledger) -> R) -> R {
        // Nothing in `Ledger` leaves it half-changed on a panic: a poisoned lock is still whole.
        work(&mut self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A ledger borrowed whole for one decision: a server holds its lock's write guard from the
/// catch-up through the append to the settle, so that no reader sees a decision's events
/// before the journal holds them (`Ledger::decide` applies them at once).
impl Shared for Mutex<&mut Ledger> {
    fn with<R>(&self, work: impl FnOnce(&mut Ledger) -> R) -> R {
        work(&mut self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The ledger of everything the journal holds, and the first record it could not read.
pub async fn open<J: Journal>(
    workspace: Workspace,
    seed: u64,
    journal: &J,
) -> Result<(Ledger, Option<Damaged>), J::Error> {
    // A `Mutex`, not a `RefCell`, so that a server's `open` over a `Send` journal is `Send`.
    let ledger = Mutex::new(Ledger::new(workspace, seed));
    let damaged = match catch_up(&ledger, journal).await {
        Ok(_) => None,
        Err(CatchUpError::Unread(error)) => return Err(error),
        Err(CatchUpError::Damaged(damaged)) => Some(damaged),
    };
    Ok((ledger.into_inner().unwrap_or_else(PoisonError::into_inner), damaged))
}

/// Why a catch-up stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUpError<E> {
    /// The journal could not be read; the ledger is as it was.
    Unread(E),
    /// The ledger applied what came before this record.
    Damaged(Damaged),
}

impl<E> From<CatchUpError<E>> for Refusal<E> {
    fn from(error: CatchUpError<E>) -> Refusal<E> {
        match error {
            CatchUpError::Unread(error) => Refusal::Unread(error),
            CatchUpError::Damaged(damaged) => Refusal::Damaged(damaged),
        }
    }
}

/// Applies what other writers appended since the ledger last looked (everything, when it is
/// stale). Nothing, at once, while a decision's append is on its way: that decision catches up.
pub async fn catch_up<J: Journal>(ledger: &impl Shared, journal: &J) -> Result<CaughtUp, CatchUpError<J::Error>> {
    for _ in 0..ATTEMPTS {
        let Some(ask) = ledger.with(|ledger| ledger.ask()) else { break };
        let reading = journal.read(ask.from).await.map_err(CatchUpError::Unread)?;
        if let Some(caught_up) = ledger.with(|ledger| ledger.catch_up(ask, reading)).map_err(CatchUpError::Damaged)? {
            return Ok(caught_up);
        }
    }
    Ok(CaughtUp::default())
}

/// Settles a decision when dropped: as not stored unless `stored` was set, so a `handle` whose
/// future is dropped mid-append (a request whose client left) leaves the ledger stale, never
/// holding events the journal may not have.
struct Settling<'a, L: Shared> {
    ledger: &'a L,
    stored: bool,
}

impl<L: Shared> Drop for Settling<'_, L> {
    fn drop(&mut self) {
        let stored = self.stored;
        self.ledger.with(|ledger| ledger.settle(stored));
    }
}

/// Catches up, decides `command` on the latest state, and appends its events as one batch;
/// then writes a snapshot when one is due (a snapshot that cannot be written leaves the events
/// in place: nothing is lost). A refused append leaves nothing behind: the ledger rebuilds from
/// the journal, and when another writer took the numbers, decides again on the newer state.
/// What was caught up comes back however it ends: in `Handled`, or in `Refused`.
pub async fn handle<J: Journal>(
    ledger: &impl Shared,
    journal: &J,
    now: Timestamp,
    command: Command,
) -> Result<Handled, Refused<J::Error>> {
    handle_checked(ledger, journal, now, command, |_| None).await
}

/// `handle`, with `refuse` asked first on the very state the command is decided on (after the
/// catch-up, and again on the newer state when another writer took the numbers): a refusal it
/// gives is the command's, as though the engine had given it. A server authorises a viewer's
/// command so (`viewer::authorize`), never on a state older than the one it is decided on.
pub async fn handle_checked<J: Journal>(
    ledger: &impl Shared,
    journal: &J,
    now: Timestamp,
    command: Command,
    refuse: impl Fn(&Engine) -> Option<Rejection>,
) -> Result<Handled, Refused<J::Error>> {
    let mut earlier = catch_up(ledger, journal)
        .await
        .map_err(|error| Refused { earlier: CaughtUp::default(), refusal: error.into() })?;
    let mut attempt = 1;
    loop {
        let decided = ledger.with(|ledger| match refuse(ledger.engine()) {
            // Only where `decide` would decide: not while another decision is on its way or stale.
            Some(rejection) if !ledger.is_stale() && ledger.ask().is_some() => Some(Err(rejection)),
            _ => ledger.decide(now, command.clone()),
        });
        let decision = match decided {
            None => return Err(Refused { earlier, refusal: Refusal::Busy }),
            Some(Err(rejection)) => return Err(Refused { earlier, refusal: Refusal::Rejected(rejection) }),
            Some(Ok(decision)) => decision,
        };
        let mut settling = Settling { ledger, stored: decision.events.is_empty() };
        let appended = match decision.events.is_empty() {
            true => Ok(()),
            false => journal.append(decision.first, &decision.records).await,
        };
        settling.stored = appended.is_ok();
        drop(settling);
        match appended {
            Ok(()) => {
                if let Some((next, state)) = ledger.with(|ledger| ledger.snapshot_due())
                    && journal.write_snapshot(next, &state).await.is_ok()
                {
                    ledger.with(|ledger| ledger.snapshot_written(next));
                }
                return Ok(Handled { earlier, first: decision.first, events: decision.events });
            }
            Err(error) => {
                // Not stored, so it never happened: back to what the journal holds, which
                // includes whatever another writer appended in its place.
                match catch_up(ledger, journal).await {
                    Ok(since) => earlier = earlier.and(since.since(decision.first)),
                    Err(unread) => return Err(Refused { earlier, refusal: unread.into() }),
                }
                let taken = matches!(error, AppendError::Taken { .. });
                if !taken || attempt == ATTEMPTS {
                    return Err(Refused { earlier, refusal: Refusal::NotStored(error) });
                }
                attempt += 1;
            }
        }
    }
}

/// A journal in memory. Clones share it, as a browser's tabs share its storage: for tests,
/// and wherever nothing needs to outlive the process.
#[derive(Debug, Clone, Default)]
pub struct MemoryJournal {
    inner: std::rc::Rc<RefCell<Stored>>,
}

#[derive(Debug, Default)]
struct Stored {
    snapshot: Option<(u64, Vec<u8>)>,
    /// In number order, each number once, from the snapshot's end on.
    events: Vec<(u64, Vec<u8>)>,
}

impl Stored {
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

    /// Puts `record` as event `number`, whatever was there: a test's way to damage a journal.
    pub fn overwrite(&self, number: u64, record: Vec<u8>) {
        let mut stored = self.inner.borrow_mut();
        match stored.events.binary_search_by_key(&number, |(held, _)| *held) {
            Ok(at) => stored.events[at].1 = record,
            Err(at) => stored.events.insert(at, (number, record)),
        }
    }

    /// Drops event `number`, leaving a gap: a test's way to damage a journal.
    pub fn remove(&self, number: u64) {
        self.inner.borrow_mut().events.retain(|(held, _)| *held != number);
    }
}

impl Journal for MemoryJournal {
    type Error = std::convert::Infallible;

    async fn read(&self, from: u64) -> Result<Reading, Self::Error> {
        let stored = self.inner.borrow();
        let snapshot = stored.snapshot.clone().filter(|(next, _)| *next > from);
        let from = snapshot.as_ref().map_or(from, |(next, _)| from.max(*next));
        Ok(Reading { snapshot, events: stored.events[stored.start(from)..].to_vec() })
    }

    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<Self::Error>> {
        let mut stored = self.inner.borrow_mut();
        let last = first + events.len() as u64;
        let at = stored.start(first);
        // Numbers below the snapshot's end are taken too, by the events it holds.
        let taken = if stored.snapshot.as_ref().is_some_and(|(next, _)| first < *next) {
            Some(first)
        } else {
            stored.events.get(at).map(|(held, _)| *held).filter(|held| *held < last)
        };
        if let Some(number) = taken {
            return Err(AppendError::Taken { number });
        }
        let numbered = events.iter().enumerate().map(|(offset, event)| (first + offset as u64, event.clone()));
        stored.events.splice(at..at, numbered);
        Ok(())
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), Self::Error> {
        let mut stored = self.inner.borrow_mut();
        stored.snapshot = Some((next, state.to_owned()));
        let start = stored.start(next);
        stored.events.drain(..start);
        Ok(())
    }
}
