//! Indexes for fast, fair assignment: one pool per distinct set of eligible agents.
//!
//! A pool keeps the agents who could take a chat automatically right now (signed in, Online,
//! below the cap), ordered by the teamspace's method, and the queue of its pending chats in the
//! order they were queued. A decision is a lookup in an ordered set: logarithmic in agents.
//! Pools are derived data: the engine rebuilds them from agent and chat state, never stores them.

use std::collections::{BTreeSet, VecDeque};

use crate::ids::ChatId;
use crate::workspace::AssignmentMethod;

/// Position of an agent in the engine's agent table.
pub type Slot = usize;
pub type PoolId = usize;

/// What orders available agents: the first key is picked.
/// Balanced: (open chats, last assignment sequence, agent id). Round robin: (rotation, 0, agent id).
pub type RankKey = (u64, u64, u32);

#[derive(Debug, Clone, Default)]
pub struct Pool {
    /// Agent slots, sorted.
    pub members: Vec<Slot>,
    ranked: BTreeSet<(RankKey, Slot)>,
    /// Random method: which members (by position in `members`) are available, counted in a
    /// Fenwick tree so that the k-th available member is found in logarithmic time. The order
    /// is the members' order, whatever happened before: a restored snapshot picks the same.
    available: Vec<bool>,
    counts: Vec<u32>,
    available_count: usize,
    /// Pending chats by queue sequence; entries whose chat has left the queue are skipped lazily.
    pub queue: VecDeque<(u64, ChatId)>,
    /// How many entries of `queue` are still pending.
    pub queued: usize,
    /// How many members are signed in and Online, for the User availability check.
    pub online: usize,
}

impl Pool {
    pub fn new(members: Vec<Slot>) -> Pool {
        let size = members.len();
        Pool { members, available: vec![false; size], counts: vec![0; size + 1], ..Pool::default() }
    }

    pub fn contains(&self, slot: Slot) -> bool {
        self.members.binary_search(&slot).is_ok()
    }

    pub fn has_available(&self) -> bool {
        !self.ranked.is_empty() || self.available_count > 0
    }

    pub fn insert(&mut self, method: AssignmentMethod, key: RankKey, slot: Slot) {
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => {
                self.ranked.insert((key, slot));
            }
            AssignmentMethod::Random => self.set_available(slot, true),
            AssignmentMethod::Voluntary => {}
        }
    }

    pub fn remove(&mut self, method: AssignmentMethod, key: RankKey, slot: Slot) {
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => {
                self.ranked.remove(&(key, slot));
            }
            AssignmentMethod::Random => self.set_available(slot, false),
            AssignmentMethod::Voluntary => {}
        }
    }

    /// The agent the method picks, other than `except`; `draw` is a fresh random number.
    pub fn pick(&self, method: AssignmentMethod, except: Option<Slot>, draw: u64) -> Option<Slot> {
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => {
                self.ranked.iter().map(|&(_, slot)| slot).find(|&slot| Some(slot) != except)
            }
            AssignmentMethod::Random => {
                // The rank of `except` among the available members, if it is one of them.
                let excluded = except
                    .and_then(|slot| self.members.binary_search(&slot).ok())
                    .filter(|&at| self.available[at])
                    .map(|at| self.available_before(at));
                let choices = self.available_count - usize::from(excluded.is_some());
                if choices == 0 {
                    return None;
                }
                let mut rank = (draw % choices as u64) as usize;
                if excluded.is_some_and(|excluded| rank >= excluded) {
                    rank += 1;
                }
                Some(self.members[self.nth_available(rank)])
            }
            AssignmentMethod::Voluntary => None,
        }
    }

    pub fn clear_available(&mut self) {
        self.ranked.clear();
        self.available.fill(false);
        self.counts.fill(0);
        self.available_count = 0;
    }

    fn set_available(&mut self, slot: Slot, available: bool) {
        let at = self.members.binary_search(&slot).expect("only members are made available");
        if self.available[at] == available {
            return;
        }
        self.available[at] = available;
        if available {
            self.available_count += 1;
        } else {
            self.available_count -= 1;
        }
        // Fenwick update of position `at` (1-based inside the tree).
        let mut index = at + 1;
        while index < self.counts.len() {
            if available {
                self.counts[index] += 1;
            } else {
                self.counts[index] -= 1;
            }
            index += index & index.wrapping_neg();
        }
    }

    /// How many members before position `at` are available.
    fn available_before(&self, at: usize) -> usize {
        let (mut index, mut sum) = (at, 0);
        while index > 0 {
            sum += self.counts[index] as usize;
            index -= index & index.wrapping_neg();
        }
        sum
    }

    /// The position of the available member of rank `rank` (0 for the first).
    fn nth_available(&self, rank: usize) -> usize {
        let size = self.counts.len() - 1;
        let (mut position, mut remaining) = (0, rank as u32);
        let mut step = size.next_power_of_two();
        while step > 0 {
            let next = position + step;
            if next <= size && self.counts[next] <= remaining {
                position = next;
                remaining -= self.counts[next];
            }
            step /= 2;
        }
        position
    }
}

/// A 64-bit mix of the seed and a counter (SplitMix64): the same inputs always give the same draw.
pub fn draw(seed: u64, counter: u64) -> u64 {
    let mut z = seed ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
