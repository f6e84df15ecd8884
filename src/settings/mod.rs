//! The teamspace settings page: teams, live agents, the AI agent's languages, Chat Assignment and
//! canned replies. Every change is one undoable edit of the shared workspace, made by a function
//! of `handoff::teamspace_edit`, which holds the rules; this module only shows them.
//!
//! Deleting a team, a live agent or a language that the workflow uses first shows, inline, every
//! place that uses it and what deleting will do; deleting something unused happens at once,
//! since undo can bring it back.
//!
//! The views are a few plain functions shared by every section, driven by the values of `model`
//! (which list, which row, which text): one closure, effect or `<For>` of Leptos is code of its
//! own in the wasm for each place it is written, so writing each once keeps the download small.

// `attr=move || value()` is not redundant: with `erase_components`, `view!` compiles a closure
// written in place once for every closure of its output type, and anything else once per type.
#![allow(clippy::redundant_closure)]

use handoff::teamspace_edit::{set_assignment_method, set_default_language, set_membership, set_role};
use handoff::workspace::Role;
use handoff::{AgentId, AssignmentMethod, Language, SettingsError, TeamId, Workspace};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::pages::set_document_title;
use crate::workspace_store::{UndoRedo, WorkspaceStore, use_workspace_store};
use model::{Field, Item, List, Text};

mod agents;
mod assignment;
mod canned_replies;
mod languages;
mod model;
mod passwords;
mod teams;

#[component]
pub fn SettingsPage() -> AnyView {
    set_document_title("Teamspace settings");
    let store = use_workspace_store();
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
            {teams::section(store, status)}
            {agents::section(store, status)}
            {languages::section(store, status)}
            {assignment::section(store)}
            {canned_replies::section(store, status)}
        </article>
    }
    .into_any()
}

/// Makes one undoable edit; a refusal changes nothing. Every edit of the page goes through here.
fn change(
    store: WorkspaceStore,
    edit: &mut dyn FnMut(&mut Workspace) -> Result<(), SettingsError>,
) -> Result<(), SettingsError> {
    store.try_edit(|workspace| edit(workspace))
}

/// A section with its heading (focusable when deleting a row sends the focus to it) and hint.
fn section(
    heading: &'static str,
    title: &'static str,
    focusable: bool,
    hint: Option<&'static str>,
    body: Vec<AnyView>,
) -> AnyView {
    view! {
        <section class="settings-section" aria-labelledby=heading>
            <h2 id=heading tabindex=focusable.then_some("-1")>
                {title}
            </h2>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            {body}
        </section>
    }
    .into_any()
}

/// A text that follows the workspace. Views call it from a closure written in place, which
/// Leptos compiles once for every closure of its output type (see `erase_components`).
fn text(store: WorkspaceStore, text: Text) -> impl Fn() -> String + Send + Sync + 'static {
    move || store.with(|workspace| text.read(workspace))
}

/// A checkbox's, radio button's or option's state.
#[derive(Debug, Clone)]
enum Flag {
    Member { team: TeamId, agent: AgentId },
    DefaultLanguage(Language),
    Method(AssignmentMethod),
    Role(Choice, Role),
}

fn flag(store: WorkspaceStore, flag: Flag) -> impl Fn() -> bool + Send + Sync + 'static {
    move || match &flag {
        Flag::Member { team, agent } => {
            store.with(|workspace| workspace.teamspace.agent(*agent).is_some_and(|found| found.teams.contains(team)))
        }
        Flag::DefaultLanguage(language) => store.with(|workspace| workspace.ai_agent.default_language == *language),
        Flag::Method(method) => store.with(|workspace| workspace.teamspace.assignment.method == *method),
        Flag::Role(Choice::Role(agent), role) => {
            store.with(|workspace| workspace.teamspace.agent(*agent).map_or(Role::Agent, |found| found.role)) == *role
        }
        Flag::Role(Choice::NewRole(chosen), role) => chosen.get() == *role,
        Flag::Role(Choice::DefaultLanguage, _) => false,
    }
}

/// What a select changes.
#[derive(Debug, Clone, Copy)]
enum Choice {
    DefaultLanguage,
    Role(AgentId),
    /// The role of the live agent the add form will add.
    NewRole(RwSignal<Role>),
}

/// A labelled select.
fn select(
    store: WorkspaceStore,
    label: &'static str,
    class: Option<&'static str>,
    choice: Choice,
    options: Vec<AnyView>,
) -> AnyView {
    view! {
        <label class=class>
            {label}
            <select on:change=on_change(store, Changed::Choice(choice))>{options}</select>
        </label>
    }
    .into_any()
}

/// An `<option>`. Its `selected` property is set rather than the select's `value`, which the
/// browser ignores before the options exist.
fn option(store: WorkspaceStore, value: String, label: String, selected: Flag) -> AnyView {
    let selected = flag(store, selected);
    view! {
        <option value=value prop:selected=move || selected()>
            {label}
        </option>
    }
    .into_any()
}

/// The two roles as the options of a select.
fn role_options(store: WorkspaceStore, choice: Choice) -> Vec<AnyView> {
    [(Role::Agent, "agent", "Agent"), (Role::Admin, "admin", "Admin")]
        .map(|(role, value, label)| option(store, value.to_owned(), label.to_owned(), Flag::Role(choice, role)))
        .into()
}

/// A keyed list: the page's one `<For>`, whose rows `item_view` draws.
fn keyed(store: WorkspaceStore, list: List, status: RwSignal<String>) -> AnyView {
    view! {
        <For
            each=move || store.with(|workspace| list.items(workspace))
            key=Item::clone
            children=move |item| untrack(|| item_view(store, item, status))
        />
    }
    .into_any()
}

fn item_view(store: WorkspaceStore, item: Item, status: RwSignal<String>) -> AnyView {
    let fields = match &item {
        Item::Member { team, agent, show_team } => return check(store, *team, *agent, *show_team),
        Item::LanguageOption(language) => {
            let name = crate::editor::outline::language_name(language);
            return option(store, language.0.clone(), name, Flag::DefaultLanguage(language.clone()));
        }
        Item::Team(team) => teams::fields(store, *team, status),
        Item::Agent(agent) => agents::fields(store, *agent, status),
        Item::Language(language) => languages::fields(language),
        Item::CannedReply(index) => canned_replies::fields(store, *index),
    };
    row(store, item, fields, status)
}

/// One checkbox: whether the agent is in the team. The agents section shows the same choice
/// from the agent's side.
fn check(store: WorkspaceStore, team: TeamId, agent: AgentId, show_team: bool) -> AnyView {
    let label = text(store, Text::Field(if show_team { Field::TeamName(team) } else { Field::AgentName(agent) }));
    let checked = flag(store, Flag::Member { team, agent });
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || checked() on:change=on_change(store, Changed::Member { team, agent })/>
            {move || label()}
        </label>
    }
    .into_any()
}

/// The checkboxes of a team's members, or of an agent's teams.
fn checks(store: WorkspaceStore, legend: Text, list: List, status: RwSignal<String>) -> AnyView {
    let legend = text(store, legend);
    view! {
        <fieldset class="checks">
            <legend>{move || legend()}</legend>
            {keyed(store, list, status)}
        </fieldset>
    }
    .into_any()
}

/// A row with its fields and a delete button. Something the workflow does not use is deleted at
/// once, since undo brings it back; otherwise a confirmation under the row first lists the
/// places and says what deleting will do.
fn row(store: WorkspaceStore, item: Item, fields: Vec<AnyView>, status: RwSignal<String>) -> AnyView {
    let label = text(store, Text::DeleteLabel(item.clone()));
    let button = item.delete_button();
    let item = StoredValue::new(item);
    let confirming = RwSignal::new(false);
    view! {
        <li class="settings-item">
            <div class="settings-fields">
                {fields}
                <button type="button" class="button danger" on:click=on_click(store, Clicked::Ask { item, confirming, status })
                    aria-label=move || label()
                >
                    {button}
                </button>
            </div>
            {move || confirming.get().then(|| untrack(|| confirm_delete(store, item, confirming, status)))}
        </li>
    }
    .into_any()
}

/// Deletes the row's thing as one edit, says so, and moves the focus to the section's heading,
/// since the control that had it is gone.
fn delete(store: WorkspaceStore, item: StoredValue<Item>, status: RwSignal<String>) {
    let item = item.get_value();
    let name = store.with_untracked(|workspace| item.name(workspace));
    if change(store, &mut |workspace| item.delete(workspace)).is_ok() {
        if let Some(said) = item.deleted(&name) {
            status.set(said);
        }
        focus_heading(item.heading());
    }
}

/// An inline confirmation before deleting something the workflow uses: what it is, every place
/// that uses it, what deleting will do, and Delete and Cancel. Cancel has the focus, so a
/// second press of Enter never deletes by accident.
fn confirm_delete(
    store: WorkspaceStore,
    item: StoredValue<Item>,
    confirming: RwSignal<bool>,
    status: RwSignal<String>,
) -> AnyView {
    let (question, places) =
        item.with_value(|item| store.with_untracked(|workspace| (item.question(workspace), item.places(workspace))));
    let id = question.id;
    let title_id = format!("{id}-title");
    // Cancel takes the focus once the confirmation is drawn.
    let cancel = format!("#{title_id} ~ .confirm-actions > button:last-child");
    request_animation_frame(move || {
        if let Ok(Some(button)) = document().query_selector(&cancel) {
            let _ = button.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    // The control that asked (the row's Delete button) gets the focus back on Cancel.
    let opener = document().active_element().and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
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
                {question.question}
            </p>
            <p>"The workflow uses it in these places:"</p>
            <ul class="confirm-places">
                {places.into_iter().map(|place| view! { <li>{place}</li> }).collect_view()}
            </ul>
            <p id=consequence_id>{question.consequence}</p>
            <div class="confirm-actions">
                <button type="button" class="button danger" on:click=on_click(store, Clicked::Delete { item, status })>
                    {question.confirm_label}
                </button>
                <button type="button" class="button" on:click=on_click(store, Clicked::Cancel { confirming, opener })>
                    "Cancel"
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// Moves the keyboard focus to a section's heading, after the control that had it was deleted.
fn focus_heading(id: &str) {
    if let Some(heading) =
        document().get_element_by_id(id).and_then(|found| found.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = heading.focus();
    }
}

/// What the admin types into an add form's field, and the form's refusal shown under it.
#[derive(Debug, Clone, Copy)]
struct Draft {
    text: RwSignal<String>,
    error: RwSignal<Option<String>>,
}

impl Draft {
    fn new() -> Self {
        Draft { text: RwSignal::new(String::new()), error: RwSignal::new(None) }
    }
}

/// What an add form adds.
#[derive(Debug, Clone, Copy)]
enum New {
    Team,
    Agent(RwSignal<Role>),
    Language,
    CannedReply,
}

/// An add form. What the admin typed is added as one edit: on success the fields empty, on a
/// refusal they keep their text and the message under the field at fault says why (a reply's
/// missing text under the second field, anything else under the first).
fn add_form(
    store: WorkspaceStore,
    new: New,
    drafts: [Draft; 2],
    fields: Vec<AnyView>,
    button: &'static str,
) -> AnyView {
    use handoff::teamspace_edit::{add_agent, add_canned_reply, add_language, add_team};
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let [first, second] = drafts.map(|draft| draft.text.get_untracked());
        let added = change(store, &mut |workspace| match new {
            New::Team => add_team(workspace, &first).map(drop),
            New::Agent(role) => add_agent(workspace, &first, role.get_untracked()).map(drop),
            New::Language => add_language(workspace, &first).map(drop),
            New::CannedReply => add_canned_reply(workspace, &first, &second),
        });
        let at_fault = match &added {
            Ok(()) => 2,
            Err(SettingsError::EmptyReplyText) => 1,
            Err(_) => 0,
        };
        for (index, draft) in drafts.into_iter().enumerate() {
            if added.is_ok() {
                draft.text.set(String::new());
            }
            draft.error.set(added.as_ref().err().filter(|_| index == at_fault).map(ToString::to_string));
        }
    };
    view! {
        <form class="add-form" on:submit=add>
            {fields}
            <button type="submit" class="button">
                {button}
            </button>
        </form>
    }
    .into_any()
}

/// Where a text field's text goes.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Into the workspace on each change; a refusal shows under the field.
    Commit(Field),
    /// Into a draft that its form adds.
    Draft(Draft),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Line,
    /// Whole numbers only: phones show a number pad.
    Number,
    Lines,
}

/// A labelled text input, or text area, with an optional hint and the refusal of its last change
/// tied to it. One function for every text field of the page keeps the page's code small.
fn text_field(
    store: WorkspaceStore,
    label: &'static str,
    // The input's id; its hint and error get `-hint` and `-error` after it.
    id: String,
    source: Source,
    hint: Option<&'static str>,
    shape: Shape,
    class: &'static str,
) -> AnyView {
    let error = match source {
        Source::Commit(_) => RwSignal::new(None),
        Source::Draft(draft) => draft.error,
    };
    let value = move || match source {
        Source::Commit(field) => store.with(|workspace| field.value(workspace)),
        Source::Draft(draft) => draft.text.get(),
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = String::new();
            if hint.is_some() {
                ids += &hint_id;
            }
            if error.with(Option::is_some) {
                if !ids.is_empty() {
                    ids += " ";
                }
                ids += &error_id;
            }
            (!ids.is_empty()).then_some(ids)
        }
    };
    let invalid = move || if error.with(Option::is_some) { "true" } else { "false" };
    let on_input = move |event| {
        if let Source::Draft(draft) = source {
            draft.text.set(event_target_value(&event));
        }
    };
    let on_change = move || {
        on_change(
            store,
            if let Source::Commit(field) = source { Changed::Field(field, error) } else { Changed::Nothing },
        )
    };
    let control = if shape == Shape::Lines {
        view! {
            <textarea
                id=id.clone()
                rows="2"
                prop:value=move || value()
                on:input=on_input
                on:change=on_change()
                aria-invalid=move || invalid()
                aria-describedby=move || described_by()
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                inputmode=(shape == Shape::Number).then_some("numeric")
                id=id.clone()
                prop:value=move || value()
                on:input=on_input
                on:change=on_change()
                aria-invalid=move || invalid()
                aria-describedby=move || described_by()
            />
        }
        .into_any()
    };
    view! {
        <div class=format!("field {class}")>
            <label for=id>{label}</label>
            {control}
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id>{hint}</p> })}
            // Every reactive closure of the page that may show a part gives an `AnyView`, so that
            // Leptos compiles its rendering once.
            {move || {
                error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> }.into_any())
            }}
        </div>
    }
    .into_any()
}

/// A section's list of rows.
fn list(
    store: WorkspaceStore,
    list: List,
    status: RwSignal<String>,
    class: &'static str,
    labelled_by: Option<&'static str>,
) -> AnyView {
    view! {
        <ul class=class aria-labelledby=labelled_by>
            {keyed(store, list, status)}
        </ul>
    }
    .into_any()
}

/// What a `change` event changes. One handler for every `change` of the page, since each
/// distinct handler is code of its own.
#[derive(Debug, Clone, Copy)]
enum Changed {
    Choice(Choice),
    Member {
        team: TeamId,
        agent: AgentId,
    },
    Method(AssignmentMethod),
    /// A text field that commits, and where its refusal shows.
    Field(Field, RwSignal<Option<String>>),
    Nothing,
}

fn on_change(store: WorkspaceStore, changed: Changed) -> impl FnMut(leptos::ev::Event) + 'static {
    move |event| {
        let value = event_target_value(&event);
        let role = if value == "admin" { Role::Admin } else { Role::Agent };
        // A refused choice or checkbox changes nothing, and the control shows the workspace again.
        let refusal = match changed {
            Changed::Choice(Choice::DefaultLanguage) => {
                change(store, &mut |workspace| set_default_language(workspace, &Language(value.clone())))
            }
            Changed::Choice(Choice::Role(agent)) => change(store, &mut |workspace| set_role(workspace, agent, role)),
            Changed::Choice(Choice::NewRole(chosen)) => {
                chosen.set(role);
                Ok(())
            }
            Changed::Member { team, agent } => {
                let member = event_target_checked(&event);
                change(store, &mut |workspace| set_membership(workspace, agent, team, member))
            }
            Changed::Method(method) => change(store, &mut |workspace| {
                set_assignment_method(workspace, method);
                Ok(())
            }),
            Changed::Field(field, error) => {
                let refusal = change(store, &mut |workspace| field.commit(workspace, &value));
                error.set(refusal.err().map(|refusal| refusal.to_string()));
                Ok(())
            }
            Changed::Nothing => Ok(()),
        };
        drop(refusal);
    }
}

/// What a click on one of the page's buttons does (one handler for all, as for `change`).
enum Clicked {
    /// A row's delete button.
    Ask { item: StoredValue<Item>, confirming: RwSignal<bool>, status: RwSignal<String> },
    /// Delete in a confirmation.
    Delete { item: StoredValue<Item>, status: RwSignal<String> },
    /// Cancel in a confirmation: the control that asked (the row's Delete button) gets the focus
    /// back.
    Cancel { confirming: RwSignal<bool>, opener: Option<web_sys::HtmlElement> },
}

fn on_click(store: WorkspaceStore, clicked: Clicked) -> impl FnMut(leptos::ev::MouseEvent) + 'static {
    move |_| match &clicked {
        Clicked::Ask { item, confirming, status } => {
            if item.with_value(|item| store.with_untracked(|workspace| item.places(workspace).is_empty())) {
                delete(store, *item, *status);
            } else {
                confirming.set(true);
            }
        }
        Clicked::Delete { item, status } => delete(store, *item, *status),
        Clicked::Cancel { confirming, opener } => {
            confirming.set(false);
            if let Some(opener) = opener {
                let _ = opener.focus();
            }
        }
    }
}
