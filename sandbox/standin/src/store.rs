//! The writable data directory of a Kratos or Hydra stand-in (`--data-dir`, `/data` in the
//! sandbox, a host directory `$STATE/ory/<service>`), so that what the admin APIs change outlives
//! a container restart.
//!
//! The state is the seed (regenerated from `seed`: scope, count, when) plus an append-only
//! `journal` of the changes, replayed at start. Beside them, files written for tests and people
//! (see `kratos.rs` and `hydra.rs`), and `dirty`, created at the first change, which tells
//! `sandbox.sh reset` that the directory needs re-seeding.

use crate::seed::Micros;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const JOURNAL: &str = "journal";
pub const SEED: &str = "seed";
pub const DIRTY: &str = "dirty";

pub struct DataDir {
    path: PathBuf,
    dirty: bool,
}

impl DataDir {
    /// Opens (creating it if needed) the directory.
    pub fn open(path: &Path) -> io::Result<DataDir> {
        fs::create_dir_all(path)?;
        Ok(DataDir {
            path: path.to_path_buf(),
            dirty: path.join(DIRTY).exists(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.path.join(name)).ok()
    }

    /// Replaces `name` atomically (a temporary file renamed over it).
    pub fn write(&self, name: &str, content: &str, mode: u32) {
        let target = self.path.join(name);
        let tmp = self.path.join(format!(".{name}.tmp"));
        let result = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(mode)
                .open(&tmp)?;
            f.write_all(content.as_bytes())?;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))?;
            fs::rename(&tmp, &target)
        })();
        if let Err(e) = result {
            say!("standin: cannot write {}: {e}", target.display());
        }
    }

    /// Appends `lines` (each gets a newline) in one write.
    pub fn append(&self, name: &str, lines: &[String], mode: u32) {
        if lines.is_empty() {
            return;
        }
        let target = self.path.join(name);
        let mut buf = String::new();
        for l in lines {
            buf.push_str(l);
            buf.push('\n');
        }
        let result = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(mode)
            .open(&target)
            .and_then(|mut f| f.write_all(buf.as_bytes()));
        if let Err(e) = result {
            say!("standin: cannot append to {}: {e}", target.display());
        }
    }

    pub fn lines(&self, name: &str) -> Vec<String> {
        self.read(name)
            .map(|t| t.lines().map(String::from).collect())
            .unwrap_or_default()
    }

    /// Starts over: every file but the directory itself goes.
    pub fn clear(&mut self) {
        if let Ok(entries) = fs::read_dir(&self.path) {
            for e in entries.flatten() {
                let p = e.path();
                let _ = if p.is_dir() {
                    fs::remove_dir_all(&p)
                } else {
                    fs::remove_file(&p)
                };
            }
        }
        self.dirty = false;
    }

    /// Records that the state moved away from its seed (once).
    pub fn mark_dirty(&mut self) {
        if !self.dirty {
            self.write(DIRTY, "changed since it was seeded\n", 0o644);
            self.dirty = true;
        }
    }

    /// The seed this directory holds for `scope` with `count` identities, or a fresh one (the
    /// directory cleared) when it holds none or another: `(seeded_at, fresh)`.
    pub fn seed(&mut self, scope: &str, count: usize, now: Micros) -> (Micros, bool) {
        let wanted = |at: Micros| format!("scope={scope}\nidentities={count}\nseeded_at={at}\n");
        if let Some(text) = self.read(SEED) {
            let at = text
                .lines()
                .find_map(|l| l.strip_prefix("seeded_at="))
                .and_then(|v| v.parse::<Micros>().ok());
            if let Some(at) = at.filter(|at| text == wanted(*at)) {
                return (at, false);
            }
            say!(
                "standin: {} was seeded for other parameters ({}): seeding again for scope={scope} identities={count}",
                self.path.display(),
                text.trim().replace('\n', " ")
            );
        }
        self.clear();
        self.write(SEED, &wanted(now), 0o644);
        (now, true)
    }
}

/// `key=value` lines, for the counts files tests read.
pub fn counts(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_kept_until_its_parameters_change() {
        let dir = crate::listener::tests::temp_dir("store");
        let mut d = DataDir::open(&dir.join("data")).expect("opens");
        assert_eq!(d.seed("ciam", 10, 5), (5, true));
        d.append(JOURNAL, &["one".into(), "two".into()], 0o644);
        d.mark_dirty();
        let mut again = DataDir::open(&dir.join("data")).expect("opens");
        assert!(again.dirty);
        assert_eq!(
            again.seed("ciam", 10, 99),
            (5, false),
            "same parameters: kept"
        );
        assert_eq!(again.lines(JOURNAL), vec!["one", "two"]);
        assert_eq!(
            again.seed("ciam", 11, 99),
            (99, true),
            "another count: reseeded"
        );
        assert!(again.lines(JOURNAL).is_empty());
        assert!(!again.path().join(DIRTY).exists());
        again.write("counts", &counts(&[("a", "1".into())]), 0o600);
        assert_eq!(again.read("counts").as_deref(), Some("a=1\n"));
        let mode = fs::metadata(again.path().join("counts"))
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = fs::remove_dir_all(&dir);
    }
}
