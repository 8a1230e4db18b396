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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{split, wasm_opt};

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

/// What a build produced, for the caller and for the console.
#[derive(Debug)]
pub struct SiteReport {
    pub site_root: PathBuf,
    /// Every wasm file in the pkg dir, by URL.
    pub wasm: Vec<WasmFile>,
    pub js: FileSize,
    /// The link module that loads the chunks, imported by the glue, when there are chunks.
    pub link: Option<FileSize>,
    pub css: FileSize,
    pub boot: FileSize,
    /// What wasm-opt did, or why it did not run.
    pub wasm_opt: String,
}

/// One shipped wasm file.
#[derive(Debug, Clone)]
pub struct WasmFile {
    pub size: FileSize,
    /// Its sizes as wasm-bindgen emitted it, when wasm-opt ran on it.
    pub before: Option<FileSize>,
    /// Loaded at start (named by `index.html` or the boot script), not later on demand.
    pub first_screen: bool,
}

/// One shipped file: its URL path and its sizes in bytes.
#[derive(Debug, Clone)]
pub struct FileSize {
    pub url: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl fmt::Display for FileSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} KB raw / {} KB gzip / {} KB br  {}",
            kb(self.raw),
            kb(self.gzip),
            kb(self.brotli),
            self.url
        )
    }
}

impl FileSize {
    fn add(&mut self, other: &FileSize) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }

    fn totals(&self) -> String {
        format!(
            "{} KB raw / {} KB gzip / {} KB br",
            kb(self.raw),
            kb(self.gzip),
            kb(self.brotli)
        )
    }
}

/// `after` relative to `before`, in percent.
fn change(before: u64, after: u64) -> String {
    if before == 0 {
        return "n/a".to_owned();
    }
    format!(
        "{:+.1}%",
        (after as f64 - before as f64) * 100.0 / before as f64
    )
}

fn changes(before: &FileSize, after: &FileSize) -> String {
    format!(
        "{} raw, {} gzip, {} br",
        change(before.raw, after.raw),
        change(before.gzip, after.gzip),
        change(before.brotli, after.brotli)
    )
}

impl SiteReport {
    /// The first screen's wasm files summed, after and (when every one was optimised) before
    /// wasm-opt.
    pub fn first_screen_wasm(&self) -> (FileSize, Option<FileSize>) {
        let empty = || FileSize {
            url: String::new(),
            raw: 0,
            gzip: 0,
            brotli: 0,
        };
        let mut after = empty();
        let mut before = Some(empty());
        for w in self.wasm.iter().filter(|w| w.first_screen) {
            after.add(&w.size);
            match (&mut before, &w.before) {
                (Some(total), Some(b)) => total.add(b),
                _ => before = None,
            }
        }
        (after, before)
    }
}

impl fmt::Display for SiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "site  {}", self.site_root.display())?;
        writeln!(f, "opt   {}", self.wasm_opt)?;
        for w in &self.wasm {
            let when = if w.first_screen {
                "first screen"
            } else {
                "loaded later"
            };
            writeln!(f, "wasm  {}  ({when})", w.size)?;
            if let Some(before) = &w.before {
                writeln!(
                    f,
                    "        before wasm-opt: {}  ({})",
                    before.totals(),
                    changes(before, &w.size)
                )?;
            }
        }
        writeln!(f, "js    {}", self.js)?;
        if let Some(link) = &self.link {
            writeln!(f, "js    {}  (chunk loader)", link)?;
        }
        writeln!(f, "css   {}", self.css)?;
        writeln!(f, "boot  {}", self.boot)?;
        let (wasm, before) = self.first_screen_wasm();
        let count = self.wasm.iter().filter(|w| w.first_screen).count();
        write!(
            f,
            "first screen  wasm ({count} file{}): {}",
            if count == 1 { "" } else { "s" },
            wasm.totals()
        )?;
        if let Some(before) = &before {
            write!(f, "; before wasm-opt {}", before.totals())?;
        }
        let later: Vec<&WasmFile> = self.wasm.iter().filter(|w| !w.first_screen).collect();
        if !later.is_empty() {
            let mut sum = FileSize {
                url: String::new(),
                raw: 0,
                gzip: 0,
                brotli: 0,
            };
            for w in &later {
                sum.add(&w.size);
            }
            write!(
                f,
                "\nloaded later  wasm ({} file{}): {}",
                later.len(),
                if later.len() == 1 { "" } else { "s" },
                sum.totals()
            )?;
        }
        let mut all = wasm;
        for other in [&self.js, &self.css, &self.boot]
            .into_iter()
            .chain(self.link.as_ref())
        {
            all.add(other);
        }
        write!(
            f,
            "\n              with js glue, css, boot: {}",
            all.totals()
        )
    }
}

/// Kilobytes (1000 bytes) with one decimal.
fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}

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

/// Runs cargo for the wasm target with the console attached, and returns the built module's path.
fn cargo_build(root: &Path, settings: &Settings, release: bool) -> Result<PathBuf> {
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

/// The rustflags for the wasm build: the caller's (`CARGO_ENCODED_RUSTFLAGS`, else `RUSTFLAGS`),
/// plus the relocations the split needs. Setting them in the environment overrides rustflags from
/// cargo config files; this workspace has none.
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
    flags.join("\x1f")
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

/// Everything written by one build, for compression, reporting and stale-file removal.
struct Site {
    release: bool,
    written: BTreeSet<PathBuf>,
    /// Sizes before wasm-opt, by the SHA-256 of the optimised bytes.
    before_opt: BTreeMap<Vec<u8>, FileSize>,
    /// Every wasm file written, with its sizes before wasm-opt when it went through it.
    wasm: Vec<(FileSize, Option<FileSize>)>,
}

impl Site {
    fn new(release: bool) -> Self {
        Site {
            release,
            written: BTreeSet::new(),
            before_opt: BTreeMap::new(),
            wasm: Vec::new(),
        }
    }

    /// Writes `path` atomically plus its `.gz`/`.br` siblings when they are smaller.
    fn write(&mut self, path: &Path, bytes: &[u8], url: String) -> Result<FileSize> {
        write_atomic(path, bytes)?;
        self.written.insert(path.to_path_buf());
        let mut size = FileSize {
            url,
            raw: bytes.len() as u64,
            gzip: bytes.len() as u64,
            brotli: bytes.len() as u64,
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if COMPRESSIBLE.contains(&ext) {
            let gz = gzip(bytes, self.release)?;
            size.gzip = gz.len() as u64;
            self.sibling(path, "gz", &gz, bytes.len())?;
            let br = brotli(bytes, self.release)?;
            size.brotli = br.len() as u64;
            self.sibling(path, "br", &br, bytes.len())?;
        }
        if ext == "wasm" {
            let before = self
                .before_opt
                .get(Sha256::digest(bytes).as_slice())
                .cloned();
            self.wasm.push((size.clone(), before));
        }
        Ok(size)
    }

    fn sibling(&mut self, path: &Path, ext: &str, bytes: &[u8], raw_len: usize) -> Result<()> {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(ext);
        let sibling = PathBuf::from(name);
        // A compressed copy that is not smaller is useless; the gateway then serves the original.
        if bytes.len() < raw_len {
            write_atomic(&sibling, bytes)?;
            self.written.insert(sibling);
        }
        Ok(())
    }

    /// Deletes files in the pkg dir that this build did not write, and root-level files an earlier
    /// build wrote (per its manifest) that this one did not.
    fn remove_stale(&self, site_root: &Path, pkg: &Path, manifest: &Path) -> Result<()> {
        remove_unwritten(pkg, &self.written)?;
        if let Ok(previous) = fs::read_to_string(manifest) {
            for line in previous.lines().filter(|l| !l.is_empty()) {
                let path = site_root.join(line);
                if path.starts_with(pkg) || self.written.contains(&path) {
                    continue;
                }
                if path.is_file() {
                    fs::remove_file(&path)
                        .with_context(|| format!("removing {}", path.display()))?;
                }
            }
        }
        let listing: String = self
            .written
            .iter()
            .filter(|p| !p.starts_with(pkg))
            .filter_map(|p| p.strip_prefix(site_root).ok())
            .map(|p| format!("{}\n", p.display()))
            .collect();
        write_atomic(manifest, listing.as_bytes())
    }
}

/// Removes files under `dir` (recursively) that are not in `keep`, then empty directories.
fn remove_unwritten(dir: &Path, keep: &BTreeSet<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            remove_unwritten(&path, keep)?;
            // Fails when not empty, which is fine.
            let _ = fs::remove_dir(&path);
        } else if !keep.contains(&path) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies `from`'s contents into `to`, through `site` so that files get compressed and tracked.
fn copy_tree(from: &Path, to: &Path, site: &mut Site, url_prefix: &str) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(from)
        .with_context(|| format!("listing {}", from.display()))?
        .collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let path = entry.path();
        let url = format!("{url_prefix}/{}", name.to_string_lossy());
        if path.is_dir() {
            fs::create_dir_all(to.join(&name))?;
            copy_tree(&path, &to.join(&name), site, &url)?;
        } else {
            site.write(&to.join(&name), &read(&path)?, url)?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Write to a temporary sibling and rename, so a gateway serving the directory never sees half a
/// file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))
}

/// First 8 hex digits of the SHA-256: plenty to tell builds apart.
fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gzip(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
    let level = if best {
        flate2::Compression::best()
    } else {
        flate2::Compression::fast()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: if best { 11 } else { 5 },
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_short_and_stable() {
        assert_eq!(short_hash(b"aegis"), short_hash(b"aegis"));
        assert_eq!(short_hash(b"aegis").len(), 8);
        assert_ne!(short_hash(b"aegis"), short_hash(b"aegis2"));
    }

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

    #[test]
    fn compression_round_trips() -> Result<()> {
        let text = "aegis ".repeat(1000);
        let gz = gzip(text.as_bytes(), true)?;
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)?;
        assert_eq!(back, text);
        assert!(brotli(text.as_bytes(), false)?.len() < text.len());
        Ok(())
    }
}
