//! Properties over random workspaces and random command sequences: the rules hold after every
//! command, replay reproduces the state, documents round-trip, and nothing panics.

use std::collections::HashMap;

use handoff::protocol::{AssignedBy, Command, Event, Presence, TransferTarget};
use handoff::{
    AgentId, AssignmentMethod, ChatAssignment, ChatId, ChatStatus, Engine, Language, TeamId, Timestamp, Workspace,
    event_to_bytes, load_event_bytes, load_state, load_state_bytes, load_workspace, state_to_bytes, state_to_json,
    workspace_to_json,
};
use proptest::prelude::*;
use serde_json::json;

use crate::support::workspace;

const METHODS: [&str; 4] = ["balanced", "round_robin", "random", "voluntary"];
const WORDS: [&str; 8] = ["human", "humain", "status", "hello", "4", "menu", "billing", "¿agente humano?"];

pub(crate) fn arb_workspace() -> impl Strategy<Value = Workspace> {
    (0..4usize, 0..4u32, any::<bool>(), 0..3usize, proptest::collection::vec(1..4u32, 0..3)).prop_map(
        |(method, cap, check, assign, teams)| {
            let assign = match assign {
                0 => json!({ "to": "all_users" }),
                1 => json!({ "to": "specific_users_or_teams", "targets": { "teams": teams, "agents": [5] } }),
                _ => json!({ "to": "specific_users_or_teams", "targets": { "teams": [1] },
                             "by_language": { "fr": { "use": "own", "teams": teams }, "es": { "use": "default" } } }),
            };
            workspace(METHODS[method], cap, json!({ "availability_check": check, "assign": assign }))
        },
    )
}

/// A command; `None` for a claim's version means "the version the agent sees now".
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Plain(Command),
    FreshClaim { chat: ChatId, agent: AgentId },
}

pub(crate) fn arb_step() -> impl Strategy<Value = Step> {
    let agent = (1..=6u32).prop_map(AgentId);
    let chat = (10..=19u32).prop_map(ChatId);
    let text = (0..WORDS.len()).prop_map(|index| WORDS[index].to_owned());
    prop_oneof![
        1 => agent.clone().prop_map(|agent| Step::Plain(Command::SignIn { agent })),
        1 => agent.clone().prop_map(|agent| Step::Plain(Command::SignOut { agent })),
        1 => (agent.clone(), any::<bool>()).prop_map(|(agent, online)| Step::Plain(Command::SetPresence {
            agent,
            presence: if online { Presence::Online } else { Presence::Away },
        })),
        // Mostly Ada, the admin; now and then someone else, who is refused.
        1 => (0..4usize, 0..4u32, prop_oneof![3 => Just(AgentId(5)), 1 => agent.clone()]).prop_map(|(method, cap, agent)| Step::Plain(Command::SetAssignment {
            agent,
            assignment: ChatAssignment {
                method: serde_json::from_value(json!(METHODS[method])).expect("a method"),
                auto_assign_cap: cap,
            },
        })),
        2 => (chat.clone(), 0..4usize).prop_map(|(chat, language)| Step::Plain(Command::StartChat {
            chat,
            language: Language::new(["en", "fr", "es", "de"][language]),
        })),
        1 => (chat.clone(), text.clone()).prop_map(|(chat, text)| Step::Plain(Command::CustomerMessage { chat, text })),
        3 => chat.clone().prop_map(|chat| Step::Plain(Command::CustomerMessage { chat, text: "human".to_owned() })),
        1 => (chat.clone(), 0..7u8).prop_map(|(chat, rating)| Step::Plain(Command::GiveFeedback {
            chat,
            rating,
            comment: None
        })),
        1 => (chat.clone(), agent.clone()).prop_map(|(chat, agent)| Step::FreshClaim { chat, agent }),
        1 => (chat.clone(), agent.clone(), 0..4u32).prop_map(|(chat, agent, seen_version)| Step::Plain(Command::Claim {
            chat,
            agent,
            seen_version
        })),
        1 => (chat.clone(), agent.clone(), text.clone()).prop_map(|(chat, agent, text)| Step::Plain(Command::Reply {
            chat,
            agent,
            text
        })),
        1 => (chat.clone(), agent.clone(), text.clone()).prop_map(|(chat, agent, text)| Step::Plain(Command::Note {
            chat,
            agent,
            text
        })),
        1 => (chat.clone(), agent.clone(), agent.clone()).prop_map(|(chat, agent, to)| Step::Plain(Command::Transfer {
            chat,
            agent,
            to: TransferTarget::Agent(to)
        })),
        2 => (chat.clone(), agent.clone(), 1..=4u32).prop_map(|(chat, agent, team)| Step::Plain(Command::Transfer {
            chat,
            agent,
            to: TransferTarget::Team(TeamId(team)),
        })),
        1 => (chat.clone(), agent.clone(), text).prop_map(|(chat, agent, text)| Step::Plain(Command::TakeoverAndSend {
            chat,
            agent,
            text
        })),
        2 => (chat, agent).prop_map(|(chat, agent)| Step::Plain(Command::Close { chat, agent })),
    ]
}

pub(crate) fn command(engine: &Engine, step: &Step) -> Command {
    match step {
        Step::Plain(command) => command.clone(),
        Step::FreshClaim { chat, agent } => Command::Claim {
            chat: *chat,
            agent: *agent,
            seen_version: engine.chat(*chat).map_or(0, |chat| chat.version),
        },
    }
}

fn handoff_has_check(engine: &Engine, chat: ChatId) -> bool {
    let chat = engine.chat(chat).expect("assigned chats exist");
    let node = chat.handoff.expect("an assigned chat was handed off");
    match &engine.workspace().ai_agent.workflow.find_action(node).expect("the handoff exists").kind {
        handoff::workflow::ActionKind::HumanHandoff(handoff) => handoff.availability_check,
        _ => false,
    }
}

/// The rules of one assignment, checked on the state right after its event was applied.
fn check_event(after: &Engine, event: &Event) -> Result<(), TestCaseError> {
    let Event::Assigned { chat, agent, by, .. } = event else { return Ok(()) };
    let chat_state = after.chat(*chat).expect("assigned chats exist");
    let agent_state = after.agent(*agent).expect("assigned agents exist");
    prop_assert!(agent_state.status.is_signed_in(), "{} assigned to signed-out {}", chat, agent);
    if matches!(by, AssignedBy::Method(_) | AssignedBy::Claim | AssignedBy::Transfer) {
        prop_assert!(after.eligible_agents(chat_state).contains(agent), "{} given to ineligible {}", chat, agent);
    }
    if let AssignedBy::Method(method) = by {
        prop_assert_ne!(*method, AssignmentMethod::Voluntary);
        prop_assert_eq!(
            agent_state.status.presence(),
            Some(Presence::Online),
            "{} automatically assigned to Away {}",
            chat,
            agent
        );
        let cap = after.state().assignment.auto_assign_cap;
        prop_assert!(agent_state.open_chats <= cap, "{} automatically given a chat past the cap {}", agent, cap);
    }
    if *by == AssignedBy::Claim && handoff_has_check(after, *chat) {
        prop_assert_eq!(
            agent_state.status.presence(),
            Some(Presence::Online),
            "Away {} claimed {} with the check on",
            agent,
            chat
        );
    }
    Ok(())
}

/// The rules that must hold after every command, given the chats' statuses before it and its events.
fn check_rules(engine: &Engine, before: &HashMap<ChatId, ChatStatus>, events: &[Event]) -> Result<(), TestCaseError> {
    let cap = engine.state().assignment.auto_assign_cap;
    // At most one assignee per chat, and every agent's count of open chats agrees with the chats.
    let mut open: HashMap<AgentId, u32> = HashMap::new();
    for chat in engine.state().chats.values() {
        if let ChatStatus::Open { assignee, .. } = chat.status {
            *open.entry(assignee).or_default() += 1;
        }
    }
    for agent in &engine.state().agents {
        prop_assert_eq!(agent.open_chats, open.get(&agent.id).copied().unwrap_or(0), "open chats of {}", agent.id);
    }
    // Work is never left waiting beside a free agent who could take it automatically.
    if engine.state().assignment.method != AssignmentMethod::Voluntary {
        for chat in engine.state().chats.values().filter(|chat| matches!(chat.status, ChatStatus::Pending { .. })) {
            for agent in engine.eligible_agents(chat) {
                let state = engine.agent(agent).expect("exists");
                let free = state.status == handoff::AgentStatus::Online && state.open_chats < cap;
                prop_assert!(!free, "{} waits while eligible {} is free", chat.id, agent);
            }
        }
    }
    // Oldest first: a chat taken from the queue automatically had no older queued chat that the
    // same agent could have taken and that is still waiting.
    for event in events {
        let Event::Assigned { chat, agent, by: AssignedBy::Method(_), .. } = event else { continue };
        let Some(served) = before.get(chat).and_then(ChatStatus::queued) else { continue };
        for (other, status) in before {
            let Some(queued) = status.queued() else { continue };
            let other_now = engine.chat(*other).expect("exists");
            let still_waiting = other_now.status.queued() == Some(queued);
            if queued < served && still_waiting && engine.eligible_agents(other_now).contains(agent) {
                prop_assert!(false, "{agent} got {chat} while older {other} still waits for it");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn rules_hold_and_replay_reproduces_the_state(
        workspace in arb_workspace(),
        steps in proptest::collection::vec(arb_step(), 1..150),
        seed in any::<u64>(),
    ) {
        let mut engine = Engine::new(workspace.clone(), seed);
        // Replays every event as it comes, so each assignment is checked on the state right after it.
        let mut replayed = Engine::new(workspace.clone(), seed);
        let mut history = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let before: HashMap<ChatId, ChatStatus> =
                engine.state().chats.values().map(|chat| (chat.id, chat.status.clone())).collect();
            let command = command(&engine, step);
            let snapshot = engine.state().clone();
            match engine.handle(Timestamp(index as u64 * 1_000), command) {
                Ok(events) => {
                    for event in &events {
                        // Every event the engine decides fits the engine that replays it.
                        prop_assert_eq!(replayed.try_apply(event), Ok(()), "{:?}", event);
                        check_event(&replayed, event)?;
                    }
                    check_rules(&engine, &before, &events)?;
                    history.extend(events);
                }
                Err(_) => prop_assert_eq!(engine.state(), &snapshot, "a rejected command changed the state"),
            }
        }

        prop_assert_eq!(replayed.state(), engine.state());

        let state = load_state(&state_to_json(engine.state()), &workspace).expect("a snapshot loads");
        prop_assert_eq!(&state, engine.state());
        let events: Vec<Event> = serde_json::from_str(&serde_json::to_string(&history).expect("events serialize"))
            .expect("events deserialize");
        prop_assert_eq!(&events, &history);
        // The browser's journal keeps the same events and snapshots as compact bytes.
        for event in &history {
            prop_assert_eq!(&load_event_bytes(&event_to_bytes(event)).expect("an event's bytes load"), event);
        }
        let state = load_state_bytes(&state_to_bytes(engine.state()), &workspace).expect("a snapshot's bytes load");
        prop_assert_eq!(&state, engine.state());
        prop_assert_eq!(load_workspace(&workspace_to_json(&workspace)).expect("a workspace loads"), workspace);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_pools_index_decides_exactly_like_a_linear_scan(
        workspace in arb_workspace(),
        steps in proptest::collection::vec(arb_step(), 1..150),
    ) {
        let mut indexed = Engine::new(workspace.clone(), 3);
        let mut scanning = Engine::new(workspace, 3);
        scanning.set_linear_scan(true);
        for (index, step) in steps.iter().enumerate() {
            let command = command(&indexed, step);
            let now = Timestamp(index as u64 * 1_000);
            prop_assert_eq!(indexed.handle(now, command.clone()), scanning.handle(now, command));
        }
    }
}

/// The Pending folder's page the plain way: every pending chat the agent is eligible for, the
/// longest wait first, and how many there are.
fn pending_page_by_a_scan(engine: &Engine, agent: AgentId, count: usize) -> (Vec<(ChatId, Option<usize>)>, usize) {
    let mut pending: Vec<(u64, ChatId)> = engine
        .state()
        .chats
        .values()
        .filter(|chat| engine.eligible_agents(chat).contains(&agent))
        .filter_map(|chat| Some((chat.status.queued()?, chat.id)))
        .collect();
    pending.sort_unstable();
    let total = pending.len();
    let page = pending.into_iter().take(count).map(|(_, chat)| (chat, engine.queue_place(chat))).collect();
    (page, total)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// `inbox::page` takes an unfiltered Pending page from the head of the agent's queues and
    /// its total from their counters: after every command that is the page and the total a scan
    /// of every chat gives, with the same queue places.
    #[test]
    fn an_unfiltered_pending_page_is_the_page_a_scan_of_every_chat_gives(
        workspace in arb_workspace(),
        steps in proptest::collection::vec(arb_step(), 1..150),
        count in 1..6usize,
    ) {
        use handoff::inbox::{Filter, Folder, page};
        let agents: Vec<AgentId> = workspace.teamspace.agents.iter().map(|agent| agent.id).collect();
        let mut engine = Engine::new(workspace, 3);
        for (index, step) in steps.iter().enumerate() {
            let command = command(&engine, step);
            let _ = engine.handle(Timestamp(index as u64 * 1_000), command);
            for &agent in &agents {
                let (rows, total) = page(&engine, agent, Folder::Pending, &Filter::default(), count);
                let rows: Vec<(ChatId, Option<usize>)> = rows.iter().map(|row| (row.chat, row.queue_position)).collect();
                prop_assert_eq!((rows, total), pending_page_by_a_scan(&engine, agent, count));
            }
        }
    }
}

/// The agent's Closed count and unread chats the plain way, looking at every chat: closed by
/// the agent (any, for an admin), and open with the agent with an assignment to them or a
/// customer's message after the first `seen` lines.
fn closed_and_unread_by_a_scan(engine: &Engine, agent: AgentId, admin: bool, seen: usize) -> (usize, Vec<ChatId>) {
    let closed = engine
        .state()
        .chats
        .values()
        .filter(|chat| {
            let by = match chat.status {
                ChatStatus::Closed { by, .. } => Some(by),
                ChatStatus::Bot if chat.handoff.is_some() => handoff::inbox::last_closed_by(chat),
                _ => None,
            };
            by.is_some_and(|by| admin || by == agent)
        })
        .count();
    let mut unread: Vec<ChatId> = engine
        .state()
        .chats
        .values()
        .filter(|chat| chat.status.assignee() == Some(agent))
        .filter(|chat| {
            chat.transcript.iter().skip(seen).any(|event| match event {
                Event::CustomerMessage { .. } => true,
                Event::Assigned { agent: to, .. } => *to == agent,
                _ => false,
            })
        })
        .map(|chat| chat.id)
        .collect();
    unread.sort_unstable();
    (closed, unread)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The engine keeps each agent's open chats and the closed counts per event
    /// (`Engine::open_chats_of`, `Engine::closed_count`), for `inbox::counts` and
    /// `inbox::unread`: after every command, and in a snapshot restored from the state, they
    /// are what a look at every chat gives.
    #[test]
    fn the_closed_count_and_the_unread_chats_are_what_a_scan_of_every_chat_gives(
        workspace in arb_workspace(),
        steps in proptest::collection::vec(arb_step(), 1..150),
        seen in 0..4usize,
    ) {
        use handoff::inbox::{Folder, counts, unread};
        use handoff::workspace::Role;
        let agents: Vec<(AgentId, bool)> =
            workspace.teamspace.agents.iter().map(|agent| (agent.id, agent.role == Role::Admin)).collect();
        let mut engine = Engine::new(workspace.clone(), 3);
        for (index, step) in steps.iter().enumerate() {
            let command = command(&engine, step);
            let _ = engine.handle(Timestamp(index as u64 * 1_000), command);
            let restored = Engine::from_state(workspace.clone(), engine.state().clone());
            for &(agent, admin) in &agents {
                let expected = closed_and_unread_by_a_scan(&engine, agent, admin, seen);
                for engine in [&engine, &restored] {
                    let closed = counts(engine, agent)[Folder::Closed.index()];
                    prop_assert_eq!((closed, unread(engine, agent, |_| seen)), expected.clone());
                    let mine = engine.open_chats_of(agent).count();
                    prop_assert_eq!(mine, counts(engine, agent)[Folder::Mine.index()]);
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert { at: usize, index: usize, template: usize },
    Delete { at: usize },
    Duplicate { at: usize },
    Move { at: usize, to: usize, index: usize },
}

fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..5usize, 0..11usize).prop_map(|(at, index, template)| Edit::Insert { at, index, template }),
        any::<usize>().prop_map(|at| Edit::Delete { at }),
        any::<usize>().prop_map(|at| Edit::Duplicate { at }),
        (any::<usize>(), any::<usize>(), 0..5usize).prop_map(|(at, to, index)| Edit::Move { at, to, index }),
    ]
}

proptest! {
    #[test]
    fn random_edits_keep_the_workspace_loadable(edits in proptest::collection::vec(arb_edit(), 1..40)) {
        use handoff::edit::{NodeTemplate, delete, duplicate, insert, move_node};
        const TEMPLATES: [NodeTemplate; 11] = [
            NodeTemplate::ChatStarted, NodeTemplate::ChatClosedByLiveAgent, NodeTemplate::MessageReceived,
            NodeTemplate::Fallback, NodeTemplate::SendMessage, NodeTemplate::SetChatVariable, NodeTemplate::IfElse,
            NodeTemplate::HumanHandoff, NodeTemplate::CollectFeedback, NodeTemplate::JumpTo, NodeTemplate::CloseChat,
        ];
        let mut workspace = handoff::starter_workspace();
        for edit in edits {
            let workflow = &mut workspace.ai_agent.workflow;
            let ids: Vec<_> = workflow.entries().iter().map(|entry| handoff::workflow::node_id(entry.node)).collect();
            let all_places = handoff::edit::places(workflow);
            let before = workflow.clone();
            let outcome = match edit {
                Edit::Insert { at, index, template } => {
                    insert(workflow, all_places[at % all_places.len()], index, TEMPLATES[template]).map(|_| ())
                }
                Edit::Delete { at } => delete(workflow, ids[at % ids.len()]).map(|_| ()),
                Edit::Duplicate { at } => duplicate(workflow, ids[at % ids.len()]).map(|_| ()),
                Edit::Move { at, to, index } => {
                    let (node, place) = (ids[at % ids.len()], all_places[to % all_places.len()]);
                    let offered = handoff::edit::destinations(workflow, node).expect("an existing node").contains(&place);
                    let outcome = move_node(workflow, node, place, index);
                    prop_assert_eq!(offered, outcome.is_ok(), "Move to offers exactly the moves that succeed: {:?}", outcome);
                    outcome
                }
            };
            if outcome.is_err() {
                prop_assert_eq!(&*workflow, &before, "a refused edit changed the tree");
            }
            let text = workspace_to_json(&workspace);
            prop_assert!(load_workspace(&text).is_ok(), "{:?}", load_workspace(&text).err());
            let keeps_fixed_triggers = handoff::validate(&workspace)
                .iter()
                .all(|problem| !matches!(problem.kind, handoff::ProblemKind::MissingTrigger { .. }));
            prop_assert!(keeps_fixed_triggers, "Chat Started or Chat Closed by Live Agent went missing");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_restored_snapshot_decides_like_the_original(
        workspace in arb_workspace(),
        steps in proptest::collection::vec(arb_step(), 2..150),
        split in any::<usize>(),
        seed in any::<u64>(),
    ) {
        let split = split % steps.len();
        let mut original = Engine::new(workspace.clone(), seed);
        for (index, step) in steps[..split].iter().enumerate() {
            let _ = original.handle(Timestamp(index as u64 * 1_000), command(&original, step));
        }
        let snapshot = load_state(&state_to_json(original.state()), &workspace).expect("a snapshot loads");
        let from_bytes = load_state_bytes(&state_to_bytes(original.state()), &workspace).expect("its bytes load");
        prop_assert_eq!(&from_bytes, &snapshot);
        let mut restored = Engine::from_state(workspace, snapshot);
        for (index, step) in steps[split..].iter().enumerate() {
            let now = Timestamp((split + index) as u64 * 1_000);
            let command = command(&original, step);
            prop_assert_eq!(original.handle(now, command.clone()), restored.handle(now, command));
        }
    }
}

/// Commands that change neither who may take a chat nor the method: no claims, takeovers or
/// transfers; the cap may change.
fn arb_automatic_step() -> impl Strategy<Value = Command> {
    let agent = (1..=6u32).prop_map(AgentId);
    let chat = (10..=21u32).prop_map(ChatId);
    prop_oneof![
        1 => agent.clone().prop_map(|agent| Command::SignIn { agent }),
        1 => agent.clone().prop_map(|agent| Command::SignOut { agent }),
        1 => (agent.clone(), any::<bool>()).prop_map(|(agent, online)| Command::SetPresence {
            agent,
            presence: if online { Presence::Online } else { Presence::Away },
        }),
        2 => (chat.clone(), 0..3usize).prop_map(|(chat, language)| Command::StartChat {
            chat,
            language: Language::new(["en", "fr", "es"][language]),
        }),
        4 => chat.clone().prop_map(|chat| Command::CustomerMessage { chat, text: "human".to_owned() }),
        3 => (chat, agent).prop_map(|(chat, agent)| Command::Close { chat, agent }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Under the automatic methods, a customer's place is a promise: before their chat is served,
    /// the agents it could go to are given no more chats ahead of it than the place last told,
    /// minus one. The place told at queueing, `queue_place` and `queue_places` agree.
    #[test]
    fn a_place_in_the_queue_is_never_overtaken(
        workspace in arb_workspace(),
        method in 0..3usize,
        caps in proptest::collection::vec(1..4u32, 1..4),
        steps in proptest::collection::vec(arb_automatic_step(), 1..150),
        seed in any::<u64>(),
    ) {
        let mut workspace = workspace;
        workspace.teamspace.assignment.method = serde_json::from_value(json!(METHODS[method])).expect("a method");
        workspace.teamspace.assignment.auto_assign_cap = caps[0];
        let mut engine = Engine::new(workspace, seed);
        // For each pending chat: how many more chats its agents may be given before it.
        let mut slack: HashMap<ChatId, i64> = HashMap::new();
        for (index, command) in steps.iter().enumerate() {
            let now = Timestamp(index as u64 * 1_000);
            // Now and then the cap changes, which drains the queues.
            let command = match (index % 23, caps.get(index % caps.len())) {
                (22, Some(&cap)) => Command::SetAssignment {
                    agent: AgentId(5),
                    assignment: ChatAssignment { method: engine.state().assignment.method, auto_assign_cap: cap },
                },
                _ => command.clone(),
            };
            let before = engine.clone();
            let Ok(events) = engine.handle(now, command) else { continue };
            // Replays the command's events one by one to see who could take each waiting chat.
            let mut replay = before;
            for event in &events {
                replay.try_apply(event).expect("an event the engine decided fits");
                match event {
                    Event::Queued { chat, position, .. } => {
                        prop_assert_eq!(replay.queue_place(*chat), Some(*position), "{} told {}", chat, position);
                        slack.insert(*chat, *position as i64 - 1);
                    }
                    Event::Assigned { chat: served, agent, .. } => {
                        slack.remove(served);
                        for (waiting, left) in slack.iter_mut() {
                            let waiting_chat = replay.chat(*waiting).expect("exists");
                            if replay.eligible_agents(waiting_chat).contains(agent) {
                                *left -= 1;
                                prop_assert!(*left >= 0, "{} went to {} ahead of {}, past its place", served, agent, waiting);
                            }
                        }
                    }
                    _ => {}
                }
            }
            let places = engine.queue_places();
            slack.retain(|chat, _| places.contains_key(chat));
            for (chat, place) in &places {
                prop_assert_eq!(engine.queue_place(*chat), Some(*place));
                // The place shown now is told too.
                let left = slack.entry(*chat).or_insert(i64::MAX);
                *left = (*left).min(*place as i64 - 1);
            }
        }
    }
}

/// An edit an admin can make in `/settings` or the editor while conversations are under way.
#[derive(Debug, Clone)]
enum WorkspaceEdit {
    AddLanguage(usize),
    RemoveLanguage(usize),
    DefaultLanguage(usize),
    AddAgent,
    RemoveAgent(u32),
    RemoveTeam(u32),
    Membership { agent: u32, team: u32, member: bool },
    DeleteNode(usize),
}

const LANGUAGES: [&str; 4] = ["en", "fr", "es", "de"];

fn arb_workspace_edit() -> impl Strategy<Value = WorkspaceEdit> {
    prop_oneof![
        (0..4usize).prop_map(WorkspaceEdit::AddLanguage),
        (0..4usize).prop_map(WorkspaceEdit::RemoveLanguage),
        (0..4usize).prop_map(WorkspaceEdit::DefaultLanguage),
        Just(WorkspaceEdit::AddAgent),
        (1..=7u32).prop_map(WorkspaceEdit::RemoveAgent),
        (1..=4u32).prop_map(WorkspaceEdit::RemoveTeam),
        (1..=7u32, 1..=4u32, any::<bool>()).prop_map(|(agent, team, member)| WorkspaceEdit::Membership {
            agent,
            team,
            member
        }),
        any::<usize>().prop_map(WorkspaceEdit::DeleteNode),
    ]
}

/// Makes the edit as the page would; a refused edit changes nothing.
fn edit_workspace(workspace: &mut Workspace, edit: &WorkspaceEdit) {
    use handoff::teamspace_edit as settings;
    let _ = match edit {
        WorkspaceEdit::AddLanguage(code) => settings::add_language(workspace, LANGUAGES[*code]).map(|_| ()),
        WorkspaceEdit::RemoveLanguage(code) => settings::remove_language(workspace, &Language::new(LANGUAGES[*code])),
        WorkspaceEdit::DefaultLanguage(code) => {
            settings::set_default_language(workspace, &Language::new(LANGUAGES[*code]))
        }
        WorkspaceEdit::AddAgent => {
            settings::add_agent(workspace, "New agent", handoff::workspace::Role::Agent).map(|_| ())
        }
        WorkspaceEdit::RemoveAgent(agent) => settings::remove_agent(workspace, AgentId(*agent)),
        WorkspaceEdit::RemoveTeam(team) => settings::remove_team(workspace, TeamId(*team)),
        WorkspaceEdit::Membership { agent, team, member } => {
            settings::set_membership(workspace, AgentId(*agent), TeamId(*team), *member)
        }
        WorkspaceEdit::DeleteNode(at) => {
            let workflow = &mut workspace.ai_agent.workflow;
            let ids: Vec<_> = workflow.entries().iter().map(|entry| handoff::workflow::node_id(entry.node)).collect();
            handoff::edit::delete(workflow, ids[at % ids.len()])
                .map(|_| ())
                .map_err(|_| handoff::SettingsError::EmptyAgentName)
        }
    };
}

/// Touches every chat the way the pages do: its explanation, place, standing and transfer
/// options for every agent. None of it may panic.
fn look_at_every_chat(engine: &Engine) {
    let workspace = engine.workspace();
    let agents: Vec<AgentId> = workspace.teamspace.agents.iter().map(|agent| agent.id).collect();
    // A chat with the live side reaches exactly the agents its queue's list admits today.
    for chat in engine.state().chats.values() {
        let admitted = |targets: Option<&handoff::workflow::Targets>| -> Vec<AgentId> {
            let agents = workspace.teamspace.agents.iter();
            agents.filter(|agent| targets.is_none_or(|targets| targets.admits(agent))).map(|agent| agent.id).collect()
        };
        let expected = match chat.status.eligibility() {
            Some(handoff::Eligibility::Handoff { node, language }) => {
                let action = workspace.ai_agent.workflow.find_action(*node).expect("the handoff exists");
                admitted(action.kind.assign().expect("a handoff assigns").targets_for(language))
            }
            Some(handoff::Eligibility::Team { team }) => {
                let targets = handoff::workflow::Targets { agents: Vec::new(), teams: vec![*team] };
                admitted(Some(&targets))
            }
            None => Vec::new(),
        };
        assert_eq!(engine.eligible_agents(chat), expected, "who can take {}", chat.id);
    }
    for chat in engine.state().chats.keys() {
        let _ = engine.explain(*chat);
        let _ = engine.queue_place(*chat);
        let _ = handoff::inbox::transfer_targets(engine, *chat);
        for &agent in &agents {
            let _ = handoff::inbox::standing(engine, *chat, agent);
        }
    }
    for &agent in &agents {
        let _ = handoff::inbox::counts(engine, agent);
        for folder in handoff::inbox::Folder::ALL {
            let _ = handoff::inbox::rows(engine, agent, folder, &handoff::inbox::Filter::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Workspace edits interleaved with commands: after each edit the conversations are
    /// replayed under the new workspace from their events (and loaded from a snapshot), as the
    /// page does. Nothing panics; an event that no longer fits stops the replay and is reported,
    /// and every chat the replay keeps can still be worked.
    #[test]
    fn workspace_edits_between_commands_and_replays_never_panic(
        workspace in arb_workspace(),
        plan in proptest::collection::vec(
            prop_oneof![4 => arb_step().prop_map(Ok), 1 => arb_workspace_edit().prop_map(Err)],
            1..120,
        ),
    ) {
        let mut workspace = workspace;
        let mut engine = Engine::new(workspace.clone(), 5);
        let mut history: Vec<Event> = Vec::new();
        // Once a replay is reported, the journal takes no more events (the page offers to save
        // and reset it); commands still run on what was replayed, as the page shows it.
        let mut reported = false;
        for (index, item) in plan.iter().enumerate() {
            match item {
                Ok(step) => {
                    let command = command(&engine, step);
                    if let Ok(events) = engine.handle(Timestamp(index as u64 * 1_000), command)
                        && !reported
                    {
                        history.extend(events);
                    }
                }
                Err(edit) => {
                    let snapshot = state_to_bytes(engine.state());
                    edit_workspace(&mut workspace, edit);
                    // The snapshot either loads and gives a working engine, or is refused.
                    if let Ok(state) = load_state_bytes(&snapshot, &workspace) {
                        look_at_every_chat(&Engine::from_state(workspace.clone(), state));
                    }
                    let mut replayed = Engine::new(workspace.clone(), 5);
                    for event in &history {
                        if let Err(misfit) = replayed.try_apply(event) {
                            prop_assert!(!misfit.to_string().is_empty());
                            reported = true;
                            break;
                        }
                    }
                    look_at_every_chat(&replayed);
                    engine = replayed;
                }
            }
        }
        look_at_every_chat(&engine);
    }
}
