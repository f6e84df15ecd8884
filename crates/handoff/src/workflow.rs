//! The workflow tree: triggers with the actions they run, actions with the triggers nested under
//! them, and the Human Handoff action's settings and subtrees.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, Language, NodeId, TeamId};
pub use crate::localized::{Localized, Phrases};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workflow {
    /// The top level: Chat Started and Chat Closed by Live Agent always, Message Received and Fallback as the admin adds them.
    pub triggers: Vec<Trigger>,
}

/// The id of Chat Started in a workflow started empty (`Workflow::with_fixed_triggers`).
pub const CHAT_STARTED_ID: NodeId = NodeId(1);
/// The id of Chat Closed by Live Agent in a workflow started empty.
pub const CHAT_CLOSED_ID: NodeId = NodeId(2);

impl Workflow {
    /// A workflow with only the two triggers every workflow keeps, Chat Started and Chat Closed
    /// by Live Agent, with no actions: what "start from an empty workflow" gives.
    pub fn with_fixed_triggers() -> Workflow {
        let trigger = |id, kind| Trigger { id, kind, actions: Vec::new() };
        Workflow {
            triggers: vec![
                trigger(CHAT_STARTED_ID, TriggerKind::ChatStarted),
                trigger(CHAT_CLOSED_ID, TriggerKind::ChatClosedByLiveAgent),
            ],
        }
    }
}

/// Something the customer (or the hand-back) does that starts a run of actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub id: NodeId,
    pub kind: TriggerKind,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerKind {
    ChatStarted,
    ChatClosedByLiveAgent,
    /// Matches when the message contains a training phrase and no excluded phrase, ignoring case and accents.
    /// The phrases are kept per language.
    MessageReceived {
        intent: String,
        training_phrases: Phrases,
        excluded_phrases: Phrases,
    },
    /// Fires when no other trigger at the level being matched does.
    Fallback,
}

/// One step of a run. Triggers nested under an action are matched against the customer's next
/// message before the top level is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: NodeId,
    /// The name the admin gave it in the editor; the tree shows the kind of action without one.
    pub label: Option<String>,
    pub enabled: bool,
    pub kind: ActionKind,
    pub triggers: Vec<Trigger>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    SendMessage {
        text: Localized,
        /// Quick-reply buttons, each with its words per language.
        buttons: Vec<Localized>,
    },
    SetChatVariable {
        name: String,
        value: VariableValue,
    },
    IfElse {
        condition: Condition,
        then: Vec<Action>,
        otherwise: Vec<Action>,
    },
    HumanHandoff(Handoff),
    CollectFeedback(Feedback),
    /// Continues at another trigger (its actions) or action (it and what follows it).
    JumpTo {
        target: NodeId,
    },
    /// Ends the AI session: variables expire and the next message starts at the top level.
    CloseChat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableValue {
    Text {
        text: String,
    },
    /// The customer's next message; the flow waits for it.
    NextReply,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    VariableEquals {
        name: String,
        value: String,
    },
    VariableIsSet {
        name: String,
    },
    LanguageIs {
        language: Language,
    },
    /// Whether any agent these targets make eligible is signed in and Online.
    LiveAgentOnline {
        assign: Assign,
    },
}

/// The Human Handoff action: its settings and its two subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    /// On: the chat may only go to an eligible agent who is Online; with nobody Online the
    /// "When no live agent is available" subtree runs instead.
    pub availability_check: bool,
    pub assign: Assign,
    /// Sent to the customer when the chat is handed off, e.g. "Connecting you to a live agent…";
    /// none when it has no text in any language.
    pub message: Localized,
    /// "When live agent closes chat": runs after the Chat Closed by Live Agent trigger's actions.
    pub on_close: Vec<Action>,
    /// "When no live agent is available" (our extension).
    pub on_no_agent: Vec<Action>,
}

/// Who may get a handed-off chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assign {
    /// Every live agent of the teamspace.
    AllUsers,
    /// Only the listed agents and the members of the listed teams, optionally per language.
    SpecificUsersOrTeams {
        targets: Targets,
        /// `None` when "Assign by language" is off.
        by_language: Option<BTreeMap<Language, LanguageTargets>>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub agents: Vec<AgentId>,
    pub teams: Vec<TeamId>,
}

impl Targets {
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.teams.is_empty()
    }

    /// Whether these targets make the agent eligible: listed, or a member of a listed team.
    pub fn admits(&self, agent: &crate::workspace::LiveAgent) -> bool {
        self.agents.contains(&agent.id) || agent.teams.iter().any(|team| self.teams.contains(team))
    }
}

impl Assign {
    /// The list a chat in `language` goes to: the language's own list, else the default one;
    /// `None` for all users in the teamspace.
    pub fn targets_for(&self, language: &Language) -> Option<&Targets> {
        match self {
            Assign::AllUsers => None,
            Assign::SpecificUsersOrTeams { targets, by_language } => {
                match by_language.as_ref().and_then(|rows| rows.get(language)) {
                    Some(LanguageTargets::Own(own)) => Some(own),
                    Some(LanguageTargets::Default) | None => Some(targets),
                }
            }
        }
    }
}

/// One language's row under "Assign by language".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageTargets {
    /// "Use default": the handoff's own list.
    Default,
    Own(Targets),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Shown above the 1–5 rating buttons.
    pub title: Localized,
    pub request: Localized,
    pub thank_you: Localized,
    /// Stores the rating (as text) in this chat variable.
    pub variable: Option<String>,
    /// After the rating, the customer may add a comment (optional for them).
    pub comment: bool,
}

/// Where a node sits: the sequence that holds it and its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A top-level trigger.
    TopTrigger(usize),
    /// A trigger nested under action `parent`.
    NestedTrigger { parent: NodeId, index: usize },
    /// An action in a sequence; `sequence` names the sequence.
    Action { sequence: Sequence, index: usize },
}

/// A sequence of actions in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "of", content = "node", rename_all = "snake_case")]
pub enum Sequence {
    /// The actions a trigger runs.
    Trigger(NodeId),
    Then(NodeId),
    Else(NodeId),
    OnClose(NodeId),
    OnNoAgent(NodeId),
}

/// A node of either kind, borrowed from the tree.
#[derive(Debug, Clone, Copy)]
pub enum NodeRef<'a> {
    Trigger(&'a Trigger),
    Action(&'a Action),
}

impl Workflow {
    /// Every node with where it sits and its JSON path in the workflow (such as
    /// `triggers[1].actions[0].on_close[2]`), parents before children.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out = Vec::new();
        for (index, trigger) in self.triggers.iter().enumerate() {
            visit_trigger(trigger, Slot::TopTrigger(index), format!("triggers[{index}]"), &mut out);
        }
        out
    }

    pub fn find_trigger(&self, id: NodeId) -> Option<&Trigger> {
        match find_node(&self.triggers, id)? {
            NodeRef::Trigger(trigger) => Some(trigger),
            NodeRef::Action(_) => None,
        }
    }

    pub fn find_action(&self, id: NodeId) -> Option<&Action> {
        match find_node(&self.triggers, id)? {
            NodeRef::Action(action) => Some(action),
            NodeRef::Trigger(_) => None,
        }
    }

    /// The top-level trigger of this kind, if the workflow has one.
    pub fn top_trigger(&self, matches: impl Fn(&TriggerKind) -> bool) -> Option<&Trigger> {
        self.triggers.iter().find(|trigger| matches(&trigger.kind))
    }
}

impl ActionKind {
    /// Who the action lists: a Human Handoff's targets, or an "is a live agent online" condition's.
    pub fn assign(&self) -> Option<&Assign> {
        match self {
            ActionKind::HumanHandoff(handoff) => Some(&handoff.assign),
            ActionKind::IfElse { condition: Condition::LiveAgentOnline { assign }, .. } => Some(assign),
            _ => None,
        }
    }

    pub fn assign_mut(&mut self) -> Option<&mut Assign> {
        match self {
            ActionKind::HumanHandoff(handoff) => Some(&mut handoff.assign),
            ActionKind::IfElse { condition: Condition::LiveAgentOnline { assign }, .. } => Some(assign),
            _ => None,
        }
    }

    /// Whether the runner waits for the customer after this action and matches the answer
    /// against the action's nested triggers: a Send Message, or a Set Chat Variable with a fixed
    /// value. Every other action moves on, waits for something else or ends the run first.
    pub fn takes_replies(&self) -> bool {
        matches!(
            self,
            ActionKind::SendMessage { .. } | ActionKind::SetChatVariable { value: VariableValue::Text { .. }, .. }
        )
    }

    /// The branch `sequence` names inside this action (an If/Else branch, a handoff subtree);
    /// `None` for a trigger's actions or a branch this kind of action does not have.
    pub fn branch(&self, sequence: Sequence) -> Option<&Vec<Action>> {
        match (self, sequence) {
            (ActionKind::IfElse { then, .. }, Sequence::Then(_)) => Some(then),
            (ActionKind::IfElse { otherwise, .. }, Sequence::Else(_)) => Some(otherwise),
            (ActionKind::HumanHandoff(handoff), Sequence::OnClose(_)) => Some(&handoff.on_close),
            (ActionKind::HumanHandoff(handoff), Sequence::OnNoAgent(_)) => Some(&handoff.on_no_agent),
            _ => None,
        }
    }

    pub fn branch_mut(&mut self, sequence: Sequence) -> Option<&mut Vec<Action>> {
        match (self, sequence) {
            (ActionKind::IfElse { then, .. }, Sequence::Then(_)) => Some(then),
            (ActionKind::IfElse { otherwise, .. }, Sequence::Else(_)) => Some(otherwise),
            (ActionKind::HumanHandoff(handoff), Sequence::OnClose(_)) => Some(&mut handoff.on_close),
            (ActionKind::HumanHandoff(handoff), Sequence::OnNoAgent(_)) => Some(&mut handoff.on_no_agent),
            _ => None,
        }
    }
}

/// The node with this id, searched depth first without allocating: the editor looks nodes up
/// on every edit.
fn find_node(triggers: &[Trigger], id: NodeId) -> Option<NodeRef<'_>> {
    fn in_actions(actions: &[Action], id: NodeId) -> Option<NodeRef<'_>> {
        actions.iter().find_map(|action| {
            if action.id == id {
                return Some(NodeRef::Action(action));
            }
            let branches: [&[Action]; 2] = match &action.kind {
                ActionKind::IfElse { then, otherwise, .. } => [then, otherwise],
                ActionKind::HumanHandoff(handoff) => [&handoff.on_close, &handoff.on_no_agent],
                _ => [&[], &[]],
            };
            branches.into_iter().find_map(|list| in_actions(list, id)).or_else(|| find_node(&action.triggers, id))
        })
    }
    triggers.iter().find_map(|trigger| {
        if trigger.id == id { Some(NodeRef::Trigger(trigger)) } else { in_actions(&trigger.actions, id) }
    })
}

/// Calls `change` on every action under `triggers`, at any depth, parents before children.
pub fn for_each_action_mut(triggers: &mut [Trigger], change: &mut impl FnMut(&mut Action)) {
    fn in_actions(actions: &mut [Action], change: &mut impl FnMut(&mut Action)) {
        for action in actions {
            change(action);
            if let Some(branches) = branches_mut(&mut action.kind) {
                for branch in branches {
                    in_actions(branch, change);
                }
            }
            for_each_action_mut(&mut action.triggers, change);
        }
    }
    for trigger in triggers {
        in_actions(&mut trigger.actions, change);
    }
}

/// An action's branches (If/Else's Then and Else, a handoff's two subtrees), for changing them.
pub fn branches_mut(kind: &mut ActionKind) -> Option<[&mut Vec<Action>; 2]> {
    match kind {
        ActionKind::IfElse { then, otherwise, .. } => Some([then, otherwise]),
        ActionKind::HumanHandoff(handoff) => Some([&mut handoff.on_close, &mut handoff.on_no_agent]),
        _ => None,
    }
}

/// The action sequences directly inside an action (If/Else branches, handoff subtrees).
pub fn children(action: &Action) -> Vec<&[Action]> {
    match &action.kind {
        ActionKind::IfElse { then, otherwise, .. } => vec![then, otherwise],
        ActionKind::HumanHandoff(handoff) => vec![&handoff.on_close, &handoff.on_no_agent],
        _ => Vec::new(),
    }
}

/// A node of the tree with where it sits and its JSON path.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub node: NodeRef<'a>,
    pub slot: Slot,
    pub path: String,
}

fn visit_trigger<'a>(trigger: &'a Trigger, slot: Slot, path: String, out: &mut Vec<Entry<'a>>) {
    let actions = format!("{path}.actions");
    out.push(Entry { node: NodeRef::Trigger(trigger), slot, path });
    visit_actions(&trigger.actions, Sequence::Trigger(trigger.id), &actions, out);
}

fn visit_actions<'a>(actions: &'a [Action], sequence: Sequence, base: &str, out: &mut Vec<Entry<'a>>) {
    for (index, action) in actions.iter().enumerate() {
        let path = format!("{base}[{index}]");
        out.push(Entry { node: NodeRef::Action(action), slot: Slot::Action { sequence, index }, path: path.clone() });
        match &action.kind {
            ActionKind::IfElse { then, otherwise, .. } => {
                visit_actions(then, Sequence::Then(action.id), &format!("{path}.then"), out);
                visit_actions(otherwise, Sequence::Else(action.id), &format!("{path}.else"), out);
            }
            ActionKind::HumanHandoff(handoff) => {
                visit_actions(&handoff.on_close, Sequence::OnClose(action.id), &format!("{path}.on_close"), out);
                visit_actions(
                    &handoff.on_no_agent,
                    Sequence::OnNoAgent(action.id),
                    &format!("{path}.on_no_agent"),
                    out,
                );
            }
            _ => {}
        }
        for (nested, trigger) in action.triggers.iter().enumerate() {
            let slot = Slot::NestedTrigger { parent: action.id, index: nested };
            visit_trigger(trigger, slot, format!("{path}.triggers[{nested}]"), out);
        }
    }
}

/// The workflow with every node's place indexed, for the runner's lookups.
#[derive(Debug, Clone)]
pub struct IndexedWorkflow {
    pub workflow: Workflow,
    slots: std::collections::HashMap<NodeId, Slot>,
}

impl IndexedWorkflow {
    pub fn new(workflow: Workflow) -> IndexedWorkflow {
        let slots = workflow.entries().into_iter().map(|entry| (node_id(entry.node), entry.slot)).collect();
        IndexedWorkflow { workflow, slots }
    }

    pub fn slot(&self, id: NodeId) -> Option<Slot> {
        self.slots.get(&id).copied()
    }

    pub fn trigger(&self, id: NodeId) -> Option<&Trigger> {
        match self.slot(id)? {
            Slot::TopTrigger(index) => self.workflow.triggers.get(index),
            Slot::NestedTrigger { parent, index } => self.action(parent)?.triggers.get(index),
            Slot::Action { .. } => None,
        }
    }

    pub fn action(&self, id: NodeId) -> Option<&Action> {
        match self.slot(id)? {
            Slot::Action { sequence, index } => self.sequence(sequence)?.get(index),
            Slot::TopTrigger(_) | Slot::NestedTrigger { .. } => None,
        }
    }

    pub fn sequence(&self, sequence: Sequence) -> Option<&[Action]> {
        let owner = match sequence {
            Sequence::Trigger(id) => return self.trigger(id).map(|trigger| trigger.actions.as_slice()),
            Sequence::Then(id) | Sequence::Else(id) | Sequence::OnClose(id) | Sequence::OnNoAgent(id) => {
                self.action(id)?
            }
        };
        owner.kind.branch(sequence).map(Vec::as_slice)
    }

    /// The next enabled action at `position`, moving `position` past it. At the end of the
    /// sequence `position` becomes `None` and so does the answer.
    pub fn take_action(&self, position: &mut Option<(Sequence, usize)>) -> Option<&Action> {
        while let Some((sequence, index)) = *position {
            let Some(action) = self.sequence(sequence).and_then(|actions| actions.get(index)) else {
                *position = None;
                return None;
            };
            *position = Some((sequence, index + 1));
            if action.enabled {
                return Some(action);
            }
        }
        None
    }

    /// Where a run that jumps to `target` starts: a trigger's first action, or the action itself.
    pub fn start_of(&self, target: NodeId) -> Option<(Sequence, usize)> {
        match self.slot(target)? {
            Slot::TopTrigger(_) | Slot::NestedTrigger { .. } => Some((Sequence::Trigger(target), 0)),
            Slot::Action { sequence, index } => Some((sequence, index)),
        }
    }

    /// The position right after an action, in the same sequence.
    pub fn after(&self, action: NodeId) -> Option<(Sequence, usize)> {
        match self.slot(action)? {
            Slot::Action { sequence, index } => Some((sequence, index + 1)),
            Slot::TopTrigger(_) | Slot::NestedTrigger { .. } => None,
        }
    }

    pub fn handoff(&self, id: NodeId) -> Option<&Handoff> {
        match &self.action(id)?.kind {
            ActionKind::HumanHandoff(handoff) => Some(handoff),
            _ => None,
        }
    }
}

pub fn node_id(node: NodeRef<'_>) -> NodeId {
    match node {
        NodeRef::Trigger(trigger) => trigger.id,
        NodeRef::Action(action) => action.id,
    }
}
