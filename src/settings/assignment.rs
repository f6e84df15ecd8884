//! The Chat Assignment section: the method that picks an assignee and the "Auto-assigned chats"
//! cap.

use handoff::teamspace_edit::ASSIGNMENT_METHODS;
use leptos::prelude::*;

use super::model::Field;
use super::{Changed, Flag, Shape, Source, flag, on_change, text_field};
use crate::workspace_store::WorkspaceStore;

pub(super) fn section(store: WorkspaceStore) -> AnyView {
    let methods = ASSIGNMENT_METHODS
        .iter()
        .enumerate()
        .map(|(index, &(choice, name, explanation))| {
            let id = format!("assignment-method-{index}");
            let hint = format!("{id}-hint");
            let checked = flag(store, Flag::Method(choice));
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        name="assignment-method"
                        id=id.clone()
                        aria-describedby=hint.clone()
                        prop:checked=move || checked()
                        on:change=on_change(store, Changed::Method(choice))
                    />
                    <label for=id>{name}</label>
                    <p class="field-hint" id=hint>
                        {explanation}
                    </p>
                </div>
            }
        })
        .collect_view();
    super::section(
        "assignment-heading",
        "Chat Assignment",
        false,
        None,
        vec![
            view! {
                <fieldset class="choices">
                    <legend>"Who among the eligible live agents gets a handed-off chat"</legend>
                    {methods}
                </fieldset>
            }
            .into_any(),
            text_field(
                store,
                "Auto-assigned chats",
                "auto-assign-cap".to_owned(),
                Source::Commit(Field::AutoAssignCap),
                Some(
                    "The most chats Balanced, Round robin and Random give one agent. A claim or a transfer may go above it; when everyone eligible is at the cap, chats wait in the Pending queue.",
                ),
                Shape::Number,
                "narrow",
            ),
        ],
    )
}
