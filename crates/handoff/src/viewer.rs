//! Who may see what, and what a server tells each connected viewer so that it keeps an exact
//! replica of what it may see: the rules of visibility, computed here once for every event, so
//! that the socket layer only delivers (STYLE: as Chatwoot computes each event's recipients).
//!
//! - A live agent sees exactly the chats of their inbox folders (`inbox::Folder`): pending chats
//!   they are eligible for, open chats assigned to them, every pending and open chat if they are
//!   an admin, and the chats whose last livechat they closed (every closed chat for an admin).
//!   A chat with the AI agent that was never handed off is nobody's. Staff also see every live
//!   agent's state (the transfer picker, who is Online) and the Chat Assignment in force.
//! - A customer sees their own chat as the widget shows it: its transcript without the lines the
//!   widget never shows (internal notes, assignment bookkeeping: `Event::is_visible_to_customer`)
//!   and without the chat variables, plus its place in the queue. Nothing else.
//!
//! A server holds, per connection, a `Viewer` and a `Seen`: it sends the `View` of `view` on
//! connect, and after every committed batch of events what `changes` returns. A `Replica` built
//! from the view and fed the changes holds an `Engine` on which the inbox and the widget give the
//! answers the server's engine gives for that viewer.
//!
//! Which chats a batch concerns is read off its events: whether a live agent may see a chat
//! depends only on the chat (its status, its eligibility, who closed it) and the workspace, never
//! on anyone's presence, so a chat comes into or out of view only through an event that names it
//! (an agent coming Online is given queued chats by `Assigned` events; signing out hands chats
//! back by `Unassigned` ones). What changes beside the chats the batch names is told in full:
//! queue places (a claim moves every place behind it) and the states of agents the events change
//! without naming (the assignee of a chat an admin closes or takes over).
//!
//! The wire encoding is the journal's (`journal.rs`), under a version byte of its own.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::document::DocumentError;
use crate::engine::{AgentState, Chat, Counters, Engine, State};
use crate::ids::{AgentId, ChatId};
use crate::inbox::Folders;
use crate::journal::{self, Reader, Record, Writer, record_enum, record_struct};
use crate::protocol::{Command, Event, Rejection};
use crate::workspace::{ChatAssignment, Role, Workspace};

/// The first byte of a view's or a batch of changes' bytes; bytes of another version are
/// refused, not misread.
const WIRE_VERSION: u8 = 1;

/// Who is at the other end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Viewer {
    /// A live agent of the teamspace, signed in with a password; whether they are an admin is
    /// the teamspace's to say (`engine.workspace()`).
    Staff { agent: AgentId },
    /// The customer of one chat, through its token.
    Customer { chat: ChatId },
}

/// Whether the viewer may see the chat now (see the module's rules). A live agent the teamspace
/// does not have sees nothing.
pub fn may_see(engine: &Engine, viewer: Viewer, chat: &Chat) -> bool {
    Sight::new(engine, viewer).sees(chat)
}

/// Everything the viewer may see now: what a connection is sent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The chats the viewer may see, in id order; a customer's as the widget shows it.
    pub chats: Vec<Chat>,
    /// Every live agent's state in the teamspace's order, for staff; none for a customer.
    pub agents: Vec<AgentState>,
    /// The Chat Assignment in force, for staff; `None` for a customer.
    pub assignment: Option<ChatAssignment>,
    /// The place in the queue of each pending chat of `chats`, in id order.
    pub places: Vec<(ChatId, usize)>,
}

/// What one connection has been told of each chat it holds: a few numbers a chat, so that the
/// next batch sends only what is new (the lines of a transcript after those told, a place that
/// moved) and says which chats are gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    told: FxHashMap<ChatId, Told>,
}

impl Seen {
    /// Whether the connection holds the chat.
    pub fn holds(&self, chat: ChatId) -> bool {
        self.told.contains_key(&chat)
    }

    /// How many chats the connection holds.
    pub fn len(&self) -> usize {
        self.told.len()
    }

    pub fn is_empty(&self) -> bool {
        self.told.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Told {
    /// How many lines of the chat's transcript (the engine's) were told.
    lines: usize,
    /// How many lines the viewer's copy holds: fewer than `lines` for a customer, whose copy
    /// leaves out what the widget never shows.
    shown: usize,
    /// The place in the queue told last, while the chat is pending.
    place: Option<usize>,
}

/// One thing a viewer is told after a batch of events. Each carries the current whole state of
/// what it names (but for the transcript lines told before), so that a batch told late, after
/// the engine moved on, still leaves the replica exact once the later batches are told too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A chat the viewer may see, whole but for its transcript: `chat.transcript` holds the lines
    /// from line `from` of the viewer's copy on, the lines before were told already (`from` is 0
    /// for a chat new to the viewer, sent with all its lines). `place` is its place in the queue
    /// while pending.
    Chat { chat: Box<Chat>, from: usize, place: Option<usize> },
    /// A chat the viewer held and may no longer see.
    Gone { chat: ChatId },
    /// A live agent's state, for staff.
    Agent { state: AgentState },
    /// The Chat Assignment now in force, for staff.
    Assignment { assignment: ChatAssignment },
    /// The new place in the queue of a pending chat the viewer holds, which other chats moved.
    Place { chat: ChatId, place: usize },
}

/// Everything the viewer may see now, and what the connection is then told.
pub fn view(engine: &Engine, viewer: Viewer) -> (View, Seen) {
    let mut sight = Sight::new(engine, viewer);
    let mut chats: Vec<&Chat> = match viewer {
        Viewer::Customer { chat } => engine.chat(chat).into_iter().collect(),
        Viewer::Staff { .. } => engine.state().chats.values().filter(|chat| sight.sees(chat)).collect(),
    };
    chats.sort_unstable_by_key(|chat| chat.id);
    let pending: Vec<ChatId> = chats.iter().filter(|chat| chat.status.queued().is_some()).map(|chat| chat.id).collect();
    let places: FxHashMap<ChatId, usize> = pending
        .iter()
        .zip(engine.queue_places_of(&pending))
        .filter_map(|(&chat, place)| Some((chat, place?)))
        .collect();
    let staff = sight.is_staff();
    let mut seen = Seen::default();
    let mut view = View {
        chats: Vec::with_capacity(chats.len()),
        agents: if staff { engine.state().agents.clone() } else { Vec::new() },
        assignment: staff.then_some(engine.state().assignment),
        places: Vec::new(),
    };
    for chat in chats {
        let copy = copy_for(viewer, chat, 0);
        let place = places.get(&chat.id).copied();
        seen.told.insert(chat.id, Told { lines: chat.transcript.len(), shown: copy.transcript.len(), place });
        if let Some(place) = place {
            view.places.push((chat.id, place));
        }
        view.chats.push(copy);
    }
    (view, seen)
}

/// What the viewer must be told after `events` (the batch just committed, or several in order:
/// events or references to them), and `seen` updated to match. The engine may be later than the batch already (other batches committed since): what is
/// sent is the current state of what the batch touched, so telling every batch in order converges
/// on the engine's state all the same.
///
/// In order: the Chat Assignment, agents' states, the chats the batch names (put or gone), then
/// the places of the viewer's other pending chats that moved.
pub fn changes<E: Borrow<Event>>(engine: &Engine, viewer: Viewer, seen: &mut Seen, events: &[E]) -> Vec<Change> {
    let mut sight = Sight::new(engine, viewer);
    let mut out = Vec::new();
    if sight.is_staff() {
        if events.iter().any(|event| matches!(event.borrow(), Event::AssignmentChanged { .. })) {
            out.push(Change::Assignment { assignment: engine.state().assignment });
        }
        for agent in agents_changed(engine, events) {
            if let Some(state) = engine.agent(agent) {
                out.push(Change::Agent { state: state.clone() });
            }
        }
    }
    let mut named: Vec<ChatId> = Vec::new();
    for chat in events.iter().map(Borrow::borrow).filter(|event| changes_copy(viewer, event)).filter_map(Event::chat) {
        if !named.contains(&chat) {
            named.push(chat);
        }
    }
    for id in named {
        match engine.chat(id).filter(|chat| sight.sees(chat)) {
            Some(chat) => {
                let (lines, from) = seen.told.get(&id).map_or((0, 0), |told| (told.lines, told.shown));
                let copy = copy_for(viewer, chat, lines);
                let place = engine.queue_place(id);
                let shown = from + copy.transcript.len();
                seen.told.insert(id, Told { lines: chat.transcript.len(), shown, place });
                out.push(Change::Chat { chat: Box::new(copy), from, place });
            }
            None => {
                if seen.told.remove(&id).is_some() {
                    out.push(Change::Gone { chat: id });
                }
            }
        }
    }
    if events.iter().any(|event| reach(event.borrow()).queue) {
        let mut pending: Vec<ChatId> =
            seen.told.iter().filter(|(_, told)| told.place.is_some()).map(|(&chat, _)| chat).collect();
        pending.sort_unstable();
        let places = engine.queue_places_of(&pending);
        for (chat, place) in pending.into_iter().zip(places) {
            // A chat that left the queue since is put by the batch that took it out.
            let (Some(place), Some(told)) = (place, seen.told.get_mut(&chat)) else { continue };
            if told.place != Some(place) {
                told.place = Some(place);
                out.push(Change::Place { chat, place });
            }
        }
    }
    out
}

/// Why a connection may not send a command, whatever the engine would say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forbidden {
    /// The viewer is a live agent the teamspace does not have (removed since they signed in).
    NotInTeamspace { agent: AgentId },
    /// A live agent's command in another live agent's name.
    OtherAgent { agent: AgentId },
    /// Changing Chat Assignment, by a live agent who is not an admin.
    NotAdmin { agent: AgentId },
    /// A command the viewer's side never sends: a customer's, or starting a chat (the widget's
    /// endpoint starts chats), from staff; anything but a message or feedback from a customer.
    WrongSide,
    /// A chat the viewer may not see, or no chat at all: to be answered exactly as the engine's
    /// `Rejection::UnknownChat` (`as_rejection`), so that a refusal never says whether it exists.
    Hidden { chat: ChatId },
}

impl Forbidden {
    /// The refusal to answer with as if the engine had refused: `Hidden` is `UnknownChat`.
    pub fn as_rejection(&self) -> Option<Rejection> {
        match self {
            Forbidden::Hidden { chat } => Some(Rejection::UnknownChat { chat: *chat }),
            Forbidden::NotAdmin { agent } => Some(Rejection::NotAdmin { agent: *agent }),
            Forbidden::NotInTeamspace { .. } | Forbidden::OtherAgent { .. } | Forbidden::WrongSide => None,
        }
    }

    /// The refusal in words for the person at the other end, with names; a hidden chat's exactly
    /// as the engine words a chat that does not exist.
    pub fn in_words(&self, workspace: &Workspace) -> String {
        match self {
            Forbidden::NotInTeamspace { .. } => "You are no longer a live agent of this teamspace.".to_owned(),
            Forbidden::OtherAgent { agent } => {
                let name =
                    workspace.teamspace.agent(*agent).map_or_else(|| agent.to_string(), |found| found.name.clone());
                format!("That was sent in the name of {name}: you may act only as yourself.")
            }
            Forbidden::NotAdmin { agent } => Rejection::NotAdmin { agent: *agent }.in_words(workspace),
            Forbidden::WrongSide => "This connection may not send that.".to_owned(),
            Forbidden::Hidden { chat } => Rejection::UnknownChat { chat: *chat }.in_words(workspace),
        }
    }
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Forbidden::NotInTeamspace { agent } => write!(f, "{agent} is not in the teamspace"),
            Forbidden::OtherAgent { agent } => write!(f, "the command names {agent}, not the viewer"),
            Forbidden::NotAdmin { agent } => write!(f, "{agent} is not an admin"),
            Forbidden::WrongSide => f.write_str("the viewer's side does not send this command"),
            Forbidden::Hidden { chat } => write!(f, "there is no {chat}"),
        }
    }
}

/// Whether the viewer may send the command, before the engine decides it. A customer sends
/// messages and feedback for their own chat only. A live agent acts in their own name (the server
/// writes it in too), changes Chat Assignment only as an admin, and acts only on a chat they may
/// see, but for a claim of a chat they are eligible for, which may have been taken since their
/// screen showed it (the engine then says who took it).
pub fn authorize(engine: &Engine, viewer: Viewer, command: &Command) -> Result<(), Forbidden> {
    let me = match viewer {
        Viewer::Customer { chat: own } => {
            return match command {
                Command::CustomerMessage { chat, .. } | Command::GiveFeedback { chat, .. } if *chat == own => Ok(()),
                Command::CustomerMessage { chat, .. } | Command::GiveFeedback { chat, .. } => {
                    Err(Forbidden::Hidden { chat: *chat })
                }
                _ => Err(Forbidden::WrongSide),
            };
        }
        Viewer::Staff { agent } => agent,
    };
    let Some(found) = engine.workspace().teamspace.agent(me) else {
        return Err(Forbidden::NotInTeamspace { agent: me });
    };
    let acting = match command {
        Command::SignIn { agent }
        | Command::SignOut { agent }
        | Command::SetPresence { agent, .. }
        | Command::SetAssignment { agent, .. }
        | Command::Claim { agent, .. }
        | Command::Reply { agent, .. }
        | Command::Note { agent, .. }
        | Command::Transfer { agent, .. }
        | Command::TakeoverAndSend { agent, .. }
        | Command::Close { agent, .. } => *agent,
        // Only the rules decide what it does.
        Command::ServeQueues => return Ok(()),
        Command::StartChat { .. } | Command::CustomerMessage { .. } | Command::GiveFeedback { .. } => {
            return Err(Forbidden::WrongSide);
        }
    };
    if acting != me {
        return Err(Forbidden::OtherAgent { agent: acting });
    }
    if matches!(command, Command::SetAssignment { .. }) && found.role != Role::Admin {
        return Err(Forbidden::NotAdmin { agent: me });
    }
    match acted_on(command) {
        Some(chat) if !shown(engine, viewer, command, chat) => Err(Forbidden::Hidden { chat }),
        _ => Ok(()),
    }
}

/// The engine's refusal of the viewer's command as the viewer is told it: about a chat they may
/// not see (or none), only that there is no such chat, so that "already taken by Bob" never
/// reveals a chat. An agent eligible for a chat they tried to claim is told what the engine said:
/// a lost race names who won (SPEC).
pub fn rejection_for(engine: &Engine, viewer: Viewer, command: &Command, rejection: Rejection) -> Rejection {
    match acted_on(command) {
        Some(chat) if !shown(engine, viewer, command, chat) => Rejection::UnknownChat { chat },
        _ => rejection,
    }
}

/// Whether what the engine says about the command's chat may be said to the viewer.
fn shown(engine: &Engine, viewer: Viewer, command: &Command, chat: ChatId) -> bool {
    match viewer {
        Viewer::Customer { chat: own } => chat == own,
        Viewer::Staff { .. } => engine.chat(chat).is_some_and(|found| {
            let claims_eligibly = match command {
                Command::Claim { agent, .. } => {
                    engine.slot_of(*agent).is_some_and(|slot| engine.is_eligible(found, slot))
                }
                _ => false,
            };
            claims_eligibly || may_see(engine, viewer, found)
        }),
    }
}

/// The existing chat a command acts on; starting a chat names one that is not there yet.
fn acted_on(command: &Command) -> Option<ChatId> {
    match command {
        Command::CustomerMessage { chat, .. }
        | Command::GiveFeedback { chat, .. }
        | Command::Claim { chat, .. }
        | Command::Reply { chat, .. }
        | Command::Note { chat, .. }
        | Command::Transfer { chat, .. }
        | Command::TakeoverAndSend { chat, .. }
        | Command::Close { chat, .. } => Some(*chat),
        Command::SignIn { .. }
        | Command::SignOut { .. }
        | Command::SetPresence { .. }
        | Command::SetAssignment { .. }
        | Command::ServeQueues
        | Command::StartChat { .. } => None,
    }
}

/// A viewer's copy of what a server told it: an engine holding the chats it may see, the agents'
/// states and the Chat Assignment (for staff) and the places told, on which the inbox's and the
/// widget's functions answer as on the server's engine for this viewer. It never decides.
#[derive(Debug, Clone)]
pub struct Replica {
    engine: Engine,
}

/// A change that does not follow what the replica holds: the lines of a chat's transcript it is
/// told begin after a line it does not have (a batch lost or told twice). The replica is then
/// left part-changed; the app connects again for a fresh `View`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfStep {
    pub chat: ChatId,
}

impl std::fmt::Display for OutOfStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the lines told of {} do not follow those held", self.chat)
    }
}

impl Replica {
    /// The replica of a view, on the workspace the server's engine runs (a new workspace there
    /// means a new view, and a new replica on it).
    pub fn new(workspace: Workspace, view: View) -> Replica {
        let View { chats, agents, assignment, places } = view;
        let state = State {
            seed: 0,
            assignment: assignment.unwrap_or(workspace.teamspace.assignment),
            agents,
            chats: chats.into_iter().map(|chat| (chat.id, chat)).collect(),
            counters: Counters::default(),
        };
        let mut engine = Engine::from_state(workspace, state);
        engine.answer_with_told_places();
        for (chat, place) in places {
            engine.tell_place(chat, Some(place));
        }
        Replica { engine }
    }

    /// Carries out a batch of changes, in order.
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), OutOfStep> {
        for change in changes {
            match change {
                Change::Chat { chat, from, place } => {
                    let mut chat = Chat::clone(chat);
                    if *from > 0 {
                        let held = self.engine.remove_chat(chat.id).map(|held| held.transcript);
                        let Some(mut transcript) = held.filter(|held| held.len() == *from) else {
                            return Err(OutOfStep { chat: chat.id });
                        };
                        transcript.append(&mut chat.transcript);
                        chat.transcript = transcript;
                    }
                    let id = chat.id;
                    self.engine.put_chat(chat);
                    self.engine.tell_place(id, *place);
                }
                Change::Gone { chat } => {
                    self.engine.remove_chat(*chat);
                }
                Change::Agent { state } => self.engine.put_agent(state.clone()),
                Change::Assignment { assignment } => self.engine.put_assignment(*assignment),
                Change::Place { chat, place } => self.engine.tell_place(*chat, Some(*place)),
            }
        }
        Ok(())
    }

    /// The engine the pages read, as they read the backend's.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// A view as bytes for the wire: the journal's encoding (`journal.rs`) under its own version.
pub fn view_to_bytes(view: &View) -> Vec<u8> {
    journal::to_bytes(WIRE_VERSION, view)
}

/// Reads what `view_to_bytes` wrote; never panics on other bytes.
pub fn load_view_bytes(bytes: &[u8]) -> Result<View, DocumentError> {
    journal::from_bytes(bytes, (WIRE_VERSION, "wire"), "view from the server")
}

/// A batch of changes as bytes for the wire.
pub fn changes_to_bytes(changes: &[Change]) -> Vec<u8> {
    journal::list_to_bytes(WIRE_VERSION, changes)
}

/// Reads what `changes_to_bytes` wrote; never panics on other bytes.
pub fn load_changes_bytes(bytes: &[u8]) -> Result<Vec<Change>, DocumentError> {
    journal::from_bytes(bytes, (WIRE_VERSION, "wire"), "batch of changes from the server")
}

record_struct! {
    View { chats, agents, assignment, places }
}

record_enum!(Change, placeholder Change::Gone { chat: ChatId(0) }, {
    0 => Chat { chat, from, place },
    1 => Gone { chat },
    2 => Agent { state },
    3 => Assignment { assignment },
    4 => Place { chat, place },
});

/// What deciding many chats' visibility for one viewer needs once.
enum Sight<'a> {
    Customer(ChatId),
    /// A live agent of the teamspace, and their folders.
    Staff(Folders<'a>),
    /// A live agent the teamspace does not have.
    Nobody,
}

impl<'a> Sight<'a> {
    fn new(engine: &'a Engine, viewer: Viewer) -> Sight<'a> {
        match viewer {
            Viewer::Customer { chat } => Sight::Customer(chat),
            Viewer::Staff { agent } if engine.agent(agent).is_some() => Sight::Staff(Folders::new(engine, agent)),
            Viewer::Staff { .. } => Sight::Nobody,
        }
    }

    fn sees(&mut self, chat: &'a Chat) -> bool {
        match self {
            Sight::Customer(own) => chat.id == *own,
            Sight::Staff(folders) => folders.hold(chat),
            Sight::Nobody => false,
        }
    }

    fn is_staff(&self) -> bool {
        matches!(self, Sight::Staff(_))
    }
}

/// The viewer's copy of the chat, with the transcript's lines from `from` (of the engine's) on.
/// A customer's leaves out what the widget never shows, and the chat variables, which are the
/// workflow's own notes.
fn copy_for(viewer: Viewer, chat: &Chat, from: usize) -> Chat {
    let Chat { id, language, started_at, status, version, handoff, variables, waiting, transcript } = chat;
    let customer = matches!(viewer, Viewer::Customer { .. });
    let lines = transcript.get(from..).unwrap_or_default();
    Chat {
        id: *id,
        language: language.clone(),
        started_at: *started_at,
        status: status.clone(),
        version: *version,
        handoff: *handoff,
        variables: if customer { BTreeMap::new() } else { variables.clone() },
        waiting: waiting.clone(),
        transcript: lines.iter().filter(|event| !customer || event.is_visible_to_customer()).cloned().collect(),
    }
}

/// What an event changes beside the staff's copy of its chat (every event of a chat changes
/// that), in one exhaustive match, so that a new event must say.
struct Reach {
    /// It changes the customer's copy of its chat, which holds neither the lines the widget never
    /// shows nor the variables: an internal note is not even a sign of life to the customer.
    customer: bool,
    /// It puts its chat in the queue or takes it out, which moves the places of the chats queued
    /// after it.
    queue: bool,
    /// The agent whose state it changes, by name.
    agent: Option<AgentId>,
    /// It takes its chat from an assignee it does not name (a close by an admin, a takeover).
    unnamed_assignee: bool,
}

/// Whether the event puts its chat in the queue or takes it out, and so moves the places of the
/// chats queued after it: whose customers must be told their place again.
pub fn moves_queue(event: &Event) -> bool {
    reach(event).queue
}

/// Whether the event changes what the customer of its chat sees: an internal note, a variable
/// set or the workflow's bookkeeping does not, so their socket is not even woken for it.
pub fn reaches_customer(event: &Event) -> bool {
    reach(event).customer
}

fn reach(event: &Event) -> Reach {
    let nothing = Reach { customer: false, queue: false, agent: None, unnamed_assignee: false };
    let customer = Reach { customer: true, ..nothing };
    match event {
        Event::AgentSignedIn { agent, .. }
        | Event::AgentSignedOut { agent, .. }
        | Event::PresenceChanged { agent, .. } => Reach { agent: Some(*agent), ..nothing },
        Event::HandedOff { .. } => Reach { queue: true, ..customer },
        Event::Assigned { agent, .. } => Reach { queue: true, agent: Some(*agent), unnamed_assignee: true, ..customer },
        Event::Transferred { from, .. } | Event::Unassigned { from, .. } => {
            Reach { queue: true, agent: Some(*from), ..customer }
        }
        Event::ChatClosed { .. } => Reach { unnamed_assignee: true, ..customer },
        Event::ChatStarted { .. }
        | Event::CustomerMessage { .. }
        | Event::AiMessage { .. }
        | Event::FeedbackRequested { .. }
        | Event::FeedbackGiven { .. }
        | Event::FlowWaiting { .. }
        | Event::SessionStarted { .. }
        | Event::SessionEnded { .. }
        | Event::Queued { .. }
        | Event::AgentMessage { .. } => customer,
        Event::AssignmentChanged { .. }
        | Event::NoteAdded { .. }
        | Event::VariableSet { .. }
        | Event::FeedbackSkipped { .. }
        | Event::WorkflowStopped { .. }
        | Event::NoAgentAvailable { .. } => nothing,
    }
}

/// Whether the event changes the viewer's copy of its chat.
fn changes_copy(viewer: Viewer, event: &Event) -> bool {
    match viewer {
        Viewer::Staff { .. } => event.chat().is_some(),
        Viewer::Customer { .. } => reach(event).customer,
    }
}

/// The agents whose state the events changed, in id order: those they name, and the assignee a
/// chat was taken from by an event that does not name them.
fn agents_changed<E: Borrow<Event>>(engine: &Engine, events: &[E]) -> Vec<AgentId> {
    let mut agents = Vec::new();
    for event in events.iter().map(Borrow::borrow) {
        let Reach { agent, unnamed_assignee, .. } = reach(event);
        agents.extend(agent);
        if let Some(chat) = event.chat().filter(|_| unnamed_assignee) {
            agents.extend(assignees_before(engine, chat, event));
        }
    }
    agents.sort_unstable();
    agents.dedup();
    agents
}

/// Who had the chat just before the event, read off its transcript (which the engine only ever
/// appends to, so the event is in it even when later ones follow): the agent of the last
/// assignment before it, unless the chat went back to the queue in between. Should the event
/// not be found, every agent the chat was ever assigned to.
fn assignees_before(engine: &Engine, chat: ChatId, event: &Event) -> Vec<AgentId> {
    let transcript = engine.chat(chat).map_or(&[][..], |chat| chat.transcript.as_slice());
    let assignee_before = |at: usize| {
        transcript[..at].iter().rev().find_map(|earlier| match earlier {
            Event::Assigned { agent, .. } => Some(Some(*agent)),
            Event::HandedOff { .. }
            | Event::Transferred { .. }
            | Event::Unassigned { .. }
            | Event::ChatClosed { .. } => Some(None),
            _ => None,
        })
    };
    let found: Vec<usize> = (0..transcript.len()).filter(|&at| transcript[at] == *event).collect();
    if found.is_empty() {
        return transcript
            .iter()
            .filter_map(|earlier| match earlier {
                Event::Assigned { agent, .. } => Some(*agent),
                _ => None,
            })
            .collect();
    }
    found.into_iter().filter_map(|at| assignee_before(at).flatten()).collect()
}
