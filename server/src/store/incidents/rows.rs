//! Rows and their columns: how an incident, a timeline entry and a delivery are laid out in SQLite
//! and read back (a row that does not read back is reported as corrupt, never guessed at).

use sqlx::Sqlite;
use wire::{
    Delivery, DeliveryState, IncidentScope, IncidentSummary, Phase, Severity, TimelineEntry,
};

use super::super::StoreError;

#[derive(sqlx::FromRow)]
pub(super) struct IncidentRow {
    id: i64,
    version: i64,
    title: String,
    broken: String,
    severity: String,
    compromise: i64,
    phase: String,
    scope_json: String,
    declared_by: String,
    declared_at_ms: i64,
    response_due_ms: i64,
    acknowledged_by: Option<String>,
    acknowledged_at_ms: Option<i64>,
    update_due_ms: Option<i64>,
    last_update_ms: Option<i64>,
    updates: i64,
    last_update: Option<String>,
    resolved_by: Option<String>,
    resolved_at_ms: Option<i64>,
    impact: Option<String>,
    retrospective_due_ms: Option<i64>,
    failed_deliveries: i64,
    retrospective_finished_ms: Option<i64>,
}

pub(super) const SUMMARY_COLUMNS: &str =
    "i.id, i.version, i.title, i.broken, i.severity, i.compromise, \
    i.phase, i.scope_json, i.declared_by, i.declared_at_ms, i.response_due_ms, i.acknowledged_by, \
    i.acknowledged_at_ms, i.update_due_ms, i.last_update_ms, i.updates, i.last_update, \
    i.resolved_by, i.resolved_at_ms, i.impact, i.retrospective_due_ms, \
    (SELECT COUNT(*) FROM deliveries d WHERE d.incident_id = i.id AND d.state = 'failed') \
    AS failed_deliveries, \
    (SELECT CASE WHEN v.state = 'finished' THEN v.at_ms END FROM retro_versions v \
     WHERE v.incident_id = i.id ORDER BY v.version DESC LIMIT 1) AS retrospective_finished_ms";

pub(super) use crate::store::corrupt;

/// Phases are stored by their wire names ([`Phase::as_str`]), one spelling for both.
pub(super) fn parse_phase(s: &str) -> Result<Phase, StoreError> {
    [Phase::Declared, Phase::Acknowledged, Phase::Resolved]
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| corrupt("phase", s))
}

impl TryFrom<IncidentRow> for IncidentSummary {
    type Error = StoreError;
    fn try_from(r: IncidentRow) -> Result<Self, StoreError> {
        let scope: IncidentScope =
            serde_json::from_str(&r.scope_json).map_err(|e| corrupt("scope", e))?;
        Ok(IncidentSummary {
            id: r.id,
            version: r.version,
            title: r.title,
            broken: r.broken,
            severity: Severity::parse(&r.severity)
                .ok_or_else(|| corrupt("severity", &r.severity))?,
            compromise: r.compromise != 0,
            phase: parse_phase(&r.phase)?,
            scope,
            declared_by: r.declared_by,
            declared_at_ms: r.declared_at_ms,
            response_due_ms: r.response_due_ms,
            acknowledged_by: r.acknowledged_by,
            acknowledged_at_ms: r.acknowledged_at_ms,
            update_due_ms: r.update_due_ms,
            last_update_ms: r.last_update_ms,
            updates: r.updates.max(0) as u32,
            last_update: r.last_update,
            resolved_by: r.resolved_by,
            resolved_at_ms: r.resolved_at_ms,
            impact: r.impact,
            retrospective_due_ms: r.retrospective_due_ms,
            failed_deliveries: r.failed_deliveries.max(0) as u32,
            retrospective_finished_ms: r.retrospective_finished_ms,
        })
    }
}

pub(super) type EntryRow = (i64, i64, i64, String, String);

pub(super) fn entry(
    (seq, incident_id, at_ms, actor, body): EntryRow,
) -> Result<TimelineEntry, StoreError> {
    Ok(TimelineEntry {
        seq,
        incident_id,
        at_ms,
        actor,
        kind: serde_json::from_str(&body).map_err(|e| corrupt("timeline entry", e))?,
    })
}

/// A `deliveries` row as [`DELIVERY_COLUMNS`] selects it.
#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
    id: i64,
    incident_id: i64,
    entry_seq: i64,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    updated_at_ms: i64,
}

/// A delivery with the payload it posts.
#[derive(sqlx::FromRow)]
pub(super) struct DeliveryWithPayload {
    #[sqlx(flatten)]
    pub(super) row: DeliveryRow,
    pub(super) payload: String,
}

pub(super) fn delivery(
    DeliveryRow {
        id,
        incident_id,
        entry_seq,
        state,
        attempts,
        last_error,
        updated_at_ms,
    }: DeliveryRow,
) -> Result<Delivery, StoreError> {
    let state = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
    ]
    .into_iter()
    .find(|d| d.as_str() == state)
    .ok_or_else(|| corrupt("delivery state", &state))?;
    Ok(Delivery {
        id,
        incident_id,
        entry_seq,
        state,
        attempts: attempts.max(0) as u32,
        last_error,
        updated_at_ms,
    })
}

pub(super) const DELIVERY_COLUMNS: &str =
    "id, incident_id, entry_seq, state, attempts, last_error, updated_at_ms";

/// The columns a change may rewrite, in the order [`bind_state`] binds them. The declaration's
/// own columns (`declared_by`, `declared_at_ms`, `board_json`) are written once, at insert.
pub(super) const STATE_COLUMNS: [&str; 18] = [
    "version",
    "title",
    "broken",
    "severity",
    "compromise",
    "phase",
    "scope_json",
    "response_due_ms",
    "acknowledged_by",
    "acknowledged_at_ms",
    "update_due_ms",
    "last_update_ms",
    "updates",
    "last_update",
    "resolved_by",
    "resolved_at_ms",
    "impact",
    "retrospective_due_ms",
];

pub(super) type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds `i`'s values for [`STATE_COLUMNS`], in that order.
pub(super) fn bind_state<'q>(
    q: Query<'q>,
    i: &'q IncidentSummary,
) -> Result<Query<'q>, StoreError> {
    Ok(q.bind(i.version)
        .bind(&i.title)
        .bind(&i.broken)
        .bind(i.severity.as_str())
        .bind(i64::from(i.compromise))
        .bind(i.phase.as_str())
        .bind(scope_json(&i.scope)?)
        .bind(i.response_due_ms)
        .bind(&i.acknowledged_by)
        .bind(i.acknowledged_at_ms)
        .bind(i.update_due_ms)
        .bind(i.last_update_ms)
        .bind(i64::from(i.updates))
        .bind(&i.last_update)
        .bind(&i.resolved_by)
        .bind(i.resolved_at_ms)
        .bind(&i.impact)
        .bind(i.retrospective_due_ms))
}

pub(super) fn scope_json(scope: &IncidentScope) -> Result<String, StoreError> {
    serde_json::to_string(scope).map_err(|e| corrupt("scope", e))
}
