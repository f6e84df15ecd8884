//! The engine: the state of every live agent and chat, `handle` to decide what a command does,
//! and `apply` to carry out one event.
//!
//! `handle` applies each event as soon as it decides it, so later decisions in the same command
//! see its effects (a close frees a slot, then the queue drains into it). `apply` never decides:
//! replaying a command's events on the state it started from gives the same state.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, ChatId, Language, NodeId, TeamId, Timestamp};
use crate::localized::Localized;
use crate::matching::Recognizer;
use crate::pools::{Pool, PoolId, RankKey, Slot, draw};
use crate::protocol::{AssignedBy, Command, Event, Frame, Presence, RATINGS, Rejection, TransferTarget, Waiting};
use crate::workflow::{ActionKind, Assign, Condition, Handoff, IndexedWorkflow, Sequence, Targets, TriggerKind};
use crate::workspace::{AssignmentMethod, ChatAssignment, Role, Workspace};

/// The most actions one customer turn may run before the engine stops the workflow: a guard
/// against Jump To loops that never wait for the customer.
pub const MAX_STEPS_PER_TURN: usize = 256;

/// The state document writes it as it always has, `signed_in` and `presence` side by side
/// (`stored::StoredAgent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "crate::stored::StoredAgent", into = "crate::stored::StoredAgent")]
pub struct AgentState {
    pub id: AgentId,
    pub status: AgentStatus,
    pub open_chats: u32,
    /// The assignment counter's value at this agent's last assignment; 0 if never.
    pub last_assignment: u64,
    /// Place in the round-robin rotation: smaller goes first.
    pub rotation: u64,
}

/// Whether a live agent is signed in and, if so, Online or Away: a signed-out agent has no
/// presence to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentStatus {
    SignedOut,
    Online,
    Away,
}

impl AgentStatus {
    /// Signed in with this presence.
    pub fn signed_in(presence: Presence) -> AgentStatus {
        match presence {
            Presence::Online => AgentStatus::Online,
            Presence::Away => AgentStatus::Away,
        }
    }

    pub fn is_signed_in(self) -> bool {
        self != AgentStatus::SignedOut
    }

    /// The presence of a signed-in agent; `None` when signed out.
    pub fn presence(self) -> Option<Presence> {
        match self {
            AgentStatus::SignedOut => None,
            AgentStatus::Online => Some(Presence::Online),
            AgentStatus::Away => Some(Presence::Away),
        }
    }
}

/// Where a chat is in its lifecycle, with what each stage holds: a chat with the live side has
/// the eligibility that says who may take it, and an assigned one its assignee and how they got
/// it. An open chat always has exactly one assignee.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChatStatus {
    /// With the AI agent.
    Bot,
    /// Handed off and waiting in the Pending queue; `queued` orders the queue, oldest first.
    Pending {
        queued: u64,
        eligibility: Eligibility,
    },
    Open {
        assignee: AgentId,
        eligibility: Eligibility,
        assigned_by: AssignedBy,
    },
    /// Closed by a live agent; the hand-back flow runs until a new AI session starts. It keeps
    /// who could take it and how its assignee got it, for the Closed folder and "Why".
    Closed {
        by: AgentId,
        eligibility: Eligibility,
        assigned_by: AssignedBy,
    },
}

/// A chat's status without what the live side holds for it: the stage and its one number
/// (the place in the order of queueing, the assignee, who closed it). What the state document
/// and the journal write as `status`, beside the eligibility and how the chat was assigned in
/// fields of their own (`stored::StoredChat`), and what a scenario's report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChatStage {
    Bot,
    Pending { queued: u64 },
    Open { assignee: AgentId },
    Closed { by: AgentId },
}

impl ChatStatus {
    pub fn stage(&self) -> ChatStage {
        match self {
            ChatStatus::Bot => ChatStage::Bot,
            ChatStatus::Pending { queued, .. } => ChatStage::Pending { queued: *queued },
            ChatStatus::Open { assignee, .. } => ChatStage::Open { assignee: *assignee },
            ChatStatus::Closed { by, .. } => ChatStage::Closed { by: *by },
        }
    }

    /// The stage with the eligibility and the way it was assigned, as stored beside it: `Err`
    /// says what is missing or out of place. How an assignment of a chat now pending again came
    /// about, which older builds kept, is dropped.
    pub(crate) fn from_parts(
        stage: ChatStage,
        eligibility: Option<Eligibility>,
        assigned_by: Option<AssignedBy>,
    ) -> Result<ChatStatus, &'static str> {
        match (stage, eligibility, assigned_by) {
            (ChatStage::Bot, None, None) => Ok(ChatStatus::Bot),
            (ChatStage::Bot, _, _) => Err("a chat with the AI agent has no eligibility and no assignee"),
            (ChatStage::Pending { queued }, Some(eligibility), _) => Ok(ChatStatus::Pending { queued, eligibility }),
            (ChatStage::Open { assignee }, Some(eligibility), Some(assigned_by)) => {
                Ok(ChatStatus::Open { assignee, eligibility, assigned_by })
            }
            (ChatStage::Closed { by }, Some(eligibility), Some(assigned_by)) => {
                Ok(ChatStatus::Closed { by, eligibility, assigned_by })
            }
            (_, None, _) => Err("a chat with the live side needs its eligibility"),
            (_, Some(_), None) => Err("a chat given to a live agent needs how it was assigned"),
        }
    }

    /// Who may take the chat; `None` while it is with the AI agent.
    pub fn eligibility(&self) -> Option<&Eligibility> {
        match self {
            ChatStatus::Bot => None,
            ChatStatus::Pending { eligibility, .. }
            | ChatStatus::Open { eligibility, .. }
            | ChatStatus::Closed { eligibility, .. } => Some(eligibility),
        }
    }

    /// How the open (or since closed) chat's assignee got it.
    pub fn assigned_by(&self) -> Option<AssignedBy> {
        match self {
            ChatStatus::Open { assigned_by, .. } | ChatStatus::Closed { assigned_by, .. } => Some(*assigned_by),
            ChatStatus::Bot | ChatStatus::Pending { .. } => None,
        }
    }

    /// The assignee of an open chat.
    pub fn assignee(&self) -> Option<AgentId> {
        match self {
            ChatStatus::Open { assignee, .. } => Some(*assignee),
            _ => None,
        }
    }

    /// A pending chat's place in the order of queueing.
    pub fn queued(&self) -> Option<u64> {
        match self {
            ChatStatus::Pending { queued, .. } => Some(*queued),
            _ => None,
        }
    }
}

/// Which agents may see and take a chat.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Eligibility {
    /// The targets of a Human Handoff action, for the chat's language.
    Handoff { node: NodeId, language: Language },
    /// The members of a team the chat was transferred to.
    Team { team: TeamId },
}

/// The state document writes it as it always has, the eligibility and how it was assigned
/// beside the status (`stored::StoredChat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "crate::stored::StoredChat", into = "crate::stored::StoredChat")]
pub struct Chat {
    pub id: ChatId,
    pub language: Language,
    pub started_at: Timestamp,
    pub status: ChatStatus,
    /// Grows with every change of status or assignee; a claim names the version it saw.
    pub version: u32,
    /// The Human Handoff action of the current or last livechat.
    pub handoff: Option<NodeId>,
    pub variables: BTreeMap<String, String>,
    pub waiting: Waiting,
    /// Everything that happened in the chat, in order.
    pub transcript: Vec<Event>,
}

/// Counters that order assignments, the rotation and the queue, and feed random draws. A
/// snapshot may hold any numbers, so they (and a chat's version) wrap rather than overflow, and
/// an agent's count of open chats saturates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub assignments: u64,
    pub automatic_assignments: u64,
    pub rotation: u64,
    pub queue: u64,
}

/// Everything the engine knows besides the workspace: what a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub seed: u64,
    pub assignment: ChatAssignment,
    pub agents: Vec<AgentState>,
    /// Serialized in id order, so that snapshots of the same state read the same.
    #[serde(serialize_with = "chats_in_id_order")]
    pub chats: FxHashMap<ChatId, Chat>,
    pub counters: Counters,
}

/// The workspace with its derived indexes; shared so that a run can read it while state changes.
#[derive(Debug)]
struct Config {
    workspace: Workspace,
    workflow: IndexedWorkflow,
    slot_of: FxHashMap<AgentId, Slot>,
    /// Compiled once per workflow: matching a message never analyses a phrase again.
    recognizers: Recognizers,
}

/// One `Recognizer` per level of sibling Message Received triggers: the top level, and each
/// action with nested ones.
#[derive(Debug)]
struct Recognizers {
    top: Recognizer,
    nested: FxHashMap<NodeId, Recognizer>,
}

impl Recognizers {
    /// Each phrase is analysed in its own language (its stemmer, its stop words).
    fn new(workflow: &IndexedWorkflow) -> Recognizers {
        let compile = Recognizer::for_level;
        let nested = workflow
            .workflow
            .entries()
            .into_iter()
            .filter_map(|entry| match entry.node {
                crate::workflow::NodeRef::Action(action) => Some((action.id, compile(&action.triggers)?)),
                crate::workflow::NodeRef::Trigger(_) => None,
            })
            .collect();
        Recognizers { top: compile(&workflow.workflow.triggers).unwrap_or_default(), nested }
    }
}

#[derive(Debug, Clone)]
pub struct Engine {
    config: Arc<Config>,
    state: State,
    pools: Vec<Pool>,
    pool_of: FxHashMap<Eligibility, PoolId>,
    /// The pools each agent slot belongs to.
    agent_pools: Vec<Vec<PoolId>>,
    /// For each pool, the pools that share an agent with it, itself included: whose pending
    /// chats compete with its own for the same agents.
    overlapping: Vec<Vec<PoolId>>,
    /// The languages the Human Handoffs have queues for: those the AI agent speaks, and those
    /// of chats started before one was removed.
    languages: Vec<Language>,
    /// Pick by scanning every eligible agent instead of the pools' ordered index.
    linear_scan: bool,
    /// The places in the queue another engine told this one (`tell_place`), when this one holds
    /// only some of the chats (a viewer's replica) and so cannot count the chats ahead of one.
    /// `None` on an engine that holds them all and counts.
    told_places: Option<FxHashMap<ChatId, usize>>,
    /// What the inbox's Mine and Closed folders need of every chat, kept per event so that a
    /// change does not make each page look at every chat again.
    filed: Filed,
}

/// The chats open with each agent (in id order), and how many chats are closed, by whom their
/// last livechat was closed: `Filing` of every chat, summed.
#[derive(Debug, Clone, Default)]
struct Filed {
    open_with: FxHashMap<AgentId, BTreeSet<ChatId>>,
    closed_by: FxHashMap<AgentId, usize>,
    closed: usize,
}

/// What of a chat decides its Mine and Closed folders: its assignee while it is open, and who
/// closed its last livechat while it is closed or back with the AI agent after one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Filing {
    open_with: Option<AgentId>,
    closed_by: Option<AgentId>,
}

impl Filing {
    fn of(chat: &Chat) -> Filing {
        let closed_by = match &chat.status {
            ChatStatus::Closed { by, .. } => Some(*by),
            ChatStatus::Bot if chat.handoff.is_some() => crate::inbox::last_closed_by(chat),
            _ => None,
        };
        Filing { open_with: chat.status.assignee(), closed_by }
    }
}

impl Filed {
    fn change(&mut self, chat: ChatId, before: Filing, after: Filing) {
        if before == after {
            return;
        }
        if let Some(agent) = before.open_with
            && let Some(open) = self.open_with.get_mut(&agent)
        {
            open.remove(&chat);
        }
        if let Some(agent) = after.open_with {
            self.open_with.entry(agent).or_default().insert(chat);
        }
        if let Some(agent) = before.closed_by {
            self.closed -= 1;
            if let Some(count) = self.closed_by.get_mut(&agent) {
                *count -= 1;
            }
        }
        if let Some(agent) = after.closed_by {
            self.closed += 1;
            *self.closed_by.entry(agent).or_default() += 1;
        }
    }
}

/// The pool of no agent, always built first: what a lookup of an eligibility without a pool
/// gives, so that no lookup can miss. Under `fits` it is never reached by an eligibility of a
/// chat, but a chat in it would wait, visible, for nobody, rather than stop the engine.
const NOBODY: PoolId = 0;

/// Why an event does not fit an engine (`Engine::fits`): it was decided under another
/// workspace, or the journal it was read from is not the engine's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// It names an agent who is not in the teamspace.
    Agent(AgentId),
    /// It names a chat that was never started.
    Chat(ChatId),
    /// It starts a chat that was started already.
    Restarted(ChatId),
    /// It queues the chat for a Human Handoff or a team the workspace no longer has.
    Queue,
    /// It hands off a chat that is with the live side already.
    WithTheLiveSide(ChatId),
    /// It assigns, transfers or re-queues a chat that was never handed off.
    NeverHandedOff(ChatId),
    /// It takes the chat from an agent who does not have it.
    NotAssigned { chat: ChatId, agent: AgentId },
    /// It closes a chat that is not open.
    NotOpen(ChatId),
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::Agent(agent) => write!(f, "it names {agent}, who is not in the teamspace"),
            Misfit::Chat(chat) => write!(f, "it names {chat}, which does not exist"),
            Misfit::Restarted(chat) => write!(f, "it starts {chat}, which was started already"),
            Misfit::Queue => f.write_str("it queues the chat for a handoff or a team the workspace no longer has"),
            Misfit::WithTheLiveSide(chat) => write!(f, "it hands off {chat}, which is with the live side already"),
            Misfit::NeverHandedOff(chat) => write!(f, "it gives {chat} to the live side, but it was never handed off"),
            Misfit::NotAssigned { chat, agent } => write!(f, "it takes {chat} from {agent}, who does not have it"),
            Misfit::NotOpen(chat) => write!(f, "it closes {chat}, which is not with a live agent"),
        }
    }
}

/// Whether the workspace still has the queue: the Human Handoff (for any language: one the
/// AI agent no longer speaks is routed by the handoff's main list) or the team. The one check
/// of a queue, for events (`Engine::fits`) and for snapshots (`load_state`).
pub(crate) fn queue_exists(workflow: &IndexedWorkflow, workspace: &Workspace, eligibility: &Eligibility) -> bool {
    match eligibility {
        Eligibility::Handoff { node, .. } => workflow.handoff(*node).is_some(),
        Eligibility::Team { team } => workspace.teamspace.team(*team).is_some(),
    }
}

impl Engine {
    /// A fresh engine: nobody signed in, no chats. `seed` feeds the Random method.
    pub fn new(workspace: Workspace, seed: u64) -> Engine {
        let state = State {
            seed,
            assignment: workspace.teamspace.assignment,
            agents: Vec::new(),
            chats: FxHashMap::default(),
            counters: Counters::default(),
        };
        Engine::from_state(workspace, state)
    }

    /// An engine holding `state`, with its indexes rebuilt. A state read from storage is checked
    /// against the workspace first (`load_state`, `load_state_bytes`); any other state at least
    /// gets one agent per live agent of the teamspace, in its order, since every index of the
    /// engine is a place in that list (an agent the state lacks starts signed out, and one the
    /// teamspace lacks is dropped).
    pub fn from_state(workspace: Workspace, mut state: State) -> Engine {
        let in_state = std::mem::take(&mut state.agents);
        state.agents = workspace
            .teamspace
            .agents
            .iter()
            .enumerate()
            .map(|(slot, agent)| {
                // A checked state has each agent in its place already.
                let in_place = in_state.get(slot).filter(|state| state.id == agent.id);
                let found = in_place.or_else(|| in_state.iter().find(|state| state.id == agent.id)).cloned();
                found.unwrap_or(AgentState {
                    id: agent.id,
                    status: AgentStatus::SignedOut,
                    open_chats: 0,
                    last_assignment: 0,
                    rotation: 0,
                })
            })
            .collect();
        let slot_of = workspace.teamspace.agents.iter().enumerate().map(|(slot, agent)| (agent.id, slot)).collect();
        let workflow = IndexedWorkflow::new(workspace.ai_agent.workflow.clone());
        let recognizers = Recognizers::new(&workflow);
        let config = Arc::new(Config { workspace, workflow, slot_of, recognizers });
        let mut engine = Engine {
            config,
            state,
            pools: Vec::new(),
            pool_of: FxHashMap::default(),
            agent_pools: Vec::new(),
            overlapping: Vec::new(),
            languages: Vec::new(),
            linear_scan: false,
            told_places: None,
            filed: Filed::default(),
        };
        engine.build_pools();
        for chat in engine.state.chats.values() {
            engine.filed.change(chat.id, Filing::default(), Filing::of(chat));
        }
        engine
    }

    /// Picks assignees by scanning every eligible agent rather than through the pools' ordered
    /// index. Same rules, linear cost: the naive baseline `cargo xtask bench` measures against,
    /// and an oracle the property tests compare the index with.
    pub fn set_linear_scan(&mut self, on: bool) {
        self.linear_scan = on;
    }

    pub fn workspace(&self) -> &Workspace {
        &self.config.workspace
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The top-level Message Received trigger that a new chat's first message in `language`
    /// fires, by the workflow's compiled recognizer; `None` is the top level's Fallback.
    pub fn first_message_trigger(&self, text: &str, language: &Language) -> Option<NodeId> {
        let default_language = &self.config.workspace.ai_agent.default_language;
        let recognition = self.config.recognizers.top.recognise(text, language, default_language)?;
        Some(recognition.intent)
    }

    pub fn chat(&self, id: ChatId) -> Option<&Chat> {
        self.state.chats.get(&id)
    }

    pub fn agent(&self, id: AgentId) -> Option<&AgentState> {
        self.config.slot_of.get(&id).map(|&slot| &self.state.agents[slot])
    }

    /// The agents who may see and take the chat (empty while it is with the AI agent).
    pub fn eligible_agents(&self, chat: &Chat) -> Vec<AgentId> {
        match chat.status.eligibility().and_then(|eligibility| self.pool_of.get(eligibility)) {
            Some(&pool) => self.pools[pool].members.iter().map(|&slot| self.state.agents[slot].id).collect(),
            None => Vec::new(),
        }
    }

    /// A pending chat's place in the queue, counting from 1: one plus the number of older pending
    /// chats that could be given to one of its eligible agents before it (SPEC). `None` unless
    /// the chat is pending. An engine that was told places (`answer_with_told_places`) answers
    /// with the place it was told, and `None` for a pending chat it was told none for.
    pub fn queue_place(&self, chat: ChatId) -> Option<usize> {
        let current = self.chat(chat)?;
        let ChatStatus::Pending { queued, eligibility } = &current.status else { return None };
        if let Some(told) = &self.told_places {
            return told.get(&chat).copied();
        }
        let (queued, pool) = (*queued, *self.pool_of.get(eligibility)?);
        let older = self.overlapping[pool]
            .iter()
            .flat_map(|&other| self.pools[other].queue.iter())
            .filter(|&&(seq, other)| seq < queued && self.is_still_queued(seq, other))
            .count();
        Some(older + 1)
    }

    /// Every pending chat's place in the queue, as `queue_place` gives it, in one pass.
    pub fn queue_places(&self) -> FxHashMap<ChatId, usize> {
        if let Some(told) = &self.told_places {
            let pending = told.iter().filter(|(chat, _)| self.queue_place(**chat).is_some());
            return pending.map(|(&chat, &place)| (chat, place)).collect();
        }
        self.places_until(u64::MAX)
    }

    /// The places of `chats` in the queue, as `queue_place` gives them, in one pass that stops
    /// after the newest of them: a page of the oldest chats costs little however long the queue.
    pub fn queue_places_of(&self, chats: &[ChatId]) -> Vec<Option<usize>> {
        if self.told_places.is_some() {
            return chats.iter().map(|&chat| self.queue_place(chat)).collect();
        }
        let newest = chats.iter().filter_map(|&chat| self.chat(chat)?.status.queued()).max();
        let Some(newest) = newest else { return vec![None; chats.len()] };
        let places = self.places_until(newest);
        chats.iter().map(|chat| places.get(chat).copied()).collect()
    }

    /// The places of the pending chats queued at `newest` or before.
    fn places_until(&self, newest: u64) -> FxHashMap<ChatId, usize> {
        // How many of the chats taken so far (all older) wait in each pool.
        let mut waiting = vec![0usize; self.pools.len()];
        let mut places = FxHashMap::default();
        for (queued, chat, pool) in self.queued_in((0..self.pools.len()).collect()) {
            if queued > newest {
                break;
            }
            let older: usize = self.overlapping[pool].iter().map(|&other| waiting[other]).sum();
            places.insert(chat.id, older + 1);
            waiting[pool] += 1;
        }
        places
    }

    /// How many chats are pending.
    pub fn pending_count(&self) -> usize {
        self.pools.iter().map(|pool| pool.queued).sum()
    }

    /// How many pending chats the agent may take.
    pub fn pending_count_for(&self, agent: AgentId) -> usize {
        self.pools_of(agent).iter().map(|&pool| self.pools[pool].queued).sum()
    }

    /// The pending chats the agent may take, oldest first.
    pub fn pending_for(&self, agent: AgentId) -> impl Iterator<Item = &Chat> + '_ {
        self.queued_in(self.pools_of(agent).to_vec()).map(|(_, chat, _)| chat)
    }

    /// The chats open with the agent, in id order.
    pub fn open_chats_of(&self, agent: AgentId) -> impl Iterator<Item = &Chat> + '_ {
        let open = self.filed.open_with.get(&agent).into_iter().flatten();
        open.filter_map(|chat| self.state.chats.get(chat))
    }

    /// How many chats are closed or back with the AI agent after a livechat: those whose last
    /// livechat `by` closed, or all of them.
    pub fn closed_count(&self, by: Option<AgentId>) -> usize {
        match by {
            Some(agent) => self.filed.closed_by.get(&agent).copied().unwrap_or(0),
            None => self.filed.closed,
        }
    }

    fn pools_of(&self, agent: AgentId) -> &[PoolId] {
        self.slot_of(agent).and_then(|slot| self.agent_pools.get(slot)).map_or(&[], Vec::as_slice)
    }

    /// The pending chats of `pools`, oldest first, each with its place in the order of queueing
    /// and its pool: their queues (each already oldest first) merged, skipping the entries of
    /// chats that have left the queue.
    fn queued_in(&self, pools: Vec<PoolId>) -> impl Iterator<Item = (u64, &Chat, PoolId)> + '_ {
        let next_live = move |pool: PoolId, from: &mut usize| {
            let queue = &self.pools[pool].queue;
            while let Some(&(queued, chat)) = queue.get(*from) {
                *from += 1;
                if let Some(chat) = self.queued_chat(queued, chat) {
                    return Some((queued, chat));
                }
            }
            None
        };
        /// Where the merge is in one pool's queue, and the oldest chat of it not yet given.
        struct Cursor<'a> {
            pool: PoolId,
            from: usize,
            front: Option<(u64, &'a Chat)>,
        }
        let mut cursors: Vec<Cursor> = pools
            .into_iter()
            .map(|pool| {
                let mut from = 0;
                let front = next_live(pool, &mut from);
                Cursor { pool, from, front }
            })
            .collect();
        std::iter::from_fn(move || {
            let (_, oldest) = cursors
                .iter()
                .enumerate()
                .filter_map(|(index, cursor)| cursor.front.map(|(queued, _)| (queued, index)))
                .min()?;
            let cursor = &mut cursors[oldest];
            let (queued, chat) = cursor.front.take()?;
            cursor.front = next_live(cursor.pool, &mut cursor.from);
            Some((queued, chat, cursor.pool))
        })
    }

    fn is_still_queued(&self, queued: u64, chat: ChatId) -> bool {
        self.queued_chat(queued, chat).is_some()
    }

    /// The chat of a queue entry, if it still waits there (it may have left since).
    fn queued_chat(&self, queued: u64, chat: ChatId) -> Option<&Chat> {
        self.chat(chat).filter(|found| found.status.queued() == Some(queued))
    }

    /// Whether the chat waits for a rating from a Collect Feedback action that also asks for an
    /// optional comment: the widget then offers a comment box after the rating.
    pub fn asks_for_comment(&self, chat: ChatId) -> bool {
        let Some(Waiting::Feedback { action, .. }) = self.chat(chat).map(|chat| &chat.waiting) else { return false };
        matches!(
            self.config.workflow.action(*action).map(|action| &action.kind),
            Some(ActionKind::CollectFeedback(feedback)) if feedback.comment
        )
    }

    /// Decides what the command does, applies it, and returns the events; on a rejection nothing changed.
    pub fn handle(&mut self, now: Timestamp, command: Command) -> Result<Vec<Event>, Rejection> {
        let mut turn = Turn { now, events: Vec::new() };
        self.decide(&mut turn, command)?;
        Ok(turn.events)
    }

    fn decide(&mut self, turn: &mut Turn, command: Command) -> Result<(), Rejection> {
        let at = turn.now;
        match command {
            Command::SignIn { agent } => {
                let slot = self.slot(agent)?;
                if !self.state.agents[slot].status.is_signed_in() {
                    self.emit(turn, Event::AgentSignedIn { agent, at });
                    self.drain_for(turn, slot);
                }
            }
            Command::SignOut { agent } => {
                let slot = self.slot(agent)?;
                if self.state.agents[slot].status.is_signed_in() {
                    self.emit(turn, Event::AgentSignedOut { agent, at });
                    let open: Vec<ChatId> = self.chats_assigned_to(agent);
                    for chat in open {
                        self.emit(turn, Event::Unassigned { chat, from: agent, at });
                        self.assign_or_queue(turn, chat, None);
                    }
                }
            }
            Command::SetPresence { agent, presence } => {
                let slot = self.slot(agent)?;
                let Some(current) = self.state.agents[slot].status.presence() else {
                    return Err(Rejection::NotSignedIn { agent });
                };
                if current != presence {
                    self.emit(turn, Event::PresenceChanged { agent, presence, at });
                    self.drain_for(turn, slot);
                }
            }
            Command::SetAssignment { agent, assignment } => {
                // Not only a signed-in admin: signing in is for taking chats at the desk.
                let slot = self.slot(agent)?;
                if !self.is_admin(slot) {
                    return Err(Rejection::NotAdmin { agent });
                }
                if assignment != self.state.assignment {
                    self.emit(turn, Event::AssignmentChanged { assignment, at });
                    self.drain_all(turn);
                }
            }
            Command::ServeQueues => self.drain_all(turn),
            Command::StartChat { chat, language } => {
                if self.state.chats.contains_key(&chat) {
                    return Err(Rejection::ChatExists { chat });
                }
                if !self.config.workspace.ai_agent.supports(&language) {
                    return Err(Rejection::UnsupportedLanguage { language });
                }
                self.emit(turn, Event::ChatStarted { chat, language, at });
                let config = Arc::clone(&self.config);
                if let Some(trigger) = config.workflow.workflow.top_trigger(|kind| *kind == TriggerKind::ChatStarted) {
                    self.run(turn, chat, Some((Sequence::Trigger(trigger.id), 0)), Vec::new());
                }
            }
            Command::CustomerMessage { chat, text } => {
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(Rejection::EmptyMessage);
                }
                self.existing_chat(chat)?;
                self.emit(turn, Event::CustomerMessage { chat, text: text.clone(), at });
                self.on_customer_message(turn, chat, &text);
            }
            Command::GiveFeedback { chat, rating, comment } => {
                let Waiting::Feedback { .. } = &self.existing_chat(chat)?.waiting else {
                    return Err(Rejection::NotAskingForFeedback { chat });
                };
                if !RATINGS.contains(&rating) {
                    return Err(Rejection::RatingOutOfRange { rating });
                }
                self.give_feedback(turn, chat, rating, comment);
            }
            Command::Claim { chat, agent, seen_version } => {
                self.check_claim(chat, agent, seen_version)?;
                self.emit(turn, Event::Assigned { chat, agent, by: AssignedBy::Claim, at });
            }
            Command::Reply { chat, agent, text } => {
                self.assigned(chat, agent)?;
                let text = non_empty(text)?;
                self.emit(turn, Event::AgentMessage { chat, agent, text, at });
            }
            Command::Note { chat, agent, text } => {
                let slot = self.signed_in_slot(agent)?;
                let current = self.existing_chat(chat)?;
                if !matches!(current.status, ChatStatus::Pending { .. } | ChatStatus::Open { .. }) {
                    return Err(Rejection::NotWithLiveAgent { chat });
                }
                if !self.is_eligible(current, slot) && !self.is_admin(slot) && !is_assignee(current, agent) {
                    return Err(Rejection::NotEligible { agent });
                }
                let text = non_empty(text)?;
                self.emit(turn, Event::NoteAdded { chat, agent, text, at });
            }
            Command::Transfer { chat, agent, to } => self.transfer(turn, chat, agent, to)?,
            Command::TakeoverAndSend { chat, agent, text } => {
                self.check_takeover(chat, agent)?;
                let previous = self.state.chats[&chat].status.assignee();
                let text = non_empty(text)?;
                if previous != Some(agent) {
                    self.emit(turn, Event::Assigned { chat, agent, by: AssignedBy::Takeover, at });
                }
                self.emit(turn, Event::AgentMessage { chat, agent, text, at });
                if let Some(slot) = previous.filter(|&previous| previous != agent).and_then(|id| self.slot_of(id)) {
                    self.drain_for(turn, slot);
                }
            }
            Command::Close { chat, agent } => {
                let assignee = self.open_chat_for(chat, agent)?;
                let handoff = self.state.chats[&chat].handoff;
                self.emit(turn, Event::ChatClosed { chat, by: agent, at });
                if let Some(slot) = self.slot_of(assignee) {
                    self.drain_for(turn, slot);
                }
                self.hand_back(turn, chat, handoff);
            }
        }
        Ok(())
    }

    /// Whether `agent` may claim `chat` as their screen showed it (`seen_version`): signed in,
    /// the chat pending and unchanged since, the agent eligible and, under the availability
    /// check, Online. What `Command::Claim` checks before it assigns, and what the desk offers.
    pub fn check_claim(&self, chat: ChatId, agent: AgentId, seen_version: u32) -> Result<(), Rejection> {
        let slot = self.signed_in_slot(agent)?;
        let current = self.existing_chat(chat)?;
        match current.status.assignee() {
            Some(assignee) if assignee == agent => return Err(Rejection::AlreadyYours { chat, agent }),
            Some(assignee) => return Err(Rejection::AlreadyTaken { chat, by: assignee }),
            None => {}
        }
        if seen_version > current.version {
            // The screen showed a version this chat never had: another set of conversations.
            return Err(Rejection::NotTheChatSeen { chat, seen: seen_version, current: current.version });
        }
        if current.version != seen_version {
            return Err(Rejection::StaleVersion { chat, seen: seen_version, current: current.version });
        }
        let ChatStatus::Pending { .. } = &current.status else {
            return Err(Rejection::NotPending { chat });
        };
        if !self.is_eligible(current, slot) {
            return Err(Rejection::NotEligible { agent });
        }
        if self.availability_check(current) && self.state.agents[slot].status != AgentStatus::Online {
            return Err(Rejection::NotOnline { agent });
        }
        Ok(())
    }

    /// Whether `agent` may take `chat` over and send: signed in, the chat pending or open (with
    /// anyone, the agent included), and the agent an admin or eligible. What
    /// `Command::TakeoverAndSend` checks before it looks at the text.
    pub fn check_takeover(&self, chat: ChatId, agent: AgentId) -> Result<(), Rejection> {
        let slot = self.signed_in_slot(agent)?;
        let current = self.existing_chat(chat)?;
        if !matches!(current.status, ChatStatus::Pending { .. } | ChatStatus::Open { .. }) {
            return Err(Rejection::NotWithLiveAgent { chat });
        }
        if !self.is_admin(slot) && !self.is_eligible(current, slot) {
            return Err(Rejection::NotEligible { agent });
        }
        Ok(())
    }

    /// Whether `apply` can carry out the event on this engine: the agents, the chat and the
    /// queues it names exist here, and the chat is in a state the event can follow. Events
    /// decided under another workspace (an agent removed since, a handoff deleted) may not;
    /// replaying such an event is refused, not attempted.
    pub fn fits(&self, event: &Event) -> Result<(), Misfit> {
        let agent = |agent: &AgentId| match self.config.slot_of.contains_key(agent) {
            true => Ok(()),
            false => Err(Misfit::Agent(*agent)),
        };
        let queue = |eligibility: &Eligibility| match queue_exists(&self.config.workflow, self.workspace(), eligibility)
        {
            true => Ok(()),
            false => Err(Misfit::Queue),
        };
        let Some(id) = event.chat() else {
            return match event {
                Event::AgentSignedIn { agent: who, .. }
                | Event::AgentSignedOut { agent: who, .. }
                | Event::PresenceChanged { agent: who, .. } => agent(who),
                _ => Ok(()),
            };
        };
        let chat = match (event, self.chat(id)) {
            (Event::ChatStarted { .. }, None) => return Ok(()),
            (Event::ChatStarted { .. }, Some(_)) => return Err(Misfit::Restarted(id)),
            (_, Some(chat)) => chat,
            (_, None) => return Err(Misfit::Chat(id)),
        };
        // The assignee the event takes the chat from.
        if let Some(assignee) = chat.status.assignee() {
            agent(&assignee)?;
        }
        let assigned_to = |from: &AgentId| match chat.status.assignee() == Some(*from) {
            true => Ok(()),
            false => Err(Misfit::NotAssigned { chat: id, agent: *from }),
        };
        match event {
            Event::HandedOff { handoff, .. } => match chat.status {
                ChatStatus::Pending { .. } | ChatStatus::Open { .. } => Err(Misfit::WithTheLiveSide(id)),
                _ => queue(&Eligibility::Handoff { node: *handoff, language: chat.language.clone() }),
            },
            Event::Assigned { agent: who, .. } => match chat.status {
                ChatStatus::Pending { .. } | ChatStatus::Open { .. } => agent(who),
                _ => Err(Misfit::NeverHandedOff(id)),
            },
            Event::Transferred { from, to, .. } => {
                agent(from)?;
                assigned_to(from)?;
                match to {
                    TransferTarget::Team(team) => queue(&Eligibility::Team { team: *team }),
                    TransferTarget::Agent(_) => {
                        chat.status.eligibility().map_or(Err(Misfit::NeverHandedOff(id)), queue)
                    }
                }
            }
            Event::Unassigned { from, .. } => {
                agent(from)?;
                assigned_to(from)?;
                chat.status.eligibility().map_or(Err(Misfit::NeverHandedOff(id)), queue)
            }
            Event::ChatClosed { by, .. } => match chat.status {
                ChatStatus::Open { .. } => agent(by),
                _ => Err(Misfit::NotOpen(id)),
            },
            _ => Ok(()),
        }
    }

    /// Carries out the event if it fits (`fits`); otherwise changes nothing and says why. The
    /// only way in for events read from storage or from another backend.
    pub fn try_apply(&mut self, event: &Event) -> Result<(), Misfit> {
        self.fits(event)?;
        self.apply(event);
        Ok(())
    }

    /// Carries out one event. Never decides: every choice is in the event. Only for events that
    /// fit (`try_apply` checks): the engine's own, as it decides them.
    fn apply(&mut self, event: &Event) {
        let chat = event.chat();
        let before = chat.and_then(|chat| self.state.chats.get(&chat)).map(Filing::of).unwrap_or_default();
        self.apply_to_state(event);
        if let Some(chat) = chat {
            let after = self.state.chats.get(&chat).map(Filing::of).unwrap_or_default();
            self.filed.change(chat, before, after);
        }
    }

    fn apply_to_state(&mut self, event: &Event) {
        match event {
            Event::AgentSignedIn { agent, .. } => {
                let rotation = self.next_rotation();
                self.change_named_agent(*agent, |state| {
                    state.status = AgentStatus::Online;
                    state.rotation = rotation;
                });
            }
            Event::AgentSignedOut { agent, .. } => {
                self.change_named_agent(*agent, |state| state.status = AgentStatus::SignedOut);
            }
            Event::PresenceChanged { agent, presence, .. } => {
                let rotation = if *presence == Presence::Online { Some(self.next_rotation()) } else { None };
                self.change_named_agent(*agent, |state| {
                    // Only a signed-in agent has a presence (the engine decides no change for
                    // anyone else); the rotation counts as before.
                    if state.status.is_signed_in() {
                        state.status = AgentStatus::signed_in(*presence);
                    }
                    if let Some(rotation) = rotation {
                        state.rotation = rotation;
                    }
                });
            }
            Event::AssignmentChanged { assignment, .. } => {
                self.state.assignment = *assignment;
                self.refill_available();
            }
            Event::ChatStarted { chat, language, at } => {
                // A language no longer spoken (the chat was started before it was removed)
                // gets its queues before anything can be queued in them.
                let known = self.languages.contains(language);
                self.state.chats.insert(
                    *chat,
                    Chat {
                        id: *chat,
                        language: language.clone(),
                        started_at: *at,
                        status: ChatStatus::Bot,
                        version: 0,
                        handoff: None,
                        variables: BTreeMap::new(),
                        waiting: Waiting::Message { level: None, then: Vec::new() },
                        transcript: Vec::new(),
                    },
                );
                if !known {
                    self.build_pools();
                }
            }
            Event::VariableSet { chat, name, value } => {
                self.chat_mut(*chat).variables.insert(name.clone(), value.clone());
            }
            Event::FlowWaiting { chat, waiting } => self.chat_mut(*chat).waiting = waiting.clone(),
            Event::SessionStarted { chat, .. } => {
                let chat = self.chat_mut(*chat);
                chat.variables.clear();
                chat.status = ChatStatus::Bot;
                chat.waiting = Waiting::Message { level: None, then: Vec::new() };
                chat.version = chat.version.wrapping_add(1);
            }
            Event::SessionEnded { chat, .. } => self.chat_mut(*chat).waiting = Waiting::Ended,
            Event::HandedOff { chat, handoff, .. } => {
                let language = self.state.chats[chat].language.clone();
                let eligibility = Eligibility::Handoff { node: *handoff, language };
                let entry = self.chat_mut(*chat);
                entry.handoff = Some(*handoff);
                entry.waiting = Waiting::LiveAgent { handoff: *handoff };
                self.enqueue(*chat, eligibility);
            }
            Event::Assigned { chat, agent, by, .. } => {
                let eligibility = match &self.state.chats[chat].status {
                    ChatStatus::Pending { eligibility, .. } => {
                        let eligibility = eligibility.clone();
                        self.dequeue(&eligibility);
                        eligibility
                    }
                    ChatStatus::Open { assignee, eligibility, .. } => {
                        let (assignee, eligibility) = (*assignee, eligibility.clone());
                        self.change_named_agent(assignee, |state| {
                            state.open_chats = state.open_chats.saturating_sub(1)
                        });
                        eligibility
                    }
                    // `fits` refuses to assign a chat that was never handed off.
                    ChatStatus::Bot | ChatStatus::Closed { .. } => return,
                };
                self.state.counters.assignments = self.state.counters.assignments.wrapping_add(1);
                let sequence = self.state.counters.assignments;
                let rotation = if *by == AssignedBy::Method(AssignmentMethod::RoundRobin) {
                    Some(self.next_rotation())
                } else {
                    None
                };
                if matches!(by, AssignedBy::Method(_)) {
                    self.state.counters.automatic_assignments =
                        self.state.counters.automatic_assignments.wrapping_add(1);
                }
                self.change_named_agent(*agent, |state| {
                    state.open_chats = state.open_chats.saturating_add(1);
                    state.last_assignment = sequence;
                    if let Some(rotation) = rotation {
                        state.rotation = rotation;
                    }
                });
                let entry = self.chat_mut(*chat);
                entry.status = ChatStatus::Open { assignee: *agent, eligibility, assigned_by: *by };
                entry.version = entry.version.wrapping_add(1);
            }
            Event::Transferred { chat, from, to, .. } => {
                // `fits` refuses to take a chat from anyone but its assignee.
                let ChatStatus::Open { eligibility, .. } = &self.state.chats[chat].status else { return };
                let eligibility = match to {
                    TransferTarget::Team(team) => Eligibility::Team { team: *team },
                    TransferTarget::Agent(_) => eligibility.clone(),
                };
                self.change_named_agent(*from, |state| state.open_chats = state.open_chats.saturating_sub(1));
                self.enqueue(*chat, eligibility);
            }
            Event::Unassigned { chat, from, .. } => {
                // `fits` refuses to take a chat from anyone but its assignee.
                let ChatStatus::Open { eligibility, .. } = &self.state.chats[chat].status else { return };
                let eligibility = eligibility.clone();
                self.change_named_agent(*from, |state| state.open_chats = state.open_chats.saturating_sub(1));
                self.enqueue(*chat, eligibility);
            }
            Event::ChatClosed { chat, by, .. } => {
                // `fits` refuses to close a chat that is not open.
                let ChatStatus::Open { assignee, eligibility, assigned_by } = self.state.chats[chat].status.clone()
                else {
                    return;
                };
                self.change_named_agent(assignee, |state| state.open_chats = state.open_chats.saturating_sub(1));
                let entry = self.chat_mut(*chat);
                entry.status = ChatStatus::Closed { by: *by, eligibility, assigned_by };
                entry.version = entry.version.wrapping_add(1);
            }
            Event::CustomerMessage { .. }
            | Event::AiMessage { .. }
            | Event::FeedbackRequested { .. }
            | Event::FeedbackGiven { .. }
            | Event::FeedbackSkipped { .. }
            | Event::WorkflowStopped { .. }
            | Event::NoAgentAvailable { .. }
            | Event::Queued { .. }
            | Event::AgentMessage { .. }
            | Event::NoteAdded { .. } => {}
        }
        if let Some(chat) = event.chat().filter(|_| event.is_transcript()) {
            self.chat_mut(chat).transcript.push(event.clone());
        }
    }

    // ---- the workflow runner ----

    /// Runs actions from `position`, then the frames of `stack` innermost first, until the flow
    /// waits for the customer or hands the chat to the live side.
    fn run(&mut self, turn: &mut Turn, chat: ChatId, mut position: Option<(Sequence, usize)>, mut stack: Vec<Frame>) {
        let config = Arc::clone(&self.config);
        let workflow = &config.workflow;
        let at = turn.now;
        let mut steps = 0;
        loop {
            if position.is_none() {
                match stack.pop() {
                    None => {
                        let waiting = Waiting::Message { level: None, then: Vec::new() };
                        self.emit(turn, Event::FlowWaiting { chat, waiting });
                        return;
                    }
                    Some(Frame::After { node }) => position = workflow.after(node),
                    Some(Frame::HandoffClosed { handoff }) => {
                        stack.push(Frame::NewSession);
                        position = Some((Sequence::OnClose(handoff), 0));
                    }
                    Some(Frame::NewSession) => {
                        self.emit(turn, Event::SessionStarted { chat, at });
                        return;
                    }
                    Some(Frame::AskAgain { level }) => {
                        let waiting = Waiting::Message { level: Some(level), then: stack };
                        self.emit(turn, Event::FlowWaiting { chat, waiting });
                        return;
                    }
                }
                continue;
            };
            let Some(action) = workflow.take_action(&mut position) else { continue };
            steps += 1;
            if steps > MAX_STEPS_PER_TURN {
                self.emit(turn, Event::WorkflowStopped { chat, node: action.id, at });
                if stack.iter().any(is_obligation) {
                    // A stopped hand-back still ends in a new AI session.
                    self.emit(turn, Event::SessionStarted { chat, at });
                } else {
                    let waiting = Waiting::Message { level: None, then: Vec::new() };
                    self.emit(turn, Event::FlowWaiting { chat, waiting });
                }
                return;
            }
            let node = action.id;
            match &action.kind {
                ActionKind::SendMessage { text, buttons } => {
                    let text = self.fill_in(chat, self.in_chat_language(chat, text));
                    let buttons = buttons.iter().map(|button| self.in_chat_language(chat, button).to_owned()).collect();
                    self.emit(turn, Event::AiMessage { chat, node, text, buttons, at });
                }
                ActionKind::SetChatVariable { name, value } => match value {
                    crate::workflow::VariableValue::Text { text } => {
                        let value = self.fill_in(chat, text);
                        self.emit(turn, Event::VariableSet { chat, name: name.clone(), value });
                    }
                    crate::workflow::VariableValue::NextReply => {
                        stack.push(Frame::After { node });
                        let waiting = Waiting::Reply { action: node, variable: name.clone(), then: stack };
                        self.emit(turn, Event::FlowWaiting { chat, waiting });
                        return;
                    }
                },
                ActionKind::IfElse { condition, .. } => {
                    stack.push(Frame::After { node });
                    let branch = if self.holds(chat, condition) { Sequence::Then(node) } else { Sequence::Else(node) };
                    position = Some((branch, 0));
                    continue;
                }
                ActionKind::HumanHandoff(handoff) => {
                    if self.hand_off(turn, chat, node, handoff) {
                        return;
                    }
                    stack.push(Frame::After { node });
                    position = Some((Sequence::OnNoAgent(node), 0));
                    continue;
                }
                ActionKind::CollectFeedback(feedback) => {
                    let title = self.in_chat_language(chat, &feedback.title).to_owned();
                    let request = self.in_chat_language(chat, &feedback.request).to_owned();
                    self.emit(turn, Event::FeedbackRequested { chat, node, title, request, at });
                    stack.push(Frame::After { node });
                    self.emit(
                        turn,
                        Event::FlowWaiting { chat, waiting: Waiting::Feedback { action: node, then: stack } },
                    );
                    return;
                }
                ActionKind::JumpTo { target } => {
                    keep_obligations(&mut stack);
                    position = workflow.start_of(*target);
                    continue;
                }
                ActionKind::CloseChat => {
                    self.emit(turn, Event::SessionEnded { chat, node, at });
                    return;
                }
            }
            if !action.triggers.is_empty() {
                stack.push(Frame::After { node });
                self.emit(
                    turn,
                    Event::FlowWaiting { chat, waiting: Waiting::Message { level: Some(node), then: stack } },
                );
                return;
            }
        }
    }

    fn on_customer_message(&mut self, turn: &mut Turn, chat: ChatId, text: &str) {
        let current = &self.state.chats[&chat];
        if matches!(current.status, ChatStatus::Pending { .. } | ChatStatus::Open { .. }) {
            return; // The live agent reads it.
        }
        match current.waiting.clone() {
            Waiting::Message { level, then } => self.match_message(turn, chat, level, then, text),
            Waiting::Ended => {
                self.emit(turn, Event::SessionStarted { chat, at: turn.now });
                self.match_message(turn, chat, None, Vec::new(), text);
            }
            Waiting::Reply { variable, then, .. } => {
                self.emit(turn, Event::VariableSet { chat, name: variable, value: text.to_owned() });
                self.run(turn, chat, None, then);
            }
            Waiting::Feedback { then, .. } => match text.parse::<u8>() {
                Ok(rating) if RATINGS.contains(&rating) => self.give_feedback(turn, chat, rating, None),
                _ => {
                    // Anything but a rating skips the feedback; the flow goes on, and the message
                    // is matched where it then waits.
                    self.emit(turn, Event::FeedbackSkipped { chat, at: turn.now });
                    self.run(turn, chat, None, then);
                    if let Waiting::Message { level, then } = self.state.chats[&chat].waiting.clone() {
                        self.match_message(turn, chat, level, then, text);
                    }
                }
            },
            Waiting::LiveAgent { .. } => {}
        }
    }

    /// Nested triggers of the current level first, then the top level, then Fallback. A nested
    /// Fallback asks again: after its actions the chat waits at the same level.
    fn match_message(&mut self, turn: &mut Turn, chat: ChatId, level: Option<NodeId>, then: Vec<Frame>, text: &str) {
        let config = Arc::clone(&self.config);
        let workflow = &config.workflow;
        let nested =
            level.and_then(|node| workflow.action(node)).map(|action| action.triggers.as_slice()).unwrap_or(&[]);
        let top = workflow.workflow.triggers.as_slice();
        let language = &self.state.chats[&chat].language;
        let default_language = &config.workspace.ai_agent.default_language;
        let recognise = |recognizer: Option<&Recognizer>| {
            recognizer?.recognise(text, language, default_language).map(|recognition| recognition.intent)
        };
        let fallback = |trigger: &&crate::workflow::Trigger| trigger.kind == TriggerKind::Fallback;
        let chosen = recognise(level.and_then(|node| config.recognizers.nested.get(&node)))
            .map(|trigger| (trigger, then.clone()))
            .or_else(|| recognise(Some(&config.recognizers.top)).map(|trigger| (trigger, obligations(&then))))
            .or_else(|| {
                let level = level?;
                let again = then.iter().cloned().chain([Frame::AskAgain { level }]).collect();
                nested.iter().find(fallback).map(|trigger| (trigger.id, again))
            })
            .or_else(|| top.iter().find(fallback).map(|trigger| (trigger.id, obligations(&then))));
        if let Some((trigger, stack)) = chosen {
            self.run(turn, chat, Some((Sequence::Trigger(trigger), 0)), stack);
        }
    }

    fn give_feedback(&mut self, turn: &mut Turn, chat: ChatId, rating: u8, comment: Option<String>) {
        let Waiting::Feedback { action, then } = self.state.chats[&chat].waiting.clone() else { return };
        let config = Arc::clone(&self.config);
        let feedback = match config.workflow.action(action).map(|action| &action.kind) {
            Some(ActionKind::CollectFeedback(feedback)) => Some(feedback),
            _ => None,
        };
        // A comment counts only where the action asks for one, and only if it says something.
        let comment = comment
            .filter(|_| feedback.is_some_and(|feedback| feedback.comment))
            .map(|comment| comment.trim().to_owned())
            .filter(|comment| !comment.is_empty());
        self.emit(turn, Event::FeedbackGiven { chat, rating, comment, at: turn.now });
        if let Some(feedback) = feedback {
            if let Some(variable) = &feedback.variable {
                self.emit(turn, Event::VariableSet { chat, name: variable.clone(), value: rating.to_string() });
            }
            let text = self.in_chat_language(chat, &feedback.thank_you).to_owned();
            self.emit(turn, Event::AiMessage { chat, node: action, text, buttons: Vec::new(), at: turn.now });
        }
        self.run(turn, chat, None, then);
    }

    /// The version of a text the AI agent says that the chat reads: its language's, else the
    /// default language's (`Localized::text_in`).
    fn in_chat_language<'t>(&self, chat: ChatId, text: &'t Localized) -> &'t str {
        text.text_in(&self.state.chats[&chat].language, &self.config.workspace.ai_agent.default_language)
    }

    /// Replaces `{name}` with the chat variable's value.
    fn fill_in(&self, chat: ChatId, text: &str) -> String {
        let variables = &self.state.chats[&chat].variables;
        if !text.contains('{') || variables.is_empty() {
            return text.to_owned();
        }
        variables.iter().fold(text.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
    }

    fn holds(&self, chat: ChatId, condition: &Condition) -> bool {
        let current = &self.state.chats[&chat];
        match condition {
            Condition::VariableEquals { name, value } => current.variables.get(name) == Some(value),
            Condition::VariableIsSet { name } => current.variables.contains_key(name),
            Condition::LanguageIs { language } => current.language == *language,
            Condition::LiveAgentOnline { assign } => {
                self.members_of(assign, &current.language).into_iter().any(|slot| self.is_online(slot))
            }
        }
    }

    // ---- handoff, assignment and the queue ----

    /// Hands the chat to the live side; `false` when the no-agent subtree runs instead.
    fn hand_off(&mut self, turn: &mut Turn, chat: ChatId, node: NodeId, handoff: &Handoff) -> bool {
        let at = turn.now;
        let language = self.state.chats[&chat].language.clone();
        let pool = self.pool_id(&Eligibility::Handoff { node, language });
        if handoff.availability_check && self.pools[pool].online == 0 {
            let subtree = handoff.on_no_agent.iter().any(|action| action.enabled);
            self.emit(turn, Event::NoAgentAvailable { chat, handoff: node, subtree, at });
            if subtree {
                return false;
            }
        }
        if !handoff.message.is_empty() {
            let text = self.fill_in(chat, self.in_chat_language(chat, &handoff.message));
            self.emit(turn, Event::AiMessage { chat, node, text, buttons: Vec::new(), at });
        }
        self.emit(turn, Event::HandedOff { chat, handoff: node, at });
        self.assign_or_queue(turn, chat, None);
        true
    }

    /// A pending chat goes to the agent the method picks (never `except`), or waits in the queue.
    fn assign_or_queue(&mut self, turn: &mut Turn, chat: ChatId, except: Option<Slot>) {
        let pool =
            self.state.chats.get(&chat).and_then(|chat| chat.status.eligibility()).map_or(NOBODY, |e| self.pool_id(e));
        let method = self.state.assignment.method;
        let draw = draw(self.state.seed, self.state.counters.assignments);
        match self.pick(pool, except, draw) {
            Some(slot) => {
                let agent = self.state.agents[slot].id;
                self.emit(turn, Event::Assigned { chat, agent, by: AssignedBy::Method(method), at: turn.now });
            }
            None => {
                // The chat is the newest of its queue: every pending chat of an overlapping
                // queue is older and could be given to one of its agents first.
                let position = self.overlapping[pool].iter().map(|&other| self.pools[other].queued).sum();
                self.emit(turn, Event::Queued { chat, position, at: turn.now });
            }
        }
    }

    /// A slot may have opened for this agent: serve the oldest chats queued for its pools.
    fn drain_for(&mut self, turn: &mut Turn, slot: Slot) {
        self.drain(turn, Some(slot));
    }

    /// Slots may have opened anywhere (the method or the cap changed): serve queues oldest first.
    fn drain_all(&mut self, turn: &mut Turn) {
        self.drain(turn, None);
    }

    /// Gives the oldest chat of a pool with an available agent to the agent the method picks,
    /// among the pools of `agent` or all pools, until none is left.
    fn drain(&mut self, turn: &mut Turn, agent: Option<Slot>) {
        while let Some((chat, pool)) = self.oldest_servable(agent) {
            let method = self.state.assignment.method;
            let draw = draw(self.state.seed, self.state.counters.assignments);
            // A servable pool has an available agent, so the pick finds one; were it not, the
            // drain stops rather than serve the same chat forever.
            let Some(slot) = self.pick(pool, None, draw) else { break };
            let agent = self.state.agents[slot].id;
            self.emit(turn, Event::Assigned { chat, agent, by: AssignedBy::Method(method), at: turn.now });
        }
    }

    /// The agent the method picks in the pool, never `except`; `draw` feeds Random.
    fn pick(&self, pool: PoolId, except: Option<Slot>, draw: u64) -> Option<Slot> {
        let method = self.state.assignment.method;
        if !self.linear_scan {
            return self.pools[pool].pick(method, except, draw);
        }
        let available = self.pools[pool]
            .members
            .iter()
            .filter(|&&slot| Some(slot) != except)
            .filter_map(|&slot| self.available_key(slot).map(|key| (key, slot)));
        match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => available.min().map(|(_, slot)| slot),
            AssignmentMethod::Random => {
                let choices: Vec<Slot> = available.map(|(_, slot)| slot).collect();
                (!choices.is_empty()).then(|| choices[(draw % choices.len() as u64) as usize])
            }
            AssignmentMethod::Voluntary => None,
        }
    }

    fn has_available(&self, pool: PoolId) -> bool {
        if !self.linear_scan {
            return self.pools[pool].has_available();
        }
        self.state.assignment.method != AssignmentMethod::Voluntary
            && self.pools[pool].members.iter().any(|&slot| self.available_key(slot).is_some())
    }

    /// The oldest queued chat whose pool has an available agent, among the pools of `agent`, or
    /// among all pools.
    fn oldest_servable(&mut self, agent: Option<Slot>) -> Option<(ChatId, PoolId)> {
        let mut best: Option<(u64, ChatId, PoolId)> = None;
        let count = agent.map_or(self.pools.len(), |slot| self.agent_pools[slot].len());
        for index in 0..count {
            let pool = agent.map_or(index, |slot| self.agent_pools[slot][index]);
            if !self.has_available(pool) {
                continue;
            }
            if let Some((queued, chat)) = self.queue_head(pool)
                && best.is_none_or(|(oldest, _, _)| queued < oldest)
            {
                best = Some((queued, chat, pool));
            }
        }
        best.map(|(_, chat, pool)| (chat, pool))
    }

    /// The pool's oldest chat still pending, dropping entries of chats that left the queue.
    fn queue_head(&mut self, pool: PoolId) -> Option<(u64, ChatId)> {
        while let Some(&(queued, chat)) = self.pools[pool].queue.front() {
            if self.is_still_queued(queued, chat) {
                return Some((queued, chat));
            }
            self.pools[pool].queue.pop_front();
        }
        None
    }

    fn transfer(&mut self, turn: &mut Turn, chat: ChatId, agent: AgentId, to: TransferTarget) -> Result<(), Rejection> {
        let assignee = self.open_chat_for(chat, agent)?;
        let current = &self.state.chats[&chat];
        let at = turn.now;
        let from_slot = self.slot(assignee)?;
        match to {
            TransferTarget::Agent(target) => {
                let target_slot = self.signed_in_slot(target)?;
                if target == assignee {
                    return Err(Rejection::SameAgent { agent: target });
                }
                // SPEC: Away agents keep the chats they have and receive no new ones.
                if self.state.agents[target_slot].status != AgentStatus::Online {
                    return Err(Rejection::Away { agent: target });
                }
                if !self.is_eligible(current, target_slot) {
                    return Err(Rejection::NotEligible { agent: target });
                }
                self.emit(turn, Event::Transferred { chat, from: assignee, to, at });
                self.emit(turn, Event::Assigned { chat, agent: target, by: AssignedBy::Transfer, at });
            }
            TransferTarget::Team(team) => {
                if self.config.workspace.teamspace.team(team).is_none() {
                    return Err(Rejection::UnknownTeam { team });
                }
                self.emit(turn, Event::Transferred { chat, from: assignee, to, at });
                self.assign_or_queue(turn, chat, Some(from_slot));
            }
        }
        self.drain_for(turn, from_slot);
        Ok(())
    }

    /// The hand-back, in SPEC's order: the Chat Closed by Live Agent trigger's actions, then the
    /// handoff's "When live agent closes chat" subtree, then a new AI session.
    fn hand_back(&mut self, turn: &mut Turn, chat: ChatId, handoff: Option<NodeId>) {
        let stack = match handoff {
            Some(handoff) => vec![Frame::HandoffClosed { handoff }],
            None => vec![Frame::NewSession],
        };
        let config = Arc::clone(&self.config);
        let trigger = config.workflow.workflow.top_trigger(|kind| *kind == TriggerKind::ChatClosedByLiveAgent);
        self.run(turn, chat, trigger.map(|trigger| (Sequence::Trigger(trigger.id), 0)), stack);
    }

    // ---- pools: derived indexes ----

    fn build_pools(&mut self) {
        let config = Arc::clone(&self.config);
        let mut by_members: FxHashMap<Vec<Slot>, PoolId> = FxHashMap::default();
        // The languages the AI agent speaks, and those of chats started before one was removed
        // (routed, like a language without a list of its own, by the handoff's main list).
        let mut languages: Vec<Language> = config.workspace.ai_agent.languages().cloned().collect();
        for chat in self.state.chats.values() {
            if !languages.contains(&chat.language) {
                languages.push(chat.language.clone());
            }
        }
        let mut eligibilities = Vec::new();
        for entry in config.workflow.workflow.entries() {
            let crate::workflow::NodeRef::Action(action) = entry.node else { continue };
            if let ActionKind::HumanHandoff(_) = action.kind {
                for language in &languages {
                    eligibilities.push(Eligibility::Handoff { node: action.id, language: language.clone() });
                }
            }
        }
        eligibilities.extend(config.workspace.teamspace.teams.iter().map(|team| Eligibility::Team { team: team.id }));
        self.languages = languages;
        self.pools.clear();
        self.pool_of.clear();
        self.pools.push(Pool::new(Vec::new()));
        by_members.insert(Vec::new(), NOBODY);
        for eligibility in eligibilities {
            let members = self.members(&eligibility);
            let pool = *by_members.entry(members.clone()).or_insert_with(|| {
                self.pools.push(Pool::new(members));
                self.pools.len() - 1
            });
            self.pool_of.insert(eligibility, pool);
        }
        self.agent_pools = vec![Vec::new(); self.state.agents.len()];
        for (pool, entry) in self.pools.iter().enumerate() {
            for &slot in &entry.members {
                self.agent_pools[slot].push(pool);
            }
        }
        let mut seen = vec![usize::MAX; self.pools.len()];
        self.overlapping = (0..self.pools.len())
            .map(|pool| {
                let mut overlapping = vec![pool];
                seen[pool] = pool;
                for &slot in &self.pools[pool].members {
                    for &other in &self.agent_pools[slot] {
                        if seen[other] != pool {
                            seen[other] = pool;
                            overlapping.push(other);
                        }
                    }
                }
                overlapping
            })
            .collect();
        for pool in &mut self.pools {
            pool.online = pool.members.iter().filter(|&&slot| is_online(&self.state.agents[slot])).count();
        }
        self.refill_available();
        let mut pending: Vec<(u64, ChatId, PoolId)> = Vec::new();
        for chat in self.state.chats.values() {
            if let ChatStatus::Pending { queued, eligibility } = &chat.status {
                pending.push((*queued, chat.id, self.pool_id(eligibility)));
            }
        }
        pending.sort();
        for (queued, chat, pool) in pending {
            self.pools[pool].queue.push_back((queued, chat));
            self.pools[pool].queued += 1;
        }
    }

    /// The agent slots an eligibility admits, sorted.
    fn members(&self, eligibility: &Eligibility) -> Vec<Slot> {
        match eligibility {
            Eligibility::Handoff { node, language } => match self.config.workflow.handoff(*node) {
                Some(handoff) => self.members_of(&handoff.assign, language),
                None => Vec::new(),
            },
            Eligibility::Team { team } => self.targets_members(&Targets { agents: Vec::new(), teams: vec![*team] }),
        }
    }

    fn members_of(&self, assign: &Assign, language: &Language) -> Vec<Slot> {
        match assign.targets_for(language) {
            None => (0..self.state.agents.len()).collect(),
            Some(targets) => self.targets_members(targets),
        }
    }

    /// The agent slots the targets admit, in slot order.
    fn targets_members(&self, targets: &Targets) -> Vec<Slot> {
        let agents = self.config.workspace.teamspace.agents.iter().enumerate();
        agents.filter(|(_, agent)| targets.admits(agent)).map(|(slot, _)| slot).collect()
    }

    /// The settings of a Human Handoff action, looked up in the index.
    pub(crate) fn handoff_settings(&self, node: NodeId) -> Option<&Handoff> {
        self.config.workflow.handoff(node)
    }

    fn refill_available(&mut self) {
        let method = self.state.assignment.method;
        for pool in &mut self.pools {
            pool.clear_available();
        }
        for slot in 0..self.state.agents.len() {
            if let Some(key) = self.available_key(slot) {
                for &pool in &self.agent_pools[slot] {
                    self.pools[pool].insert(method, key, slot);
                }
            }
        }
    }

    /// The agent's rank key if the automatic methods may give it a chat now.
    fn available_key(&self, slot: Slot) -> Option<RankKey> {
        let agent = &self.state.agents[slot];
        let open = is_online(agent) && agent.open_chats < self.state.assignment.auto_assign_cap;
        open.then(|| rank_key(self.state.assignment.method, agent))
    }

    /// `change_agent` for an agent an event names. `fits` refuses an event that names someone
    /// outside the teamspace, and the engine's own events and state name only its agents, so the
    /// agent is always found; were it not, nothing changes rather than the engine stopping.
    fn change_named_agent(&mut self, agent: AgentId, change: impl FnOnce(&mut AgentState)) {
        if let Some(slot) = self.slot_of(agent) {
            self.change_agent(slot, change);
        }
    }

    /// Changes an agent's state and keeps every pool it belongs to in step.
    fn change_agent(&mut self, slot: Slot, change: impl FnOnce(&mut AgentState)) {
        let method = self.state.assignment.method;
        let (before, was_online) = (self.available_key(slot), is_online(&self.state.agents[slot]));
        change(&mut self.state.agents[slot]);
        let (after, now_online) = (self.available_key(slot), is_online(&self.state.agents[slot]));
        // What the pools order by: the key for Balanced and Round robin; for Random only
        // whether the agent is available at all; nothing for Voluntary.
        let reorder = match method {
            AssignmentMethod::Balanced | AssignmentMethod::RoundRobin => before != after,
            AssignmentMethod::Random => before.is_some() != after.is_some(),
            AssignmentMethod::Voluntary => false,
        };
        if !reorder && was_online == now_online {
            return;
        }
        for &pool in &self.agent_pools[slot] {
            let entry = &mut self.pools[pool];
            if reorder {
                if let Some(key) = before {
                    entry.remove(method, key, slot);
                }
                if let Some(key) = after {
                    entry.insert(method, key, slot);
                }
            }
            if was_online != now_online {
                if now_online { entry.online += 1 } else { entry.online -= 1 }
            }
        }
    }

    fn enqueue(&mut self, chat: ChatId, eligibility: Eligibility) {
        self.state.counters.queue = self.state.counters.queue.wrapping_add(1);
        let queued = self.state.counters.queue;
        let pool = self.pool_id(&eligibility);
        self.pools[pool].queue.push_back((queued, chat));
        self.pools[pool].queued += 1;
        let entry = self.chat_mut(chat);
        entry.status = ChatStatus::Pending { queued, eligibility };
        entry.version = entry.version.wrapping_add(1);
    }

    /// Bookkeeping when a pending chat of this eligibility leaves the queue; its entry is
    /// dropped lazily.
    fn dequeue(&mut self, eligibility: &Eligibility) {
        let pool = self.pool_id(eligibility);
        self.pools[pool].queued -= 1;
        // Drop the entries of chats that left the front of the queue before (claimed under
        // Voluntary, where nothing else takes the head), so that no walk of the queue meets
        // them again and again.
        self.queue_head(pool);
    }

    fn next_rotation(&mut self) -> u64 {
        self.state.counters.rotation = self.state.counters.rotation.wrapping_add(1);
        self.state.counters.rotation
    }

    // ---- small helpers ----

    fn emit(&mut self, turn: &mut Turn, event: Event) {
        self.apply(&event);
        turn.events.push(event);
    }

    fn chat_mut(&mut self, chat: ChatId) -> &mut Chat {
        self.state.chats.get_mut(&chat).expect("events name existing chats")
    }

    fn slot(&self, agent: AgentId) -> Result<Slot, Rejection> {
        self.config.slot_of.get(&agent).copied().ok_or(Rejection::UnknownAgent { agent })
    }

    fn signed_in_slot(&self, agent: AgentId) -> Result<Slot, Rejection> {
        let slot = self.slot(agent)?;
        if self.state.agents[slot].status.is_signed_in() { Ok(slot) } else { Err(Rejection::NotSignedIn { agent }) }
    }

    fn existing_chat(&self, chat: ChatId) -> Result<&Chat, Rejection> {
        self.state.chats.get(&chat).ok_or(Rejection::UnknownChat { chat })
    }

    /// The assignee of an open chat that `agent` may close or transfer: its assignee or an admin.
    fn open_chat_for(&self, chat: ChatId, agent: AgentId) -> Result<AgentId, Rejection> {
        let slot = self.signed_in_slot(agent)?;
        let Some(assignee) = self.existing_chat(chat)?.status.assignee() else {
            return Err(Rejection::NotWithLiveAgent { chat });
        };
        if assignee != agent && !self.is_admin(slot) {
            return Err(Rejection::NotAssignee { chat, agent });
        }
        Ok(assignee)
    }

    fn assigned(&self, chat: ChatId, agent: AgentId) -> Result<(), Rejection> {
        self.signed_in_slot(agent)?;
        match self.existing_chat(chat)?.status.assignee() {
            Some(assignee) if assignee == agent => Ok(()),
            Some(_) => Err(Rejection::NotAssignee { chat, agent }),
            None => Err(Rejection::NotWithLiveAgent { chat }),
        }
    }

    pub(crate) fn is_eligible(&self, chat: &Chat, slot: Slot) -> bool {
        chat.status
            .eligibility()
            .and_then(|eligibility| self.pool_of.get(eligibility))
            .is_some_and(|&pool| self.pools[pool].contains(slot))
    }

    pub(crate) fn is_admin(&self, slot: Slot) -> bool {
        self.config.workspace.teamspace.agents[slot].role == Role::Admin
    }

    fn is_online(&self, slot: Slot) -> bool {
        is_online(&self.state.agents[slot])
    }

    /// Whether the chat's handoff has the User availability check on.
    pub(crate) fn availability_check(&self, chat: &Chat) -> bool {
        chat.handoff
            .and_then(|node| self.config.workflow.handoff(node))
            .is_some_and(|handoff| handoff.availability_check)
    }

    /// In id order: what happens must not depend on the map's order.
    fn chats_assigned_to(&self, agent: AgentId) -> Vec<ChatId> {
        let mut chats: Vec<ChatId> =
            self.state.chats.values().filter(|chat| is_assignee(chat, agent)).map(|chat| chat.id).collect();
        chats.sort_unstable();
        chats
    }

    /// The pool serving an eligibility: the pool of nobody where there is none.
    fn pool_id(&self, eligibility: &Eligibility) -> PoolId {
        self.pool_of.get(eligibility).copied().unwrap_or(NOBODY)
    }

    /// The pool serving an eligibility, for explanations.
    pub(crate) fn pool(&self, eligibility: &Eligibility) -> Option<&Pool> {
        self.pool_of.get(eligibility).map(|&pool| &self.pools[pool])
    }

    pub(crate) fn slot_of(&self, agent: AgentId) -> Option<Slot> {
        self.config.slot_of.get(&agent).copied()
    }
}

/// A replica: an engine that holds what another engine decided and shows to someone (a viewer's
/// share of the chats, `viewer::Replica`), changed by being told the results rather than by
/// events. Each change keeps the derived indexes (the pools, their queues, their available
/// agents) in step without rebuilding them. None of them decides anything, and a replica is never
/// asked to decide (`handle`), since it holds only some of the chats: an engine that decides
/// changes only through its own events (`handle`, `try_apply`).
impl Engine {
    /// Puts the chat in whole, in place of the one with its id, if any.
    pub fn put_chat(&mut self, chat: Chat) {
        let id = chat.id;
        let new_language = !self.languages.contains(&chat.language);
        let entering = match &chat.status {
            ChatStatus::Pending { queued, eligibility } => Some((*queued, eligibility.clone())),
            _ => None,
        };
        let after = Filing::of(&chat);
        let old = self.state.chats.insert(id, chat);
        let before = old.as_ref().map(Filing::of).unwrap_or_default();
        self.filed.change(id, before, after);
        let leaving = old.and_then(|old| match old.status {
            ChatStatus::Pending { queued, eligibility } => Some((queued, eligibility)),
            _ => None,
        });
        if let Some(told) = self.told_places.as_mut().filter(|_| entering.is_none()) {
            told.remove(&id);
        }
        if new_language {
            // A chat in a language the queues do not know yet: as when it started here.
            self.build_pools();
            return;
        }
        if leaving == entering {
            return;
        }
        if let Some((_, eligibility)) = leaving {
            self.dequeue(&eligibility);
        }
        if let Some((queued, eligibility)) = entering {
            let pool = self.pool_id(&eligibility);
            let queue = &mut self.pools[pool].queue;
            // Where it was queued, not at the end: a replica may learn of an older chat later.
            // An entry it left behind when it was here before is the same entry, live again.
            let at = queue.partition_point(|&entry| entry < (queued, id));
            if queue.get(at) != Some(&(queued, id)) {
                queue.insert(at, (queued, id));
            }
            self.pools[pool].queued += 1;
        }
    }

    /// Takes the chat out, if it is here, and gives it back.
    pub fn remove_chat(&mut self, chat: ChatId) -> Option<Chat> {
        let removed = self.state.chats.remove(&chat)?;
        self.filed.change(chat, Filing::of(&removed), Filing::default());
        if let ChatStatus::Pending { eligibility, .. } = &removed.status {
            self.dequeue(eligibility);
        }
        if let Some(told) = &mut self.told_places {
            told.remove(&chat);
        }
        Some(removed)
    }

    /// Puts in the state of a live agent of the teamspace; an agent the teamspace lacks is ignored.
    pub fn put_agent(&mut self, state: AgentState) {
        if let Some(slot) = self.slot_of(state.id) {
            self.change_agent(slot, |current| *current = state);
        }
    }

    /// Puts in the Chat Assignment in force.
    pub fn put_assignment(&mut self, assignment: ChatAssignment) {
        self.state.assignment = assignment;
        self.refill_available();
    }

    /// From now on, a chat's place in the queue (`queue_place`, `queue_places`,
    /// `queue_places_of`, and so the inbox and explanations) is the place told by `tell_place`,
    /// not counted from the chats here: the engine that holds them all counts it.
    pub fn answer_with_told_places(&mut self) {
        self.told_places.get_or_insert_default();
    }

    /// Tells the chat's place in the queue, or that it has none (`None`); turns on
    /// `answer_with_told_places`.
    pub fn tell_place(&mut self, chat: ChatId, place: Option<usize>) {
        let told = self.told_places.get_or_insert_default();
        match place {
            Some(place) => told.insert(chat, place),
            None => told.remove(&chat),
        };
    }
}

fn chats_in_id_order<S: serde::Serializer>(chats: &FxHashMap<ChatId, Chat>, serializer: S) -> Result<S::Ok, S::Error> {
    let ordered: BTreeMap<&ChatId, &Chat> = chats.iter().collect();
    serde::Serialize::serialize(&ordered, serializer)
}

/// The events one command produced, and its time.
struct Turn {
    now: Timestamp,
    events: Vec<Event>,
}

/// Whether a frame is part of the hand-back, which must run to its new session whatever the
/// flow does on the way; the other frames only continue the current branch.
fn is_obligation(frame: &Frame) -> bool {
    matches!(frame, Frame::HandoffClosed { .. } | Frame::NewSession)
}

/// The hand-back frames of a stack: what a Jump To or a top-level match keeps.
fn obligations(stack: &[Frame]) -> Vec<Frame> {
    stack.iter().filter(|frame| is_obligation(frame)).cloned().collect()
}

fn keep_obligations(stack: &mut Vec<Frame>) {
    stack.retain(is_obligation);
}

fn is_online(agent: &AgentState) -> bool {
    agent.status == AgentStatus::Online
}

fn is_assignee(chat: &Chat, agent: AgentId) -> bool {
    chat.status.assignee() == Some(agent)
}

fn rank_key(method: AssignmentMethod, agent: &AgentState) -> RankKey {
    match method {
        AssignmentMethod::RoundRobin => (agent.rotation, 0, agent.id.0),
        _ => (u64::from(agent.open_chats), agent.last_assignment, agent.id.0),
    }
}

fn non_empty(text: String) -> Result<String, Rejection> {
    let trimmed = text.trim();
    if trimmed.is_empty() { Err(Rejection::EmptyMessage) } else { Ok(trimmed.to_owned()) }
}
