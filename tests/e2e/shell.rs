//! The app shell: navigation to every page, deep links, the narrow-screen menu, the not-found page.

use crate::browser::Browser;

/// Link text, address and main heading of every page in the navigation, in order.
const PAGES: [(&str, &str, &str); 5] = [
    ("Editor", "/editor", "Workflow editor"),
    ("Inbox", "/inbox", "Inbox"),
    ("Preview", "/preview", "Preview"),
    ("Simulator", "/simulator", "Simulator"),
    ("Settings", "/settings", "Teamspace settings"),
];

#[tokio::test]
async fn every_navigation_link_opens_its_page() {
    let browser = Browser::open(1280).await;
    browser.visit("/").await;
    browser.expect_page("/", "Handoff Studio").await;

    let labels: Vec<String> = {
        let links = browser.client.find_all(fantoccini::Locator::Css("#site-nav a")).await.expect("nav links");
        let mut labels = Vec::new();
        for link in links {
            labels.push(link.text().await.expect("link text"));
        }
        labels
    };
    assert_eq!(labels, PAGES.map(|(label, _, _)| label.to_owned()), "the navigation lists every page in order");

    for (label, path, heading) in PAGES {
        browser.click(&format!("#site-nav a[href='{path}']")).await;
        browser.expect_page(path, heading).await;
        let title = browser.client.title().await.expect("title");
        assert_eq!(title, format!("{heading} · Handoff Studio"), "the tab names the page after clicking {label}");
    }

    browser.click("header a.brand").await;
    browser.expect_page("/", "Handoff Studio").await;
    browser.close().await;
}

#[tokio::test]
async fn every_page_opens_from_its_address_directly() {
    let browser = Browser::open(1280).await;
    for (_, path, heading) in PAGES {
        browser.visit(path).await;
        browser.expect_page(path, heading).await;
    }
    browser.close().await;
}

#[tokio::test]
async fn on_a_phone_the_menu_button_reveals_the_navigation() {
    let browser = Browser::open(360).await;
    browser.visit("/").await;
    browser.expect_page("/", "Handoff Studio").await;
    let nav = browser.client.find(fantoccini::Locator::Id("site-nav")).await.expect("the navigation");
    assert!(!nav.is_displayed().await.expect("visibility"), "at 360 px the navigation starts folded");

    browser.click("button.menu-toggle").await;
    assert!(nav.is_displayed().await.expect("visibility"), "the Menu button unfolds the navigation");
    browser.click("#site-nav a[href='/simulator']").await;
    browser.expect_page("/simulator", "Simulator").await;
    assert!(!nav.is_displayed().await.expect("visibility"), "choosing a page folds the navigation again");
    browser.close().await;
}

#[tokio::test]
async fn an_unknown_address_shows_the_not_found_page() {
    let browser = Browser::open(1280).await;
    browser.visit("/no-such-page").await;
    browser.expect_page("/no-such-page", "Page not found").await;
    assert_eq!(browser.text("main code").await, "/no-such-page");
    assert_eq!(browser.client.title().await.expect("title"), "Page not found · Handoff Studio");

    browser.click("main a[href='/']").await;
    browser.expect_page("/", "Handoff Studio").await;
    browser.close().await;
}

/// A static host's `/index.html`, served as the file itself, is the home page, not "Page not
/// found".
#[tokio::test]
async fn index_html_opens_the_home_page() {
    let browser = Browser::open(1280).await;
    browser.visit("/index.html").await;
    browser.expect_page("/index.html", "Handoff Studio").await;
    let title = browser.client.title().await.expect("title");
    assert_eq!(title, "Home · Handoff Studio");
    browser.close().await;
}
