//! Installs what the tasks need on a fresh Debian machine, as root, and does nothing when it is
//! already there: apt packages (through the sandbox script), the wasm32 target, Chromium, Node.js
//! and end2end's npm packages (the end-to-end tests' Playwright, and binaryen's `wasm-opt`, which the
//! release SPA build runs).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Which groups of dependencies a task needs.
#[derive(Debug, Clone, Copy)]
pub struct Need {
    /// sshd, podman, caddy, curl, sudo: the sandbox host.
    pub sandbox: bool,
    /// The wasm32 target for the SPA, and `wasm-opt` (Node.js and end2end's npm packages).
    pub wasm: bool,
    /// Chromium, Node.js and end2end's npm packages.
    pub browser: bool,
}

impl Need {
    pub fn all() -> Self {
        Need {
            sandbox: true,
            wasm: true,
            browser: true,
        }
    }
}

pub fn ensure(root: &Path, need: Need) -> Result<()> {
    if need.sandbox {
        run(
            Command::new("bash")
                .arg(root.join("sandbox/sandbox.sh"))
                .arg("install"),
            "installing the sandbox's packages",
        )?;
    }
    if need.wasm {
        ensure_wasm_target(root)?;
    }
    let tools: &[(&str, &str)] = match (need.browser, need.wasm) {
        (true, _) => &BROWSER_TOOLS,
        (false, true) => &NODE_TOOLS,
        (false, false) => &[],
    };
    if !tools.is_empty() {
        apt_install(&missing(tools, on_path))?;
        ensure_npm_packages(root)?;
    }
    Ok(())
}

fn ensure_wasm_target(root: &Path) -> Result<()> {
    let out = Command::new("rustup")
        .current_dir(root)
        .args(["target", "list", "--installed"])
        .output()
        .context(
            "running rustup (the toolchain in rust-toolchain.toml is installed with rustup)",
        )?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(
        Command::new("rustup")
            .current_dir(root)
            .args(["target", "add", "wasm32-unknown-unknown"]),
        "adding the wasm32 target",
    )
}

/// The browser tests' commands and the Debian package that brings each. Node.js may already come
/// from elsewhere (NodeSource's `nodejs` carries npm and conflicts with Debian's `npm`): whatever
/// `node` and `npm` are on `PATH` are used, and only what is missing is asked of apt.
const BROWSER_TOOLS: [(&str, &str); 3] =
    [("chromium", "chromium"), ("node", "nodejs"), ("npm", "npm")];

/// What the release SPA build needs without a browser (`cargo xtask demo`): Node.js to run the npm
/// package binaryen's `wasm-opt`.
const NODE_TOOLS: [(&str, &str); 2] = [("node", "nodejs"), ("npm", "npm")];

/// The packages of `tools` whose command `present` does not find.
fn missing<'a>(tools: &[(&str, &'a str)], present: impl Fn(&str) -> bool) -> Vec<&'a str> {
    tools
        .iter()
        .filter(|(command, _)| !present(command))
        .map(|(_, package)| *package)
        .collect()
}

/// Whether `command` is an executable file in a `PATH` directory.
fn on_path(command: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            dir.join(command)
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Installs Debian packages (none: nothing to do); waits for another apt to finish.
fn apt_install(packages: &[&str]) -> Result<()> {
    if packages.is_empty() {
        return Ok(());
    }
    let lock_wait = ["-o", "DPkg::Lock::Timeout=300"];
    run(
        Command::new("apt-get")
            .args(lock_wait)
            .args(["update", "-q"]),
        "apt-get update",
    )?;
    run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(lock_wait)
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages),
        "apt-get install",
    )
}

/// `npm ci` in end2end/ when node_modules is missing or older than the lock file.
fn ensure_npm_packages(root: &Path) -> Result<()> {
    let dir = root.join("end2end");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (
        lock.metadata().and_then(|m| m.modified()),
        installed.metadata().and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(i)) => i >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let verb = if lock.is_file() { "ci" } else { "install" };
    run(
        Command::new("npm")
            .current_dir(&dir)
            .args([verb, "--no-audit", "--no-fund"]),
        "installing end2end's npm packages",
    )
}

pub fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("{what}: cannot start {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_from_elsewhere_is_used_and_npm_is_not_asked_for() {
        // NodeSource's nodejs: node and npm on PATH, no chromium yet.
        let present = |c: &str| c == "node" || c == "npm";
        assert_eq!(missing(&BROWSER_TOOLS, present), vec!["chromium"]);
    }

    #[test]
    fn only_what_is_missing_is_installed() {
        assert_eq!(
            missing(&BROWSER_TOOLS, |_| false),
            vec!["chromium", "nodejs", "npm"]
        );
        assert!(missing(&BROWSER_TOOLS, |_| true).is_empty());
        assert_eq!(
            missing(&BROWSER_TOOLS, |c| c != "npm"),
            vec!["npm"],
            "Debian's node without npm"
        );
    }

    #[test]
    fn on_path_finds_executables_only() {
        assert!(on_path("sh"));
        assert!(!on_path("no-such-command-anywhere"));
    }
}
