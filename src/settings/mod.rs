//! The teamspace settings page: teams, live agents, the AI agent's languages, Chat Assignment and
//! canned replies. Every change is one undoable edit of the shared workspace, made by a function
//! of `handoff::teamspace_edit`, which holds the rules; this module only shows them.
//!
//! Deleting a team, a live agent or a language that the workflow uses first shows, inline, every
//! place that uses it and what deleting will do; deleting something unused happens at once,
//! since undo can bring it back.

use handoff::teamspace_edit::describe_node;
use handoff::{Referent, Workspace, usages};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::pages::set_document_title;
use crate::workspace_store::UndoRedo;

mod agents;
mod assignment;
mod canned_replies;
mod languages;
mod teams;

#[component]
pub fn SettingsPage() -> AnyView {
    set_document_title("Teamspace settings");
    // The outcome of the last deletion, read out politely by screen readers.
    let status = RwSignal::new(String::new());
    view! {
        <article class="settings">
            <header class="page-header">
                <h1>"Teamspace settings"</h1>
                <UndoRedo/>
            </header>
            <p class="settings-status" role="status">
                {move || status.get()}
            </p>
            <teams::Teams status/>
            <agents::Agents status/>
            <languages::Languages status/>
            <assignment::ChatAssignment/>
            <canned_replies::CannedReplies/>
        </article>
    }
    .into_any()
}

/// Adds what the admin typed in an add form as one edit: on success the field empties, on a
/// refusal the field keeps its text and the message says why.
fn add_from_form<E: std::fmt::Display>(
    store: crate::workspace_store::WorkspaceStore,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    add: impl FnOnce(&mut Workspace, &str) -> Result<(), E>,
) {
    let text = draft.get_untracked();
    match store.try_edit(|workspace| add(workspace, &text)) {
        Ok(()) => {
            draft.set(String::new());
            error.set(None);
        }
        Err(refusal) => error.set(Some(refusal.to_string())),
    }
}

/// What to ask before deleting something the workflow may use.
#[derive(Debug, Clone)]
struct DeleteQuestion {
    /// A unique prefix for the confirmation's element ids.
    id: String,
    consequence: &'static str,
    confirm_label: &'static str,
}

/// The Delete button's click handler and the confirmation shown under the row. Something the
/// workflow does not use (`places` is empty) is deleted at once, since undo brings it back;
/// otherwise the confirmation first lists the places and says what deleting will do.
fn ask_before_deleting(
    question: DeleteQuestion,
    ask: impl Fn() -> String + Copy + Send + Sync + 'static,
    places: impl Fn() -> Vec<String> + Copy + Send + Sync + 'static,
    delete: impl Fn() + Copy + Send + Sync + 'static,
) -> (impl Fn(leptos::ev::MouseEvent) + Copy, impl Fn() -> Option<AnyView>) {
    let confirming = RwSignal::new(false);
    let click = move |_| {
        if places().is_empty() {
            delete();
        } else {
            confirming.set(true);
        }
    };
    let question = StoredValue::new(question);
    let confirmation = move || {
        confirming.get().then(|| {
            let DeleteQuestion { id, consequence, confirm_label } = question.get_value();
            view! {
                <ConfirmDelete
                    id
                    question=ask()
                    places=places()
                    consequence
                    confirm_label
                    on_confirm=Callback::new(move |()| delete())
                    on_cancel=Callback::new(move |()| confirming.set(false))
                />
            }
            .into_any()
        })
    };
    (click, confirmation)
}

/// An inline confirmation before deleting something the workflow uses: what it is, every place
/// that uses it, what deleting will do, and Delete and Cancel. Cancel has the focus, so a
/// second press of Enter never deletes by accident.
#[component]
fn ConfirmDelete(
    /// A unique prefix for the element ids.
    id: String,
    /// The question, such as `Delete team “Billing”?`.
    question: String,
    places: Vec<String>,
    consequence: &'static str,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> AnyView {
    let cancel = NodeRef::<leptos::html::Button>::new();
    cancel.on_load(|button| {
        let _ = button.focus();
    });
    // The control that asked (the row's Delete button) gets the focus back on Cancel.
    let opener = StoredValue::new_local(
        document().active_element().and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    let on_cancel = Callback::new(move |()| {
        let opener = opener.try_get_value().flatten();
        on_cancel.run(());
        if let Some(opener) = opener {
            let _ = opener.focus();
        }
    });
    let title_id = format!("{id}-title");
    let consequence_id = format!("{id}-consequence");
    let (labelled_by, described_by) = (title_id.clone(), consequence_id.clone());
    view! {
        <div
            class="confirm"
            role="alertdialog"
            aria-labelledby=labelled_by
            aria-describedby=described_by
        >
            <p id=title_id class="confirm-question">
                {question}
            </p>
            <p>"The workflow uses it in these places:"</p>
            <ul class="confirm-places">
                {places.into_iter().map(|place| view! { <li>{place}</li> }).collect_view()}
            </ul>
            <p id=consequence_id>{consequence}</p>
            <div class="confirm-actions">
                <button type="button" class="button danger" on:click=move |_| on_confirm.run(())>
                    {confirm_label}
                </button>
                <button type="button" class="button" node_ref=cancel on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// Where the workflow lists a team or a live agent, one line a place, in words.
fn places_listing(workspace: &Workspace, referent: Referent) -> Vec<String> {
    usages(workspace, referent)
        .into_iter()
        .map(|usage| {
            let list = match &usage.language {
                None => "the default list".to_owned(),
                Some(language) => format!("the list for {language}"),
            };
            format!("{}: {list} ({})", describe_node(workspace, usage.node), usage.path)
        })
        .collect()
}

/// Moves the keyboard focus to a section's heading, after the control that had it was deleted.
fn focus_heading(id: &str) {
    if let Some(heading) =
        document().get_element_by_id(id).and_then(|found| found.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = heading.focus();
    }
}

/// A labelled text input, or text area, with an optional hint and the refusal of its last change
/// tied to it. Either it commits each change (`commit` answers the refusal, if any), or it is a
/// draft that its form commits (`draft` follows every keystroke, `error` shows the form's refusal).
/// One component for every text field of the page keeps the page's code small.
#[component]
fn TextField(
    label: &'static str,
    /// The input's id; its hint and error get `-hint` and `-error` after it.
    id: String,
    value: Signal<String>,
    #[prop(optional)] commit: Option<Callback<String, Option<String>>>,
    #[prop(optional)] draft: Option<RwSignal<String>>,
    #[prop(optional)] error: Option<RwSignal<Option<String>>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    /// Whole numbers only: phones show a number pad.
    #[prop(optional)]
    numeric: bool,
    #[prop(optional)] class: &'static str,
) -> AnyView {
    let error = error.unwrap_or_else(|| RwSignal::new(None));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.as_str());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || if error.with(Option::is_some) { "true" } else { "false" };
    let on_input = move |event| {
        if let Some(draft) = draft {
            draft.set(event_target_value(&event));
        }
    };
    let on_change = move |event| {
        if let Some(commit) = commit {
            error.set(commit.run(event_target_value(&event)));
        }
    };
    let control = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="2"
                prop:value=value
                on:input=on_input
                on:change=on_change
                aria-invalid=invalid
                aria-describedby=described_by
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                inputmode=numeric.then_some("numeric")
                id=id.clone()
                prop:value=value
                on:input=on_input
                on:change=on_change
                aria-invalid=invalid
                aria-describedby=described_by
            />
        }
        .into_any()
    };
    view! {
        <div class=format!("field {class}")>
            <label for=id>{label}</label>
            {control}
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id>{hint}</p> })}
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
    .into_any()
}
