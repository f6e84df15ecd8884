//! The "Try a message" box: a customer message and a language tried against the workflow being
//! edited, on the workflow as a whole and on each Message Received trigger's panel.
//! What would fire is the domain's (`handoff::matching::try_message`, the engine's recognizers
//! and order); this module only puts it into words.

use handoff::Language;
use handoff::matching::{THRESHOLD, TryResult, TryScope, try_message};
use leptos::prelude::*;

use super::boxed::{dynamic, flag, on_change, text};
use super::outline::language_name;
use crate::workspace_store::use_workspace_store;

fn percent(confidence: f32) -> String {
    format!("{:.0}%", confidence * 100.0)
}

/// The result line: the trigger that would fire with its confidence, or Fallback, and the
/// nearest training phrase either way.
pub fn result_words(result: &TryResult) -> String {
    let Some(nearest) = &result.nearest else {
        return "Fallback: no training phrase shares a word with this message.".to_owned();
    };
    let phrase = format!("“{}” ({})", nearest.phrase, nearest.language);
    if let Some((_, intent)) = &result.fires {
        return format!("{intent} would fire, {} sure. Nearest training phrase: {phrase}.", percent(result.confidence));
    }
    let why = match &nearest.vetoed_by {
        Some(excluded) => format!("vetoed by its excluded phrase “{excluded}”"),
        None => format!("below the {} threshold", percent(THRESHOLD)),
    };
    format!("Fallback. Nearest: {phrase} of {} ({}), {why}.", nearest.intent, percent(nearest.confidence))
}

/// A message box, a language picker (the AI agent's languages, its default first and chosen)
/// and the result line, computed as the admin types.
pub fn try_message_box(scope: Signal<TryScope>) -> AnyView {
    let store = use_workspace_store();
    let message = RwSignal::new(String::new());
    let language = RwSignal::new(store.with_untracked(|workspace| workspace.ai_agent.default_language.clone()));
    let result = move || {
        message.with(|message| {
            if message.trim().is_empty() {
                return "Type a message to see which trigger would fire.".to_owned();
            }
            store.with(|workspace| {
                let ai_agent = &workspace.ai_agent;
                let tried = language.with(|language| {
                    try_message(&ai_agent.workflow, &ai_agent.default_language, scope.get(), message, language)
                });
                result_words(&tried)
            })
        })
    };
    let languages = move || store.with(|workspace| workspace.ai_agent.languages().cloned().collect::<Vec<Language>>());
    view! {
        <section class="try-message" aria-label="Try a message">
            <label class="field">
                <span class="field-label">"Try a message"</span>
                <input type="text" placeholder="I'd like to talk to someone" on:input=on_change(move |event| message.set(event_target_value(&event)))/>
            </label>
            <label class="field">
                <span class="field-label">"Language"</span>
                <select on:change=on_change(move |event| language.set(Language(event_target_value(&event))))>
                    {dynamic(move || {
                        languages().into_iter().map(|choice| {
                            let name = language_name(&choice);
                            let code = choice.clone();
                            view! { <option value=choice.0 prop:selected=flag(move || language.with(|language| *language == code))>{name}</option> }
                        }).collect_view().into_any()
                    })}
                </select>
            </label>
            <p class="try-result" role="status" aria-live="polite">{text(result)}</p>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use handoff::matching::{TryScope, try_message};
    use handoff::{Language, starter_workspace};

    use super::result_words;

    fn words(message: &str, language: &str) -> String {
        let workspace = starter_workspace();
        let ai_agent = &workspace.ai_agent;
        let result = try_message(
            &ai_agent.workflow,
            &ai_agent.default_language,
            TryScope::TopLevel,
            message,
            &Language::new(language),
        );
        result_words(&result)
    }

    #[test]
    fn the_result_line_names_what_fires_how_surely_and_the_nearest_phrase() {
        assert_eq!(
            words("Can I talk to a human?", "en"),
            "Talk to a human would fire, 100% sure. Nearest training phrase: “talk to a human” (en)."
        );
        assert_eq!(words("what time is it", "en"), "Fallback: no training phrase shares a word with this message.");
        let below = words("is it real", "en");
        assert!(below.starts_with("Fallback. Nearest: “"), "{below}");
        assert!(below.ends_with("below the 70% threshold."), "{below}");
        assert_eq!(
            words("I am not a human", "en"),
            "Fallback. Nearest: “talk to a human” (en) of Talk to a human (0%), vetoed by its excluded phrase “not a human”."
        );
    }
}
