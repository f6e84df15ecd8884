//! The configuration an admin edits: the teamspace (live agents, teams, Chat Assignment,
//! canned replies) and the AI agent with its languages and workflow.

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, Language, TeamId};
use crate::workflow::Workflow;

/// Everything one AI agent's handoff behaviour depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub teamspace: Teamspace,
    pub ai_agent: AiAgent,
}

/// Where live agents work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teamspace {
    pub name: String,
    pub teams: Vec<Team>,
    pub agents: Vec<LiveAgent>,
    pub assignment: ChatAssignment,
    pub canned_replies: Vec<CannedReply>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

/// A live agent of the teamspace. Team membership is kept on the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAgent {
    pub id: AgentId,
    pub name: String,
    pub role: Role,
    pub teams: Vec<TeamId>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    #[default]
    Agent,
}

/// The teamspace's Chat Assignment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatAssignment {
    pub method: AssignmentMethod,
    /// "Auto-assigned chats": the most chats the automatic methods give one agent.
    pub auto_assign_cap: u32,
}

impl Default for ChatAssignment {
    fn default() -> Self {
        ChatAssignment { method: AssignmentMethod::Balanced, auto_assign_cap: 3 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMethod {
    /// The Online eligible agent with the fewest open chats; ties to the oldest last assignment, then the smallest id.
    Balanced,
    /// In the order agents came Online; going Away leaves the rotation, coming back rejoins at its end.
    RoundRobin,
    /// Uniform among the Online eligible agents with a free slot, from a seeded generator.
    Random,
    /// Never assigned automatically: eligible agents claim from the Pending queue.
    Voluntary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    /// What the agent types after `/` to pick it, e.g. `refund`.
    pub shortcut: String,
    pub text: String,
}

/// A shortcut as shortcuts are compared, ignoring case: for their uniqueness and for what typing
/// one offers, so that `/refund` finds `Refund`.
pub fn folded_shortcut(shortcut: &str) -> String {
    shortcut.to_lowercase()
}

/// The AI agent: its languages and its workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiAgent {
    pub name: String,
    pub default_language: Language,
    /// The languages it supports besides the default one.
    pub other_languages: Vec<Language>,
    pub workflow: Workflow,
}

impl AiAgent {
    /// The default language first, then the others.
    pub fn languages(&self) -> impl Iterator<Item = &Language> {
        std::iter::once(&self.default_language).chain(&self.other_languages)
    }

    pub fn supports(&self, language: &Language) -> bool {
        self.languages().any(|supported| supported == language)
    }

    /// Whether a Human Handoff may "Assign by language": only with more than one language,
    /// since with one every chat goes to the default list anyway.
    pub fn offers_assign_by_language(&self) -> bool {
        self.languages().nth(1).is_some()
    }

    /// "Assign by language" as it starts when turned on: a "Use default" row for every language
    /// the AI agent speaks, so chats go where they went before and no language lacks a list.
    pub fn default_language_rows(&self) -> std::collections::BTreeMap<Language, crate::workflow::LanguageTargets> {
        self.languages().map(|language| (language.clone(), crate::workflow::LanguageTargets::Default)).collect()
    }
}

impl Teamspace {
    pub fn agent(&self, id: AgentId) -> Option<&LiveAgent> {
        self.agents.iter().find(|agent| agent.id == id)
    }

    pub fn team(&self, id: TeamId) -> Option<&Team> {
        self.teams.iter().find(|team| team.id == id)
    }

    pub fn members(&self, team: TeamId) -> impl Iterator<Item = &LiveAgent> {
        self.agents.iter().filter(move |agent| agent.teams.contains(&team))
    }
}
