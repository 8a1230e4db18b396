//! Shared by the benchmarks: the sandbox's config and small statistics.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn sandbox_dir() -> PathBuf {
    std::env::var_os("AEGIS_SANDBOX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".sandbox"))
}

pub fn sandbox_config() -> PathBuf {
    let path = sandbox_dir().join("aegis.toml");
    if !path.is_file() {
        eprintln!(
            "the sandbox is not up ({} missing): run `cargo xtask bench`, which starts it",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

pub fn sandbox_script(args: &[&str]) {
    let ok = std::process::Command::new("bash")
        .arg(repo_root().join("sandbox/sandbox.sh"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "sandbox.sh {args:?} failed");
}

/// The q-quantile (0..=1) of sorted samples, nearest rank.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
