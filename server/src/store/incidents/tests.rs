use super::*;
use wire::{Declared, HostState, IncidentScope, Phase};

/// A freshly declared incident, as number `id`.
fn numbered(id: i64) -> IncidentSummary {
    IncidentSummary::declared(
        id,
        Declared {
            title: "t".into(),
            broken: "b".into(),
            severity: Severity::Sev2,
            compromise: false,
            scope: IncidentScope::default(),
            declared_by: "ana".into(),
            declared_at_ms: 1,
            response_due_ms: 2,
            update_due_ms: Some(3),
        },
    )
}

fn board() -> HealthSnapshot {
    HealthSnapshot {
        host: HostState {
            target: "x".into(),
            reachable: true,
            detail: "ok".into(),
        },
        checks: Vec::new(),
        sweep_seq: 1,
        swept_at_ms: 1,
        interval_ms: 10_000,
        sweeping: false,
    }
}

fn note(text: &str, payload: Option<&str>) -> NewEntry {
    NewEntry {
        at_ms: 5,
        actor: "ana".into(),
        kind: EntryKind::Note { text: text.into() },
        channel_payload: payload.map(str::to_string),
    }
}

#[tokio::test]
async fn the_timeline_refuses_edits_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let (stored, first, _) = store
        .insert_incident(&board(), |id| (numbered(id), note("first", None)))
        .await
        .unwrap();
    let id = stored.id;
    for sql in [
        "UPDATE timeline SET body_json = '{}' WHERE seq = ?",
        "DELETE FROM timeline WHERE seq = ?",
    ] {
        let err = sqlx::query(sql)
            .bind(first.seq)
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(
        store.timeline(id, None, 100).await.unwrap().items,
        vec![first]
    );
}

#[tokio::test]
async fn a_change_and_its_entry_and_delivery_are_stored_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let (stored, _, none) = store
        .insert_incident(&board(), |id| (numbered(id), note("first", None)))
        .await
        .unwrap();
    let id = stored.id;
    assert!(none.is_none());
    let mut i = store.incident(id).await.unwrap().unwrap();
    i.phase = Phase::Acknowledged;
    i.version = 2;
    let (entry, delivery) = store
        .save_incident(&i, note("second", Some(r#"{"text":"x"}"#)))
        .await
        .unwrap();
    let d = delivery.unwrap();
    assert_eq!((d.entry_seq, d.state), (entry.seq, DeliveryState::Pending));
    assert_eq!(store.pending_deliveries().await.unwrap(), vec![d.id]);
    store
        .set_delivery(d.id, DeliveryState::Failed, 3, Some("HTTP 500"), 9)
        .await
        .unwrap();
    let back = store.incident(id).await.unwrap().unwrap();
    assert_eq!(
        (back.phase, back.version, back.failed_deliveries),
        (Phase::Acknowledged, 2, 1)
    );
    assert!(store.pending_deliveries().await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_declarations_get_distinct_numbers_that_their_rows_carry() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let declare = |text: &'static str| {
        let store = store.clone();
        async move {
            store
                .insert_incident(&board(), |id| (numbered(id), note(text, None)))
                .await
                .unwrap()
        }
    };
    let (a, b) = tokio::join!(declare("a"), declare("b"));
    let mut ids = [a.0.id, b.0.id];
    ids.sort_unstable();
    assert_eq!(ids, [1, 2]);
    for (incident, entry, _) in [a, b] {
        assert_eq!(entry.incident_id, incident.id);
        assert_eq!(
            store.incident(incident.id).await.unwrap().unwrap(),
            incident
        );
    }
}
