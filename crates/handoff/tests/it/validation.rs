//! Workflow validation: each problem an admin should fix, on the node it concerns.

use handoff::{Severity, Workspace, validate};
use serde_json::json;

use crate::support::{all_users, workspace};

/// The starter workspace with the handoff given and `extra` top-level triggers added.
fn with(handoff: serde_json::Value, extra: serde_json::Value) -> Workspace {
    let mut workspace = workspace("balanced", 2, handoff);
    let extra: Vec<handoff::workflow::Trigger> = serde_json::from_value(extra).expect("valid triggers");
    workspace.ai_agent.workflow.triggers.extend(extra);
    workspace
}

/// Renders each error as `path (node): message`, one a line (the warnings of missing
/// translations are checked on their own, below).
fn check(workspace: &Workspace, expected: &[&str]) {
    check_only(workspace, Severity::Error, expected)
}

fn check_only(workspace: &Workspace, severity: Severity, expected: &[&str]) {
    let actual: Vec<String> = validate(workspace)
        .iter()
        .filter(|problem| problem.kind.severity() == severity)
        .map(|problem| match problem.node {
            Some(node) => format!("{} ({node}): {}", problem.path, problem.kind),
            None => format!("{}: {}", problem.path, problem.kind),
        })
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn the_starter_workspace_has_no_problem() {
    check(&workspace("balanced", 2, all_users()), &[]);
}

#[test]
fn handoff_targets_are_checked_for_every_language() {
    let handoff = json!({
        "availability_check": true,
        "assign": { "to": "specific_users_or_teams", "targets": { "agents": [77], "teams": [] },
                    "by_language": { "fr": { "use": "own", "teams": [3, 8] }, "de": { "use": "default" } } }
    });
    check(
        &with(handoff, json!([])),
        &[
            "triggers[1].actions[0] (node 20): agent 77 is not in the teamspace",
            "triggers[1].actions[0] (node 20): nobody could ever take this chat: no chosen user or team member is in the teamspace",
            "triggers[1].actions[0] (node 20): en has no list: choose \"Use default\" or its own users and teams",
            "triggers[1].actions[0] (node 20): team 8 is not in the teamspace for fr",
            "triggers[1].actions[0] (node 20): es has no list: choose \"Use default\" or its own users and teams",
            "triggers[1].actions[0] (node 20): the AI agent does not speak de",
        ],
    );
}

#[test]
fn an_empty_target_list_is_a_problem_in_handoffs_and_conditions() {
    let handoff = json!({ "availability_check": false, "assign": { "to": "specific_users_or_teams" } });
    let extra = json!([{ "id": 50, "trigger": "message_received", "intent": "vip", "training_phrases": ["vip"], "actions": [
        { "id": 51, "action": "if_else",
          "condition": { "if": "live_agent_online", "assign": { "to": "specific_users_or_teams", "targets": { "teams": [] , "agents": [] } } },
          "then": [], "else": [] }
    ] }]);
    check(
        &with(handoff, extra),
        &[
            "triggers[1].actions[0] (node 20): no users or teams are chosen",
            "triggers[5].actions[0] (node 51): no users or teams are chosen",
        ],
    );
}

#[test]
fn jumps_to_missing_nodes_and_loops_that_never_wait_are_problems() {
    let extra = json!([
        { "id": 60, "trigger": "message_received", "intent": "loop", "training_phrases": ["loop"], "actions": [
            { "id": 61, "action": "send_message", "text": "again" },
            { "id": 62, "action": "jump_to", "target": 60 }
        ] },
        { "id": 63, "trigger": "message_received", "intent": "ask", "training_phrases": ["ask"], "actions": [
            { "id": 64, "action": "set_chat_variable", "name": "answer", "value": { "from": "next_reply" } },
            { "id": 65, "action": "jump_to", "target": 63 }
        ] },
        { "id": 66, "trigger": "message_received", "intent": "gone", "training_phrases": [" "], "actions": [
            { "id": 67, "action": "jump_to", "target": 999 }
        ] }
    ]);
    check(
        &with(all_users(), extra),
        &[
            "triggers[5].actions[1] (node 62): this Jump To can loop forever without waiting for the customer",
            "triggers[7] (node 66): the intent has no training phrase, so it never matches",
            "triggers[7].actions[0] (node 67): jumps to node 999, which does not exist",
        ],
    );
}

#[test]
fn missing_fixed_triggers_are_problems() {
    let mut workspace = workspace("balanced", 2, all_users());
    workspace.ai_agent.workflow.triggers.retain(|trigger| trigger.id == handoff::NodeId(4));
    check(
        &workspace,
        &[
            "triggers: the workflow has no Chat Started trigger",
            "triggers: the workflow has no Chat Closed by Live Agent trigger",
        ],
    );
}

#[test]
fn usages_say_where_a_team_or_agent_is_listed_before_it_is_deleted() {
    use handoff::{Referent, usages};
    let handoff = json!({
        "availability_check": false,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1], "agents": [3] },
                    "by_language": { "fr": { "use": "own", "teams": [3, 1] }, "es": { "use": "default" } } }
    });
    let workspace = with(handoff, json!([]));
    let describe = |referent| {
        usages(&workspace, referent)
            .into_iter()
            .map(|usage| format!("{} {} {:?}", usage.node, usage.path, usage.language.map(|l| l.to_string())))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        describe(Referent::Team(handoff::TeamId(1))),
        ["node 20 triggers[1].actions[0] None", "node 20 triggers[1].actions[0] Some(\"fr\")"]
    );
    assert_eq!(describe(Referent::Agent(handoff::AgentId(3))), ["node 20 triggers[1].actions[0] None"]);
    assert_eq!(describe(Referent::Team(handoff::TeamId(2))), Vec::<String>::new());
}

#[test]
fn sibling_intents_whose_phrases_overlap_are_named_with_the_phrase() {
    let extra = json!([
        { "id": 50, "trigger": "message_received", "intent": "Billing", "training_phrases": ["refund", "invoice"], "actions": [
            { "id": 51, "action": "send_message", "text": "Anything else?", "triggers": [
                { "id": 52, "trigger": "message_received", "intent": "Yes", "training_phrases": ["yes"], "actions": [] },
                { "id": 53, "trigger": "message_received", "intent": "Sure", "training_phrases": ["Yes!"], "actions": [] },
                { "id": 54, "trigger": "message_received", "intent": "No", "training_phrases": ["no"], "actions": [] }
            ] }
        ] },
        { "id": 60, "trigger": "message_received", "intent": "Refunds", "training_phrases": ["money back", "refund my order"], "actions": [] },
        // The same words at different levels do not compete: nested triggers are matched first.
        { "id": 70, "trigger": "message_received", "intent": "Agreement", "training_phrases": ["yes"], "actions": [] }
    ]);
    let overlaps: Vec<String> = validate(&with(all_users(), extra))
        .iter()
        .filter(|problem| matches!(problem.kind, handoff::ProblemKind::OverlappingIntents { .. }))
        .inspect(|problem| assert_eq!(problem.kind.severity(), Severity::Warning, "an overlap works, so it warns"))
        .map(|problem| format!("{} ({}): {}", problem.path, problem.node.expect("on a trigger"), problem.kind))
        .collect();
    assert_eq!(
        overlaps,
        [
            "triggers[5].actions[0].triggers[0] (node 52): the intents Yes and Sure overlap: \"yes\", a training phrase of Yes, is recognised as Sure too, so such a message goes to whichever is more confident",
            "triggers[6] (node 60): the intents Refunds and Billing overlap: \"refund my order\", a training phrase of Refunds, is recognised as Billing too, so such a message goes to whichever is more confident",
        ],
    );
}

#[test]
fn the_starter_workspace_has_no_overlapping_intents() {
    let problems = validate(&handoff::starter_workspace());
    let overlaps: Vec<_> = problems
        .iter()
        .filter(|problem| matches!(problem.kind, handoff::ProblemKind::OverlappingIntents { .. }))
        .map(|problem| problem.kind.to_string())
        .collect();
    assert_eq!(overlaps, Vec::<String>::new());
}
