//! Writing the site: content-hashed names, `.gz`/`.br` siblings, atomic writes, and removing what
//! earlier builds left behind.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::report::FileSize;
use super::COMPRESSIBLE;

/// Everything written by one build, for compression, reporting and stale-file removal.
pub(super) struct Site {
    pub(super) release: bool,
    pub(super) written: BTreeSet<PathBuf>,
    /// Sizes before wasm-opt, by the SHA-256 of the optimised bytes.
    pub(super) before_opt: BTreeMap<Vec<u8>, FileSize>,
    /// Every wasm file written, with its sizes before wasm-opt when it went through it.
    pub(super) wasm: Vec<(FileSize, Option<FileSize>)>,
}

impl Site {
    pub(super) fn new(release: bool) -> Self {
        Site {
            release,
            written: BTreeSet::new(),
            before_opt: BTreeMap::new(),
            wasm: Vec::new(),
        }
    }

    /// Writes `path` atomically plus its `.gz`/`.br` siblings when they are smaller.
    pub(super) fn write(&mut self, path: &Path, bytes: &[u8], url: String) -> Result<FileSize> {
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

    pub(super) fn sibling(
        &mut self,
        path: &Path,
        ext: &str,
        bytes: &[u8],
        raw_len: usize,
    ) -> Result<()> {
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
    pub(super) fn remove_stale(&self, site_root: &Path, pkg: &Path, manifest: &Path) -> Result<()> {
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
pub(super) fn remove_unwritten(dir: &Path, keep: &BTreeSet<PathBuf>) -> Result<()> {
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
pub(super) fn copy_tree(from: &Path, to: &Path, site: &mut Site, url_prefix: &str) -> Result<()> {
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

pub(super) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Write to a temporary sibling and rename, so a gateway serving the directory never sees half a
/// file.
pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
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
pub(super) fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn gzip(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
    let level = if best {
        flate2::Compression::best()
    } else {
        flate2::Compression::fast()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

pub(super) fn brotli(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
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
    pub(super) fn hashes_are_short_and_stable() {
        assert_eq!(short_hash(b"aegis"), short_hash(b"aegis"));
        assert_eq!(short_hash(b"aegis").len(), 8);
        assert_ne!(short_hash(b"aegis"), short_hash(b"aegis2"));
    }

    #[test]
    pub(super) fn compression_round_trips() -> Result<()> {
        let text = "aegis ".repeat(1000);
        let gz = gzip(text.as_bytes(), true)?;
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)?;
        assert_eq!(back, text);
        assert!(brotli(text.as_bytes(), false)?.len() < text.len());
        Ok(())
    }
}
