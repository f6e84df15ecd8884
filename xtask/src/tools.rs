//! Installs the tools the project needs and checks their versions, saying what it does and why.
//!
//! Trunk must never download a tool itself (this machine reaches only package registries), so
//! every tool it would fetch is put on PATH at the version it wants before Trunk runs:
//! wasm-bindgen at exactly the version in `Cargo.lock`, and wasm-opt from the npm registry's
//! `binaryen` package.
//!
//! The end-to-end tests also need axe-core, the accessibility checker they inject into the pages
//! they check; it comes from the npm registry too, pinned, into the same tools folder.
//!
//! Why not Debian's `binaryen`: bookworm ships version 108, which rewrites wasm-bindgen's
//! externref table into a type browsers reject, so the optimised app dies at start-up with
//! "WebAssembly.Table.set(): Argument 1 is invalid for table". The npm package is binaryen
//! compiled to wasm, run by Node; it optimises this app in a few seconds.

use std::path::{Path, PathBuf};

use crate::shell::{cmd, path_with_tools};
use crate::workspace_root;

/// Trunk 0.21.14 is the newest that builds with Rust 1.95.
const TRUNK_VERSION: &str = "0.21.14";
/// The npm `binaryen` package whose `wasm-opt` Trunk runs; it prints "wasm-opt version 132 (version_132)".
const BINARYEN_NPM_VERSION: &str = "132.0.0";
/// The npm `axe-core` package whose `axe.min.js` the end-to-end tests inject (the newest 4.x when pinned).
const AXE_CORE_NPM_VERSION: &str = "4.14.1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Building and serving the app.
    Build,
    /// Everything `cargo xtask test` runs, including headless Chromium.
    BrowserTests,
}

pub fn ensure(needs: Needs) -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, Locked::Yes, "to build and serve the app")?;
    let bindgen = wasm_bindgen_version()?;
    // The registry's newest dependencies do not fit wasm-bindgen-cli's lock file, so it is
    // installed without `--locked`.
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &bindgen,
        Locked::No,
        "Trunk and the browser test runner need exactly the wasm-bindgen version of Cargo.lock",
    )?;
    let mut packages = vec![
        Package { binary: "npm", debian: "npm", why: "it installs wasm-opt" },
        // Rust links native binaries with `cc`, and the server's SQLite is C, built from source.
        Package {
            binary: "cc",
            debian: "gcc",
            why: "native builds link with it and the server compiles SQLite with it",
        },
    ];
    if needs == Needs::BrowserTests {
        packages.push(Package { binary: "chromium", debian: "chromium", why: "the browser tests run in it" });
        packages.push(Package {
            binary: "chromedriver",
            debian: "chromium-driver",
            why: "the browser tests drive Chromium through it",
        });
    }
    ensure_debian_packages(&packages)?;
    ensure_wasm_opt()?;
    if needs == Needs::BrowserTests {
        ensure_axe_core()?;
    }
    Ok(())
}

/// The folder for tools that are not cargo binaries, beside cargo's `bin` so that it is kept
/// across runs and clean clones the same way.
fn tools_root() -> PathBuf {
    cargo_bin_dir().parent().map(Path::to_path_buf).unwrap_or_default().join("handoff-studio-tools")
}

/// The folder that npm installs one pinned package into, as `<tools>/<package>-<version>`.
fn npm_prefix(package: &str, version: &str) -> PathBuf {
    tools_root().join(format!("{package}-{version}"))
}

/// `npm install package@version` into its own folder under the tools folder.
fn npm_install(package: &str, version: &str) -> Result<(), String> {
    let prefix = npm_prefix(package, version);
    std::fs::create_dir_all(&prefix).map_err(|error| format!("cannot create {}: {error}", prefix.display()))?;
    let spec = format!("{package}@{version}");
    cmd("npm", &["install", "--no-audit", "--no-fund", "--prefix", &prefix.to_string_lossy(), &spec]).run()
}

/// Where npm puts the `wasm-opt` of the pinned binaryen package.
pub fn wasm_opt_bin_dir() -> PathBuf {
    npm_prefix("binaryen", BINARYEN_NPM_VERSION).join("node_modules").join(".bin")
}

/// The pinned axe-core's `axe.min.js`, which the end-to-end tests read from `HANDOFF_E2E_AXE_JS`.
pub fn axe_core_js() -> PathBuf {
    axe_core_dir().join("axe.min.js")
}

fn axe_core_dir() -> PathBuf {
    npm_prefix("axe-core", AXE_CORE_NPM_VERSION).join("node_modules").join("axe-core")
}

/// The version in the installed axe-core's `package.json`, if it is there and readable.
fn installed_axe_core_version() -> Option<String> {
    let text = std::fs::read_to_string(axe_core_dir().join("package.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

fn ensure_axe_core() -> Result<(), String> {
    let installed = || installed_axe_core_version().as_deref() == Some(AXE_CORE_NPM_VERSION) && axe_core_js().is_file();
    if installed() {
        return Ok(());
    }
    println!(
        "xtask: installing npm's axe-core {AXE_CORE_NPM_VERSION} into {} (the end-to-end tests check each page's accessibility with it)",
        npm_prefix("axe-core", AXE_CORE_NPM_VERSION).display()
    );
    npm_install("axe-core", AXE_CORE_NPM_VERSION)?;
    if installed() { Ok(()) } else { Err(format!("{} is missing after npm install", axe_core_js().display())) }
}

fn ensure_wasm_opt() -> Result<(), String> {
    let wanted = BINARYEN_NPM_VERSION.split('.').next().unwrap_or_default();
    let binary = wasm_opt_bin_dir().join("wasm-opt");
    let found = cmd(&binary.to_string_lossy(), &["--version"]).read();
    if found.as_deref().and_then(|text| text.split_whitespace().nth(2)) == Some(wanted) {
        return Ok(());
    }
    println!(
        "xtask: installing wasm-opt from npm's binaryen {BINARYEN_NPM_VERSION} into {} (Trunk shrinks the release build with it; Debian bookworm's binaryen 108 breaks the app)",
        npm_prefix("binaryen", BINARYEN_NPM_VERSION).display()
    );
    npm_install("binaryen", BINARYEN_NPM_VERSION)?;
    if is_executable(&binary) { Ok(()) } else { Err(format!("{} is missing after npm install", binary.display())) }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, else `$CARGO_HOME/bin`, else `~/.cargo/bin`.
pub fn cargo_bin_dir() -> PathBuf {
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        return PathBuf::from(root).join("bin");
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo").join("bin")
}

/// The first executable called `name` on PATH (with the cargo bin folder in front).
pub fn find(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&path_with_tools()).map(|folder| folder.join(name)).find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = cmd("rustup", &["target", "list", "--installed"]).read().unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("xtask: adding the Rust target {WASM_TARGET}: the app and its browser tests compile to it");
    cmd("rustup", &["target", "add", WASM_TARGET]).run()
}

#[derive(Clone, Copy)]
enum Locked {
    Yes,
    No,
}

fn ensure_cargo_tool(binary: &str, krate: &str, version: &str, locked: Locked, why: &str) -> Result<(), String> {
    let found = find(binary).and_then(|path| cmd(path.to_str()?, &["--version"]).read());
    // `trunk --version` prints "trunk 0.21.14", `wasm-bindgen --version` "wasm-bindgen 0.2.100".
    let found_version = found.as_deref().and_then(|text| text.split_whitespace().nth(1)).map(str::to_owned);
    if found_version.as_deref() == Some(version) {
        return Ok(());
    }
    let reason = match &found_version {
        Some(other) => format!("found {other}, need {version}"),
        None => "not installed".to_owned(),
    };
    println!(
        "xtask: installing {krate} {version} into {} ({reason}; {why}). A first build takes several minutes.",
        cargo_bin_dir().display()
    );
    let mut args = vec!["install", krate, "--version", version, "--force"];
    if let Locked::Yes = locked {
        args.push("--locked");
    }
    cmd("cargo", &args).run()?;
    match find(binary) {
        Some(_) => Ok(()),
        None => Err(format!("{binary} is still not found after installing {krate}")),
    }
}

/// The version of the `wasm-bindgen` package in `Cargo.lock`.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let path = workspace_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    version_in_lock(&lock, "wasm-bindgen").ok_or_else(|| format!("{} has no wasm-bindgen package", path.display()))
}

fn version_in_lock(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    lock.split("[[package]]").find(|block| block.lines().any(|line| line.trim() == name_line)).and_then(|block| {
        let line = block.lines().find(|line| line.trim_start().starts_with("version = "))?;
        Some(line.trim().trim_start_matches("version = ").trim_matches('"').to_owned())
    })
}

struct Package {
    binary: &'static str,
    debian: &'static str,
    why: &'static str,
}

fn ensure_debian_packages(packages: &[Package]) -> Result<(), String> {
    let missing: Vec<&Package> = packages.iter().filter(|package| find(package.binary).is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|package| package.debian).collect();
    for package in &missing {
        println!("xtask: {} is missing; Debian's {} provides it ({})", package.binary, package.debian, package.why);
    }
    let is_root = cmd("id", &["-u"]).read().is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(format!("please install them, then run again:\n    sudo apt-get install {}", names.join(" ")));
    }
    println!("xtask: running apt-get install {}", names.join(" "));
    cmd("apt-get", &["update", "-q"]).run()?;
    let mut args = vec!["install", "-y", "-q"];
    args.extend(&names);
    cmd("apt-get", &args).env("DEBIAN_FRONTEND", "noninteractive").run()?;
    match missing.iter().find(|package| find(package.binary).is_none()) {
        Some(package) => Err(format!("{} is still missing after installing {}", package.binary, package.debian)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::version_in_lock;

    #[test]
    fn reads_the_exact_package_not_one_that_shares_its_prefix() {
        let lock = "\
[[package]]
name = \"wasm-bindgen-backend\"
version = \"0.2.99\"

[[package]]
name = \"wasm-bindgen\"
version = \"0.2.100\"
source = \"registry+https://example.invalid\"
";
        assert_eq!(version_in_lock(lock, "wasm-bindgen").as_deref(), Some("0.2.100"));
        assert_eq!(version_in_lock(lock, "js-sys"), None);
    }
}
