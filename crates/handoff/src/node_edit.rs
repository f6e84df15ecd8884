//! Editing one node's settings, as the editor's panel offers them: every text field of a trigger
//! or an action, each normalised by the same rule, and what an If/Else condition becomes when
//! the admin picks another kind of condition.
//! Each edit either changes the workspace as asked or changes nothing and says why.
//!
//! The rule for text, whatever the field: what is typed is trimmed at both ends; a list (training
//! phrases, quick-reply buttons) is one item a line, each trimmed, without empty lines; an
//! optional text (a label, the handoff message, the variable a rating goes to) is absent when
//! nothing is left of it. An empty required text is kept: validation shows it on the node.
//!
//! The texts the AI agent says (`TextField::is_translated`) are read and set one language at a
//! time; the others ignore the language. Buttons keep their places across languages: a
//! language's `n`th line is the `n`th button's words in it, an empty line a button without them,
//! and a button left without words in any language goes.

use std::fmt;

use crate::edit;
use crate::ids::{Language, NodeId};
use crate::localized::{Localized, Phrases};
use crate::workflow::{Action, ActionKind, Assign, Condition, TriggerKind, VariableValue};
use crate::workspace::Workspace;

/// A text field of a node's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// A Message Received trigger's intent.
    IntentName,
    TrainingPhrases,
    ExcludedPhrases,
    /// An action's name in the tree.
    Label,
    /// A Send Message action's text.
    Message,
    /// A Send Message action's quick-reply buttons.
    Buttons,
    /// A Set Chat Variable action's variable.
    VariableName,
    /// A Set Chat Variable action's fixed value; writing it makes the value fixed.
    VariableText,
    /// The variable an If/Else condition on a chat variable looks at.
    ConditionVariable,
    /// The value an "equals" condition compares with.
    ConditionValue,
    HandoffMessage,
    FeedbackTitle,
    FeedbackRequest,
    FeedbackThankYou,
    /// The chat variable a Collect Feedback action stores the rating in.
    FeedbackVariable,
}

impl TextField {
    /// Whether the field is a text the AI agent says (or, for phrases, reads), kept per language.
    pub fn is_translated(self) -> bool {
        matches!(
            self,
            TextField::TrainingPhrases
                | TextField::ExcludedPhrases
                | TextField::Message
                | TextField::Buttons
                | TextField::HandoffMessage
                | TextField::FeedbackTitle
                | TextField::FeedbackRequest
                | TextField::FeedbackThankYou
        )
    }
}

/// A typed text as a field keeps it: trimmed at both ends.
pub fn normalised_text(typed: &str) -> String {
    typed.trim().to_owned()
}

/// A typed optional text: trimmed, and absent when nothing is left.
pub fn normalised_optional(typed: &str) -> Option<String> {
    let text = typed.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A typed list, one item a line: each trimmed, without the empty lines.
pub fn normalised_lines(typed: &str) -> Vec<String> {
    typed.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

/// Why a node edit changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeEditError {
    NoSuchNode {
        node: NodeId,
    },
    /// The node is of a kind without that field (a Fallback has no intent, a condition on the
    /// chat's language no variable).
    NoSuchField {
        node: NodeId,
        field: TextField,
    },
    /// Only an If/Else has a condition.
    NoCondition {
        node: NodeId,
    },
}

impl fmt::Display for NodeEditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeEditError::NoSuchNode { node } => write!(f, "Node #{} is no longer in the workflow.", node.0),
            NodeEditError::NoSuchField { node, field } => write!(f, "Node #{} has no field {field:?}.", node.0),
            NodeEditError::NoCondition { node } => write!(f, "Node #{} is not an If/Else.", node.0),
        }
    }
}

impl std::error::Error for NodeEditError {}

fn phrases_text(phrases: &Phrases, language: &Language) -> String {
    phrases.get(language).map(|list| list.join("\n")).unwrap_or_default()
}

fn own_text(text: &Localized, language: &Language) -> String {
    text.get(language).unwrap_or_default().to_owned()
}

/// One language's words of the buttons, a button a line (empty where a button has none), without
/// the empty lines at the end.
fn buttons_text(buttons: &[Localized], language: &Language) -> String {
    let lines: Vec<&str> = buttons.iter().map(|button| button.get(language).unwrap_or_default()).collect();
    let kept = lines.iter().rposition(|line| !line.is_empty()).map_or(0, |last| last + 1);
    lines[..kept].join("\n")
}

/// Sets one language's words of the buttons from a button a line (see the module's rule).
fn set_buttons(buttons: &mut Vec<Localized>, language: &Language, typed: &str) {
    let lines: Vec<&str> = typed.trim_end().lines().map(str::trim).collect();
    let lines = match lines.iter().position(|line| !line.is_empty()) {
        Some(first) if buttons.iter().all(|button| button.iter().all(|(other, _)| other == language)) => {
            // Only this language has buttons: its empty lines are no buttons, as before.
            lines[first..].iter().copied().filter(|line| !line.is_empty()).collect()
        }
        Some(_) => lines,
        None => Vec::new(),
    };
    if buttons.len() < lines.len() {
        buttons.resize(lines.len(), Localized::new());
    }
    for (index, button) in buttons.iter_mut().enumerate() {
        button.set(language, lines.get(index).copied().unwrap_or_default());
    }
    buttons.retain(|button| !button.is_empty());
}

fn set_phrases(phrases: &mut Phrases, language: &Language, typed: &str) {
    match normalised_lines(typed) {
        lines if lines.is_empty() => {
            phrases.remove(language);
        }
        lines => phrases.insert(language.clone(), lines),
    }
}

/// The field of a trigger as the panel shows it (a list one item a line, an absent text
/// empty), phrases in `language`; `None` when the trigger has no such field.
pub fn trigger_text(kind: &TriggerKind, field: TextField, language: &Language) -> Option<String> {
    let TriggerKind::MessageReceived { intent, training_phrases, excluded_phrases } = kind else { return None };
    match field {
        TextField::IntentName => Some(intent.clone()),
        TextField::TrainingPhrases => Some(phrases_text(training_phrases, language)),
        TextField::ExcludedPhrases => Some(phrases_text(excluded_phrases, language)),
        _ => None,
    }
}

/// The field of an action as the panel shows it, a text the AI agent says in `language` (its
/// own words, empty without them); `None` when the action has no such field.
pub fn action_text(action: &Action, field: TextField, language: &Language) -> Option<String> {
    if field == TextField::Label {
        return Some(action.label.clone().unwrap_or_default());
    }
    match (&action.kind, field) {
        (ActionKind::SendMessage { text, .. }, TextField::Message) => Some(own_text(text, language)),
        (ActionKind::SendMessage { buttons, .. }, TextField::Buttons) => Some(buttons_text(buttons, language)),
        (ActionKind::SetChatVariable { name, .. }, TextField::VariableName) => Some(name.clone()),
        (ActionKind::SetChatVariable { value, .. }, TextField::VariableText) => Some(match value {
            VariableValue::Text { text } => text.clone(),
            VariableValue::NextReply => String::new(),
        }),
        (
            ActionKind::IfElse {
                condition: Condition::VariableEquals { name, .. } | Condition::VariableIsSet { name },
                ..
            },
            TextField::ConditionVariable,
        ) => Some(name.clone()),
        (ActionKind::IfElse { condition: Condition::VariableEquals { value, .. }, .. }, TextField::ConditionValue) => {
            Some(value.clone())
        }
        (ActionKind::HumanHandoff(handoff), TextField::HandoffMessage) => Some(own_text(&handoff.message, language)),
        (ActionKind::CollectFeedback(feedback), field) => match field {
            TextField::FeedbackTitle => Some(own_text(&feedback.title, language)),
            TextField::FeedbackRequest => Some(own_text(&feedback.request, language)),
            TextField::FeedbackThankYou => Some(own_text(&feedback.thank_you, language)),
            TextField::FeedbackVariable => Some(feedback.variable.clone().unwrap_or_default()),
            _ => None,
        },
        _ => None,
    }
}

/// Sets one text field of the node to what the admin typed, normalised by the module's rule; a
/// text the AI agent says is set in `language` (emptied, that language has no text).
pub fn set_text(
    workspace: &mut Workspace,
    node: NodeId,
    field: TextField,
    language: &Language,
    typed: &str,
) -> Result<(), NodeEditError> {
    let workflow = &mut workspace.ai_agent.workflow;
    let missing = NodeEditError::NoSuchField { node, field };
    if let Some(trigger) = edit::trigger_mut(workflow, node) {
        let TriggerKind::MessageReceived { intent, training_phrases, excluded_phrases } = &mut trigger.kind else {
            return Err(missing);
        };
        match field {
            TextField::IntentName => *intent = normalised_text(typed),
            TextField::TrainingPhrases => set_phrases(training_phrases, language, typed),
            TextField::ExcludedPhrases => set_phrases(excluded_phrases, language, typed),
            _ => return Err(missing),
        }
        return Ok(());
    }
    let action = edit::action_mut(workflow, node).ok_or(NodeEditError::NoSuchNode { node })?;
    if field == TextField::Label {
        action.label = normalised_optional(typed);
        return Ok(());
    }
    match (&mut action.kind, field) {
        (ActionKind::SendMessage { text, .. }, TextField::Message) => text.set(language, typed.trim()),
        (ActionKind::SendMessage { buttons, .. }, TextField::Buttons) => set_buttons(buttons, language, typed),
        (ActionKind::SetChatVariable { name, .. }, TextField::VariableName) => *name = normalised_text(typed),
        (ActionKind::SetChatVariable { value, .. }, TextField::VariableText) => {
            *value = VariableValue::Text { text: normalised_text(typed) }
        }
        (
            ActionKind::IfElse {
                condition: Condition::VariableEquals { name, .. } | Condition::VariableIsSet { name },
                ..
            },
            TextField::ConditionVariable,
        ) => *name = normalised_text(typed),
        (ActionKind::IfElse { condition: Condition::VariableEquals { value, .. }, .. }, TextField::ConditionValue) => {
            *value = normalised_text(typed)
        }
        (ActionKind::HumanHandoff(handoff), TextField::HandoffMessage) => handoff.message.set(language, typed.trim()),
        (ActionKind::CollectFeedback(feedback), TextField::FeedbackTitle) => feedback.title.set(language, typed.trim()),
        (ActionKind::CollectFeedback(feedback), TextField::FeedbackRequest) => {
            feedback.request.set(language, typed.trim())
        }
        (ActionKind::CollectFeedback(feedback), TextField::FeedbackThankYou) => {
            feedback.thank_you.set(language, typed.trim())
        }
        (ActionKind::CollectFeedback(feedback), TextField::FeedbackVariable) => {
            feedback.variable = normalised_optional(typed)
        }
        _ => return Err(missing),
    }
    Ok(())
}

/// The kinds of If/Else condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionKind {
    VariableEquals,
    VariableIsSet,
    LanguageIs,
    LiveAgentOnline,
}

/// The kinds of condition in the order the editor offers them, each with its name in the
/// workspace document and its words.
pub const CONDITION_KINDS: [(ConditionKind, &str, &str); 4] = [
    (ConditionKind::VariableEquals, "variable_equals", "A chat variable equals a value"),
    (ConditionKind::VariableIsSet, "variable_is_set", "A chat variable is set"),
    (ConditionKind::LanguageIs, "language_is", "The chat's language is"),
    (ConditionKind::LiveAgentOnline, "live_agent_online", "A live agent is online"),
];

impl ConditionKind {
    pub fn of(condition: &Condition) -> ConditionKind {
        match condition {
            Condition::VariableEquals { .. } => ConditionKind::VariableEquals,
            Condition::VariableIsSet { .. } => ConditionKind::VariableIsSet,
            Condition::LanguageIs { .. } => ConditionKind::LanguageIs,
            Condition::LiveAgentOnline { .. } => ConditionKind::LiveAgentOnline,
        }
    }

    /// Its name in the workspace document, such as `variable_equals`.
    pub fn tag(self) -> &'static str {
        CONDITION_KINDS.iter().find(|(kind, ..)| *kind == self).map_or("", |&(_, tag, _)| tag)
    }

    pub fn from_tag(tag: &str) -> Option<ConditionKind> {
        CONDITION_KINDS.iter().find(|(_, known, _)| *known == tag).map(|&(kind, ..)| kind)
    }
}

/// What a condition becomes when the admin picks another kind: a condition on a chat variable
/// keeps its variable (a new one looks at `variable`) with an empty value to compare; "the
/// chat's language is" asks about the AI agent's default language; "a live agent is online"
/// about all users. A condition already of that kind stays as it is.
pub fn condition_of_kind(previous: &Condition, kind: ConditionKind, default_language: &Language) -> Condition {
    if ConditionKind::of(previous) == kind {
        return previous.clone();
    }
    let name = match previous {
        Condition::VariableEquals { name, .. } | Condition::VariableIsSet { name } => name.clone(),
        _ => "variable".to_owned(),
    };
    match kind {
        ConditionKind::VariableEquals => Condition::VariableEquals { name, value: String::new() },
        ConditionKind::VariableIsSet => Condition::VariableIsSet { name },
        ConditionKind::LanguageIs => Condition::LanguageIs { language: default_language.clone() },
        ConditionKind::LiveAgentOnline => Condition::LiveAgentOnline { assign: Assign::AllUsers },
    }
}

/// Changes the If/Else's condition to one of `kind`, as `condition_of_kind` says.
pub fn set_condition_kind(workspace: &mut Workspace, node: NodeId, kind: ConditionKind) -> Result<(), NodeEditError> {
    let default_language = workspace.ai_agent.default_language.clone();
    let action = edit::action_mut(&mut workspace.ai_agent.workflow, node).ok_or(NodeEditError::NoSuchNode { node })?;
    let ActionKind::IfElse { condition, .. } = &mut action.kind else {
        return Err(NodeEditError::NoCondition { node });
    };
    *condition = condition_of_kind(condition, kind, &default_language);
    Ok(())
}
