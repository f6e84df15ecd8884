//! The tree itself (the ARIA tree pattern: one focusable row at a time, arrow keys to move,
//! Right and Left to unfold and fold), the toolbar that adds, duplicates, deletes and moves the
//! selected node, and drag and drop.

use handoff::NodeId;
use handoff::edit::{self, NodeTemplate, Place, destinations, is_fixed, place_of};
use handoff::teamspace_edit::describe_node;
use handoff::workspace::Workspace;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use wasm_bindgen::JsCast;

use super::boxed::{Flag, OnClick, Text, dynamic, flag, on_click, show, text};
use super::outline::{self, RowKey};
use super::{EditorState, reveal, use_editor};
use crate::workspace_store::{WorkspaceStore, use_workspace_store};

/// The node the toolbar acts on: the selected row when it is a node.
fn selected_node(editor: EditorState) -> Option<NodeId> {
    match editor.selected.get_untracked() {
        Some(RowKey::Node(node)) => Some(node),
        _ => None,
    }
}

/// The edits the toolbar and the keyboard share.
#[derive(Clone, Copy)]
struct Edits {
    store: WorkspaceStore,
    editor: EditorState,
    /// The toolbar's open menu, which is also where a deletion's question shows.
    menu: RwSignal<Option<Menu>>,
}

impl Edits {
    /// `WorkspaceStore::try_edit` compiled once for every edit of the tree (for the download's size).
    fn try_edit(
        &self,
        edit: &mut dyn FnMut(&mut Workspace) -> Result<(), edit::EditError>,
    ) -> Result<(), edit::EditError> {
        self.store.try_edit(edit)
    }

    fn name(&self, node: NodeId) -> String {
        self.store
            .with_untracked(|workspace| outline::node_title(&workspace.ai_agent.workflow, node))
            .unwrap_or_else(|| "the node".to_owned())
    }

    fn add(&self, place: Place, index: usize, template: NodeTemplate) {
        let mut added = None;
        let outcome = self.try_edit(&mut |workspace| {
            added = Some(edit::insert_in(workspace, place, index, template)?);
            Ok(())
        });
        match (outcome, added) {
            (Ok(()), Some(node)) => {
                reveal(self.store, self.editor, node);
                self.editor.select_and_focus(RowKey::Node(node));
                self.editor.say(format!("Added {}.", outline::template_name(template)));
            }
            (Err(error), _) => self.editor.say(format!("Not added: {error}.")),
            (Ok(()), None) => {}
        }
    }

    /// Deletes the node at once, or first asks where something points at what would go or it
    /// takes several actions (`edit::deletion_impact`).
    fn delete(&self, node: NodeId) {
        let asks = self.store.with_untracked(|workspace| {
            edit::deletion_impact(&workspace.ai_agent.workflow, node).is_some_and(|impact| impact.asks())
        });
        if asks {
            self.menu.set(Some(Menu::Delete(node)));
        } else {
            self.delete_now(node);
        }
    }

    fn delete_now(&self, node: NodeId) {
        let name = self.name(node);
        // The row shown above it takes the selection.
        let previous = self.editor.rows.with_untracked(|rows| {
            let index = rows.iter().position(|row| row.key == RowKey::Node(node))?;
            Some(rows[index.checked_sub(1)?].key)
        });
        match self.try_edit(&mut |workspace| edit::delete(&mut workspace.ai_agent.workflow, node).map(|_| ())) {
            Ok(()) => {
                if let Some(previous) = previous {
                    self.editor.select_and_focus(previous);
                }
                self.editor.say(format!("Deleted {name}. Undo (Ctrl+Z) brings it back."));
            }
            Err(error) => self.editor.say(format!("Not deleted: {error}.")),
        }
    }

    fn duplicate(&self, node: NodeId) {
        let mut copy = None;
        let outcome = self.try_edit(&mut |workspace| {
            copy = Some(edit::duplicate(&mut workspace.ai_agent.workflow, node)?);
            Ok(())
        });
        match (outcome, copy) {
            (Ok(()), Some(copy)) => {
                self.editor.select_and_focus(RowKey::Node(copy));
                self.editor.say(format!("Duplicated {}.", self.name(node)));
            }
            (Err(error), _) => self.editor.say(format!("Not duplicated: {error}.")),
            (Ok(()), None) => {}
        }
    }

    /// Moves a node to `index` of `place` (counted before the move) and keeps it selected.
    fn move_to(&self, node: NodeId, place: Place, index: usize) {
        let name = self.name(node);
        match self.try_edit(&mut |workspace| edit::move_node(&mut workspace.ai_agent.workflow, node, place, index)) {
            Ok(()) => {
                reveal(self.store, self.editor, node);
                self.editor.select_and_focus(RowKey::Node(node));
                let label =
                    self.store.with_untracked(|workspace| outline::place_label(&workspace.ai_agent.workflow, place));
                self.editor.say(format!("Moved {name} to {label}."));
            }
            Err(error) => self.editor.say(format!("Not moved: {error}.")),
        }
    }

    /// Moves a node one place up (`-1`) or down (`1`) among its siblings.
    fn shift(&self, node: NodeId, step: isize) {
        let Ok((place, index)) = self.store.with_untracked(|workspace| place_of(&workspace.ai_agent.workflow, node))
        else {
            return;
        };
        let target = match step {
            -1 if index == 0 => return self.editor.say("It is already first."),
            -1 => index - 1,
            _ => index + 2,
        };
        let siblings = self.store.with_untracked(|workspace| edit::len(&workspace.ai_agent.workflow, place));
        if step > 0 && index + 1 >= siblings {
            return self.editor.say("It is already last.");
        }
        self.move_to(node, place, target);
    }
}

/// Which of the toolbar's menus is open, or the question before deleting a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Menu {
    Add,
    MoveTo,
    Delete(NodeId),
}

fn use_menu() -> RwSignal<Option<Menu>> {
    expect_context::<RwSignal<Option<Menu>>>()
}

/// Adds, duplicates, deletes and moves the selected node.
pub fn node_toolbar() -> impl IntoView {
    let store = use_workspace_store();
    let editor = use_editor();
    let menu = RwSignal::new(None::<Menu>);
    provide_context(menu);
    let edits = Edits { store, editor, menu };
    let node = move || match editor.selected.get() {
        Some(RowKey::Node(node)) => Some(node),
        _ => None,
    };
    let removable =
        move || node().is_some_and(|node| !store.with(|workspace| is_fixed(&workspace.ai_agent.workflow, node)));
    // Move up on the first of its siblings, or Move down on the last, would do nothing.
    let shiftable =
        move || node().and_then(|node| store.with(|workspace| edit::can_shift(&workspace.ai_agent.workflow, node)));
    let toggle = move |which| menu.update(|open| *open = if *open == Some(which) { None } else { Some(which) });
    let expanded = move |which| text(move || (menu.get() == Some(which)).to_string());
    let acts = move |act: fn(Edits, NodeId)| {
        on_click(move |_| {
            if let Some(node) = selected_node(editor) {
                act(edits, node)
            }
        })
    };
    let buttons = [
        toolbar_button(
            "Add…",
            "Insert",
            "button",
            Some(("add-button", "add-menu", expanded(Menu::Add))),
            flag(|| false),
            on_click(move |_| toggle(Menu::Add)),
        ),
        toolbar_button(
            "Duplicate",
            "Control+D",
            "button",
            None,
            flag(move || !removable()),
            acts(|edits, node| edits.duplicate(node)),
        ),
        toolbar_button(
            "Move up",
            "Alt+ArrowUp",
            "button",
            None,
            flag(move || !shiftable().is_some_and(|(up, _)| up)),
            acts(|edits, node| edits.shift(node, -1)),
        ),
        toolbar_button(
            "Move down",
            "Alt+ArrowDown",
            "button",
            None,
            flag(move || !shiftable().is_some_and(|(_, down)| down)),
            acts(|edits, node| edits.shift(node, 1)),
        ),
        toolbar_button(
            "Move to…",
            "M",
            "button",
            Some(("move-button", "move-menu", expanded(Menu::MoveTo))),
            flag(move || node().is_none()),
            on_click(move |_| toggle(Menu::MoveTo)),
        ),
        toolbar_button(
            "Delete",
            "Delete",
            "button danger",
            None,
            flag(move || !removable()),
            acts(|edits, node| edits.delete(node)),
        ),
    ];
    view! {
        <div class="node-toolbar" role="toolbar" aria-label="Edit the selected node" aria-controls="workflow-tree">
            {buttons.into_iter().collect_view()}
        </div>
        // The question shows while its node stays selected.
        {show(
            Box::new(move || matches!(menu.get(), Some(Menu::Delete(node)) if editor.selected.get() == Some(RowKey::Node(node)))),
            Box::new(move || delete_question(edits).into_any()),
        )}
        {show(Box::new(move || menu.get() == Some(Menu::Add)), Box::new(move || add_menu(edits).into_any()))}
        {show(
            Box::new(move || menu.get() == Some(Menu::MoveTo)),
            Box::new(move || move_menu(edits).into_any()),
        )}
    }
}

/// Before a deletion that takes several actions or leaves Jump Tos pointing at nothing: what
/// goes, what points at it, and that undo brings it back. Cancel has the focus, so a second
/// press of Delete or Enter never deletes by accident; Escape cancels too.
fn delete_question(edits: Edits) -> impl IntoView {
    let Some(Menu::Delete(node)) = edits.menu.get_untracked() else { return ().into_any() };
    let (question, points_in) = edits.store.with_untracked(|workspace| {
        let impact = edit::deletion_impact(&workspace.ai_agent.workflow, node);
        let (nodes, pointing) = impact.map(|impact| (impact.nodes, impact.jumps_in)).unwrap_or_default();
        let mut question = format!("Delete {}?", describe_node(workspace, node));
        match nodes.saturating_sub(1) {
            0 => {}
            1 => question.push_str(" The node under it goes too."),
            under => question.push_str(&format!(" The {under} nodes under it go too.")),
        }
        let points_in: Vec<String> = pointing
            .into_iter()
            .map(|jump| {
                format!(
                    "{} would point at nothing: the editor will show it as a problem.",
                    describe_node(workspace, jump)
                )
            })
            .collect();
        (question, points_in)
    });
    let cancel = move || {
        edits.menu.set(None);
        edits.editor.select_and_focus(RowKey::Node(node));
    };
    request_animation_frame(|| {
        if let Some(button) = document().get_element_by_id("delete-cancel") {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(button).focus();
        }
    });
    view! {
        <div
            id="delete-question"
            class="confirm"
            role="alertdialog"
            aria-labelledby="delete-question-text"
            aria-describedby="delete-question-undo"
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                if event.key() == "Escape" {
                    event.prevent_default();
                    cancel();
                }
            }
        >
            <p id="delete-question-text" class="confirm-question">{question}</p>
            {(!points_in.is_empty()).then(|| view! {
                <ul class="confirm-places">{points_in.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            })}
            <p id="delete-question-undo">"Undo (Ctrl+Z) brings it back."</p>
            <div class="confirm-actions">
                <button
                    type="button"
                    class="button danger"
                    on:click=on_click(move |_| {
                        edits.menu.set(None);
                        edits.delete_now(node);
                    })
                >
                    "Delete"
                </button>
                <button type="button" id="delete-cancel" class="button" on:click=on_click(move |_| cancel())>
                    "Cancel"
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// A button of the toolbar; a menu's button has an id, the menu it opens and whether it is open.
fn toolbar_button(
    label: &'static str,
    keys: &'static str,
    class: &'static str,
    menu: Option<(&'static str, &'static str, Text)>,
    disabled: Flag,
    click: OnClick,
) -> AnyView {
    let (id, controls, expanded) = match menu {
        Some((id, controls, expanded)) => (Some(id), Some(controls), Some(expanded)),
        None => (None, None, None),
    };
    view! {
        <button
            type="button"
            class=class
            id=id
            aria-expanded=expanded
            aria-controls=controls
            aria-keyshortcuts=keys
            disabled=disabled
            on:click=click
        >
            {label}
        </button>
    }
    .into_any()
}

/// Closes the open menu and gives the focus back to the selected row.
fn close_menu(menu: RwSignal<Option<Menu>>, editor: EditorState) {
    menu.set(None);
    if let Some(key) = editor.selected.get_untracked() {
        editor.select_and_focus(key);
    }
}

/// Focuses the first button of a menu once it is drawn.
fn focus_first_in(menu_id: &'static str) {
    request_animation_frame(move || {
        if let Ok(Some(button)) = document().query_selector(&format!("#{menu_id} button")) {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(button).focus();
        }
    });
}

/// A menu under the toolbar: its choices, then Cancel. It takes the focus when it opens, and
/// Escape or Cancel closes it and gives the focus back to the selected row.
fn popup_menu(id: &'static str, label: &'static str, children: AnyView) -> impl IntoView {
    let menu = use_menu();
    let editor = use_editor();
    focus_first_in(id);
    view! {
        <div
            id=id
            class="popup-menu"
            role="group"
            aria-label=label
            on:keydown=move |event| {
                if event.key() == "Escape" {
                    close_menu(menu, editor);
                }
            }
        >
            {children}
            <button type="button" class="menu-item cancel" on:click=on_click(move |_| close_menu(menu, editor))>
                "Cancel"
            </button>
        </div>
    }
}

fn add_menu(edits: Edits) -> impl IntoView {
    let menu = use_menu();
    let editor = edits.editor;
    let sections = move || {
        let selected = editor.selected.get();
        edits.store.with(|workspace| outline::add_sections(&workspace.ai_agent.workflow, selected))
    };
    popup_menu(
        "add-menu",
        "Add a node",
        view! {
            {dynamic(move || {
                sections()
                    .into_iter()
                    .map(|section| {
                        let (place, index) = (section.place, section.index);
                        view! {
                            <div class="menu-section" role="group" aria-label=section.label.clone()>
                                <p class="menu-label" aria-hidden="true">{section.label.clone()}</p>
                                {section
                                    .templates
                                    .into_iter()
                                    .map(|template| {
                                        view! {
                                            <button
                                                type="button"
                                                class="menu-item"
                                                on:click=on_click(move |_| {
                                                    menu.set(None);
                                                    edits.add(place, index, template);
                                                })
                                            >
                                                {outline::template_name(template)}
                                            </button>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })
                    .collect_view()
                    .into_any()
            })}
        }
        .into_any(),
    )
}

fn move_menu(edits: Edits) -> impl IntoView {
    let menu = use_menu();
    let editor = edits.editor;
    let choices = move || {
        let Some(RowKey::Node(node)) = editor.selected.get() else { return Vec::new() };
        edits.store.with(|workspace| {
            let workflow = &workspace.ai_agent.workflow;
            let here = place_of(workflow, node).ok().map(|(place, _)| place);
            destinations(workflow, node)
                .unwrap_or_default()
                .into_iter()
                .filter(|place| Some(*place) != here)
                .map(|place| (node, place, outline::place_label(workflow, place)))
                .collect::<Vec<_>>()
        })
    };
    popup_menu(
        "move-menu",
        "Move the selected node to the end of",
        view! {
            <p class="menu-label">"Move to the end of:"</p>
            {dynamic(move || {
                let choices = choices();
                if choices.is_empty() {
                    return view! { <p class="empty">"There is nowhere else this node can go."</p> }.into_any();
                }
                choices
                    .into_iter()
                    .map(|(node, place, label)| {
                        view! {
                            <button
                                type="button"
                                class="menu-item"
                                on:click=on_click(move |_| {
                                    menu.set(None);
                                    edits.move_to(node, place, usize::MAX);
                                })
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()
                    .into_any()
            })}
        }
        .into_any(),
    )
}

/// What is being dragged: the node, whether it is a trigger, and where it may go.
#[derive(Debug, Clone, PartialEq)]
struct Dragging {
    node: NodeId,
    trigger: bool,
    places: Vec<Place>,
}

/// The workflow as an ARIA tree: one focusable row, the keys, a click and drag and drop, all
/// handled on the tree itself.
pub fn workflow_tree() -> impl IntoView {
    let store = use_workspace_store();
    let editor = use_editor();
    let menu = use_menu();
    let edits = Edits { store, editor, menu };
    let rows = editor.rows;
    // With no row selected (or the selected one gone) the first row takes the focus.
    let focus_key = Memo::new(move |_| {
        let selected = editor.selected.get();
        rows.with(|rows| match selected {
            Some(key) if rows.iter().any(|row| row.key == key) => Some(key),
            _ => rows.first().map(|row| row.key),
        })
    });
    let dragging = RwSignal::new(None::<Dragging>);
    let drop_target = StoredValue::new(None::<RowKey>);
    let drag = DragAndDrop { edits, dragging, drop_target };

    selection_follows_the_tree(store, editor);
    let tree_has_focus = RwSignal::new(false);
    focus_follows_a_redrawn_row(editor, focus_key, tree_has_focus);
    let on_keydown = tree_keydown(edits, focus_key);
    mark_selected_and_focusable_rows(editor, focus_key);

    view! {
        <ul
            id="workflow-tree"
            class="tree"
            role="tree"
            aria-label="Workflow"
            aria-describedby="tree-keys"
            on:keydown=on_keydown
            on:click=move |event: leptos::ev::MouseEvent| on_row_click(editor, event)
            on:dragstart=move |event: leptos::ev::DragEvent| drag.on_dragstart(event)
            on:dragover=move |event: leptos::ev::DragEvent| drag.on_dragover(event)
            on:dragleave=move |_| drag.mark_drop_target(None)
            on:drop=move |event: leptos::ev::DragEvent| drag.on_drop(event)
            on:dragend=move |_| drag.on_dragend()
            on:focusin=move |_| tree_has_focus.set(true)
            on:focusout=move |event: leptos::ev::FocusEvent| {
                // Focus moving to another row, or lost because the focused row was redrawn, keeps the flag.
                if event.related_target().is_some() {
                    tree_has_focus.set(false);
                }
            }
        >
            <For each=move || rows.get() key=|row| row.clone() let:row>
                {tree_row(row, store, editor, focus_key)}
            </For>
        </ul>
    }
}

/// The selection follows the tree: a selected row that an undo removed or a fold hid gives
/// way to its nearest visible ancestor (or the first row), so the toolbar never acts on a
/// node that cannot be seen.
fn selection_follows_the_tree(store: WorkspaceStore, editor: EditorState) {
    let rows = editor.rows;
    Effect::new(move |_| {
        let Some(selected) = editor.selected.get() else { return };
        let visible = |key: &RowKey| rows.with(|rows| rows.iter().any(|row| row.key == *key));
        if visible(&selected) {
            return;
        }
        let fallback = match selected {
            RowKey::Node(node) => {
                store.with_untracked(|workspace| outline::ancestors(&workspace.ai_agent.workflow, node))
            }
            RowKey::Group(_) => Vec::new(),
        }
        .into_iter()
        .rev()
        .find(visible)
        .or_else(|| rows.with(|rows| rows.first().map(|row| row.key)));
        editor.selected.set(fallback);
    });
}

/// A row is drawn again when what it shows changes (its key is the whole row); when the row
/// that had the keyboard focus is redrawn, the focus comes back to its new element.
fn focus_follows_a_redrawn_row(editor: EditorState, focus_key: Memo<Option<RowKey>>, tree_has_focus: RwSignal<bool>) {
    let rows = editor.rows;
    Effect::new(move |_| {
        rows.track();
        if tree_has_focus.get_untracked() {
            request_animation_frame(move || {
                let lost =
                    document().active_element().is_none_or(|element| element == document().body().unwrap().into());
                // The tree may be gone by the next frame (another page, or a test that ended).
                if lost && let Some(key) = focus_key.try_get_untracked().flatten() {
                    editor.select_and_focus(key);
                }
            });
        }
    });
}

/// The tree's keys (`KEYS`): moving between rows, folding and unfolding, and the toolbar's
/// edits on the focused row.
fn tree_keydown(edits: Edits, focus_key: Memo<Option<RowKey>>) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    let (editor, menu, rows) = (edits.editor, edits.menu, edits.editor.rows);
    move |event: leptos::ev::KeyboardEvent| {
        let Some(current) = focus_key.get_untracked() else { return };
        let rows = rows.get_untracked();
        let Some(index) = rows.iter().position(|row| row.key == current) else { return };
        let row = &rows[index];
        let node = match current {
            RowKey::Node(node) => Some(node),
            RowKey::Group(_) => None,
        };
        let control = event.ctrl_key() || event.meta_key();
        let go = |to: usize| {
            if let Some(row) = rows.get(to) {
                editor.select_and_focus(row.key);
            }
        };
        match event.key().as_str() {
            "ArrowUp" if event.alt_key() => node.into_iter().for_each(|node| edits.shift(node, -1)),
            "ArrowDown" if event.alt_key() => node.into_iter().for_each(|node| edits.shift(node, 1)),
            "ArrowDown" => go(index + 1),
            "ArrowUp" => go(index.saturating_sub(1)),
            "Home" => go(0),
            "End" => go(rows.len().saturating_sub(1)),
            "ArrowRight" => match row.expanded {
                Some(false) => editor.collapsed.update(|collapsed| {
                    collapsed.remove(&current);
                }),
                Some(true) => go(index + 1),
                None => {}
            },
            "ArrowLeft" => match row.expanded {
                Some(true) => editor.collapsed.update(|collapsed| {
                    collapsed.insert(current);
                }),
                _ => {
                    if let Some(parent) = rows[..index].iter().rposition(|above| above.level < row.level) {
                        go(parent);
                    }
                }
            },
            "Enter" | " " => editor.select_and_focus(current),
            "Delete" | "Backspace" => node.into_iter().for_each(|node| edits.delete(node)),
            "d" | "D" if control => node.into_iter().for_each(|node| edits.duplicate(node)),
            "Insert" | "a" | "A" if !control => menu.set(Some(Menu::Add)),
            "m" | "M" if !control && node.is_some() => menu.set(Some(Menu::MoveTo)),
            _ => return,
        }
        event.prevent_default();
    }
}

/// The selected row and the focusable row are marked on their rows directly, and moving
/// either touches only the row it leaves and the row it reaches: two attributes on two rows,
/// rather than two reactive attributes on every row of the tree. A row drawn (again) takes
/// its marks from the current selection and focus when it is made (`tree_row`).
fn mark_selected_and_focusable_rows(editor: EditorState, focus_key: Memo<Option<RowKey>>) {
    Effect::new(move |previous: Option<(Option<RowKey>, Option<RowKey>)>| {
        let now = (editor.selected.get(), focus_key.get());
        let mark = |key: Option<RowKey>, name: &str, on: &str, off: &str, set: bool| {
            if let Some(row) = key.and_then(|key| document().get_element_by_id(&key.dom_id())) {
                let _ = row.set_attribute(name, if set { on } else { off });
            }
        };
        if let Some((selected, focus)) = previous {
            mark(selected, "aria-selected", "true", "false", false);
            mark(focus, "tabindex", "0", "-1", false);
        }
        mark(now.0, "aria-selected", "true", "false", true);
        mark(now.1, "tabindex", "0", "-1", true);
        now
    });
}

/// The row an event happened in. The rows' events are handled once, on the tree, for the row
/// the event happened in: a thousand rows then add no listener each (the first render of a
/// large workflow).
fn row_of(rows: Memo<Vec<outline::Row>>, event: &web_sys::Event) -> Option<RowKey> {
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let id = target.closest("[role=treeitem]").ok()??.id();
    rows.with_untracked(|rows| rows.iter().map(|row| row.key).find(|key| key.dom_id() == id))
}

/// A click on a row's twisty folds or unfolds it; anywhere else on the row selects it.
fn on_row_click(editor: EditorState, event: leptos::ev::MouseEvent) {
    let Some(key) = row_of(editor.rows, &event) else { return };
    let on_twisty = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|target| target.class_name() == "twisty");
    if on_twisty {
        editor.collapsed.update(|collapsed| {
            if !collapsed.remove(&key) {
                collapsed.insert(key);
            }
        });
    } else {
        editor.select_and_focus(key);
    }
}

/// Drag and drop of the tree's rows: the node being dragged, the places it may go, and the
/// row marked as where it would drop.
#[derive(Clone, Copy)]
struct DragAndDrop {
    edits: Edits,
    dragging: RwSignal<Option<Dragging>>,
    /// The row marked with `data-drop-target`.
    drop_target: StoredValue<Option<RowKey>>,
}

impl DragAndDrop {
    /// Where the dragged node would go if dropped on this row, when it may go there.
    fn drop_on(self, key: RowKey) -> Option<(NodeId, Place, usize)> {
        let Self { edits: Edits { store, .. }, dragging, .. } = self;
        let drag = dragging.get_untracked()?;
        if key == RowKey::Node(drag.node) {
            return None;
        }
        let (place, index) =
            store.with_untracked(|workspace| outline::drop_place(&workspace.ai_agent.workflow, key, drag.trigger))?;
        drag.places.contains(&place).then_some((drag.node, place, index))
    }

    /// The drop place is marked on its row directly: one attribute on two rows, rather than a
    /// reactive attribute on every row of the tree.
    fn mark_drop_target(self, key: Option<RowKey>) {
        let drop_target = self.drop_target;
        let previous = drop_target.get_value();
        if previous == key {
            return;
        }
        if let Some(row) = previous.and_then(|key| document().get_element_by_id(&key.dom_id())) {
            let _ = row.remove_attribute("data-drop-target");
        }
        if let Some(row) = key.and_then(|key| document().get_element_by_id(&key.dom_id())) {
            let _ = row.set_attribute("data-drop-target", "");
        }
        drop_target.set_value(key);
    }

    fn on_dragstart(self, event: leptos::ev::DragEvent) {
        let Self { edits: Edits { store, editor, .. }, dragging, .. } = self;
        let Some(RowKey::Node(node)) = row_of(editor.rows, &event) else { return };
        if store.with_untracked(|workspace| is_fixed(&workspace.ai_agent.workflow, node)) {
            return;
        }
        let (trigger, places) = store.with_untracked(|workspace| {
            let workflow = &workspace.ai_agent.workflow;
            (workflow.find_trigger(node).is_some(), destinations(workflow, node).unwrap_or_default())
        });
        if let Some(transfer) = event.data_transfer() {
            let _ = transfer.set_data("text/plain", &node.0.to_string());
            transfer.set_effect_allowed("move");
        }
        dragging.set(Some(Dragging { node, trigger, places }));
    }

    fn on_dragover(self, event: leptos::ev::DragEvent) {
        let key = row_of(self.edits.editor.rows, &event).filter(|key| self.drop_on(*key).is_some());
        if key.is_some() {
            event.prevent_default();
        }
        self.mark_drop_target(key);
    }

    fn on_drop(self, event: leptos::ev::DragEvent) {
        event.prevent_default();
        if let Some((node, place, index)) = row_of(self.edits.editor.rows, &event).and_then(|key| self.drop_on(key)) {
            self.edits.move_to(node, place, index);
        }
        self.dragging.set(None);
        self.mark_drop_target(None);
    }

    fn on_dragend(self) {
        self.dragging.set(None);
        self.mark_drop_target(None);
    }
}

/// One row of the tree, made with the selection's and the focus's marks of the moment; later
/// moves of either are marked by `mark_selected_and_focusable_rows`.
fn tree_row(
    row: outline::Row,
    store: WorkspaceStore,
    editor: EditorState,
    focus_key: Memo<Option<RowKey>>,
) -> impl IntoView {
    let key = row.key;
    let selected = editor.selected.get_untracked() == Some(key);
    let focusable = focus_key.get_untracked() == Some(key);
    let node = match key {
        RowKey::Node(node) => Some(node),
        RowKey::Group(_) => None,
    };
    let draggable =
        node.is_some_and(|node| !store.with_untracked(|workspace| is_fixed(&workspace.ai_agent.workflow, node)));
    let twisty = match row.expanded {
        Some(true) => "▾",
        Some(false) => "▸",
        None => "",
    };
    let problem_text = row.problems.clone().map(|(message, count)| {
        let words = if count == 1 { "1 problem".to_owned() } else { format!("{count} problems") };
        (message, words)
    });
    view! {
        <li
            role="treeitem"
            id=key.dom_id()
            class=row_class(node.is_none(), row.disabled, row.problems.is_some())
            style=format!("--level: {}", row.level)
            {..custom_attribute("aria-level", row.level.to_string())}
            aria-posinset=row.position.to_string()
            aria-setsize=row.siblings.to_string()
            aria-expanded=row.expanded.map(|open| open.to_string())
            aria-selected=if selected { "true" } else { "false" }
            tabindex=if focusable { "0" } else { "-1" }
            draggable=draggable.then_some("true")
        >
            <span class="twisty" aria-hidden="true">{twisty}</span>
            <span class="node-icon" aria-hidden="true">{row.icon}</span>
            <span class="node-title">{row.title.clone()}</span>
            {row.extension.then(|| view! { <span class="tag">"extension"</span> })}
            {row.disabled.then(|| view! { <span class="tag">"disabled"</span> })}
            <span class="node-summary">{row.summary.clone()}</span>
            {problem_text.map(|(message, words)| {
                view! { <span class="problem-badge" title=message>"⚠ " {words}</span> }
            })}
        </li>
    }
}

/// A row's classes as one attribute, set once when the row is made.
fn row_class(group: bool, disabled: bool, problem: bool) -> String {
    let mut class = String::from("tree-row");
    for (on, name) in [(group, " group"), (disabled, " disabled"), (problem, " has-problem")] {
        if on {
            class.push_str(name);
        }
    }
    class
}

/// The tree's keys and what they do.
const KEYS: [(&str, &str); 7] = [
    ("↑ ↓ Home End", "choose a node"),
    ("→ ←", "unfold or fold, go to the first child or the parent"),
    ("A or Insert", "add a node here"),
    ("Alt+↑ Alt+↓", "move up or down"),
    ("M", "move to another place"),
    ("Ctrl+D", "duplicate"),
    ("Delete", "delete (Ctrl+Z undoes)"),
];

/// The tree's keys, in words.
pub fn keyboard_help() -> impl IntoView {
    view! {
        <details class="keyboard-help">
            <summary>"Keyboard"</summary>
            <dl id="tree-keys">
                {KEYS.map(|(keys, action)| view! { <dt>{keys}</dt><dd>{action}</dd> }).collect_view()}
            </dl>
        </details>
    }
}
