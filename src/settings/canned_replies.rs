//! The Canned replies section: the answers live agents insert by typing `/` and a shortcut.

use handoff::SettingsError;
use handoff::teamspace_edit::{add_canned_reply, remove_canned_reply, update_canned_reply};
use handoff::workspace::CannedReply;
use leptos::prelude::*;

use super::{TextField, focus_heading};
use crate::workspace_store::use_workspace_store;

#[component]
pub(super) fn CannedReplies() -> AnyView {
    let store = use_workspace_store();
    let shortcut = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let shortcut_error = RwSignal::new(None::<String>);
    let text_error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let added =
            store.try_edit(|workspace| add_canned_reply(workspace, &shortcut.get_untracked(), &text.get_untracked()));
        shortcut_error.set(None);
        text_error.set(None);
        match added {
            Ok(()) => {
                shortcut.set(String::new());
                text.set(String::new());
            }
            Err(refusal @ SettingsError::EmptyReplyText) => text_error.set(Some(refusal.to_string())),
            Err(refusal) => shortcut_error.set(Some(refusal.to_string())),
        }
    };
    view! {
        <section class="settings-section" aria-labelledby="canned-replies-heading">
            <h2 id="canned-replies-heading" tabindex="-1">
                "Canned replies"
            </h2>
            <p class="field-hint">"Live agents insert one by typing / and its shortcut in the reply box."</p>
            <ul class="settings-list">
                // Replies have no id of their own, so rows follow their position: editing a
                // shortcut keeps the row, and the focus, where it is.
                <For
                    each=move || 0..store.with(|workspace| workspace.teamspace.canned_replies.len())
                    key=|index| *index
                    let:index
                >
                    <ReplyRow index/>
                </For>
            </ul>
            <form class="add-form" on:submit=add>
                <TextField
                    label="New shortcut"
                    id="new-reply".to_owned()
                    value=shortcut.into()
                    draft=shortcut
                    error=shortcut_error
                    class="narrow"
                />
                <TextField
                    label="Text"
                    id="new-reply-text".to_owned()
                    value=text.into()
                    draft=text
                    error=text_error
                    multiline=true
                    class="grow"
                />
                <button type="submit" class="button">
                    "Add canned reply"
                </button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ReplyRow(index: usize) -> AnyView {
    let store = use_workspace_store();
    let reply = move || store.with(|workspace| workspace.teamspace.canned_replies.get(index).cloned());
    // Commits the row with one part changed and the other as stored; answers the refusal.
    let update = move |change: &dyn Fn(&mut CannedReply)| {
        let mut changed = store.with_untracked(|workspace| workspace.teamspace.canned_replies.get(index).cloned())?;
        change(&mut changed);
        store
            .try_edit(|workspace| update_canned_reply(workspace, index, &changed.shortcut, &changed.text))
            .err()
            .map(|refusal| refusal.to_string())
    };
    let delete = move |_| {
        if store.try_edit(|workspace| remove_canned_reply(workspace, index)).is_ok() {
            focus_heading("canned-replies-heading");
        }
    };
    let shortcut = move || reply().map(|reply| reply.shortcut).unwrap_or_default();
    let text = move || reply().map(|reply| reply.text).unwrap_or_default();
    view! {
        <li class="settings-item">
            <div class="settings-fields">
                <TextField
                    label="Shortcut"
                    id=format!("reply-{index}-shortcut")
                    value=Signal::derive(shortcut)
                    commit=Callback::new(move |typed: String| update(&|reply| reply.shortcut = typed.clone()))
                    class="narrow"
                />
                <TextField
                    label="Text"
                    id=format!("reply-{index}-text")
                    value=Signal::derive(text)
                    commit=Callback::new(move |typed: String| update(&|reply| reply.text = typed.clone()))
                    multiline=true
                    class="grow"
                />
                <button
                    type="button"
                    class="button danger"
                    on:click=delete
                    aria-label=move || format!("Delete canned reply /{}", shortcut())
                >
                    "Delete"
                </button>
            </div>
        </li>
    }
    .into_any()
}
