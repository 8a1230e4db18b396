//! The rows a bundle carries: each struct is one table's row with the columns by name, in the
//! table's order, minus the `incident_id` every row shares (the bundle's incident). Text and JSON
//! columns are the exact text stored; INTEGER columns the exact integer (so `compromise` stays 0 or
//! 1). The column lists here are the SELECTs' and INSERTs' too, so the three cannot disagree.

use serde::{Deserialize, Serialize};

/// `incidents`: the incident's current state and what it was declared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct IncidentRow {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub broken: String,
    /// `sev1` … `sev4`.
    pub severity: String,
    /// 0 or 1.
    pub compromise: i64,
    /// `declared`, `acknowledged`, `resolved`.
    pub phase: String,
    /// wire::IncidentScope as JSON text.
    pub scope_json: String,
    /// The health board when it was declared (wire::HealthSnapshot), as JSON text.
    pub board_json: String,
    pub declared_by: String,
    pub declared_at_ms: i64,
    pub response_due_ms: i64,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at_ms: Option<i64>,
    pub update_due_ms: Option<i64>,
    pub last_update_ms: Option<i64>,
    pub updates: i64,
    pub last_update: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at_ms: Option<i64>,
    pub impact: Option<String>,
    pub retrospective_due_ms: Option<i64>,
}

pub(super) const INCIDENT_COLUMNS: &str = "id, version, title, broken, severity, compromise, \
    phase, scope_json, board_json, declared_by, declared_at_ms, response_due_ms, acknowledged_by, \
    acknowledged_at_ms, update_due_ms, last_update_ms, updates, last_update, resolved_by, \
    resolved_at_ms, impact, retrospective_due_ms";

/// `timeline`: one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntryRow {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    /// wire::EntryKind as JSON text.
    pub body_json: String,
}

pub(super) const TIMELINE_COLUMNS: &str = "seq, at_ms, actor, body_json";

/// `deliveries`: a message to the incident channel and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRow {
    pub id: i64,
    /// The timeline entry it announces.
    pub entry_seq: i64,
    /// The body posted, as text.
    pub payload: String,
    /// `pending`, `delivered`, `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

pub(super) const DELIVERY_COLUMNS: &str =
    "id, entry_seq, payload, state, attempts, last_error, updated_at_ms";

/// `playbook_runs`, with its `playbook_records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct PlaybookRunRow {
    pub id: i64,
    pub playbook: String,
    pub started_by: String,
    pub started_at_ms: i64,
    /// Oldest first (by `seq`).
    #[sqlx(skip)]
    pub records: Vec<PlaybookRecordRow>,
}

pub(super) const RUN_COLUMNS: &str = "id, playbook, started_by, started_at_ms";

/// `playbook_records`: one step of a run's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct PlaybookRecordRow {
    pub seq: i64,
    pub step: String,
    /// wire::StepOutcome as JSON text.
    pub outcome_json: String,
    pub actor: String,
    pub at_ms: i64,
    pub note: Option<String>,
}

pub(super) const RECORD_COLUMNS: &str = "seq, step, outcome_json, actor, at_ms, note";

/// `action_requests`: an action asked for on the host, and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ActionRequestRow {
    pub id: i64,
    pub action: String,
    pub target: String,
    /// wire::ActionPlan as JSON text.
    pub plan_json: String,
    /// wire::StepRef as JSON text.
    pub step_json: Option<String>,
    /// wire::RequestState's name (`pending`, `running`, `done`, …).
    pub state: String,
    pub requested_by: String,
    pub requested_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub break_glass: Option<String>,
    pub started_at_ms: Option<i64>,
    pub progress: Option<String>,
    /// The procedure's own resume point, as text.
    pub cursor_json: Option<String>,
    /// wire::ActionResult as JSON text.
    pub result_json: Option<String>,
    pub version: i64,
}

pub(super) const REQUEST_COLUMNS: &str = "id, action, target, plan_json, step_json, state, \
    requested_by, requested_at_ms, expires_at_ms, approved_by, approved_at_ms, break_glass, \
    started_at_ms, progress, cursor_json, result_json, version";

/// `retro_versions`: one save of the retrospective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct RetroVersionRow {
    pub version: i64,
    pub author: String,
    pub at_ms: i64,
    /// `saved`, `finished`, `reopened`.
    pub did: String,
    /// `draft`, `finished`.
    pub state: String,
    /// wire::RetroSections as JSON text.
    pub sections_json: String,
}

pub(super) const RETRO_COLUMNS: &str = "version, author, at_ms, did, state, sections_json";

/// `action_items`: a follow-up of the retrospective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ActionItemRow {
    pub id: i64,
    pub title: String,
    pub owner: String,
    /// `YYYY-MM-DD` or empty.
    pub due: String,
    pub done_when: String,
    /// `open`, `done`.
    pub status: String,
    pub ticket_url: String,
    pub ticket_state: Option<String>,
    pub finding: Option<String>,
    pub created_by: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub version: i64,
}

pub(super) const ITEM_COLUMNS: &str = "id, title, owner, due, done_when, status, ticket_url, \
    ticket_state, finding, created_by, created_at_ms, updated_at_ms, version";

/// `timeline_stars`: an entry a responder starred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct StarRow {
    pub entry_seq: i64,
    pub starred_by: String,
    pub at_ms: i64,
}

pub(super) const STAR_COLUMNS: &str = "entry_seq, starred_by, at_ms";

/// `mitigation_marks`: the entry marked as where the bleeding stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct MitigationRow {
    pub entry_seq: i64,
    pub marked_by: String,
    pub at_ms: i64,
}

pub(super) const MITIGATION_COLUMNS: &str = "entry_seq, marked_by, at_ms";

/// `retro_reminders`: a channel reminder of the retrospective's deadline that went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ReminderRow {
    /// `24h`, `overdue`.
    pub reminder: String,
    pub at_ms: i64,
}

pub(super) const REMINDER_COLUMNS: &str = "reminder, at_ms";

/// An audit entry as stored (`audit_log` or `imported_audit`): its number in the chain it was
/// written in, the record exactly as hashed, the previous entry's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct AuditDigest {
    pub seq: i64,
    /// wire::AuditRecord as JSON text, exactly as hashed.
    pub record_json: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(super) const AUDIT_COLUMNS: &str = "seq, record_json, prev_hash, hash";
