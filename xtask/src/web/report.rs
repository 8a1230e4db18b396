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

/// The most wasm the first screen (the login form and the board) may load, gzip-compressed: a
/// phone on a slow network is the design case. A release build over it fails `cargo xtask test`.
pub const FIRST_SCREEN_BUDGET_GZIP: u64 = 200_000;

impl SiteReport {
    /// Why the first screen is over [`FIRST_SCREEN_BUDGET_GZIP`], if it is.
    pub fn over_budget(&self) -> Option<String> {
        let (wasm, _) = self.first_screen_wasm();
        (wasm.gzip > FIRST_SCREEN_BUDGET_GZIP).then(|| {
            format!(
                "the first screen loads {} KB gzip of wasm, over its budget of {} KB: move code \
                 out of the login page and the board, or into a page loaded on demand \
                 (app/src/lazy_routes.rs)",
                kb(wasm.gzip),
                kb(FIRST_SCREEN_BUDGET_GZIP)
            )
        })
    }

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
        match self.over_budget() {
            Some(why) => write!(f, "\n              OVER BUDGET: {why}")?,
            None => write!(
                f,
                "\n              within its budget of {} KB gzip ({} KB to spare)",
                kb(FIRST_SCREEN_BUDGET_GZIP),
                kb(FIRST_SCREEN_BUDGET_GZIP - wasm.gzip)
            )?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(first_screen_gzip: &[u64]) -> SiteReport {
        let size = |gzip| FileSize {
            url: String::new(),
            raw: gzip * 3,
            gzip,
            brotli: gzip,
        };
        let mut wasm: Vec<WasmFile> = first_screen_gzip
            .iter()
            .map(|&g| WasmFile {
                size: size(g),
                before: None,
                first_screen: true,
            })
            .collect();
        // A large chunk loaded later does not count.
        wasm.push(WasmFile {
            size: size(500_000),
            before: None,
            first_screen: false,
        });
        SiteReport {
            site_root: PathBuf::from("site"),
            wasm,
            js: size(1),
            link: None,
            css: size(1),
            boot: size(1),
            wasm_opt: String::new(),
        }
    }

    #[test]
    fn the_first_screen_budget_counts_what_loads_first_only() {
        assert_eq!(report(&[150_000, 50_000]).over_budget(), None);
        let over = report(&[150_000, 50_001]).over_budget().unwrap();
        assert!(
            over.contains("200.0 KB gzip of wasm, over its budget of 200.0 KB"),
            "{over}"
        );
        assert!(report(&[199_000]).to_string().contains("1.0 KB to spare"));
    }
}
