//! The workflow as the editor draws it: a flat list of visible rows (nodes and the labelled groups
//! that hold their branches), each with its level, icon, title and one-line summary, and what the
//! Add menu offers for a row. Plain functions over the domain types, tested natively; the tree
//! component only renders what these return.

use std::collections::{HashMap, HashSet};

use handoff::Problem;
use handoff::edit::{NodeTemplate, Place, allowed, place_of};
use handoff::workflow::{
    Action, ActionKind, Assign, Condition, LanguageTargets, NodeRef, Sequence, Slot, Targets, Trigger, TriggerKind,
    VariableValue, Workflow, node_id,
};
use handoff::workspace::{Teamspace, Workspace};
use handoff::{Language, NodeId};

/// What a row of the tree stands for: a node, or a group holding one of a node's lists (an
/// If/Else branch, a handoff subtree, an action's nested triggers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKey {
    Node(NodeId),
    Group(Place),
}

impl RowKey {
    /// The row element's id, unique in the page.
    pub fn dom_id(self) -> String {
        match self {
            RowKey::Node(node) => format!("row-{}", node.0),
            RowKey::Group(Place::TopTriggers) => "row-top".to_owned(),
            RowKey::Group(Place::NestedTriggers { action }) => format!("row-{}-replies", action.0),
            RowKey::Group(Place::Actions { sequence }) => {
                let (owner, name) = match sequence {
                    Sequence::Trigger(id) => (id, "actions"),
                    Sequence::Then(id) => (id, "then"),
                    Sequence::Else(id) => (id, "else"),
                    Sequence::OnClose(id) => (id, "on-close"),
                    Sequence::OnNoAgent(id) => (id, "on-no-agent"),
                };
                format!("row-{}-{name}", owner.0)
            }
        }
    }
}

/// One visible line of the tree. Rows are compared whole, so a row is drawn again only when
/// something it shows changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    pub key: RowKey,
    /// 1 for a top-level trigger.
    pub level: usize,
    /// Position among its siblings, from 1, and how many siblings there are.
    pub position: usize,
    pub siblings: usize,
    pub icon: &'static str,
    pub title: String,
    pub summary: String,
    /// `Some(open)` when the row has rows under it.
    pub expanded: Option<bool>,
    /// A disabled action, skipped by the runner.
    pub disabled: bool,
    /// Our extension to the reference behaviour ("When no live agent is available").
    pub extension: bool,
    /// The first problem's message and how many there are.
    pub problems: Option<(String, usize)>,
}

/// The rows shown, in order, with collapsed rows' descendants left out.
pub fn rows(workspace: &Workspace, collapsed: &HashSet<RowKey>, problems: &[Problem]) -> Vec<Row> {
    // Each node's first problem and how many it has; a short list, not a map, for the download's size.
    let mut by_node: Vec<(NodeId, (String, usize))> = Vec::new();
    for problem in problems {
        if let Some(node) = problem.node {
            match by_node.iter_mut().find(|(listed, _)| *listed == node) {
                Some((_, (_, count))) => *count += 1,
                None => by_node.push((node, (problem.kind.to_string(), 1))),
            }
        }
    }
    let mut out = Vec::new();
    let context = Context { workspace, collapsed, problems: &by_node, out: &mut out };
    let mut walker = context;
    walker.triggers(&workspace.ai_agent.workflow.triggers, 1);
    out
}

struct Context<'a> {
    workspace: &'a Workspace,
    collapsed: &'a HashSet<RowKey>,
    problems: &'a [(NodeId, (String, usize))],
    out: &'a mut Vec<Row>,
}

impl Context<'_> {
    fn problems_of(&self, node: NodeId) -> Option<(String, usize)> {
        self.problems.iter().find(|(listed, _)| *listed == node).map(|(_, problems)| problems.clone())
    }

    fn push(&mut self, row: Row) -> bool {
        let open = row.expanded == Some(true);
        self.out.push(row);
        open
    }

    fn expanded(&self, key: RowKey, has_children: bool) -> Option<bool> {
        has_children.then(|| !self.collapsed.contains(&key))
    }

    fn triggers(&mut self, triggers: &[Trigger], level: usize) {
        for (index, trigger) in triggers.iter().enumerate() {
            let key = RowKey::Node(trigger.id);
            let row = Row {
                key,
                level,
                position: index + 1,
                siblings: triggers.len(),
                icon: trigger_icon(&trigger.kind),
                title: trigger_title(&trigger.kind),
                summary: trigger_summary(&trigger.kind),
                expanded: self.expanded(key, !trigger.actions.is_empty()),
                disabled: false,
                extension: false,
                problems: self.problems_of(trigger.id),
            };
            if self.push(row) {
                self.actions(&trigger.actions, level + 1);
            }
        }
    }

    fn actions(&mut self, actions: &[Action], level: usize) {
        for (index, action) in actions.iter().enumerate() {
            let key = RowKey::Node(action.id);
            let groups = groups(action);
            let summary = action_summary(&action.kind, self.workspace);
            let row = Row {
                key,
                level,
                position: index + 1,
                siblings: actions.len(),
                icon: action_icon(&action.kind),
                title: action.label.clone().unwrap_or_else(|| action_kind_name(&action.kind).to_owned()),
                summary: match &action.label {
                    Some(_) => format!("{} · {summary}", action_kind_name(&action.kind)),
                    None => summary,
                },
                expanded: self.expanded(key, !groups.is_empty()),
                disabled: !action.enabled,
                extension: false,
                problems: self.problems_of(action.id),
            };
            if !self.push(row) {
                continue;
            }
            let count = groups.len();
            for (group_index, group) in groups.into_iter().enumerate() {
                let key = RowKey::Group(group.place);
                let (size, summary) = match group.members {
                    Members::Actions(list) => (list.len(), count_words(list.len(), "action", "actions")),
                    Members::Triggers(list) => (list.len(), count_words(list.len(), "trigger", "triggers")),
                };
                let row = Row {
                    key,
                    level: level + 1,
                    position: group_index + 1,
                    siblings: count,
                    icon: group.icon,
                    title: group.title.to_owned(),
                    summary,
                    expanded: self.expanded(key, size > 0),
                    disabled: false,
                    extension: group.extension,
                    problems: None,
                };
                if self.push(row) {
                    match group.members {
                        Members::Actions(list) => self.actions(list, level + 2),
                        Members::Triggers(list) => self.triggers(list, level + 2),
                    }
                }
            }
        }
    }
}

fn count_words(count: usize, one: &str, many: &str) -> String {
    match count {
        0 => "Empty".to_owned(),
        1 => format!("1 {one}"),
        _ => format!("{count} {many}"),
    }
}

enum Members<'a> {
    Actions(&'a [Action]),
    Triggers(&'a [Trigger]),
}

struct Group<'a> {
    place: Place,
    title: &'static str,
    icon: &'static str,
    extension: bool,
    members: Members<'a>,
}

/// The labelled lists under an action: its branches always, its nested triggers when it has some.
fn groups(action: &Action) -> Vec<Group<'_>> {
    let id = action.id;
    fn branch<'a>(
        sequence: Sequence,
        title: &'static str,
        icon: &'static str,
        extension: bool,
        list: &'a [Action],
    ) -> Group<'a> {
        Group { place: Place::Actions { sequence }, title, icon, extension, members: Members::Actions(list) }
    }
    let mut out = match &action.kind {
        ActionKind::IfElse { then, otherwise, .. } => vec![
            branch(Sequence::Then(id), "Then", "✓", false, then),
            branch(Sequence::Else(id), "Else", "✗", false, otherwise),
        ],
        ActionKind::HumanHandoff(handoff) => vec![
            branch(Sequence::OnClose(id), "When live agent closes chat", "↩", false, &handoff.on_close),
            branch(Sequence::OnNoAgent(id), "When no live agent is available", "∅", true, &handoff.on_no_agent),
        ],
        _ => Vec::new(),
    };
    if !action.triggers.is_empty() {
        out.push(Group {
            place: Place::NestedTriggers { action: id },
            title: "The customer's reply",
            icon: "↳",
            extension: false,
            members: Members::Triggers(&action.triggers),
        });
    }
    out
}

pub fn trigger_icon(kind: &TriggerKind) -> &'static str {
    match kind {
        TriggerKind::ChatStarted => "▶",
        TriggerKind::ChatClosedByLiveAgent => "■",
        TriggerKind::MessageReceived { .. } => "✉",
        TriggerKind::Fallback => "↪",
    }
}

pub fn trigger_title(kind: &TriggerKind) -> String {
    match kind {
        TriggerKind::ChatStarted => "Chat Started".to_owned(),
        TriggerKind::ChatClosedByLiveAgent => "Chat Closed by Live Agent".to_owned(),
        TriggerKind::MessageReceived { intent, .. } => format!("Message Received: {intent}"),
        TriggerKind::Fallback => "Fallback".to_owned(),
    }
}

fn trigger_summary(kind: &TriggerKind) -> String {
    match kind {
        TriggerKind::ChatStarted => "When a customer starts a chat".to_owned(),
        TriggerKind::ChatClosedByLiveAgent => "When a live agent closes the chat".to_owned(),
        TriggerKind::MessageReceived { training_phrases, excluded_phrases, .. } => {
            // Every language's phrases count.
            let count = |phrases: &handoff::localized::Phrases| phrases.values().map(Vec::len).sum::<usize>();
            let mut summary = count_words(count(training_phrases), "training phrase", "training phrases");
            if summary == "Empty" {
                summary = "No training phrases".to_owned();
            }
            if !excluded_phrases.is_empty() {
                summary.push_str(&format!(" · {} excluded", count(excluded_phrases)));
            }
            summary
        }
        TriggerKind::Fallback => "When nothing else matches".to_owned(),
    }
}

pub fn action_icon(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::SendMessage { .. } => "❝",
        ActionKind::SetChatVariable { .. } => "𝑥",
        ActionKind::IfElse { .. } => "⋔",
        ActionKind::HumanHandoff(_) => "☎",
        ActionKind::CollectFeedback(_) => "★",
        ActionKind::JumpTo { .. } => "↷",
        ActionKind::CloseChat => "✖",
    }
}

pub fn action_kind_name(kind: &ActionKind) -> &'static str {
    template_name(kind.template())
}

/// The name of a kind of node, as menus and the tree show it.
pub fn template_name(template: NodeTemplate) -> &'static str {
    match template {
        NodeTemplate::ChatStarted => "Chat Started",
        NodeTemplate::ChatClosedByLiveAgent => "Chat Closed by Live Agent",
        NodeTemplate::MessageReceived => "Message Received",
        NodeTemplate::Fallback => "Fallback",
        NodeTemplate::SendMessage => "Send Message",
        NodeTemplate::SetChatVariable => "Set Chat Variable",
        NodeTemplate::IfElse => "If/Else",
        NodeTemplate::HumanHandoff => "Human Handoff",
        NodeTemplate::CollectFeedback => "Collect Feedback",
        NodeTemplate::JumpTo => "Jump To",
        NodeTemplate::CloseChat => "Close Chat",
    }
}

/// At most `limit` characters, with an ellipsis when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// The action in a few words, its texts in the default language's words.
fn action_summary(kind: &ActionKind, workspace: &Workspace) -> String {
    let (teamspace, workflow) = (&workspace.teamspace, &workspace.ai_agent.workflow);
    let default = &workspace.ai_agent.default_language;
    let shown = |text: &handoff::Localized| text.text_in(default, default).to_owned();
    match kind {
        ActionKind::SendMessage { text, buttons } => {
            let mut summary = format!("“{}”", shorten(&shown(text), 60));
            if !buttons.is_empty() {
                summary.push_str(&format!(" · {}", count_words(buttons.len(), "button", "buttons")));
            }
            summary
        }
        ActionKind::SetChatVariable { name, value } => match value {
            VariableValue::Text { text } => format!("{name} = “{}”", shorten(text, 40)),
            VariableValue::NextReply => format!("{name} = the customer's next reply"),
        },
        ActionKind::IfElse { condition, .. } => condition_summary(condition, teamspace),
        ActionKind::HumanHandoff(handoff) => {
            let mut parts = vec![assign_summary(&handoff.assign, teamspace)];
            if matches!(handoff.assign, Assign::SpecificUsersOrTeams { by_language: Some(_), .. }) {
                parts.push("by language".to_owned());
            }
            if handoff.availability_check {
                parts.push("availability check".to_owned());
            }
            parts.join(" · ")
        }
        ActionKind::CollectFeedback(feedback) => match &feedback.variable {
            Some(variable) => format!("“{}” · rating into {variable}", shorten(&shown(&feedback.title), 40)),
            None => format!("“{}”", shorten(&shown(&feedback.title), 40)),
        },
        ActionKind::JumpTo { target } => match node_title(workflow, *target) {
            Some(title) => format!("to {title}"),
            None => "to a node that does not exist".to_owned(),
        },
        ActionKind::CloseChat => "Ends the AI session".to_owned(),
    }
}

/// How a node is named in menus and summaries: its title, and its id so that two alike are told apart.
pub fn node_title(workflow: &Workflow, node: NodeId) -> Option<String> {
    match workflow.find_trigger(node) {
        Some(trigger) => Some(title_of(NodeRef::Trigger(trigger))),
        None => workflow.find_action(node).map(|action| title_of(NodeRef::Action(action))),
    }
}

pub fn title_of(node: NodeRef<'_>) -> String {
    match node {
        NodeRef::Trigger(trigger) => trigger_title(&trigger.kind),
        NodeRef::Action(action) => {
            action.label.clone().unwrap_or_else(|| format!("{} #{}", action_kind_name(&action.kind), action.id.0))
        }
    }
}

fn condition_summary(condition: &Condition, teamspace: &Teamspace) -> String {
    match condition {
        Condition::VariableEquals { name, value } => format!("if {name} is “{}”", shorten(value, 30)),
        Condition::VariableIsSet { name } => format!("if {name} is set"),
        Condition::LanguageIs { language } => format!("if the language is {}", language_name(language)),
        Condition::LiveAgentOnline { assign } => {
            format!("if a live agent is online ({})", assign_summary(assign, teamspace))
        }
    }
}

/// "All users in the teamspace", or who is listed: "Specific teams: Billing, Technical".
pub fn assign_summary(assign: &Assign, teamspace: &Teamspace) -> String {
    match assign {
        Assign::AllUsers => "All users in the teamspace".to_owned(),
        Assign::SpecificUsersOrTeams { targets, .. } => targets_summary(targets, teamspace),
    }
}

pub fn targets_summary(targets: &Targets, teamspace: &Teamspace) -> String {
    let users: Vec<String> = targets
        .agents
        .iter()
        .map(|id| teamspace.agent(*id).map_or_else(|| format!("unknown {id}"), |agent| agent.name.clone()))
        .collect();
    let teams: Vec<String> = targets
        .teams
        .iter()
        .map(|id| teamspace.team(*id).map_or_else(|| format!("unknown {id}"), |team| team.name.clone()))
        .collect();
    let kind = match (users.is_empty(), teams.is_empty()) {
        (true, true) => return "Specific users or teams: nobody chosen".to_owned(),
        (false, true) => "Specific users",
        (true, false) => "Specific teams",
        (false, false) => "Specific users and teams",
    };
    format!("{kind}: {}", users.into_iter().chain(teams).collect::<Vec<_>>().join(", "))
}

/// A language's name for the common codes, the code itself for the rest.
pub fn language_name(language: &Language) -> String {
    let name = match language.as_str() {
        "en" => "English",
        "fr" => "French",
        "es" => "Spanish",
        "de" => "German",
        "it" => "Italian",
        "pt" => "Portuguese",
        "nl" => "Dutch",
        "pl" => "Polish",
        "sv" => "Swedish",
        "ja" => "Japanese",
        "zh" => "Chinese",
        "ar" => "Arabic",
        other => return other.to_owned(),
    };
    format!("{name} ({})", language.as_str())
}

/// How one language's row of "Assign by language" reads.
pub fn language_row_summary(row: Option<&LanguageTargets>, teamspace: &Teamspace) -> String {
    match row {
        None => "No list".to_owned(),
        Some(LanguageTargets::Default) => "Use default".to_owned(),
        Some(LanguageTargets::Own(targets)) => targets_summary(targets, teamspace),
    }
}

/// The rows above `node`, outermost first: the nodes and the groups that hold it, read from
/// where each node sits (its `Slot`).
pub fn ancestors(workflow: &Workflow, node: NodeId) -> Vec<RowKey> {
    let slots: HashMap<NodeId, Slot> =
        workflow.entries().into_iter().map(|entry| (node_id(entry.node), entry.slot)).collect();
    let mut above = Vec::new();
    let mut current = node;
    while let Some(&slot) = slots.get(&current) {
        let (group, parent) = match slot {
            Slot::TopTrigger(_) => break,
            Slot::NestedTrigger { parent, .. } => (Some(Place::NestedTriggers { action: parent }), parent),
            Slot::Action { sequence: Sequence::Trigger(trigger), .. } => (None, trigger),
            Slot::Action {
                sequence:
                    sequence @ (Sequence::Then(owner)
                    | Sequence::Else(owner)
                    | Sequence::OnClose(owner)
                    | Sequence::OnNoAgent(owner)),
                ..
            } => (Some(Place::Actions { sequence }), owner),
        };
        above.extend(group.map(RowKey::Group));
        above.push(RowKey::Node(parent));
        current = parent;
    }
    above.reverse();
    above
}

/// One part of the Add menu: where the new node goes, and the kinds of node allowed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddSection {
    pub label: String,
    pub place: Place,
    pub index: usize,
    pub templates: Vec<NodeTemplate>,
}

/// What the Add menu offers for the selected row (or, with none, for the top level).
pub fn add_sections(workflow: &Workflow, selected: Option<RowKey>) -> Vec<AddSection> {
    let section = |label: &str, place: Place, index: usize| AddSection {
        label: label.to_owned(),
        place,
        index,
        templates: allowed(workflow, place),
    };
    let mut out = Vec::new();
    match selected {
        None => out.push(section("Add a trigger", Place::TopTriggers, usize::MAX)),
        Some(RowKey::Group(place)) => out.push(section("Add inside this group", place, usize::MAX)),
        Some(RowKey::Node(node)) => {
            let Ok((place, index)) = place_of(workflow, node) else { return out };
            match place {
                Place::Actions { .. } => {
                    out.push(section("Add an action after this one", place, index + 1));
                    if let Some(action) = workflow.find_action(node) {
                        for group in groups(action) {
                            if let Members::Actions(_) = group.members {
                                out.push(section(&format!("Add to “{}”", group.title), group.place, usize::MAX));
                            }
                        }
                    }
                    out.push(section(
                        "Add a reply trigger (asks the customer)",
                        Place::NestedTriggers { action: node },
                        usize::MAX,
                    ));
                }
                Place::TopTriggers | Place::NestedTriggers { .. } => {
                    out.push(section(
                        "Add an action to this trigger",
                        Place::Actions { sequence: Sequence::Trigger(node) },
                        usize::MAX,
                    ));
                    out.push(section("Add a trigger after this one", place, index + 1));
                }
            }
        }
    }
    out.retain(|section| !section.templates.is_empty());
    out
}

/// Where a node dropped on `row` goes: after a node of its own kind, at the start of a group or
/// of a trigger's actions, or among an action's reply triggers.
pub fn drop_place(workflow: &Workflow, row: RowKey, dragged_is_trigger: bool) -> Option<(Place, usize)> {
    match row {
        RowKey::Group(place) => Some((place, 0)),
        RowKey::Node(node) => {
            let (place, index) = place_of(workflow, node).ok()?;
            let row_is_trigger = !matches!(place, Place::Actions { .. });
            match (row_is_trigger, dragged_is_trigger) {
                (true, false) => Some((Place::Actions { sequence: Sequence::Trigger(node) }, 0)),
                (false, true) => Some((Place::NestedTriggers { action: node }, usize::MAX)),
                _ => Some((place, index + 1)),
            }
        }
    }
}

/// Describes a place for the "Move to" menu.
pub fn place_label(workflow: &Workflow, place: Place) -> String {
    let title = |node| node_title(workflow, node).unwrap_or_else(|| format!("node {}", node.0));
    match place {
        Place::TopTriggers => "Top level (triggers)".to_owned(),
        Place::NestedTriggers { action } => format!("Replies to {}", title(action)),
        Place::Actions { sequence } => match sequence {
            Sequence::Trigger(id) => format!("Actions of {}", title(id)),
            Sequence::Then(id) => format!("Then of {}", title(id)),
            Sequence::Else(id) => format!("Else of {}", title(id)),
            Sequence::OnClose(id) => format!("When live agent closes chat, of {}", title(id)),
            Sequence::OnNoAgent(id) => format!("When no live agent is available, of {}", title(id)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff::{starter_workspace, validate};

    fn outline(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|row| {
                let marker = match row.expanded {
                    Some(true) => "▾ ",
                    Some(false) => "▸ ",
                    None => "",
                };
                format!("{}{marker}{} — {}", "  ".repeat(row.level - 1), row.title, row.summary)
            })
            .collect()
    }

    #[test]
    fn the_starter_workflow_reads_as_a_tree_with_labelled_branches() {
        let workspace = starter_workspace();
        let rows = rows(&workspace, &HashSet::new(), &validate(&workspace));
        let text = outline(&rows).join("\n");
        // One greeting, in every language, shown in the default language's words.
        assert!(text.starts_with("▾ Chat Started — When a customer starts a chat\n  Send Message — “Hi! I'm Acme's assistant. How can I help?” · 2 buttons\n"), "{text}");
        assert!(text.contains("Message Received: Talk to a human — 83 training phrases · 35 excluded"), "{text}");
        assert!(
            text.contains("Human Handoff — Specific teams: Billing, Technical · by language · availability check"),
            "{text}"
        );
        assert!(text.contains("When live agent closes chat — 1 action"), "{text}");
        assert!(text.contains("When no live agent is available — "), "{text}");
        let extension = rows.iter().find(|row| row.title == "When no live agent is available").expect("the subtree");
        assert!(extension.extension, "the no-agent subtree is marked as our extension");
        let top: Vec<_> = rows.iter().filter(|row| row.level == 1).map(|row| (row.position, row.siblings)).collect();
        assert_eq!(top.iter().map(|(position, _)| *position).collect::<Vec<_>>(), (1..=top.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_collapsed_row_hides_its_descendants_and_says_so() {
        let workspace = starter_workspace();
        let all = rows(&workspace, &HashSet::new(), &[]);
        let collapsed = HashSet::from([RowKey::Node(NodeId(1))]);
        let folded = rows(&workspace, &collapsed, &[]);
        assert_eq!(folded[0].expanded, Some(false));
        assert_eq!(folded[1].level, 1, "the next row is the next trigger");
        assert!(folded.len() < all.len());
    }

    #[test]
    fn problems_are_counted_on_their_node() {
        let mut workspace = starter_workspace();
        if let TriggerKind::MessageReceived { training_phrases, .. } = &mut workspace.ai_agent.workflow.triggers[1].kind
        {
            training_phrases.clear();
        }
        let problems = validate(&workspace);
        let rows = rows(&workspace, &HashSet::new(), &problems);
        let intent = rows.iter().find(|row| row.key == RowKey::Node(NodeId(10))).expect("the intent");
        assert_eq!(intent.problems, Some(("the intent has no training phrase, so it never matches".to_owned(), 1)));
        assert_eq!(intent.summary, "No training phrases · 35 excluded", "in its three languages");
    }

    #[test]
    fn the_add_menu_offers_what_fits_around_the_selected_row() {
        let workflow = starter_workspace().ai_agent.workflow;
        let labels = |selected| -> Vec<String> {
            add_sections(&workflow, selected)
                .iter()
                .map(|section| format!("{} ({})", section.label, section.templates.len()))
                .collect()
        };
        assert_eq!(labels(None), ["Add a trigger (1)"]);
        assert_eq!(
            labels(Some(RowKey::Node(NodeId(21)))),
            ["Add an action after this one (7)", "Add a reply trigger (asks the customer) (2)"],
            "a question offers reply triggers"
        );
        assert_eq!(
            labels(Some(RowKey::Node(NodeId(1)))),
            ["Add an action to this trigger (7)", "Add a trigger after this one (1)"]
        );
        assert_eq!(
            labels(Some(RowKey::Node(NodeId(11)))),
            [
                "Add an action after this one (7)",
                "Add to “When live agent closes chat” (7)",
                "Add to “When no live agent is available” (7)"
            ]
        );
    }

    #[test]
    fn the_rows_above_a_node_are_its_parents_and_their_groups_outermost_first() {
        let workflow = starter_workspace().ai_agent.workflow;
        // The offline answer: Talk to a human › the handoff › When no live agent is available.
        assert_eq!(
            ancestors(&workflow, NodeId(13)),
            [
                RowKey::Node(NodeId(10)),
                RowKey::Node(NodeId(11)),
                RowKey::Group(Place::Actions { sequence: Sequence::OnNoAgent(NodeId(11)) }),
            ]
        );
        // A reply trigger's jump: Billing › the question › its replies › Yes.
        assert_eq!(
            ancestors(&workflow, NodeId(23)),
            [
                RowKey::Node(NodeId(20)),
                RowKey::Node(NodeId(21)),
                RowKey::Group(Place::NestedTriggers { action: NodeId(21) }),
                RowKey::Node(NodeId(22)),
            ]
        );
        assert_eq!(ancestors(&workflow, NodeId(1)), [], "a top-level trigger has none");
        assert_eq!(ancestors(&workflow, NodeId(999)), [], "nor has a node that is not there");
    }

    #[test]
    fn summaries_name_teams_users_and_shorten_long_text() {
        let teamspace = starter_workspace().teamspace;
        let targets = Targets { agents: vec![handoff::AgentId(1)], teams: vec![handoff::TeamId(3)] };
        assert_eq!(targets_summary(&targets, &teamspace), "Specific users and teams: Sam Rivera, Francophone");
        assert_eq!(targets_summary(&Targets::default(), &teamspace), "Specific users or teams: nobody chosen");
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("ééééé", 2), "éé…");
    }
}
