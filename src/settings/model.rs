//! What each list, row and text of the settings page shows and changes, as plain values matched
//! in one place. The page's views are then a few shared functions that take these values,
//! instead of one closure per control: every distinct closure in a view is code of its own in
//! the wasm, which made this page cost some 27,000 brotli bytes.

use handoff::teamspace_edit::{
    LanguageUse, describe_node, language_usages, remove_agent, remove_canned_reply, remove_language, remove_team,
    rename_agent, rename_team, set_auto_assign_cap, update_canned_reply,
};
use handoff::{AgentId, Language, Referent, SettingsError, TeamId, Workspace, usages};

use crate::editor::outline::language_name;

/// A keyed list of the page.
#[derive(Debug, Clone, Copy)]
pub(super) enum List {
    Teams,
    Agents,
    /// The languages besides the default, each with a Remove button.
    OtherLanguages,
    /// Every language, as the options of the default language's select.
    LanguageOptions,
    CannedReplies,
    /// The agents' checkboxes in a team's row.
    MembersOf(TeamId),
    /// The teams' checkboxes in an agent's row.
    TeamsOf(AgentId),
}

impl List {
    pub(super) fn items(self, workspace: &Workspace) -> Vec<Item> {
        let teamspace = &workspace.teamspace;
        match self {
            List::Teams => teamspace.teams.iter().map(|team| Item::Team(team.id)).collect(),
            List::Agents => teamspace.agents.iter().map(|agent| Item::Agent(agent.id)).collect(),
            List::OtherLanguages => workspace.ai_agent.other_languages.iter().cloned().map(Item::Language).collect(),
            List::LanguageOptions => workspace.ai_agent.languages().cloned().map(Item::LanguageOption).collect(),
            // Replies have no id of their own, so rows follow their position: editing a
            // shortcut keeps the row, and the focus, where it is.
            List::CannedReplies => (0..teamspace.canned_replies.len()).map(Item::CannedReply).collect(),
            List::MembersOf(team) => {
                teamspace.agents.iter().map(|agent| Item::Member { team, agent: agent.id, show_team: false }).collect()
            }
            List::TeamsOf(agent) => {
                teamspace.teams.iter().map(|team| Item::Member { team: team.id, agent, show_team: true }).collect()
            }
        }
    }
}

/// One row of a `List`, and its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Item {
    Team(TeamId),
    Agent(AgentId),
    Language(Language),
    LanguageOption(Language),
    CannedReply(usize),
    /// Whether the agent is in the team, labelled with the team's name or the agent's.
    Member {
        team: TeamId,
        agent: AgentId,
        show_team: bool,
    },
}

/// What asking before a deletion says, besides the places.
pub(super) struct DeleteQuestion {
    /// A unique prefix for the confirmation's element ids.
    pub(super) id: String,
    pub(super) question: String,
    pub(super) consequence: &'static str,
    pub(super) confirm_label: &'static str,
}

impl Item {
    /// The row's name in messages: a team's or agent's name, a language code, a shortcut.
    pub(super) fn name(&self, workspace: &Workspace) -> String {
        match self {
            Item::Team(team) => Field::TeamName(*team).value(workspace),
            Item::Agent(agent) => Field::AgentName(*agent).value(workspace),
            // "French (fr)": a language by its name, capitalised, and its code.
            Item::Language(language) | Item::LanguageOption(language) => language_name(language),
            Item::CannedReply(index) => Field::Shortcut(*index).value(workspace),
            Item::Member { .. } => String::new(),
        }
    }

    /// The text of the row's delete button.
    pub(super) fn delete_button(&self) -> &'static str {
        if let Item::Language(_) = self { "Remove" } else { "Delete" }
    }

    /// The delete button's accessible name, which says what it deletes.
    pub(super) fn delete_label(&self, workspace: &Workspace) -> String {
        let name = self.name(workspace);
        match self {
            Item::Team(_) => format!("Delete team {name}"),
            Item::Agent(_) => format!("Delete live agent {name}"),
            Item::Language(_) => format!("Remove language {name}"),
            _ => format!("Delete canned reply /{name}"),
        }
    }

    /// Where the workflow uses what the row holds, one line a place, in words; deleting something
    /// used nowhere needs no question.
    pub(super) fn places(&self, workspace: &Workspace) -> Vec<String> {
        match self {
            Item::Team(team) => places_listing(workspace, Referent::Team(*team)),
            Item::Agent(agent) => places_listing(workspace, Referent::Agent(*agent)),
            Item::Language(language) => places_using(workspace, language),
            _ => Vec::new(),
        }
    }

    pub(super) fn question(&self, workspace: &Workspace) -> DeleteQuestion {
        let name = self.name(workspace);
        match self {
            Item::Team(team) => DeleteQuestion {
                id: format!("team-{}-confirm", team.0),
                question: format!("Delete team “{name}”?"),
                consequence: "Deleting it removes it from these lists and from its members' teams; a list left empty will show a problem in the editor.",
                confirm_label: "Delete team",
            },
            Item::Agent(agent) => DeleteQuestion {
                id: format!("agent-{}-confirm", agent.0),
                question: format!("Delete live agent “{name}”?"),
                consequence: "Deleting them removes them from these lists; a list left empty will show a problem in the editor.",
                confirm_label: "Delete live agent",
            },
            _ => DeleteQuestion {
                id: format!("language-{name}-confirm"),
                question: format!("Remove language {name}?"),
                consequence: "Removing it deletes these Assign by language rows (when it is the last language besides the default, Assign by language is turned off and every chat goes to the default list), and a condition on it will never be true again: chats can no longer start in this language.",
                confirm_label: "Remove language",
            },
        }
    }

    pub(super) fn delete(&self, workspace: &mut Workspace) -> Result<(), SettingsError> {
        match self {
            Item::Team(team) => remove_team(workspace, *team),
            Item::Agent(agent) => remove_agent(workspace, *agent),
            Item::Language(language) => remove_language(workspace, language),
            Item::CannedReply(index) => remove_canned_reply(workspace, *index),
            Item::LanguageOption(_) | Item::Member { .. } => Ok(()),
        }
    }

    /// What the status line says after the row, called `name`, was deleted.
    pub(super) fn deleted(&self, name: &str) -> Option<String> {
        match self {
            Item::Team(_) => Some(format!("Deleted team “{name}”. Undo brings it back.")),
            Item::Agent(_) => Some(format!("Deleted live agent “{name}”. Undo brings them back.")),
            Item::Language(_) => Some(format!("Removed language {name}. Undo brings it back.")),
            _ => None,
        }
    }

    /// The heading of the row's section, which gets the focus after the row is deleted.
    pub(super) fn heading(&self) -> &'static str {
        match self {
            Item::Team(_) => "teams-heading",
            Item::Agent(_) => "agents-heading",
            Item::Language(_) => "languages-heading",
            _ => "canned-replies-heading",
        }
    }
}

/// A text field that commits each change to the workspace.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    TeamName(TeamId),
    AgentName(AgentId),
    AutoAssignCap,
    Shortcut(usize),
    ReplyText(usize),
}

impl Field {
    pub(super) fn value(self, workspace: &Workspace) -> String {
        let teamspace = &workspace.teamspace;
        let reply = |index| teamspace.canned_replies.get(index);
        match self {
            Field::TeamName(team) => teamspace.team(team).map(|team| team.name.clone()),
            Field::AgentName(agent) => teamspace.agent(agent).map(|agent| agent.name.clone()),
            Field::AutoAssignCap => Some(teamspace.assignment.auto_assign_cap.to_string()),
            Field::Shortcut(index) => reply(index).map(|reply| reply.shortcut.clone()),
            Field::ReplyText(index) => reply(index).map(|reply| reply.text.clone()),
        }
        .unwrap_or_default()
    }

    /// Commits what the admin typed; a reply's edit keeps the other part as stored.
    pub(super) fn commit(self, workspace: &mut Workspace, typed: &str) -> Result<(), SettingsError> {
        match self {
            Field::TeamName(team) => rename_team(workspace, team, typed),
            Field::AgentName(agent) => rename_agent(workspace, agent, typed),
            Field::AutoAssignCap => set_auto_assign_cap(workspace, typed).map(drop),
            Field::Shortcut(index) | Field::ReplyText(index) => {
                let Some(reply) = workspace.teamspace.canned_replies.get(index).cloned() else { return Ok(()) };
                let (shortcut, text) = match self {
                    Field::Shortcut(_) => (typed, reply.text.as_str()),
                    _ => (reply.shortcut.as_str(), typed),
                };
                update_canned_reply(workspace, index, shortcut, text)
            }
        }
    }
}

/// A text the page shows that follows the workspace.
#[derive(Debug, Clone)]
pub(super) enum Text {
    Field(Field),
    MembersOf(TeamId),
    TeamsOf(AgentId),
    DeleteLabel(Item),
}

impl Text {
    pub(super) fn read(&self, workspace: &Workspace) -> String {
        match self {
            Text::Field(field) => field.value(workspace),
            Text::MembersOf(team) => format!("Members of {}", Field::TeamName(*team).value(workspace)),
            Text::TeamsOf(agent) => format!("Teams of {}", Field::AgentName(*agent).value(workspace)),
            Text::DeleteLabel(item) => item.delete_label(workspace),
        }
    }
}

/// Where the workflow lists a team or a live agent, one line a place, in words.
fn places_listing(workspace: &Workspace, referent: Referent) -> Vec<String> {
    usages(workspace, referent)
        .into_iter()
        .map(|usage| {
            let list = match &usage.language {
                None => "the default list".to_owned(),
                Some(language) => format!("the list for {}", language_name(language)),
            };
            // Written for people: the node by its place in the tree, not its JSON path.
            format!("{}: {list}", describe_node(workspace, usage.node))
        })
        .collect()
}

/// Where the workflow uses a language, one line a place, in words.
fn places_using(workspace: &Workspace, language: &Language) -> Vec<String> {
    let name = language_name(language);
    language_usages(workspace, language)
        .into_iter()
        .map(|usage| {
            let how = match usage.how {
                LanguageUse::OwnList => format!("its own list for {name}"),
                LanguageUse::DefaultRow => format!("its row for {name}, set to “Use default”"),
                LanguageUse::Condition => format!("the condition “the chat's language is {name}”"),
            };
            format!("{}: {how}", describe_node(workspace, usage.node))
        })
        .collect()
}
