//! Building the app's wasm with cargo: the profile and the flags the split and Leptos need.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{target_dir, Settings};
use crate::split;

/// Runs cargo for the wasm target with the console attached, and returns the built module's path.
pub(super) fn cargo_build(root: &Path, settings: &Settings, release: bool) -> Result<PathBuf> {
    let profile = if release {
        settings.lib_profile_release.as_str()
    } else {
        "dev"
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags())
        .env_remove("RUSTFLAGS")
        .args(["build", "-p", &settings.lib_package, "--lib"])
        .args(["--target", "wasm32-unknown-unknown", "--profile", profile])
        .status()
        .context("running cargo build for wasm32-unknown-unknown")?;
    if !status.success() {
        bail!(
            "cargo build -p {} for wasm failed ({status})",
            settings.lib_package
        );
    }
    let dir = if profile == "dev" { "debug" } else { profile };
    let wasm = target_dir(root)
        .join("wasm32-unknown-unknown")
        .join(dir)
        .join(format!("{}.wasm", settings.lib_package.replace('-', "_")));
    if !wasm.is_file() {
        bail!("cargo succeeded but {} is missing", wasm.display());
    }
    Ok(wasm)
}

/// Leptos's switch for type-erased component views (see [`rustflags`]).
const ERASE_COMPONENTS: &str = "erase_components";

/// The rustflags for the wasm build: the caller's (`CARGO_ENCODED_RUSTFLAGS`, else `RUSTFLAGS`),
/// plus the relocations the split needs and Leptos's `erase_components`. Setting them in the
/// environment overrides rustflags from cargo config files; this workspace has none.
fn rustflags() -> String {
    let mut flags: Vec<String> = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) if !encoded.is_empty() => encoded.split('\x1f').map(str::to_owned).collect(),
        _ => std::env::var("RUSTFLAGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    };
    if !flags.iter().any(|f| f == split::RUSTFLAG) {
        flags.push(split::RUSTFLAG.to_owned());
    }
    // Leptos type-erases each component's view (`AnyView`) instead of nesting every child's type
    // in its parent's: 25% less wasm in the pages loaded later, 1% in the first screen, and a
    // faster build.
    if !flags
        .windows(2)
        .any(|w| w[0] == "--cfg" && w[1] == ERASE_COMPONENTS)
    {
        flags.extend(["--cfg".to_owned(), ERASE_COMPONENTS.to_owned()]);
    }
    flags.join("\x1f")
}
