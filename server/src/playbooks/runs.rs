//! Walkthroughs of an incident: starting one, recording what was done at a step, and each run as
//! the SPA shows it. A run's place is its history replayed (`walk`), so every device that asks
//! gets the same answer and a run resumes after a restart.

use wire::{
    EntryKind, IncidentSummary, ReportedOutcome, RunInfo, RunRecord, StepOutcome, StepReport,
};

use super::probe_spec::short;
use super::walk::{self, Refused};
use super::{Catalog, Playbook};
use crate::incidents::{IncidentError, Incidents};
use crate::store::runs::StoredRun;
use crate::store::{Store, StoreError};

/// Why a walkthrough request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("incident INC-{0}")]
    NoIncident(i64),
    #[error("walkthrough {0} of this incident")]
    NoRun(i64),
    #[error("no playbook `{0}` (GET /api/playbooks lists them)")]
    NoPlaybook(String),
    /// The request itself is wrong (a note with control characters, too long): 400.
    #[error("{0}")]
    Invalid(String),
    /// The incident is resolved, or the step does not fit the run: 409.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the timeline entry failed.
    #[error(transparent)]
    Timeline(#[from] IncidentError),
}

/// The longest note a step takes.
pub const MAX_NOTE: usize = 2_000;

/// Starts a walkthrough of `playbook` for an open incident; the timeline says so.
pub async fn start(
    store: &Store,
    incidents: &Incidents,
    catalog: &Catalog,
    incident_id: i64,
    playbook: &str,
    by: &str,
) -> Result<RunInfo, RunError> {
    let incident = open_incident(store, incident_id).await?;
    let p = catalog
        .get(playbook.trim())
        .ok_or_else(|| RunError::NoPlaybook(short(playbook)))?;
    let now = store.now_ms();
    let id = store.start_run(incident.id, &p.id, by, now).await?;
    let kind = EntryKind::Walkthrough {
        playbook: p.title.clone(),
        step: String::new(),
        did: "started".to_owned(),
        note: String::new(),
    };
    incidents.record(by, incident.id, kind).await?;
    Ok(info(
        p,
        &StoredRun {
            id,
            incident_id: incident.id,
            playbook: p.id.clone(),
            started_by: by.to_owned(),
            started_at_ms: now,
            records: Vec::new(),
        },
        now,
    ))
}

/// Records what a responder did at a step (probes are run by the gateway, not reported); the
/// timeline says what, stakeholders without the note.
pub async fn report(
    store: &Store,
    incidents: &Incidents,
    catalog: &Catalog,
    incident_id: i64,
    run_id: i64,
    report: &StepReport,
    by: &str,
) -> Result<RunInfo, RunError> {
    let (mut run, p) = load_run(store, catalog, incident_id, run_id).await?;
    // The same rules as an incident note: no control or hidden characters, secrets masked.
    let note = match report.note.as_deref() {
        None => None,
        Some(n) => Some(
            crate::incidents::lifecycle::text::text("note", n, MAX_NOTE, false).map_err(
                |r| match r {
                    crate::incidents::lifecycle::Refusal::Invalid(m) => RunError::Invalid(m),
                    other => RunError::Conflict(other.to_string()),
                },
            )?,
        )
        .filter(|n| !n.is_empty()),
    };
    let step_id = report.step.trim();
    let mut at = walk::position(p, run.started_at_ms, &run.records);
    // One reading of the clock: the record's time is the time the recommendation was judged at.
    let now = store.now_ms();
    let outcome = match report.outcome {
        ReportedOutcome::Done => StepOutcome::Done,
        ReportedOutcome::Checked => StepOutcome::Checked,
        ReportedOutcome::Skipped => StepOutcome::Skipped,
        ReportedOutcome::Chose(branch) => {
            let step = p.steps.iter().find(|s| s.id == step_id);
            let recommended = step.and_then(|s| walk::recommended(s, &at, now));
            StepOutcome::Chose {
                branch,
                overridden: recommended.is_some_and(|r| r != branch),
            }
        }
    };
    let record = RunRecord {
        step: step_id.to_owned(),
        outcome,
        by: by.to_owned(),
        at_ms: now,
        note,
    };
    walk::append(p, &mut at, &record).map_err(|Refused(why)| RunError::Conflict(why))?;
    store.append_run_record(run.id, &record).await?;
    incidents.record(by, incident_id, entry(p, &record)).await?;
    run.records.push(record);
    Ok(info(p, &run, now))
}

/// Runs the probe of step `step_id` (the current step, or an earlier probe step again) and records
/// what it found; the timeline gets its one-line summary.
pub async fn run_probe(
    store: &Store,
    incidents: &Incidents,
    catalog: &Catalog,
    (incident_id, run_id, step_id): (i64, i64, &str),
    cx: super::probe_run::ProbeContext<'_>,
    by: &str,
) -> Result<RunInfo, RunError> {
    let (mut run, p) = load_run(store, catalog, incident_id, run_id).await?;
    let step = p.steps.iter().find(|s| s.id == step_id).ok_or_else(|| {
        RunError::Conflict(format!("`{}` is no step of {}", short(step_id), p.title))
    })?;
    let super::StepKind::Probe { probe, .. } = &step.kind else {
        return Err(RunError::Conflict(format!(
            "“{}” is not a probe step",
            step.title
        )));
    };
    let mut at = walk::position(p, run.started_at_ms, &run.records);
    // The last look at this step in any walkthrough (this one's, or an earlier incident's).
    let previous = store.last_probe_result(&p.id, &step.id).await?;
    let cx = super::probe_run::ProbeContext {
        previous: previous.as_ref(),
        ..cx
    };
    let outcome = super::probe_run::run(probe, &cx).await;
    let record = RunRecord {
        step: step.id.clone(),
        outcome,
        by: by.to_owned(),
        at_ms: store.now_ms(),
        note: None,
    };
    walk::append(p, &mut at, &record).map_err(|Refused(why)| RunError::Conflict(why))?;
    store.append_run_record(run.id, &record).await?;
    incidents.record(by, incident_id, entry(p, &record)).await?;
    run.records.push(record);
    Ok(info(p, &run, store.now_ms()))
}

/// The incident's walkthroughs, oldest first. A run of a playbook no longer in the catalog is
/// left out (its history stays stored).
pub async fn list(
    store: &Store,
    catalog: &Catalog,
    incident_id: i64,
) -> Result<Vec<RunInfo>, RunError> {
    if store.incident(incident_id).await?.is_none() {
        return Err(RunError::NoIncident(incident_id));
    }
    let now = store.now_ms();
    Ok(store
        .runs(incident_id)
        .await?
        .iter()
        .filter_map(|r| catalog.get(&r.playbook).map(|p| info(p, r, now)))
        .collect())
}

/// An open incident's run `run_id`, and its playbook.
async fn load_run<'c>(
    store: &Store,
    catalog: &'c Catalog,
    incident_id: i64,
    run_id: i64,
) -> Result<(StoredRun, &'c Playbook), RunError> {
    open_incident(store, incident_id).await?;
    let run = store
        .runs(incident_id)
        .await?
        .into_iter()
        .find(|r| r.id == run_id)
        .ok_or(RunError::NoRun(run_id))?;
    let p = catalog
        .get(&run.playbook)
        .ok_or_else(|| RunError::NoPlaybook(run.playbook.clone()))?;
    Ok((run, p))
}

async fn open_incident(store: &Store, id: i64) -> Result<IncidentSummary, RunError> {
    let incident = store.incident(id).await?.ok_or(RunError::NoIncident(id))?;
    if !incident.phase.is_open() {
        return Err(RunError::Conflict(format!(
            "{} is resolved; its walkthroughs are closed",
            incident.reference()
        )));
    }
    Ok(incident)
}

/// The timeline's line for a record.
fn entry(p: &Playbook, r: &RunRecord) -> EntryKind {
    let step = p.steps.iter().find(|s| s.id == r.step);
    let did = r.outcome.words(|branch| {
        step.and_then(|s| match &s.kind {
            super::StepKind::Decision { branches, .. } => branches.get(branch),
            _ => None,
        })
        .map(|b| b.label.as_str())
    });
    EntryKind::Walkthrough {
        playbook: p.title.clone(),
        step: step.map_or(r.step.clone(), |s| s.title.clone()),
        did,
        note: r.note.clone().unwrap_or_default(),
    }
}

/// Where a run stands at `now_ms` (a decision after a countdown recommends by the clock).
fn info(p: &Playbook, run: &StoredRun, now_ms: i64) -> RunInfo {
    let at = walk::position(p, run.started_at_ms, &run.records);
    let recommended = at
        .current
        .as_ref()
        .and_then(|c| p.steps.iter().find(|s| &s.id == c))
        .and_then(|s| walk::recommended(s, &at, now_ms));
    // Shown while the walkthrough runs.
    let countdown = at.countdown.filter(|_| at.current.is_some());
    RunInfo {
        id: run.id,
        incident_id: run.incident_id,
        playbook: run.playbook.clone(),
        started_by: run.started_by.clone(),
        started_at_ms: run.started_at_ms,
        current: at.current,
        reached_at_ms: at.reached_at_ms,
        recommended,
        countdown,
        records: run.records.clone(),
    }
}
