//! Values for the model's unit tests: a check, an incident, timeline entries and a delivery, each
//! complete and plausible so that a test changes only the fields it is about.

use wire::{
    CheckResult, Declared, Delivery, DeliveryState, EntryKind, IncidentScope, IncidentSummary,
    Scope, Severity, Status, TimelineEntry,
};

pub fn check(id: &str, scope: Scope, status: Status) -> CheckResult {
    CheckResult {
        id: id.to_owned(),
        name: format!("{id} name"),
        scope,
        status,
        detail: "detail".to_owned(),
        latency_ms: Some(10),
        checked_at_ms: 1_000,
        since_ms: 500,
    }
}

pub fn incident(id: i64, version: i64) -> IncidentSummary {
    IncidentSummary {
        version,
        ..IncidentSummary::declared(
            id,
            Declared {
                title: format!("incident {id}"),
                broken: "logins fail".to_owned(),
                severity: Severity::Sev2,
                compromise: false,
                scope: IncidentScope::default(),
                declared_by: "ann".to_owned(),
                declared_at_ms: 1_000_000,
                response_due_ms: 1_000_000 + 30 * 60_000,
                update_due_ms: Some(1_000_000 + 30 * 60_000),
            },
        )
    }
}

pub fn entry(incident_id: i64, seq: i64, kind: EntryKind) -> TimelineEntry {
    TimelineEntry {
        seq,
        incident_id,
        at_ms: 1_000_000 + seq * 1_000,
        actor: "ann".to_owned(),
        kind,
    }
}

pub fn note(incident_id: i64, seq: i64) -> TimelineEntry {
    entry(
        incident_id,
        seq,
        EntryKind::Note {
            text: format!("note {seq}"),
        },
    )
}

pub fn delivery(id: i64, state: DeliveryState, attempts: u32, at: i64) -> Delivery {
    Delivery {
        id,
        incident_id: 1,
        entry_seq: 5,
        state,
        attempts,
        last_error: None,
        updated_at_ms: at,
    }
}
