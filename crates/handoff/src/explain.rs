//! Why a chat went where it went: each agent's verdict, the method that picked the assignee, and
//! the chat's place in the Pending queue.

use serde::{Deserialize, Serialize};

use crate::engine::{AgentStatus, ChatStage, Eligibility, Engine};
use crate::ids::{AgentId, ChatId, Language, NodeId};
use crate::protocol::{AssignedBy, Command, Presence};
use crate::workflow::{Assign, LanguageTargets};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub chat: ChatId,
    pub status: ChatStage,
    pub eligibility: Option<Eligibility>,
    /// How the current assignee got the chat.
    pub assigned_by: Option<AssignedBy>,
    /// 1 for the next chat to be served among those waiting for the same agents.
    pub queue_position: Option<usize>,
    /// Every live agent of the teamspace, in the teamspace's order.
    pub agents: Vec<AgentVerdict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentVerdict {
    pub agent: AgentId,
    pub name: String,
    pub verdict: Verdict,
}

/// The first reason that applies, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Assignee,
    /// Could be assigned the chat automatically now.
    Eligible,
    /// Neither listed nor a member of a listed team.
    NotInTarget,
    /// In the handoff's default list, but the chat's language has its own list without them.
    NotInLanguageList {
        language: Language,
    },
    SignedOut,
    Away,
    AtCap {
        open_chats: u32,
        cap: u32,
    },
}

impl Engine {
    /// The explanation of a chat, or `None` for an unknown chat.
    pub fn explain(&self, chat: ChatId) -> Option<Explanation> {
        let current = self.chat(chat)?;
        let assignee = current.status.assignee();
        let agents = self.verdicts(current.status.eligibility(), assignee);
        let queue_position = self.queue_place(chat);
        Some(Explanation {
            chat,
            status: current.status.stage(),
            eligibility: current.status.eligibility().cloned(),
            assigned_by: current.status.assigned_by(),
            queue_position,
            agents,
        })
    }

    /// What every live agent's verdict would be for a chat in `language` handed off now by the
    /// Human Handoff action `node`: "who would get this chat?". `None` if `node` is not a handoff
    /// or the AI agent does not speak `language`.
    pub fn explain_handoff(&self, node: NodeId, language: &Language) -> Option<Vec<AgentVerdict>> {
        let eligibility = Eligibility::Handoff { node, language: language.clone() };
        self.pool(&eligibility)?;
        Some(self.verdicts(Some(&eligibility), None))
    }

    /// Each teamspace agent's verdict for a chat with this eligibility and assignee.
    fn verdicts(&self, eligibility: Option<&Eligibility>, assignee: Option<AgentId>) -> Vec<AgentVerdict> {
        let pool = eligibility.and_then(|eligibility| self.pool(eligibility));
        let cap = self.state().assignment.auto_assign_cap;
        let language_list = self.language_list_owner(eligibility);
        self.workspace()
            .teamspace
            .agents
            .iter()
            .enumerate()
            // An agent's slot is its place in the teamspace, and the state holds one agent per slot.
            .map(|(slot, agent)| {
                let state = &self.state().agents[slot];
                let verdict = if assignee == Some(agent.id) {
                    Verdict::Assignee
                } else if !pool.is_some_and(|pool| pool.contains(slot)) {
                    match &language_list {
                        Some((language, default_members)) if default_members.contains(&agent.id) => {
                            Verdict::NotInLanguageList { language: language.clone() }
                        }
                        _ => Verdict::NotInTarget,
                    }
                } else if state.status == AgentStatus::SignedOut {
                    Verdict::SignedOut
                } else if state.status == AgentStatus::Away {
                    Verdict::Away
                } else if state.open_chats >= cap {
                    Verdict::AtCap { open_chats: state.open_chats, cap }
                } else {
                    Verdict::Eligible
                };
                AgentVerdict { agent: agent.id, name: agent.name.clone(), verdict }
            })
            .collect()
    }

    /// When the chat's language has its own list: the language and the agents of the default list.
    fn language_list_owner(&self, eligibility: Option<&Eligibility>) -> Option<(Language, Vec<AgentId>)> {
        let Some(Eligibility::Handoff { node, language }) = eligibility else { return None };
        let handoff = self.handoff_settings(*node)?;
        let Assign::SpecificUsersOrTeams { targets, by_language: Some(rows) } = &handoff.assign else { return None };
        let Some(LanguageTargets::Own(_)) = rows.get(language) else { return None };
        let agents = &self.workspace().teamspace.agents;
        let default_members = agents.iter().filter(|agent| targets.admits(agent)).map(|agent| agent.id).collect();
        Some((language.clone(), default_members))
    }
}

/// Whether a live agent can take chats now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Online,
    Away,
    SignedOut,
}

impl Availability {
    /// The one command that makes an agent with this availability Online (the preview's one
    /// click beside the customer): signing in, which makes an agent Online, or setting the
    /// presence; `None` when Online already.
    pub fn command_to_go_online(self, agent: AgentId) -> Option<Command> {
        match self {
            Availability::Online => None,
            Availability::Away => Some(Command::SetPresence { agent, presence: Presence::Online }),
            Availability::SignedOut => Some(Command::SignIn { agent }),
        }
    }
}

impl Engine {
    /// The live agents some Human Handoff of the workflow could give a chat in `language` to,
    /// in the teamspace's order, with whether each is Online now: who a customer in that
    /// language could reach (the preview shows it beside the customer).
    pub fn agents_for_language(&self, language: &Language) -> Vec<(AgentId, Availability)> {
        let handoffs: Vec<NodeId> = self
            .workspace()
            .ai_agent
            .workflow
            .entries()
            .iter()
            .filter_map(|entry| match entry.node {
                crate::workflow::NodeRef::Action(action)
                    if matches!(action.kind, crate::workflow::ActionKind::HumanHandoff(_)) =>
                {
                    Some(action.id)
                }
                _ => None,
            })
            .collect();
        let pools: Vec<_> = handoffs
            .into_iter()
            .filter_map(|node| self.pool(&Eligibility::Handoff { node, language: language.clone() }))
            .collect();
        self.workspace()
            .teamspace
            .agents
            .iter()
            .filter_map(|agent| {
                let slot = self.slot_of(agent.id)?;
                pools.iter().any(|pool| pool.contains(slot)).then_some(())?;
                let state = &self.state().agents[slot];
                let availability = match state.status {
                    AgentStatus::SignedOut => Availability::SignedOut,
                    AgentStatus::Away => Availability::Away,
                    AgentStatus::Online => Availability::Online,
                };
                Some((agent.id, availability))
            })
            .collect()
    }
}
