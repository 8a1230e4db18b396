//! `aegis incident ...`: one incident as a JSON bundle, out of a data directory and into another
//! (archive, restore, move between installations; docs/incident-bundle.md), with or without a
//! running gateway (SQLite's WAL lets both read at once; an import waits for its write lock).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use server::bundle;
use server::config::Settings;
use server::store::Store;

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// Write an incident and everything stored about it as one JSON bundle, to stdout or --output.
    Export {
        /// The incident (INC-7 or 7).
        #[arg(value_parser = parse_incident)]
        id: i64,
        /// Write the bundle to this file (created readable by its owner only).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Stamp the bundle with this time (ms since the epoch) instead of now: two exports of
        /// the same incident are then byte for byte the same.
        #[arg(long, value_name = "MS")]
        at_ms: Option<i64>,
    },
    /// Read a bundle written by `export` into this data directory, every row with its original
    /// ids, in one transaction (all or nothing).
    Import {
        /// The bundle file.
        file: PathBuf,
    },
}

/// An incident as a command line names it: `INC-7`, `inc-7` or `7` (also for `aegis audit`).
pub fn parse_incident(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let digits = t
        .strip_prefix("INC-")
        .or_else(|| t.strip_prefix("inc-"))
        .unwrap_or(t);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}` is not an incident (INC-7 or 7)"))
}

/// Opens `path` for an export, readable by its owner only (a bundle or an audit export holds
/// incident notes, commands and who ran them): created `0600`, and an existing file is narrowed
/// to `0600` before it is emptied. Used by `aegis incident export` and `aegis audit export`.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.set_len(0)?;
    Ok(file)
}

/// Writes `text` to `path` through [`create_private`], then syncs it.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = create_private(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

pub async fn run(settings: &Settings, command: IncidentCommand) -> i32 {
    let store = match Store::open(&settings.data_dir).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aegis: {e}");
            return 1;
        }
    };
    match command {
        IncidentCommand::Export { id, output, at_ms } => {
            let now = at_ms.unwrap_or_else(|| store.now_ms());
            let text = match bundle::export(&store, id, now).await {
                Ok(b) => b.to_json(),
                Err(e) => {
                    eprintln!("aegis: {e}");
                    return 1;
                }
            };
            let written = match &output {
                Some(path) => write_private(path, &text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display())),
                None => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(text.as_bytes())
                        .and_then(|()| out.flush())
                        .map_err(|e| format!("cannot write the bundle: {e}"))
                }
            };
            match written {
                Ok(()) => {
                    eprintln!("aegis: exported INC-{id}");
                    0
                }
                Err(e) => {
                    eprintln!("aegis: {e}");
                    1
                }
            }
        }
        IncidentCommand::Import { file } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("aegis: cannot read {}: {e}", file.display());
                    return 1;
                }
            };
            let imported = match bundle::parse(&text) {
                Ok(b) => bundle::import(&store, &b).await,
                Err(e) => Err(e),
            };
            match imported {
                Ok(report) => {
                    println!("imported {report}");
                    0
                }
                Err(e) => {
                    eprintln!("aegis: {}: {e}", file.display());
                    1
                }
            }
        }
    }
}
