//! An incident's state as lists and the live stream carry it, and what a declaration starts it
//! with.

use serde::{Deserialize, Serialize};

use super::{IncidentScope, Phase, Severity};

/// An incident's current state, without its timeline: what lists and the live stream carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: i64,
    /// Bumped on every change; a client keeps the highest it has seen.
    pub version: i64,
    pub title: String,
    pub broken: String,
    pub severity: Severity,
    pub compromise: bool,
    pub phase: Phase,
    pub scope: IncidentScope,
    pub declared_by: String,
    pub declared_at_ms: i64,
    /// First-response deadline: acknowledging meets it.
    pub response_due_ms: i64,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at_ms: Option<i64>,
    /// When the next status update is due; `None` once resolved, and for Sev 4 (no cadence).
    pub update_due_ms: Option<i64>,
    pub last_update_ms: Option<i64>,
    pub updates: u32,
    /// The latest status update's text, for lists and stakeholders.
    pub last_update: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at_ms: Option<i64>,
    pub impact: Option<String>,
    /// Sev 1 and Sev 2: 48 hours after resolution.
    pub retrospective_due_ms: Option<i64>,
    /// Channel messages that failed for good (a responder should retry or post by hand).
    pub failed_deliveries: u32,
    /// When its retrospective was finished (the newest version is finished); the countdown to
    /// `retrospective_due_ms` stops then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrospective_finished_ms: Option<i64>,
}

/// What a declaration fixes about an incident; everything else starts empty
/// ([`IncidentSummary::declared`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub title: String,
    pub broken: String,
    pub severity: Severity,
    pub compromise: bool,
    pub scope: IncidentScope,
    pub declared_by: String,
    pub declared_at_ms: i64,
    pub response_due_ms: i64,
    /// `None` for a severity without an update cadence.
    pub update_due_ms: Option<i64>,
}

impl IncidentSummary {
    /// Incident number `id` as it is when just declared: version 1, nobody has acknowledged it, no
    /// updates, nothing failed.
    pub fn declared(id: i64, d: Declared) -> IncidentSummary {
        IncidentSummary {
            id,
            version: 1,
            title: d.title,
            broken: d.broken,
            severity: d.severity,
            compromise: d.compromise,
            phase: Phase::Declared,
            scope: d.scope,
            declared_by: d.declared_by,
            declared_at_ms: d.declared_at_ms,
            response_due_ms: d.response_due_ms,
            acknowledged_by: None,
            acknowledged_at_ms: None,
            update_due_ms: d.update_due_ms,
            last_update_ms: None,
            updates: 0,
            last_update: None,
            resolved_by: None,
            resolved_at_ms: None,
            impact: None,
            retrospective_due_ms: None,
            failed_deliveries: 0,
            retrospective_finished_ms: None,
        }
    }

    /// `INC-7`, as people say it.
    pub fn reference(&self) -> String {
        format!("INC-{}", self.id)
    }

    /// The first-response deadline is missed: nobody acknowledged in time.
    pub fn response_overdue(&self, now_ms: i64) -> bool {
        self.acknowledged_at_ms.is_none() && self.phase.is_open() && now_ms > self.response_due_ms
    }

    /// A retrospective is due and not finished: the countdown shows.
    pub fn retrospective_pending(&self) -> Option<i64> {
        self.retrospective_due_ms
            .filter(|_| self.retrospective_finished_ms.is_none())
    }

    /// The status-update cadence is missed.
    pub fn update_overdue(&self, now_ms: i64) -> bool {
        self.phase.is_open() && self.update_due_ms.is_some_and(|due| now_ms > due)
    }
}
