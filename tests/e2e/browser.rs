//! A headless Chromium session on the served app, and the waiting that asynchronous rendering needs.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

/// How long the app may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Browser {
    pub client: Client,
    app_url: String,
    profile: PathBuf,
}

pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`, which builds and serves the app")
    })
}

impl Browser {
    /// A new Chromium session with its own empty profile, `width` × 900 pixels, on the app as a
    /// static host serves it (the simulated backend).
    pub async fn open(width: u32) -> Browser {
        Browser::open_at(&required_env("HANDOFF_E2E_APP_URL"), width).await
    }

    /// A new Chromium session as `open` makes, on the app at `app_url` (a server's).
    pub async fn open_at(app_url: &str, width: u32) -> Browser {
        static SESSIONS: AtomicU32 = AtomicU32::new(0);
        let app_url = app_url.to_owned();
        let webdriver_url = required_env("HANDOFF_E2E_WEBDRIVER_URL");

        // Chromium's arguments are the ones the component tests use, from webdriver.json.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/webdriver.json");
        let text = std::fs::read_to_string(path).expect("webdriver.json is readable");
        let Value::Object(mut capabilities) = serde_json::from_str(&text).expect("webdriver.json is JSON") else {
            panic!("webdriver.json holds an object of capabilities")
        };
        let session = SESSIONS.fetch_add(1, Ordering::Relaxed);
        let profile = std::env::temp_dir().join(format!("handoff-e2e-{}-{session}", std::process::id()));
        let args = capabilities["goog:chromeOptions"]["args"].as_array_mut().expect("chrome arguments are a list");
        args.retain(|arg| !arg.as_str().is_some_and(|arg| arg.starts_with("--window-size=")));
        args.push(format!("--window-size={width},900").into());
        args.push(format!("--user-data-dir={}", profile.display()).into());

        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver_url)
            .await
            .expect("chromedriver starts a Chromium session");
        Browser { client, app_url, profile }
    }

    pub async fn visit(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.app_url)).await.expect("the page loads");
    }

    /// Clicks the element, first scrolled to the middle of the window: WebDriver scrolls only as
    /// far as the element's edge, where the sticky site header can cover it.
    pub async fn click(&self, css: &str) {
        let element = self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await;
        let element = element.unwrap_or_else(|error| panic!("nothing to click at `{css}`: {error}"));
        self.centre(&element).await;
        element.click().await.expect("click");
    }

    /// Scrolls the element to the middle of the window.
    pub async fn centre(&self, element: &fantoccini::elements::Element) {
        let argument = serde_json::to_value(element).expect("an element reference");
        let centre = "arguments[0].scrollIntoView({ block: 'center' });";
        self.client.execute(centre, vec![argument]).await.expect("scrolling to the element");
    }

    pub async fn text(&self, css: &str) -> String {
        let element = self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await;
        element.unwrap_or_else(|error| panic!("nothing at `{css}`: {error}")).text().await.expect("text")
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.expect("the current URL").path().to_owned()
    }

    /// Waits until the address is `path` and the page's main heading reads `heading`.
    pub async fn expect_page(&self, path: &str, heading: &str) {
        eventually(&format!("page {path} with heading {heading:?}"), || async {
            // The heading may be redrawn between being found and being read (a sign-in swaps
            // the whole page): a stale element reads as nothing yet, and is looked for again.
            let shown = match self.client.find(Locator::Css("main h1")).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            let seen = (self.path().await, shown);
            (seen.0 == path && seen.1 == heading, format!("{seen:?}"))
        })
        .await;
    }

    /// Runs axe-core on the page as it is now and fails, naming `what` was checked, if it finds
    /// any serious or critical violation: for each, its rule, its help text and where it is.
    pub async fn assert_accessible(&self, what: &str) {
        let serious = self.serious_accessibility_violations().await;
        assert!(
            serious.is_empty(),
            "axe-core found {} serious or critical accessibility violation(s) on {what}:\n{}",
            serious.len(),
            serious.join("\n")
        );
    }

    /// The serious and critical violations axe-core finds on the whole page as it is now, one
    /// line each. Minor and moderate findings are left to review; no rule and no part of the
    /// page is excluded.
    pub async fn serious_accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var("HANDOFF_E2E_AXE_JS").unwrap_or_else(|_| {
            panic!(
                "HANDOFF_E2E_AXE_JS is not set: run the end-to-end tests with `cargo xtask test`, \
                 which installs axe-core and passes the path of its axe.min.js"
            )
        });
        // A page keeps axe-core until it reloads; the app's own navigation does not reload it.
        let loaded = self.client.execute("return typeof window.axe === 'object';", Vec::new()).await;
        if loaded.expect("the page runs scripts") != Value::Bool(true) {
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read axe-core at {path}: {error}"));
            self.client.execute(&source, Vec::new()).await.expect("axe-core loads into the page");
        }
        let outcome = self.client.execute_async(AXE_RUN, Vec::new()).await.expect("axe-core runs");
        if let Some(error) = outcome.get("error") {
            panic!("axe-core failed: {error}");
        }
        let violations = outcome["violations"].as_array().expect("axe-core returns its violations");
        violations
            .iter()
            .filter(|violation| matches!(violation["impact"].as_str(), Some("serious" | "critical")))
            .map(describe_violation)
            .collect()
    }

    pub async fn close(self) {
        self.client.close().await.expect("the session closes");
        // Chromium may still be letting go of its profile; a leftover temp folder is harmless.
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs axe-core on the whole document and hands back its violations, trimmed to what a failure
/// message shows, or the error it failed with. WebDriver passes the callback as the last argument.
const AXE_RUN: &str = r"
const done = arguments[arguments.length - 1];
const selector = (target) => target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' | ');
window.axe.run(document, { resultTypes: ['violations'] }).then(
  (results) => done({
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => selector(node.target)),
    })),
  }),
  (error) => done({ error: String(error) }),
);
";

/// How many elements a failure lists for each violation.
const TARGETS_SHOWN: usize = 3;

/// One violation on a line: rule, impact, help text, then the first few elements it concerns.
fn describe_violation(violation: &Value) -> String {
    let targets: Vec<&str> = violation["targets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut shown =
        targets.iter().take(TARGETS_SHOWN).map(|target| format!("`{target}`")).collect::<Vec<_>>().join(", ");
    if targets.len() > TARGETS_SHOWN {
        shown.push_str(&format!(" and {} more", targets.len() - TARGETS_SHOWN));
    }
    format!(
        "  - {} ({}): {}; at {shown}",
        violation["id"].as_str().unwrap_or("?"),
        violation["impact"].as_str().unwrap_or("?"),
        violation["help"].as_str().unwrap_or("?"),
    )
}

/// Polls `check` until it holds or patience runs out; `check` says what it saw, for the failure message.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, String)>,
{
    let started = Instant::now();
    loop {
        let (holds, seen) = check().await;
        if holds {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}; last saw {seen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
