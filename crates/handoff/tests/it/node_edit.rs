//! Editing a node's settings: every text field normalised by one rule, and what a condition
//! becomes when its kind changes.

use handoff::node_edit::{
    ConditionKind, NodeEditError, TextField, action_text, condition_of_kind, set_condition_kind, set_text, trigger_text,
};
use handoff::workflow::{Assign, Condition};
use handoff::{Language, NodeId, Workspace};

use crate::support::{all_users, workspace};

fn english() -> Language {
    Language::new("en")
}

/// The field as the panel reads it back (in English).
fn read(workspace: &Workspace, node: u32, field: TextField) -> Option<String> {
    let workflow = &workspace.ai_agent.workflow;
    match workflow.find_trigger(NodeId(node)) {
        Some(trigger) => trigger_text(&trigger.kind, field, &english()),
        None => action_text(workflow.find_action(NodeId(node))?, field, &english()),
    }
}

/// Each row: the node (of the test workspace: 4 Message Received, 2 Send Message, 3 Set Chat
/// Variable, 31 If/Else, 20 Human Handoff, 7 Collect Feedback), the field, what was typed, and
/// what the field holds then (`None`: the node has no such field). Every field trims; lists
/// drop empty lines.
#[test]
fn every_text_field_is_trimmed_and_every_list_loses_its_empty_lines() {
    use TextField::*;
    let rows: [(u32, TextField, &str, Option<&str>); 17] = [
        (4, IntentName, "  refund  ", Some("refund")),
        (4, TrainingPhrases, " money back \n\n  refund please  \n", Some("money back\nrefund please")),
        (4, ExcludedPhrases, "\n  not a refund \n", Some("not a refund")),
        (2, Label, "  Greeting ", Some("Greeting")),
        (2, Message, "  Hi!\n  How can I help?  \n", Some("Hi!\n  How can I help?")),
        (2, Buttons, " Yes \n\n No \n", Some("Yes\nNo")),
        (2, Buttons, "  \n ", Some("")),
        (3, VariableName, " name ", Some("name")),
        (3, VariableText, " friend ", Some("friend")),
        (31, ConditionVariable, " rating ", Some("rating")),
        (20, HandoffMessage, "  Connecting you…  ", Some("Connecting you…")),
        (7, FeedbackTitle, " Rate us ", Some("Rate us")),
        (7, FeedbackRequest, " How did we do? ", Some("How did we do?")),
        (7, FeedbackThankYou, "\nThank you!\n", Some("Thank you!")),
        (7, FeedbackVariable, " score ", Some("score")),
        (7, Message, "", None),
        (8, IntentName, "", None),
    ];
    for (node, field, typed, expected) in rows {
        let mut edited = workspace("balanced", 1, all_users());
        let result = set_text(&mut edited, NodeId(node), field, &english(), typed);
        let Some(expected) = expected else {
            assert_eq!(result, Err(NodeEditError::NoSuchField { node: NodeId(node), field }), "{node} {field:?}");
            assert_eq!(edited, workspace("balanced", 1, all_users()), "a refused edit changes nothing");
            continue;
        };
        assert_eq!(result, Ok(()), "{node} {field:?}");
        assert_eq!(read(&edited, node, field).as_deref(), Some(expected), "{node} {field:?} {typed:?}");
    }
}

/// An optional text left blank is absent, not an empty text: a label, the handoff message, the
/// variable a rating goes to.
#[test]
fn a_blank_optional_text_is_absent() {
    let mut edited = workspace("balanced", 1, all_users());
    for (node, field) in [(2, TextField::Label), (20, TextField::HandoffMessage), (7, TextField::FeedbackVariable)] {
        set_text(&mut edited, NodeId(node), field, &english(), "label").expect("set");
        set_text(&mut edited, NodeId(node), field, &english(), "   \n ").expect("cleared");
    }
    let workflow = &edited.ai_agent.workflow;
    assert_eq!(workflow.find_action(NodeId(2)).expect("node 2").label, None);
    let kinds = |node| workflow.find_action(NodeId(node)).map(|action| action.kind.clone()).expect("the node");
    let handoff::workflow::ActionKind::HumanHandoff(handoff) = kinds(20) else { panic!("20 hands off") };
    assert!(handoff.message.is_empty(), "no handoff message is sent");
    let handoff::workflow::ActionKind::CollectFeedback(feedback) = kinds(7) else { panic!("7 asks for feedback") };
    assert_eq!(feedback.variable, None, "the rating is not stored");
}

#[test]
fn an_edit_of_a_node_not_there_changes_nothing_and_says_so() {
    let mut edited = workspace("balanced", 1, all_users());
    let missing = set_text(&mut edited, NodeId(99), TextField::Label, &english(), "x").expect_err("no node 99");
    assert_eq!(missing.to_string(), "Node #99 is no longer in the workflow.");
    let not_if_else = set_condition_kind(&mut edited, NodeId(2), ConditionKind::LanguageIs).expect_err("a message");
    assert_eq!(not_if_else, NodeEditError::NoCondition { node: NodeId(2) });
    assert_eq!(edited, workspace("balanced", 1, all_users()));
}

/// What a condition becomes when the admin picks another kind.
#[test]
fn a_condition_of_another_kind_keeps_its_variable_and_starts_from_the_defaults() {
    let en = Language::new("en");
    let is_set = Condition::VariableIsSet { name: "rating".to_owned() };
    let equals = Condition::VariableEquals { name: "plan".to_owned(), value: "gold".to_owned() };
    let language = Condition::LanguageIs { language: Language::new("fr") };
    let rows: [(&Condition, ConditionKind, Condition); 7] = [
        (&is_set, ConditionKind::VariableEquals, Condition::VariableEquals { name: "rating".into(), value: "".into() }),
        (&equals, ConditionKind::VariableIsSet, Condition::VariableIsSet { name: "plan".into() }),
        (&equals, ConditionKind::VariableEquals, equals.clone()),
        (&language, ConditionKind::VariableIsSet, Condition::VariableIsSet { name: "variable".into() }),
        (&is_set, ConditionKind::LanguageIs, Condition::LanguageIs { language: en.clone() }),
        (&language, ConditionKind::LanguageIs, language.clone()),
        (&is_set, ConditionKind::LiveAgentOnline, Condition::LiveAgentOnline { assign: Assign::AllUsers }),
    ];
    for (previous, kind, expected) in rows {
        assert_eq!(condition_of_kind(previous, kind, &en), expected, "{previous:?} to {kind:?}");
        assert_eq!(ConditionKind::from_tag(kind.tag()), Some(kind));
    }
    // In the workspace, "the chat's language is" asks about the AI agent's default language.
    let mut edited = workspace("balanced", 1, all_users());
    edited.ai_agent.default_language = Language::new("fr");
    edited.ai_agent.other_languages = vec![Language::new("en"), Language::new("es")];
    set_condition_kind(&mut edited, NodeId(31), ConditionKind::LanguageIs).expect("31 is an If/Else");
    let condition = edited.ai_agent.workflow.find_action(NodeId(31)).and_then(|action| match &action.kind {
        handoff::workflow::ActionKind::IfElse { condition, .. } => Some(condition.clone()),
        _ => None,
    });
    assert_eq!(condition, Some(Condition::LanguageIs { language: Language::new("fr") }));
}
