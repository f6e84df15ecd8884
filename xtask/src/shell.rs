//! Running child processes from the workspace root, with the project's tool folder first on PATH.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use crate::{tools, workspace_root};

/// A command about to run in the workspace root.
pub struct Cmd {
    command: Command,
    shown: String,
}

pub fn cmd(program: &str, args: &[&str]) -> Cmd {
    let mut command = Command::new(program);
    command.args(args).current_dir(workspace_root()).env("PATH", path_with_tools());
    Cmd { command, shown: std::iter::once(program).chain(args.iter().copied()).collect::<Vec<_>>().join(" ") }
}

impl Cmd {
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Runs to completion with inherited output; an error names the command and how it ended.
    pub fn run(mut self) -> Result<(), String> {
        let status = self.command.status().map_err(|error| format!("could not start `{}`: {error}", self.shown))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", self.shown)) }
    }

    /// Runs quietly and returns its standard output, or `None` if it could not run or failed.
    pub fn read(mut self) -> Option<String> {
        let output = self.command.stderr(Stdio::null()).output().ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    pub fn spawn(mut self) -> Result<std::process::Child, String> {
        self.command.spawn().map_err(|error| format!("could not start `{}`: {error}", self.shown))
    }
}

/// PATH with the project's tool folders in front (the pinned wasm-opt, then the folder
/// `cargo install` writes to), so the tools xtask installed are the ones found, even when those
/// folders are not on the caller's PATH and whatever else is installed.
pub fn path_with_tools() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let ours = [tools::wasm_opt_bin_dir(), tools::cargo_bin_dir()];
    let folders = ours.into_iter().chain(std::env::split_paths(&current));
    std::env::join_paths(folders).expect("PATH folders contain no separator")
}
