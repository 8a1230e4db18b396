//! The one-pass readers accept exactly what the derived writers produce, in any key order, and
//! refuse what the derive refused.

use serde_json::{json, Value};

use crate::*;

fn check() -> CheckResult {
    CheckResult {
        id: "health.ciam-kratos".into(),
        name: "ciam-kratos /health/alive".into(),
        scope: Scope::Ciam,
        status: Status::Down,
        detail: "HTTP 503".into(),
        latency_ms: Some(12),
        checked_at_ms: 5,
        since_ms: 4,
    }
}

fn host() -> HostState {
    HostState {
        target: "olympus".into(),
        reachable: true,
        detail: "connected".into(),
    }
}

fn incident() -> IncidentSummary {
    IncidentSummary {
        version: 2,
        phase: Phase::Acknowledged,
        acknowledged_by: Some("bo".into()),
        acknowledged_at_ms: Some(3),
        failed_deliveries: 1,
        ..IncidentSummary::declared(
            7,
            Declared {
                title: "logins fail".into(),
                broken: "ciam".into(),
                severity: Severity::Sev2,
                compromise: false,
                scope: IncidentScope {
                    services: vec!["ciam-kratos".into()],
                    domains: vec![Domain::Ciam],
                    database: false,
                    apps: true,
                },
                declared_by: "ana".into(),
                declared_at_ms: 1,
                response_due_ms: 2,
                update_due_ms: Some(4),
            },
        )
    }
}

fn entry(kind: EntryKind) -> TimelineEntry {
    TimelineEntry {
        seq: 9,
        incident_id: 7,
        at_ms: 8,
        actor: "ana".into(),
        kind,
    }
}

/// One entry of every kind. The match makes a new kind fail to compile here until it has a case.
fn every_entry() -> Vec<TimelineEntry> {
    let kinds = vec![
        EntryKind::Declared {
            title: "t".into(),
            broken: "b".into(),
            severity: Severity::Sev1,
            compromise: true,
        },
        EntryKind::Acknowledged,
        EntryKind::StatusUpdate {
            known: "k".into(),
            trying: "t".into(),
            eta_minutes: 15,
        },
        EntryKind::SeverityChanged {
            from: Severity::Sev3,
            to: Severity::Sev1,
            reason: "r".into(),
        },
        EntryKind::ScopeChanged {
            scope: incident().scope,
        },
        EntryKind::Note { text: "n".into() },
        EntryKind::Health {
            check_id: "containers".into(),
            name: "containers".into(),
            from: Status::Up,
            to: Status::Degraded,
            detail: "d".into(),
        },
        EntryKind::Resolved {
            impact: "i".into(),
            override_reason: Some("o".into()),
            audit_head: Some("#2 ab".into()),
        },
        EntryKind::Resolved {
            impact: "i".into(),
            override_reason: None,
            audit_head: None,
        },
        EntryKind::Walkthrough {
            playbook: "Database TLS".into(),
            step: "Check the certificate".into(),
            did: "skipped".into(),
            note: "no openssl".into(),
        },
        EntryKind::Action {
            title: "Restart a container".into(),
            target: "olympus-ciam-kratos".into(),
            did: "done in 4.2 s".into(),
            reason: None,
        },
        EntryKind::Action {
            title: "Revoke every session of a scope".into(),
            target: "ciam".into(),
            did: "approved by its own requester (break-glass)".into(),
            reason: Some("alone on call".into()),
        },
        EntryKind::Retrospective {
            did: "started: https://aegis.example/incidents/7/retrospective".into(),
        },
    ];
    for k in &kinds {
        match k {
            EntryKind::Declared { .. }
            | EntryKind::Acknowledged
            | EntryKind::StatusUpdate { .. }
            | EntryKind::SeverityChanged { .. }
            | EntryKind::ScopeChanged { .. }
            | EntryKind::Note { .. }
            | EntryKind::Health { .. }
            | EntryKind::Resolved { .. }
            | EntryKind::Walkthrough { .. }
            | EntryKind::Retrospective { .. }
            | EntryKind::Action { .. } => {}
        }
    }
    kinds.into_iter().map(entry).collect()
}

/// One message of every type; the match makes a new type fail to compile here until it has a case.
fn every_message() -> Vec<ServerMsg> {
    let messages = vec![
        ServerMsg::Snapshot {
            snapshot: HealthSnapshot {
                host: host(),
                checks: vec![check()],
                sweep_seq: 3,
                swept_at_ms: 4,
                interval_ms: 10_000,
                sweeping: false,
            },
        },
        ServerMsg::Changes {
            changed: vec![check()],
            host: host(),
            sweep_seq: 4,
            swept_at_ms: 5,
        },
        ServerMsg::Sweeping { sweeping: true },
        ServerMsg::Heartbeat { server_now_ms: 6 },
        ServerMsg::Incidents {
            incidents: vec![incident()],
        },
        ServerMsg::Incident {
            incident: incident(),
        },
        ServerMsg::Entry {
            entry: every_entry().remove(3),
        },
        ServerMsg::Delivery {
            delivery: Delivery {
                id: 1,
                incident_id: 7,
                entry_seq: 9,
                state: DeliveryState::Failed,
                attempts: 3,
                last_error: Some("HTTP 500".into()),
                updated_at_ms: 10,
            },
        },
        ServerMsg::Error {
            message: "no".into(),
        },
    ];
    for m in &messages {
        match m {
            ServerMsg::Snapshot { .. }
            | ServerMsg::Changes { .. }
            | ServerMsg::Sweeping { .. }
            | ServerMsg::Heartbeat { .. }
            | ServerMsg::Incidents { .. }
            | ServerMsg::Incident { .. }
            | ServerMsg::Entry { .. }
            | ServerMsg::Delivery { .. }
            | ServerMsg::Error { .. } => {}
        }
    }
    messages
}

#[test]
fn every_message_reads_back_as_written() {
    for m in every_message() {
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(
            serde_json::from_str::<ServerMsg>(&text).unwrap(),
            m,
            "{text}"
        );
    }
}

#[test]
fn every_entry_reads_back_as_written_in_any_key_order() {
    for e in every_entry() {
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<TimelineEntry>(&text).unwrap(), e);
        // A `Value` sorts its keys: the tag then comes after most fields.
        let sorted: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::from_value::<TimelineEntry>(sorted).unwrap(), e);
    }
}

#[test]
fn the_tag_may_come_last() {
    let text = r#"{"sweeping":true,"type":"sweeping"}"#;
    assert_eq!(
        serde_json::from_str::<ServerMsg>(text).unwrap(),
        ServerMsg::Sweeping { sweeping: true }
    );
}

#[test]
fn a_missing_field_is_named() {
    let err = serde_json::from_str::<ServerMsg>(r#"{"type":"heartbeat"}"#).unwrap_err();
    assert!(
        err.to_string().contains("missing field `server_now_ms`"),
        "{err}"
    );
    let mut e = serde_json::to_value(entry(EntryKind::Note { text: "n".into() })).unwrap();
    e.as_object_mut().unwrap().remove("text");
    let err = serde_json::from_value::<TimelineEntry>(e).unwrap_err();
    assert!(err.to_string().contains("missing field `text`"), "{err}");
}

#[test]
fn unknown_tags_and_crossed_levels_are_refused() {
    assert!(serde_json::from_str::<ServerMsg>(r#"{"type":"rm_rf"}"#).is_err());
    assert!(serde_json::from_str::<ServerMsg>(r#"{"sweeping":true}"#).is_err());
    let health = json!({"seq": 1, "incident_id": 1, "at_ms": 1, "actor": "aegis", "kind": "health",
        "check_id": "c", "name": "c", "from": "sev1", "to": "up", "detail": ""});
    let err = serde_json::from_value::<TimelineEntry>(health).unwrap_err();
    assert!(err.to_string().contains("expected a status"), "{err}");
    let regrade = json!({"seq": 1, "incident_id": 1, "at_ms": 1, "actor": "ana",
        "kind": "severity_changed", "from": "sev1", "to": "down", "reason": ""});
    let err = serde_json::from_value::<TimelineEntry>(regrade).unwrap_err();
    assert!(err.to_string().contains("expected a severity"), "{err}");
}
