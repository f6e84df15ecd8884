//! The workflow editor: the AI agent's workflow drawn as a tree, a settings panel for the
//! selected node, the problems list, undo and redo, import and export.

use leptos::prelude::*;

use crate::pages::set_document_title;
use crate::workspace_store::UndoRedo;

#[component]
pub fn EditorPage() -> impl IntoView {
    set_document_title("Workflow editor");
    view! {
        <article class="editor">
            <header class="page-header">
                <h1>"Workflow editor"</h1>
                <UndoRedo/>
            </header>
        </article>
    }
}
