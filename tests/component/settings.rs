//! The teamspace settings page, mounted in the whole app at `/settings` on the starter workspace:
//! edits show at once and are saved, refused input says why and changes nothing, and deleting
//! what the workflow uses says where first.

use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlInputElement};

use handoff::workflow::{ActionKind, Assign};
use handoff::{AgentId, AssignmentMethod, NodeId, TeamId, Workspace, load_workspace};

use crate::{Stage, eventually, stored_workspace};

/// Clears storage, so the starter workspace loads, and opens the settings page.
async fn open_settings() -> Stage {
    window().local_storage().unwrap().unwrap().clear().unwrap();
    let stage = Stage::mount_app_at("/settings");
    tick().await;
    eventually("the settings page", || {
        stage.element.query_selector("section[aria-labelledby='teams-heading']").unwrap().is_some()
    })
    .await;
    stage
}

fn saved() -> String {
    stored_workspace().unwrap_or_default()
}

/// The workspace in storage, read as the app reads it.
fn saved_workspace() -> Workspace {
    load_workspace(&saved()).expect("storage holds a readable workspace")
}

fn has(stage: &Stage, selector: &str) -> bool {
    stage.element.query_selector(selector).unwrap().is_some()
}

/// Types `value` into the input or text area and fires `event` (`input` for a draft field,
/// `change` to commit), bubbling as a browser's does, so the app's delegated listeners hear it.
fn type_into(stage: &Stage, selector: &str, value: &str, event: &str) {
    let field = stage.find(selector);
    js_sys::Reflect::set(&field, &"value".into(), &value.into()).unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    let constructor: js_sys::Function = js_sys::Reflect::get(&window(), &"Event".into()).unwrap().unchecked_into();
    let fired = js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&event.into(), &init)).unwrap();
    field.dispatch_event(fired.unchecked_ref()).unwrap();
}

/// The names of the teams in storage.
fn saved_team_names() -> Vec<String> {
    saved_workspace().teamspace.teams.into_iter().map(|team| team.name).collect()
}

/// The names shown in the Teams section's name fields.
fn team_names(stage: &Stage) -> Vec<String> {
    let inputs =
        stage.element.query_selector_all("section[aria-labelledby='teams-heading'] li input[type='text']").unwrap();
    (0..inputs.length()).map(|index| inputs.item(index).unwrap().unchecked_into::<HtmlInputElement>().value()).collect()
}

/// The other languages listed in the Languages section.
fn languages(stage: &Stage) -> Vec<String> {
    let codes = stage.element.query_selector_all(&format!("{LANGUAGES} code.language-code")).unwrap();
    (0..codes.length()).map(|index| codes.item(index).unwrap().text_content().unwrap_or_default()).collect()
}

fn focused() -> Option<Element> {
    document().active_element()
}

const TEAMS: &str = "section[aria-labelledby='teams-heading']";
const LANGUAGES: &str = "section[aria-labelledby='languages-heading']";

#[wasm_bindgen_test]
async fn renaming_a_team_shows_the_new_name_everywhere_and_is_saved() {
    let stage = open_settings().await;
    assert_eq!(team_names(&stage), ["Billing", "Technical", "Francophone", "Hispanophone"]);

    type_into(&stage, &format!("{TEAMS} li:first-child input[type='text']"), "  Payments ", "change");
    eventually("the new name in the agents' team choices", || {
        stage.text("section[aria-labelledby='agents-heading']").contains("Payments")
    })
    .await;
    assert_eq!(team_names(&stage), ["Payments", "Technical", "Francophone", "Hispanophone"], "the name is trimmed");
    assert!(stage.text(TEAMS).contains("Members of Payments"));
    eventually("the new name saved", || saved_team_names() == ["Payments", "Technical", "Francophone", "Hispanophone"])
        .await;
    assert!(saved().contains("\"name\": \"Payments\""), "storage holds the new name as text");

    // A name another team has is refused, says why, and changes nothing.
    type_into(&stage, &format!("{TEAMS} li:first-child input[type='text']"), "technical", "change");
    eventually("the refusal", || has(&stage, "#team-1-name-error")).await;
    assert_eq!(stage.text("#team-1-name-error"), "There is already a team called “technical”.");
    let input = stage.find(&format!("{TEAMS} li:first-child input[type='text']"));
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("team-1-name-error"));
    assert_eq!(saved_team_names(), ["Payments", "Technical", "Francophone", "Hispanophone"]);

    stage.click("button[aria-keyshortcuts='Control+Z']");
    eventually("undo to bring the old name back", || team_names(&stage)[0] == "Billing").await;
    eventually("the old name saved", || saved_team_names() == ["Billing", "Technical", "Francophone", "Hispanophone"])
        .await;
}

#[wasm_bindgen_test]
async fn deleting_a_team_the_handoff_lists_says_where_first_and_cancel_keeps_it() {
    let stage = open_settings().await;
    // A click on a button focuses it; `click()` from a test does not, so focus it first.
    stage.find("button[aria-label='Delete team Billing']").unchecked_into::<web_sys::HtmlElement>().focus().unwrap();
    stage.click("button[aria-label='Delete team Billing']");
    eventually("the confirmation", || has(&stage, "[role='alertdialog']")).await;

    let confirmation = stage.text("[role='alertdialog']");
    assert!(confirmation.contains("Delete team “Billing”?"), "{confirmation}");
    assert!(confirmation.contains("Human Handoff under “Talk to a human”: the default list"), "{confirmation}");
    assert!(confirmation.contains("a list left empty will show a problem in the editor"), "{confirmation}");
    assert_eq!(team_names(&stage), ["Billing", "Technical", "Francophone", "Hispanophone"], "nothing deleted yet");
    assert_eq!(saved_team_names(), ["Billing", "Technical", "Francophone", "Hispanophone"]);
    eventually("the focus on Cancel", || {
        focused().and_then(|element| element.text_content()).as_deref() == Some("Cancel")
    })
    .await;

    stage.click("[role='alertdialog'] button:last-child");
    eventually("the confirmation to go", || !has(&stage, "[role='alertdialog']")).await;
    assert_eq!(team_names(&stage), ["Billing", "Technical", "Francophone", "Hispanophone"], "Cancel keeps the team");
    eventually("the focus back on the Delete button that asked", || {
        focused().and_then(|element| element.get_attribute("aria-label")).as_deref() == Some("Delete team Billing")
    })
    .await;

    stage.click("button[aria-label='Delete team Billing']");
    eventually("the confirmation again", || has(&stage, "[role='alertdialog']")).await;
    assert_eq!(stage.text("[role='alertdialog'] button.danger"), "Delete team");
    stage.click("[role='alertdialog'] button.danger");
    eventually("the team to go", || team_names(&stage) == ["Technical", "Francophone", "Hispanophone"]).await;
    assert!(stage.text("[role='status']").contains("Deleted team “Billing”."));
    eventually("the deletion saved", || saved_team_names() == ["Technical", "Francophone", "Hispanophone"]).await;
    let workspace = saved_workspace();
    let handoff = workspace.ai_agent.workflow.find_action(NodeId(11)).expect("the starter's handoff");
    let ActionKind::HumanHandoff(handoff) = &handoff.kind else { panic!("node 11 is the handoff") };
    let Assign::SpecificUsersOrTeams { targets, .. } = &handoff.assign else { panic!("the handoff lists teams") };
    assert_eq!(targets.teams, [TeamId(2)], "the handoff's default list keeps only Technical");
}

#[wasm_bindgen_test]
async fn a_team_nobody_uses_is_added_and_deleted_without_a_question() {
    let stage = open_settings().await;
    type_into(&stage, &format!("{TEAMS} form input"), "Sales", "input");
    stage.click(&format!("{TEAMS} form button[type='submit']"));
    eventually("the new team", || team_names(&stage).last().map(String::as_str) == Some("Sales")).await;
    assert_eq!(stage.find(&format!("{TEAMS} form input")).unchecked_into::<HtmlInputElement>().value(), "");

    // Sam Rivera joins it (team 5, after Billing, Technical, Francophone and Hispanophone) from the team's side; the agents section shows the same choice.
    let teams_of_sam =
        || saved_workspace().teamspace.agent(AgentId(1)).map(|sam| sam.teams.clone()).unwrap_or_default();
    stage.click(&format!("{TEAMS} li:last-child label.check input"));
    eventually("Sam in Sales", || teams_of_sam() == [TeamId(1), TeamId(2), TeamId(5)]).await;
    let sams_sales = "section[aria-labelledby='agents-heading'] li:first-child label.check:last-child input";
    assert!(stage.find(sams_sales).unchecked_into::<HtmlInputElement>().checked());

    stage.click("button[aria-label='Delete team Sales']");
    eventually("the team to go at once", || team_names(&stage).len() == 4).await;
    assert!(!has(&stage, "[role='alertdialog']"));
    eventually("Sam out of the deleted team", || teams_of_sam() == [TeamId(1), TeamId(2)]).await;
}

#[wasm_bindgen_test]
async fn the_cap_refuses_zero_and_text_with_a_message_and_keeps_the_old_value() {
    let stage = open_settings().await;
    let cap = || stage.find("#auto-assign-cap").unchecked_into::<HtmlInputElement>();
    assert_eq!(cap().value(), "3");
    let saved_cap = || saved_workspace().teamspace.assignment.auto_assign_cap;
    eventually("the starter saved", || stored_workspace().is_some()).await;
    assert_eq!(saved_cap(), 3);

    type_into(&stage, "#auto-assign-cap", "0", "change");
    eventually("the refusal of 0", || has(&stage, "#auto-assign-cap-error")).await;
    assert!(stage.text("#auto-assign-cap-error").contains("at least 1"));
    assert_eq!(cap().get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(cap().get_attribute("aria-describedby").as_deref(), Some("auto-assign-cap-hint auto-assign-cap-error"));

    type_into(&stage, "#auto-assign-cap", "many", "change");
    eventually("the refusal of text", || stage.text("#auto-assign-cap-error").contains("“many” is not a whole number"))
        .await;
    tick().await;
    assert_eq!(saved_cap(), 3, "the old cap is kept");

    type_into(&stage, "#auto-assign-cap", "5", "change");
    eventually("the refusal to go", || !has(&stage, "#auto-assign-cap-error")).await;
    assert_eq!(cap().get_attribute("aria-invalid").as_deref(), Some("false"));
    eventually("the new cap saved", || saved_cap() == 5).await;

    stage.click("#assignment-method-1");
    eventually("Round robin saved", || saved_workspace().teamspace.assignment.method == AssignmentMethod::RoundRobin)
        .await;
}

#[wasm_bindgen_test]
async fn a_language_is_added_then_removed_after_saying_which_rows_use_it() {
    let stage = open_settings().await;
    let codes = || languages(&stage);
    assert_eq!(codes(), ["fr", "es"]);

    type_into(&stage, &format!("{LANGUAGES} form input"), "German", "input");
    stage.click(&format!("{LANGUAGES} form button[type='submit']"));
    eventually("the refusal", || has(&stage, "#new-language-error")).await;
    assert!(stage.text("#new-language-error").contains("“German” is not a language code"));

    type_into(&stage, &format!("{LANGUAGES} form input"), "de", "input");
    stage.click(&format!("{LANGUAGES} form button[type='submit']"));
    eventually("the new language", || codes() == ["fr", "es", "de"]).await;
    assert!(!has(&stage, "#new-language-error"));
    assert_eq!(
        stage.text(&format!("{LANGUAGES} select option[value='de']")).trim(),
        "German (de)",
        "it can become the default, named with a capital"
    );
    eventually("it saved", || saved_workspace().ai_agent.other_languages.len() == 3).await;

    // The starter's handoff assigns by language, so the new language has a "Use default" row there.
    stage.click("button[aria-label='Remove language German (de)']");
    eventually("the confirmation", || has(&stage, "[role='alertdialog']")).await;
    let confirmation = stage.text("[role='alertdialog']");
    assert!(
        confirmation.contains("Human Handoff under “Talk to a human”: its row for German (de), set to “Use default”"),
        "{confirmation}"
    );
    assert_eq!(codes(), ["fr", "es", "de"], "nothing removed yet");
    stage.click("[role='alertdialog'] button.danger");
    eventually("the language to go", || codes() == ["fr", "es"]).await;
    eventually("the removal saved", || saved_workspace() == handoff::starter_workspace()).await;
}

#[wasm_bindgen_test]
async fn removing_french_lists_its_own_handoff_list() {
    // The translated starter greets in every language with one Send Message, so no condition on
    // the language is left to list (teamspace_edit's tests list one).
    let stage = open_settings().await;
    stage.click("button[aria-label='Remove language French (fr)']");
    eventually("the confirmation", || has(&stage, "[role='alertdialog']")).await;
    let confirmation = stage.text("[role='alertdialog']");
    assert!(
        confirmation.contains("Human Handoff under “Talk to a human”: its own list for French (fr)"),
        "{confirmation}"
    );
    assert!(!confirmation.contains("triggers["), "no JSON path in words for people: {confirmation}");
    stage.click("[role='alertdialog'] button:last-child");
    eventually("the confirmation to go", || !has(&stage, "[role='alertdialog']")).await;
    assert_eq!(languages(&stage), ["fr", "es"]);
}

#[wasm_bindgen_test]
async fn canned_replies_are_added_edited_and_deleted() {
    let stage = open_settings().await;
    let section = "section[aria-labelledby='canned-replies-heading']";
    type_into(&stage, &format!("{section} form input"), "/thanks", "input");
    stage.click(&format!("{section} form button[type='submit']"));
    eventually("the refusal of a reply without text", || has(&stage, "#new-reply-text-error")).await;
    assert_eq!(stage.text("#new-reply-text-error"), "A canned reply needs some text.");

    type_into(&stage, &format!("{section} form textarea"), "Thank you!", "input");
    stage.click(&format!("{section} form button[type='submit']"));
    eventually("the new reply", || has(&stage, "button[aria-label='Delete canned reply /thanks']")).await;
    eventually("it saved", || saved().contains("\"shortcut\": \"thanks\"")).await;

    type_into(&stage, &format!("{section} li:nth-child(4) input"), "bye", "change");
    eventually("the refusal of a used shortcut", || has(&stage, "#reply-3-shortcut-error")).await;
    assert_eq!(stage.text("#reply-3-shortcut-error"), "The shortcut /bye is already used.");
    type_into(&stage, &format!("{section} li:nth-child(4) input"), "ty", "change");
    eventually("the edit saved", || saved().contains("\"shortcut\": \"ty\"")).await;
    assert!(!has(&stage, "#reply-3-shortcut-error"));

    stage.click("button[aria-label='Delete canned reply /ty']");
    eventually("the reply to go", || !saved().contains("\"shortcut\": \"ty\"")).await;
    assert!(!has(&stage, "button[aria-label='Delete canned reply /ty']"));
    window().local_storage().unwrap().unwrap().clear().unwrap();
}
