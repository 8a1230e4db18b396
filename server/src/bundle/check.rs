//! Import's checks, before anything is written: each audit digest's own hash against its record
//! (the chain's hashing, `audit::chain`), every JSON column read as the gateway will read it, ids
//! distinct within the bundle, and every reference to a timeline entry pointing into the bundle.
//! What the database itself refuses (CHECK constraints, ids already taken) is named at insert.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use wire::{
    ActionPlan, ActionResult, AuditRecord, EntryKind, HealthSnapshot, IncidentScope, RequestState,
    RetroSections, StepOutcome, StepRef,
};

use super::rows::AuditDigest;
use super::{Bundle, BundleError};
use crate::audit::chain;

fn inconsistent(what: impl std::fmt::Display) -> BundleError {
    BundleError::Inconsistent(what.to_string())
}

/// `text` reads as a `T`, as the gateway will read it once imported.
fn reads<T: DeserializeOwned>(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<(), BundleError> {
    serde_json::from_str::<T>(text)
        .map(drop)
        .map_err(|e| inconsistent(format!("{} does not read: {e}", what())))
}

/// The ids are distinct; returns them.
fn distinct<T: Ord + Copy + std::fmt::Display>(
    ids: impl IntoIterator<Item = T>,
    what: &str,
) -> Result<BTreeSet<T>, BundleError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(inconsistent(format!("{what} {id} appears twice")));
        }
    }
    Ok(seen)
}

fn entry_in(
    timeline: &BTreeSet<i64>,
    seq: i64,
    what: impl FnOnce() -> String,
) -> Result<(), BundleError> {
    if timeline.contains(&seq) {
        Ok(())
    } else {
        Err(inconsistent(format!(
            "{} points at timeline entry {seq}, which the bundle does not hold",
            what()
        )))
    }
}

/// One digest is what the chain made: its record in canonical form, its hash over the previous
/// hash, its number and that record. (Its place in the chain cannot be checked here: the entries
/// around it are other incidents'.)
pub(super) fn digest(d: &AuditDigest, incident_id: i64) -> Result<(), BundleError> {
    let record: AuditRecord = serde_json::from_str(&d.record_json)
        .map_err(|e| inconsistent(format!("audit digest {} does not read: {e}", d.seq)))?;
    let altered = |why: &str| BundleError::AlteredDigest {
        seq: d.seq,
        why: why.to_owned(),
    };
    if chain::canonical(&record) != d.record_json {
        return Err(altered("its record is not the text that was hashed"));
    }
    if chain::hash(&d.prev_hash, d.seq, &d.record_json) != d.hash {
        return Err(altered("its hash does not match its content"));
    }
    if record.incident_id != Some(incident_id) {
        return Err(inconsistent(format!(
            "audit digest {} is not about INC-{incident_id}",
            d.seq
        )));
    }
    Ok(())
}

pub(super) fn bundle(b: &Bundle) -> Result<(), BundleError> {
    let id = b.incident.id;
    if id <= 0 {
        return Err(inconsistent(format!("{id} is not an incident number")));
    }
    reads::<IncidentScope>(&b.incident.scope_json, || "the incident's scope".into())?;
    reads::<HealthSnapshot>(&b.incident.board_json, || "the incident's board".into())?;

    let timeline = distinct(b.timeline.iter().map(|e| e.seq), "timeline entry")?;
    for e in &b.timeline {
        reads::<EntryKind>(&e.body_json, || format!("timeline entry {}", e.seq))?;
    }

    distinct(b.deliveries.iter().map(|d| d.id), "delivery")?;
    for d in &b.deliveries {
        entry_in(&timeline, d.entry_seq, || format!("delivery {}", d.id))?;
    }

    distinct(b.playbook_runs.iter().map(|r| r.id), "playbook run")?;
    let records = b.playbook_runs.iter().flat_map(|r| &r.records);
    distinct(records.clone().map(|r| r.seq), "playbook record")?;
    for r in records {
        reads::<StepOutcome>(&r.outcome_json, || format!("playbook record {}", r.seq))?;
    }

    distinct(b.action_requests.iter().map(|r| r.id), "action request")?;
    for r in &b.action_requests {
        let what = |part: &str| format!("action request {}'s {part}", r.id);
        reads::<ActionPlan>(&r.plan_json, || what("plan"))?;
        if let Some(step) = &r.step_json {
            reads::<StepRef>(step, || what("step"))?;
        }
        serde_json::from_value::<RequestState>(serde_json::Value::from(r.state.as_str()))
            .map_err(|e| inconsistent(format!("{}: {e}", what("state"))))?;
        if let Some(result) = &r.result_json {
            reads::<ActionResult>(result, || what("result"))?;
        }
    }

    distinct(
        b.retro_versions.iter().map(|v| v.version),
        "retrospective version",
    )?;
    for v in &b.retro_versions {
        reads::<RetroSections>(&v.sections_json, || {
            format!("retrospective version {}", v.version)
        })?;
    }

    distinct(b.action_items.iter().map(|i| i.id), "action item")?;

    distinct(b.stars.iter().map(|s| s.entry_seq), "star on entry")?;
    for s in &b.stars {
        entry_in(&timeline, s.entry_seq, || "a star".into())?;
    }
    if let Some(m) = &b.mitigation {
        entry_in(&timeline, m.entry_seq, || "the mitigation mark".into())?;
    }

    distinct(b.reminders.iter().map(|r| r.reminder.as_str()), "reminder")?;

    let mut hashes = BTreeSet::new();
    for d in &b.audit_digests {
        digest(d, id)?;
        if !hashes.insert(d.hash.as_str()) {
            return Err(inconsistent(format!(
                "audit digest {} appears twice",
                d.seq
            )));
        }
    }
    Ok(())
}
