//! A forensic snapshot of the database before any cleanup: `pg_dumpall` through `podman exec`, into
//! a timestamped file in `[database] snapshot_dir` (outside the live data directory), written under
//! a temporary name and renamed when complete, then its SHA-256 and size read back.

use wire::PlannedCommand;

use super::super::ops::{Failed, Ops};
use super::restart::once;
use super::Done;
use crate::probes::settings::DatabaseSettings;
use crate::remote::RemoteCommand;
use crate::values::HostPath;

/// A fixed script: every value is a positional argument, never part of the script's text.
const SCRIPT: &str = "set -eu; umask 077; f=\"$1/$2\"; \
podman exec -- \"$3\" pg_dumpall -U \"$4\" > \"$f.partial\"; \
mv -- \"$f.partial\" \"$f\"; sha256sum -- \"$f\"; stat -c %s -- \"$f\"";

fn file_name(stamp: &str) -> String {
    format!("olympus-{stamp}.sql")
}

fn stamp(now_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| now_ms.to_string())
}

fn dump(ops: &Ops<'_>, db: &DatabaseSettings, dir: &HostPath, stamp: &str) -> RemoteCommand {
    ops.command("sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("aegis-snapshot")
        .arg(dir.as_str())
        .arg(file_name(stamp))
        .arg(db.container.as_str())
        .arg(db.dump_user.as_ref().map_or("postgres", |u| u.as_str()))
}

fn space(ops: &Ops<'_>, dir: &HostPath) -> RemoteCommand {
    ops.command("df").arg("-Pk").arg("--").arg(dir.as_str())
}

pub fn commands(
    ops: &Ops<'_>,
    db: &DatabaseSettings,
    dir: &HostPath,
    stamp: &str,
) -> Vec<PlannedCommand> {
    vec![once(space(ops, dir)), once(dump(ops, db, dir, stamp))]
}

pub async fn preflight(
    ops: &Ops<'_>,
    db: &DatabaseSettings,
    dir: &HostPath,
) -> Result<String, Failed> {
    let out = ops.run(&space(ops, dir)).await?;
    let free_kb = out
        .stdout
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<u64>().ok());
    Ok(format!(
        "writes a dump of every database in {} to {dir}/olympus-<time>.sql ({} free there); reads only, changes nothing in the database",
        db.container,
        free_kb.map_or("unknown space".to_owned(), |k| format!("{:.1} GB", k as f64 / 1_048_576.0))
    ))
}

pub async fn run(
    ops: &Ops<'_>,
    db: &DatabaseSettings,
    dir: &HostPath,
    now_ms: i64,
) -> Result<Done, Failed> {
    let stamp = stamp(now_ms);
    let out = ops.run(&dump(ops, db, dir, &stamp)).await?;
    let mut lines = out.stdout.lines();
    let sha = lines
        .next()
        .and_then(|l| l.split_whitespace().next())
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            Failed("the snapshot was written but its SHA-256 could not be read".into())
        })?;
    let size: u64 = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| Failed("the snapshot was written but its size could not be read".into()))?;
    if size == 0 {
        return Err(Failed("pg_dumpall wrote an empty file".into()));
    }
    let path = format!("{dir}/{}", file_name(&stamp));
    ops.say(format!("{path}: {size} bytes, SHA-256 {sha}"));
    Ok(Done::summary(format!(
        "Snapshot {path}: {size} bytes, SHA-256 {sha}"
    )))
}
