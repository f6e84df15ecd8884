//! Editing the workflow tree: what may be added where, and the edits the editor offers (insert,
//! delete, duplicate, move). Each edit either changes the tree as asked or changes nothing and
//! says why, so the editor can offer exactly the valid edits and undo by keeping snapshots.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{Language, NodeId};
use crate::localized::{Localized, Phrases};
use crate::workflow::{
    Action, ActionKind, Assign, Condition, Feedback, Handoff, NodeRef, Sequence, Trigger, TriggerKind, VariableValue,
    Workflow, branches_mut, node_id,
};
use crate::workspace::Workspace;

/// A place in the tree that holds a list of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// The workflow's top-level triggers.
    TopTriggers,
    /// The triggers nested under an action: matched against the answer to what it asked.
    NestedTriggers { action: NodeId },
    /// A sequence of actions.
    Actions { sequence: Sequence },
}

/// A kind of node the editor can add, with sensible defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeTemplate {
    ChatStarted,
    ChatClosedByLiveAgent,
    MessageReceived,
    Fallback,
    SendMessage,
    SetChatVariable,
    IfElse,
    HumanHandoff,
    CollectFeedback,
    JumpTo,
    CloseChat,
}

const TRIGGERS: [NodeTemplate; 4] = [
    NodeTemplate::ChatStarted,
    NodeTemplate::ChatClosedByLiveAgent,
    NodeTemplate::MessageReceived,
    NodeTemplate::Fallback,
];
const ACTIONS: [NodeTemplate; 7] = [
    NodeTemplate::SendMessage,
    NodeTemplate::SetChatVariable,
    NodeTemplate::IfElse,
    NodeTemplate::HumanHandoff,
    NodeTemplate::CollectFeedback,
    NodeTemplate::JumpTo,
    NodeTemplate::CloseChat,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum EditError {
    NoSuchNode {
        node: NodeId,
    },
    NoSuchPlace,
    /// The template cannot go there (a trigger among actions, a second Fallback, …).
    NotAllowedHere {
        template: NodeTemplate,
    },
    /// Chat Started and Chat Closed by Live Agent are always present.
    FixedTrigger {
        node: NodeId,
    },
    /// A node cannot move into its own subtree.
    IntoItself {
        node: NodeId,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NoSuchNode { node } => write!(f, "there is no {node}"),
            EditError::NoSuchPlace => write!(f, "that place is not in the workflow"),
            EditError::NotAllowedHere { template } => write!(f, "a {template:?} cannot go there"),
            EditError::FixedTrigger { node } => {
                write!(f, "{node} is Chat Started or Chat Closed by Live Agent, which every workflow keeps")
            }
            EditError::IntoItself { node } => write!(f, "{node} cannot move inside itself"),
        }
    }
}

/// What may be added at a place, in menu order.
pub fn allowed(workflow: &Workflow, place: Place) -> Vec<NodeTemplate> {
    if !takes_replies(workflow, place) {
        return Vec::new();
    }
    let Some(list) = locate(workflow, place) else { return Vec::new() };
    match list {
        List::Triggers(triggers) => TRIGGERS
            .into_iter()
            .filter(|template| match template {
                NodeTemplate::ChatStarted | NodeTemplate::ChatClosedByLiveAgent => {
                    place == Place::TopTriggers
                        && !triggers.iter().any(|trigger| trigger.kind == trigger_kind(*template))
                }
                NodeTemplate::Fallback => !triggers.iter().any(|trigger| trigger.kind == TriggerKind::Fallback),
                _ => true,
            })
            .collect(),
        List::Actions(_) => ACTIONS.to_vec(),
    }
}

/// False for the nested triggers of an action after which the runner never waits for a reply.
fn takes_replies(workflow: &Workflow, place: Place) -> bool {
    match place {
        Place::NestedTriggers { action } => {
            workflow.find_action(action).is_some_and(|action| action.kind.takes_replies())
        }
        Place::TopTriggers | Place::Actions { .. } => true,
    }
}

/// An id above every node's and every Jump To's target, so that a Jump To left pointing at a
/// deleted node never silently follows a new node that reuses its id.
pub fn next_node_id(workflow: &Workflow) -> NodeId {
    let highest = workflow
        .entries()
        .iter()
        .flat_map(|entry| {
            let target = match entry.node {
                NodeRef::Action(Action { kind: ActionKind::JumpTo { target }, .. }) => Some(target.0),
                _ => None,
            };
            std::iter::once(node_id(entry.node).0).chain(target)
        })
        .max();
    NodeId(highest.map_or(1, |max| max + 1))
}

/// Adds a new node made from `template` at `index` of `place` (clamped to the end); returns its id.
pub fn insert(
    workflow: &mut Workflow,
    place: Place,
    index: usize,
    template: NodeTemplate,
) -> Result<NodeId, EditError> {
    if !allowed(workflow, place).contains(&template) {
        return match locate(workflow, place) {
            None => Err(EditError::NoSuchPlace),
            Some(_) => Err(EditError::NotAllowedHere { template }),
        };
    }
    let id = next_node_id(workflow);
    let node = make(template, id);
    put(workflow, place, index, node)?;
    Ok(id)
}

/// Removes a node and everything under it, returning it.
pub fn delete(workflow: &mut Workflow, node: NodeId) -> Result<Removed, EditError> {
    let (place, index) = place_of(workflow, node)?;
    if is_fixed(workflow, node) {
        return Err(EditError::FixedTrigger { node });
    }
    Ok(take(workflow, place, index))
}

/// Whether the node is Chat Started or Chat Closed by Live Agent at the top level, which every
/// workflow keeps: they cannot be deleted or duplicated, only reordered.
pub fn is_fixed(workflow: &Workflow, node: NodeId) -> bool {
    workflow.triggers.iter().any(|trigger| {
        trigger.id == node && matches!(trigger.kind, TriggerKind::ChatStarted | TriggerKind::ChatClosedByLiveAgent)
    })
}

/// How many nodes the list at `place` holds; 0 for a place not in the workflow.
pub fn len(workflow: &Workflow, place: Place) -> usize {
    match locate(workflow, place) {
        Some(List::Triggers(triggers)) => triggers.len(),
        Some(List::Actions(actions)) => actions.len(),
        None => 0,
    }
}

/// Inserts like `insert`, with the defaults that depend on the rest of the workspace: a new
/// If/Else asks about the AI agent's default language, and a new action's texts are that
/// language's.
pub fn insert_in(
    workspace: &mut Workspace,
    place: Place,
    index: usize,
    template: NodeTemplate,
) -> Result<NodeId, EditError> {
    let node = insert(&mut workspace.ai_agent.workflow, place, index, template)?;
    let default_language = workspace.ai_agent.default_language.clone();
    let english = Language::new("en");
    let into_default =
        |text: &mut Localized| *text = Localized::one(&default_language, text.text_in(&english, &english));
    match action_mut(&mut workspace.ai_agent.workflow, node).map(|action| &mut action.kind) {
        Some(ActionKind::IfElse { condition, .. }) => {
            *condition = Condition::LanguageIs { language: default_language.clone() }
        }
        Some(ActionKind::SendMessage { text, .. }) => into_default(text),
        Some(ActionKind::HumanHandoff(handoff)) => into_default(&mut handoff.message),
        Some(ActionKind::CollectFeedback(feedback)) => {
            for text in [&mut feedback.title, &mut feedback.request, &mut feedback.thank_you] {
                into_default(text);
            }
        }
        _ => {}
    }
    Ok(node)
}

/// Copies a node and its subtree right after it, with fresh ids; returns the copy's id.
pub fn duplicate(workflow: &mut Workflow, node: NodeId) -> Result<NodeId, EditError> {
    let (place, index) = place_of(workflow, node)?;
    let mut copy = peek(workflow, place, index);
    if let Removed::Trigger(trigger) = &copy {
        let template = template_of(&trigger.kind);
        if !allowed(workflow, place).contains(&template) {
            return Err(EditError::NotAllowedHere { template });
        }
    }
    let mut next = next_node_id(workflow).0;
    renumber(&mut copy, &mut next);
    let id = copy.id();
    put(workflow, place, index + 1, copy)?;
    Ok(id)
}

/// Moves a node (with its subtree) to `index` of `place`, as counted before the move.
pub fn move_node(workflow: &mut Workflow, node: NodeId, place: Place, index: usize) -> Result<(), EditError> {
    let (from, from_index) = place_of(workflow, node)?;
    let moving = peek(workflow, from, from_index);
    check_move(workflow, moving.as_node_ref(), from, &moving.subtree_ids(), place)?;
    let taken = take(workflow, from, from_index);
    let index = if from == place && from_index < index { index - 1 } else { index };
    put(workflow, place, index, taken)
}

/// Every place `node` could move to, in tree order: what the editor offers under "Move to".
/// Its own place is included (reordering within it is a move too).
pub fn destinations(workflow: &Workflow, node: NodeId) -> Result<Vec<Place>, EditError> {
    let (from, from_index) = place_of(workflow, node)?;
    let moving = match locate(workflow, from).expect("the place of an existing node") {
        List::Triggers(triggers) => NodeRef::Trigger(&triggers[from_index]),
        List::Actions(actions) => NodeRef::Action(&actions[from_index]),
    };
    let inside = match moving {
        NodeRef::Trigger(trigger) => Removed::Trigger(trigger.clone()).subtree_ids(),
        NodeRef::Action(action) => Removed::Action(action.clone()).subtree_ids(),
    };
    Ok(places(workflow)
        .into_iter()
        .filter(|&place| check_move(workflow, moving, from, &inside, place).is_ok())
        .collect())
}

/// Every place of the tree that holds a list of nodes, parents before children: the top level,
/// each trigger's actions, each action's branches and its nested triggers.
pub fn places(workflow: &Workflow) -> Vec<Place> {
    let mut out = vec![Place::TopTriggers];
    for entry in workflow.entries() {
        match entry.node {
            NodeRef::Trigger(trigger) => out.push(Place::Actions { sequence: Sequence::Trigger(trigger.id) }),
            NodeRef::Action(action) => {
                let id = action.id;
                let branches: &[Sequence] = match action.kind {
                    ActionKind::IfElse { .. } => &[Sequence::Then(id), Sequence::Else(id)],
                    ActionKind::HumanHandoff(_) => &[Sequence::OnClose(id), Sequence::OnNoAgent(id)],
                    _ => &[],
                };
                out.extend(branches.iter().map(|&sequence| Place::Actions { sequence }));
                if action.kind.takes_replies() {
                    out.push(Place::NestedTriggers { action: id });
                }
            }
        }
    }
    out
}

/// Whether `moving` (which sits at `from`, with the ids `inside` its subtree) may move to `place`.
fn check_move(
    workflow: &Workflow,
    moving: NodeRef<'_>,
    from: Place,
    inside: &[NodeId],
    place: Place,
) -> Result<(), EditError> {
    let owner = match place {
        Place::TopTriggers => None,
        Place::NestedTriggers { action } => Some(action),
        Place::Actions { sequence } => Some(sequence_owner(sequence)),
    };
    if owner.is_some_and(|owner| inside.contains(&owner)) {
        return Err(EditError::IntoItself { node: node_id(moving) });
    }
    let target = locate(workflow, place).ok_or(EditError::NoSuchPlace)?;
    let fits = takes_replies(workflow, place)
        && match (moving, &target) {
            (NodeRef::Action(_), List::Actions(_)) => true,
            (NodeRef::Trigger(trigger), List::Triggers(triggers)) => match trigger.kind {
                TriggerKind::ChatStarted | TriggerKind::ChatClosedByLiveAgent => {
                    place == Place::TopTriggers && from == place
                }
                TriggerKind::Fallback => from == place || !triggers.iter().any(|t| t.kind == TriggerKind::Fallback),
                TriggerKind::MessageReceived { .. } => true,
            },
            (NodeRef::Trigger(_), List::Actions(_)) | (NodeRef::Action(_), List::Triggers(_)) => false,
        };
    if fits { Ok(()) } else { Err(EditError::NotAllowedHere { template: moving.template() }) }
}

/// The action with this id, to change its settings.
pub fn action_mut(workflow: &mut Workflow, id: NodeId) -> Option<&mut Action> {
    find_action_mut(&mut workflow.triggers, id)
}

/// The trigger with this id, to change its settings.
pub fn trigger_mut(workflow: &mut Workflow, id: NodeId) -> Option<&mut Trigger> {
    find_trigger_mut(&mut workflow.triggers, id)
}

/// A node taken out of the tree, with its subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    Trigger(Trigger),
    Action(Action),
}

impl Removed {
    pub fn id(&self) -> NodeId {
        match self {
            Removed::Trigger(trigger) => trigger.id,
            Removed::Action(action) => action.id,
        }
    }

    fn template(&self) -> NodeTemplate {
        self.as_node_ref().template()
    }

    fn as_node_ref(&self) -> NodeRef<'_> {
        match self {
            Removed::Trigger(trigger) => NodeRef::Trigger(trigger),
            Removed::Action(action) => NodeRef::Action(action),
        }
    }

    fn subtree_ids(&self) -> Vec<NodeId> {
        fn of_trigger(trigger: &Trigger, ids: &mut Vec<NodeId>) {
            ids.push(trigger.id);
            trigger.actions.iter().for_each(|action| of_action(action, ids));
        }
        fn of_action(action: &Action, ids: &mut Vec<NodeId>) {
            ids.push(action.id);
            crate::workflow::children(action).into_iter().flatten().for_each(|child| of_action(child, ids));
            action.triggers.iter().for_each(|trigger| of_trigger(trigger, ids));
        }
        let mut ids = Vec::new();
        match self {
            Removed::Trigger(trigger) => of_trigger(trigger, &mut ids),
            Removed::Action(action) => of_action(action, &mut ids),
        }
        ids
    }
}

enum List<'a> {
    Triggers(&'a [Trigger]),
    Actions(&'a [Action]),
}

fn locate(workflow: &Workflow, place: Place) -> Option<List<'_>> {
    match place {
        Place::TopTriggers => Some(List::Triggers(&workflow.triggers)),
        Place::NestedTriggers { action } => workflow.find_action(action).map(|action| List::Triggers(&action.triggers)),
        Place::Actions { sequence } => sequence_of(workflow, sequence).map(|actions| List::Actions(actions)),
    }
}

fn sequence_of(workflow: &Workflow, sequence: Sequence) -> Option<&Vec<Action>> {
    match sequence {
        Sequence::Trigger(id) => workflow.find_trigger(id).map(|trigger| &trigger.actions),
        Sequence::Then(id) | Sequence::Else(id) | Sequence::OnClose(id) | Sequence::OnNoAgent(id) => {
            workflow.find_action(id)?.kind.branch(sequence)
        }
    }
}

fn sequence_owner(sequence: Sequence) -> NodeId {
    match sequence {
        Sequence::Trigger(id)
        | Sequence::Then(id)
        | Sequence::Else(id)
        | Sequence::OnClose(id)
        | Sequence::OnNoAgent(id) => id,
    }
}

/// Calls `change` on the list at `place`; the lists are found by walking the tree mutably.
fn with_list<R>(workflow: &mut Workflow, place: Place, change: impl FnOnce(ListMut<'_>) -> R) -> Option<R> {
    match place {
        Place::TopTriggers => Some(change(ListMut::Triggers(&mut workflow.triggers))),
        Place::NestedTriggers { action } => find_action_mut(&mut workflow.triggers, action)
            .map(|action| change(ListMut::Triggers(&mut action.triggers))),
        Place::Actions { sequence: Sequence::Trigger(id) } => {
            find_trigger_mut(&mut workflow.triggers, id).map(|trigger| change(ListMut::Actions(&mut trigger.actions)))
        }
        Place::Actions { sequence } => {
            let action = find_action_mut(&mut workflow.triggers, sequence_owner(sequence))?;
            let list = action.kind.branch_mut(sequence)?;
            Some(change(ListMut::Actions(list)))
        }
    }
}

enum ListMut<'a> {
    Triggers(&'a mut Vec<Trigger>),
    Actions(&'a mut Vec<Action>),
}

fn find_trigger_mut(triggers: &mut [Trigger], id: NodeId) -> Option<&mut Trigger> {
    for trigger in triggers {
        if trigger.id == id {
            return Some(trigger);
        }
        if let Some(found) = find_trigger_in_actions(&mut trigger.actions, id) {
            return Some(found);
        }
    }
    None
}

fn find_trigger_in_actions(actions: &mut [Action], id: NodeId) -> Option<&mut Trigger> {
    for action in actions {
        if let Some(found) = find_trigger_mut(&mut action.triggers, id) {
            return Some(found);
        }
        for list in branches_mut(&mut action.kind).into_iter().flatten() {
            if let Some(found) = find_trigger_in_actions(list, id) {
                return Some(found);
            }
        }
    }
    None
}

fn find_action_mut(triggers: &mut [Trigger], id: NodeId) -> Option<&mut Action> {
    triggers.iter_mut().find_map(|trigger| find_action_in(&mut trigger.actions, id))
}

fn find_action_in(actions: &mut [Action], id: NodeId) -> Option<&mut Action> {
    for action in actions {
        if action.id == id {
            return Some(action);
        }
        if let Some(found) = find_action_mut(&mut action.triggers, id) {
            return Some(found);
        }
        for list in branches_mut(&mut action.kind).into_iter().flatten() {
            if let Some(found) = find_action_in(list, id) {
                return Some(found);
            }
        }
    }
    None
}

/// Where a node sits: the list that holds it and its index there.
pub fn place_of(workflow: &Workflow, node: NodeId) -> Result<(Place, usize), EditError> {
    let entry = workflow
        .entries()
        .into_iter()
        .find(|entry| node_id(entry.node) == node)
        .ok_or(EditError::NoSuchNode { node })?;
    Ok(match entry.slot {
        crate::workflow::Slot::TopTrigger(index) => (Place::TopTriggers, index),
        crate::workflow::Slot::NestedTrigger { parent, index } => (Place::NestedTriggers { action: parent }, index),
        crate::workflow::Slot::Action { sequence, index } => (Place::Actions { sequence }, index),
    })
}

/// What deleting a node takes with it: how many nodes go (the node and everything under it),
/// and the Jump Tos outside it that point at one of them, left pointing nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionImpact {
    pub nodes: usize,
    pub jumps_in: Vec<NodeId>,
}

impl DeletionImpact {
    /// Whether the editor asks before deleting: more than the node alone goes, or something
    /// points at what goes. A single unreferenced node is deleted at once (undo brings it back).
    pub fn asks(&self) -> bool {
        self.nodes > 1 || !self.jumps_in.is_empty()
    }
}

/// `None` for a node the workflow does not have.
pub fn deletion_impact(workflow: &Workflow, node: NodeId) -> Option<DeletionImpact> {
    let (place, index) = place_of(workflow, node).ok()?;
    let going = peek(workflow, place, index).subtree_ids();
    let jumps_in = workflow
        .entries()
        .into_iter()
        .filter_map(|entry| match entry.node {
            NodeRef::Action(Action { id, kind: ActionKind::JumpTo { target }, .. })
                if going.contains(target) && !going.contains(id) =>
            {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    Some(DeletionImpact { nodes: going.len(), jumps_in })
}

/// Whether the node has a sibling before it and one after it: whether Move up and Move down
/// can do anything. `None` for a node the workflow does not have.
pub fn can_shift(workflow: &Workflow, node: NodeId) -> Option<(bool, bool)> {
    let (place, index) = place_of(workflow, node).ok()?;
    Some((index > 0, index + 1 < len(workflow, place)))
}

fn peek(workflow: &Workflow, place: Place, index: usize) -> Removed {
    match locate(workflow, place).expect("the place of an existing node") {
        List::Triggers(triggers) => Removed::Trigger(triggers[index].clone()),
        List::Actions(actions) => Removed::Action(actions[index].clone()),
    }
}

fn take(workflow: &mut Workflow, place: Place, index: usize) -> Removed {
    with_list(workflow, place, |list| match list {
        ListMut::Triggers(triggers) => Removed::Trigger(triggers.remove(index)),
        ListMut::Actions(actions) => Removed::Action(actions.remove(index)),
    })
    .expect("the place of an existing node")
}

fn put(workflow: &mut Workflow, place: Place, index: usize, node: Removed) -> Result<(), EditError> {
    with_list(workflow, place, |list| match (list, node) {
        (ListMut::Triggers(triggers), Removed::Trigger(trigger)) => {
            triggers.insert(index.min(triggers.len()), trigger);
            Ok(())
        }
        (ListMut::Actions(actions), Removed::Action(action)) => {
            actions.insert(index.min(actions.len()), action);
            Ok(())
        }
        (_, node) => Err(EditError::NotAllowedHere { template: node.template() }),
    })
    .unwrap_or(Err(EditError::NoSuchPlace))
}

/// Gives every node of the subtree a fresh id, counting up from `next`, and points Jump Tos
/// inside the subtree at the copies.
fn renumber(node: &mut Removed, next: &mut u32) {
    let mut map = Vec::new();
    match node {
        Removed::Trigger(trigger) => renumber_trigger(trigger, next, &mut map),
        Removed::Action(action) => renumber_action(action, next, &mut map),
    }
    for (old, new) in map {
        match node {
            Removed::Trigger(trigger) => retarget_triggers(std::slice::from_mut(trigger), old, new),
            Removed::Action(action) => retarget_actions(std::slice::from_mut(action), old, new),
        }
    }
}

fn fresh(id: &mut NodeId, next: &mut u32, map: &mut Vec<(NodeId, NodeId)>) {
    let new = NodeId(*next);
    *next += 1;
    map.push((*id, new));
    *id = new;
}

fn renumber_trigger(trigger: &mut Trigger, next: &mut u32, map: &mut Vec<(NodeId, NodeId)>) {
    fresh(&mut trigger.id, next, map);
    for action in &mut trigger.actions {
        renumber_action(action, next, map);
    }
}

fn renumber_action(action: &mut Action, next: &mut u32, map: &mut Vec<(NodeId, NodeId)>) {
    fresh(&mut action.id, next, map);
    for list in branches_mut(&mut action.kind).into_iter().flatten() {
        for child in list {
            renumber_action(child, next, map);
        }
    }
    for trigger in &mut action.triggers {
        renumber_trigger(trigger, next, map);
    }
}

fn retarget_triggers(triggers: &mut [Trigger], old: NodeId, new: NodeId) {
    for trigger in triggers {
        retarget_actions(&mut trigger.actions, old, new);
    }
}

fn retarget_actions(actions: &mut [Action], old: NodeId, new: NodeId) {
    for action in actions {
        if let ActionKind::JumpTo { target } = &mut action.kind
            && *target == old
        {
            *target = new;
        }
        retarget_triggers(&mut action.triggers, old, new);
        for list in branches_mut(&mut action.kind).into_iter().flatten() {
            retarget_actions(list, old, new);
        }
    }
}

fn trigger_kind(template: NodeTemplate) -> TriggerKind {
    match template {
        NodeTemplate::ChatStarted => TriggerKind::ChatStarted,
        NodeTemplate::ChatClosedByLiveAgent => TriggerKind::ChatClosedByLiveAgent,
        NodeTemplate::Fallback => TriggerKind::Fallback,
        _ => TriggerKind::MessageReceived {
            intent: "New intent".to_owned(),
            training_phrases: Phrases::new(),
            excluded_phrases: Phrases::new(),
        },
    }
}

fn template_of(kind: &TriggerKind) -> NodeTemplate {
    match kind {
        TriggerKind::ChatStarted => NodeTemplate::ChatStarted,
        TriggerKind::ChatClosedByLiveAgent => NodeTemplate::ChatClosedByLiveAgent,
        TriggerKind::MessageReceived { .. } => NodeTemplate::MessageReceived,
        TriggerKind::Fallback => NodeTemplate::Fallback,
    }
}

impl ActionKind {
    /// The template an action of this kind is made from: its kind without its settings.
    pub fn template(&self) -> NodeTemplate {
        match self {
            ActionKind::SendMessage { .. } => NodeTemplate::SendMessage,
            ActionKind::SetChatVariable { .. } => NodeTemplate::SetChatVariable,
            ActionKind::IfElse { .. } => NodeTemplate::IfElse,
            ActionKind::HumanHandoff(_) => NodeTemplate::HumanHandoff,
            ActionKind::CollectFeedback(_) => NodeTemplate::CollectFeedback,
            ActionKind::JumpTo { .. } => NodeTemplate::JumpTo,
            ActionKind::CloseChat => NodeTemplate::CloseChat,
        }
    }
}

/// A new node's text: English, which `insert_in` moves to the AI agent's default language.
fn english(text: &str) -> Localized {
    Localized::one(&Language::new("en"), text)
}

/// A new node with the defaults an admin would start from.
fn make(template: NodeTemplate, id: NodeId) -> Removed {
    let action = |kind| Removed::Action(Action { id, label: None, enabled: true, kind, triggers: Vec::new() });
    match template {
        NodeTemplate::ChatStarted
        | NodeTemplate::ChatClosedByLiveAgent
        | NodeTemplate::MessageReceived
        | NodeTemplate::Fallback => Removed::Trigger(Trigger { id, kind: trigger_kind(template), actions: Vec::new() }),
        NodeTemplate::SendMessage => {
            action(ActionKind::SendMessage { text: english("New message"), buttons: Vec::new() })
        }
        NodeTemplate::SetChatVariable => action(ActionKind::SetChatVariable {
            name: "variable".to_owned(),
            value: VariableValue::Text { text: String::new() },
        }),
        NodeTemplate::IfElse => action(ActionKind::IfElse {
            condition: Condition::LanguageIs { language: Language::new("en") },
            then: Vec::new(),
            otherwise: Vec::new(),
        }),
        NodeTemplate::HumanHandoff => action(ActionKind::HumanHandoff(Handoff {
            availability_check: true,
            assign: Assign::AllUsers,
            message: english("Connecting you to a live agent…"),
            on_close: Vec::new(),
            on_no_agent: Vec::new(),
        })),
        NodeTemplate::CollectFeedback => action(ActionKind::CollectFeedback(Feedback {
            title: english("How did we do?"),
            request: english("Please rate this conversation."),
            thank_you: english("Thank you for your feedback!"),
            variable: None,
            comment: true,
        })),
        NodeTemplate::JumpTo => action(ActionKind::JumpTo { target: NodeId(0) }),
        NodeTemplate::CloseChat => action(ActionKind::CloseChat),
    }
}

impl NodeRef<'_> {
    /// The template a node of this kind is made from.
    pub fn template(&self) -> NodeTemplate {
        match self {
            NodeRef::Trigger(trigger) => template_of(&trigger.kind),
            NodeRef::Action(action) => action.kind.template(),
        }
    }
}
