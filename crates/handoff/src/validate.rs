//! Validation of a workspace's workflow: every problem an admin should fix, with the node it
//! concerns. A workflow with problems still loads and runs; the editor shows them on the nodes.
//! A problem is an error (something does not work as written) or a warning (`Severity`): a
//! missing translation, which the fallback to the default language covers.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, Language, NodeId, TeamId};
use crate::localized::{Localized, Phrases};
use crate::matching::{Overlap, overlapping_phrases};
use crate::workflow::{
    Action, ActionKind, Assign, Condition, IndexedWorkflow, LanguageTargets, NodeRef, Sequence, Targets, TriggerKind,
    VariableValue, node_id,
};
use crate::workspace::Workspace;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The node it concerns; `None` for the workflow as a whole.
    pub node: Option<NodeId>,
    /// The node's JSON path in the workflow, such as `triggers[1].actions[0]`.
    pub path: String,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ProblemKind {
    /// Chat Started and Chat Closed by Live Agent are always present.
    MissingTrigger {
        trigger: String,
    },
    /// "Specific users or teams" with nobody listed (for a language, or the default list).
    EmptyTargets {
        language: Option<Language>,
    },
    /// "Assign by language" is on and a supported language has no row.
    LanguageWithoutList {
        language: Language,
    },
    /// A row for a language the AI agent does not support.
    UnsupportedLanguage {
        language: Language,
    },
    UnknownAgent {
        agent: AgentId,
        language: Option<Language>,
    },
    UnknownTeam {
        team: TeamId,
        language: Option<Language>,
    },
    /// Every listed user is gone and every listed team is empty: nobody could ever take the chat.
    TargetsHaveNoMembers {
        language: Option<Language>,
    },
    JumpTargetMissing {
        target: NodeId,
    },
    /// Following this Jump To can come back to it without ever waiting for the customer.
    JumpLoop,
    NoTrainingPhrases,
    /// Assign by language is offered only when the AI agent has more than one language.
    AssignByLanguageWithOneLanguage,
    /// Reply triggers under an action after which the runner never waits for the customer.
    RepliesNeverRead,
    /// An If/Else on a language the AI agent does not speak: its Then branch never runs.
    ConditionOnUnsupportedLanguage {
        language: Language,
    },
    /// A text the AI agent says (`text`: "the message", "button 2", …) has no version in a
    /// language it speaks, so chats in that language read the default language's; or an intent
    /// has no training phrases in it. A warning.
    MissingTranslation {
        text: String,
        language: Language,
    },
    /// A training phrase of this intent that a sibling intent recognises too (or has as well).
    OverlappingIntents {
        intent: String,
        phrase: String,
        other_intent: String,
    },
}

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Works, but not as the admin may expect: chats read the default language's words, or a
    /// message goes to a sibling intent.
    Warning,
    /// Does not work as written.
    Error,
}

impl ProblemKind {
    pub fn severity(&self) -> Severity {
        match self {
            ProblemKind::MissingTranslation { .. } | ProblemKind::OverlappingIntents { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let for_language = |language: &Option<Language>| match language {
            Some(language) => format!(" for {language}"),
            None => String::new(),
        };
        match self {
            ProblemKind::MissingTrigger { trigger } => write!(f, "the workflow has no {trigger} trigger"),
            ProblemKind::EmptyTargets { language } => {
                write!(f, "no users or teams are chosen{}", for_language(language))
            }
            ProblemKind::LanguageWithoutList { language } => {
                write!(f, "{language} has no list: choose \"Use default\" or its own users and teams")
            }
            ProblemKind::UnsupportedLanguage { language } => write!(f, "the AI agent does not speak {language}"),
            ProblemKind::UnknownAgent { agent, language } => {
                write!(f, "{agent} is not in the teamspace{}", for_language(language))
            }
            ProblemKind::UnknownTeam { team, language } => {
                write!(f, "{team} is not in the teamspace{}", for_language(language))
            }
            ProblemKind::TargetsHaveNoMembers { language } => {
                write!(
                    f,
                    "nobody could ever take this chat{}: no chosen user or team member is in the teamspace",
                    for_language(language)
                )
            }
            ProblemKind::JumpTargetMissing { target } => write!(f, "jumps to {target}, which does not exist"),
            ProblemKind::JumpLoop => write!(f, "this Jump To can loop forever without waiting for the customer"),
            ProblemKind::NoTrainingPhrases => write!(f, "the intent has no training phrase, so it never matches"),
            ProblemKind::AssignByLanguageWithOneLanguage => {
                write!(f, "assign by language needs an AI agent with more than one language")
            }
            ProblemKind::RepliesNeverRead => write!(
                f,
                "its reply triggers are never matched: only a Send Message or a Set Chat Variable with a fixed value waits for the customer's reply"
            ),
            ProblemKind::ConditionOnUnsupportedLanguage { language } => {
                write!(f, "the AI agent does not speak {language}, so this condition never holds")
            }
            ProblemKind::MissingTranslation { text, language } if text == "training phrases" => {
                write!(f, "no training phrases in {language}: messages in it match only other languages' phrases")
            }
            ProblemKind::MissingTranslation { text, language } => {
                write!(f, "{text} has no {language} version: chats in {language} read the default language's")
            }
            ProblemKind::OverlappingIntents { intent, phrase, other_intent } => write!(
                f,
                "the intents {intent} and {other_intent} overlap: \"{phrase}\", a training phrase of {intent}, is recognised as {other_intent} too, so such a message goes to whichever is more confident"
            ),
        }
    }
}

/// Every problem of the workspace's workflow, in tree order.
pub fn validate(workspace: &Workspace) -> Vec<Problem> {
    let workflow = &workspace.ai_agent.workflow;
    let indexed = IndexedWorkflow::new(workflow.clone());
    let mut problems = Vec::new();
    for (kind, name) in
        [(TriggerKind::ChatStarted, "Chat Started"), (TriggerKind::ChatClosedByLiveAgent, "Chat Closed by Live Agent")]
    {
        if workflow.top_trigger(|trigger| *trigger == kind).is_none() {
            problems.push(Problem {
                node: None,
                path: "triggers".to_owned(),
                kind: ProblemKind::MissingTrigger { trigger: name.to_owned() },
            });
        }
    }
    let default_language = &workspace.ai_agent.default_language;
    let levels =
        std::iter::once(workflow.triggers.as_slice()).chain(workflow.entries().into_iter().filter_map(|entry| {
            match entry.node {
                NodeRef::Action(action) if !action.triggers.is_empty() => Some(action.triggers.as_slice()),
                _ => None,
            }
        }));
    let overlaps: Vec<Overlap> = levels.flat_map(|triggers| overlapping_phrases(triggers, default_language)).collect();
    for entry in workflow.entries() {
        let mut found = Vec::new();
        match entry.node {
            NodeRef::Trigger(trigger) => {
                if let TriggerKind::MessageReceived { training_phrases, .. } = &trigger.kind {
                    if training_phrases.values().flatten().all(|phrase| phrase.trim().is_empty()) {
                        found.push(ProblemKind::NoTrainingPhrases);
                    } else {
                        check_phrases(workspace, training_phrases, &mut found);
                    }
                }
                for overlap in overlaps.iter().filter(|overlap| overlap.trigger == trigger.id) {
                    found.push(ProblemKind::OverlappingIntents {
                        intent: overlap.intent.clone(),
                        phrase: overlap.phrase.clone(),
                        other_intent: overlap.other_intent.clone(),
                    });
                }
            }
            NodeRef::Action(action) => {
                if !action.triggers.is_empty() && !action.kind.takes_replies() {
                    found.push(ProblemKind::RepliesNeverRead);
                }
                check_action(workspace, &indexed, action, &mut found);
            }
        }
        let node = Some(node_id(entry.node));
        problems.extend(found.into_iter().map(|kind| Problem { node, path: entry.path.clone(), kind }));
    }
    problems
}

/// A missing translation of each language the AI agent speaks, for a text that has some words
/// (an empty text is a problem of its own, or no text at all, as an optional message).
fn check_translated(workspace: &Workspace, what: &str, text: &Localized, found: &mut Vec<ProblemKind>) {
    if text.is_empty() {
        return;
    }
    for language in workspace.ai_agent.languages().filter(|language| text.get(language).is_none()) {
        found.push(ProblemKind::MissingTranslation { text: what.to_owned(), language: language.clone() });
    }
}

fn check_phrases(workspace: &Workspace, phrases: &Phrases, found: &mut Vec<ProblemKind>) {
    for language in workspace.ai_agent.languages().filter(|language| !phrases.contains_key(language)) {
        found.push(ProblemKind::MissingTranslation { text: "training phrases".to_owned(), language: language.clone() });
    }
}

fn check_action(workspace: &Workspace, indexed: &IndexedWorkflow, action: &Action, found: &mut Vec<ProblemKind>) {
    if let Some(assign) = action.kind.assign() {
        check_assign(workspace, assign, found);
    }
    match &action.kind {
        ActionKind::SendMessage { text, buttons } => {
            check_translated(workspace, "the message", text, found);
            for (index, button) in buttons.iter().enumerate() {
                check_translated(workspace, &format!("button {}", index + 1), button, found);
            }
        }
        ActionKind::HumanHandoff(handoff) => {
            check_translated(workspace, "the handoff message", &handoff.message, found)
        }
        ActionKind::CollectFeedback(feedback) => {
            check_translated(workspace, "the rating title", &feedback.title, found);
            check_translated(workspace, "the request message", &feedback.request, found);
            check_translated(workspace, "the thank-you message", &feedback.thank_you, found);
        }
        ActionKind::IfElse { condition: Condition::LanguageIs { language }, .. }
            if !workspace.ai_agent.supports(language) =>
        {
            found.push(ProblemKind::ConditionOnUnsupportedLanguage { language: language.clone() })
        }
        ActionKind::JumpTo { target } => {
            if indexed.slot(*target).is_none() {
                found.push(ProblemKind::JumpTargetMissing { target: *target });
            } else if jump_loops(indexed, action.id, *target) {
                found.push(ProblemKind::JumpLoop);
            }
        }
        _ => {}
    }
}

fn check_assign(workspace: &Workspace, assign: &Assign, found: &mut Vec<ProblemKind>) {
    let Assign::SpecificUsersOrTeams { targets, by_language } = assign else { return };
    check_targets(workspace, targets, None, found);
    let Some(rows) = by_language else { return };
    let ai_agent = &workspace.ai_agent;
    if !ai_agent.offers_assign_by_language() {
        found.push(ProblemKind::AssignByLanguageWithOneLanguage);
    }
    for language in ai_agent.languages() {
        match rows.get(language) {
            None => found.push(ProblemKind::LanguageWithoutList { language: language.clone() }),
            Some(LanguageTargets::Own(own)) => check_targets(workspace, own, Some(language), found),
            Some(LanguageTargets::Default) => {}
        }
    }
    for language in rows.keys().filter(|language| !ai_agent.supports(language)) {
        found.push(ProblemKind::UnsupportedLanguage { language: language.clone() });
    }
}

fn check_targets(workspace: &Workspace, targets: &Targets, language: Option<&Language>, found: &mut Vec<ProblemKind>) {
    let language = language.cloned();
    if targets.is_empty() {
        found.push(ProblemKind::EmptyTargets { language });
        return;
    }
    let teamspace = &workspace.teamspace;
    for &agent in targets.agents.iter().filter(|&&agent| teamspace.agent(agent).is_none()) {
        found.push(ProblemKind::UnknownAgent { agent, language: language.clone() });
    }
    for &team in targets.teams.iter().filter(|&&team| teamspace.team(team).is_none()) {
        found.push(ProblemKind::UnknownTeam { team, language: language.clone() });
    }
    let anyone = teamspace.agents.iter().any(|agent| targets.admits(agent));
    if !anyone {
        found.push(ProblemKind::TargetsHaveNoMembers { language });
    }
}

/// Whether running from the jump's target can reach the same Jump To again without an action
/// that waits for the customer. Both branches of an If/Else are followed.
fn jump_loops(workflow: &IndexedWorkflow, jump: NodeId, target: NodeId) -> bool {
    // A path: the next position, the sequences to continue after when one ends, and the jumps taken.
    type Path = (Option<(Sequence, usize)>, Vec<NodeId>, HashSet<NodeId>);
    let mut paths: Vec<Path> = vec![(workflow.start_of(target), Vec::new(), HashSet::from([jump]))];
    let mut budget = 10_000;
    while let Some((mut position, mut after, mut jumps)) = paths.pop() {
        loop {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            if position.is_none() {
                match after.pop() {
                    Some(node) => {
                        position = workflow.after(node);
                        continue;
                    }
                    None => break, // The run ends and the chat waits for the customer.
                }
            }
            let Some(action) = workflow.take_action(&mut position) else { continue };
            if waits(action) {
                break;
            }
            match &action.kind {
                ActionKind::JumpTo { target } => {
                    if !jumps.insert(action.id) {
                        return true;
                    }
                    after.clear();
                    position = workflow.start_of(*target);
                }
                ActionKind::IfElse { .. } => {
                    after.push(action.id);
                    paths.push((Some((Sequence::Else(action.id), 0)), after.clone(), jumps.clone()));
                    position = Some((Sequence::Then(action.id), 0));
                }
                _ => {}
            }
        }
    }
    false
}

/// Whether running this action stops the run until the customer (or a live agent) acts, as
/// `Engine::run` does it.
fn waits(action: &Action) -> bool {
    match &action.kind {
        ActionKind::SetChatVariable { value: VariableValue::NextReply, .. }
        | ActionKind::HumanHandoff(_)
        | ActionKind::CollectFeedback(_)
        | ActionKind::CloseChat => true,
        ActionKind::SendMessage { .. } | ActionKind::SetChatVariable { .. } => !action.triggers.is_empty(),
        ActionKind::IfElse { .. } | ActionKind::JumpTo { .. } => false,
    }
}

/// Something the teamspace holds that a workflow can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Referent {
    Agent(AgentId),
    Team(TeamId),
}

/// One place a workflow refers to a live agent or a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub node: NodeId,
    pub path: String,
    /// The language list it is in; `None` for the default list.
    pub language: Option<Language>,
}

/// Every place the workflow lists this agent or team (handoff targets and "is a live agent
/// Online" conditions), so that deleting it can say what will change before it happens.
pub fn usages(workspace: &Workspace, referent: Referent) -> Vec<Usage> {
    let lists = |targets: &Targets| match referent {
        Referent::Agent(agent) => targets.agents.contains(&agent),
        Referent::Team(team) => targets.teams.contains(&team),
    };
    let mut found = Vec::new();
    for entry in workspace.ai_agent.workflow.entries() {
        let NodeRef::Action(action) = entry.node else { continue };
        let Some(Assign::SpecificUsersOrTeams { targets, by_language }) = action.kind.assign() else { continue };
        let mut usage = |language: Option<&Language>| {
            found.push(Usage { node: action.id, path: entry.path.clone(), language: language.cloned() })
        };
        if lists(targets) {
            usage(None);
        }
        for (language, row) in by_language.iter().flatten() {
            if let LanguageTargets::Own(own) = row
                && lists(own)
            {
                usage(Some(language));
            }
        }
    }
    found
}
