//! The Teams section: add, rename and delete teams, and choose each team's members.

use handoff::teamspace_edit::{add_team, remove_team, rename_team, set_membership};
use handoff::{AgentId, Referent, TeamId};
use leptos::prelude::*;

use super::{DeleteQuestion, TextField, ask_before_deleting, focus_heading, places_listing};
use crate::workspace_store::use_workspace_store;

#[component]
pub(super) fn Teams(status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let new_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        super::add_from_form(store, new_name, error, |workspace, name| add_team(workspace, name).map(drop));
    };
    view! {
        <section class="settings-section" aria-labelledby="teams-heading">
            <h2 id="teams-heading" tabindex="-1">
                "Teams"
            </h2>
            <p class="field-hint">"Groups of live agents that a Human Handoff can list, usually by language, region or brand."</p>
            <ul class="settings-list">
                <For
                    each=move || store.with(|workspace| workspace.teamspace.teams.iter().map(|team| team.id).collect::<Vec<_>>())
                    key=|id| *id
                    let:id
                >
                    <TeamRow id status/>
                </For>
            </ul>
            <form class="add-form" on:submit=add>
                <TextField label="New team name" id="new-team".to_owned() value=new_name.into() draft=new_name error/>
                <button type="submit" class="button">
                    "Add team"
                </button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn TeamRow(id: TeamId, status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let name =
        move || store.with(|workspace| workspace.teamspace.team(id).map(|team| team.name.clone()).unwrap_or_default());
    let rename = Callback::new(move |typed: String| {
        store.try_edit(|workspace| rename_team(workspace, id, &typed)).err().map(|refusal| refusal.to_string())
    });
    let delete = move || {
        let name = store.with_untracked(|workspace| workspace.teamspace.team(id).map(|team| team.name.clone()));
        if store.try_edit(|workspace| remove_team(workspace, id)).is_ok() {
            status.set(format!("Deleted team “{}”. Undo brings it back.", name.unwrap_or_default()));
            focus_heading("teams-heading");
        }
    };
    let (ask, confirmation) = ask_before_deleting(
        DeleteQuestion {
            id: format!("team-{}-confirm", id.0),
            consequence: "Deleting it removes it from these lists and from its members' teams; a list left empty will show a problem in the editor.",
            confirm_label: "Delete team",
        },
        move || {
            store.with_untracked(|workspace| {
                let name = workspace.teamspace.team(id).map(|team| team.name.as_str()).unwrap_or_default();
                format!("Delete team “{name}”?")
            })
        },
        move || store.with_untracked(|workspace| places_listing(workspace, Referent::Team(id))),
        delete,
    );
    view! {
        <li class="settings-item">
            <div class="settings-fields">
                <TextField label="Team name" id=format!("team-{}-name", id.0) value=Signal::derive(name) commit=rename/>
                <fieldset class="checks">
                    <legend>{move || format!("Members of {}", name())}</legend>
                    <For
                        each=move || store.with(|workspace| workspace.teamspace.agents.iter().map(|agent| agent.id).collect::<Vec<_>>())
                        key=|agent| *agent
                        let:agent
                    >
                        <MemberCheck team=id agent/>
                    </For>
                </fieldset>
                <button type="button" class="button danger" on:click=ask aria-label=move || format!("Delete team {}", name())>
                    "Delete"
                </button>
            </div>
            {confirmation}
        </li>
    }
    .into_any()
}

/// One checkbox: whether the agent is in the team. The agents section shows the same choice
/// from the agent's side.
#[component]
pub(super) fn MemberCheck(team: TeamId, agent: AgentId, #[prop(optional)] show_team: bool) -> AnyView {
    let store = use_workspace_store();
    let checked = move || {
        store.with(|workspace| workspace.teamspace.agent(agent).is_some_and(|found| found.teams.contains(&team)))
    };
    let label = move || {
        store.with(|workspace| {
            let teamspace = &workspace.teamspace;
            match show_team {
                true => teamspace.team(team).map(|found| found.name.clone()),
                false => teamspace.agent(agent).map(|found| found.name.clone()),
            }
            .unwrap_or_default()
        })
    };
    let change = move |event: leptos::ev::Event| {
        let member = event_target_checked(&event);
        let _ = store.try_edit(|workspace| set_membership(workspace, agent, team, member));
    };
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=checked on:change=change/>
            {label}
        </label>
    }
    .into_any()
}
