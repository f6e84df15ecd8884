//! The Live agents section: add, rename and delete live agents, their role and their teams.

use handoff::teamspace_edit::{add_agent, remove_agent, rename_agent, set_role};
use handoff::workspace::Role;
use handoff::{AgentId, Referent};
use leptos::prelude::*;

use super::teams::MemberCheck;
use super::{DeleteQuestion, TextField, ask_before_deleting, focus_heading, places_listing};
use crate::workspace_store::{WorkspaceStore, use_workspace_store};

fn role_from(value: &str) -> Role {
    if value == "admin" { Role::Admin } else { Role::Agent }
}

/// The two roles as `<option>`s, `chosen` selected. The options' `selected` property is set
/// rather than the select's `value`, which the browser ignores before the options exist.
fn role_options(chosen: impl Fn() -> Role + Copy + Send + Sync + 'static) -> impl IntoView {
    view! {
        <option value="agent" prop:selected=move || chosen() == Role::Agent>"Agent"</option>
        <option value="admin" prop:selected=move || chosen() == Role::Admin>"Admin"</option>
    }
}

#[component]
pub(super) fn Agents(status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let new_name = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Agent);
    let error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let role = new_role.get_untracked();
        super::add_from_form(store, new_name, error, |workspace, name| add_agent(workspace, name, role).map(drop));
    };
    view! {
        <section class="settings-section" aria-labelledby="agents-heading">
            <h2 id="agents-heading" tabindex="-1">
                "Live agents"
            </h2>
            <p class="field-hint">"The people who answer handed-off chats. Admins also see every open chat and may take any over."</p>
            <ul class="settings-list">
                <For
                    each=move || store.with(|workspace| workspace.teamspace.agents.iter().map(|agent| agent.id).collect::<Vec<_>>())
                    key=|id| *id
                    let:id
                >
                    <AgentRow id status/>
                </For>
            </ul>
            <form class="add-form" on:submit=add>
                <TextField label="New live agent's name" id="new-agent".to_owned() value=new_name.into() draft=new_name error/>
                <label>
                    "Role"
                    <select on:change=move |event| new_role.set(role_from(&event_target_value(&event)))>
                        {role_options(move || new_role.get())}
                    </select>
                </label>
                <button type="submit" class="button">
                    "Add live agent"
                </button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn AgentRow(id: AgentId, status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let name = move || {
        store.with(|workspace| workspace.teamspace.agent(id).map(|agent| agent.name.clone()).unwrap_or_default())
    };
    let role = move || store.with(|workspace| workspace.teamspace.agent(id).map_or(Role::Agent, |agent| agent.role));
    let rename = Callback::new(move |typed: String| {
        store.try_edit(|workspace| rename_agent(workspace, id, &typed)).err().map(|refusal| refusal.to_string())
    });
    let change_role = move |event| {
        let role = role_from(&event_target_value(&event));
        let _ = store.try_edit(|workspace| set_role(workspace, id, role));
    };
    let delete = move || {
        let name = name_untracked(store, id);
        if store.try_edit(|workspace| remove_agent(workspace, id)).is_ok() {
            status.set(format!("Deleted live agent “{name}”. Undo brings them back."));
            focus_heading("agents-heading");
        }
    };
    let (ask, confirmation) = ask_before_deleting(
        DeleteQuestion {
            id: format!("agent-{}-confirm", id.0),
            consequence: "Deleting them removes them from these lists; a list left empty will show a problem in the editor.",
            confirm_label: "Delete live agent",
        },
        move || format!("Delete live agent “{}”?", name_untracked(store, id)),
        move || store.with_untracked(|workspace| places_listing(workspace, Referent::Agent(id))),
        delete,
    );
    view! {
        <li class="settings-item">
            <div class="settings-fields">
                <TextField label="Name" id=format!("agent-{}-name", id.0) value=Signal::derive(name) commit=rename/>
                <label class="field">
                    "Role"
                    <select on:change=change_role>
                        {role_options(role)}
                    </select>
                </label>
                <fieldset class="checks">
                    <legend>{move || format!("Teams of {}", name())}</legend>
                    <For
                        each=move || store.with(|workspace| workspace.teamspace.teams.iter().map(|team| team.id).collect::<Vec<_>>())
                        key=|team| *team
                        let:team
                    >
                        <MemberCheck team agent=id show_team=true/>
                    </For>
                </fieldset>
                <button
                    type="button"
                    class="button danger"
                    on:click=ask
                    aria-label=move || format!("Delete live agent {}", name())
                >
                    "Delete"
                </button>
            </div>
            {confirmation}
        </li>
    }
    .into_any()
}

fn name_untracked(store: WorkspaceStore, id: AgentId) -> String {
    store.with_untracked(|workspace| workspace.teamspace.agent(id).map(|agent| agent.name.clone()).unwrap_or_default())
}
