//! The workflow editor's Human Handoff panel, mounted in the real app.

use handoff::workflow::{ActionKind, Assign};
use handoff::{starter_workspace, workspace_to_json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlInputElement;

use crate::{Stage, eventually, store_workspace, stored_workspace};

/// The what-if's checkbox whose label reads `label`.
fn what_if_box(stage: &Stage, label: &str) -> HtmlInputElement {
    let boxes = stage.element.query_selector_all(".presence-what-if .check-field").unwrap();
    (0..boxes.length())
        .filter_map(|index| boxes.item(index))
        .map(|node| node.unchecked_into::<web_sys::Element>())
        .find(|field| field.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no what-if box `{label}`"))
        .query_selector("input")
        .unwrap()
        .unwrap()
        .unchecked_into()
}

/// The starter's "Talk to a human" handoff.
const HANDOFF_ROW: &str = "#row-11";

fn checked(stage: &Stage, selector: &str) -> bool {
    stage.find(selector).unchecked_into::<HtmlInputElement>().checked()
}

fn present(stage: &Stage, selector: &str) -> bool {
    stage.element.query_selector(selector).unwrap().is_some()
}

/// The starter as it was before its texts were translated: its greeting is an If/Else on the
/// chat's language (node 2, with Then and Else), which these tests of the tree and the
/// condition panel walk. A version 1 document, so the app migrates it as it loads.
const WITH_AN_IF_ELSE: &str = include_str!("../../crates/handoff/tests/it/legacy/starter-v1.workspace.json");

/// Opens the editor on `workspace` (or the starter) with the handoff selected.
async fn editor_with_handoff_selected(workspace: Option<String>) -> Stage {
    store_workspace(workspace.as_deref());
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, HANDOFF_ROW)).await;
    stage.click(HANDOFF_ROW);
    eventually("the handoff panel", || stage.text("#panel-heading").contains("Human Handoff")).await;
    stage
}

#[wasm_bindgen_test]
async fn assign_by_language_is_offered_exactly_when_the_ai_agent_has_several_languages() {
    let stage = editor_with_handoff_selected(None).await;
    assert_eq!(stage.text(".by-language legend, .by-language .check-field span"), "Assign by language");
    assert!(checked(&stage, ".by-language input[type=checkbox]"), "the starter assigns by language");
    let rows: Vec<String> = (0..3)
        .map(|index| {
            let rows = stage.element.query_selector_all(".language-row > legend").unwrap();
            rows.item(index).unwrap().text_content().unwrap()
        })
        .collect();
    assert_eq!(rows, ["English (en)", "French (fr)", "Spanish (es)"], "a row per language, the default first");
    drop(stage);

    // The same workflow for an AI agent that speaks English only.
    let mut workspace = starter_workspace();
    workspace.ai_agent.other_languages.clear();
    for entry in workspace.ai_agent.workflow.triggers.iter_mut().flat_map(|trigger| trigger.actions.iter_mut()) {
        if let ActionKind::HumanHandoff(handoff) = &mut entry.kind
            && let Assign::SpecificUsersOrTeams { by_language, .. } = &mut handoff.assign
        {
            *by_language = None;
        }
    }
    let stage = editor_with_handoff_selected(Some(workspace_to_json(&workspace))).await;
    assert!(!present(&stage, ".by-language"), "no language section with one language");
    assert!(!present(&stage, ".language-row"));
    assert!(
        stage.text("#handoff-11-by-language").contains("offered when the AI agent supports more than one language"),
        "the panel says why the option is missing"
    );
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn switching_assign_chat_clears_the_lists_as_the_panel_says_and_undo_brings_them_back() {
    let stage = editor_with_handoff_selected(None).await;
    let all_users = "input[name='handoff-11-assign'][value='all_users']";
    let specific = "input[name='handoff-11-assign'][value='specific']";
    assert!(checked(&stage, specific));
    assert_eq!(stage.text("#handoff-11-default .picker-summary"), "Specific teams: Billing, Technical");
    assert!(
        stage.text(".assign").contains(
            "Choosing this clears the chosen users and teams and the language lists (Undo brings them back)."
        ),
        "the panel warns before the switch: {}",
        stage.text(".assign")
    );

    stage.click(all_users);
    eventually("the pickers to go", || !present(&stage, "#handoff-11-default")).await;
    eventually("the change saved", || stored_workspace().is_some_and(|saved| !saved.contains("\"by_language\""))).await;
    assert!(
        stage.text(".assign").contains("Starts with nobody chosen"),
        "the panel says what Specific will start with"
    );
    assert!(stage.text("#row-11").contains("All users in the teamspace"), "the tree's summary follows");

    stage.click(specific);
    eventually("the picker back, empty", || {
        present(&stage, "#handoff-11-default")
            && stage.text("#handoff-11-default .picker-summary") == "Specific users or teams: nobody chosen"
    })
    .await;
    assert!(!checked(&stage, ".by-language input[type=checkbox]"), "assign by language starts off");

    stage.click(".undo-redo button:first-child");
    stage.click(".undo-redo button:first-child");
    eventually("the lists restored by undo", || {
        present(&stage, "#handoff-11-default")
            && stage.text("#handoff-11-default .picker-summary") == "Specific teams: Billing, Technical"
    })
    .await;
    assert!(checked(&stage, ".by-language input[type=checkbox]"));
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn choosing_a_team_for_french_updates_the_tree_and_who_would_get_the_chat() {
    let stage = editor_with_handoff_selected(None).await;
    // French already has its own list in the starter (the Francophone team).
    let french = ".language-row[data-language='fr']";
    assert!(checked(&stage, &format!("{french} input[value='own']")));
    let boxes = stage.element.query_selector_all(&format!("{french} .picker fieldset:first-of-type input")).unwrap();
    assert_eq!(boxes.length(), 4, "one checkbox per team");
    // Add Technical (the second team) to the French list.
    boxes.item(1).unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    eventually("the French list to name both teams", || {
        stage.text(&format!("{french} .picker-summary")) == "Specific teams: Francophone, Technical"
    })
    .await;

    let details = stage.find("details.who-would-get");
    details.unchecked_ref::<web_sys::HtmlDetailsElement>().set_open(true);
    eventually("the French verdicts", || present(&stage, ".verdict-language[data-language='fr']")).await;
    let french_verdicts = stage.text(".verdict-language[data-language='fr']");
    assert!(french_verdicts.contains("Jonas Weber — would be eligible"), "{french_verdicts}");
    // The what-if says it is one, and never calls its supposition "Online now".
    assert_eq!(stage.text("#what-if-heading"), "What if…");
    assert!(!stage.text("details.who-would-get").contains("eligible now"));
    // What is real is said apart: nobody has signed in to this browser's conversations.
    eventually("who is Online now", || stage.text(".online-now p").starts_with("Nobody.")).await;
    assert!(french_verdicts.contains("Priya Shah — not in the French (fr) list"), "{french_verdicts}");

    // Supposing Jonas Away takes him out at once.
    let jonas = what_if_box(&stage, "Suppose Jonas Weber Away");
    assert!(!jonas.checked(), "nobody is supposed Away at first");
    jonas.click();
    eventually("Jonas to be Away", || {
        stage.text(".verdict-language[data-language='fr']").contains("Jonas Weber — supposed Away")
    })
    .await;
    drop(stage);
    store_workspace(None);
}

/// Fires a drag event of `kind` on the element at `selector`, as the browser does during a drag.
fn drag_event(stage: &Stage, selector: &str, kind: &str, transfer: &web_sys::DataTransfer) {
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(transfer));
    let event = web_sys::DragEvent::new_with_event_init_dict(kind, &init).unwrap();
    stage.find(selector).dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn dragging_a_node_onto_a_group_moves_it_there_and_a_drop_into_itself_is_refused() {
    store_workspace(None);
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, "#row-12")).await;
    let transfer = web_sys::DataTransfer::new().unwrap();

    // The goodbye message moves from the close subtree to the top of the no-agent subtree.
    drag_event(&stage, "#row-12", "dragstart", &transfer);
    drag_event(&stage, "#row-11-on-no-agent", "dragover", &transfer);
    eventually("the drop place shown", || stage.find("#row-11-on-no-agent").has_attribute("data-drop-target")).await;
    drag_event(&stage, "#row-11-on-no-agent", "drop", &transfer);
    eventually("the move", || stage.text("#row-11-on-close").contains("Empty")).await;
    assert!(stage.text("#row-11-on-no-agent").contains("4 actions"));
    let order: Vec<String> = {
        let rows = stage.element.query_selector_all("[role=treeitem]").unwrap();
        (0..rows.length()).map(|index| rows.item(index).unwrap().unchecked_into::<web_sys::Element>().id()).collect()
    };
    let position = |id: &str| order.iter().position(|row| row == id).unwrap();
    assert_eq!(position("row-12"), position("row-11-on-no-agent") + 1, "first in the no-agent subtree");
    assert!(stage.text(".status-line").contains("Moved Send Message #12 to When no live agent is available"));

    // The handoff cannot go into its own subtree: no drop place, and nothing moves.
    let before = stored_workspace();
    drag_event(&stage, "#row-11", "dragstart", &transfer);
    drag_event(&stage, "#row-13", "dragover", &transfer);
    leptos::task::tick().await;
    assert!(!stage.find("#row-13").has_attribute("data-drop-target"), "no drop place inside itself");
    drag_event(&stage, "#row-13", "drop", &transfer);
    drag_event(&stage, "#row-11", "dragend", &transfer);
    leptos::task::tick().await;
    assert_eq!(stored_workspace(), before, "a refused drop changes nothing");
    drop(stage);
    store_workspace(None);
}

fn key(stage: &Stage, selector: &str, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    stage.find(selector).dispatch_event(&event).unwrap();
}

fn focused_id() -> String {
    leptos::prelude::document().active_element().map(|element| element.id()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_tree_follows_the_aria_tree_pattern_with_arrow_keys() {
    store_workspace(Some(WITH_AN_IF_ELSE));
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, "#row-1")).await;
    let tree = stage.find("[role=tree]");
    assert_eq!(tree.get_attribute("aria-label").as_deref(), Some("Workflow"));
    let first = stage.find("#row-1");
    assert_eq!(first.get_attribute("role").as_deref(), Some("treeitem"));
    assert_eq!(first.get_attribute("aria-level").as_deref(), Some("1"));
    assert_eq!(first.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(first.get_attribute("aria-selected").as_deref(), Some("true"));
    assert_eq!(first.get_attribute("tabindex").as_deref(), Some("0"), "the selected row is the one Tab reaches");
    assert_eq!(stage.find("#row-2").get_attribute("aria-level").as_deref(), Some("2"));
    assert_eq!(stage.find("#row-2").get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(stage.find("#row-12").get_attribute("aria-expanded"), None, "a leaf has no aria-expanded");

    stage.find("#row-1").unchecked_into::<web_sys::HtmlElement>().focus().unwrap();
    key(&stage, "#row-1", "ArrowDown");
    eventually("the If/Else focused and selected", || {
        focused_id() == "row-2" && stage.find("#row-2").get_attribute("aria-selected").as_deref() == Some("true")
    })
    .await;
    assert_eq!(stage.find("#row-1").get_attribute("aria-selected").as_deref(), Some("false"));

    // Left folds an open row, Left again goes to the parent, Right unfolds.
    key(&stage, "#row-2", "ArrowLeft");
    eventually("the If/Else folded", || {
        stage.find("#row-2").get_attribute("aria-expanded").as_deref() == Some("false")
    })
    .await;
    assert!(!present(&stage, "#row-3"), "a folded row hides its descendants");
    eventually("the folded row to keep the keyboard focus", || focused_id() == "row-2").await;
    key(&stage, "#row-2", "ArrowLeft");
    eventually("the parent focused", || focused_id() == "row-1").await;
    key(&stage, "#row-1", "ArrowDown");
    eventually("the If/Else focused", || focused_id() == "row-2").await;
    key(&stage, "#row-2", "ArrowRight");
    eventually("the If/Else unfolded", || present(&stage, "#row-3")).await;
    key(&stage, "#row-2", "ArrowRight");
    eventually("the first child focused", || focused_id() == "row-2-then").await;
    key(&stage, "#row-2-then", "End");
    eventually("the last row focused", || focused_id() == "row-41").await;
    key(&stage, "#row-41", "Home");
    eventually("the first row focused", || focused_id() == "row-1").await;
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn the_condition_panel_shows_the_condition_the_workflow_has() {
    store_workspace(Some(WITH_AN_IF_ELSE));
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, "#row-2")).await;
    stage.click("#row-2");
    eventually("the If/Else panel", || stage.text("#panel-heading").contains("If/Else")).await;
    let selects = stage.element.query_selector_all(".panel-pane select").unwrap();
    let value = |index: u32| selects.item(index).unwrap().unchecked_into::<web_sys::HtmlSelectElement>().value();
    assert_eq!(selects.length(), 2, "the kind of condition and the language");
    assert_eq!(value(0), "language_is");
    assert_eq!(value(1), "fr", "the starter greets in French when the chat is in French");
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn an_edit_saved_by_another_tab_shows_here_and_can_be_undone() {
    store_workspace(None);
    let stage = Stage::mount_app_at("/editor");
    eventually("the editor", || stage.text(".editor .lead").contains("Acme Assistant")).await;
    let mut workspace = starter_workspace();
    workspace.ai_agent.name = "Acme Helper".to_owned();
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some("handoff-studio/workspace"));
    init.set_new_value(Some(&workspace_to_json(&workspace)));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    leptos::prelude::window().dispatch_event(&event).unwrap();
    eventually("the other tab's name", || stage.text(".editor .lead").contains("Acme Helper")).await;
    stage.click(".undo-redo button:first-child");
    eventually("undo to bring back the name", || stage.text(".editor .lead").contains("Acme Assistant")).await;
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn edits_that_cannot_be_saved_stay_in_the_page_and_are_saved_when_storage_has_room() {
    store_workspace(Some(WITH_AN_IF_ELSE));
    let stage = Stage::mount_app_at("/editor");
    eventually("the starter saved", || stored_workspace().is_some()).await;
    // Fill the browser's storage until it refuses even a few more bytes.
    let storage = leptos::prelude::window().local_storage().unwrap().unwrap();
    let mut filler = 0;
    let mut size = 512 * 1024;
    while size >= 16 {
        if storage.set_item(&format!("filler-{filler}"), &"x".repeat(size)).is_ok() {
            filler += 1;
            assert!(filler < 1000, "the browser's storage never filled up");
        } else {
            size /= 2;
        }
    }
    stage.click("#row-2");
    eventually("the If/Else selected", || stage.text("#panel-heading").contains("If/Else")).await;
    stage.click(".node-toolbar button[aria-keyshortcuts='Control+D']");
    eventually("the save failure said", || {
        present(&stage, ".banner") && stage.text(".banner").contains("Your latest edits could not be saved")
    })
    .await;
    assert!(present(&stage, "#row-42"), "the edit is still in the page");
    assert!(!stored_workspace().unwrap().contains("\"id\": 42"), "and not in storage");

    for index in 0..filler {
        storage.remove_item(&format!("filler-{index}")).unwrap();
    }
    stage.click(".banner button");
    eventually("the banner gone", || !present(&stage, ".banner")).await;
    eventually("the edit saved", || stored_workspace().is_some_and(|saved| saved.contains("\"id\": 42"))).await;
    drop(stage);
    store_workspace(None);
}

/// The editor on `workspace` with the starter's nested "No" trigger (node 24) stripped of its
/// training phrases, an error, once its problems list is drawn.
async fn editor_with_a_phraseless_no(mut workspace: handoff::workspace::Workspace) -> Stage {
    let question = handoff::edit::trigger_mut(&mut workspace.ai_agent.workflow, handoff::NodeId(24)).expect("No");
    if let handoff::workflow::TriggerKind::MessageReceived { training_phrases, .. } = &mut question.kind {
        training_phrases.clear();
    }
    store_workspace(Some(&workspace_to_json(&workspace)));
    let stage = Stage::mount_app_at("/editor");
    eventually("the problems list", || present(&stage, ".problems li button")).await;
    stage
}

#[wasm_bindgen_test]
async fn a_problem_is_shown_on_its_node_and_choosing_it_in_the_list_selects_the_node() {
    let stage = editor_with_a_phraseless_no(starter_workspace()).await;
    assert_eq!(stage.text("#problems-heading .count"), "(1)");
    assert!(stage.text("#row-24 .problem-badge").contains("1 problem"), "the node shows it");
    assert!(stage.text(".problems li").contains("Message Received: No: the intent has no training phrase"));

    // Fold the trigger that holds it, then choose the problem: the tree unfolds and selects it.
    stage.click("#row-20 .twisty");
    eventually("the row folded away", || !present(&stage, "#row-24")).await;
    stage.click(".problems li button");
    eventually("the node selected", || {
        present(&stage, "#row-24") && stage.find("#row-24").get_attribute("aria-selected").as_deref() == Some("true")
    })
    .await;
    eventually("its panel", || stage.text("#panel-heading").contains("Message Received: No")).await;
    assert!(stage.text(".node-problems").contains("the intent has no training phrase"));
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn a_long_problems_list_shows_errors_first_and_the_first_hundred_until_asked_for_all() {
    let mut workspace = starter_workspace();
    // Nine languages nobody translated into: a missing translation for every text in each.
    for code in ["de", "it", "pt", "nl", "pl", "sv", "ja", "zh", "ar"] {
        workspace.ai_agent.other_languages.push(handoff::Language::new(code));
    }
    let stage = editor_with_a_phraseless_no(workspace).await;
    let items = || stage.element.query_selector_all(".problems li").unwrap().length() as usize;
    let heading = stage.text("#problems-heading .count");
    let total: usize = heading.trim_matches(|c| c == '(' || c == ')').parse().expect("a count");
    assert!(total > 100, "{heading}");
    assert_eq!(items(), 100, "the first hundred");
    // Errors first: every missing translation (a warning) comes after the last error.
    let texts: Vec<String> = (0..items())
        .map(|index| {
            stage
                .element
                .query_selector_all(".problems li")
                .unwrap()
                .item(index as u32)
                .unwrap()
                .text_content()
                .unwrap_or_default()
        })
        .collect();
    let warning = |text: &String| text.contains(" version: chats in ") || text.contains("no training phrases in ");
    let first_warning = texts.iter().position(warning).expect("warnings among the first hundred");
    assert!(texts[..first_warning].iter().any(|text| text.contains("the intent has no training phrase")), "{texts:?}");
    assert!(texts[first_warning..].iter().all(warning), "no error after a warning: {texts:?}");
    assert_eq!(stage.text(".problems > button"), format!("Show all {total} problems"));
    stage.click(".problems > button");
    eventually("every problem", || items() == total).await;
    assert!(!present(&stage, ".problems > button"), "nothing more to show");
    drop(stage);
    store_workspace(None);
}

#[wasm_bindgen_test]
async fn committing_one_field_keeps_the_fields_beside_it_where_they_are() {
    store_workspace(None);
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, "#row-10")).await;
    stage.click("#row-10");
    eventually("the intent's panel", || present(&stage, ".panel-pane textarea")).await;
    let intent: HtmlInputElement = stage.find(".panel-pane input[type=text]").unchecked_into();
    let phrases = stage.find(".panel-pane textarea");
    intent.set_value("Ask for a person");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    intent.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    eventually("the tree to show the new name", || {
        stage.text("#row-10").contains("Message Received: Ask for a person")
    })
    .await;
    assert!(stage.text("#panel-heading").contains("Ask for a person"), "the panel's heading follows");
    assert!(phrases.is_connected(), "the training phrases field was not rebuilt, so the focus can move into it");
    assert!(intent.is_connected());

    // Ticking a team keeps the ticked box itself in the page.
    stage.click("#row-11");
    eventually("the handoff panel", || present(&stage, "#handoff-11-default")).await;
    let technical = stage.find("#handoff-11-default fieldset:first-of-type .check-field:nth-of-type(2) input");
    technical.unchecked_ref::<web_sys::HtmlElement>().click();
    eventually("Technical off the default list", || {
        stage.text("#handoff-11-default .picker-summary") == "Specific teams: Billing"
    })
    .await;
    assert!(technical.is_connected(), "the box just ticked is still the one in the page");
    drop(stage);
    store_workspace(None);
}

/// A checkbox's name is its label alone; its hint describes it: "Billing", described by
/// "3 members", not "Billing3 members".
#[wasm_bindgen_test]
async fn a_checkbox_is_named_by_its_label_and_described_by_its_hint() {
    let stage = editor_with_handoff_selected(None).await;
    let billing = stage.find("#handoff-11-default fieldset:first-of-type .check-field:nth-of-type(1)");
    let label = billing.query_selector("label").unwrap().unwrap().text_content().unwrap_or_default();
    assert_eq!(label.trim(), "Billing");
    let input = billing.query_selector("input").unwrap().unwrap();
    let hint = input.get_attribute("aria-describedby").expect("described by its hint");
    assert_eq!(stage.text(&format!("#{hint}")), "3 members");
    drop(stage);
    store_workspace(None);
}

/// "All users in the teamspace" is the radio's name; its hint is a separate phrase, not "…teamspaceEvery live agent…".
#[wasm_bindgen_test]
async fn an_assign_chat_choice_is_named_by_its_label_and_described_by_its_hint() {
    let stage = editor_with_handoff_selected(None).await;
    let all_users = stage.find("fieldset.choice.assign input[value='all_users']");
    let label = all_users.closest("label").unwrap().unwrap().text_content().unwrap_or_default();
    assert_eq!(label.trim(), "All users in the teamspace");
    let hint = all_users.get_attribute("aria-describedby").expect("described by its hint");
    assert!(
        stage.text(&format!("#{hint}")).starts_with("Every live agent of the teamspace"),
        "{}",
        stage.text(&format!("#{hint}"))
    );
    // On screen the name and the hint are two lines, not one run-together phrase.
    let shown = stage.find("fieldset.choice.assign").unchecked_into::<web_sys::HtmlElement>().inner_text();
    let lines: Vec<&str> = shown.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    assert_eq!(lines[1], "All users in the teamspace", "{shown:?}");
    assert!(lines[2].starts_with("Every live agent of the teamspace"), "{shown:?}");
    assert_eq!(lines[3], "Specific users or teams", "{shown:?}");
    let specific = stage.find("fieldset.choice.assign input[value='specific']");
    let label = specific.closest("label").unwrap().unwrap().text_content().unwrap_or_default();
    assert_eq!(label.trim(), "Specific users or teams");
    let hint = specific.get_attribute("aria-describedby").expect("described by its hint");
    assert!(stage.text(&format!("#{hint}")).starts_with("Only the users"), "{}", stage.text(&format!("#{hint}")));
    drop(stage);
    store_workspace(None);
}

/// Move up is not offered on the first node of its list, Move down not on the last.
#[wasm_bindgen_test]
async fn move_up_and_down_are_offered_only_where_they_move_the_node() {
    let stage = editor_with_handoff_selected(None).await;
    let button = |label: &str| -> web_sys::HtmlButtonElement {
        let buttons = stage.element.query_selector_all(".node-toolbar button").unwrap();
        (0..buttons.length())
            .filter_map(|index| buttons.item(index))
            .map(|node| node.unchecked_into::<web_sys::HtmlButtonElement>())
            .find(|button| button.text_content().unwrap_or_default().trim().starts_with(label))
            .expect("the toolbar button")
    };
    // The handoff is alone under its trigger: neither moves it.
    assert!(button("Move up").disabled() && button("Move down").disabled());
    stage.click("#row-1");
    eventually("Chat Started selected", || stage.text("#panel-heading").contains("Chat Started")).await;
    assert!(button("Move up").disabled(), "the first node cannot move up");
    assert!(!button("Move down").disabled());
    drop(stage);
    store_workspace(None);
}

/// Deleting the starter's Human Handoff, which the billing question's "Yes" jumps to and which
/// holds four actions, asks first with the mouse: what goes, what would point at nothing, that
/// undo brings it back. Cancel keeps it; Delete deletes it; Undo brings it back.
#[wasm_bindgen_test]
async fn deleting_a_handoff_a_jump_to_points_at_asks_first_and_undo_brings_it_back() {
    let stage = editor_with_handoff_selected(None).await;
    stage.click(".node-toolbar button.danger");
    eventually("the question", || present(&stage, "[role='alertdialog'][aria-labelledby='delete-question-text']"))
        .await;
    let question = stage.text("#delete-question");
    assert!(
        question.contains("Delete Human Handoff under “Talk to a human”? The 4 nodes under it go too."),
        "{question}"
    );
    assert!(
        question.contains("Jump To under “Yes” would point at nothing: the editor will show it as a problem."),
        "{question}"
    );
    assert!(!question.contains("triggers["), "words for people, no JSON path: {question}");
    assert!(question.contains("Undo (Ctrl+Z) brings it back."), "{question}");
    eventually("Cancel to have the focus", || focused_id() == "delete-cancel").await;
    assert!(present(&stage, HANDOFF_ROW), "nothing deleted while asking");

    stage.click("#delete-cancel");
    eventually("the question gone", || !present(&stage, "#delete-question")).await;
    assert!(present(&stage, HANDOFF_ROW), "Cancel keeps the handoff");
    eventually("the focus back on the handoff", || focused_id() == "row-11").await;

    stage.click(".node-toolbar button.danger");
    eventually("the question again", || present(&stage, "#delete-question")).await;
    stage.click("#delete-question button.danger");
    eventually("the handoff deleted", || !present(&stage, HANDOFF_ROW)).await;
    assert!(!present(&stage, "#row-12"), "its subtree went with it");
    assert!(stage.text(".status-line").contains("Undo (Ctrl+Z) brings it back"));
    stage.click(".undo-redo button");
    eventually("the handoff back", || present(&stage, HANDOFF_ROW) && present(&stage, "#row-12")).await;
    drop(stage);
    store_workspace(None);
}

/// By keyboard: Delete on the handoff's row asks, with the focus on Cancel; Escape cancels and
/// gives the focus back to the row. Delete on a lone goodbye message nothing points at deletes
/// it at once.
#[wasm_bindgen_test]
async fn the_delete_key_asks_only_where_more_goes_or_something_points_in() {
    let stage = editor_with_handoff_selected(None).await;
    key(&stage, HANDOFF_ROW, "Delete");
    eventually("the question", || present(&stage, "#delete-question")).await;
    eventually("Cancel to have the focus", || focused_id() == "delete-cancel").await;
    key(&stage, "#delete-cancel", "Escape");
    eventually("the question gone", || !present(&stage, "#delete-question")).await;
    assert!(present(&stage, HANDOFF_ROW));
    eventually("the focus back on the handoff", || focused_id() == "row-11").await;

    stage.click("#row-12");
    eventually("the goodbye selected", || stage.text("#panel-heading").contains("Send Message")).await;
    key(&stage, "#row-12", "Delete");
    eventually("the goodbye deleted at once", || !present(&stage, "#row-12")).await;
    assert!(!present(&stage, "#delete-question"), "a lone leaf is not asked about");
    drop(stage);
    store_workspace(None);
}

/// "Empty workflow" asks first, with the focus on Cancel; Escape keeps the workflow and gives
/// the focus back; confirming leaves the two triggers every workflow keeps.
#[wasm_bindgen_test]
async fn emptying_the_workflow_asks_first_and_says_undo_brings_it_back() {
    let stage = editor_with_handoff_selected(None).await;
    stage.click("#empty-workflow");
    eventually("the question", || present(&stage, "[role='alertdialog'][aria-labelledby='empty-question']")).await;
    assert!(stage.text("#empty-question").contains("Undo (Ctrl+Z) brings them back."));
    eventually("Cancel to have the focus", || focused_id() == "empty-cancel").await;
    key(&stage, "#empty-cancel", "Escape");
    eventually("the question gone", || !present(&stage, "#empty-question")).await;
    assert!(present(&stage, HANDOFF_ROW), "Escape keeps the workflow");
    assert_eq!(focused_id(), "empty-workflow");

    stage.click("#empty-workflow");
    eventually("the question again", || present(&stage, "#empty-question")).await;
    stage.click("[aria-labelledby='empty-question'] button.danger");
    eventually("the empty workflow", || stage.element.query_selector_all("[role=treeitem]").unwrap().length() == 2)
        .await;
    stage.click(".undo-redo button");
    eventually("the workflow back", || present(&stage, HANDOFF_ROW)).await;
    drop(stage);
    store_workspace(None);
}

/// A text is kept as the domain normalises it, and the box shows what was kept, also when that
/// is what the node held already (a trailing space typed after the same words).
#[wasm_bindgen_test]
async fn a_text_field_shows_the_text_as_it_was_kept() {
    let stage = editor_with_handoff_selected(None).await;
    let field = || -> web_sys::HtmlTextAreaElement {
        let label = stage.element.query_selector_all(".field-control").unwrap();
        (0..label.length())
            .filter_map(|index| label.item(index))
            .map(|node| node.unchecked_into::<web_sys::Element>())
            .find(|label| label.text_content().unwrap_or_default().starts_with("Handoff message"))
            .and_then(|label| label.query_selector("textarea").unwrap())
            .expect("the Handoff message box")
            .unchecked_into()
    };
    let commit = |text: &str| {
        let box_ = field();
        box_.set_value(text);
        box_.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    };
    commit("  Connecting you now.  ");
    eventually("the trimmed text", || field().value() == "Connecting you now.").await;
    commit("Connecting you now. ");
    eventually("the same text, trimmed, though nothing changed", || field().value() == "Connecting you now.").await;
    drop(stage);
    store_workspace(None);
}

/// A text the AI agent says is one labelled field per language, the default first; emptying
/// the French one removes only its version, and the empty field shows the English text a
/// French chat would read instead.
#[wasm_bindgen_test]
async fn each_text_shows_its_languages_side_by_side() {
    store_workspace(None);
    let stage = Stage::mount_app_at("/editor");
    eventually("the workflow tree", || present(&stage, "#row-41")).await;
    stage.click("#row-41");
    eventually("the fallback's message", || stage.text("#panel-heading").contains("Send Message")).await;
    let labels = stage.element.query_selector_all(".panel-pane textarea").unwrap();
    let fields: Vec<(String, web_sys::HtmlTextAreaElement)> = (0..labels.length())
        .filter_map(|index| labels.item(index))
        .map(|node| node.unchecked_into::<web_sys::HtmlTextAreaElement>())
        .map(|area| {
            let label = area.closest("label").unwrap().unwrap().text_content().unwrap_or_default();
            (label.trim().to_owned(), area)
        })
        .collect();
    let names: Vec<&str> = fields.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(
        names[..3],
        ["Message in English (en)", "Message in French (fr)", "Message in Spanish (es)"],
        "one field per language, the default first"
    );
    let english = "Sorry, I didn't get that. You can ask to talk to a human at any time.";
    let french = &fields[1].1;
    eventually("the texts in their fields", || fields[0].1.value() == english).await;
    assert!(french.value().starts_with("Désolé"), "{}", french.value());
    assert_eq!(french.placeholder(), english, "the default language's text is the placeholder");

    french.set_value("");
    french.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    let text_of = |language: &str| {
        let saved = stored_workspace().expect("the workspace is saved");
        let workspace = handoff::load_workspace(&saved).expect("a readable workspace");
        match workspace.ai_agent.workflow.find_action(handoff::NodeId(41)).map(|action| &action.kind) {
            Some(ActionKind::SendMessage { text, .. }) => {
                text.get(&handoff::Language::new(language)).map(str::to_owned)
            }
            _ => None,
        }
    };
    eventually("the French version removed and saved", || text_of("fr").is_none()).await;
    assert_eq!(text_of("en").as_deref(), Some(english), "the English version stays");
    assert!(text_of("es").is_some(), "the Spanish version stays");
    assert_eq!(french.value(), "", "the field is empty, its placeholder says what French chats read");
    drop(stage);
    store_workspace(None);
}

/// Puts a file named `name` holding `text` in the Import field, as choosing it does.
fn choose_file(stage: &Stage, name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let file = web_sys::File::new_with_str_sequence(&parts, name).unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    let items = js_sys::Reflect::get(&transfer, &"items".into()).unwrap();
    let add: js_sys::Function = js_sys::Reflect::get(&items, &"add".into()).unwrap().unchecked_into();
    add.call1(&items, &file).unwrap();
    let input: HtmlInputElement = stage.find(".file-tools input[type=file]").unchecked_into();
    input.set_files(transfer.files().as_ref());
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

/// One message at a time: a failed import's error takes the place of an earlier "Imported …",
/// and the next message takes the error's.
#[wasm_bindgen_test]
async fn an_import_error_replaces_the_last_message_and_the_next_message_replaces_it() {
    let stage = editor_with_handoff_selected(None).await;
    choose_file(&stage, "good.json", &workspace_to_json(&starter_workspace()));
    eventually("the import said", || stage.text(".status-line").starts_with("Imported good.json.")).await;
    choose_file(&stage, "broken.json", "{ oops");
    eventually("the error", || stage.text("#import-error").contains("broken.json was not imported")).await;
    assert_eq!(stage.text(".status-line"), "", "the earlier “Imported …” is gone");
    stage.click("#row-12");
    key(&stage, "#row-12", "Delete");
    eventually("the deletion said", || stage.text(".status-line").starts_with("Deleted")).await;
    assert_eq!(stage.text("#import-error"), "", "the error gave way to the new message");
    drop(stage);
    store_workspace(None);
}

/// Who is Online now is read from the conversations: with Jonas signed in there, he and only he
/// is Online now, while the what-if still supposes everyone signed in, with no box ticked.
#[wasm_bindgen_test]
async fn who_would_get_says_who_really_is_online_apart_from_the_what_if() {
    use handoff::{AgentId, Command, Engine, Timestamp};
    use handoff_studio::backend::{Backend, provide_open};
    use handoff_studio::editor::EditorPage;
    use handoff_studio::workspace_store::provide_workspace_store;
    store_workspace(None);
    let mut engine = Engine::new(starter_workspace(), 0);
    engine.handle(Timestamp(0), Command::SignIn { agent: AgentId(3) }).unwrap();
    let stage = Stage::mount(move || {
        provide_workspace_store();
        provide_open(Backend::in_memory(engine));
        leptos::view! { <EditorPage/> }
    });
    eventually("the tree", || present(&stage, HANDOFF_ROW)).await;
    stage.click(HANDOFF_ROW);
    eventually("the handoff panel", || present(&stage, "details.who-would-get")).await;
    stage.find("details.who-would-get").unchecked_ref::<web_sys::HtmlDetailsElement>().set_open(true);
    eventually("the verdicts", || present(&stage, ".verdict-language")).await;
    assert_eq!(stage.text("#online-now-heading"), "Online now");
    assert_eq!(stage.text(".online-now p"), "Jonas Weber");
    let boxes = stage.element.query_selector_all(".presence-what-if input").unwrap();
    assert_eq!(boxes.length(), 6, "one box per live agent");
    for index in 0..boxes.length() {
        let input: HtmlInputElement = boxes.item(index).unwrap().unchecked_into();
        assert!(!input.checked(), "nobody is supposed Away until the admin says so");
    }
    assert!(stage.text(".verdict-language[data-language='fr']").contains("Noah Martin — would be eligible"));
    drop(stage);

    // Without conversations the page says it does not know.
    let stage = Stage::mount(move || {
        provide_workspace_store();
        leptos::view! { <EditorPage/> }
    });
    eventually("the tree", || present(&stage, HANDOFF_ROW)).await;
    stage.click(HANDOFF_ROW);
    eventually("the handoff panel", || present(&stage, ".online-now p")).await;
    assert!(stage.text(".online-now p").starts_with("Not known here"), "{}", stage.text(".online-now p"));
    drop(stage);
    store_workspace(None);
}

/// A control's name is its label alone and its hint describes it, so label and hint never run
/// together ("All users in the teamspaceEvery live agent…"); a language keeps its capital in
/// the picker's search label ("for French (fr)", not "for french (fr)").
#[wasm_bindgen_test]
async fn labels_and_hints_are_said_apart_and_languages_keep_their_capitals() {
    let stage = editor_with_handoff_selected(None).await;
    let all_users = stage.find("input[name='handoff-11-assign'][value='all_users']");
    let label = all_users.closest("label").unwrap().unwrap().text_content().unwrap_or_default();
    assert_eq!(label.trim(), "All users in the teamspace");
    let hint = all_users.get_attribute("aria-describedby").expect("described by its hint");
    assert!(stage.text(&format!("#{hint}")).starts_with("Every live agent of the teamspace sees the pending chat."));

    let search = stage.text(".language-row[data-language='fr'] .picker .field-label");
    assert_eq!(search, "Search users and teams for French (fr)");

    // A text field: "Handoff message", described by its hint.
    let area = stage.find(".panel-pane textarea");
    let label = area.closest("label").unwrap().unwrap().text_content().unwrap_or_default();
    assert_eq!(label.trim(), "Handoff message in English (en)", "the default language's field first");
    let hint = area.get_attribute("aria-describedby").expect("described by its hint");
    assert_eq!(stage.text(&format!("#{hint}")), "Optional: sent to the customer when the chat is handed off.");
    drop(stage);
    store_workspace(None);
}
