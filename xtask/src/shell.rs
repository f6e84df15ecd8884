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

    /// Runs to completion with its standard error shown, and returns its standard output.
    pub fn capture(mut self) -> Result<String, String> {
        let output = self
            .command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|error| format!("could not start `{}`: {error}", self.shown))?;
        match output.status.success() {
            true => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
            false => Err(format!("`{}` failed ({})", self.shown, output.status)),
        }
    }

    /// Runs to completion, showing its standard output as it comes, and returns it.
    pub fn run_and_capture(mut self) -> Result<String, String> {
        use std::io::BufRead;
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("could not start `{}`: {error}", self.shown))?;
        let mut captured = String::new();
        for line in std::io::BufReader::new(child.stdout.take().expect("stdout is piped")).lines() {
            let line = line.map_err(|error| format!("reading `{}`: {error}", self.shown))?;
            println!("{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
        let status = child.wait().map_err(|error| format!("`{}` did not finish: {error}", self.shown))?;
        if status.success() { Ok(captured) } else { Err(format!("`{}` failed ({status})", self.shown)) }
    }

    pub fn spawn(mut self) -> Result<std::process::Child, String> {
        self.command.spawn().map_err(|error| format!("could not start `{}`: {error}", self.shown))
    }

    /// Starts it as the leader of a new process group, so that `end_group` also ends whatever
    /// it started (chromedriver's browsers).
    pub fn spawn_group(mut self) -> Result<std::process::Child, String> {
        use std::os::unix::process::CommandExt;
        self.command.process_group(0);
        self.spawn()
    }
}

/// Ends a process started with `spawn_group` and everything in its group, then reaps it.
pub fn end_group(mut child: std::process::Child) {
    // A group that is already gone is what we want; there is nothing to report.
    let _ = std::process::Command::new("kill").args(["-TERM", "--", &format!("-{}", child.id())]).status();
    let _ = child.kill();
    let _ = child.wait();
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
