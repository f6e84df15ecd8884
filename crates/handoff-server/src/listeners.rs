//! Which sockets a committed batch concerns, so that only those wake at once.
//!
//! Every open socket is registered under its viewer. After each batch, `Listeners::batch`
//! works out, once per agent (not per socket), whether the batch changes what that agent sees
//! of the chats: a chat they could see before or can see now (the set of chats each watched
//! agent may see is kept here, as the domain's rule says a chat enters or leaves a view only
//! through an event naming it), an agent signing in, out or changing presence, or the Chat
//! Assignment. A customer's sockets wake for what changes their copy of their own chat (not a
//! note) and for every move of the queue (their place). Those sockets are notified; every
//! other socket catches up on its own periodic tick (`Config::idle_gap`) from the recent batches
//! kept here: what it has not been told then is other agents' load, and places in queues it
//! only watches.

use std::collections::VecDeque;
use std::sync::Arc;

use handoff::viewer::{self, Viewer};
use handoff::{AgentId, ChatId, ChatStatus, Engine, Event};
use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::Notify;

/// How many recent batches are kept for sockets to catch up from; one further behind is sent
/// a whole view ...
pub const RECENT_BATCHES: usize = 8192;
/// ... and how many events they may hold together, so that a few big batches (a sign-out that
/// unassigns many chats, another writer's events caught up at once) do not hold a lot: the
/// oldest are let go first, and a batch bigger than this on its own is not kept at all.
pub const RECENT_EVENTS: usize = 32_768;

#[derive(Debug, Default)]
pub struct Listeners {
    next: u64,
    staff: FxHashMap<AgentId, Watching>,
    customers: FxHashMap<ChatId, Vec<(u64, Arc<Notify>)>>,
    /// The latest batches, oldest first: the journal's position after each, and its events.
    recent: VecDeque<(u64, Arc<[Event]>)>,
    /// How many events `recent` holds.
    recent_events: usize,
    /// Set after a gap: no batch before this position may be told from what is kept.
    recent_from: Option<u64>,
    /// The journal's position after the latest batch, kept or not.
    latest: Option<u64>,
}

#[derive(Debug, Default)]
struct Watching {
    sockets: Vec<(u64, Arc<Notify>)>,
    /// The chats the agent may see, as of the last batch.
    visible: FxHashSet<ChatId>,
}

/// A socket's place among the listeners: `Listeners::leave` with it when the socket ends.
#[derive(Debug, Clone)]
pub struct Ticket {
    id: u64,
    viewer: Viewer,
    pub notify: Arc<Notify>,
}

fn visible_chats(engine: &Engine, viewer: Viewer) -> FxHashSet<ChatId> {
    engine.state().chats.values().filter(|chat| viewer::may_see(engine, viewer, chat)).map(|chat| chat.id).collect()
}

impl Listeners {
    /// Registers a socket of `viewer` on the engine as it is now.
    pub fn join(&mut self, engine: &Engine, viewer: Viewer) -> Ticket {
        self.next += 1;
        let notify = Arc::new(Notify::new());
        let entry = (self.next, Arc::clone(&notify));
        match viewer {
            Viewer::Staff { agent } => {
                let watching = self
                    .staff
                    .entry(agent)
                    .or_insert_with(|| Watching { sockets: Vec::new(), visible: visible_chats(engine, viewer) });
                watching.sockets.push(entry);
            }
            Viewer::Customer { chat } => self.customers.entry(chat).or_default().push(entry),
        }
        Ticket { id: self.next, viewer, notify }
    }

    pub fn leave(&mut self, ticket: &Ticket) {
        match ticket.viewer {
            Viewer::Staff { agent } => {
                if let Some(watching) = self.staff.get_mut(&agent) {
                    watching.sockets.retain(|(id, _)| *id != ticket.id);
                    if watching.sockets.is_empty() {
                        self.staff.remove(&agent);
                    }
                }
            }
            Viewer::Customer { chat } => {
                if let Some(sockets) = self.customers.get_mut(&chat) {
                    sockets.retain(|(id, _)| *id != ticket.id);
                    if sockets.is_empty() {
                        self.customers.remove(&chat);
                    }
                }
            }
        }
    }

    /// How many sockets are registered.
    pub fn len(&self) -> usize {
        self.staff.values().map(|watching| watching.sockets.len()).sum::<usize>()
            + self.customers.values().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A committed batch, `end` the journal's position after it, on the engine after it:
    /// kept for catching up, and the sockets it concerns notified.
    pub fn batch(&mut self, engine: &Engine, end: u64, events: Arc<[Event]>) {
        let touched: FxHashSet<ChatId> = events.iter().filter_map(Event::chat).collect();
        let everyone = events.iter().any(|event| event.chat().is_none());
        let queue_moved = events.iter().any(viewer::moves_queue);
        // A customer is woken only by what changes their copy: a note on their chat is not even
        // a sign of life to them (an `UpToDate` at once would be one).
        let customers_touched: FxHashSet<ChatId> =
            events.iter().filter(|event| viewer::reaches_customer(event)).filter_map(Event::chat).collect();
        for (&agent, watching) in &mut self.staff {
            let mut wake = everyone;
            for &chat in &touched {
                let now =
                    engine.chat(chat).is_some_and(|found| viewer::may_see(engine, Viewer::Staff { agent }, found));
                let before = match now {
                    true => !watching.visible.insert(chat),
                    false => watching.visible.remove(&chat),
                };
                wake |= now || before;
            }
            if wake {
                watching.sockets.iter().for_each(|(_, notify)| notify.notify_one());
            }
        }
        for (chat, sockets) in &self.customers {
            let pending = || matches!(engine.chat(*chat).map(|found| &found.status), Some(ChatStatus::Pending { .. }));
            if customers_touched.contains(chat) || (queue_moved && pending()) {
                sockets.iter().for_each(|(_, notify)| notify.notify_one());
            }
        }
        // A batch that does not follow on from the last one kept means batches were committed
        // that never came here: none kept is to be trusted, and every socket is woken to be sent
        // a whole view (`since` finds its position no longer kept).
        let start = end.saturating_sub(events.len() as u64);
        if self.latest.is_some_and(|last| last != start) {
            self.recent.clear();
            self.recent_events = 0;
            self.recent_from = Some(start);
            self.wake_everyone();
        }
        self.latest = Some(end);
        self.recent_events += events.len();
        self.recent.push_back((end, events));
        // A socket behind the oldest batch kept is sent a whole view (`since` finds its start
        // no longer kept), so letting batches go only costs whole views.
        while self.recent.len() > RECENT_BATCHES || self.recent_events > RECENT_EVENTS {
            let Some((_, dropped)) = self.recent.pop_front() else { break };
            self.recent_events -= dropped.len();
            self.recent_from = None;
        }
    }

    fn wake_everyone(&self) {
        let staff = self.staff.values().flat_map(|watching| watching.sockets.iter());
        staff.chain(self.customers.values().flatten()).for_each(|(_, notify)| notify.notify_one());
    }

    /// The engine was built again (a new workspace, a rebuild from the journal): what each
    /// watched agent may see is worked out again. Sockets are told by the feed.
    pub fn rebuilt(&mut self, engine: &Engine) {
        for (&agent, watching) in &mut self.staff {
            watching.visible = visible_chats(engine, Viewer::Staff { agent });
        }
        self.recent.clear();
        self.recent_events = 0;
        self.recent_from = None;
        self.latest = None;
    }

    /// The journal's position after the latest batch, if any.
    pub fn latest(&self) -> Option<u64> {
        self.latest
    }

    /// Every batch after position `after` (shared, not copied), and the position after them;
    /// `None` when some of them are no longer kept (the socket is sent a whole view).
    pub fn since(&self, after: u64) -> Option<(Vec<Arc<[Event]>>, u64)> {
        let Some(latest) = self.latest.filter(|&latest| latest > after) else { return Some((Vec::new(), after)) };
        if self.recent_from.is_some_and(|from| after < from) {
            return None;
        }
        let first = self.recent.partition_point(|(end, _)| *end <= after);
        // The oldest kept batch must start at or before `after`: its predecessor's end is
        // `after` or earlier, which holds when the batch before `first` is kept, or `first` is
        // the very first batch since the server started and `after` is where it began; none
        // kept (the latest was too big to keep) tells nothing.
        let start_known =
            first > 0 || self.recent.front().is_some_and(|(end, events)| *end - events.len() as u64 <= after);
        if !start_known {
            return None;
        }
        let batches = self.recent.range(first..).map(|(_, events)| Arc::clone(events)).collect();
        Some((batches, latest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff::Timestamp;

    fn signed_in(count: usize) -> Arc<[Event]> {
        (0..count).map(|at| Event::AgentSignedIn { agent: AgentId(2), at: Timestamp(at as u64) }).collect()
    }

    #[test]
    fn batches_that_follow_on_are_told_and_a_gap_sends_everyone_a_whole_view() {
        let engine = Engine::new(handoff::starter_workspace(), 1);
        let mut listeners = Listeners::default();
        let ticket = listeners.join(&engine, Viewer::Staff { agent: AgentId(3) });
        listeners.batch(&engine, 3, signed_in(3));
        listeners.batch(&engine, 5, signed_in(2));
        let (batches, until) = listeners.since(3).expect("kept");
        assert_eq!((batches.len(), until), (1, 5));
        assert_eq!(listeners.since(0).map(|(batches, _)| batches.len()), Some(2));

        // Events 5 and 6 never came here: what is kept no longer tells a socket at 5 or before.
        let woken = ticket.notify.notified();
        listeners.batch(&engine, 9, signed_in(2));
        assert!(listeners.since(5).is_none(), "a socket at 5 gets a whole view");
        assert!(listeners.since(3).is_none());
        assert_eq!(listeners.since(7).map(|(batches, until)| (batches.len(), until)), Some((1, 9)));
        // The socket was woken (its permit is waiting).
        futures_util::FutureExt::now_or_never(woken).expect("woken");
        listeners.leave(&ticket);
        assert!(listeners.is_empty());
    }

    #[test]
    fn the_batches_kept_are_bounded_by_their_events_and_a_socket_behind_them_gets_a_whole_view() {
        let engine = Engine::new(handoff::starter_workspace(), 1);
        let mut listeners = Listeners::default();
        listeners.batch(&engine, 2, signed_in(2));
        listeners.batch(&engine, 4, signed_in(2));
        // A big batch: the two before it are let go, the events kept stay within the bound.
        let big = RECENT_EVENTS - 1;
        let after_big = 4 + big as u64;
        listeners.batch(&engine, after_big, signed_in(big));
        assert!(listeners.recent_events <= RECENT_EVENTS);
        assert!(listeners.since(2).is_none(), "a socket behind the batches kept gets a whole view");
        assert_eq!(listeners.since(4).map(|(batches, until)| (batches.len(), until)), Some((1, after_big)));

        // A batch bigger than the bound on its own is not kept at all, but it is the latest.
        let huge = RECENT_EVENTS + 1;
        let after_huge = after_big + huge as u64;
        listeners.batch(&engine, after_huge, signed_in(huge));
        assert_eq!((listeners.recent.len(), listeners.recent_events), (0, 0));
        assert_eq!(listeners.latest(), Some(after_huge));
        assert!(listeners.since(after_big).is_none(), "a socket before it gets a whole view");
        assert_eq!(listeners.since(after_huge).map(|(batches, _)| batches.len()), Some(0));

        // The next batch follows on from it: told to a socket at its end, no gap.
        listeners.batch(&engine, after_huge + 1, signed_in(1));
        assert_eq!(listeners.recent_from, None);
        assert_eq!(
            listeners.since(after_huge).map(|(batches, until)| (batches.len(), until)),
            Some((1, after_huge + 1))
        );
        assert!(listeners.since(after_big).is_none());
    }
}
