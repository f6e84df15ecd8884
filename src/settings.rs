//! The teamspace settings page: teams, live agents, the AI agent's languages, Chat Assignment and
//! canned replies. Every change is one undoable edit of the shared workspace.

use leptos::prelude::*;

use crate::pages::set_document_title;
use crate::workspace_store::UndoRedo;

#[component]
pub fn SettingsPage() -> impl IntoView {
    set_document_title("Teamspace settings");
    view! {
        <article class="settings">
            <header class="page-header">
                <h1>"Teamspace settings"</h1>
                <UndoRedo/>
            </header>
        </article>
    }
}
