//! The audit log as the console shows it and `aegis audit export` writes it: one entry per thing
//! done to the host or asked of it (an on-demand probe, an action requested, approved, refused,
//! run), chained by hash so that a rewritten history shows.

use serde::{Deserialize, Serialize};

/// Path of the audit log (GET, commanders): `?incident=N` narrows it to one incident.
pub const AUDIT_PATH: &str = "/api/audit";

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A probe a responder ran on demand (a walkthrough step).
    Probe,
    /// An action was asked for (its plan is in the entry).
    Request,
    /// A second commander approved a request.
    Approval,
    /// The gateway refused a request, an approval or a run, and why.
    Refusal,
    /// An action ran (or was interrupted, or resumed): its commands and their results.
    Run,
}

impl AuditKind {
    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Probe => "probe",
            AuditKind::Request => "request",
            AuditKind::Approval => "approval",
            AuditKind::Refusal => "refusal",
            AuditKind::Run => "run",
        }
    }
}

/// One command as it was sent to the host, and what came back. The output itself stays on the
/// gateway's side (it may hold what a masked screen hides); its digest proves which output it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCommand {
    /// The argument vector sent, `timeout -k 1 N program args...`; secrets never travel in argv.
    pub argv: Vec<String>,
    /// The exit status; `None` when the command never finished (the connection failed).
    pub exit: Option<i32>,
    pub duration_ms: u64,
    /// SHA-256 (hex) of stdout, a zero byte, then stderr, exactly as received.
    pub output_sha256: String,
    /// Why there is no exit status (unreachable host, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What is recorded, before the chain gives it a number and a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub at_ms: i64,
    /// The account that did it (`aegis` for the gateway itself, resuming an interrupted run).
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<i64>,
    pub kind: AuditKind,
    /// What it concerns: `probe database_certificate`, `action restart-container`, ...
    pub subject: String,
    /// In words: the outcome, the refusal's reason, the approval's plan hash.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<AuditCommand>,
}

/// A stored entry: the record, its place in the chain and the hashes that bind it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The previous entry's hash (64 zeros before the first).
    pub prev_hash: String,
    /// SHA-256 over the previous hash, the sequence number and the record.
    pub hash: String,
}

/// A page of the log for the console, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The chain's newest entry (number and hash), whatever the filter.
    pub head: Option<AuditHead>,
    /// Older entries exist beyond this page (ask with `before=<oldest seq shown>`).
    pub more: bool,
}

/// The newest entry of the chain: what the incident channel is told at every resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

impl AuditHead {
    /// `#412 3f2a…` in full: the channel keeps the whole hash, so a copy can be compared.
    pub fn text(&self) -> String {
        format!("#{} {}", self.seq, self.hash)
    }
}
