//! The test bench for the engine: a starter workspace, a one-line-per-step language for
//! commands, and a readable rendering of what the engine answered, compared by `check`.
//!
//! Steps (times advance one second per step):
//! `in 1` sign in agent 1 · `out 1` · `away 1` · `online 1` · `settings 5 round_robin 2` (admin 5 sets method and cap)
//! `start 10 fr` · `say 10 some text` · `rate 10 4`
//! `claim 1 10 v3` (the version the agent saw) · `reply 1 10 text` · `note 1 10 text`
//! `transfer 1 10 team 2` · `transfer 1 10 agent 3` · `takeover 1 10 text` · `close 1 10`
//! A step written `- step` is setup: it runs, and neither it nor its events are rendered.

use handoff::protocol::{AssignedBy, Command, Event, Presence, TransferTarget};
use handoff::{AgentId, ChatAssignment, ChatId, Engine, Language, TeamId, Timestamp, Workspace};
use serde_json::json;

/// Teams 1 Billing, 2 Technical, 3 Francophone; agents 1 Ana (Billing), 2 Ben (Billing,
/// Technical), 3 Chloé (Francophone), 4 Dev (Technical), 5 Ada (admin); an AI agent in English,
/// French and Spanish. The workflow greets, hands off on "human" with the handoff given, asks
/// for feedback when a live agent closes, says goodbye in the handoff's close subtree, and
/// answers "status" with whether the session still holds a rating.
pub fn workspace(method: &str, cap: u32, handoff: serde_json::Value) -> Workspace {
    let mut handoff_node = json!({
        "id": 20, "action": "human_handoff",
        "message": "Connecting you to a live agent…",
        "on_close": [{ "id": 21, "action": "send_message", "text": "Goodbye {name}!" }],
        "on_no_agent": [],
    });
    merge(&mut handoff_node, handoff);
    let document = json!({
        "teamspace": {
            "name": "Support",
            "teams": [{ "id": 1, "name": "Billing" }, { "id": 2, "name": "Technical" }, { "id": 3, "name": "Francophone" }],
            "agents": [
                { "id": 1, "name": "Ana", "teams": [1] },
                { "id": 2, "name": "Ben", "teams": [1, 2] },
                { "id": 3, "name": "Chloé", "teams": [3] },
                { "id": 4, "name": "Dev", "teams": [2] },
                { "id": 5, "name": "Ada", "role": "admin" }
            ],
            "assignment": { "method": method, "auto_assign_cap": cap }
        },
        "ai_agent": {
            "name": "Helper", "default_language": "en", "other_languages": ["fr", "es"],
            "workflow": { "triggers": [
                { "id": 1, "trigger": "chat_started", "actions": [
                    { "id": 2, "action": "send_message", "text": "Hi! How can I help?" },
                    { "id": 3, "action": "set_chat_variable", "name": "name", "value": { "from": "text", "text": "friend" } }
                ] },
                { "id": 4, "trigger": "message_received", "intent": "human", "training_phrases": ["human", "humain"], "actions": [handoff_node] },
                { "id": 5, "trigger": "chat_closed_by_live_agent", "actions": [
                    { "id": 6, "action": "send_message", "text": "Thanks for chatting with us." },
                    { "id": 7, "action": "collect_feedback", "title": "Rate us", "request": "How did we do?", "thank_you": "Thank you!", "variable": "rating" }
                ] },
                { "id": 30, "trigger": "message_received", "intent": "status", "training_phrases": ["status"], "actions": [
                    { "id": 31, "action": "if_else", "condition": { "if": "variable_is_set", "name": "rating" },
                      "then": [{ "id": 32, "action": "send_message", "text": "Same session: you rated {rating}." }],
                      "else": [{ "id": 33, "action": "send_message", "text": "Fresh session: no rating here." }] }
                ] },
                { "id": 8, "trigger": "fallback", "actions": [{ "id": 9, "action": "send_message", "text": "Sorry, I did not get that." }] }
            ] }
        }
    });
    serde_json::from_value(document).expect("the test workspace is valid")
}

fn merge(base: &mut serde_json::Value, extra: serde_json::Value) {
    if let (Some(base), serde_json::Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
}

/// Runs the steps on a fresh engine (seed 7) and compares the rendering with `expected`.
pub fn check(workspace: Workspace, steps: &str, expected: &str) {
    let mut engine = Engine::new(workspace, 7);
    let actual = run(&mut engine, steps);
    let expected = unindent(expected);
    if actual != expected {
        panic!("\n--- expected\n{expected}\n--- actual\n{actual}\n");
    }
}

/// Runs the steps and renders each with what the engine answered.
pub fn run(engine: &mut Engine, steps: &str) -> String {
    let mut out = String::new();
    for (index, line) in steps.lines().map(str::trim).filter(|line| !line.is_empty()).enumerate() {
        let now = Timestamp(1_000 * (index as u64 + 1));
        if let Some(setup) = line.strip_prefix("- ") {
            if let Err(rejection) = engine.handle(now, parse(setup)) {
                panic!("setup step `{setup}` was rejected: {rejection}");
            }
            continue;
        }
        let step = line;
        out.push_str(step);
        out.push('\n');
        match engine.handle(now, parse(step)) {
            Ok(events) => {
                for event in events.iter().filter_map(render) {
                    out.push_str("  ");
                    out.push_str(&event);
                    out.push('\n');
                }
            }
            Err(rejection) => out.push_str(&format!("  rejected: {rejection}\n")),
        }
    }
    out
}

pub fn parse(step: &str) -> Command {
    let words: Vec<&str> = step.split_whitespace().collect();
    let agent = |at: usize| AgentId(words[at].parse().expect("an agent number"));
    let chat = |at: usize| ChatId(words[at].parse().expect("a chat number"));
    let rest = |from: usize| words[from..].join(" ");
    match words[0] {
        "in" => Command::SignIn { agent: agent(1) },
        "out" => Command::SignOut { agent: agent(1) },
        "away" => Command::SetPresence { agent: agent(1), presence: Presence::Away },
        "online" => Command::SetPresence { agent: agent(1), presence: Presence::Online },
        "settings" => Command::SetAssignment {
            agent: agent(1),
            assignment: ChatAssignment {
                method: serde_json::from_value(json!(words[2])).expect("a method"),
                auto_assign_cap: words[3].parse().expect("a cap"),
            },
        },
        "start" => Command::StartChat { chat: chat(1), language: Language::new(words[2]) },
        "say" => Command::CustomerMessage { chat: chat(1), text: rest(2) },
        "rate" => Command::GiveFeedback {
            chat: chat(1),
            rating: words[2].parse().expect("a rating"),
            comment: (words.len() > 3).then(|| rest(3)),
        },
        "claim" => Command::Claim {
            agent: agent(1),
            chat: chat(2),
            seen_version: words[3].trim_start_matches('v').parse().expect("a version"),
        },
        "reply" => Command::Reply { agent: agent(1), chat: chat(2), text: rest(3) },
        "note" => Command::Note { agent: agent(1), chat: chat(2), text: rest(3) },
        "takeover" => Command::TakeoverAndSend { agent: agent(1), chat: chat(2), text: rest(3) },
        "close" => Command::Close { agent: agent(1), chat: chat(2) },
        "transfer" => Command::Transfer {
            agent: agent(1),
            chat: chat(2),
            to: match words[3] {
                "team" => TransferTarget::Team(TeamId(words[4].parse().expect("a team"))),
                _ => TransferTarget::Agent(agent(4)),
            },
        },
        other => panic!("unknown step `{other}`"),
    }
}

/// One line per event a person would notice; flow bookkeeping is left out.
pub fn render(event: &Event) -> Option<String> {
    Some(match event {
        Event::AgentSignedIn { agent, .. } => format!("{agent} signed in"),
        Event::AgentSignedOut { agent, .. } => format!("{agent} signed out"),
        Event::PresenceChanged { agent, presence, .. } => format!("{agent} is {presence:?}"),
        Event::AssignmentChanged { assignment, .. } => {
            format!("assignment {:?}, cap {}", assignment.method, assignment.auto_assign_cap)
        }
        Event::ChatStarted { chat, language, .. } => format!("{chat} started in {language}"),
        Event::CustomerMessage { text, .. } => format!("customer: {text}"),
        Event::AiMessage { text, buttons, .. } if buttons.is_empty() => format!("ai: {text}"),
        Event::AiMessage { text, buttons, .. } => format!("ai: {text} [{}]", buttons.join(" | ")),
        Event::FeedbackRequested { title, .. } => format!("ai asks for a rating: {title}"),
        Event::FeedbackGiven { rating, comment: None, .. } => format!("customer rated {rating}"),
        Event::FeedbackGiven { rating, comment: Some(comment), .. } => format!("customer rated {rating}: {comment}"),
        Event::FeedbackSkipped { .. } => "feedback skipped".to_owned(),
        Event::VariableSet { name, value, .. } => format!("var {name} = {value}"),
        Event::FlowWaiting { .. } => return None,
        Event::SessionStarted { .. } => "new AI session".to_owned(),
        Event::SessionEnded { .. } => "AI session ended".to_owned(),
        Event::WorkflowStopped { node, .. } => format!("workflow stopped at {node}"),
        Event::NoAgentAvailable { subtree, .. } => format!("no agent available (no-agent branch: {subtree})"),
        Event::HandedOff { chat, .. } => format!("{chat} handed off"),
        Event::Queued { chat, position, .. } => format!("{chat} queued at position {position}"),
        Event::Assigned { chat, agent, by, .. } => format!("{chat} assigned to {agent} by {}", by_name(*by)),
        Event::AgentMessage { agent, text, .. } => format!("{agent}: {text}"),
        Event::NoteAdded { agent, text, .. } => format!("note by {agent}: {text}"),
        Event::Transferred { from, to, .. } => match to {
            TransferTarget::Agent(agent) => format!("transferred from {from} to {agent}"),
            TransferTarget::Team(team) => format!("transferred from {from} to {team}"),
        },
        Event::Unassigned { from, .. } => format!("taken back from {from}"),
        Event::ChatClosed { by, .. } => format!("closed by {by}"),
    })
}

fn by_name(by: AssignedBy) -> String {
    match by {
        AssignedBy::Method(method) => format!("{method:?}"),
        other => format!("{other:?}"),
    }
}

fn unindent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().skip_while(|line| line.trim().is_empty()).collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        out.push_str(&line[indent.min(line.len())..]);
        out.push('\n');
    }
    out
}

/// The handoff settings used by most tests: all users, availability check off.
pub fn all_users() -> serde_json::Value {
    json!({ "availability_check": false, "assign": { "to": "all_users" } })
}
