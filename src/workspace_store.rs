//! The workspace being edited, shared by the editor and the settings page: its undo history,
//! saved after every change, and what to do when stored data cannot be read or saved.
//!
//! `App` provides it; every edit goes through `WorkspaceStore::edit`, so every edit can be undone.
//! Where it is kept is the provider's: the browser's storage on the simulated backend
//! (`provide_workspace_store`), the server on the server (`provide_workspace_store_on_server`,
//! in `on_server.rs`); the pages see the same store either way.

mod on_server;

pub use on_server::{Overtaken, SaveStatus, Saving, ServerSaving, provide_workspace_store_on_server};

use handoff::{Problem, Workspace, load_workspace, starter_workspace, validate, workspace_to_json};
use leptos::prelude::*;

use crate::history::History;
use crate::storage::{self, WORKSPACE_KEY};

/// How many edits undo can take back.
const UNDO_LIMIT: usize = 200;

/// Stored data that could not be read, or edits that could not be saved. Unreadable data stays
/// in storage, untouched, until the admin chooses to start again: never a silent wipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub raw: String,
    pub error: String,
    /// Saving failed (storage full or blocked): the edits are still in the page, unsaved.
    pub unsaved: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct WorkspaceStore {
    pub history: RwSignal<History<Workspace>>,
    pub unreadable: RwSignal<Option<Unreadable>>,
    /// The engine's validation of the present workspace, recomputed once per edit.
    pub problems: Memo<Vec<Problem>>,
}

impl WorkspaceStore {
    /// Reads the present workspace, tracking it.
    pub fn with<R>(&self, read: impl FnOnce(&Workspace) -> R) -> R {
        self.history.with(|history| read(history.present()))
    }

    /// Reads the present workspace without tracking it (in event handlers).
    pub fn with_untracked<R>(&self, read: impl FnOnce(&Workspace) -> R) -> R {
        self.history.with_untracked(|history| read(history.present()))
    }

    /// Applies an edit as one undoable step; a failed edit changes nothing and is not recorded.
    pub fn try_edit<E>(&self, edit: impl FnOnce(&mut Workspace) -> Result<(), E>) -> Result<(), E> {
        let mut next = self.with_untracked(Workspace::clone);
        edit(&mut next)?;
        // Only a real change notifies the pages and becomes an undo step.
        self.history.maybe_update(|history| {
            let changed = *history.present() != next;
            history.record(next);
            changed
        });
        Ok(())
    }

    /// Applies an edit that cannot fail as one undoable step.
    pub fn edit(&self, edit: impl FnOnce(&mut Workspace)) {
        let _ = self.try_edit::<()>(|workspace| {
            edit(workspace);
            Ok(())
        });
    }

    /// Fills the clicked download link with the present workspace as a JSON file, as the click
    /// follows it: the file is written when asked for, so no edit pays for serialising it.
    pub fn fill_download_link(&self, click: &leptos::ev::MouseEvent) {
        use wasm_bindgen::JsCast;
        let href = json_data_url(&self.with_untracked(workspace_to_json));
        if let Some(link) = click.current_target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()) {
            let _ = link.set_attribute("href", &href);
        }
    }

    pub fn undo(&self) {
        self.history.maybe_update(History::undo);
    }

    pub fn redo(&self) {
        self.history.maybe_update(History::redo);
    }

    /// Starts again from the starter workspace, after the admin has been offered the raw data.
    pub fn reset(&self) {
        self.history.set(History::new(starter_workspace(), UNDO_LIMIT));
        self.unreadable.set(None);
    }
}

/// What storage holds, read as a workspace: the first visit gets the starter workspace.
fn initial() -> (Workspace, Option<Unreadable>) {
    match storage::read(WORKSPACE_KEY) {
        Ok(None) => (starter_workspace(), None),
        Ok(Some(raw)) => match load_workspace(&raw) {
            Ok(workspace) => (workspace, None),
            Err(error) => (starter_workspace(), Some(Unreadable { raw, error: error.to_string(), unsaved: false })),
        },
        Err(error) => (starter_workspace(), Some(Unreadable { raw: String::new(), error, unsaved: false })),
    }
}

/// Provides a store holding `workspace`; the caller keeps it somewhere.
fn provide_store(workspace: Workspace, unreadable: Option<Unreadable>) -> WorkspaceStore {
    let history = RwSignal::new(History::new(workspace, UNDO_LIMIT));
    let problems = Memo::new(move |_| history.with(|history| validate(history.present())));
    let store = WorkspaceStore { history, unreadable: RwSignal::new(unreadable), problems };
    provide_context(store);
    store
}

/// Provides the store kept in this browser's storage (the simulated backend); every change is
/// saved, except while unreadable data waits for a decision.
pub fn provide_workspace_store() {
    let (workspace, unreadable) = initial();
    let store = provide_store(workspace, unreadable);
    Effect::new(move |_| {
        let text = store.history.with(|history| workspace_to_json(history.present()));
        if store.unreadable.with(Option::is_none) && storage::write(WORKSPACE_KEY, &text).is_err() {
            // Saving failed (storage full or blocked): say so, keeping the edits in the page.
            let error = "the browser refused to save (its storage may be full or blocked)".to_owned();
            store.unreadable.set(Some(Unreadable { raw: String::new(), error, unsaved: true }));
        }
    });
    // Another tab's edit is adopted here as one undoable step, so two tabs never silently
    // overwrite each other's work.
    let other_tabs = storage::on_change_elsewhere(WORKSPACE_KEY, move |text| {
        let Some(workspace) = text.and_then(|text| load_workspace(&text).ok()) else { return };
        store.history.maybe_update(|history| {
            let changed = *history.present() != workspace;
            history.record(workspace);
            changed
        });
    });
    on_cleanup(move || other_tabs.remove());
}

pub fn use_workspace_store() -> WorkspaceStore {
    expect_context::<WorkspaceStore>()
}

/// A `data:` address holding `text` as a JSON file, for a download link.
fn json_data_url(text: &str) -> String {
    format!("data:application/json;charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// Shown above every page while stored data could not be read or saved, and on the server
/// while another admin's newer version is shown instead of this admin's.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let store = use_workspace_store();
    let overtaken = use_context::<ServerSaving>().map(|server| on_server::overtaken_banner(store, server));
    let unreadable = move || {
        store.unreadable.get().map(|unreadable| {
            if unreadable.unsaved {
                return unsaved_banner(store, unreadable.error).into_any();
            }
            let href = json_data_url(&unreadable.raw);
            view! {
                <div class="banner" role="alert">
                    <p>
                        <strong>"Your saved workspace could not be read. "</strong>
                        {unreadable.error.clone()}
                        ". Nothing has been changed or deleted; until you decide, edits here are not saved."
                    </p>
                    <p class="banner-actions">
                        <a class="button" href=href download="handoff-studio-workspace.json">
                            "Download the saved data"
                        </a>
                        <button type="button" class="button" on:click=move |_| store.reset()>
                            "Start again from the starter workspace"
                        </button>
                    </p>
                </div>
            }
            .into_any()
        })
    };
    view! {
        {unreadable}
        {overtaken}
    }
}

/// Edits that could not be saved: they are offered for download as they are now, and saving
/// can be tried again (after freeing space, or leaving private browsing).
fn unsaved_banner(store: WorkspaceStore, error: String) -> impl IntoView {
    let download = move |event| store.fill_download_link(&event);
    view! {
        <div class="banner" role="alert">
            <p>
                <strong>"Your latest edits could not be saved: "</strong>
                {error}
                ". They are still here, in this page; download them, or try saving again."
            </p>
            <p class="banner-actions">
                <a class="button" href="#" download="handoff-studio-workspace.json" on:click=download>
                    "Download the workspace"
                </a>
                <button type="button" class="button" on:click=move |_| store.unreadable.set(None)>
                    "Try saving again"
                </button>
            </p>
        </div>
    }
}

/// Whether a key press belongs to a text field, whose own undo the browser handles.
fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(element) = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    match element.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => !matches!(element.get_attribute("type").as_deref(), Some("checkbox" | "radio" | "button" | "file")),
        _ => false,
    }
}

/// Undo and Redo buttons for the workspace, with Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y (⌘ on a Mac)
/// while the page that shows them is open.
#[component]
pub fn UndoRedo() -> impl IntoView {
    let store = use_workspace_store();
    let can_undo = Memo::new(move |_| store.history.with(History::can_undo));
    let can_redo = Memo::new(move |_| store.history.with(History::can_redo));
    let shortcuts = window_event_listener(leptos::ev::keydown, move |event| {
        if !(event.ctrl_key() || event.meta_key()) || event.alt_key() || typing_in_a_field(&event) {
            return;
        }
        match event.key().to_lowercase().as_str() {
            "z" if event.shift_key() => store.redo(),
            "z" => store.undo(),
            "y" => store.redo(),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || shortcuts.remove());
    view! {
        <div class="undo-redo" role="group" aria-label="History">
            <button
                type="button"
                class="button"
                aria-keyshortcuts="Control+Z"
                title="Undo (Ctrl+Z)"
                disabled=move || !can_undo.get()
                on:click=move |_| store.undo()
            >
                "Undo"
            </button>
            <button
                type="button"
                class="button"
                aria-keyshortcuts="Control+Shift+Z Control+Y"
                title="Redo (Ctrl+Shift+Z)"
                disabled=move || !can_redo.get()
                on:click=move |_| store.redo()
            >
                "Redo"
            </button>
        </div>
        {use_context::<ServerSaving>().map(on_server::save_status)}
    }
}
