//! On the server, an admin sets or resets a live agent's password from the agent's row. The
//! server keeps only its hash and ends that agent's other sessions; nobody, the admin included,
//! can read a password back, so the admin tells it to the agent.

use handoff::AgentId;
use handoff_wire::SetPassword;
use leptos::prelude::*;

use crate::account::use_account;
use crate::remote::{self, RemoteError};
use crate::workspace_store::WorkspaceStore;

/// The row's "New password" form: only on the server, and only for an admin.
pub(super) fn field(store: WorkspaceStore, agent: AgentId) -> Option<AnyView> {
    if !use_account()?.is_admin_untracked() {
        return None;
    }
    let id = format!("agent-{}-password", agent.0);
    let hint_id = format!("{id}-hint");
    let name = move || store.with(|workspace| workspace.teamspace.agent(agent).map(|found| found.name.clone()));
    let password = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = password.get_untracked();
        if typed.is_empty() {
            outcome.set(Some(Err("Type the new password first.".to_owned())));
            return;
        }
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let answer = remote::set_password(agent, &SetPassword { password: typed }).await;
            busy.try_set(false);
            let said = answer.map(|()| {
                password.try_set(String::new());
                let name =
                    store.with_untracked(|workspace| workspace.teamspace.agent(agent).map(|found| found.name.clone()));
                format!(
                    "Password set: {} signs in with it from now on, and is signed out everywhere else.",
                    name.unwrap_or_else(|| "this live agent".to_owned())
                )
            });
            outcome.try_set(Some(said.map_err(|error| {
                match error {
                // The agent was added here and is not saved yet (or another admin removed them).
                RemoteError::Refused { status: 404, .. } => {
                    "The server does not know this live agent yet: wait until your changes are saved, then try again."
                        .to_owned()
                }
                other => other.to_string(),
            }
            })));
        });
    };
    Some(
        view! {
            <form class="password-form" on:submit=submit novalidate>
                <div class="field">
                    <label for=id.clone()>
                        "New password"
                        <span class="visually-hidden">{move || name().map(|name| format!(" for {name}"))}</span>
                    </label>
                    <input
                        type="password"
                        id=id
                        autocomplete="new-password"
                        bind:value=password
                        aria-describedby=hint_id.clone()
                        aria-invalid=move || if matches!(outcome.get(), Some(Err(_))) { "true" } else { "false" }
                    />
                    <p class="field-hint" id=hint_id>
                        "At least 12 characters. Tell it to them yourself: nobody can read it back."
                    </p>
                </div>
                <button type="submit" class="button" disabled=move || busy.get()>
                    "Set password"
                </button>
                <p class="password-set" role="status">{move || outcome.get().and_then(Result::ok)}</p>
                <p class="field-error" role="alert">{move || outcome.get().and_then(Result::err)}</p>
            </form>
        }
        .into_any(),
    )
}
