//! Tidy tests, as in rust-analyzer's `xtask/src/tidy.rs`: invariants of the app's source that no
//! compiler checks, kept by reading the files. They run with the workspace's native tests.
//!
//! The rules kept here are ARCHITECTURE.md's "Architecture Invariant"s on the browser's storage
//! and its cross-tab channels, and on the network: which modules of `src/` may use each of those
//! browser APIs directly.

use std::path::Path;

/// One browser API and the only modules of the app that may use it directly; every other module
/// goes through them.
struct Rule {
    api: &'static str,
    /// Words that only code using the API contains: `web-sys`'s names for it, or the property read.
    needles: &'static [&'static str],
    /// Paths from the workspace root, with `/`.
    allowed: &'static [&'static str],
}

const BROWSER_STORAGE_RULES: &[Rule] = &[
    Rule {
        api: "Web Storage (localStorage, sessionStorage and their `storage` event)",
        needles: &["local_storage(", "session_storage(", "web_sys::Storage", "ev::storage", "StorageEvent"],
        allowed: &["src/storage.rs"],
    },
    Rule {
        api: "IndexedDB",
        needles: &["indexed_db()", "Idb"],
        // The journal, and the reset that deletes the databases no tab holds any more.
        allowed: &["src/backend/indexed_db.rs", "src/backend/mod.rs"],
    },
    Rule {
        api: "Web Locks",
        needles: &["\"locks\"", "LockManager", ".locks()"],
        allowed: &["src/backend/indexed_db.rs"],
    },
    Rule { api: "BroadcastChannel", needles: &["BroadcastChannel"], allowed: &["src/backend/browser.rs"] },
];

const NETWORK_RULES: &[Rule] = &[Rule {
    api: "the network (fetch and WebSocket, through gloo-net or web-sys)",
    needles: &["gloo_net", "fetch_with", "WebSocket"],
    allowed: &["src/remote/mod.rs"],
}];

/// Every break of `rules` in `files` (path and text), one line each naming the file and line,
/// then every allowed file that no longer uses its API (the rule, and ARCHITECTURE.md, are stale).
/// Comment lines do not count: saying "localStorage" in a sentence touches nothing.
fn breaks(rules: &[Rule], files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for rule in rules {
        let mut used_by_allowed = Vec::new();
        for (path, text) in files {
            for (index, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                let Some(needle) = rule.needles.iter().find(|needle| line.contains(**needle)) else { continue };
                if rule.allowed.contains(&path.as_str()) {
                    used_by_allowed.push(path.as_str());
                } else {
                    found.push(format!(
                        "{path}:{}: uses {} (`{needle}`); only {} may, so go through them",
                        index + 1,
                        rule.api,
                        rule.allowed.join(", ")
                    ));
                }
            }
        }
        for allowed in rule.allowed.iter().filter(|allowed| !used_by_allowed.contains(allowed)) {
            found.push(format!("{allowed} no longer uses {}: take it off the rule and ARCHITECTURE.md", rule.api));
        }
    }
    found
}

/// Every `.rs` file under `folder`, as (path from `root` with `/`, text), sorted by path.
fn rust_files(root: &Path, folder: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
        for entry in entries {
            let path = entry.expect("a readable folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
                let relative = path.strip_prefix(root).expect("under the root").components();
                let name: Vec<_> = relative.map(|part| part.as_os_str().to_string_lossy().into_owned()).collect();
                files.push((name.join("/"), text));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn only_the_modules_architecture_md_names_touch_browser_storage_and_cross_tab_channels() {
    let root = crate::workspace_root();
    let files = rust_files(&root, &root.join("src"));
    assert!(files.iter().any(|(path, _)| path == "src/storage.rs"), "the app's source is found");
    let breaks = breaks(BROWSER_STORAGE_RULES, &files);
    assert!(breaks.is_empty(), "the Architecture Invariant on browser storage is broken:\n{}", breaks.join("\n"));
}

#[test]
fn only_the_remote_module_touches_the_network() {
    let root = crate::workspace_root();
    let files = rust_files(&root, &root.join("src"));
    let breaks = breaks(NETWORK_RULES, &files);
    assert!(breaks.is_empty(), "the Architecture Invariant on the network is broken:\n{}", breaks.join("\n"));
}

#[test]
fn the_storage_rule_names_the_file_and_line_that_breaks_it_and_allowances_gone_stale() {
    let file = |path: &str, text: &str| (path.to_owned(), text.to_owned());
    let files = [
        file("src/storage.rs", "fn local_storage() {}\nlet s = window.local_storage();\n"),
        file("src/inbox/desk.rs", "// kept in localStorage, through storage.rs\nlet s = window().local_storage();\n"),
        file("src/backend/indexed_db.rs", "let db = window.indexed_db();\nReflect::get(&navigator, \"locks\")"),
        file("src/backend/browser.rs", "let channel = web_sys::BroadcastChannel::new(name);"),
    ];
    assert_eq!(
        breaks(BROWSER_STORAGE_RULES, &files),
        [
            "src/inbox/desk.rs:2: uses Web Storage (localStorage, sessionStorage and their `storage` event) \
             (`local_storage(`); only src/storage.rs may, so go through them",
            "src/backend/mod.rs no longer uses IndexedDB: take it off the rule and ARCHITECTURE.md",
        ]
    );
}
