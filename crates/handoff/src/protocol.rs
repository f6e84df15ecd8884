//! The engine's boundary: `Command` in, `Event` out, `Rejection` when a command cannot be done.
//! One closed enum per direction, matched exhaustively wherever they are handled.

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, ChatId, Language, NodeId, TeamId, Timestamp};
use crate::workspace::{AssignmentMethod, ChatAssignment, Workspace};

/// The ratings Collect Feedback takes, offered as buttons in this order.
pub const RATINGS: std::ops::RangeInclusive<u8> = 1..=5;

/// Online status as a live agent sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
}

/// Where a transfer sends a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    Agent(AgentId),
    /// The team's members are chosen from by the teamspace's method; queued if none is free.
    Team(TeamId),
}

/// How a chat got its assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignedBy {
    Method(AssignmentMethod),
    Claim,
    Transfer,
    Takeover,
}

/// Something a customer, a live agent or an admin asks of the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    SignIn {
        agent: AgentId,
    },
    SignOut {
        agent: AgentId,
    },
    SetPresence {
        agent: AgentId,
        presence: Presence,
    },
    /// Only an admin may change Chat Assignment; `agent` is the one who changes it.
    SetAssignment {
        agent: AgentId,
        assignment: ChatAssignment,
    },
    /// Gives every pending chat an agent with room may take now to the agent the method picks,
    /// oldest first, as a change of the cap or the method does: sent when a running engine
    /// was built again on an edited workspace (a cap raised in the settings). Only the rules
    /// decide, so anyone may send it; nothing to serve is no event.
    ServeQueues,
    StartChat {
        chat: ChatId,
        language: Language,
    },
    CustomerMessage {
        chat: ChatId,
        text: String,
    },
    GiveFeedback {
        chat: ChatId,
        rating: u8,
        comment: Option<String>,
    },
    /// `seen_version` is the chat version the agent's screen showed; a stale claim is rejected.
    Claim {
        chat: ChatId,
        agent: AgentId,
        seen_version: u32,
    },
    Reply {
        chat: ChatId,
        agent: AgentId,
        text: String,
    },
    Note {
        chat: ChatId,
        agent: AgentId,
        text: String,
    },
    Transfer {
        chat: ChatId,
        agent: AgentId,
        to: TransferTarget,
    },
    TakeoverAndSend {
        chat: ChatId,
        agent: AgentId,
        text: String,
    },
    Close {
        chat: ChatId,
        agent: AgentId,
    },
}

/// Why a command changed nothing. In JSON an object tagged by `rejection` with the variant's
/// fields beside it (`{"rejection": "already_taken", "chat": 1, "by": 2}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rejection", rename_all = "snake_case", try_from = "RejectionFields")]
pub enum Rejection {
    UnknownAgent {
        agent: AgentId,
    },
    UnknownTeam {
        team: TeamId,
    },
    UnknownChat {
        chat: ChatId,
    },
    ChatExists {
        chat: ChatId,
    },
    UnsupportedLanguage {
        language: Language,
    },
    EmptyMessage,
    NotSignedIn {
        agent: AgentId,
    },
    /// The availability check is on and the agent is Away.
    NotOnline {
        agent: AgentId,
    },
    NotEligible {
        agent: AgentId,
    },
    /// The agent claimed a chat they already have.
    AlreadyYours {
        chat: ChatId,
        agent: AgentId,
    },
    /// A claim named a version newer than the chat's: the screen showed other conversations
    /// (saved conversations reset or restored since).
    NotTheChatSeen {
        chat: ChatId,
        seen: u32,
        current: u32,
    },
    /// A transfer to an agent who is Away: Away agents receive no new chats.
    Away {
        agent: AgentId,
    },
    /// Someone else got the chat first.
    AlreadyTaken {
        chat: ChatId,
        by: AgentId,
    },
    /// The chat changed since the agent saw it.
    StaleVersion {
        chat: ChatId,
        seen: u32,
        current: u32,
    },
    NotPending {
        chat: ChatId,
    },
    NotAssignee {
        chat: ChatId,
        agent: AgentId,
    },
    NotWithLiveAgent {
        chat: ChatId,
    },
    NotAskingForFeedback {
        chat: ChatId,
    },
    RatingOutOfRange {
        rating: u8,
    },
    SameAgent {
        agent: AgentId,
    },
    /// Only admins change Chat Assignment.
    NotAdmin {
        agent: AgentId,
    },
}

/// A rejection's JSON object as read: its tag and every field any variant has. Serde's own
/// reading of an internally tagged enum buffers the object and builds a reader per variant,
/// which was the largest function of the app (44 KB of wasm before wasm-opt); this one struct
/// reads the same documents.
#[derive(Deserialize)]
struct RejectionFields {
    rejection: RejectionKind,
    agent: Option<AgentId>,
    team: Option<TeamId>,
    chat: Option<ChatId>,
    language: Option<Language>,
    seen: Option<u32>,
    current: Option<u32>,
    by: Option<AgentId>,
    rating: Option<u8>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RejectionKind {
    UnknownAgent,
    UnknownTeam,
    UnknownChat,
    ChatExists,
    UnsupportedLanguage,
    EmptyMessage,
    NotSignedIn,
    NotOnline,
    NotEligible,
    AlreadyYours,
    NotTheChatSeen,
    Away,
    AlreadyTaken,
    StaleVersion,
    NotPending,
    NotAssignee,
    NotWithLiveAgent,
    NotAskingForFeedback,
    RatingOutOfRange,
    SameAgent,
    NotAdmin,
}

impl TryFrom<RejectionFields> for Rejection {
    type Error = String;

    fn try_from(fields: RejectionFields) -> Result<Rejection, String> {
        fn need<T>(value: Option<T>, field: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{field}`"))
        }
        use RejectionKind as Kind;
        Ok(match fields.rejection {
            Kind::UnknownAgent => Rejection::UnknownAgent { agent: need(fields.agent, "agent")? },
            Kind::UnknownTeam => Rejection::UnknownTeam { team: need(fields.team, "team")? },
            Kind::UnknownChat => Rejection::UnknownChat { chat: need(fields.chat, "chat")? },
            Kind::ChatExists => Rejection::ChatExists { chat: need(fields.chat, "chat")? },
            Kind::UnsupportedLanguage => {
                Rejection::UnsupportedLanguage { language: need(fields.language, "language")? }
            }
            Kind::EmptyMessage => Rejection::EmptyMessage,
            Kind::NotSignedIn => Rejection::NotSignedIn { agent: need(fields.agent, "agent")? },
            Kind::NotOnline => Rejection::NotOnline { agent: need(fields.agent, "agent")? },
            Kind::NotEligible => Rejection::NotEligible { agent: need(fields.agent, "agent")? },
            Kind::AlreadyYours => {
                Rejection::AlreadyYours { chat: need(fields.chat, "chat")?, agent: need(fields.agent, "agent")? }
            }
            Kind::NotTheChatSeen => Rejection::NotTheChatSeen {
                chat: need(fields.chat, "chat")?,
                seen: need(fields.seen, "seen")?,
                current: need(fields.current, "current")?,
            },
            Kind::Away => Rejection::Away { agent: need(fields.agent, "agent")? },
            Kind::AlreadyTaken => {
                Rejection::AlreadyTaken { chat: need(fields.chat, "chat")?, by: need(fields.by, "by")? }
            }
            Kind::StaleVersion => Rejection::StaleVersion {
                chat: need(fields.chat, "chat")?,
                seen: need(fields.seen, "seen")?,
                current: need(fields.current, "current")?,
            },
            Kind::NotPending => Rejection::NotPending { chat: need(fields.chat, "chat")? },
            Kind::NotAssignee => {
                Rejection::NotAssignee { chat: need(fields.chat, "chat")?, agent: need(fields.agent, "agent")? }
            }
            Kind::NotWithLiveAgent => Rejection::NotWithLiveAgent { chat: need(fields.chat, "chat")? },
            Kind::NotAskingForFeedback => Rejection::NotAskingForFeedback { chat: need(fields.chat, "chat")? },
            Kind::RatingOutOfRange => Rejection::RatingOutOfRange { rating: need(fields.rating, "rating")? },
            Kind::SameAgent => Rejection::SameAgent { agent: need(fields.agent, "agent")? },
            Kind::NotAdmin => Rejection::NotAdmin { agent: need(fields.agent, "agent")? },
        })
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::UnknownAgent { agent } => write!(f, "there is no {agent}"),
            Rejection::UnknownTeam { team } => write!(f, "there is no {team}"),
            Rejection::UnknownChat { chat } => write!(f, "there is no {chat}"),
            Rejection::ChatExists { chat } => write!(f, "{chat} exists already"),
            Rejection::UnsupportedLanguage { language } => write!(f, "the AI agent does not speak {language}"),
            Rejection::EmptyMessage => write!(f, "the message is empty"),
            Rejection::NotSignedIn { agent } => write!(f, "{agent} is not signed in"),
            Rejection::NotOnline { agent } => write!(f, "{agent} is Away and the availability check is on"),
            Rejection::NotEligible { agent } => write!(f, "{agent} is not eligible for this chat"),
            Rejection::AlreadyYours { chat, agent } => write!(f, "{chat} is with {agent} already"),
            Rejection::NotTheChatSeen { chat, seen, current } => write!(
                f,
                "{chat} is not the chat that was seen (it has had {current} changes, the screen showed change {seen}): the conversations were reset or restored since"
            ),
            Rejection::Away { agent } => write!(f, "{agent} is Away and receives no new chats"),
            Rejection::AlreadyTaken { chat, by } => write!(f, "{chat} was already taken by {by}"),
            Rejection::StaleVersion { chat, seen, current } => {
                write!(f, "{chat} changed since it was seen (version {seen}, now {current})")
            }
            Rejection::NotPending { chat } => write!(f, "{chat} is not waiting for a live agent"),
            Rejection::NotAssignee { chat, agent } => write!(f, "{agent} is not the assignee of {chat}"),
            Rejection::NotWithLiveAgent { chat } => write!(f, "{chat} is not with a live agent"),
            Rejection::NotAskingForFeedback { chat } => write!(f, "{chat} is not asking for feedback"),
            Rejection::RatingOutOfRange { rating } => write!(f, "a rating is 1 to 5, not {rating}"),
            Rejection::SameAgent { agent } => write!(f, "the chat is with {agent} already"),
            Rejection::NotAdmin { agent } => write!(f, "{agent} is not an admin"),
        }
    }
}

impl Rejection {
    /// The refusal in words for the person who sent the command: live agents and teams by
    /// their names in `workspace`, chats by their numbers.
    pub fn in_words(&self, workspace: &Workspace) -> String {
        let agent = |agent: &AgentId| {
            workspace.teamspace.agent(*agent).map_or_else(|| agent.to_string(), |found| found.name.clone())
        };
        match self {
            Rejection::UnknownAgent { agent } => format!("There is no {agent} in this teamspace."),
            Rejection::UnknownTeam { team } => format!("There is no {team} in this teamspace."),
            Rejection::UnknownChat { chat } => format!("There is no chat #{}.", chat.0),
            Rejection::ChatExists { chat } => format!("Chat #{} exists already.", chat.0),
            Rejection::UnsupportedLanguage { language } => format!("The AI agent does not speak {language}."),
            Rejection::EmptyMessage => "The message is empty.".to_owned(),
            Rejection::NotSignedIn { agent: who } => format!("{} is not signed in.", agent(who)),
            Rejection::NotOnline { agent: who } => {
                format!("{} is Away, and this handoff only goes to Online agents.", agent(who))
            }
            Rejection::Away { agent: who } => format!("{} is Away: Away agents receive no new chats.", agent(who)),
            Rejection::NotEligible { agent: who } => {
                format!("{} is not among the agents this chat may go to.", agent(who))
            }
            Rejection::AlreadyYours { chat, agent: who } => {
                format!("{} has chat #{} already: there is nothing to claim.", agent(who), chat.0)
            }
            Rejection::AlreadyTaken { by, .. } => format!("Someone else was quicker: {} took this chat.", agent(by)),
            Rejection::StaleVersion { .. } => {
                "This chat changed since you saw it (someone else took or moved it). Look again.".to_owned()
            }
            Rejection::NotTheChatSeen { chat, .. } => format!(
                "Chat #{} is not the chat on your screen: the saved conversations were reset or restored since. Look again.",
                chat.0
            ),
            Rejection::NotPending { chat } => format!("Chat #{} is not waiting for a live agent.", chat.0),
            Rejection::NotAssignee { chat, agent: who } => {
                format!("Chat #{} is not {}'s: only its assignee or an admin may do that.", chat.0, agent(who))
            }
            Rejection::NotWithLiveAgent { chat } => format!("Chat #{} is not with a live agent.", chat.0),
            Rejection::NotAskingForFeedback { chat } => format!("Chat #{} is not asking for feedback.", chat.0),
            Rejection::RatingOutOfRange { rating } => format!("A rating is 1 to 5, not {rating}."),
            Rejection::SameAgent { agent: who } => format!("The chat is with {} already.", agent(who)),
            Rejection::NotAdmin { agent: who } => {
                format!("{} is not an admin: only admins may change Chat Assignment.", agent(who))
            }
        }
    }
}

/// What happened. Applying the same events to the same workspace always gives the same state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    AgentSignedIn {
        agent: AgentId,
        at: Timestamp,
    },
    AgentSignedOut {
        agent: AgentId,
        at: Timestamp,
    },
    PresenceChanged {
        agent: AgentId,
        presence: Presence,
        at: Timestamp,
    },
    AssignmentChanged {
        assignment: ChatAssignment,
        at: Timestamp,
    },
    ChatStarted {
        chat: ChatId,
        language: Language,
        at: Timestamp,
    },
    CustomerMessage {
        chat: ChatId,
        text: String,
        at: Timestamp,
    },
    AiMessage {
        chat: ChatId,
        node: NodeId,
        text: String,
        buttons: Vec<String>,
        at: Timestamp,
    },
    FeedbackRequested {
        chat: ChatId,
        node: NodeId,
        title: String,
        request: String,
        at: Timestamp,
    },
    FeedbackGiven {
        chat: ChatId,
        rating: u8,
        comment: Option<String>,
        at: Timestamp,
    },
    FeedbackSkipped {
        chat: ChatId,
        at: Timestamp,
    },
    VariableSet {
        chat: ChatId,
        name: String,
        value: String,
    },
    /// Where the workflow now waits for the customer.
    FlowWaiting {
        chat: ChatId,
        waiting: Waiting,
    },
    /// A new AI session: variables cleared, the next message starts at the top level.
    SessionStarted {
        chat: ChatId,
        at: Timestamp,
    },
    /// A Close Chat action ended the AI session.
    SessionEnded {
        chat: ChatId,
        node: NodeId,
        at: Timestamp,
    },
    /// The workflow ran too many steps without waiting for the customer (a Jump To loop).
    WorkflowStopped {
        chat: ChatId,
        node: NodeId,
        at: Timestamp,
    },
    /// The availability check found nobody Online; `subtree` says whether the no-agent branch runs.
    NoAgentAvailable {
        chat: ChatId,
        handoff: NodeId,
        subtree: bool,
        at: Timestamp,
    },
    HandedOff {
        chat: ChatId,
        handoff: NodeId,
        at: Timestamp,
    },
    /// Into the Pending queue; `position` counts from 1 among the chats waiting for the same agents.
    Queued {
        chat: ChatId,
        position: usize,
        at: Timestamp,
    },
    Assigned {
        chat: ChatId,
        agent: AgentId,
        by: AssignedBy,
        at: Timestamp,
    },
    AgentMessage {
        chat: ChatId,
        agent: AgentId,
        text: String,
        at: Timestamp,
    },
    NoteAdded {
        chat: ChatId,
        agent: AgentId,
        text: String,
        at: Timestamp,
    },
    Transferred {
        chat: ChatId,
        from: AgentId,
        to: TransferTarget,
        at: Timestamp,
    },
    /// The assignee signed out; the chat goes back to the Pending queue.
    Unassigned {
        chat: ChatId,
        from: AgentId,
        at: Timestamp,
    },
    ChatClosed {
        chat: ChatId,
        by: AgentId,
        at: Timestamp,
    },
}

impl Event {
    /// The chat the event belongs to, if any.
    pub fn chat(&self) -> Option<ChatId> {
        match self {
            Event::AgentSignedIn { .. }
            | Event::AgentSignedOut { .. }
            | Event::PresenceChanged { .. }
            | Event::AssignmentChanged { .. } => None,
            Event::ChatStarted { chat, .. }
            | Event::CustomerMessage { chat, .. }
            | Event::AiMessage { chat, .. }
            | Event::FeedbackRequested { chat, .. }
            | Event::FeedbackGiven { chat, .. }
            | Event::FeedbackSkipped { chat, .. }
            | Event::VariableSet { chat, .. }
            | Event::FlowWaiting { chat, .. }
            | Event::SessionStarted { chat, .. }
            | Event::SessionEnded { chat, .. }
            | Event::WorkflowStopped { chat, .. }
            | Event::NoAgentAvailable { chat, .. }
            | Event::HandedOff { chat, .. }
            | Event::Queued { chat, .. }
            | Event::Assigned { chat, .. }
            | Event::AgentMessage { chat, .. }
            | Event::NoteAdded { chat, .. }
            | Event::Transferred { chat, .. }
            | Event::Unassigned { chat, .. }
            | Event::ChatClosed { chat, .. } => Some(*chat),
        }
    }

    /// Whether the event belongs in the chat's transcript (flow bookkeeping does not).
    pub fn is_transcript(&self) -> bool {
        self.chat().is_some() && !matches!(self, Event::FlowWaiting { .. } | Event::VariableSet { .. })
    }

    /// Whether the customer's widget may show it: never internal notes, nor assignment bookkeeping.
    pub fn is_visible_to_customer(&self) -> bool {
        matches!(
            self,
            Event::CustomerMessage { .. }
                | Event::AiMessage { .. }
                | Event::FeedbackRequested { .. }
                | Event::FeedbackGiven { .. }
                | Event::AgentMessage { .. }
                | Event::Queued { .. }
                | Event::ChatClosed { .. }
        )
    }
}

/// What the workflow waits for, and what runs after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Waiting {
    /// A message, matched first against the triggers nested under `level`, then the top level.
    Message { level: Option<NodeId>, then: Vec<Frame> },
    /// A message to store in `variable`.
    Reply { action: NodeId, variable: String, then: Vec<Frame> },
    /// A rating from the Collect Feedback action `action`.
    Feedback { action: NodeId, then: Vec<Frame> },
    /// The chat is with the live side of `handoff`.
    LiveAgent { handoff: NodeId },
    /// A Close Chat action ran; the next message starts a new session.
    Ended,
}

/// What the runner does when a sequence of actions ends: the innermost frame is last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum Frame {
    /// Continue with the action after this one.
    After { node: NodeId },
    /// Run the handoff's "When live agent closes chat" subtree.
    HandoffClosed { handoff: NodeId },
    /// Start a new AI session.
    NewSession,
    /// Wait again for an answer to the question `level` asked (after its nested Fallback ran).
    AskAgain { level: NodeId },
}
