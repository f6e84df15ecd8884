//! Editing the teamspace and the AI agent's languages, as the settings page offers it: teams,
//! live agents, languages, the Chat Assignment cap and canned replies.
//! Each edit either changes the workspace as asked or changes nothing and says why, in words an
//! admin can read; removing something the workflow lists also removes it from the workflow.

use std::fmt;

use crate::ids::{AgentId, Language, NodeId, TeamId};
use crate::workflow::{Action, ActionKind, Assign, Condition, LanguageTargets, NodeRef, Targets, Trigger, TriggerKind};
use crate::workspace::{AssignmentMethod, CannedReply, LiveAgent, Role, Team, Teamspace, Workspace, folded_shortcut};

/// The largest "Auto-assigned chats" cap: more than any person can answer at once.
pub const MAX_AUTO_ASSIGN_CAP: u32 = 1000;

/// The Chat Assignment methods in the order the settings page offers them, with their names and
/// a one-line explanation.
pub const ASSIGNMENT_METHODS: [(AssignmentMethod, &str, &str); 4] = [
    (
        AssignmentMethod::Balanced,
        "Balanced",
        "The Online agent with the fewest open chats gets the next one; ties go to whoever was assigned least recently.",
    ),
    (
        AssignmentMethod::RoundRobin,
        "Round robin",
        "Agents take turns in the order they came Online; going Away leaves the rotation.",
    ),
    (AssignmentMethod::Random, "Random", "Any Online agent with room for another chat, picked at random."),
    (
        AssignmentMethod::Voluntary,
        "Voluntary",
        "Nobody is assigned automatically: agents claim chats from the Pending queue.",
    ),
];

/// Why a settings edit changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    NoSuchTeam {
        team: TeamId,
    },
    NoSuchAgent {
        agent: AgentId,
    },
    EmptyTeamName,
    EmptyAgentName,
    /// Two teams of one name could not be told apart in the handoff's lists.
    TeamNameTaken {
        name: String,
    },
    EmptyLanguageCode,
    NotALanguageCode {
        code: String,
    },
    LanguageAlreadySupported {
        language: Language,
    },
    LanguageNotSupported {
        language: Language,
    },
    /// The AI agent always has a default language; another one must become the default first.
    DefaultLanguage {
        language: Language,
    },
    CapNotAWholeNumber {
        input: String,
    },
    CapTooSmall,
    CapTooLarge,
    EmptyShortcut,
    ShortcutNotOneWord {
        shortcut: String,
    },
    ShortcutTaken {
        shortcut: String,
    },
    EmptyReplyText,
    NoSuchCannedReply {
        index: usize,
    },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::NoSuchTeam { team } => write!(f, "{team} is not in the teamspace."),
            SettingsError::NoSuchAgent { agent } => write!(f, "{agent} is not in the teamspace."),
            SettingsError::EmptyTeamName => write!(f, "A team needs a name."),
            SettingsError::EmptyAgentName => write!(f, "A live agent needs a name."),
            SettingsError::TeamNameTaken { name } => write!(f, "There is already a team called “{name}”."),
            SettingsError::EmptyLanguageCode => write!(f, "Enter a language code, such as de or pt-br."),
            SettingsError::NotALanguageCode { code } => write!(
                f,
                "“{code}” is not a language code: use lowercase letters, with hyphens between parts, such as de or pt-br."
            ),
            SettingsError::LanguageAlreadySupported { language } => {
                write!(f, "The AI agent already speaks {language}.")
            }
            SettingsError::LanguageNotSupported { language } => write!(f, "The AI agent does not speak {language}."),
            SettingsError::DefaultLanguage { language } => write!(
                f,
                "{language} is the default language and cannot be removed: make another language the default first."
            ),
            SettingsError::CapNotAWholeNumber { input } => {
                write!(f, "“{input}” is not a whole number of chats: enter a number such as 3.")
            }
            SettingsError::CapTooSmall => write!(
                f,
                "The cap must be at least 1: with 0 nobody would ever be assigned a chat (choose Voluntary for that)."
            ),
            SettingsError::CapTooLarge => write!(f, "The cap can be at most {MAX_AUTO_ASSIGN_CAP} chats."),
            SettingsError::EmptyShortcut => write!(f, "A canned reply needs a shortcut."),
            SettingsError::ShortcutNotOneWord { shortcut } => {
                write!(f, "“{shortcut}” is not one word: a shortcut has no spaces and no “/” inside it.")
            }
            SettingsError::ShortcutTaken { shortcut } => write!(f, "The shortcut /{shortcut} is already used."),
            SettingsError::EmptyReplyText => write!(f, "A canned reply needs some text."),
            SettingsError::NoSuchCannedReply { index } => write!(f, "There is no canned reply number {}.", index + 1),
        }
    }
}

impl std::error::Error for SettingsError {}

/// The id for a new team: one above every team's id, so it is never one in use.
pub fn new_team_id(teamspace: &Teamspace) -> TeamId {
    TeamId(teamspace.teams.iter().map(|team| team.id.0).max().map_or(1, |max| max + 1))
}

/// The id for a new live agent: one above every agent's id.
pub fn new_agent_id(teamspace: &Teamspace) -> AgentId {
    AgentId(teamspace.agents.iter().map(|agent| agent.id.0).max().map_or(1, |max| max + 1))
}

/// A team's name, trimmed, if no other team has it (ignoring case).
fn team_name(teamspace: &Teamspace, except: Option<TeamId>, name: &str) -> Result<String, SettingsError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SettingsError::EmptyTeamName);
    }
    let taken = teamspace
        .teams
        .iter()
        .any(|team| Some(team.id) != except && team.name.trim().to_lowercase() == name.to_lowercase());
    if taken {
        return Err(SettingsError::TeamNameTaken { name: name.to_owned() });
    }
    Ok(name.to_owned())
}

/// Adds a team with no members; returns its id.
pub fn add_team(workspace: &mut Workspace, name: &str) -> Result<TeamId, SettingsError> {
    let teamspace = &mut workspace.teamspace;
    let name = team_name(teamspace, None, name)?;
    let id = new_team_id(teamspace);
    teamspace.teams.push(Team { id, name });
    Ok(id)
}

pub fn rename_team(workspace: &mut Workspace, team: TeamId, name: &str) -> Result<(), SettingsError> {
    let teamspace = &mut workspace.teamspace;
    let name = team_name(teamspace, Some(team), name)?;
    let found = teamspace.teams.iter_mut().find(|found| found.id == team).ok_or(SettingsError::NoSuchTeam { team })?;
    found.name = name;
    Ok(())
}

/// Removes a team from the teamspace, from every agent's teams and from every list of the
/// workflow that names it (handoff targets, their by-language rows, "is a live agent Online"
/// conditions). A list left empty stays empty: validation shows it in the editor.
pub fn remove_team(workspace: &mut Workspace, team: TeamId) -> Result<(), SettingsError> {
    let teamspace = &mut workspace.teamspace;
    let index = teamspace.teams.iter().position(|found| found.id == team).ok_or(SettingsError::NoSuchTeam { team })?;
    teamspace.teams.remove(index);
    for agent in &mut teamspace.agents {
        agent.teams.retain(|&member_of| member_of != team);
    }
    for_each_targets(&mut workspace.ai_agent.workflow.triggers, &mut |targets| {
        targets.teams.retain(|&listed| listed != team)
    });
    Ok(())
}

fn agent_mut(workspace: &mut Workspace, agent: AgentId) -> Result<&mut LiveAgent, SettingsError> {
    workspace.teamspace.agents.iter_mut().find(|found| found.id == agent).ok_or(SettingsError::NoSuchAgent { agent })
}

/// Puts the agent in the team or takes them out of it.
pub fn set_membership(
    workspace: &mut Workspace,
    agent: AgentId,
    team: TeamId,
    member: bool,
) -> Result<(), SettingsError> {
    if workspace.teamspace.team(team).is_none() {
        return Err(SettingsError::NoSuchTeam { team });
    }
    let agent = agent_mut(workspace, agent)?;
    let present = agent.teams.contains(&team);
    if member && !present {
        agent.teams.push(team);
    } else if !member && present {
        agent.teams.retain(|&member_of| member_of != team);
    }
    Ok(())
}

/// Adds a live agent in no team; returns their id. Two agents may share a name.
pub fn add_agent(workspace: &mut Workspace, name: &str, role: Role) -> Result<AgentId, SettingsError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SettingsError::EmptyAgentName);
    }
    let teamspace = &mut workspace.teamspace;
    let id = new_agent_id(teamspace);
    teamspace.agents.push(LiveAgent { id, name: name.to_owned(), role, teams: Vec::new() });
    Ok(id)
}

pub fn rename_agent(workspace: &mut Workspace, agent: AgentId, name: &str) -> Result<(), SettingsError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SettingsError::EmptyAgentName);
    }
    agent_mut(workspace, agent)?.name = name.to_owned();
    Ok(())
}

pub fn set_role(workspace: &mut Workspace, agent: AgentId, role: Role) -> Result<(), SettingsError> {
    agent_mut(workspace, agent)?.role = role;
    Ok(())
}

/// Removes a live agent from the teamspace and from every list of the workflow that names them.
/// A list left empty stays empty: validation shows it in the editor.
pub fn remove_agent(workspace: &mut Workspace, agent: AgentId) -> Result<(), SettingsError> {
    let agents = &mut workspace.teamspace.agents;
    let index = agents.iter().position(|found| found.id == agent).ok_or(SettingsError::NoSuchAgent { agent })?;
    agents.remove(index);
    for_each_targets(&mut workspace.ai_agent.workflow.triggers, &mut |targets| {
        targets.agents.retain(|&listed| listed != agent)
    });
    Ok(())
}

/// A language code as an admin may type it: trimmed, lowercase letters in parts joined by single
/// hyphens (`de`, `pt-br`).
pub fn parse_language_code(code: &str) -> Result<Language, SettingsError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(SettingsError::EmptyLanguageCode);
    }
    let well_formed =
        code.split('-').all(|part| !part.is_empty() && part.chars().all(|letter| letter.is_ascii_lowercase()));
    if !well_formed {
        return Err(SettingsError::NotALanguageCode { code: code.to_owned() });
    }
    Ok(Language::new(code))
}

/// Adds a language the AI agent supports besides its default one; returns it.
/// Every handoff that assigns by language gets a "Use default" row for it, so chats in the new
/// language go where they went before and the editor shows no missing row.
pub fn add_language(workspace: &mut Workspace, code: &str) -> Result<Language, SettingsError> {
    let language = parse_language_code(code)?;
    let ai_agent = &mut workspace.ai_agent;
    if ai_agent.supports(&language) {
        return Err(SettingsError::LanguageAlreadySupported { language });
    }
    ai_agent.other_languages.push(language.clone());
    for_each_assign(&mut ai_agent.workflow.triggers, &mut |assign| {
        if let Assign::SpecificUsersOrTeams { by_language: Some(rows), .. } = assign {
            rows.entry(language.clone()).or_insert(LanguageTargets::Default);
        }
    });
    Ok(language)
}

/// Removes one of the AI agent's other languages and every "Assign by language" row for it.
/// When only the default language is left, "Assign by language" is turned off everywhere
/// (it is offered only with more than one language) and every chat goes to the default list.
/// The default language cannot be removed; another must become the default first.
/// "The chat's language is …" conditions on it stay, and validation reports them.
pub fn remove_language(workspace: &mut Workspace, language: &Language) -> Result<(), SettingsError> {
    let ai_agent = &mut workspace.ai_agent;
    if ai_agent.default_language == *language {
        return Err(SettingsError::DefaultLanguage { language: language.clone() });
    }
    let index = ai_agent
        .other_languages
        .iter()
        .position(|other| other == language)
        .ok_or_else(|| SettingsError::LanguageNotSupported { language: language.clone() })?;
    ai_agent.other_languages.remove(index);
    let one_left = !ai_agent.offers_assign_by_language();
    for_each_assign(&mut ai_agent.workflow.triggers, &mut |assign| {
        if let Assign::SpecificUsersOrTeams { by_language, .. } = assign {
            match by_language {
                Some(_) if one_left => *by_language = None,
                Some(rows) => {
                    rows.remove(language);
                }
                None => {}
            }
        }
    });
    Ok(())
}

/// Makes one of the other languages the default; the old default takes its place among the
/// others, so the AI agent keeps every language it had.
pub fn set_default_language(workspace: &mut Workspace, language: &Language) -> Result<(), SettingsError> {
    let ai_agent = &mut workspace.ai_agent;
    if ai_agent.default_language == *language {
        return Ok(());
    }
    let other = ai_agent
        .other_languages
        .iter_mut()
        .find(|other| *other == language)
        .ok_or_else(|| SettingsError::LanguageNotSupported { language: language.clone() })?;
    std::mem::swap(other, &mut ai_agent.default_language);
    Ok(())
}

/// How the workflow uses a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageUse {
    /// An "Assign by language" row with its own list of users and teams.
    OwnList,
    /// An "Assign by language" row set to "Use default".
    DefaultRow,
    /// An If/Else "the chat's language is …" condition.
    Condition,
}

/// One place the workflow uses a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageUsage {
    pub node: NodeId,
    /// The node's JSON path in the workflow.
    pub path: String,
    pub how: LanguageUse,
}

/// Every place the workflow uses this language, in tree order, so that removing it can say what
/// will change before it happens.
pub fn language_usages(workspace: &Workspace, language: &Language) -> Vec<LanguageUsage> {
    let mut found = Vec::new();
    for entry in workspace.ai_agent.workflow.entries() {
        let NodeRef::Action(action) = entry.node else { continue };
        let mut usage = |how| found.push(LanguageUsage { node: action.id, path: entry.path.clone(), how });
        if let ActionKind::IfElse { condition: Condition::LanguageIs { language: tested }, .. } = &action.kind
            && tested == language
        {
            usage(LanguageUse::Condition);
        }
        let Some(assign) = action.kind.assign() else { continue };
        if let Assign::SpecificUsersOrTeams { by_language: Some(rows), .. } = assign {
            match rows.get(language) {
                Some(LanguageTargets::Own(_)) => usage(LanguageUse::OwnList),
                Some(LanguageTargets::Default) => usage(LanguageUse::DefaultRow),
                None => {}
            }
        }
    }
    found
}

/// Reads an "Auto-assigned chats" cap as typed: a whole number from 1 to `MAX_AUTO_ASSIGN_CAP`.
pub fn parse_auto_assign_cap(input: &str) -> Result<u32, SettingsError> {
    let input = input.trim();
    if input.is_empty() || !input.chars().all(|digit| digit.is_ascii_digit()) {
        return Err(SettingsError::CapNotAWholeNumber { input: input.to_owned() });
    }
    // Only digits are left, so a failure to parse means a number too large for u32.
    let cap = input.parse::<u32>().unwrap_or(u32::MAX);
    match cap {
        0 => Err(SettingsError::CapTooSmall),
        cap if cap > MAX_AUTO_ASSIGN_CAP => Err(SettingsError::CapTooLarge),
        cap => Ok(cap),
    }
}

/// Sets the "Auto-assigned chats" cap from what the admin typed; returns it.
pub fn set_auto_assign_cap(workspace: &mut Workspace, input: &str) -> Result<u32, SettingsError> {
    let cap = parse_auto_assign_cap(input)?;
    workspace.teamspace.assignment.auto_assign_cap = cap;
    Ok(cap)
}

/// Sets the Chat Assignment method of the workspace. An edit of the document, like every edit
/// here, so it names no one: `Command::SetAssignment` is the change an admin makes to a running
/// teamspace, and only that is refused to anyone but an admin.
pub fn set_assignment_method(workspace: &mut Workspace, method: AssignmentMethod) {
    workspace.teamspace.assignment.method = method;
}

/// A canned reply as typed, checked: a one-word shortcut (a leading `/` is dropped) that no other
/// reply uses, ignoring case, and some text.
fn canned_reply(
    teamspace: &Teamspace,
    except: Option<usize>,
    shortcut: &str,
    text: &str,
) -> Result<CannedReply, SettingsError> {
    let shortcut = shortcut.trim();
    let shortcut = shortcut.strip_prefix('/').unwrap_or(shortcut);
    if shortcut.is_empty() {
        return Err(SettingsError::EmptyShortcut);
    }
    if shortcut.contains(|letter: char| letter.is_whitespace() || letter == '/') {
        return Err(SettingsError::ShortcutNotOneWord { shortcut: shortcut.to_owned() });
    }
    let taken =
        teamspace.canned_replies.iter().enumerate().any(|(index, reply)| {
            Some(index) != except && folded_shortcut(&reply.shortcut) == folded_shortcut(shortcut)
        });
    if taken {
        return Err(SettingsError::ShortcutTaken { shortcut: shortcut.to_owned() });
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(SettingsError::EmptyReplyText);
    }
    Ok(CannedReply { shortcut: shortcut.to_owned(), text: text.to_owned() })
}

pub fn add_canned_reply(workspace: &mut Workspace, shortcut: &str, text: &str) -> Result<(), SettingsError> {
    let reply = canned_reply(&workspace.teamspace, None, shortcut, text)?;
    workspace.teamspace.canned_replies.push(reply);
    Ok(())
}

/// Changes the shortcut and text of the canned reply at `index`.
pub fn update_canned_reply(
    workspace: &mut Workspace,
    index: usize,
    shortcut: &str,
    text: &str,
) -> Result<(), SettingsError> {
    if index >= workspace.teamspace.canned_replies.len() {
        return Err(SettingsError::NoSuchCannedReply { index });
    }
    let reply = canned_reply(&workspace.teamspace, Some(index), shortcut, text)?;
    workspace.teamspace.canned_replies[index] = reply;
    Ok(())
}

pub fn remove_canned_reply(workspace: &mut Workspace, index: usize) -> Result<(), SettingsError> {
    if index >= workspace.teamspace.canned_replies.len() {
        return Err(SettingsError::NoSuchCannedReply { index });
    }
    workspace.teamspace.canned_replies.remove(index);
    Ok(())
}

/// A node in words for an admin, such as `Human Handoff under “Talk to a human”`: its kind (and
/// label), then the trigger it runs under.
pub fn describe_node(workspace: &Workspace, node: NodeId) -> String {
    let entries = workspace.ai_agent.workflow.entries();
    let Some(entry) = entries.iter().find(|entry| crate::workflow::node_id(entry.node) == node) else {
        return format!("{node}, which is not in the workflow");
    };
    let mut words = match entry.node {
        NodeRef::Trigger(trigger) => trigger_words(trigger),
        NodeRef::Action(action) => action_words(action),
    };
    // The nearest trigger above it: the longest trigger path the node's path starts with.
    let under = entries
        .iter()
        .filter_map(|above| match above.node {
            NodeRef::Trigger(trigger) if entry.path.starts_with(&format!("{}.", above.path)) => {
                Some((above.path.len(), trigger))
            }
            _ => None,
        })
        .max_by_key(|(length, _)| *length);
    if let Some((_, trigger)) = under {
        words.push_str(" under ");
        words.push_str(&trigger_words(trigger));
    }
    words
}

fn trigger_words(trigger: &Trigger) -> String {
    match &trigger.kind {
        TriggerKind::ChatStarted => "Chat Started".to_owned(),
        TriggerKind::ChatClosedByLiveAgent => "Chat Closed by Live Agent".to_owned(),
        TriggerKind::MessageReceived { intent, .. } => format!("“{intent}”"),
        TriggerKind::Fallback => "Fallback".to_owned(),
    }
}

fn action_words(action: &Action) -> String {
    let kind = match &action.kind {
        ActionKind::SendMessage { .. } => "Send Message",
        ActionKind::SetChatVariable { .. } => "Set Chat Variable",
        ActionKind::IfElse { condition: Condition::LiveAgentOnline { .. }, .. } => "If/Else (is a live agent Online)",
        ActionKind::IfElse { condition: Condition::LanguageIs { .. }, .. } => "If/Else (the chat's language)",
        ActionKind::IfElse { .. } => "If/Else",
        ActionKind::HumanHandoff(_) => "Human Handoff",
        ActionKind::CollectFeedback(_) => "Collect Feedback",
        ActionKind::JumpTo { .. } => "Jump To",
        ActionKind::CloseChat => "Close Chat",
    };
    match action.label.as_deref().map(str::trim) {
        Some(label) if !label.is_empty() => format!("{kind} “{label}”"),
        _ => kind.to_owned(),
    }
}

/// Calls `change` on every assignment of the workflow: Human Handoff actions and "is a live
/// agent Online" conditions, at any depth.
fn for_each_assign(triggers: &mut [Trigger], change: &mut impl FnMut(&mut Assign)) {
    crate::workflow::for_each_action_mut(triggers, &mut |action| {
        if let Some(assign) = action.kind.assign_mut() {
            change(assign);
        }
    });
}

/// Calls `change` on every list of users and teams of the workflow, by-language rows included.
fn for_each_targets(triggers: &mut [Trigger], change: &mut impl FnMut(&mut Targets)) {
    for_each_assign(triggers, &mut |assign| {
        if let Assign::SpecificUsersOrTeams { targets, by_language } = assign {
            change(targets);
            for row in by_language.iter_mut().flat_map(|rows| rows.values_mut()) {
                if let LanguageTargets::Own(own) = row {
                    change(own);
                }
            }
        }
    });
}
