//! The Teams section: add, rename and delete teams, and choose each team's members.

use handoff::TeamId;
use leptos::prelude::*;

use super::model::{Field, List, Text};
use super::{Draft, New, Shape, Source, add_form, checks, list, text_field};
use crate::workspace_store::WorkspaceStore;

pub(super) fn section(store: WorkspaceStore, status: RwSignal<String>) -> AnyView {
    let name = Draft::new();
    let new_team =
        text_field(store, "New team name", "new-team".to_owned(), Source::Draft(name), None, Shape::Line, "");
    super::section(
        "teams-heading",
        "Teams",
        true,
        Some("Groups of live agents that a Human Handoff can list, usually by language, region or brand."),
        vec![
            list(store, List::Teams, status, "settings-list", None),
            add_form(store, New::Team, [name, Draft::new()], vec![new_team], "Add team"),
        ],
    )
}

/// A team's row: its name and its members.
pub(super) fn fields(store: WorkspaceStore, team: TeamId, status: RwSignal<String>) -> Vec<AnyView> {
    let name = Source::Commit(Field::TeamName(team));
    vec![
        text_field(store, "Team name", format!("team-{}-name", team.0), name, None, Shape::Line, ""),
        checks(store, Text::MembersOf(team), List::MembersOf(team), status),
    ]
}
