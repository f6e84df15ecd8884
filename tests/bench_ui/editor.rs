//! The workflow editor on a 1,000-node workflow: its first render, and one field edited until
//! the tree shows it.

use handoff::edit::{NodeTemplate, Place, insert};
use handoff::workflow::{ActionKind, Sequence, Workflow};
use handoff::workspace::Workspace;
use handoff::{NodeId, starter_workspace, validate, workspace_to_json};
use handoff_studio::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::{RUNS, Stage, median_ms, now_ms, report, set_address, until};

/// How many nodes the measured workflow has.
const NODES: usize = 1_000;

/// The starter workspace grown to `nodes` nodes with blocks an admin would build: an intent
/// with a message, a question, an If/Else on the answer, and a handoff with a goodbye.
fn workspace_of(nodes: usize) -> Workspace {
    let mut workspace = starter_workspace();
    let workflow = &mut workspace.ai_agent.workflow;
    let count = |workflow: &Workflow| workflow.entries().len();
    let english = handoff::Language::new("en");
    let mut block = 0;
    while count(workflow) < nodes {
        block += 1;
        let add =
            |workflow: &mut Workflow, place, template| insert(workflow, place, usize::MAX, template).expect("allowed");
        let intent = add(workflow, Place::TopTriggers, NodeTemplate::MessageReceived);
        if let Some(trigger) = handoff::edit::trigger_mut(workflow, intent)
            && let handoff::workflow::TriggerKind::MessageReceived { intent, training_phrases, .. } = &mut trigger.kind
        {
            *intent = format!("Topic {block}");
            *training_phrases =
                handoff::localized::phrases_in(&english, vec![format!("topic {block}"), format!("question {block}")]);
        }
        let actions = Place::Actions { sequence: Sequence::Trigger(intent) };
        add(workflow, actions, NodeTemplate::SendMessage);
        add(workflow, actions, NodeTemplate::SetChatVariable);
        let branch = add(workflow, actions, NodeTemplate::IfElse);
        add(workflow, Place::Actions { sequence: Sequence::Then(branch) }, NodeTemplate::SendMessage);
        let handoff = add(workflow, Place::Actions { sequence: Sequence::Else(branch) }, NodeTemplate::HumanHandoff);
        add(workflow, Place::Actions { sequence: Sequence::OnClose(handoff) }, NodeTemplate::SendMessage);
    }
    let errors: Vec<_> = validate(&workspace)
        .into_iter()
        .filter(|problem| problem.kind.severity() == handoff::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "the measured workflow has no errors (its new texts are English only): {errors:?}");
    workspace
}

/// The last Send Message of the workflow: the edit happens near the bottom of the tree.
fn last_message(workspace: &Workspace) -> NodeId {
    workspace
        .ai_agent
        .workflow
        .entries()
        .into_iter()
        .rev()
        .find_map(|entry| match entry.node {
            handoff::workflow::NodeRef::Action(action) if matches!(action.kind, ActionKind::SendMessage { .. }) => {
                Some(action.id)
            }
            _ => None,
        })
        .expect("the workflow sends messages")
}

fn save(workspace: &Workspace) {
    let storage = leptos::prelude::window().local_storage().unwrap().unwrap();
    storage.set_item("handoff-studio/workspace", &workspace_to_json(workspace)).unwrap();
}

/// The time from mounting the app at /editor, with the workflow in browser storage, until the
/// tree's last row is in the page: reading and validating the workflow and drawing every row.
#[wasm_bindgen_test]
async fn editor_first_render() {
    let workspace = workspace_of(NODES);
    let nodes = workspace.ai_agent.workflow.entries().len();
    let last = format!("#row-{}", last_message(&workspace).0);
    save(&workspace);
    let ms = median_ms(RUNS, || {
        let last = last.clone();
        async move {
            set_address("/editor");
            let started = now_ms();
            let stage = Stage::mount(App);
            until("the last row of the tree", || stage.query(&last).is_some()).await;
            stage.laid_out();
            let elapsed = now_ms() - started;
            let rows = stage.element.query_selector_all("[role=treeitem]").unwrap().length() as usize;
            assert!(rows >= nodes, "every node is drawn: {rows} rows for {nodes} nodes");
            elapsed
        }
    })
    .await;
    report(&format!("editor-{NODES}-first-render"), ms);
}

/// A one-field edit on the 1,000-node workflow: the message text of the selected Send Message
/// changed in its panel (a change event, as when the admin leaves the field) until the tree's
/// row shows the new text. It includes the undo step, validation and the row redrawn.
#[wasm_bindgen_test]
async fn editor_edit() {
    let workspace = workspace_of(NODES);
    let node = last_message(&workspace);
    save(&workspace);
    set_address("/editor");
    let stage = Stage::mount(App);
    let row = format!("#row-{}", node.0);
    until("the tree", || stage.query(&row).is_some()).await;
    stage.query(&row).unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    until("the message's panel", || stage.query(".panel-pane textarea").is_some()).await;
    let mut edit = 0;
    let ms = median_ms(RUNS, || {
        edit += 1;
        let text = format!("Edited message number {edit}");
        let stage = &stage;
        let row = row.clone();
        async move {
            let field: web_sys::HtmlTextAreaElement = stage.query(".panel-pane textarea").unwrap().unchecked_into();
            let started = now_ms();
            field.set_value(&text);
            field.dispatch_event(&bubbling("change")).unwrap();
            until("the row to show the edit", || stage.text(&row).is_some_and(|shown| shown.contains(&text))).await;
            stage.laid_out();
            now_ms() - started
        }
    })
    .await;
    report("editor-edit", ms);
}

/// An event that bubbles, as the browser's own `change` does: the app listens at the document.
fn bubbling(name: &str) -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict(name, &init).unwrap()
}
