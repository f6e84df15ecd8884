//! The settings panel of the selected node: one form per kind of trigger and action.
//! Text fields commit when they change (on leaving the field or Enter), so one finished change
//! is one undo step.

use handoff::Language;
use handoff::NodeId;
use handoff::edit::{self, NodeTemplate, Place};
use handoff::matching::TryScope;
use handoff::node_edit::{self, CONDITION_KINDS, ConditionKind, TextField};
use handoff::workflow::{Action, ActionKind, Condition, Sequence, TriggerKind, VariableValue};
use leptos::prelude::*;

use super::assign::{assign_editor, handoff_panel};
use super::boxed::{Flag, OnChange, dynamic, flag, on_change, show, text};
use super::outline::{self, RowKey};
use super::try_message::try_message_box;
use super::use_editor;
use crate::workspace_store::{WorkspaceStore, use_workspace_store};

/// Changes one action as one undoable edit.
pub fn update_action(store: WorkspaceStore, node: NodeId, change: impl FnOnce(&mut Action)) {
    update_action_boxed(store, node, Box::new(change))
}

/// `update_action` compiled once, whatever the change (for the download's size).
fn update_action_boxed(store: WorkspaceStore, node: NodeId, change: Box<dyn FnOnce(&mut Action) + '_>) {
    store.edit(|workspace| {
        if let Some(action) = edit::action_mut(&mut workspace.ai_agent.workflow, node) {
            change(action);
        }
    });
}

/// Commits one text field of the node as one undoable edit, normalised by the domain. A node
/// deleted meanwhile (in another tab) has nothing to commit to.
/// A text the AI agent says is committed in `language`; the node's other texts ignore it.
pub fn commit_text(store: WorkspaceStore, node: NodeId, field: TextField, language: &Language, text: &str) {
    let _ = store.try_edit(|workspace| node_edit::set_text(workspace, node, field, language, text));
}

/// A labelled text input or text area that commits its value when it changes.
pub fn text_field(
    label: &'static str,
    hint: Option<&'static str>,
    multiline: bool,
    value: Signal<String>,
    on_commit: Callback<String>,
) -> AnyView {
    labelled_input(label.to_owned(), hint, multiline, value, None, on_commit)
}

/// A text the AI agent says, one labelled field per language the AI agent speaks, the default
/// language first. Another language's field left empty shows the default language's text as
/// its placeholder: what a chat in that language would read (`Localized::text_in`).
/// `value` and `commit` give one language's field its text and its commit.
pub fn localized_field(
    label: &'static str,
    hint: Option<&'static str>,
    multiline: bool,
    value: Callback<Language, Signal<String>>,
    commit: Callback<Language, Callback<String>>,
) -> AnyView {
    let store = use_workspace_store();
    let languages =
        Memo::new(move |_| store.with(|workspace| workspace.ai_agent.languages().cloned().collect::<Vec<Language>>()));
    dynamic(move || {
        let languages = languages.get();
        let Some(default) = languages.first().cloned() else { return ().into_any() };
        let several = languages.len() > 1;
        languages
            .into_iter()
            .enumerate()
            .map(|(index, language)| {
                let named = if several {
                    format!("{label} in {}", outline::language_name(&language))
                } else {
                    label.to_owned()
                };
                let placeholder = (index > 0).then(|| value.run(default.clone()));
                let hint = if index == 0 { hint } else { None };
                labelled_input(named, hint, multiline, value.run(language.clone()), placeholder, commit.run(language))
            })
            .collect_view()
            .into_any()
    })
    .into_any()
}

/// `text_field` with any label, and a placeholder when there is one.
fn labelled_input(
    label: String,
    hint: Option<&'static str>,
    multiline: bool,
    value: Signal<String>,
    placeholder: Option<Signal<String>>,
    on_commit: Callback<String>,
) -> AnyView {
    let placeholder = text(move || placeholder.map(|placeholder| placeholder.get()).unwrap_or_default());
    let commit = on_change(move |event| {
        on_commit.run(event_target_value(&event));
        // Show what was kept: the domain's normalised text. When it equals what the node held
        // ("Hello" committed as "Hello "), nothing changed, so nothing would redraw the box.
        if let Some(target) = event.target() {
            let _ = js_sys::Reflect::set(&target, &"value".into(), &value.get_untracked().into());
        }
    });
    // The hint describes the field rather than being part of its name ("Training phrasesOne
    // per line…").
    let hint_id = hint.map(|_| next_hint_id());
    let input = if multiline {
        view! { <textarea rows="3" prop:value=value placeholder=placeholder on:change=commit aria-describedby=hint_id.clone()></textarea> }
            .into_any()
    } else {
        view! { <input type="text" prop:value=value placeholder=placeholder on:change=commit aria-describedby=hint_id.clone()/> }.into_any()
    };
    view! {
        <div class="field">
            <label class="field-control">
                <span class="field-label">{label}</span>
                {input}
            </label>
            {hint.map(|hint| view! { <span class="field-hint" id=hint_id>{hint}</span> })}
        </div>
    }
    .into_any()
}

/// One text field of a node's form: its words, and which of the node's texts it edits.
pub struct Field {
    label: &'static str,
    hint: Option<&'static str>,
    multiline: bool,
    field: TextField,
}

/// The fields of a form, each reading one language's value with `value` and committing it with
/// `commit`; a text the AI agent says has a field per language (`localized_field`), the others
/// one field, whatever the language.
fn fields(
    fields: &'static [Field],
    value: impl Fn(TextField) -> Callback<Language, Signal<String>>,
    commit: impl Fn(TextField) -> Callback<Language, Callback<String>>,
) -> AnyView {
    fields
        .iter()
        .map(|field| {
            let (value, commit) = (value(field.field), commit(field.field));
            if field.field.is_translated() {
                localized_field(field.label, field.hint, field.multiline, value, commit)
            } else {
                let any = Language::new("");
                text_field(field.label, field.hint, field.multiline, value.run(any.clone()), commit.run(any))
            }
        })
        .collect_view()
        .into_any()
}

/// One node's commit of `field`, per language.
pub fn commit_in(store: WorkspaceStore, node: NodeId, field: TextField) -> Callback<Language, Callback<String>> {
    Callback::new(move |language: Language| {
        Callback::new(move |text: String| commit_text(store, node, field, &language, &text))
    })
}

const INTENT_FIELDS: [Field; 3] = [
    Field { label: "Intent name", hint: None, multiline: false, field: TextField::IntentName },
    Field {
        label: "Training phrases",
        hint: Some(
            "One per line. A message that means the same matches too: other words around it, another order, no accents, a misspelling.",
        ),
        multiline: true,
        field: TextField::TrainingPhrases,
    },
    Field {
        label: "Excluded phrases",
        hint: Some(
            "One per line. A message that says one, in its order, never matches this trigger, even if it also says a training phrase.",
        ),
        multiline: true,
        field: TextField::ExcludedPhrases,
    },
];

const LABEL_FIELD: [Field; 1] = [Field {
    label: "Name in the tree",
    hint: Some("Optional; the tree shows the kind of action without one."),
    multiline: false,
    field: TextField::Label,
}];

const MESSAGE_FIELDS: [Field; 2] = [
    Field {
        label: "Message",
        hint: Some("{variable} is replaced by the chat variable's value."),
        multiline: true,
        field: TextField::Message,
    },
    Field {
        label: "Quick-reply buttons",
        hint: Some("One per line; leave empty for none."),
        multiline: true,
        field: TextField::Buttons,
    },
];

/// Writes one setting of a Collect Feedback action.
fn set_feedback(action: &mut Action, write: impl FnOnce(&mut handoff::workflow::Feedback)) {
    if let ActionKind::CollectFeedback(feedback) = &mut action.kind {
        write(feedback)
    }
}

const FEEDBACK_FIELDS: [Field; 4] = [
    Field { label: "Rating title", hint: None, multiline: false, field: TextField::FeedbackTitle },
    Field { label: "Request message", hint: None, multiline: true, field: TextField::FeedbackRequest },
    Field { label: "Thank-you message", hint: None, multiline: true, field: TextField::FeedbackThankYou },
    Field {
        label: "Store the rating in chat variable",
        hint: Some("Optional; leave empty not to store it."),
        multiline: false,
        field: TextField::FeedbackVariable,
    },
];

/// A fresh id for a hint that describes a field, unique in the page.
fn next_hint_id() -> String {
    static HINTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    format!("field-hint-{}", HINTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// A labelled checkbox, with a hint after its label when there is one. The hint describes the
/// box (`aria-describedby`) rather than being part of its name, so the name reads "Enabled",
/// not "EnabledA disabled action is skipped.".
pub fn check_box(label: String, hint: Option<String>, checked: Flag, change: OnChange) -> AnyView {
    let hint_id = hint.as_ref().map(|_| next_hint_id());
    view! {
        <div class="check-field">
            <label>
                <input type="checkbox" prop:checked=checked on:change=change aria-describedby=hint_id.clone()/>
                " "
                <span>{label}</span>
            </label>
            {hint.map(|hint| view! { <span class="field-hint" id=hint_id>{hint}</span> })}
        </div>
    }
    .into_any()
}

pub fn selected_panel() -> impl IntoView {
    let editor = use_editor();
    let store = use_workspace_store();
    // The selected row and whether it is a trigger: the panel is rebuilt only when these change.
    let shown = Memo::new(move |_| {
        let selected = editor.selected.get();
        let is_trigger = match selected {
            Some(RowKey::Node(node)) => {
                store.with(|workspace| workspace.ai_agent.workflow.find_trigger(node).is_some())
            }
            _ => false,
        };
        (selected, is_trigger)
    });
    dynamic(move || match shown.get() {
        (Some(RowKey::Node(node)), is_trigger) => {
            if is_trigger {
                trigger_panel(node).into_any()
            } else {
                action_panel(node).into_any()
            }
        }
        (Some(RowKey::Group(place)), _) => group_panel(place).into_any(),
        (None, _) => view! {
            <h2 id="panel-heading">"Settings"</h2>
            <p class="empty">"Choose a node in the tree to see its settings."</p>
        }
        .into_any(),
    })
}

/// The problems validation finds on one node.
fn node_problems(node: NodeId) -> impl IntoView {
    let store = use_workspace_store();
    let messages = move || {
        store.problems.with(|problems| {
            problems
                .iter()
                .filter(|problem| problem.node == Some(node))
                .map(|problem| problem.kind.to_string())
                .collect::<Vec<_>>()
        })
    };
    dynamic(move || {
        let messages = messages();
        (!messages.is_empty())
            .then(|| {
                view! {
                    <div class="node-problems" role="note" aria-label="Problems with this node">
                        <ul>{messages.into_iter().map(|message| view! { <li>"⚠ " {message}</li> }).collect_view()}</ul>
                    </div>
                }
            })
            .into_any()
    })
}

fn gone() -> AnyView {
    view! {
        <h2 id="panel-heading">"Settings"</h2>
        <p class="empty">"This node is no longer in the workflow."</p>
    }
    .into_any()
}

fn trigger_panel(node: NodeId) -> impl IntoView {
    let store = use_workspace_store();
    let kind = Memo::new(move |_| {
        store.with(|workspace| workspace.ai_agent.workflow.find_trigger(node).map(|trigger| trigger.kind.clone()))
    });
    let fixed =
        move || store.with(|workspace| workspace.ai_agent.workflow.triggers.iter().any(|trigger| trigger.id == node));
    let field = move |field: TextField| {
        Callback::new(move |language: Language| {
            Signal::derive(move || {
                kind.with(|kind| {
                    kind.as_ref().and_then(|kind| node_edit::trigger_text(kind, field, &language)).unwrap_or_default()
                })
            })
        })
    };
    let commit = move |field: TextField| commit_in(store, node, field);
    // Which form to show: the kind of trigger without its settings, so that committing one
    // field updates the fields' values without running the panel's view again.
    let form = Memo::new(move |_| {
        kind.with(|kind| {
            kind.as_ref().map(|kind| match kind {
                TriggerKind::MessageReceived { .. } => TriggerKind::MessageReceived {
                    intent: String::new(),
                    training_phrases: Default::default(),
                    excluded_phrases: Default::default(),
                },
                other => other.clone(),
            })
        })
    });
    let title = move || kind.with(|kind| kind.as_ref().map(outline::trigger_title).unwrap_or_default());
    dynamic(move || {
        let Some(current) = form.get() else { return gone() };
        let heading = view! {
            <h2 id="panel-heading">
                <span aria-hidden="true">{outline::trigger_icon(&current)} " "</span>
                {text(title)}
            </h2>
            <p class="node-kind">"Trigger #" {node.0}</p>
            {node_problems(node)}
        };
        let body = match current {
            TriggerKind::ChatStarted => view! {
                <p>"Runs its actions when a customer starts a chat. Every workflow has it."</p>
            }
            .into_any(),
            TriggerKind::ChatClosedByLiveAgent => view! {
                <p>
                    "Runs its actions when a live agent closes the chat, before the handoff's "
                    "“When live agent closes chat” subtree. Collect Feedback usually goes here. Every workflow has it."
                </p>
            }
            .into_any(),
            TriggerKind::Fallback => view! {
                <p>
                    {text(move || if fixed() { "Runs when no other top-level trigger matches the customer's message." } else { "Runs when no other reply trigger at this level matches." }.to_owned())}
                </p>
            }
            .into_any(),
            TriggerKind::MessageReceived { .. } => view! {
                {fields(&INTENT_FIELDS, field, commit)}
                {try_message_box(Signal::derive(move || store.with(|workspace| TryScope::of_trigger(&workspace.ai_agent.workflow, node))))}
            }
            .into_any(),
        };
        view! { {heading} <div class="panel-body">{body}</div> }.into_any()
    })
}

/// Reads one value of the action, or the default while it is missing.
fn read_action<T>(action: Memo<Option<Action>>, read: fn(&Action) -> T) -> Signal<T>
where
    T: Clone + Default + Send + Sync + 'static,
{
    Signal::derive(move || action.with(|action| action.as_ref().map(read).unwrap_or_default()))
}

/// One text of the action as the panel shows it (a text the AI agent says in `language`), or
/// empty while the action is missing.
pub fn action_text_in(action: Memo<Option<Action>>, field: TextField, language: Language) -> Signal<String> {
    Signal::derive(move || {
        action
            .with(|action| action.as_ref().and_then(|action| node_edit::action_text(action, field, &language)))
            .unwrap_or_default()
    })
}

/// One text of the action that is the same in every language.
fn action_text(action: Memo<Option<Action>>, field: TextField) -> Signal<String> {
    action_text_in(action, field, Language::new(""))
}

/// `action_text_in` per language.
pub fn action_text_per_language(action: Memo<Option<Action>>, field: TextField) -> Callback<Language, Signal<String>> {
    Callback::new(move |language: Language| action_text_in(action, field, language))
}

fn action_panel(node: NodeId) -> impl IntoView {
    let store = use_workspace_store();
    let action = Memo::new(move |_| store.with(|workspace| workspace.ai_agent.workflow.find_action(node).cloned()));
    // Which form to show; it never changes for a node.
    let form = Memo::new(move |_| action.with(|action| action.as_ref().map(|action| action.kind.template())));
    let value = move |field: TextField| action_text_per_language(action, field);
    let write = move |field: TextField| commit_in(store, node, field);
    dynamic(move || {
        let Some(form) = form.get() else { return gone() };
        let names = action.with_untracked(|action| {
            action.as_ref().map(|action| (outline::action_icon(&action.kind), outline::action_kind_name(&action.kind)))
        });
        let Some((icon, kind_name)) = names else { return gone() };
        let body = match form {
            NodeTemplate::SendMessage => fields(&MESSAGE_FIELDS, value, write),
            NodeTemplate::SetChatVariable => variable_form(node, action).into_any(),
            NodeTemplate::IfElse => condition_form(node, action).into_any(),
            NodeTemplate::HumanHandoff => handoff_panel(node, action).into_any(),
            NodeTemplate::CollectFeedback => view! {
                <p>"Shows rating buttons from 1 to 5 and waits for the customer's rating."</p>
                {fields(&FEEDBACK_FIELDS, value, write)}
                {check_box(
                    "Ask for an optional comment".to_owned(),
                    Some("After the rating, the customer may add a few words or skip.".to_owned()),
                    flag(move || action.with(|action| {
                        matches!(action.as_ref().map(|action| &action.kind), Some(ActionKind::CollectFeedback(feedback)) if feedback.comment)
                    })),
                    on_change(move |event| {
                        let on = event_target_checked(&event);
                        update_action(store, node, |action| set_feedback(action, |feedback| feedback.comment = on))
                    }),
                )}
            }
            .into_any(),
            NodeTemplate::JumpTo => jump_form(node, action).into_any(),
            NodeTemplate::CloseChat => view! {
                <p>"Ends the AI session: chat variables expire and the customer's next message starts at the top level."</p>
            }
            .into_any(),
            // An action's template is always an action's.
            NodeTemplate::ChatStarted
            | NodeTemplate::ChatClosedByLiveAgent
            | NodeTemplate::MessageReceived
            | NodeTemplate::Fallback => return gone(),
        };
        view! {
            <h2 id="panel-heading">
                <span aria-hidden="true">{icon} " "</span>
                {text(move || action.with(|action| action.as_ref().and_then(|action| action.label.clone())).unwrap_or_else(|| kind_name.to_owned()))}
            </h2>
            <p class="node-kind">{kind_name} " #" {node.0}</p>
            {node_problems(node)}
            <div class="panel-body">
                {fields(&LABEL_FIELD, value, write)}
                {check_box(
                    "Enabled".to_owned(),
                    Some("A disabled action is skipped.".to_owned()),
                    flag(move || action.with(|action| action.as_ref().is_some_and(|action| action.enabled))),
                    on_change(move |event| {
                        let on = event_target_checked(&event);
                        update_action(store, node, |action| action.enabled = on)
                    }),
                )}
                {body}
            </div>
        }
        .into_any()
    })
}

fn variable_form(node: NodeId, action: Memo<Option<Action>>) -> impl IntoView {
    let store = use_workspace_store();
    let value = read_action(action, |action| match &action.kind {
        ActionKind::SetChatVariable { value, .. } => Some(value.clone()),
        _ => None,
    });
    let from_reply = move || matches!(value.get(), Some(VariableValue::NextReply));
    let set_value = move |new: VariableValue| {
        update_action(store, node, |action| {
            if let ActionKind::SetChatVariable { value, .. } = &mut action.kind {
                *value = new;
            }
        })
    };
    view! {
        {text_field(
            "Variable name",
            None,
            false,
            action_text(action, TextField::VariableName),
            Callback::new(move |text: String| commit_text(store, node, TextField::VariableName, &Language::new(""), &text)),
        )}
        <fieldset class="choice">
            <legend>"Value"</legend>
            <label>
                <input type="radio" name=format!("value-{}", node.0) prop:checked=flag(move || !from_reply())
                    on:change=on_change(move |_| set_value(VariableValue::Text { text: String::new() }))/>
                "A fixed text"
            </label>
            <label>
                <input type="radio" name=format!("value-{}", node.0) prop:checked=flag(from_reply)
                    on:change=on_change(move |_| set_value(VariableValue::NextReply))/>
                "The customer's next reply (the flow waits for it)"
            </label>
        </fieldset>
        {show(flag(move || !from_reply()), dynamic(move || text_field(
            "Text",
            None,
            false,
            action_text(action, TextField::VariableText),
            Callback::new(move |text: String| commit_text(store, node, TextField::VariableText, &Language::new(""), &text)),
        )))}
    }
}

fn condition_form(node: NodeId, action: Memo<Option<Action>>) -> impl IntoView {
    let store = use_workspace_store();
    let condition = read_action(action, |action| match &action.kind {
        ActionKind::IfElse { condition, .. } => Some(condition.clone()),
        _ => None,
    });
    let set = move |new: Condition| {
        update_action(store, node, |action| {
            if let ActionKind::IfElse { condition, .. } = &mut action.kind {
                *condition = new;
            }
        })
    };
    // What the condition becomes under another kind is the domain's (`node_edit`).
    let choose = move |event: leptos::ev::Event| {
        if let Some(kind) = ConditionKind::from_tag(&event_target_value(&event)) {
            let _ = store.try_edit(|workspace| node_edit::set_condition_kind(workspace, node, kind));
        }
    };
    // The fields shown follow the kind of condition only, so a change of a field's value
    // never rebuilds the fields (or the picker) the admin is using.
    let kind = Memo::new(move |_| condition.with(|condition| condition.as_ref().map(ConditionKind::of)));
    let languages = move || store.with(|workspace| workspace.ai_agent.languages().cloned().collect::<Vec<Language>>());
    let text_of = move |read: fn(&Condition) -> Option<String>| {
        Signal::derive(move || condition.with(|condition| condition.as_ref().and_then(read)).unwrap_or_default())
    };
    let variable_name = action_text(action, TextField::ConditionVariable);
    let expected_value = action_text(action, TextField::ConditionValue);
    let commit = move |field: TextField| commit_in(store, node, field).run(Language::new(""));
    let language = text_of(|condition| match condition {
        Condition::LanguageIs { language } => Some(language.0.clone()),
        _ => None,
    });
    view! {
        <p>"Runs the Then branch when the condition holds, the Else branch otherwise."</p>
        <label class="field">
            <span class="field-label">"Condition"</span>
            <select on:change=on_change(choose)>
                {CONDITION_KINDS
                    .map(|(choice, value, label)| view! { <option value=value prop:selected=flag(move || kind.get() == Some(choice))>{label}</option> })
                    .collect_view()}
            </select>
        </label>
        {dynamic(move || match kind.get() {
            Some(ConditionKind::VariableEquals) => view! {
                {text_field("Variable name", None, false, variable_name, commit(TextField::ConditionVariable))}
                {text_field("Equals", None, false, expected_value, commit(TextField::ConditionValue))}
            }
            .into_any(),
            Some(ConditionKind::VariableIsSet) => {
                text_field("Variable name", None, false, variable_name, commit(TextField::ConditionVariable))
            }
            Some(ConditionKind::LanguageIs) => view! {
                <label class="field">
                    <span class="field-label">"Language"</span>
                    <select on:change=on_change(move |event| set(Condition::LanguageIs { language: Language(event_target_value(&event)) }))>
                        {dynamic(move || {
                            let mut choices = languages();
                            let current = Language(language.get());
                            // A language the AI agent no longer speaks is shown, not silently replaced.
                            if !choices.contains(&current) {
                                choices.push(current);
                            }
                            choices.into_iter().map(|choice| {
                                let name = outline::language_name(&choice);
                                let code = choice.0.clone();
                                view! { <option value=choice.0 prop:selected=flag(move || language.get() == code)>{name}</option> }
                            }).collect_view().into_any()
                        })}
                    </select>
                </label>
            }
            .into_any(),
            Some(ConditionKind::LiveAgentOnline) => view! {
                {assign_editor(
                    format!("condition-{}", node.0),
                    Signal::derive(move || match condition.get() { Some(Condition::LiveAgentOnline { assign }) => assign, _ => handoff::workflow::Assign::AllUsers }),
                    Callback::new(move |assign| set(Condition::LiveAgentOnline { assign })),
                )}
            }
            .into_any(),
            None => ().into_any(),
        })}
    }
}

fn jump_form(node: NodeId, action: Memo<Option<Action>>) -> impl IntoView {
    let store = use_workspace_store();
    let target = read_action(action, |action| match &action.kind {
        ActionKind::JumpTo { target } => target.0.to_string(),
        _ => String::new(),
    });
    let choices = move || {
        store.with(|workspace| {
            let workflow = &workspace.ai_agent.workflow;
            workflow
                .entries()
                .into_iter()
                .map(|entry| (handoff::workflow::node_id(entry.node), outline::title_of(entry.node)))
                .filter(|(id, _)| *id != node)
                .collect::<Vec<_>>()
        })
    };
    let exists = move || {
        let target = target.get().parse::<u32>().map(NodeId);
        store.with(|workspace| {
            target.is_ok_and(|target| outline::node_title(&workspace.ai_agent.workflow, target).is_some())
        })
    };
    view! {
        <p>"Continues at another trigger (its actions) or action (it and what follows it)."</p>
        <label class="field">
            <span class="field-label">"Jump to"</span>
            <select
                on:change=on_change(move |event| {
                    if let Ok(id) = event_target_value(&event).parse::<u32>() {
                        update_action(store, node, |action| action.kind = ActionKind::JumpTo { target: NodeId(id) });
                    }
                })
            >
                <option value="" disabled=true prop:selected=flag(move || !exists())>"Choose a node…"</option>
                {dynamic(move || choices().into_iter().map(|(id, title)| {
                    let value = id.0.to_string();
                    let current = value.clone();
                    view! { <option value=value prop:selected=flag(move || exists() && target.get() == current)>{title}</option> }
                }).collect_view().into_any())}
            </select>
        </label>
    }
}

fn group_panel(place: Place) -> impl IntoView {
    let (title, text) = match place {
        Place::Actions { sequence: Sequence::Then(_) } => ("Then", "Runs when the If/Else condition holds."),
        Place::Actions { sequence: Sequence::Else(_) } => ("Else", "Runs when the If/Else condition does not hold."),
        Place::Actions { sequence: Sequence::OnClose(_) } => (
            "When live agent closes chat",
            "Runs after the Chat Closed by Live Agent trigger's actions, when the live agent closes the chat. Then a new AI session begins.",
        ),
        Place::Actions { sequence: Sequence::OnNoAgent(_) } => (
            "When no live agent is available",
            "Our extension: runs instead of the handoff when the availability check is on and no eligible live agent is Online. Left empty, the chat waits in the Pending queue and the customer is told their place.",
        ),
        Place::NestedTriggers { .. } => (
            "The customer's reply",
            "These triggers are matched first against the customer's answer to this action, then the top level.",
        ),
        Place::Actions { sequence: Sequence::Trigger(_) } | Place::TopTriggers => ("Actions", ""),
    };
    view! {
        <h2 id="panel-heading">{title}</h2>
        <p>{text}</p>
        <p class="field-hint">"Use Add… (or the A key in the tree) to put a node here."</p>
    }
}
