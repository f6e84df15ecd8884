//! The Canned replies section: the answers live agents insert by typing `/` and a shortcut.

use leptos::prelude::*;

use super::model::{Field, List};
use super::{Draft, New, Shape, Source, add_form, list, text_field};
use crate::workspace_store::WorkspaceStore;

pub(super) fn section(store: WorkspaceStore, status: RwSignal<String>) -> AnyView {
    let (shortcut, text) = (Draft::new(), Draft::new());
    let fields = vec![
        text_field(store, "New shortcut", "new-reply".to_owned(), Source::Draft(shortcut), None, Shape::Line, "narrow"),
        text_field(store, "Text", "new-reply-text".to_owned(), Source::Draft(text), None, Shape::Lines, "grow"),
    ];
    super::section(
        "canned-replies-heading",
        "Canned replies",
        true,
        Some("Live agents insert one by typing / and its shortcut in the reply box."),
        vec![
            list(store, List::CannedReplies, status, "settings-list", None),
            add_form(store, New::CannedReply, [shortcut, text], fields, "Add canned reply"),
        ],
    )
}

/// A reply's row: its shortcut and its text, each committed on its own.
pub(super) fn fields(store: WorkspaceStore, index: usize) -> Vec<AnyView> {
    vec![
        text_field(
            store,
            "Shortcut",
            format!("reply-{index}-shortcut"),
            Source::Commit(Field::Shortcut(index)),
            None,
            Shape::Line,
            "narrow",
        ),
        text_field(
            store,
            "Text",
            format!("reply-{index}-text"),
            Source::Commit(Field::ReplyText(index)),
            None,
            Shape::Lines,
            "grow",
        ),
    ]
}
