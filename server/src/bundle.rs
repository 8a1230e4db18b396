//! One incident as one JSON document, for archiving it, restoring it and moving it between
//! installations: `aegis incident export` writes it, `aegis incident import` reads it back.
//!
//! A bundle holds every stored row that belongs to the incident, as stored: the columns by their
//! names, the JSON columns as the text they hold (so that a bundle read back writes the same
//! bytes), and the row ids unchanged. Import writes them all in one transaction with their
//! original ids, or nothing. The incident's audit entries travel as digests (number, record,
//! previous hash, hash): they cannot join the receiving installation's chain, so they land in
//! `imported_audit` (migration 0009) after their own hashes are checked. docs/incident-bundle.md
//! describes the format; docs/incident-bundle.schema.json is its JSON Schema.

mod check;
#[doc(hidden)]
pub mod fixture;
mod read;
mod rows;
#[cfg(test)]
mod tests;
mod write;

use serde_json::Value;

use crate::store::{Store, StoreError};

pub use rows::*;

/// The `format` every bundle carries.
pub const FORMAT: &str = "aegis-incident-bundle";
/// The bundle version this gateway writes and reads.
pub const VERSION: u32 = 1;

/// One incident and everything stored about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// When it was exported, ms since the epoch.
    pub exported_at_ms: i64,
    pub incident: IncidentRow,
    /// Oldest first (by `seq`).
    pub timeline: Vec<TimelineEntryRow>,
    /// By id.
    pub deliveries: Vec<DeliveryRow>,
    /// By id, each with its history.
    pub playbook_runs: Vec<PlaybookRunRow>,
    /// By id.
    pub action_requests: Vec<ActionRequestRow>,
    /// Oldest first (by `version`).
    pub retro_versions: Vec<RetroVersionRow>,
    /// By id.
    pub action_items: Vec<ActionItemRow>,
    /// By `entry_seq`.
    pub stars: Vec<StarRow>,
    pub mitigation: Option<MitigationRow>,
    /// By name (`24h`, `overdue`).
    pub reminders: Vec<ReminderRow>,
    /// The incident's audit entries as stored: imported ones first (as they were imported), then
    /// this installation's own, by `seq`.
    pub audit_digests: Vec<AuditDigest>,
}

impl Bundle {
    /// Pretty JSON with a trailing newline, as `aegis incident export` writes it.
    pub fn to_json(&self) -> String {
        // Strings, integers and lists of them: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub incident_id: i64,
    pub timeline_entries: usize,
    pub deliveries: usize,
    pub playbook_runs: usize,
    pub playbook_records: usize,
    pub action_requests: usize,
    pub retro_versions: usize,
    pub action_items: usize,
    pub stars: usize,
    pub mitigation_mark: bool,
    pub reminders: usize,
    pub audit_digests: usize,
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `INC-7: 41 timeline entries, 2 deliveries, …`.
impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [
            counted(self.timeline_entries, "timeline entry", "timeline entries"),
            counted(self.deliveries, "delivery", "deliveries"),
            format!(
                "{} ({})",
                counted(self.playbook_runs, "playbook run", "playbook runs"),
                counted(self.playbook_records, "record", "records")
            ),
            counted(self.action_requests, "action request", "action requests"),
            counted(
                self.retro_versions,
                "retrospective version",
                "retrospective versions",
            ),
            counted(self.action_items, "action item", "action items"),
            counted(self.stars, "star", "stars"),
            if self.mitigation_mark {
                "a mitigation mark".to_owned()
            } else {
                "no mitigation mark".to_owned()
            },
            counted(self.reminders, "reminder", "reminders"),
            counted(self.audit_digests, "audit digest", "audit digests"),
        ];
        write!(f, "INC-{}: {}", self.incident_id, parts.join(", "))
    }
}

/// Why an export or an import did not happen. Import refuses the whole bundle: nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("there is no INC-{0} in this data directory; check the number (the console lists the incidents)")]
    NoSuchIncident(i64),
    #[error("not an Aegis incident bundle: {0}; write one with `aegis incident export`")]
    Unreadable(String),
    #[error("not an Aegis incident bundle: its format is {found}, not \"{FORMAT}\"; write one with `aegis incident export`")]
    WrongFormat { found: String },
    #[error("this is an incident bundle of version {found}, and this Aegis reads version {VERSION}: import it with an Aegis release that reads version {found}, or export it again with this one")]
    WrongVersion { found: String },
    #[error("INC-{0} already exists here: an incident is imported once, into a data directory that has never had it (to restore it, import into a fresh data directory)")]
    IncidentExists(i64),
    #[error("cannot import INC-{incident}: {what}; rows keep their ids on import, so import it into a data directory where they are free (a fresh one)")]
    Clash { incident: i64, what: String },
    #[error("audit digest {seq} was altered: {why}; this bundle is not the one that was exported, export it again from the source")]
    AlteredDigest { seq: i64, why: String },
    #[error("the bundle cannot be imported as it is: {0} (was it edited by hand, or exported by a newer Aegis?)")]
    Inconsistent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BundleError {
    fn from(e: sqlx::Error) -> Self {
        BundleError::Store(StoreError::Sql(e))
    }
}

/// Refuses another format or version before anything else is read.
fn check_header(format: Option<&Value>, version: Option<&Value>) -> Result<(), BundleError> {
    let shown = |v: Option<&Value>| v.map_or("missing".to_owned(), Value::to_string);
    if format.and_then(Value::as_str) != Some(FORMAT) {
        return Err(BundleError::WrongFormat {
            found: shown(format),
        });
    }
    if version.and_then(Value::as_u64) != Some(u64::from(VERSION)) {
        return Err(BundleError::WrongVersion {
            found: shown(version),
        });
    }
    Ok(())
}

/// Reads a bundle from its JSON text: another format or version is refused as such, then every
/// field is read strictly (an unknown or missing field is refused, with where it is).
pub fn parse(text: &str) -> Result<Bundle, BundleError> {
    let loose: Value =
        serde_json::from_str(text).map_err(|e| BundleError::Unreadable(e.to_string()))?;
    check_header(loose.get("format"), loose.get("version"))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let bundle: Bundle = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| BundleError::Unreadable(format!("at `{}`: {}", e.path(), e.inner())))?;
    // serde reads an absent optional field as null; the schema requires every field, and so does
    // this, so that what is imported is exactly what was written.
    let full = serde_json::to_value(&bundle).map_err(|e| BundleError::Unreadable(e.to_string()))?;
    match absent(&full, &loose, "") {
        Some((at, field)) => Err(BundleError::Unreadable(format!(
            "at `{at}`: missing field `{field}` (an empty one is written as null)"
        ))),
        None => Ok(bundle),
    }
}

/// The first key `full` has and `given` lacks: where (`.` for the top level), and which.
fn absent(full: &Value, given: &Value, at: &str) -> Option<(String, String)> {
    match (full, given) {
        (Value::Object(f), Value::Object(g)) => f.iter().find_map(|(k, v)| match g.get(k) {
            None => Some((if at.is_empty() { "." } else { at }.to_owned(), k.clone())),
            Some(gv) if at.is_empty() => absent(v, gv, k),
            Some(gv) => absent(v, gv, &format!("{at}.{k}")),
        }),
        (Value::Array(f), Value::Array(g)) => f
            .iter()
            .zip(g)
            .enumerate()
            .find_map(|(i, (fv, gv))| absent(fv, gv, &format!("{at}[{i}]"))),
        _ => None,
    }
}

/// Everything stored about incident `incident_id`, read in one transaction (a consistent
/// snapshot while a gateway keeps writing), stamped `now_ms`.
pub async fn export(store: &Store, incident_id: i64, now_ms: i64) -> Result<Bundle, BundleError> {
    read::bundle(store, incident_id, now_ms).await
}

/// Writes every row of `bundle` with its original ids, in one transaction. Refuses, writing
/// nothing, another format or version, an incident that already exists, a row id already taken,
/// a bundle that does not hold together, and audit digests whose hash does not match their record.
pub async fn import(store: &Store, bundle: &Bundle) -> Result<ImportReport, BundleError> {
    check_header(
        Some(&Value::from(bundle.format.as_str())),
        Some(&Value::from(bundle.version)),
    )?;
    check::bundle(bundle)?;
    write::bundle(store, bundle).await
}
