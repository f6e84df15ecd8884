//! Editing the workflow tree: what may go where, and each edit's effect or refusal.

use handoff::edit::{EditError, NodeTemplate, Place, allowed, delete, duplicate, insert, move_node, next_node_id};
use handoff::workflow::{NodeRef, Sequence, Workflow, node_id};
use handoff::{NodeId, ProblemKind, starter_workspace, validate};

fn starter() -> Workflow {
    starter_workspace().ai_agent.workflow
}

/// The tree as `path id template` lines, parents before children.
fn outline(workflow: &Workflow) -> Vec<String> {
    workflow
        .entries()
        .iter()
        .map(|entry| format!("{} {} {:?}", entry.path, node_id(entry.node).0, entry.node.template()))
        .collect()
}

fn lines_of(workflow: &Workflow, prefix: &str) -> Vec<String> {
    outline(workflow).into_iter().filter(|line| line.starts_with(prefix)).collect()
}

#[test]
fn the_menu_offers_only_what_may_go_there() {
    let workflow = starter();
    assert_eq!(allowed(&workflow, Place::TopTriggers), [NodeTemplate::MessageReceived]);
    assert_eq!(
        allowed(&workflow, Place::NestedTriggers { action: NodeId(21) }),
        [NodeTemplate::MessageReceived, NodeTemplate::Fallback]
    );
    assert_eq!(allowed(&workflow, Place::Actions { sequence: Sequence::OnClose(NodeId(11)) }).len(), 7);
    assert_eq!(allowed(&workflow, Place::Actions { sequence: Sequence::Then(NodeId(11)) }), []);
    assert_eq!(allowed(&workflow, Place::NestedTriggers { action: NodeId(999) }), []);
}

#[test]
fn insert_adds_a_fresh_node_where_it_is_allowed() {
    let mut workflow = starter();
    assert_eq!(next_node_id(&workflow), NodeId(42));
    let intent = insert(&mut workflow, Place::TopTriggers, 1, NodeTemplate::MessageReceived).expect("allowed");
    let handoff =
        insert(&mut workflow, Place::Actions { sequence: Sequence::Trigger(intent) }, 0, NodeTemplate::HumanHandoff)
            .expect("allowed");
    assert_eq!((intent, handoff), (NodeId(42), NodeId(43)));
    assert_eq!(
        lines_of(&workflow, "triggers[1]"),
        ["triggers[1] 42 MessageReceived", "triggers[1].actions[0] 43 HumanHandoff"]
    );
    assert_eq!(
        insert(&mut workflow, Place::TopTriggers, 0, NodeTemplate::Fallback),
        Err(EditError::NotAllowedHere { template: NodeTemplate::Fallback })
    );
    assert_eq!(
        insert(&mut workflow, Place::TopTriggers, 0, NodeTemplate::SendMessage),
        Err(EditError::NotAllowedHere { template: NodeTemplate::SendMessage })
    );
    assert_eq!(
        insert(&mut workflow, Place::Actions { sequence: Sequence::Else(NodeId(777)) }, 0, NodeTemplate::CloseChat),
        Err(EditError::NoSuchPlace)
    );
}

#[test]
fn delete_takes_the_subtree_and_validation_names_what_pointed_at_it() {
    let mut workflow = starter();
    assert_eq!(delete(&mut workflow, NodeId(1)), Err(EditError::FixedTrigger { node: NodeId(1) }));
    let removed = delete(&mut workflow, NodeId(11)).expect("the handoff can go");
    assert_eq!(removed.id(), NodeId(11));
    assert!(outline(&workflow).iter().all(|line| !line.contains(" 12 ") && !line.contains(" 15 ")));
    let mut workspace = starter_workspace();
    workspace.ai_agent.workflow = workflow;
    let problems = validate(&workspace);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].node, Some(NodeId(23)));
    assert_eq!(problems[0].kind, ProblemKind::JumpTargetMissing { target: NodeId(11) });
    assert_eq!(delete(&mut workspace.ai_agent.workflow, NodeId(11)), Err(EditError::NoSuchNode { node: NodeId(11) }));
}

#[test]
fn duplicate_copies_right_after_with_fresh_ids_and_inner_jumps_retargeted() {
    let mut workflow = starter();
    let copy = duplicate(&mut workflow, NodeId(20)).expect("an intent can be copied");
    assert_eq!(copy, NodeId(42));
    assert_eq!(
        lines_of(&workflow, "triggers[3]"),
        [
            "triggers[3] 42 MessageReceived",
            "triggers[3].actions[0] 43 SendMessage",
            "triggers[3].actions[0].triggers[0] 44 MessageReceived",
            "triggers[3].actions[0].triggers[0].actions[0] 45 JumpTo",
            "triggers[3].actions[0].triggers[1] 46 MessageReceived",
            "triggers[3].actions[0].triggers[1].actions[0] 47 SendMessage",
        ]
    );
    // The copied Jump To still goes to the handoff outside the copy.
    let jump = workflow.find_action(NodeId(45)).expect("copied");
    assert_eq!(jump.kind, handoff::workflow::ActionKind::JumpTo { target: NodeId(11) });

    // A handoff copied with a Jump To to itself inside: the copy's jump points at the copy.
    let mut workflow = starter();
    let inner =
        insert(&mut workflow, Place::Actions { sequence: Sequence::OnNoAgent(NodeId(11)) }, 3, NodeTemplate::JumpTo)
            .expect("allowed");
    if let Some(action) = handoff::edit::action_mut(&mut workflow, inner) {
        action.kind = handoff::workflow::ActionKind::JumpTo { target: NodeId(13) };
    }
    let copy = duplicate(&mut workflow, NodeId(11)).expect("a handoff can be copied");
    let copied_jump = workflow
        .entries()
        .into_iter()
        .filter_map(|entry| match entry.node {
            NodeRef::Action(action) if entry.path.starts_with("triggers[1].actions[1]") => Some(action.clone()),
            _ => None,
        })
        .find(|action| matches!(action.kind, handoff::workflow::ActionKind::JumpTo { .. }))
        .expect("the copy has its jump");
    assert_eq!(copy, NodeId(43));
    // The copy numbers depth first: 11 → 43, its close subtree's 12 → 44, then 13 → 45.
    assert_eq!(copied_jump.kind, handoff::workflow::ActionKind::JumpTo { target: NodeId(45) });

    assert_eq!(
        duplicate(&mut starter(), NodeId(40)),
        Err(EditError::NotAllowedHere { template: NodeTemplate::Fallback })
    );
}

#[test]
fn move_reorders_and_reparents_but_never_into_itself_or_across_kinds() {
    let mut workflow = starter();
    move_node(&mut workflow, NodeId(40), Place::TopTriggers, 0).expect("the Fallback can go first");
    assert_eq!(outline(&workflow)[0], "triggers[0] 40 Fallback");
    move_node(&mut workflow, NodeId(40), Place::TopTriggers, 5).expect("and back to the end");
    assert_eq!(lines_of(&workflow, "triggers[4]")[0], "triggers[4] 40 Fallback");

    let no_agent = Place::Actions { sequence: Sequence::OnNoAgent(NodeId(11)) };
    move_node(&mut workflow, NodeId(41), no_agent, 0).expect("an action can change parent");
    assert_eq!(
        lines_of(&workflow, "triggers[1].actions[0].on_no_agent[0]"),
        ["triggers[1].actions[0].on_no_agent[0] 41 SendMessage"]
    );

    let own_subtree = Place::Actions { sequence: Sequence::OnClose(NodeId(11)) };
    assert_eq!(move_node(&mut workflow, NodeId(11), own_subtree, 0), Err(EditError::IntoItself { node: NodeId(11) }));
    assert_eq!(
        move_node(&mut workflow, NodeId(20), own_subtree, 0),
        Err(EditError::NotAllowedHere { template: NodeTemplate::MessageReceived })
    );
    assert_eq!(
        move_node(&mut workflow, NodeId(12), Place::TopTriggers, 0),
        Err(EditError::NotAllowedHere { template: NodeTemplate::SendMessage })
    );
    assert_eq!(
        move_node(&mut workflow, NodeId(1), Place::NestedTriggers { action: NodeId(21) }, 0),
        Err(EditError::NotAllowedHere { template: NodeTemplate::ChatStarted })
    );
}

#[test]
fn move_to_offers_every_list_of_the_right_kind_outside_the_node_itself() {
    use handoff::edit::{destinations, places};
    let workflow = starter();
    let describe = |node: u32| -> Vec<String> {
        destinations(&workflow, NodeId(node))
            .expect("an existing node")
            .iter()
            .map(|place| format!("{place:?}"))
            .collect()
    };
    // Chat Started stays at the top level.
    assert_eq!(describe(1), ["TopTriggers"]);
    // An action may go to any action list except those inside itself.
    let handoff = 11;
    let action_lists = places(&workflow).into_iter().filter(|place| matches!(place, Place::Actions { .. })).count();
    let own_branches = describe(handoff).len();
    assert_eq!(own_branches, action_lists - 2, "all action lists but the handoff's two subtrees");
    assert!(!describe(handoff).iter().any(|place| place.contains("OnClose(NodeId(11))")));
    assert_eq!(destinations(&workflow, NodeId(999)), Err(EditError::NoSuchNode { node: NodeId(999) }));
}

#[test]
fn reply_triggers_go_only_where_the_runner_waits_for_a_reply() {
    let mut workflow = starter();
    // A Send Message waits for the answer; a Human Handoff never does.
    assert_eq!(allowed(&workflow, Place::NestedTriggers { action: NodeId(21) }).len(), 2);
    assert_eq!(allowed(&workflow, Place::NestedTriggers { action: NodeId(11) }), []);
    assert!(!handoff::edit::places(&workflow).contains(&Place::NestedTriggers { action: NodeId(11) }));
    assert_eq!(
        move_node(&mut workflow, NodeId(22), Place::NestedTriggers { action: NodeId(11) }, 0),
        Err(EditError::NotAllowedHere { template: NodeTemplate::MessageReceived })
    );
    // A workflow that has such triggers (from an older file) is told so.
    let mut workspace = starter_workspace();
    let question = handoff::edit::action_mut(&mut workspace.ai_agent.workflow, NodeId(21)).expect("the question");
    question.kind = handoff::workflow::ActionKind::CloseChat;
    let problems: Vec<_> =
        validate(&workspace).into_iter().filter(|problem| problem.node == Some(NodeId(21))).collect();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind, ProblemKind::RepliesNeverRead);
}

#[test]
fn a_new_node_never_takes_the_id_a_dangling_jump_points_at() {
    let mut workflow = starter();
    let target = insert(&mut workflow, Place::TopTriggers, 9, NodeTemplate::Fallback).err();
    assert!(target.is_some(), "the starter already has a top-level Fallback");
    let message =
        insert(&mut workflow, Place::Actions { sequence: Sequence::Trigger(NodeId(40)) }, 9, NodeTemplate::SendMessage)
            .expect("allowed");
    let jump = handoff::edit::action_mut(&mut workflow, NodeId(23)).expect("the Yes branch's jump");
    jump.kind = handoff::workflow::ActionKind::JumpTo { target: message };
    delete(&mut workflow, message).expect("deleted");
    let next =
        insert(&mut workflow, Place::Actions { sequence: Sequence::Trigger(NodeId(40)) }, 9, NodeTemplate::SendMessage)
            .expect("allowed");
    assert_ne!(next, message, "the jump keeps pointing at the deleted node, and validation says so");
}

#[test]
fn a_new_if_else_asks_about_the_ai_agents_default_language() {
    let mut workspace = starter_workspace();
    workspace.ai_agent.default_language = handoff::Language::new("fr");
    let place = Place::Actions { sequence: Sequence::Trigger(NodeId(40)) };
    let node = handoff::edit::insert_in(&mut workspace, place, 0, NodeTemplate::IfElse).expect("allowed");
    let condition = match &workspace.ai_agent.workflow.find_action(node).expect("added").kind {
        handoff::workflow::ActionKind::IfElse { condition, .. } => condition.clone(),
        other => panic!("an If/Else was added, not {other:?}"),
    };
    assert_eq!(condition, handoff::workflow::Condition::LanguageIs { language: handoff::Language::new("fr") });
    assert_eq!(handoff::edit::len(&workspace.ai_agent.workflow, place), 2);
    assert!(handoff::edit::is_fixed(&workspace.ai_agent.workflow, NodeId(1)), "Chat Started");
    assert!(!handoff::edit::is_fixed(&workspace.ai_agent.workflow, NodeId(40)), "Fallback");
}

/// Move up is offered on every node but the first of its siblings, Move down on every node but
/// the last.
#[test]
fn a_node_can_shift_up_unless_first_and_down_unless_last() {
    use handoff::NodeId;
    use handoff::edit::can_shift;
    let workflow = handoff::starter_workspace().ai_agent.workflow;
    // The top-level triggers: Chat Started (1) first, Fallback (40) last.
    assert_eq!(can_shift(&workflow, NodeId(1)), Some((false, true)));
    assert_eq!(can_shift(&workflow, NodeId(10)), Some((true, true)));
    assert_eq!(can_shift(&workflow, NodeId(40)), Some((true, false)));
    // The handoff is alone under its trigger.
    assert_eq!(can_shift(&workflow, NodeId(11)), Some((false, false)));
    assert_eq!(can_shift(&workflow, NodeId(999)), None);
}

/// Deleting the starter's Human Handoff takes its four actions and leaves the billing
/// question's Jump To pointing nowhere: the editor asks first. A lone message does not ask.
#[test]
fn a_deletion_says_what_goes_and_what_points_at_it() {
    use handoff::NodeId;
    use handoff::edit::{DeletionImpact, deletion_impact};
    let workflow = handoff::starter_workspace().ai_agent.workflow;
    let handoff = deletion_impact(&workflow, NodeId(11)).expect("the handoff exists");
    assert_eq!(handoff, DeletionImpact { nodes: 5, jumps_in: vec![NodeId(23)] });
    assert!(handoff.asks());
    // The whole "Talk to a human" trigger: the Jump To still points into it.
    assert_eq!(deletion_impact(&workflow, NodeId(10)), Some(DeletionImpact { nodes: 6, jumps_in: vec![NodeId(23)] }));
    // The billing trigger holds the Jump To itself: nothing outside points in, but six nodes go.
    let billing = deletion_impact(&workflow, NodeId(20)).expect("exists");
    assert_eq!((billing.nodes, billing.jumps_in.is_empty()), (6, true));
    let goodbye = deletion_impact(&workflow, NodeId(12)).expect("exists");
    assert_eq!(goodbye, DeletionImpact { nodes: 1, jumps_in: Vec::new() });
    assert!(!goodbye.asks());
    assert_eq!(deletion_impact(&workflow, NodeId(999)), None);
}

/// "Start from an empty workflow" keeps exactly the two triggers every workflow has, at their
/// fixed ids, and nothing the editor could delete or move away.
#[test]
fn an_empty_workflow_has_the_two_fixed_triggers_at_their_ids() {
    use handoff::workflow::{CHAT_CLOSED_ID, CHAT_STARTED_ID, TriggerKind};
    let empty = Workflow::with_fixed_triggers();
    let triggers: Vec<(NodeId, &TriggerKind, usize)> =
        empty.triggers.iter().map(|trigger| (trigger.id, &trigger.kind, trigger.actions.len())).collect();
    assert_eq!(
        triggers,
        [(CHAT_STARTED_ID, &TriggerKind::ChatStarted, 0), (CHAT_CLOSED_ID, &TriggerKind::ChatClosedByLiveAgent, 0)]
    );
    assert_eq!((CHAT_STARTED_ID, CHAT_CLOSED_ID), (NodeId(1), NodeId(2)));
    for trigger in &empty.triggers {
        assert!(handoff::edit::is_fixed(&empty, trigger.id), "{:?} is fixed", trigger.kind);
    }
    let mut workspace = starter_workspace();
    workspace.ai_agent.workflow = empty;
    assert_eq!(validate(&workspace), [], "an empty workflow is a valid one");
}
