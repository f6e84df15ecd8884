//! What a live agent's inbox lists, decided here so that every backend's inbox agrees: which
//! chats are in each folder for an agent, how a search and filters narrow them, how they are
//! sorted, and each pending chat's place in its queue.
//!
//! - **Pending**: chats waiting in the queue that the agent is eligible for (SPEC: the queue is
//!   visible to every eligible agent, and to nobody else).
//! - **Mine**: open chats assigned to the agent.
//! - **All open**: every pending or open chat; admins only.
//! - **Closed**: chats whose last livechat a live agent closed; admins see all of them, an
//!   agent those they closed.
//!
//! Pending chats are sorted by their place in the queue (the longest wait first), open ones by
//! when they were assigned (the longest first), closed ones by when they closed (the latest
//! first).

use crate::engine::{AgentStatus, Chat, ChatStatus, Eligibility, Engine};
use crate::ids::{AgentId, ChatId, Language, TeamId, Timestamp};
use crate::matching::normalize;
use crate::protocol::{Command, Event};
use crate::workflow::Targets;
use crate::workspace::{CannedReply, Role, folded_shortcut};

/// The inbox's lists, in the order the inbox shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Folder {
    Pending,
    Mine,
    AllOpen,
    Closed,
}

impl Folder {
    pub const ALL: [Folder; 4] = [Folder::Pending, Folder::Mine, Folder::AllOpen, Folder::Closed];

    pub fn label(self) -> &'static str {
        match self {
            Folder::Pending => "Pending",
            Folder::Mine => "Mine",
            Folder::AllOpen => "All open",
            Folder::Closed => "Closed",
        }
    }

    /// Whether an agent with this role has the folder at all.
    pub fn shown_to(self, role: Role) -> bool {
        self != Folder::AllOpen || role == Role::Admin
    }

    /// Where the folder is in `Folder::ALL`, and so in `counts`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What narrows a list: words to search for in the chat's number and messages, the chat's
/// language, and a team its handoff or transfer names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub query: String,
    pub language: Option<Language>,
    pub team: Option<TeamId>,
}

/// A chat in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Row {
    pub chat: ChatId,
    /// Since when the chat has been in this folder: queued, assigned or closed.
    pub since: Timestamp,
    /// Its place in the queue, counting from 1, while pending.
    pub queue_position: Option<usize>,
}

/// What an agent may do with a chat now, decided as the engine decides the commands, so that
/// the desk offers exactly the actions the engine would accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The chat's version as the agent sees it now: a claim names it.
    pub version: u32,
    /// Open with this agent: Reply, Transfer and Close.
    pub mine: bool,
    /// Pending, and the agent is eligible (and Online when the handoff checks availability).
    pub can_claim: bool,
    /// Pending or open with someone else, and the agent is an admin or eligible.
    pub can_take_over: bool,
}

/// The agent's standing with the chat; `None` for an unknown chat or agent. Claim and Take
/// over are the engine's own checks (`Engine::check_claim`, `Engine::check_takeover`).
pub fn standing(engine: &Engine, chat: ChatId, agent: AgentId) -> Option<Standing> {
    let found = engine.chat(chat)?;
    engine.agent(agent)?;
    let mine = found.status.assignee() == Some(agent);
    Some(Standing {
        version: found.version,
        mine,
        can_claim: engine.check_claim(chat, agent, found.version).is_ok(),
        can_take_over: !mine && engine.check_takeover(chat, agent).is_ok(),
    })
}

/// What the desk's Send button becomes: an internal note in note mode, a reply to a chat of
/// the agent's own, or "Take over & send" where the agent may take the chat over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendAs {
    Note,
    Reply,
    TakeoverAndSend,
}

impl SendAs {
    /// What Send does for an agent of this standing; `None` when nothing can be sent but a note
    /// (the chat is someone else's and the agent may not take it over).
    pub fn for_standing(standing: &Standing, note: bool) -> Option<SendAs> {
        if note {
            Some(SendAs::Note)
        } else if standing.mine {
            Some(SendAs::Reply)
        } else if standing.can_take_over {
            Some(SendAs::TakeoverAndSend)
        } else {
            None
        }
    }

    pub fn command(self, chat: ChatId, agent: AgentId, text: String) -> Command {
        match self {
            SendAs::Note => Command::Note { chat, agent, text },
            SendAs::Reply => Command::Reply { chat, agent, text },
            SendAs::TakeoverAndSend => Command::TakeoverAndSend { chat, agent, text },
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            SendAs::Note => "Add note",
            SendAs::Reply => "Send",
            SendAs::TakeoverAndSend => "Take over & send",
        }
    }
}

/// The canned replies the reply box offers for what is typed in it: while the text is `/` and
/// the start of one word, every reply whose shortcut begins with that word, ignoring case as
/// the shortcuts' uniqueness does. In the teamspace's order; nothing otherwise.
pub fn canned_replies_offered<'a>(replies: &'a [CannedReply], typed: &str) -> Vec<&'a CannedReply> {
    let Some(word) = typed.strip_prefix('/').filter(|word| !word.contains(char::is_whitespace)) else {
        return Vec::new();
    };
    let word = folded_shortcut(word);
    replies.iter().filter(|reply| folded_shortcut(&reply.shortcut).starts_with(&word)).collect()
}

/// The agent's chats in Mine with something they have not read: the assignment that gave
/// them the chat, or a customer's message, after the first `seen(chat)` lines of its
/// transcript (what the agent's screen showed when the chat was last open there). In id order.
pub fn unread(engine: &Engine, agent: AgentId, seen: impl Fn(ChatId) -> usize) -> Vec<ChatId> {
    engine
        .open_chats_of(agent)
        .filter(|chat| {
            chat.transcript.iter().skip(seen(chat.id)).any(|event| match event {
                Event::CustomerMessage { .. } => true,
                Event::Assigned { agent: to, .. } => *to == agent,
                _ => false,
            })
        })
        .map(|chat| chat.id)
        .collect()
}

/// Whether an open chat may be transferred to an agent, as the engine decides a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferOption {
    /// Signed in, Online and eligible for the chat.
    Available,
    /// Away agents receive no new chats.
    Away,
    SignedOut,
    /// Not among the agents the chat may go to.
    NotEligible,
}

/// Every live agent of the teamspace but the chat's assignee, in the teamspace's order, with
/// whether a transfer may go to them. Empty unless the chat is open.
pub fn transfer_targets(engine: &Engine, chat: ChatId) -> Vec<(AgentId, TransferOption)> {
    let Some(found) = engine.chat(chat) else { return Vec::new() };
    let Some(assignee) = found.status.assignee() else { return Vec::new() };
    let eligible = engine.eligible_agents(found);
    let agents = engine.workspace().teamspace.agents.iter().filter(|agent| agent.id != assignee);
    agents
        .filter_map(|agent| {
            let state = engine.agent(agent.id)?;
            let option = if state.status == AgentStatus::SignedOut {
                TransferOption::SignedOut
            } else if state.status != AgentStatus::Online {
                TransferOption::Away
            } else if !eligible.contains(&agent.id) {
                TransferOption::NotEligible
            } else {
                TransferOption::Available
            };
            Some((agent.id, option))
        })
        .collect()
}

/// How many chats each folder holds for the agent, before any search or filter, indexed as
/// `Folder::ALL`. Folders the agent's role does not have count 0.
pub fn counts(engine: &Engine, agent: AgentId) -> [usize; 4] {
    // Counted from the engine's queues, its agents' loads and its count of closed chats: no
    // chat is looked at.
    let view = Folders::new(engine, agent);
    let mut counts = [0; 4];
    counts[Folder::Pending.index()] = engine.pending_count_for(agent);
    counts[Folder::Mine.index()] = engine.agent(agent).map_or(0, |state| state.open_chats as usize);
    if view.admin {
        let open: usize = engine.state().agents.iter().map(|state| state.open_chats as usize).sum();
        counts[Folder::AllOpen.index()] = engine.pending_count() + open;
    }
    counts[Folder::Closed.index()] = engine.closed_count((!view.admin).then_some(agent));
    counts
}

/// The chats of one folder for the agent, narrowed by `filter` and sorted.
pub fn rows(engine: &Engine, agent: AgentId, folder: Folder, filter: &Filter) -> Vec<Row> {
    page(engine, agent, folder, filter, usize::MAX).0
}

/// The first `count` rows of `rows`, and how many rows there are in all: what a list shows a
/// page at a time. Only the rows on the page have their queue places worked out, and in
/// Pending (ordered by the queue) their times too; the other folders sort by time. Pending
/// with nothing narrowing it reads only the page from the agent's queues, however long they are.
pub fn page(engine: &Engine, agent: AgentId, folder: Folder, filter: &Filter, count: usize) -> (Vec<Row>, usize) {
    let mut view = Folders::new(engine, agent);
    // `#N` asks for chat N and nothing else; other words (a bare number among them) are looked
    // for in the chat's number and its messages.
    let number = filter.query.trim().strip_prefix('#').and_then(|number| number.trim().parse::<u32>().ok());
    let query = normalize(&filter.query);
    let query = query.trim();
    let wanted = |chat: &Chat| {
        filter.language.as_ref().is_none_or(|language| *language == chat.language)
            && filter.team.is_none_or(|team| names_team(engine, chat, team))
            && number.is_none_or(|number| chat.id.0 == number)
            && (number.is_some() || query.is_empty() || mentions(chat, query))
    };
    let mut chats: Vec<(u64, &Chat)> = Vec::new();
    let narrowed = filter.language.is_some() || filter.team.is_some() || number.is_some() || !query.is_empty();
    if folder == Folder::Pending && !narrowed {
        // The whole of the agent's queues: their length is counted already, so only the page
        // is taken from them, not the thousands of chats behind it (a claim redraws this list).
        let queued = engine.pending_for(agent).filter_map(|chat| Some((chat.status.queued()?, chat)));
        chats.extend(queued.take(count));
        let total = engine.pending_count_for(agent);
        return (page_rows(engine, folder, chats), total);
    }
    if folder == Folder::Pending {
        // The agent's queues, already in their order: no need to look at every chat.
        for chat in engine.pending_for(agent) {
            if let Some(queued) = chat.status.queued()
                && wanted(chat)
            {
                chats.push((queued, chat));
            }
        }
    } else {
        for chat in engine.state().chats.values() {
            if view.holds(folder, chat) && wanted(chat) {
                let order = match chat.status.queued() {
                    Some(queued) => queued,
                    // The latest closed first.
                    None if folder == Folder::Closed => u64::MAX - since(chat, folder).0,
                    None => since(chat, folder).0,
                };
                chats.push((order, chat));
            }
        }
        chats.sort_unstable_by_key(|&(order, chat)| (order, chat.id));
    }
    let total = chats.len();
    chats.truncate(count);
    (page_rows(engine, folder, chats), total)
}

/// The rows of a page's chats, with their queue places worked out in one pass.
fn page_rows(engine: &Engine, folder: Folder, chats: Vec<(u64, &Chat)>) -> Vec<Row> {
    let ids: Vec<ChatId> = chats.iter().map(|(_, chat)| chat.id).collect();
    let places = engine.queue_places_of(&ids);
    chats
        .into_iter()
        .zip(places)
        .map(|((_, chat), queue_position)| Row { chat: chat.id, since: since(chat, folder), queue_position })
        .collect()
}

/// Which of the chat's eligible agents an agent is, remembered per eligibility, and the queues
/// in order: what deciding the folders of many chats needs once. `viewer::may_see` asks it too,
/// so that what a live agent is sent is exactly what their folders hold.
pub(crate) struct Folders<'a> {
    engine: &'a Engine,
    agent: AgentId,
    admin: bool,
    /// Whether the agent is eligible, per eligibility met so far.
    eligible: Vec<(&'a Eligibility, bool)>,
}

impl<'a> Folders<'a> {
    pub(crate) fn new(engine: &'a Engine, agent: AgentId) -> Folders<'a> {
        let admin = engine.workspace().teamspace.agent(agent).is_some_and(|found| found.role == Role::Admin);
        Folders { engine, agent, admin, eligible: Vec::new() }
    }

    /// Whether the chat is in any folder the agent has.
    pub(crate) fn hold(&mut self, chat: &'a Chat) -> bool {
        Folder::ALL.into_iter().any(|folder| self.holds(folder, chat))
    }

    fn is_eligible(&mut self, chat: &'a Chat) -> bool {
        let Some(eligibility) = chat.status.eligibility() else { return false };
        let (engine, agent) = (self.engine, self.agent);
        if let Some(&(_, eligible)) = self.eligible.iter().find(|(known, _)| *known == eligibility) {
            return eligible;
        }
        let eligible = engine.eligible_agents(chat).contains(&agent);
        self.eligible.push((eligibility, eligible));
        eligible
    }

    fn holds(&mut self, folder: Folder, chat: &'a Chat) -> bool {
        match (folder, &chat.status) {
            (Folder::Pending, ChatStatus::Pending { .. }) => self.is_eligible(chat),
            (Folder::Mine, ChatStatus::Open { assignee, .. }) => *assignee == self.agent,
            (Folder::AllOpen, ChatStatus::Pending { .. } | ChatStatus::Open { .. }) => self.admin,
            (Folder::Closed, ChatStatus::Closed { by, .. }) => self.admin || *by == self.agent,
            // Back with the AI agent: closed if its last livechat was.
            (Folder::Closed, ChatStatus::Bot) if chat.handoff.is_some() => {
                last_closed_by(chat).is_some_and(|by| self.admin || by == self.agent)
            }
            _ => false,
        }
    }
}

/// Who closed the chat's last livechat.
pub fn last_closed_by(chat: &Chat) -> Option<AgentId> {
    chat.transcript.iter().rev().find_map(|event| match event {
        Event::ChatClosed { by, .. } => Some(*by),
        _ => None,
    })
}

/// When the chat came into the folder: the latest event that put it there.
fn since(chat: &Chat, folder: Folder) -> Timestamp {
    let found = chat.transcript.iter().rev().find_map(|event| match (folder, &chat.status, event) {
        (Folder::Closed, _, Event::ChatClosed { at, .. })
        | (_, ChatStatus::Open { .. }, Event::Assigned { at, .. })
        | (_, ChatStatus::Pending { .. }, Event::Queued { at, .. }) => Some(*at),
        _ => None,
    });
    found.unwrap_or(chat.started_at)
}

/// Whether the chat's handoff (for its language) or its transfer names the team.
fn names_team(engine: &Engine, chat: &Chat, team: TeamId) -> bool {
    match chat.status.eligibility() {
        Some(Eligibility::Team { team: named }) => *named == team,
        Some(Eligibility::Handoff { node, language }) => engine
            .workspace()
            .ai_agent
            .workflow
            .find_action(*node)
            .and_then(|action| action.kind.assign())
            .and_then(|assign| assign.targets_for(language))
            .is_some_and(|targets: &Targets| targets.teams.contains(&team)),
        None => false,
    }
}

/// Whether the chat's number or one of its messages contains `query` (already normalized), ignoring
/// case and accents.
fn mentions(chat: &Chat, query: &str) -> bool {
    query == chat.id.0.to_string()
        || chat.transcript.iter().any(|event| match event {
            Event::CustomerMessage { text, .. }
            | Event::AiMessage { text, .. }
            | Event::AgentMessage { text, .. }
            | Event::NoteAdded { text, .. } => normalize(text).contains(query),
            _ => false,
        })
}
