//! Indexes for fast, fair assignment: one pool per distinct set of eligible agents.
//!
//! A pool keeps the agents who could take a chat automatically right now (signed in, Online,
//! below the cap), ordered by the teamspace's method, and the queue of its pending chats in the
//! order they were queued. A decision is a lookup in an ordered set: logarithmic in agents.
//! Pools are derived data: the engine rebuilds them from agent and chat state, never stores them.

use std::collections::{BTreeSet, VecDeque};

use crate::hash::FxHashMap;
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
    /// Random method: available agents in a list for uniform picks, with each one's position.
    random: Vec<Slot>,
    random_at: FxHashMap<Slot, usize>,
    /// Pending chats by queue sequence; entries whose chat has left the queue are skipped lazily.
    pub queue: VecDeque<(u64, ChatId)>,
    /// How many entries of `queue` are still pending.
    pub queued: usize,
    /// How many members are signed in and Online, for the User availability check.
    pub online: usize,
}

impl Pool {
    pub fn new(members: Vec<Slot>) -> Pool {
        Pool { members, ..Pool::default() }
    }

    pub fn contains(&self, slot: Slot) -> bool {
        self.members.binary_search(&slot).is_ok()
    }

    pub fn has_available(&self) -> bool {
        !self.ranked.is_empty() || !self.random.is_empty()
    }

    pub fn insert(&mut self, method: AssignmentMethod, key: RankKey, slot: Slot) {
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => {
                self.ranked.insert((key, slot));
            }
            AssignmentMethod::Random => {
                if let std::collections::hash_map::Entry::Vacant(entry) = self.random_at.entry(slot) {
                    entry.insert(self.random.len());
                    self.random.push(slot);
                }
            }
            AssignmentMethod::Voluntary => {}
        }
    }

    pub fn remove(&mut self, method: AssignmentMethod, key: RankKey, slot: Slot) {
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => {
                self.ranked.remove(&(key, slot));
            }
            AssignmentMethod::Random => {
                if let Some(at) = self.random_at.remove(&slot) {
                    self.random.swap_remove(at);
                    if let Some(&moved) = self.random.get(at) {
                        self.random_at.insert(moved, at);
                    }
                }
            }
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
                let excluded = except.and_then(|slot| self.random_at.get(&slot).copied());
                let choices = self.random.len() - usize::from(excluded.is_some());
                if choices == 0 {
                    return None;
                }
                let mut index = (draw % choices as u64) as usize;
                if excluded.is_some_and(|at| index >= at) {
                    index += 1;
                }
                Some(self.random[index])
            }
            AssignmentMethod::Voluntary => None,
        }
    }

    pub fn clear_available(&mut self) {
        self.ranked.clear();
        self.random.clear();
        self.random_at.clear();
    }
}

/// A 64-bit mix of the seed and a counter (SplitMix64): the same inputs always give the same draw.
pub fn draw(seed: u64, counter: u64) -> u64 {
    let mut z = seed ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
