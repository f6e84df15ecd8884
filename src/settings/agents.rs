//! The Live agents section: add, rename and delete live agents, their role and their teams, and
//! on the server their passwords.

use handoff::AgentId;
use handoff::workspace::Role;
use leptos::prelude::*;

use super::model::{Field, List, Text};
use super::{Choice, Draft, New, Shape, Source, add_form, checks, list, role_options, select, text_field};
use crate::workspace_store::WorkspaceStore;

pub(super) fn section(store: WorkspaceStore, status: RwSignal<String>) -> AnyView {
    let name = Draft::new();
    let new_role = RwSignal::new(Role::Agent);
    let role = Choice::NewRole(new_role);
    let fields = vec![
        text_field(store, "New live agent's name", "new-agent".to_owned(), Source::Draft(name), None, Shape::Line, ""),
        select(store, "Role", None, role, role_options(store, role)),
    ];
    super::section(
        "agents-heading",
        "Live agents",
        true,
        Some("The people who answer handed-off chats. Admins also see every open chat and may take any over."),
        vec![
            list(store, List::Agents, status, "settings-list", None),
            add_form(store, New::Agent(new_role), [name, Draft::new()], fields, "Add live agent"),
        ],
    )
}

/// A live agent's row: their name, role and teams.
pub(super) fn fields(store: WorkspaceStore, agent: AgentId, status: RwSignal<String>) -> Vec<AnyView> {
    let name = Source::Commit(Field::AgentName(agent));
    let role = Choice::Role(agent);
    let mut fields = vec![
        text_field(store, "Name", format!("agent-{}-name", agent.0), name, None, Shape::Line, ""),
        select(store, "Role", Some("field"), role, role_options(store, role)),
        checks(store, Text::TeamsOf(agent), List::TeamsOf(agent), status),
    ];
    // On the server, an admin gives the agent a password here.
    fields.extend(super::passwords::field(store, agent));
    fields
}
