//! The simulated backend in the page: the engine decides here, every accepted event is written
//! to the browser's journal (IndexedDB) before it counts, and the browser's tabs stay in step.
//!
//! A tab decides only while it holds the Web Lock all tabs share, after reading what the others
//! wrote, so two tabs claiming one chat end with one assignee; after writing, it tells the
//! others on a BroadcastChannel, and they read the new events from the journal.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use handoff::{Command, Engine, Event, Timestamp, Workspace, event_to_bytes, state_to_bytes};
use wasm_bindgen::JsValue;

use super::indexed_db::{IndexedDbJournal, with_lock};
use super::simulated::{Damaged, EVENTS_PER_SNAPSHOT, JournalError, MemoryJournal, Refusal, SimulatedBackend};

pub struct BrowserBackend {
    backend: RefCell<SimulatedBackend<MemoryJournal>>,
    /// What the backend reads: the browser's journal, as far as this tab has read it.
    mirror: MemoryJournal,
    journal: IndexedDbJournal,
    /// Where the browser's journal's snapshot ends.
    stored_snapshot: Cell<u64>,
    /// The lock's and the channel's name: the database's.
    name: String,
    channel: Option<web_sys::BroadcastChannel>,
}

fn refused(error: String) -> Refusal {
    Refusal::NotStored(JournalError::Refused(error))
}

impl BrowserBackend {
    /// Opens the backend stored in the database `name`, replaying what it holds.
    pub async fn open(
        workspace: Workspace,
        seed: u64,
        name: &str,
    ) -> Result<(Rc<BrowserBackend>, Option<Damaged>), String> {
        let journal = IndexedDbJournal::open(name).await?;
        let mirror = MemoryJournal::default();
        let stored_snapshot = load_into(&journal, &mirror, 0).await?;
        let (backend, damaged) = SimulatedBackend::open(workspace, seed, mirror.clone());
        let backend = BrowserBackend {
            backend: RefCell::new(backend.without_snapshots()),
            mirror,
            journal,
            stored_snapshot: Cell::new(stored_snapshot),
            name: name.to_owned(),
            channel: web_sys::BroadcastChannel::new(name).ok(),
        };
        Ok((Rc::new(backend), damaged))
    }

    pub fn with_engine<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        read(self.backend.borrow().engine())
    }

    /// The channel on which other tabs say they wrote events: listen, then `refresh`.
    pub fn channel(&self) -> Option<&web_sys::BroadcastChannel> {
        self.channel.as_ref()
    }

    /// Reads and applies what other tabs wrote since this tab last looked.
    pub async fn refresh(&self) -> Result<(), String> {
        let position = self.backend.borrow().position();
        let snapshot = load_into(&self.journal, &self.mirror, position).await?;
        self.stored_snapshot.set(snapshot);
        let mut backend = self.backend.borrow_mut();
        if snapshot > position {
            // Another tab folded events this tab never read into a snapshot: start from it.
            backend.reload();
        } else if let Err(damaged) = backend.catch_up() {
            return Err(damaged.error);
        }
        Ok(())
    }

    /// Decides `command` in this tab, under the lock every tab shares, and stores its events
    /// before they count.
    pub async fn send(self: &Rc<Self>, now: Timestamp, command: Command) -> Result<Vec<Event>, Refusal> {
        let this = Rc::clone(self);
        let name = self.name.clone();
        with_lock(&name, async move { this.send_locked(now, command).await }).await.map_err(refused)?
    }

    async fn send_locked(&self, now: Timestamp, command: Command) -> Result<Vec<Event>, Refusal> {
        self.refresh().await.map_err(refused)?;
        let first = self.backend.borrow().position();
        let (_, events) = self.backend.borrow_mut().handle(now, command)?;
        if events.is_empty() {
            return Ok(events);
        }
        let records: Vec<Vec<u8>> = events.iter().map(event_to_bytes).collect();
        if let Err(error) = self.journal.append(first, &records).await {
            // Not stored, so it never happened: back to what the journal holds.
            self.mirror.forget_from(first);
            self.backend.borrow_mut().reload();
            return Err(Refusal::NotStored(error));
        }
        let position = self.backend.borrow().position();
        if position - self.stored_snapshot.get() >= EVENTS_PER_SNAPSHOT {
            let state = self.with_engine(|engine| state_to_bytes(engine.state()));
            // A snapshot that cannot be written leaves the events in place: nothing is lost.
            if self.journal.write_snapshot(position, &state).await.is_ok() {
                self.stored_snapshot.set(position);
                self.mirror.set_snapshot(position, state);
            }
        }
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_f64(position as f64));
        }
        Ok(events)
    }
}

/// Copies into `mirror` what the browser's journal holds from event `from` on (with its
/// snapshot when that ends later), and gives where the journal's snapshot ends.
async fn load_into(journal: &IndexedDbJournal, mirror: &MemoryJournal, from: u64) -> Result<u64, String> {
    let snapshot = journal.snapshot().await?;
    let snapshot_next = snapshot.as_ref().map_or(0, |(next, _)| *next);
    if let Some((next, state)) = snapshot
        && next > from
    {
        mirror.set_snapshot(next, state.0);
    }
    mirror.extend(
        journal.events_from(from.max(snapshot_next)).await?.into_iter().map(|(number, event)| (number, event.0)),
    );
    Ok(snapshot_next)
}
