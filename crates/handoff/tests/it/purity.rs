//! Guards the Architecture Invariant that the domain crate is pure: it may not depend on a UI
//! framework, the browser, an async runtime, a web server or a database.
//! Every crate it links is also named below with the reason it is pure, so a new one is a choice.

use std::path::Path;

/// Crate names (or prefixes ending in `*`) that would bring IO, a clock or a runtime into the domain.
const FORBIDDEN: &[&str] = &[
    "leptos*",
    "web-sys",
    "js-sys",
    "wasm-bindgen*",
    "gloo*",
    "tokio*",
    "axum*",
    "hyper*",
    "reqwest",
    "getrandom",
    "sqlx*",
    "rusqlite",
    "libsqlite3-sys",
    "diesel*",
    "sea-orm*",
    "postgres*",
    "mysql*",
    "redb",
    "sled",
];

/// Every crate the domain crate may link, and why it keeps the domain pure.
const ALLOWED: &[(&str, &str)] = &[
    ("serde", "derives and traits only; the documents' shapes, no IO of its own"),
    ("serde_json", "reads and writes JSON text in memory; files are the shells' business"),
    ("rustc-hash", "a hash function and map aliases: no random seed, so maps iterate the same way on every run"),
    ("rust-stemmers", "Snowball stemmers: functions from a word to its stem, no IO, no state"),
    ("strsim", "string distances: pure functions of two strings"),
];

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *pattern,
    })
}

/// Every crate a manifest links into the library: `[dependencies]` and `[build-dependencies]`,
/// also under `[target.'cfg(..)']`, by their real package name when renamed.
fn shipped_dependencies(manifest: &toml::Table) -> Vec<String> {
    let mut tables = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().filter_map(|t| t.as_table()));
    }
    let mut names = Vec::new();
    for table in tables {
        for section in ["dependencies", "build-dependencies"] {
            let Some(deps) = table.get(section).and_then(|d| d.as_table()) else { continue };
            for (key, spec) in deps {
                let renamed = spec.get("package").and_then(|p| p.as_str());
                names.push(renamed.unwrap_or(key).to_owned());
            }
        }
    }
    names
}

fn forbidden_in(manifest_text: &str) -> Vec<String> {
    let manifest: toml::Table = manifest_text.parse().expect("Cargo.toml parses as TOML");
    let mut forbidden: Vec<String> =
        shipped_dependencies(&manifest).into_iter().filter(|name| is_forbidden(name)).collect();
    forbidden.sort();
    forbidden
}

#[test]
fn domain_crate_depends_on_no_io_browser_or_framework_crate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).expect("the domain crate's Cargo.toml is readable");
    assert_eq!(forbidden_in(&text), Vec::<String>::new(), "{} must stay pure", path.display());
}

#[test]
fn every_crate_the_domain_links_is_allowed_with_a_reason() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).expect("the domain crate's Cargo.toml is readable");
    let manifest: toml::Table = text.parse().expect("Cargo.toml parses as TOML");
    let unexplained: Vec<String> = shipped_dependencies(&manifest)
        .into_iter()
        .filter(|name| !ALLOWED.iter().any(|(allowed, _)| allowed == name))
        .collect();
    assert_eq!(unexplained, Vec::<String>::new(), "add each to ALLOWED in {} with why it is pure", file!());
}

#[test]
fn the_guard_catches_forbidden_crates_wherever_they_are_declared() {
    let manifest = r#"
        [package]
        name = "x"
        [dependencies]
        serde = "1"
        leptos = "0.8"
        db = { version = "0.8", package = "sqlx" }
        [build-dependencies]
        tokio = "1"
        [target.'cfg(target_arch = "wasm32")'.dependencies]
        web-sys = "0.3"
        [dev-dependencies]
        axum = "0.8"
    "#;
    assert_eq!(forbidden_in(manifest), ["leptos", "sqlx", "tokio", "web-sys"]);
}
