//! The Languages section: the AI agent's default language and the other languages it supports.

use handoff::teamspace_edit::{
    LanguageUse, add_language, describe_node, language_usages, remove_language, set_default_language,
};
use handoff::{Language, Workspace};
use leptos::prelude::*;

use super::{DeleteQuestion, TextField, ask_before_deleting, focus_heading};
use crate::workspace_store::use_workspace_store;

#[component]
pub(super) fn Languages(status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let new_code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        super::add_from_form(store, new_code, error, |workspace, code| add_language(workspace, code).map(drop));
    };
    let change_default = move |event| {
        let code = event_target_value(&event);
        let _ = store.try_edit(|workspace| set_default_language(workspace, &Language(code)));
    };
    let is_default =
        move |language: &Language| store.with(|workspace| workspace.ai_agent.default_language == *language);
    let others = move || store.with(|workspace| workspace.ai_agent.other_languages.clone());
    view! {
        <section class="settings-section" aria-labelledby="languages-heading">
            <h2 id="languages-heading" tabindex="-1">
                "Languages of the AI agent"
            </h2>
            <p class="field-hint">"A chat's language picks the row of a Human Handoff that assigns by language."</p>
            <label class="field">
                "Default language"
                <select on:change=change_default>
                    <For
                        each=move || store.with(|workspace| workspace.ai_agent.languages().cloned().collect::<Vec<_>>())
                        key=Language::clone
                        let:language
                    >
                        <option value=language.0.clone() prop:selected=move || is_default(&language)>
                            {language.0.clone()}
                        </option>
                    </For>
                </select>
            </label>
            <h3 id="other-languages-heading">"Other languages"</h3>
            <Show when=move || others().is_empty()>
                <p>"None: the AI agent speaks only its default language."</p>
            </Show>
            <ul class="settings-list languages" aria-labelledby="other-languages-heading">
                <For each=others key=Language::clone let:language>
                    <LanguageRow language status/>
                </For>
            </ul>
            <form class="add-form" on:submit=add>
                <TextField
                    label="Language code"
                    id="new-language".to_owned()
                    value=new_code.into()
                    draft=new_code
                    error
                    hint="Lowercase letters, such as de, with a hyphen before a region, such as pt-br."
                />
                <button type="submit" class="button">
                    "Add language"
                </button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn LanguageRow(language: Language, status: RwSignal<String>) -> AnyView {
    let store = use_workspace_store();
    let code = language.0.clone();
    let language = StoredValue::new(language);
    let remove = move || {
        let removed = language.with_value(|language| store.try_edit(|workspace| remove_language(workspace, language)));
        if removed.is_ok() {
            status.set(format!("Removed language {}. Undo brings it back.", language.get_value()));
            focus_heading("languages-heading");
        }
    };
    let (ask, confirmation) = ask_before_deleting(
        DeleteQuestion {
            id: format!("language-{code}-confirm"),
            consequence: "Removing it deletes these Assign by language rows (when it is the last language besides the default, Assign by language is turned off and every chat goes to the default list), and a condition on it will never be true again: chats can no longer start in this language.",
            confirm_label: "Remove language",
        },
        move || format!("Remove language {}?", language.get_value()),
        move || language.with_value(|language| store.with_untracked(|workspace| places_using(workspace, language))),
        remove,
    );
    view! {
        <li class="settings-item">
            <div class="settings-fields">
                <code class="language-code">{code.clone()}</code>
                <button
                    type="button"
                    class="button danger"
                    on:click=ask
                    aria-label=format!("Remove language {code}")
                >
                    "Remove"
                </button>
            </div>
            {confirmation}
        </li>
    }
    .into_any()
}

/// Where the workflow uses a language, one line a place, in words.
fn places_using(workspace: &Workspace, language: &Language) -> Vec<String> {
    language_usages(workspace, language)
        .into_iter()
        .map(|usage| {
            let how = match usage.how {
                LanguageUse::OwnList => format!("its own list for {language}"),
                LanguageUse::DefaultRow => format!("its row for {language}, set to “Use default”"),
                LanguageUse::Condition => format!("the condition “the chat's language is {language}”"),
            };
            format!("{}: {how} ({})", describe_node(workspace, usage.node), usage.path)
        })
        .collect()
}
