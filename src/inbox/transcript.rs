//! A chat's events as people read them: who said what, and the system's notes (handed off,
//! queued at position N, assigned to X, transferred, closed, feedback given), with times.
//! The inbox, the customer's widget and the preview's timeline all read events through here.

use handoff::customer_words::{CustomerWords, ENGLISH};
use handoff::teamspace_edit::ASSIGNMENT_METHODS;
use handoff::{AssignedBy, AssignmentMethod, Event, Timestamp, TransferTarget, Workspace};

pub use crate::editor::outline::language_name;

/// The method's name as the settings page gives it: "Balanced", "Round robin", …
pub fn method_name(method: AssignmentMethod) -> &'static str {
    ASSIGNMENT_METHODS.iter().find(|(choice, ..)| *choice == method).map_or("the method", |(_, name, _)| name)
}

/// Who a line of the transcript is from, which also decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speaker {
    Customer,
    Ai,
    Agent,
    /// An internal note: live agents only, never the customer.
    Note,
    System,
}

impl Speaker {
    pub fn class(self) -> &'static str {
        match self {
            Speaker::Customer => "customer",
            Speaker::Ai => "ai",
            Speaker::Agent => "agent",
            Speaker::Note => "note",
            Speaker::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    pub speaker: Speaker,
    /// The name shown with the line: the customer, the AI agent, a live agent.
    pub from: String,
    pub text: String,
    /// Quick-reply buttons offered with an AI message.
    pub buttons: Vec<String>,
    pub at: Option<Timestamp>,
}

/// The event as a line of the transcript, as staff read it (in English); `None` for bookkeeping
/// nobody reads.
pub fn line(event: &Event, workspace: &Workspace) -> Option<Line> {
    line_in(event, workspace, &ENGLISH)
}

/// The event as a line, the system lines a customer reads (`Event::is_visible_to_customer`) in
/// `words`' language; the others are staff's, in English.
pub fn line_in(event: &Event, workspace: &Workspace, words: &CustomerWords) -> Option<Line> {
    let agent = |id| workspace.teamspace.agent(id).map_or_else(|| id.to_string(), |agent| agent.name.clone());
    let ai = || workspace.ai_agent.name.clone();
    let said = |speaker, from: String, text: &str, at: &Timestamp| Line {
        speaker,
        from,
        text: text.to_owned(),
        buttons: Vec::new(),
        at: Some(*at),
    };
    let system = |text: String, at: &Timestamp| said(Speaker::System, String::new(), &text, at);
    Some(match event {
        Event::CustomerMessage { text, at, .. } => said(Speaker::Customer, "Customer".to_owned(), text, at),
        Event::AiMessage { text, buttons, at, .. } => {
            Line { buttons: buttons.clone(), ..said(Speaker::Ai, ai(), text, at) }
        }
        Event::AgentMessage { agent: id, text, at, .. } => said(Speaker::Agent, agent(*id), text, at),
        Event::NoteAdded { agent: id, text, at, .. } => {
            said(Speaker::Note, format!("Note by {}", agent(*id)), text, at)
        }
        Event::FeedbackRequested { title, request, at, .. } => {
            // Two sentences, as the customer reads them: "How did we do? Please rate…".
            let joined = match title.trim_end().ends_with(['?', '!', '.', ':']) {
                true => format!("{} {request}", title.trim_end()),
                false => format!("{}. {request}", title.trim_end()),
            };
            said(Speaker::Ai, ai(), &joined, at)
        }
        Event::FeedbackGiven { rating, comment, at, .. } => system(words.rated(*rating, comment.as_deref()), at),
        Event::FeedbackSkipped { at, .. } => system("Customer gave no rating".to_owned(), at),
        Event::ChatStarted { language, at, .. } => system(format!("Chat started in {}", language_name(language)), at),
        Event::SessionStarted { at, .. } => system("A new AI session began".to_owned(), at),
        Event::SessionEnded { at, .. } => system("The AI agent closed the session".to_owned(), at),
        Event::WorkflowStopped { at, .. } => {
            system("The workflow stopped: too many steps without waiting".to_owned(), at)
        }
        Event::NoAgentAvailable { subtree, at, .. } => system(
            if *subtree {
                "No live agent was Online: the no-agent branch ran".to_owned()
            } else {
                "No live agent was Online: waiting in the queue".to_owned()
            },
            at,
        ),
        Event::HandedOff { at, .. } => system("Handed off to live agents".to_owned(), at),
        Event::Queued { position, at, .. } => system(words.queued(*position), at),
        Event::Assigned { agent: id, by, at, .. } => {
            let how = match by {
                AssignedBy::Method(method) => format!("by {}", method_name(*method)),
                AssignedBy::Claim => "who claimed it".to_owned(),
                AssignedBy::Transfer => "by transfer".to_owned(),
                AssignedBy::Takeover => "who took it over".to_owned(),
            };
            system(format!("Assigned to {} {how}", agent(*id)), at)
        }
        Event::Transferred { from, to, at, .. } => {
            let to = match to {
                TransferTarget::Agent(id) => agent(*id),
                TransferTarget::Team(team) => workspace
                    .teamspace
                    .team(*team)
                    .map_or_else(|| team.to_string(), |team| format!("team {}", team.name)),
            };
            system(format!("{} transferred the chat to {to}", agent(*from)), at)
        }
        Event::Unassigned { from, at, .. } => system(format!("{} signed out: back in the queue", agent(*from)), at),
        Event::ChatClosed { by, at, .. } => system(words.closed_by(&agent(*by)), at),
        Event::AgentSignedIn { .. }
        | Event::AgentSignedOut { .. }
        | Event::PresenceChanged { .. }
        | Event::AssignmentChanged { .. }
        | Event::VariableSet { .. }
        | Event::FlowWaiting { .. } => return None,
    })
}

/// The engine's name for an event, as the preview's timeline shows it.
pub fn kind(event: &Event) -> &'static str {
    match event {
        Event::AgentSignedIn { .. } => "agent_signed_in",
        Event::AgentSignedOut { .. } => "agent_signed_out",
        Event::PresenceChanged { .. } => "presence_changed",
        Event::AssignmentChanged { .. } => "assignment_changed",
        Event::ChatStarted { .. } => "chat_started",
        Event::CustomerMessage { .. } => "customer_message",
        Event::AiMessage { .. } => "ai_message",
        Event::FeedbackRequested { .. } => "feedback_requested",
        Event::FeedbackGiven { .. } => "feedback_given",
        Event::FeedbackSkipped { .. } => "feedback_skipped",
        Event::VariableSet { .. } => "variable_set",
        Event::FlowWaiting { .. } => "flow_waiting",
        Event::SessionStarted { .. } => "session_started",
        Event::SessionEnded { .. } => "session_ended",
        Event::WorkflowStopped { .. } => "workflow_stopped",
        Event::NoAgentAvailable { .. } => "no_agent_available",
        Event::HandedOff { .. } => "handed_off",
        Event::Queued { .. } => "queued",
        Event::Assigned { .. } => "assigned",
        Event::AgentMessage { .. } => "agent_message",
        Event::NoteAdded { .. } => "note_added",
        Event::Transferred { .. } => "transferred",
        Event::Unassigned { .. } => "unassigned",
        Event::ChatClosed { .. } => "chat_closed",
    }
}

/// A time of day, `14:05`, in the browser's time zone.
pub fn clock_time(at: Timestamp) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// How long ago, roughly: `just now`, `4 min`, `2 h 5 min`, `3 d`.
pub fn elapsed(now: Timestamp, since: Timestamp) -> String {
    let minutes = now.millis_since(since) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..60 => format!("{minutes} min"),
        60..1440 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} d", minutes / 1440),
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff::{AgentId, ChatId, NodeId, starter_workspace};

    #[test]
    fn events_read_as_people_say_them_and_bookkeeping_is_left_out() {
        let workspace = starter_workspace();
        let chat = ChatId(1);
        let at = Timestamp(0);
        let assigned = Event::Assigned { chat, agent: AgentId(2), by: AssignedBy::Claim, at };
        let line_of = |event: &Event| line(event, &workspace).map(|line| (line.speaker, line.from, line.text));
        assert_eq!(
            line_of(&assigned),
            Some((Speaker::System, String::new(), "Assigned to Amélie Laurent who claimed it".to_owned()))
        );
        let note = Event::NoteAdded { chat, agent: AgentId(1), text: "<b>VIP</b>".to_owned(), at };
        assert_eq!(line_of(&note), Some((Speaker::Note, "Note by Sam Rivera".to_owned(), "<b>VIP</b>".to_owned())));
        let queued = Event::Queued { chat, position: 2, at };
        assert_eq!(line_of(&queued).map(|line| line.2), Some("Queued at position 2".to_owned()));
        assert_eq!(line(&Event::VariableSet { chat, name: "x".into(), value: "y".into() }, &workspace), None);
        let stopped = Event::WorkflowStopped { chat, node: NodeId(3), at };
        assert_eq!(kind(&stopped), "workflow_stopped");
        // A rating question reads as two sentences, not "How did we do?: Please rate…".
        let asked = |title: &str| Event::FeedbackRequested {
            chat,
            node: NodeId(31),
            title: title.to_owned(),
            request: "Please rate this conversation.".to_owned(),
            at,
        };
        assert_eq!(
            line_of(&asked("How did we do?")).map(|line| line.2),
            Some("How did we do? Please rate this conversation.".to_owned())
        );
        assert_eq!(
            line_of(&asked("Your opinion")).map(|line| line.2),
            Some("Your opinion. Please rate this conversation.".to_owned())
        );
        let rated = Event::FeedbackGiven { chat, rating: 4, comment: Some("Quick".to_owned()), at };
        assert_eq!(line_of(&rated).map(|line| line.2), Some("Customer rated 4 of 5: “Quick”".to_owned()));
    }

    #[test]
    fn waits_and_places_read_naturally() {
        assert_eq!(elapsed(Timestamp(0), Timestamp(0)), "just now");
        assert_eq!(elapsed(Timestamp(5 * 60_000), Timestamp(0)), "5 min");
        assert_eq!(elapsed(Timestamp(125 * 60_000), Timestamp(0)), "2 h 5 min");
        assert_eq!(elapsed(Timestamp(0), Timestamp(60_000)), "just now", "a clock behind another tab's");
        let places: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].into_iter().map(ordinal).collect();
        assert_eq!(places, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]);
    }
}
