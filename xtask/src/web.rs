//! `cargo xtask build-web`: the wasm SPA into `<site-root>` (default `target/site`), with no tool
//! besides cargo.
//!
//! Steps: build `app` for `wasm32-unknown-unknown` (with relocations kept); split it at its lazy
//! split points into a main module and chunks loaded on demand (see `split.rs`); run wasm-bindgen
//! as a library (the exact version the app links, so glue and module always agree) on the main
//! module; in a release build, `wasm-opt` on every wasm file (main module and chunks; see
//! `wasm_opt.rs`); write content-hashed files into
//! `<site-root>/<site-pkg-dir>/`; copy `assets-dir`; write `index.html` last; add `.gz`/`.br`
//! siblings; delete what earlier builds left behind; print every wasm file's sizes before and after
//! wasm-opt and the first screen's total (the wasm files `index.html` and the boot script load at
//! start, as opposed to chunks loaded later).
//!
//! Why hashed names: the gateway serves `/pkg/*` with a year-long immutable cache and `index.html`
//! with `no-cache`, so a deploy is picked up on the next load and never mixes old glue with a new
//! module. Why a `boot-<hash>.js` file rather than an inline script: the CSP is
//! `script-src 'self' 'wasm-unsafe-eval'` without `'unsafe-inline'`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{split, wasm_opt};

mod cargo;
mod report;
mod site;
use cargo::cargo_build;
pub use report::{FileSize, SiteReport, WasmFile};
use site::*;

/// The settings `build-web` reads from `Leptos.toml` (cargo-leptos key names).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Settings {
    output_name: String,
    site_root: PathBuf,
    site_pkg_dir: String,
    style_file: PathBuf,
    assets_dir: Option<PathBuf>,
    lib_package: String,
    lib_profile_release: String,
}

/// Extensions that get precompressed siblings for the gateway to serve.
const COMPRESSIBLE: &[&str] = &[
    "js",
    "wasm",
    "css",
    "html",
    "svg",
    "json",
    "txt",
    "webmanifest",
];

/// Lists the root-level files a build wrote, so the next build can delete the ones it no longer
/// writes (an asset removed from `public/`). Kept in the target dir, not in the served site.
const MANIFEST: &str = "site-files.txt";

/// Builds the site. `release` selects the size-optimised `lib-profile-release` profile; otherwise
/// the dev profile, with symbol names kept for readable stack traces.
pub fn build(root: &Path, release: bool) -> Result<SiteReport> {
    let settings = read_settings(root)?;
    let wasm = cargo_build(root, &settings, release)?;

    let target = target_dir(root);
    let staging = target.join("site-staging");
    let split_dir = target.join("site-split");
    let split = split::split(&wasm, &split_dir, &settings.output_name)?;
    bindgen(
        &split.main,
        &staging,
        &settings.output_name,
        release,
        split.link.is_some(),
    )?;
    // The chunks and the link module join the glue, so that wasm-opt sees every module.
    for chunk in &split.chunks {
        fs::rename(split_dir.join(chunk), staging.join(chunk))
            .with_context(|| format!("moving {chunk} into {}", staging.display()))?;
    }
    let link = split.link.as_deref().map(fs::read_to_string).transpose()?;
    let _ = fs::remove_dir_all(&split_dir);
    let (before_opt, wasm_opt) = optimise(root, &staging, release)?;

    let site_root = root.join(&settings.site_root);
    let pkg = site_root.join(&settings.site_pkg_dir);
    fs::create_dir_all(&pkg).with_context(|| format!("creating {}", pkg.display()))?;
    let url_of = |file: &str| format!("/{}/{file}", settings.site_pkg_dir);
    let mut site = Site::new(release);
    site.before_opt = before_opt;

    // The module and its glue, named by their own content.
    let name = &settings.output_name;
    let wasm_bytes = read(&staging.join(format!("{name}_bg.wasm")))?;
    let wasm_file = format!("{name}-{}_bg.wasm", short_hash(&wasm_bytes));
    site.write(&pkg.join(&wasm_file), &wasm_bytes, url_of(&wasm_file))?;

    // The modules loaded on demand, named by their content in the link module.
    let mut chunks = Vec::new();
    for chunk in &split.chunks {
        let bytes = read(&staging.join(chunk))?;
        let stem = chunk.trim_end_matches(".wasm");
        let file = format!("{stem}-{}.wasm", short_hash(&bytes));
        site.write(&pkg.join(&file), &bytes, url_of(&file))?;
        chunks.push((chunk.clone(), file));
    }

    // The glue, and the link module it imports when there are chunks (see `split::name_files`).
    let glue = fs::read_to_string(staging.join(format!("{name}.js")))
        .with_context(|| format!("reading the glue {name}.js"))?;
    let named = split::name_files(name, &glue, link.as_deref(), &chunks, short_hash)?;
    let js_file = named.glue_file;
    let js_size = site.write(&pkg.join(&js_file), named.glue.as_bytes(), url_of(&js_file))?;
    let link = match &named.link {
        Some((file, text)) => Some((
            url_of(file),
            site.write(&pkg.join(file), text.as_bytes(), url_of(file))?,
        )),
        None => None,
    };

    // `#[wasm_bindgen(module = ...)]`/`inline_js` snippets, imported by the glue as `./snippets/..`.
    // Their paths already carry a per-crate hash.
    let snippets = staging.join("snippets");
    if snippets.is_dir() {
        copy_tree(
            &snippets,
            &pkg.join("snippets"),
            &mut site,
            &url_of("snippets"),
        )?;
    }

    let css_bytes = read(&root.join(&settings.style_file))?;
    let css_file = format!("main-{}.css", short_hash(&css_bytes));
    let css_size = site.write(&pkg.join(&css_file), &css_bytes, url_of(&css_file))?;

    let boot = boot_js(&js_file, &wasm_file);
    let boot_file = format!("boot-{}.js", short_hash(boot.as_bytes()));
    let boot_size = site.write(&pkg.join(&boot_file), boot.as_bytes(), url_of(&boot_file))?;

    // Static assets go to the site root as they are (favicon.svg, robots.txt, ...).
    if let Some(assets) = &settings.assets_dir {
        let assets = root.join(assets);
        if assets.is_dir() {
            copy_tree(&assets, &site_root, &mut site, "")?;
        }
    }

    // The page goes last: until it is replaced, the old page keeps pointing at old, intact files.
    let html = index_html(
        &url_of(&boot_file),
        &url_of(&js_file),
        link.as_ref().map(|(url, _)| url.as_str()),
        &url_of(&wasm_file),
        &url_of(&css_file),
    );
    site.write(
        &site_root.join("index.html"),
        html.as_bytes(),
        "/index.html".to_owned(),
    )?;

    site.remove_stale(&site_root, &pkg, &target.join(MANIFEST))?;
    let _ = fs::remove_dir_all(&staging);

    // Every wasm file in the pkg dir; the ones the page or the boot script name load at start.
    let wasm = site
        .wasm
        .iter()
        .map(|(size, before)| {
            let file = size.url.rsplit('/').next().unwrap_or(&size.url);
            WasmFile {
                size: size.clone(),
                before: before.clone(),
                first_screen: html.contains(&size.url) || boot.contains(file),
            }
        })
        .collect();
    let report = SiteReport {
        site_root,
        wasm,
        js: js_size,
        link: link.map(|(_, size)| size),
        css: css_size,
        boot: boot_size,
        wasm_opt,
    };
    println!("{report}");
    Ok(report)
}

fn read_settings(root: &Path) -> Result<Settings> {
    let path = root.join("Leptos.toml");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// `CARGO_TARGET_DIR` if set (relative to the root), else `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// wasm-bindgen's `--target web` output (`<name>.js`, `<name>_bg.wasm`) into a clean `out` dir.
/// `split`: the module has split points, whose chunks import the linker's exports.
fn bindgen(wasm: &Path, out: &Path, name: &str, release: bool, split: bool) -> Result<()> {
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    fs::create_dir_all(out)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(wasm)
        .out_name(name)
        .web(true)?
        .typescript(false)
        .debug(!release)
        .remove_name_section(release)
        .remove_producers_section(true)
        // The chunks import the linker's exports (function table, stack pointer, ...) from the
        // main module by their symbol names.
        .keep_lld_exports(split)
        .demangle(!split)
        .generate(out)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))
}

/// In a release build, runs wasm-opt on every `.wasm` under `staging`, in place. Returns each
/// optimised file's sizes before, keyed by the SHA-256 of what it became (so they follow the file
/// whatever name it is shipped under), and a line for the report.
fn optimise(
    root: &Path,
    staging: &Path,
    release: bool,
) -> Result<(BTreeMap<Vec<u8>, FileSize>, String)> {
    let mut before = BTreeMap::new();
    if !release {
        return Ok((before, "none (debug build)".to_owned()));
    }
    let Some(tool) = wasm_opt::locate(root)? else {
        return Ok((before, format!("none ({} is set)", wasm_opt::SKIP_VAR)));
    };
    let mut files = Vec::new();
    find_files(staging, "wasm", &mut files)?;
    let started = std::time::Instant::now();
    for file in &files {
        let original = read(file)?;
        // Compress the original on another core while wasm-opt runs.
        let (sizes, ran) = std::thread::scope(|s| {
            let sizes = s.spawn(|| -> Result<FileSize> {
                Ok(FileSize {
                    url: String::new(),
                    raw: original.len() as u64,
                    gzip: gzip(&original, true)?.len() as u64,
                    brotli: brotli(&original, true)?.len() as u64,
                })
            });
            let ran = tool.run(file);
            (sizes.join(), ran)
        });
        ran?;
        let sizes =
            sizes.map_err(|_| anyhow::anyhow!("compressing {} panicked", file.display()))??;
        before.insert(Sha256::digest(read(file)?).to_vec(), sizes);
    }
    let line = format!(
        "{} on {} file{} in {:.1} s",
        wasm_opt::describe(),
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    Ok((before, line))
}

/// Every file under `dir` (recursively) whose extension is `ext`, sorted.
fn find_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_files(&path, ext, out)?;
        } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// The entry module: loads the glue, instantiates the hashed module, and reports a failure on the
/// page (a responder on a phone has no devtools).
fn boot_js(js_file: &str, wasm_file: &str) -> String {
    format!(
        r#"// Generated by `cargo xtask build-web`: starts the Aegis SPA.
import init from './{js_file}';

const boot = document.getElementById('boot');
init({{ module_or_path: new URL('./{wasm_file}', import.meta.url) }})
  .then(() => {{ if (boot) boot.remove(); }})
  .catch((err) => {{
    console.error('Aegis failed to start', err);
    if (boot) {{
      boot.setAttribute('role', 'alert');
      boot.textContent = 'Aegis failed to start: ' + err + '. Reload the page; if it persists, ' +
        'the console may have been redeployed mid-load or this browser lacks WebAssembly.';
    }}
  }});
"#
    )
}

fn index_html(boot: &str, js: &str, link: Option<&str>, wasm: &str, css: &str) -> String {
    // The glue imports the link module statically: preloading it saves a round trip.
    let link = link
        .map(|url| format!("\n<link rel=\"modulepreload\" href=\"{url}\">"))
        .unwrap_or_default();
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="dark light">
<meta name="theme-color" content="#0e1116" media="(prefers-color-scheme: dark)">
<meta name="theme-color" content="#f4f6f9" media="(prefers-color-scheme: light)">
<meta name="referrer" content="no-referrer">
<title>Aegis — Olympus</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{css}">
<link rel="modulepreload" href="{js}">{link}
<link rel="preload" href="{wasm}" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="{boot}"></script>
</head>
<body>
<p id="boot" class="boot">Loading Aegis…</p>
<noscript><p class="boot" role="alert">Aegis needs JavaScript and WebAssembly. Use <code>curl /api/health</code> for the raw board.</p></noscript>
</body>
</html>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_references_only_same_origin_files_and_no_inline_script() {
        let html = index_html(
            "/pkg/boot-1.js",
            "/pkg/a-2.js",
            Some("/pkg/a-split-5.js"),
            "/pkg/a-3_bg.wasm",
            "/pkg/main-4.css",
        );
        assert!(html.contains(r#"<script type="module" src="/pkg/boot-1.js"></script>"#));
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains(r#"<link rel="modulepreload" href="/pkg/a-split-5.js">"#));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
