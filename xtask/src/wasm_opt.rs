//! `wasm-opt` on every wasm file a release build emits, after wasm-bindgen and before hashing.
//!
//! The tool is Binaryen's, from the npm package `binaryen` pinned in `end2end/package.json` and
//! installed by `cargo xtask deps` (its `npm ci`); it is JavaScript plus wasm and runs with `node`.
//! Debian's `binaryen` (108) is never used: its output breaks this bundle in the browser.
//!
//! The passes: `-Oz` without Binaryen's inlining. Measured on this bundle (1.63 MB raw after
//! wasm-bindgen): plain `-Oz` makes it 16% smaller raw but 11% *larger* gzipped (inlining copies
//! code that gzip had been compressing as repeats); without inlining it is 12% smaller raw and 3%
//! smaller gzipped. The wasm's enabled features are passed explicitly, read from the
//! `target_features` section rustc writes (wasm-bindgen keeps it).
//!
//! `AEGIS_NO_WASM_OPT=1` builds without it (a note says so); otherwise a missing tool fails the
//! build with how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// Where `npm ci` in end2end/ puts the tool (the package's `bin` entry for `wasm-opt`).
const TOOL: &str = "end2end/node_modules/binaryen/bin/wasm-opt";

/// Set to a non-empty value other than `0` to skip the pass.
pub const SKIP_VAR: &str = "AEGIS_NO_WASM_OPT";

/// The optimisation arguments (see the module docs for why inlining is skipped).
const PASSES: &[&str] = &[
    "-Oz",
    "--converge",
    "--skip-pass",
    "inlining",
    "--skip-pass",
    "inlining-optimizing",
];

/// What rustc 1.95's wasm32-unknown-unknown enables, for a module without a `target_features`
/// section.
const DEFAULT_FEATURES: &[&str] = &[
    "bulk-memory",
    "bulk-memory-opt",
    "call-indirect-overlong",
    "multivalue",
    "mutable-globals",
    "nontrapping-fptoint",
    "reference-types",
    "sign-ext",
];

/// A runnable wasm-opt.
#[derive(Debug)]
pub struct WasmOpt {
    node: PathBuf,
    script: PathBuf,
}

/// Human description of the passes, for the report.
pub fn describe() -> String {
    "wasm-opt -Oz without inlining (npm binaryen)".to_owned()
}

/// The tool, or `None` when the environment asks to skip it; an error says how to install it.
pub fn locate(root: &Path) -> Result<Option<WasmOpt>> {
    if skip_requested(std::env::var(SKIP_VAR).ok().as_deref()) {
        println!("note  {SKIP_VAR} is set: the wasm is shipped without wasm-opt");
        return Ok(None);
    }
    let script = root.join(TOOL);
    if !script.is_file() {
        bail!(
            "wasm-opt is missing ({} not found).\n  Install it with `cargo xtask deps` (runs `npm ci` \
             in end2end/, which brings the pinned npm package binaryen),\n  or build without it: \
             {SKIP_VAR}=1 cargo xtask build-web.\n  Do not install Debian's binaryen: its wasm-opt \
             (108) breaks this bundle.",
            script.display()
        );
    }
    let Some(node) = find_on_path("node") else {
        bail!(
            "wasm-opt needs Node.js (`node` is not on PATH): run `cargo xtask deps`, or build \
             without it: {SKIP_VAR}=1 cargo xtask build-web"
        );
    };
    Ok(Some(WasmOpt { node, script }))
}

fn skip_requested(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some(v) if !v.is_empty() && v != "0")
}

fn find_on_path(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(command))
        .find(|p| p.is_file())
}

impl WasmOpt {
    /// Optimises `path` in place; returns how long it took.
    pub fn run(&self, path: &Path) -> Result<std::time::Duration> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let flags = feature_flags(&bytes)?;
        let mut out = path.as_os_str().to_owned();
        out.push(".opt");
        let out = PathBuf::from(out);
        let started = Instant::now();
        let output = Command::new(&self.node)
            .arg(&self.script)
            .arg(path)
            .args(PASSES)
            .args(&flags)
            .arg("-o")
            .arg(&out)
            .output()
            .with_context(|| format!("starting {} {}", self.node.display(), TOOL))?;
        if !output.status.success() {
            let _ = std::fs::remove_file(&out);
            bail!(
                "wasm-opt failed on {} ({}):\n{}{}",
                path.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::fs::rename(&out, path).with_context(|| format!("replacing {}", path.display()))?;
        Ok(started.elapsed())
    }
}

/// Binaryen's `--enable-*` flags for the features the module declares in its `target_features`
/// section (rustc's names), or for rustc's defaults when it has none.
pub fn feature_flags(wasm: &[u8]) -> Result<Vec<String>> {
    let declared = target_features(wasm)?;
    let names: Vec<String> = match declared {
        Some(list) => list,
        None => DEFAULT_FEATURES.iter().map(|s| s.to_string()).collect(),
    };
    Ok(names
        .iter()
        .map(|name| {
            let binaryen = match name.as_str() {
                "nontrapping-fptoint" => "nontrapping-float-to-int",
                "simd128" => "simd",
                "atomics" => "threads",
                other => other,
            };
            format!("--enable-{binaryen}")
        })
        .collect())
}

/// The features marked used (`+`) in the `target_features` custom section; `None` without one.
fn target_features(wasm: &[u8]) -> Result<Option<Vec<String>>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb_u32(wasm, &mut at)? as usize;
        let end = at.checked_add(size).filter(|&e| e <= wasm.len());
        let Some(end) = end else {
            bail!("truncated wasm section");
        };
        if id == 0 {
            let mut p = at;
            let name = name(wasm, &mut p, end)?;
            if name == "target_features" {
                let count = leb_u32(wasm, &mut p)?;
                let mut features = Vec::new();
                for _ in 0..count {
                    let prefix = *wasm.get(p).context("truncated target_features")?;
                    p += 1;
                    let feature = self::name(wasm, &mut p, end)?;
                    if prefix == b'+' {
                        features.push(feature);
                    }
                }
                return Ok(Some(features));
            }
        }
        at = end;
    }
    Ok(None)
}

fn name(wasm: &[u8], at: &mut usize, end: usize) -> Result<String> {
    let len = leb_u32(wasm, at)? as usize;
    let stop = at.checked_add(len).filter(|&s| s <= end);
    let Some(stop) = stop else {
        bail!("truncated name in a wasm section");
    };
    let text = String::from_utf8_lossy(&wasm[*at..stop]).into_owned();
    *at = stop;
    Ok(text)
}

fn leb_u32(wasm: &[u8], at: &mut usize) -> Result<u32> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *wasm.get(*at).context("truncated LEB128")?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    bail!("LEB128 too long")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with only a custom section `name` holding `body`.
    fn module_with_custom(name: &str, body: &[u8]) -> Vec<u8> {
        let mut section = vec![name.len() as u8];
        section.extend_from_slice(name.as_bytes());
        section.extend_from_slice(body);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.push(0);
        wasm.push(section.len() as u8);
        wasm.extend(section);
        wasm
    }

    #[test]
    fn flags_follow_the_declared_features_with_binaryens_names() -> Result<()> {
        let mut body = vec![3];
        for (prefix, name) in [
            (b'+', "nontrapping-fptoint"),
            (b'-', "simd128"),
            (b'+', "sign-ext"),
        ] {
            body.push(prefix);
            body.push(name.len() as u8);
            body.extend_from_slice(name.as_bytes());
        }
        let wasm = module_with_custom("target_features", &body);
        assert_eq!(
            feature_flags(&wasm)?,
            vec!["--enable-nontrapping-float-to-int", "--enable-sign-ext"]
        );
        Ok(())
    }

    #[test]
    fn without_the_section_rustcs_defaults_are_assumed() -> Result<()> {
        let wasm = module_with_custom("producers", &[0]);
        let flags = feature_flags(&wasm)?;
        assert!(flags.contains(&"--enable-bulk-memory".to_owned()));
        assert!(flags.contains(&"--enable-reference-types".to_owned()));
        assert!(feature_flags(b"not wasm at all").is_err());
        Ok(())
    }

    #[test]
    fn a_missing_tool_says_how_to_install_it() {
        if skip_requested(std::env::var(SKIP_VAR).ok().as_deref()) {
            return;
        }
        let err = locate(Path::new("/nonexistent-aegis-root")).expect_err("no tool there");
        let text = err.to_string();
        assert!(text.contains("cargo xtask deps"), "{text}");
        assert!(text.contains(SKIP_VAR), "{text}");
    }

    #[test]
    fn only_a_real_value_skips_the_pass() {
        assert!(!skip_requested(None));
        assert!(!skip_requested(Some("")));
        assert!(!skip_requested(Some("0")));
        assert!(skip_requested(Some("1")));
    }
}
