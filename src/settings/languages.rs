//! The Languages section: the AI agent's default language and the other languages it supports.

use handoff::Language;
use leptos::prelude::*;

use super::model::List;
use super::{Choice, Draft, New, Shape, Source, add_form, keyed, list, select, text_field};
use crate::workspace_store::WorkspaceStore;

pub(super) fn section(store: WorkspaceStore, status: RwSignal<String>) -> AnyView {
    let code = Draft::new();
    let new_language = text_field(
        store,
        "Language code",
        "new-language".to_owned(),
        Source::Draft(code),
        Some("Lowercase letters, such as de, with a hyphen before a region, such as pt-br."),
        Shape::Line,
        "",
    );
    let none = move || store.with(|workspace| workspace.ai_agent.other_languages.is_empty());
    super::section(
        "languages-heading",
        "Languages of the AI agent",
        true,
        Some("A chat's language picks the row of a Human Handoff that assigns by language."),
        vec![
            select(
                store,
                "Default language",
                Some("field"),
                Choice::DefaultLanguage,
                vec![keyed(store, List::LanguageOptions, status)],
            ),
            view! {
                <h3 id="other-languages-heading">"Other languages"</h3>
                {move || {
                    none().then(|| view! { <p>"None: the AI agent speaks only its default language."</p> }.into_any())
                }}
            }
            .into_any(),
            list(store, List::OtherLanguages, status, "settings-list languages", Some("other-languages-heading")),
            add_form(store, New::Language, [code, Draft::new()], vec![new_language], "Add language"),
        ],
    )
}

/// A language's row: its code.
pub(super) fn fields(language: &Language) -> Vec<AnyView> {
    vec![view! { <code class="language-code">{language.0.clone()}</code> }.into_any()]
}
