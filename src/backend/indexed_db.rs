//! The simulated backend's journal in the browser: IndexedDB, which holds far more than
//! localStorage's few megabytes (ten thousand chats with their transcripts do not fit there),
//! and a Web Lock that all of the browser's tabs share, so that "read what other tabs wrote,
//! decide, write" is one step.
//!
//! One object store holds the events under their numbers, each as the bytes of
//! `handoff::event_to_bytes` (a `Uint8Array`), and the snapshot under the key `"snapshot"`, as
//! the array `[next, bytes of handoff::state_to_bytes]`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

use handoff::ledger::{AppendError, Journal, Reading};

const STORE: &str = "journal";
const SNAPSHOT_KEY: &str = "snapshot";

/// One record as the journal stores it: the bytes of `handoff::event_to_bytes` or
/// `handoff::state_to_bytes`. Shown in hexadecimal, so that a download of what the browser
/// holds keeps every byte, readable or damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record(pub Vec<u8>);

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// An open journal database.
#[derive(Debug, Clone)]
pub struct IndexedDbJournal {
    database: IdbDatabase,
}

fn described(error: JsValue) -> String {
    error
        .dyn_ref::<web_sys::DomException>()
        .map(|exception| format!("{}: {}", exception.name(), exception.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser's database refused".to_owned())
}

/// Waits for a request to succeed and gives its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => request.result().map_err(described),
        Err(_) => Err(request.error().ok().flatten().map_or_else(
            || "the browser's database refused".to_owned(),
            |exception| format!("{}: {}", exception.name(), exception.message()),
        )),
    }
}

/// Waits for a transaction to commit; a failed request inside it aborts it all.
async fn committed(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(drop).map_err(|failure| {
        // A failed request's error event bubbles to the transaction before it aborts: the
        // request says what went wrong.
        let from_request = failure
            .dyn_ref::<web_sys::Event>()
            .and_then(web_sys::Event::target)
            .and_then(|target| target.dyn_into::<IdbRequest>().ok())
            .and_then(|request| request.error().ok().flatten());
        from_request.or_else(|| transaction.error()).map_or_else(
            || "the browser's database gave up the change".to_owned(),
            |exception| format!("{}: {}", exception.name(), exception.message()),
        )
    })
}

fn number_key(number: u64) -> JsValue {
    JsValue::from_f64(number as f64)
}

impl IndexedDbJournal {
    /// Opens (creating on first use) the database `name`.
    pub async fn open(name: &str) -> Result<IndexedDbJournal, String> {
        let factory = web_sys::window()
            .and_then(|window| window.indexed_db().ok().flatten())
            .ok_or("the browser offers no database here (private mode, or blocked)")?;
        let request = factory.open_with_u32(name, 1).map_err(described)?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |_| {
                if let Ok(result) = request.result() {
                    let database: IdbDatabase = result.unchecked_into();
                    let _ = database.create_object_store(STORE);
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let database = finished(&request).await?;
        request.set_onupgradeneeded(None);
        Ok(IndexedDbJournal { database: database.unchecked_into() })
    }

    fn store(&self, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore), String> {
        let transaction = self.database.transaction_with_str_and_mode(STORE, mode).map_err(described)?;
        let store = transaction.object_store(STORE).map_err(described)?;
        Ok((transaction, store))
    }

    /// The snapshot, as the number of the first event after it and the state's bytes.
    pub async fn snapshot(&self) -> Result<Option<(u64, Record)>, String> {
        let (_, store) = self.store(IdbTransactionMode::Readonly)?;
        snapshot_record(finished(&store.get(&JsValue::from_str(SNAPSHOT_KEY)).map_err(described)?).await?)
    }

    /// Every event numbered `from` or more, in order.
    pub async fn events_from(&self, from: u64) -> Result<Vec<(u64, Record)>, String> {
        let (_, store) = self.store(IdbTransactionMode::Readonly)?;
        events_answered(ask_events(&store, from)?).await
    }
}

/// The snapshot's record, as stored: `[next, bytes]`.
fn snapshot_record(value: JsValue) -> Result<Option<(u64, Record)>, String> {
    if value.is_undefined() {
        return Ok(None);
    }
    let pair: Option<Array> = value.dyn_into().ok();
    let next = pair.as_ref().and_then(|pair| pair.get(0).as_f64());
    let state = pair.and_then(|pair| pair.get(1).dyn_into::<Uint8Array>().ok());
    match (next, state) {
        (Some(next), Some(state)) => Ok(Some((next as u64, Record(state.to_vec())))),
        _ => Err("the saved snapshot is not an event number and bytes".to_owned()),
    }
}

/// Asks `store` for its events numbered `from` or more: the requests, their keys' and values'.
/// Every request of a transaction is made before the first await, so none is made after the
/// transaction may have finished.
fn ask_events(store: &IdbObjectStore, from: u64) -> Result<[IdbRequest; 2], String> {
    let range = IdbKeyRange::bound(&number_key(from), &JsValue::from_f64(f64::INFINITY)).map_err(described)?;
    Ok([store.get_all_keys_with_key(&range).map_err(described)?, store.get_all_with_key(&range).map_err(described)?])
}

/// The events `ask_events` asked for, in order.
async fn events_answered([keys, values]: [IdbRequest; 2]) -> Result<Vec<(u64, Record)>, String> {
    let (keys, values) = (finished(&keys).await?, finished(&values).await?);
    let (keys, values): (Array, Array) = (keys.unchecked_into(), values.unchecked_into());
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(key, value)| Some((key.as_f64()? as u64, Record(value.dyn_into::<Uint8Array>().ok()?.to_vec()))))
        .collect())
}

/// The journal discipline's IO (`handoff::ledger`), in the browser's words when it fails.
impl Journal for IndexedDbJournal {
    type Error = String;

    /// One read-only transaction: another tab's snapshot, which drops the events it holds in
    /// the same transaction, is seen whole or not at all.
    async fn read(&self, from: u64) -> Result<Reading, String> {
        let (_, store) = self.store(IdbTransactionMode::Readonly)?;
        let snapshot = store.get(&JsValue::from_str(SNAPSHOT_KEY)).map_err(described)?;
        let events = ask_events(&store, from)?;
        let snapshot = snapshot_record(finished(&snapshot).await?)?.filter(|(next, _)| *next > from);
        let events = events_answered(events).await?;
        Ok(Reading {
            snapshot: snapshot.map(|(next, state)| (next, state.0)),
            events: events.into_iter().map(|(number, event)| (number, event.0)).collect(),
        })
    }

    /// A number already taken (another tab wrote it first) refuses the whole batch.
    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<String>> {
        let (transaction, store) = self.store(IdbTransactionMode::Readwrite).map_err(AppendError::Storage)?;
        for (offset, event) in events.iter().enumerate() {
            if let Err(error) = store.add_with_key(&Uint8Array::from(&event[..]), &number_key(first + offset as u64)) {
                // The adds made so far would commit on their own: none of the batch, then.
                let _ = transaction.abort();
                return Err(AppendError::Storage(described(error)));
            }
        }
        committed(&transaction).await.map_err(|error| {
            if error.starts_with("ConstraintError") {
                AppendError::Taken { number: first }
            } else {
                AppendError::Storage(error)
            }
        })
    }

    /// The snapshot and the deletion of the events it holds are one transaction.
    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), String> {
        let (transaction, store) = self.store(IdbTransactionMode::Readwrite)?;
        let record = Array::of2(&number_key(next), &Uint8Array::from(state));
        store.put_with_key(&record, &JsValue::from_str(SNAPSHOT_KEY)).map_err(described)?;
        if next > 0 {
            let held =
                IdbKeyRange::bound_with_lower_open_and_upper_open(&number_key(0), &number_key(next), false, true)
                    .map_err(described)?;
            store.delete(&held).map_err(described)?;
        }
        committed(&transaction).await
    }
}

/// Runs `work` while holding the Web Lock `name`, which every tab of this browser shares: no
/// two tabs run their `work` for the same name at the same time.
pub async fn with_lock<T: 'static>(name: &str, work: impl Future<Output = T> + 'static) -> Result<T, String> {
    let locks = web_sys::window()
        .and_then(|window| Reflect::get(&window.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined())
        .ok_or("this browser cannot coordinate its tabs (no Web Locks)")?;
    let request: Function =
        Reflect::get(&locks, &JsValue::from_str("request")).map_err(described)?.dyn_into().map_err(described)?;
    let outcome = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&outcome);
    let work = RefCell::new(Some(work));
    // The lock is held until the promise the callback returns settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        let work = work.borrow_mut().take().expect("the lock runs its callback once");
        wasm_bindgen_futures::future_to_promise(async move {
            *slot.borrow_mut() = Some(work.await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let held = request.call2(&locks, &JsValue::from_str(name), &callback).map_err(described)?;
    JsFuture::from(Promise::from(held)).await.map_err(described)?;
    let value = outcome.borrow_mut().take();
    value.ok_or_else(|| "the lock was released before its work finished".to_owned())
}
