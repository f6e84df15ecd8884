//! Scenarios: a workspace and a list of timed steps (agents sign in and work, customers chat),
//! run through the engine to see what would happen before going live.
//! The format is documented in `crates/handoff-cli/README.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::{DocumentError, check_header, check_integrity, parse, parse_tree};
use crate::engine::{ChatStage, Engine};
use crate::ids::{AgentId, ChatId, Language, TeamId, Timestamp};
use crate::protocol::{Command, Event, Presence, TransferTarget, Waiting};
use crate::workspace::{ChatAssignment, Workspace};
use crate::workspace_json::{self, At, Json};

pub const SCENARIO_FORMAT: &str = "handoff-studio/scenario";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format: String,
    pub version: u32,
    /// Feeds the Random assignment method; the same seed always gives the same run.
    #[serde(default)]
    pub seed: u64,
    pub workspace: Workspace,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Seconds since the scenario began; steps are in order.
    pub at: u64,
    #[serde(flatten)]
    pub act: Act,
}

/// What happens at a step, in the words of the people involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Act {
    SignIn {
        agent: AgentId,
    },
    SignOut {
        agent: AgentId,
    },
    GoOnline {
        agent: AgentId,
    },
    GoAway {
        agent: AgentId,
    },
    /// `agent` is the admin who changes it.
    SetAssignment {
        agent: AgentId,
        assignment: ChatAssignment,
    },
    StartChat {
        chat: ChatId,
        language: Language,
    },
    Say {
        chat: ChatId,
        text: String,
    },
    Rate {
        chat: ChatId,
        rating: u8,
        comment: Option<String>,
    },
    /// Claims the chat as the agent sees it now, or as of `seen_version` to stage a race.
    Claim {
        chat: ChatId,
        agent: AgentId,
        seen_version: Option<u32>,
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
    TransferToAgent {
        chat: ChatId,
        agent: AgentId,
        to: AgentId,
    },
    TransferToTeam {
        chat: ChatId,
        agent: AgentId,
        team: TeamId,
    },
    TakeOver {
        chat: ChatId,
        agent: AgentId,
        text: String,
    },
    Close {
        chat: ChatId,
        agent: AgentId,
    },
}

impl Act {
    fn command(&self, engine: &Engine) -> Command {
        match self.clone() {
            Act::SignIn { agent } => Command::SignIn { agent },
            Act::SignOut { agent } => Command::SignOut { agent },
            Act::GoOnline { agent } => Command::SetPresence { agent, presence: Presence::Online },
            Act::GoAway { agent } => Command::SetPresence { agent, presence: Presence::Away },
            Act::SetAssignment { agent, assignment } => Command::SetAssignment { agent, assignment },
            Act::StartChat { chat, language } => Command::StartChat { chat, language },
            Act::Say { chat, text } => Command::CustomerMessage { chat, text },
            Act::Rate { chat, rating, comment } => Command::GiveFeedback { chat, rating, comment },
            Act::Claim { chat, agent, seen_version } => Command::Claim {
                chat,
                agent,
                seen_version: seen_version.unwrap_or_else(|| engine.chat(chat).map_or(0, |chat| chat.version)),
            },
            Act::Reply { chat, agent, text } => Command::Reply { chat, agent, text },
            Act::Note { chat, agent, text } => Command::Note { chat, agent, text },
            Act::TransferToAgent { chat, agent, to } => {
                Command::Transfer { chat, agent, to: TransferTarget::Agent(to) }
            }
            Act::TransferToTeam { chat, agent, team } => {
                Command::Transfer { chat, agent, to: TransferTarget::Team(team) }
            }
            Act::TakeOver { chat, agent, text } => Command::TakeoverAndSend { chat, agent, text },
            Act::Close { chat, agent } => Command::Close { chat, agent },
        }
    }
}

pub fn load_scenario(text: &str) -> Result<Scenario, DocumentError> {
    let tree = parse_tree(text)?;
    check_header(&tree, text, SCENARIO_FORMAT, 1..=1)?;
    // The workspace is read first by the workspace document's own code (`workspace_json`), so its
    // errors have their exact path and position; `Workspace`'s `Deserialize` reads it the same way.
    if let Json::Object(entries) = &tree
        && let Some(index) = entries.iter().position(|(key, _)| key == "workspace")
    {
        let at = At::Key(&At::Root, "workspace", index);
        workspace_json::workspace(&entries[index].1, &at).map_err(|fault| fault.locate(text))?;
    }
    let scenario: Scenario = parse(text)?;
    check_integrity(&scenario.workspace)?;
    let mut previous = 0;
    for (index, step) in scenario.steps.iter().enumerate() {
        if step.at < previous {
            return Err(DocumentError::at(
                format!("steps[{index}].at"),
                format!("{} s comes before the previous step's {previous} s; steps are in time order", step.at),
            ));
        }
        previous = step.at;
    }
    Ok(scenario)
}

/// What one step did. Flow bookkeeping (`flow_waiting`) is left out; the final state says where
/// each chat waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    pub at: u64,
    pub step: Act,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Why the engine refused the step; the scenario goes on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// After the step, each pending chat's place in the queue, as its customer is told it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub queue_places: BTreeMap<ChatId, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub steps: Vec<StepReport>,
    pub final_state: Summary,
}

/// The final state as a designer reads it: who is where, and where each chat stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub agents: Vec<AgentSummary>,
    pub chats: BTreeMap<ChatId, ChatSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSummary {
    pub agent: AgentId,
    pub name: String,
    pub signed_in: bool,
    pub presence: Presence,
    pub open_chats: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSummary {
    pub language: Language,
    pub status: ChatStage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_position: Option<usize>,
    pub waiting_for: Waiting,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
}

pub fn run_scenario(scenario: &Scenario) -> Report {
    let mut engine = Engine::new(scenario.workspace.clone(), scenario.seed);
    let mut steps = Vec::with_capacity(scenario.steps.len());
    for step in &scenario.steps {
        let command = step.act.command(&engine);
        let (events, rejected) = match engine.handle(Timestamp(step.at.saturating_mul(1_000)), command) {
            Ok(events) => {
                (events.into_iter().filter(|event| !matches!(event, Event::FlowWaiting { .. })).collect(), None)
            }
            Err(rejection) => (Vec::new(), Some(rejection.to_string())),
        };
        let queue_places = engine.queue_places().into_iter().collect();
        steps.push(StepReport { at: step.at, step: step.act.clone(), events, rejected, queue_places });
    }
    Report { steps, final_state: summarize(&engine) }
}

fn summarize(engine: &Engine) -> Summary {
    let agents = engine
        .workspace()
        .teamspace
        .agents
        .iter()
        .zip(&engine.state().agents)
        .map(|(agent, state)| AgentSummary {
            agent: agent.id,
            name: agent.name.clone(),
            signed_in: state.status.is_signed_in(),
            // A signed-out agent reads Away, as one who never signed in always did.
            presence: state.status.presence().unwrap_or(Presence::Away),
            open_chats: state.open_chats,
        })
        .collect();
    let chats = engine
        .state()
        .chats
        .values()
        .map(|chat| {
            let summary = ChatSummary {
                language: chat.language.clone(),
                status: chat.status.stage(),
                queue_position: engine.explain(chat.id).and_then(|explanation| explanation.queue_position),
                waiting_for: chat.waiting.clone(),
                variables: chat.variables.clone(),
            };
            (chat.id, summary)
        })
        .collect();
    Summary { agents, chats }
}
