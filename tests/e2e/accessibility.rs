//! Accessibility: axe-core checks each page of the release build and the test fails on any
//! serious or critical violation.

use crate::browser::Browser;

/// Opens `path`, waits for its main heading, and checks the whole page with axe-core.
async fn check_page(path: &str, heading: &str) {
    let browser = Browser::open(1280).await;
    browser.visit(path).await;
    browser.expect_page(path, heading).await;
    browser.assert_accessible(&format!("the page at {path}")).await;
    browser.close().await;
}

#[tokio::test]
async fn the_home_page_has_no_serious_accessibility_violation() {
    check_page("/", "Handoff Studio").await;
}

#[tokio::test]
async fn the_workflow_editor_has_no_serious_accessibility_violation() {
    check_page("/editor", "Workflow editor").await;
}

#[tokio::test]
async fn the_settings_page_has_no_serious_accessibility_violation() {
    check_page("/settings", "Teamspace settings").await;
}

#[tokio::test]
async fn the_inbox_has_no_serious_accessibility_violation() {
    check_page("/inbox", "Inbox").await;
}

#[tokio::test]
async fn the_preview_has_no_serious_accessibility_violation() {
    check_page("/preview", "Preview").await;
}

/// The check itself: a button with no name, added to the home page, is reported with its rule,
/// its impact and where it is, so a passing page above means axe-core ran and found nothing.
#[tokio::test]
async fn the_check_reports_a_button_without_a_name() {
    let browser = Browser::open(1280).await;
    browser.visit("/").await;
    browser.expect_page("/", "Handoff Studio").await;
    let add_button = "const button = document.createElement('button'); \
                      button.id = 'unnamed'; document.querySelector('main').append(button);";
    browser.client.execute(add_button, Vec::new()).await.expect("the button is added");

    let violations = browser.serious_accessibility_violations().await;
    assert_eq!(
        violations,
        ["  - button-name (critical): Buttons must have discernible text; at `#unnamed`"],
        "the unnamed button is the one serious finding"
    );
    browser.close().await;
}
