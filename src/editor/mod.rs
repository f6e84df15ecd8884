//! The workflow editor: the AI agent's workflow drawn as a tree, a settings panel for the
//! selected node, the problems list, undo and redo, import and export.
//!
//! Every change goes through `WorkspaceStore::edit` with an edit of the domain crate (`handoff::edit`),
//! so the rules of what may go where live in one place and every change can be undone.

use std::collections::HashSet;

use handoff::workflow::{CHAT_STARTED_ID, Workflow, node_id};
use handoff::{NodeId, Severity, load_workspace};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::pages::set_document_title;
use crate::workspace_store::{UndoRedo, WorkspaceStore, use_workspace_store};

mod assign;
mod boxed;
pub mod outline;
mod panels;
mod tree;
mod try_message;

pub(crate) use assign::verdict_words;
use boxed::{dynamic, on_click, show_or, text};
use outline::RowKey;

/// What the editor page remembers besides the workspace: the selected row, folded rows, the
/// last status message, and the node being dragged.
#[derive(Debug, Clone, Copy)]
pub struct EditorState {
    pub selected: RwSignal<Option<RowKey>>,
    pub collapsed: RwSignal<HashSet<RowKey>>,
    /// The outcome of the last action, read out politely by screen readers.
    pub status: RwSignal<String>,
    /// The rows the tree shows, derived once per change for the tree and its toolbar.
    pub rows: Memo<Vec<outline::Row>>,
    /// Why the last import failed; shown beside the Import button until the next message.
    pub import_error: RwSignal<Option<String>>,
}

impl EditorState {
    /// Selects a row and moves the keyboard focus to it once it is drawn.
    pub fn select_and_focus(&self, key: RowKey) {
        // Setting the same row again would rebuild its settings panel and lose what it shows.
        if self.selected.get_untracked() != Some(key) {
            self.selected.set(Some(key));
        }
        request_animation_frame(move || {
            if let Some(element) = document().get_element_by_id(&key.dom_id()) {
                let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        });
    }

    /// Says the outcome of the last action. One message at a time: an import's error gives
    /// way to it.
    pub fn say(&self, message: impl Into<String>) {
        self.import_error.set(None);
        self.status.set(message.into());
    }

    /// Says why an import failed, in place of the last message.
    fn import_failed(&self, message: String) {
        self.status.set(String::new());
        self.import_error.set(Some(message));
    }
}

pub fn use_editor() -> EditorState {
    expect_context::<EditorState>()
}

#[component]
pub fn EditorPage() -> impl IntoView {
    set_document_title("Workflow editor");
    let store = use_workspace_store();
    let first =
        store.with_untracked(|workspace| workspace.ai_agent.workflow.triggers.first().map(|trigger| trigger.id));
    let collapsed = RwSignal::new(HashSet::new());
    let rows = Memo::new(move |_| {
        collapsed.with(|collapsed| {
            store.problems.with(|problems| store.with(|workspace| outline::rows(workspace, collapsed, problems)))
        })
    });
    let editor = EditorState {
        selected: RwSignal::new(first.map(RowKey::Node)),
        collapsed,
        status: RwSignal::new(String::new()),
        rows,
        import_error: RwSignal::new(None),
    };
    provide_context(editor);
    let agent_name = text(move || store.with(|workspace| workspace.ai_agent.name.clone()));
    view! {
        <article class="editor">
            <header class="page-header">
                <div>
                    <h1>"Workflow editor"</h1>
                    <p class="lead">"The workflow of " <strong>{agent_name}</strong> "."</p>
                </div>
                <div class="page-tools">
                    <UndoRedo/>
                    {file_tools()}
                </div>
            </header>
            <p class="status-line" role="status" aria-live="polite">{editor.status}</p>
            <div class="editor-layout">
                <section class="tree-pane" aria-labelledby="tree-heading">
                    <h2 id="tree-heading" class="visually-hidden">"Workflow tree"</h2>
                    {tree::node_toolbar()}
                    {tree::workflow_tree()}
                    {tree::keyboard_help()}
                    {try_message::try_message_box(Signal::stored(handoff::matching::TryScope::TopLevel))}
                </section>
                <section class="panel-pane" aria-labelledby="panel-heading">
                    {panels::selected_panel()}
                </section>
            </div>
            {problems_list()}
        </article>
    }
}

/// Import, export, and starting from an empty workflow.
fn file_tools() -> impl IntoView {
    let store = use_workspace_store();
    let editor = use_editor();
    let import_error = editor.import_error;
    let export = move |event: leptos::ev::MouseEvent| {
        store.fill_download_link(&event);
        editor.say("Exported the workspace as handoff-studio-workspace.json.");
    };
    let import = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        let name = file.name();
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => return editor.import_failed(format!("{name} could not be read. Nothing was changed.")),
            };
            match load_workspace(&text) {
                Ok(workspace) => {
                    store.edit(|present| *present = workspace);
                    editor.collapsed.set(HashSet::new());
                    editor.selected.set(None);
                    editor.say(format!("Imported {name}. Undo (Ctrl+Z) brings back the workspace it replaced."));
                }
                Err(error) => editor.import_failed(format!("{name} was not imported: {error}. Nothing was changed.")),
            }
        });
    };
    // Emptying the workflow takes every node: it asks first.
    let asking = RwSignal::new(false);
    let cancel = move || {
        asking.set(false);
        focus_by_id("empty-workflow");
    };
    let start_empty = move |_| {
        asking.set(false);
        store.edit(|workspace| workspace.ai_agent.workflow = Workflow::with_fixed_triggers());
        editor.collapsed.set(HashSet::new());
        editor.selected.set(Some(RowKey::Node(CHAT_STARTED_ID)));
        editor.say("Started an empty workflow. Undo (Ctrl+Z) brings back the previous one.");
    };
    view! {
        <div class="file-tools" role="group" aria-label="Workspace file">
            <a class="button" href="#" download="handoff-studio-workspace.json" on:click=on_click(export)>
                "Export JSON"
            </a>
            <label class="button file-button">
                "Import JSON…"
                <input
                    type="file"
                    class="visually-hidden"
                    accept=".json,application/json"
                    aria-describedby="import-error"
                    on:change=import
                />
            </label>
            <button
                type="button"
                id="empty-workflow"
                class="button"
                aria-expanded=move || asking.get().to_string()
                on:click=move |_| {
                    asking.set(true);
                    // Cancel takes the focus, so a second Enter never empties by accident.
                    request_animation_frame(|| focus_by_id("empty-cancel"));
                }
            >
                "Empty workflow"
            </button>
        </div>
        <Show when=move || asking.get()>
            <div
                class="confirm"
                role="alertdialog"
                aria-labelledby="empty-question"
                on:keydown=move |event: leptos::ev::KeyboardEvent| {
                    if event.key() == "Escape" {
                        cancel();
                    }
                }
            >
                <p id="empty-question" class="confirm-question">
                    {text(move || {
                        let count = store.with(|workspace| workspace.ai_agent.workflow.entries().len());
                        format!("Start from an empty workflow? Its {count} nodes go, leaving Chat Started and Chat Closed by Live Agent. Undo (Ctrl+Z) brings them back.")
                    })}
                </p>
                <div class="confirm-actions">
                    <button type="button" class="button danger" on:click=on_click(start_empty)>"Empty the workflow"</button>
                    <button type="button" id="empty-cancel" class="button" on:click=move |_| cancel()>"Cancel"</button>
                </div>
            </div>
        </Show>
        <p id="import-error" class="field-error" role="alert">
            {text(move || import_error.get().unwrap_or_default())}
        </p>
    }
}

fn focus_by_id(id: &str) {
    if let Some(element) = document().get_element_by_id(id) {
        let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// Every problem the engine's validation finds; choosing one selects its node.
/// How many problems the list draws before "Show all": a long list is read from its top, and a
/// workflow of a thousand untranslated texts has thousands of warnings.
const PROBLEMS_SHOWN: usize = 100;

fn problems_list() -> impl IntoView {
    let store = use_workspace_store();
    let editor = use_editor();
    let count = move || store.problems.with(Vec::len);
    // Each problem with its node's title, in one walk of the workflow per edit: a title read per
    // problem from the whole workspace cost every edit a search of the tree for each problem
    // (1,410 missing translations in `cargo xtask bench-ui`'s editor-edit). Compared, so an edit
    // that changes neither draws nothing again.
    let lines = Memo::new(move |_| {
        store.problems.with(|problems| {
            store.with(|workspace| {
                // Problems come in tree order (validation walks the tree), so one walk of the
                // tree beside them finds every title.
                let entries = workspace.ai_agent.workflow.entries();
                let mut entries = entries.iter();
                let (mut errors, mut warnings) = (Vec::new(), Vec::new());
                let mut last: Option<(NodeId, String)> = None;
                for problem in problems {
                    let node = problem.node.map(|node| match &last {
                        // A node's second problem.
                        Some(last) if last.0 == node => last.clone(),
                        _ => {
                            let title = match entries.by_ref().find(|entry| node_id(entry.node) == node) {
                                Some(entry) => outline::title_of(entry.node),
                                None => outline::node_title(&workspace.ai_agent.workflow, node).unwrap_or_default(),
                            };
                            last.insert((node, title)).clone()
                        }
                    });
                    // Errors first (they stop the workflow from running), each kind in tree order.
                    let list = if problem.kind.severity() == Severity::Error { &mut errors } else { &mut warnings };
                    list.push((node, problem.kind.to_string()));
                }
                errors.extend(warnings);
                errors
            })
        })
    });
    let show_all = RwSignal::new(false);
    let problems = move || {
        let shown = if show_all.get() { usize::MAX } else { PROBLEMS_SHOWN };
        lines
            .get()
            .into_iter()
            .take(shown)
            .map(|(node, message)| {
                let Some((node, title)) = node else { return view! { <li>{message}</li> }.into_any() };
                let choose = on_click(move |_| {
                    reveal(store, editor, node);
                    editor.select_and_focus(RowKey::Node(node));
                });
                view! {
                    <li>
                        <button type="button" class="link-button" on:click=choose>
                            <strong>{title}</strong>
                            ": "
                            {message}
                        </button>
                    </li>
                }
                .into_any()
            })
            .collect_view()
            .into_any()
    };
    let list = show_or(
        Box::new(move || count() > 0),
        Box::new(move || {
            let more = show_or(
                Box::new(move || count() > PROBLEMS_SHOWN && !show_all.get()),
                Box::new(move || {
                    let label = text(move || format!("Show all {} problems", count()));
                    view! { <button type="button" class="link-button" on:click=on_click(move |_| show_all.set(true))>{label}</button> }.into_any()
                }),
                Box::new(|| ().into_any()),
            );
            view! { <ul>{dynamic(problems)}</ul> {more} }.into_any()
        }),
        Box::new(|| view! { <p class="empty">"No problems: this workflow is ready to run."</p> }.into_any()),
    );
    view! {
        <section class="problems" aria-labelledby="problems-heading">
            <h2 id="problems-heading">
                "Problems " <span class="count">{text(move || format!("({})", count()))}</span>
            </h2>
            {list}
        </section>
    }
}

/// Unfolds every row above `node` so that it can be seen.
pub fn reveal(store: WorkspaceStore, editor: EditorState, node: NodeId) {
    let ancestors = store.with_untracked(|workspace| outline::ancestors(&workspace.ai_agent.workflow, node));
    editor.collapsed.update(|collapsed| {
        for key in ancestors {
            collapsed.remove(&key);
        }
    });
}
