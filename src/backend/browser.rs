//! The simulated backend in the page: the domain's journal discipline (`handoff::ledger`) over
//! the browser's journal (IndexedDB). The engine decides here, every accepted event is written
//! before it counts, and the browser's tabs stay in step.
//!
//! A tab decides only while it holds the Web Lock all tabs share, after reading what the others
//! wrote, so two tabs claiming one chat end with one assignee; after writing, it tells the
//! others on a BroadcastChannel, and they read the new events from the journal.

use std::cell::RefCell;
use std::rc::Rc;

use handoff::ledger::{self, AppendError, CatchUpError, Damaged, Ledger};
use handoff::{Command, Engine, Event, Timestamp, Workspace};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

use super::Refusal;
use super::indexed_db::{IndexedDbJournal, with_lock};

pub struct BrowserBackend {
    ledger: RefCell<Ledger>,
    journal: IndexedDbJournal,
    /// The lock's and the channel's name: the database's.
    name: String,
    channel: Option<web_sys::BroadcastChannel>,
    /// What runs when another tab says it wrote; dropped, and the channel closed, with the backend.
    listener: RefCell<Option<Closure<dyn Fn()>>>,
}

impl Drop for BrowserBackend {
    fn drop(&mut self) {
        self.stop_listening();
        if let Some(channel) = &self.channel {
            channel.close();
        }
    }
}

impl BrowserBackend {
    /// Opens the backend stored in the database `name`, replaying what it holds.
    pub async fn open(
        workspace: Workspace,
        seed: u64,
        name: &str,
    ) -> Result<(Rc<BrowserBackend>, Option<Damaged>), String> {
        let journal = IndexedDbJournal::open(name).await?;
        let (ledger, damaged) = ledger::open(workspace, seed, &journal).await?;
        let backend = BrowserBackend {
            ledger: RefCell::new(ledger),
            journal,
            name: name.to_owned(),
            channel: web_sys::BroadcastChannel::new(name).ok(),
            listener: RefCell::new(None),
        };
        let backend = Rc::new(backend);
        // The workspace may have changed since the journal's events were decided (a cap raised
        // in the settings): its rules serve the queues now, not at the next sign-in or close.
        // Nothing to serve is no event; a refusal (a damaged journal) is said by `damaged`.
        if damaged.is_none() {
            let _ = backend.send(super::now(), Command::ServeQueues).await;
        }
        Ok((backend, damaged))
    }

    pub fn with_engine<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        read(self.ledger.borrow().engine())
    }

    /// Runs `heard` whenever another tab says it wrote events (then `refresh`), for as long as
    /// this backend lives.
    pub fn on_other_tabs_writing(&self, heard: impl Fn() + 'static) {
        let Some(channel) = &self.channel else { return };
        let listener = Closure::<dyn Fn()>::new(heard);
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        *self.listener.borrow_mut() = Some(listener);
    }

    /// Hears no more of other tabs (a backend opened on a newer workspace took over). The
    /// channel stays open while the backend lives: a send still on its way tells the others.
    pub fn stop_listening(&self) {
        if let Some(channel) = &self.channel {
            channel.set_onmessage(None);
        }
        self.listener.borrow_mut().take();
    }

    /// Reads and applies what other tabs wrote since this tab last looked.
    pub async fn refresh(&self) -> Result<(), CatchUpError<String>> {
        ledger::catch_up(&self.ledger, &self.journal).await.map(drop)
    }

    /// Decides `command` in this tab, under the lock every tab shares, and stores its events
    /// before they count.
    pub async fn send(self: &Rc<Self>, now: Timestamp, command: Command) -> Result<Vec<Event>, Refusal> {
        let this = Rc::clone(self);
        let handled =
            with_lock(&self.name, async move { ledger::handle(&this.ledger, &this.journal, now, command).await })
                .await
                .map_err(|error| Refusal::NotStored(AppendError::Storage(error)))??;
        if let Some(channel) = &self.channel
            && !handled.events.is_empty()
        {
            let position = handled.first + handled.events.len() as u64;
            let _ = channel.post_message(&JsValue::from_f64(position as f64));
        }
        Ok(handled.events)
    }
}
