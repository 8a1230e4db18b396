//! A rich incident for the tests of export and import, in this crate and through `aegis incident`
//! on the command line (tests/cli.rs): one fixture, so that both test the same rows.

use wire::{
    ActionItem, ActionPlan, ActionResult, AuditKind, DeliveryState, Domain, EntryKind,
    HealthSnapshot, HostState, IncidentScope, IncidentSummary, ItemFields, ItemStatus, Phase,
    PlannedCommand, RequestState, RetroSections, RetroState, RetroVersion, RunRecord, Severity,
    StepOutcome, StepRef,
};

use crate::audit::AuditLog;
use crate::store::actions::StoredRequest;
use crate::store::incidents::NewEntry;
use crate::store::retro::StoredVersion;
use crate::store::Store;

fn board() -> HealthSnapshot {
    HealthSnapshot {
        host: HostState {
            target: "aegis@prod.example:22".into(),
            reachable: true,
            detail: "connected".into(),
        },
        checks: Vec::new(),
        sweep_seq: 7,
        swept_at_ms: 1_000,
        interval_ms: 10_000,
        sweeping: false,
    }
}

fn entry(at_ms: i64, text: &str, channel: bool) -> NewEntry {
    NewEntry {
        at_ms,
        actor: "ana".into(),
        kind: EntryKind::Note { text: text.into() },
        channel_payload: channel.then(|| format!(r#"{{"text":"{text}"}}"#)),
    }
}

fn declared(id: i64, title: &str) -> (IncidentSummary, NewEntry) {
    let incident = IncidentSummary::declared(
        id,
        wire::Declared {
            title: title.into(),
            broken: "logins fail".into(),
            severity: Severity::Sev1,
            compromise: true,
            scope: IncidentScope {
                services: vec!["ciam-kratos".into()],
                domains: vec![Domain::Ciam],
                database: true,
                apps: false,
            },
            declared_by: "ana".into(),
            declared_at_ms: 100,
            response_due_ms: 400,
            update_due_ms: Some(1_900),
        },
    );
    let first = NewEntry {
        at_ms: 100,
        actor: "ana".into(),
        kind: EntryKind::Declared {
            title: title.into(),
            broken: "logins fail".into(),
            severity: Severity::Sev1,
            compromise: true,
        },
        channel_payload: Some(r#"{"text":"declared"}"#.into()),
    };
    (incident, first)
}

/// INC-1 with a row in every table, INC-2 interleaved with it (so INC-1's ids have gaps and its
/// audit entries' previous hashes are INC-2's); returns INC-1's number.
pub async fn rich(store: &Store) -> i64 {
    let (one, _, _) = store
        .insert_incident(&board(), |id| declared(id, "Logins fail"))
        .await
        .expect("the fixture writes to a fresh store");
    let (two, _, _) = store
        .insert_incident(&board(), |id| declared(id, "Other"))
        .await
        .expect("the fixture writes to a fresh store");
    let (looking, delivery) = store
        .append_entry_delivered(one.id, entry(200, "looking at kratos", true))
        .await
        .expect("the fixture writes to a fresh store");
    store
        .set_delivery(
            delivery.expect("the fixture writes to a fresh store").id,
            DeliveryState::Failed,
            3,
            Some("HTTP 500"),
            250,
        )
        .await
        .expect("the fixture writes to a fresh store");
    store
        .append_entry(two.id, entry(210, "elsewhere", false))
        .await
        .expect("the fixture writes to a fresh store");
    let mut resolved = store
        .incident(one.id)
        .await
        .expect("the fixture writes to a fresh store")
        .expect("INC-1 was just inserted");
    resolved.version += 1;
    resolved.phase = Phase::Resolved;
    resolved.acknowledged_by = Some("bo".into());
    resolved.acknowledged_at_ms = Some(300);
    resolved.last_update_ms = Some(310);
    resolved.updates = 1;
    resolved.last_update = Some("restarted".into());
    resolved.resolved_by = Some("bo".into());
    resolved.resolved_at_ms = Some(500);
    resolved.impact = Some("no logins for 7 minutes".into());
    resolved.retrospective_due_ms = Some(9_000);
    resolved.update_due_ms = None;
    let (stopped, _) = store
        .save_incident(&resolved, entry(500, "bleeding stopped", false))
        .await
        .expect("the fixture writes to a fresh store");
    store
        .set_star(one.id, looking.seq, "bo", 600, true)
        .await
        .expect("the fixture writes to a fresh store");
    store
        .set_star(one.id, stopped.seq, "ana", 610, true)
        .await
        .expect("the fixture writes to a fresh store");
    store
        .set_mitigation(one.id, Some(stopped.seq), "bo", 620)
        .await
        .expect("the fixture writes to a fresh store");
    for (version, did, state) in [
        (1, "saved", RetroState::Draft),
        (2, "finished", RetroState::Finished),
    ] {
        let v = StoredVersion {
            version: RetroVersion {
                version,
                author: "ana".into(),
                at_ms: 700 + i64::from(version),
                did: did.into(),
                sections: RetroSections {
                    summary: format!("summary {version}"),
                    impact: "logins \"down\"\n".into(),
                    root_cause: "expired certificate".into(),
                    went_well: "paging".into(),
                    went_badly: "nobody watched expiry".into(),
                },
            },
            state,
        };
        store
            .insert_retro_version(one.id, &v)
            .await
            .expect("the fixture writes to a fresh store")
            .expect("the fixture writes to a fresh store");
    }
    for (title, finding) in [
        ("Alert on expiry", Some("late:first-response")),
        ("Docs", None),
    ] {
        store
            .insert_item(&ActionItem {
                id: 0,
                incident_id: one.id,
                fields: ItemFields {
                    title: title.into(),
                    owner: "bo".into(),
                    due: "2030-01-02".into(),
                    done_when: "an alert fires 14 days ahead".into(),
                    status: ItemStatus::Open,
                    ticket_url: "https://tickets.example/1".into(),
                    finding: finding.map(str::to_owned),
                },
                created_by: "ana".into(),
                created_at_ms: 800,
                updated_at_ms: 810,
                ticket_state: finding.map(|_| "open".to_owned()),
                version: 1,
            })
            .await
            .expect("the fixture writes to a fresh store");
    }
    assert!(store
        .claim_reminder(one.id, "24h", 900)
        .await
        .expect("the fixture writes to a fresh store"));
    assert!(store
        .claim_reminder(one.id, "overdue", 950)
        .await
        .expect("the fixture writes to a fresh store"));
    let run = store
        .start_run(one.id, "database-tls", "ana", 220)
        .await
        .expect("the fixture writes to a fresh store");
    for outcome in [
        StepOutcome::Done,
        StepOutcome::Chose {
            branch: 1,
            overridden: true,
        },
    ] {
        store
            .append_run_record(
                run,
                &RunRecord {
                    step: "certificate".into(),
                    outcome,
                    by: "ana".into(),
                    at_ms: 230,
                    note: Some("as planned".into()),
                },
            )
            .await
            .expect("the fixture writes to a fresh store");
    }
    store
        .insert_action_request(&StoredRequest {
            id: 0,
            incident_id: one.id,
            action: "restart-container".into(),
            target: "olympus-ciam-kratos".into(),
            plan: ActionPlan {
                action: "restart-container".into(),
                title: "Restart a container".into(),
                host: "aegis@prod.example:22".into(),
                target: "olympus-ciam-kratos".into(),
                params: [("container".to_owned(), "olympus-ciam-kratos".to_owned())]
                    .into_iter()
                    .collect(),
                commands: vec![PlannedCommand {
                    argv: vec!["docker".into(), "restart".into()],
                    repeats: None,
                }],
                blast_radius: "ciam logins".into(),
                destructive: true,
                needs_approval: false,
                confirm: Some("olympus-ciam-kratos".into()),
                hash: "ab".repeat(32),
            },
            step: Some(StepRef {
                run,
                step: "restart".into(),
            }),
            state: RequestState::Done,
            requested_by: "ana".into(),
            requested_at_ms: 240,
            expires_at_ms: Some(840),
            approved_by: Some("bo".into()),
            approved_at_ms: Some(245),
            break_glass: Some("alone at night".into()),
            started_at_ms: Some(246),
            progress: Some("1 of 1".into()),
            cursor: Some(r#"{"after":3}"#.into()),
            result: Some(ActionResult {
                ok: true,
                summary: "Restarted in 4.2 s".into(),
                exit: Some(0),
                duration_ms: 4_200,
                output: vec!["ok".into()],
            }),
            version: 1,
        })
        .await
        .expect("the fixture writes to a fresh store");
    let log = AuditLog::new(store.clone());
    for incident in [Some(one.id), Some(two.id), Some(one.id), None, Some(one.id)] {
        log.append(
            "ana",
            incident,
            AuditKind::Probe,
            "probe certificate",
            "expired",
            Vec::new(),
        )
        .await
        .expect("the fixture writes to a fresh store");
    }
    one.id
}
