//! The Chat Assignment section: the method that picks an assignee and the "Auto-assigned chats"
//! cap.

use handoff::teamspace_edit::{ASSIGNMENT_METHODS, set_auto_assign_cap};
use leptos::prelude::*;

use super::TextField;
use crate::workspace_store::use_workspace_store;

#[component]
pub(super) fn ChatAssignment() -> AnyView {
    let store = use_workspace_store();
    let method = move || store.with(|workspace| workspace.teamspace.assignment.method);
    let cap = move || store.with(|workspace| workspace.teamspace.assignment.auto_assign_cap.to_string());
    let change_cap = Callback::new(move |typed: String| {
        store
            .try_edit(|workspace| set_auto_assign_cap(workspace, &typed).map(drop))
            .err()
            .map(|refusal| refusal.to_string())
    });
    let methods = ASSIGNMENT_METHODS
        .iter()
        .enumerate()
        .map(|(index, &(choice, name, explanation))| {
            let id = format!("assignment-method-{index}");
            let hint = format!("{id}-hint");
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        name="assignment-method"
                        id=id.clone()
                        aria-describedby=hint.clone()
                        prop:checked=move || method() == choice
                        on:change=move |_| store.edit(|workspace| workspace.teamspace.assignment.method = choice)
                    />
                    <label for=id>{name}</label>
                    <p class="field-hint" id=hint>
                        {explanation}
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="settings-section" aria-labelledby="assignment-heading">
            <h2 id="assignment-heading">"Chat Assignment"</h2>
            <fieldset class="choices">
                <legend>"Who among the eligible live agents gets a handed-off chat"</legend>
                {methods}
            </fieldset>
            <TextField
                label="Auto-assigned chats"
                id="auto-assign-cap".to_owned()
                value=Signal::derive(cap)
                commit=change_cap
                hint="The most chats Balanced, Round robin and Random give one agent. A claim or a transfer may go above it; when everyone eligible is at the cap, chats wait in the Pending queue."
                numeric=true
                class="narrow"
            />
        </section>
    }
    .into_any()
}
