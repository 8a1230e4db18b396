//! `cargo xtask sandbox <up|status|reset|down|purge|fault ...>`: the sandbox "production host".
//!
//! The work is done by `sandbox/sandbox.sh` (sshd, podman containers, Caddy, fault switches). This
//! task builds the stand-in binary those containers run (`sandbox/standin`, linked fully static so
//! it runs in a busybox rootfs) before `up`, and passes its path as `STANDIN_BIN`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

/// Built for an explicit target so that its `crt-static` flag does not invalidate the rest of the
/// workspace's (host-target) build.
const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Where the static stand-in binary is built.
pub fn standin_path(root: &Path) -> PathBuf {
    target_dir(root)
        .join(TARGET)
        .join("release")
        .join("standin")
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(PathBuf::from(dir)),
        _ => root.join("target"),
    }
}

/// `cargo build -p standin --release --target x86_64-unknown-linux-gnu` with `+crt-static`.
/// Skipped when the binary is newer than the crate's files: cargo would make it a no-op too, but
/// only after waiting for the shared target dir's lock while other builds run.
pub fn build_standin(root: &Path) -> Result<PathBuf> {
    if standin_fresh(root) {
        return Ok(standin_path(root));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let status = Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "-q",
            "-p",
            "standin",
            "--release",
            "--target",
            TARGET,
        ])
        .env(
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS",
            "-C target-feature=+crt-static",
        )
        .status()
        .with_context(|| format!("running {}", cargo.to_string_lossy()))?;
    if !status.success() {
        bail!("building the sandbox stand-in failed ({status})");
    }
    let bin = standin_path(root);
    if !bin.is_file() {
        bail!(
            "the stand-in build succeeded but {} is missing",
            bin.display()
        );
    }
    Ok(bin)
}

/// Runs `bash sandbox/sandbox.sh ARGS...` with inherited stdio; builds the stand-in first for `up`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let script = root.join("sandbox").join("sandbox.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script).args(args).current_dir(root);
    if args.first().map(String::as_str) == Some("up") {
        cmd.env("STANDIN_BIN", build_standin(root)?);
    } else {
        // `reset` rebuilds the image from it if the image is missing.
        let bin = standin_path(root);
        if bin.is_file() {
            cmd.env("STANDIN_BIN", bin);
        }
    }
    let status = cmd
        .status()
        .with_context(|| format!("running bash {}", script.display()))?;
    if !status.success() {
        bail!("sandbox.sh {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// True when the built stand-in is newer than every input that could change it.
fn standin_fresh(root: &Path) -> bool {
    let Ok(built) = std::fs::metadata(standin_path(root)).and_then(|m| m.modified()) else {
        return false;
    };
    let inputs = [
        root.join("sandbox").join("standin"),
        root.join("Cargo.toml"),
        root.join("rust-toolchain.toml"),
    ];
    inputs.iter().all(|p| newest(p).is_ok_and(|t| t <= built))
}

/// The newest modification time of a file, or of the files under a directory.
fn newest(path: &Path) -> std::io::Result<SystemTime> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return meta.modified();
    }
    let mut latest = meta.modified()?;
    for entry in std::fs::read_dir(path)? {
        latest = latest.max(newest(&entry?.path())?);
    }
    Ok(latest)
}
