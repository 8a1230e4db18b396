//! What a build produced: every shipped file's sizes (raw, gzip, brotli), the first screen's
//! total, and what wasm-opt saved, as the console prints it.

use std::fmt;
use std::path::PathBuf;

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
    pub(super) fn add(&mut self, other: &FileSize) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }

    pub(super) fn totals(&self) -> String {
        format!(
            "{} KB raw / {} KB gzip / {} KB br",
            kb(self.raw),
            kb(self.gzip),
            kb(self.brotli)
        )
    }
}

/// `after` relative to `before`, in percent.
pub(super) fn change(before: u64, after: u64) -> String {
    if before == 0 {
        return "n/a".to_owned();
    }
    format!(
        "{:+.1}%",
        (after as f64 - before as f64) * 100.0 / before as f64
    )
}

pub(super) fn changes(before: &FileSize, after: &FileSize) -> String {
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
pub(super) fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}
