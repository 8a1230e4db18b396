//! What the record and findings tests share: one clock origin, business hours, a declared
//! incident and its timeline, so that both read the same incident the same way.

use wire::{
    Declared, EntryKind, IncidentScope, IncidentSummary, Severity, TimelineEntry, MINUTE_MS,
};

use super::record::Facts;
use crate::values::BusinessHours;

/// Tuesday 2024-03-05 10:00 UTC: every test incident is declared then.
pub const T0: i64 = 1_709_632_800_000;
/// The status-update cadence of the test incidents, in minutes.
pub const CADENCE: u32 = 15;

/// `min` minutes after the declaration.
pub fn at(min: i64) -> i64 {
    T0 + min * MINUTE_MS
}

pub fn hours() -> BusinessHours {
    BusinessHours::new("UTC", "09:00").unwrap()
}

/// An incident of `severity` as just declared at `T0`, with the matrix's first-response deadline.
pub fn incident(severity: Severity) -> IncidentSummary {
    IncidentSummary::declared(
        7,
        Declared {
            title: "Logins failing".into(),
            broken: "Some users cannot log in.".into(),
            severity,
            compromise: false,
            scope: IncidentScope::default(),
            declared_by: "ada".into(),
            declared_at_ms: T0,
            response_due_ms: hours().response_due(severity, T0),
            update_due_ms: severity
                .has_update_cadence()
                .then_some(T0 + i64::from(CADENCE) * MINUTE_MS),
        },
    )
}

/// The timeline of those entries, in that order, with increasing seq from 1.
pub fn timeline(entries: Vec<(i64, EntryKind)>) -> Vec<TimelineEntry> {
    entries
        .into_iter()
        .zip(1..)
        .map(|((at_ms, kind), seq)| TimelineEntry {
            seq,
            incident_id: 7,
            at_ms,
            actor: "ada".into(),
            kind,
        })
        .collect()
}

/// The facts of an incident nobody starred or marked.
pub fn facts<'a>(
    incident: &'a IncidentSummary,
    timeline: &'a [TimelineEntry],
    hours: &'a BusinessHours,
) -> Facts<'a> {
    Facts {
        incident,
        timeline,
        stars: &[],
        mitigation: None,
        hours,
        cadence_minutes: CADENCE,
    }
}
