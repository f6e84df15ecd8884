//! The workspace being edited, shared by the editor and the settings page: its undo history,
//! saved to browser storage after every change, and what to do when stored data cannot be read.
//!
//! Not yet provided by `App`: the editor and the settings page will, when they are built. Until
//! then the shell stays within its download budget; the component tests mount it on its own.

use handoff::{Workspace, load_workspace, starter_workspace, workspace_to_json};
use leptos::prelude::*;

use crate::history::History;
use crate::storage::{self, WORKSPACE_KEY};

/// How many edits undo can take back.
const UNDO_LIMIT: usize = 200;

/// Stored data that could not be read. It stays in storage, untouched, until the admin chooses
/// to start again: never a silent wipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub raw: String,
    pub error: String,
}

#[derive(Debug, Clone, Copy)]
pub struct WorkspaceStore {
    pub history: RwSignal<History<Workspace>>,
    pub unreadable: RwSignal<Option<Unreadable>>,
}

impl WorkspaceStore {
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
            Err(error) => (starter_workspace(), Some(Unreadable { raw, error: error.to_string() })),
        },
        Err(error) => (starter_workspace(), Some(Unreadable { raw: String::new(), error })),
    }
}

/// Provides the store; every change is saved, except while unreadable data waits for a decision.
pub fn provide_workspace_store() {
    let (workspace, unreadable) = initial();
    let store = WorkspaceStore {
        history: RwSignal::new(History::new(workspace, UNDO_LIMIT)),
        unreadable: RwSignal::new(unreadable),
    };
    Effect::new(move |_| {
        let text = store.history.with(|history| workspace_to_json(history.present()));
        if store.unreadable.with(Option::is_none) && storage::write(WORKSPACE_KEY, &text).is_err() {
            // Saving failed (storage full or blocked): say so the same way, keeping the edits.
            store.unreadable.set(Some(Unreadable { raw: text, error: "the browser refused to save".to_owned() }));
        }
    });
    provide_context(store);
}

pub fn use_workspace_store() -> WorkspaceStore {
    expect_context::<WorkspaceStore>()
}

/// Shown above every page while stored data could not be read or saved.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let store = use_workspace_store();
    move || {
        store.unreadable.get().map(|unreadable| {
            let href = format!(
                "data:application/json;charset=utf-8,{}",
                String::from(js_sys::encode_uri_component(&unreadable.raw))
            );
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
        })
    }
}
