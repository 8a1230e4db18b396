use std::collections::BTreeSet;

use super::fixture::rich;
use super::*;
use serde_json::Value;

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
