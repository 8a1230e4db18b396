use std::collections::BTreeSet;

use serde_json::Value;
use wire::{
    ActionItem, ActionPlan, ActionResult, AuditKind, DeliveryState, Domain, EntryKind,
    HealthSnapshot, HostState, IncidentScope, IncidentSummary, ItemFields, ItemStatus, Phase,
    RequestState, RetroSections, RetroState, RetroVersion, RunRecord, Severity, StepOutcome,
    StepRef,
};

use super::*;
use crate::audit::AuditLog;
use crate::store::actions::StoredRequest;
use crate::store::incidents::NewEntry;
use crate::store::retro::StoredVersion;

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
pub(super) async fn rich(store: &Store) -> i64 {
    let (one, _, _) = store
        .insert_incident(&board(), |id| declared(id, "Logins fail"))
        .await
        .unwrap();
    let (two, _, _) = store
        .insert_incident(&board(), |id| declared(id, "Other"))
        .await
        .unwrap();
    let (looking, delivery) = store
        .append_entry_delivered(one.id, entry(200, "looking at kratos", true))
        .await
        .unwrap();
    store
        .set_delivery(
            delivery.unwrap().id,
            DeliveryState::Failed,
            3,
            Some("HTTP 500"),
            250,
        )
        .await
        .unwrap();
    store
        .append_entry(two.id, entry(210, "elsewhere", false))
        .await
        .unwrap();
    let mut resolved = store.incident(one.id).await.unwrap().unwrap();
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
        .unwrap();
    store
        .set_star(one.id, looking.seq, "bo", 600, true)
        .await
        .unwrap();
    store
        .set_star(one.id, stopped.seq, "ana", 610, true)
        .await
        .unwrap();
    store
        .set_mitigation(one.id, Some(stopped.seq), "bo", 620)
        .await
        .unwrap();
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
            .unwrap()
            .unwrap();
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
            .unwrap();
    }
    assert!(store.claim_reminder(one.id, "24h", 900).await.unwrap());
    assert!(store.claim_reminder(one.id, "overdue", 950).await.unwrap());
    let run = store
        .start_run(one.id, "database-tls", "ana", 220)
        .await
        .unwrap();
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
            .unwrap();
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
                commands: Vec::new(),
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
        .unwrap();
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
        .unwrap();
    }
    one.id
}

async fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn a_bundle_imported_elsewhere_exports_the_same_rows_and_digests() {
    let (_a, source) = fresh().await;
    let id = rich(&source).await;
    let bundle = export(&source, id, 42).await.unwrap();
    // Every table has something in it, or this proves less than it claims.
    assert!(bundle.timeline.len() >= 3 && bundle.deliveries.len() >= 2);
    assert!(!bundle.playbook_runs[0].records.is_empty());
    assert!(!bundle.action_requests.is_empty() && bundle.retro_versions.len() == 2);
    assert!(bundle.action_items.len() == 2 && bundle.stars.len() == 2);
    assert!(bundle.mitigation.is_some() && bundle.reminders.len() == 2);
    assert_eq!(
        bundle
            .audit_digests
            .iter()
            .map(|d| d.seq)
            .collect::<Vec<_>>(),
        [1, 3, 5]
    );

    let (_b, target) = fresh().await;
    let report = import(&target, &bundle).await.unwrap();
    assert_eq!(report.audit_digests, 3);
    assert_eq!(export(&target, id, 42).await.unwrap(), bundle);
    // The imported incident reads back through the store like any other.
    let incident = target.incident(id).await.unwrap().unwrap();
    assert_eq!(incident.failed_deliveries, 1);
    assert_eq!(target.stars(id).await.unwrap().len(), 2);
    // The live chain is untouched: the digests are not in it.
    assert!(target.audit_head().await.unwrap().is_none());
    let again = import(&target, &bundle).await.unwrap_err();
    assert!(
        matches!(again, BundleError::IncidentExists(n) if n == id),
        "{again}"
    );
}

#[tokio::test]
async fn an_import_whose_row_ids_are_taken_is_refused_whole() {
    let (_a, store) = fresh().await;
    let id = rich(&store).await;
    let mut bundle = export(&store, id, 42).await.unwrap();
    // The same rows as a new incident number: the incident is free, its timeline's ids are not.
    bundle.incident.id = 99;
    bundle.audit_digests.clear();
    let err = import(&store, &bundle).await.unwrap_err();
    let first = bundle.timeline[0].seq;
    assert!(
        err.to_string()
            .contains(&format!("timeline entry {first} is already taken")),
        "{err}"
    );
    assert!(
        store.incident(99).await.unwrap().is_none(),
        "nothing written"
    );
}

#[tokio::test]
async fn altered_or_misplaced_audit_digests_are_refused_by_number() {
    let (_a, store) = fresh().await;
    let id = rich(&store).await;
    let bundle = export(&store, id, 42).await.unwrap();
    let (_b, target) = fresh().await;

    let mut altered = bundle.clone();
    altered.audit_digests[1].record_json = altered.audit_digests[1]
        .record_json
        .replace("expired", "fine");
    let err = import(&target, &altered).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "audit digest 3 was altered: its hash does not match its content; this bundle is not \
         the one that was exported, export it again from the source"
    );

    let mut reformatted = bundle.clone();
    reformatted.audit_digests[0].record_json =
        reformatted.audit_digests[0].record_json.replace(',', ", ");
    let err = import(&target, &reformatted).await.unwrap_err();
    assert!(
        matches!(err, BundleError::AlteredDigest { seq: 1, .. }),
        "{err}"
    );

    let mut moved = bundle.clone();
    moved.incident.id = 9;
    let err = import(&target, &moved).await.unwrap_err();
    assert!(err.to_string().contains("is not about INC-9"), "{err}");
    assert!(target.incident(id).await.unwrap().is_none());
    assert!(target.incident(9).await.unwrap().is_none());
}

#[tokio::test]
async fn parse_names_another_format_another_version_and_unknown_fields() {
    let (_a, store) = fresh().await;
    let id = rich(&store).await;
    let good: Value = serde_json::to_value(export(&store, id, 42).await.unwrap()).unwrap();
    let said = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        parse(&v.to_string()).unwrap_err().to_string()
    };
    assert!(said(&|v| v["format"] = "tar".into()).contains("its format is \"tar\""));
    assert!(said(&|v| v["version"] = 2.into()).contains("of version 2"));
    assert!(said(&|v| v["timeline"][0]["colour"] = "red".into())
        .contains("at `timeline[0].colour`: unknown field `colour`"));
    assert!(said(&|v| v["incident"]["id"] = "one".into()).contains("at `incident.id`"));
    assert!(parse("[]")
        .unwrap_err()
        .to_string()
        .contains("format is missing"));
    let without_impact = said(&|v| {
        v["incident"].as_object_mut().unwrap().remove("impact");
    });
    assert!(
        without_impact.contains("at `incident`: missing field `impact`"),
        "{without_impact}"
    );
    let without_note = said(&|v| {
        v["playbook_runs"][0]["records"][1]
            .as_object_mut()
            .unwrap()
            .remove("note");
    });
    assert!(
        without_note.contains("at `playbook_runs[0].records[1]`: missing field `note`"),
        "{without_note}"
    );
    let without_mark = said(&|v| {
        v.as_object_mut().unwrap().remove("mitigation");
    });
    assert!(
        without_mark.contains("at `.`: missing field `mitigation`"),
        "{without_mark}"
    );
    assert_eq!(parse(&good.to_string()).unwrap().incident.id, id);
}

// --- The JSON Schema in docs/ describes exactly what export writes. ---

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/incident-bundle.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn is_type(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        other => panic!("the schema names an unknown type `{other}`"),
    }
}

fn types_match(schema: &Value, v: &Value) -> bool {
    match schema.get("type") {
        None => true,
        Some(Value::String(t)) => is_type(t, v),
        Some(Value::Array(ts)) => ts.iter().any(|t| is_type(t.as_str().unwrap(), v)),
        Some(other) => panic!("`type` is {other}"),
    }
}

/// Checks `value` against `schema` (the subset of JSON Schema the bundle's uses: `$ref` into
/// `$defs`, `anyOf`, `type`, `const`, `enum`, `properties`, `required`, `additionalProperties`,
/// `items`), and that every object's keys are exactly its `properties` and its `required`.
fn walk(root: &Value, schema: &Value, value: &Value, at: &str, used: &mut BTreeSet<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").unwrap();
        used.insert(name.to_owned());
        return walk(root, &root["$defs"][name], value, at, used);
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let resolved = |b: &Value| match b.get("$ref").and_then(Value::as_str) {
            Some(r) => root["$defs"][r.strip_prefix("#/$defs/").unwrap()].clone(),
            None => b.clone(),
        };
        let branch = any
            .iter()
            .find(|b| types_match(&resolved(b), value))
            .unwrap_or_else(|| panic!("{at}: {value} matches no branch"));
        return walk(root, branch, value, at, used);
    }
    assert!(types_match(schema, value), "{at}: {value} is not {schema}");
    if let Some(c) = schema.get("const") {
        assert_eq!(c, value, "{at}");
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        assert!(e.contains(value), "{at}: {value} is not one of {e:?}");
    }
    match value {
        Value::Object(map) => {
            let keys: BTreeSet<&str> = map.keys().map(String::as_str).collect();
            let props = schema["properties"].as_object().unwrap();
            let declared: BTreeSet<&str> = props.keys().map(String::as_str).collect();
            let required: BTreeSet<&str> = schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            assert_eq!(declared, keys, "{at}: properties vs the serialized keys");
            assert_eq!(required, keys, "{at}: required vs the serialized keys");
            assert_eq!(schema["additionalProperties"], false, "{at}");
            for (k, v) in map {
                let field = &props[k];
                assert!(
                    field.get("description").is_some(),
                    "{at}.{k} is not described"
                );
                walk(root, field, v, &format!("{at}.{k}"), used);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(root, &schema["items"], v, &format!("{at}[{i}]"), used);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_json_schema_describes_every_field_the_bundle_has() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let (_a, store) = fresh().await;
    let id = rich(&store).await;
    let bundle = serde_json::to_value(export(&store, id, 42).await.unwrap()).unwrap();

    // The top level, as the brief for the doc puts it: `required` is the struct's keys.
    let keys: BTreeSet<&str> = bundle
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(required, keys);

    // And every level below it, each field's type included; every definition is used.
    let mut used = BTreeSet::new();
    walk(&schema, &schema, &bundle, "bundle", &mut used);
    let defined: BTreeSet<String> = schema["$defs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(used, defined, "definitions the bundle never uses");
}
