//! Walking a playbook: where a run is, what the current step accepts, and which branch a
//! decision recommends. Pure: a run is its playbook and the records appended to it, replayed, so
//! that a run resumes at the same step after a reload, on another device or after a restart.

use std::collections::BTreeMap;

use wire::{FieldValue as Value, ProbeResult, RunCountdown, RunRecord, StepOutcome as Outcome};

use super::probe_spec::short;
use super::{Branch, Condition, Playbook, Step, StepKind};

/// One entry of a run's history, as stored and sent (`wire::RunRecord`).
pub type Record = RunRecord;

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The step to do next; `None` once the walkthrough is finished.
    pub current: Option<String>,
    /// When the current step was reached (its countdown runs from here).
    pub reached_at_ms: i64,
    /// The latest result of each probe step, by step id.
    pub results: BTreeMap<String, ProbeResult>,
    /// The walkthrough's countdown: from when the first step with `timer_minutes` was reached.
    /// It keeps running on the steps after it (the first response's five minutes cover
    /// diagnosis, scope and the decision).
    pub countdown: Option<RunCountdown>,
}

/// Why a record does not fit the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Replays `records` from the first step. Records are checked as they were appended
/// ([`check`]), so a stored run always replays.
pub fn position(playbook: &Playbook, started_at_ms: i64, records: &[Record]) -> Position {
    let first = playbook.steps.first();
    let mut at = Position {
        current: first.map(|s| s.id.clone()),
        reached_at_ms: started_at_ms,
        results: BTreeMap::new(),
        countdown: first
            .and_then(|s| s.timer_minutes)
            .map(|m| countdown(started_at_ms, m)),
    };
    for r in records {
        advance(playbook, &mut at, r);
    }
    at
}

/// Checks `record` against the run at `at`, then applies it. A probe step may be re-run at any
/// time (its latest result counts); everything else only at the current step.
pub fn append(playbook: &Playbook, at: &mut Position, record: &Record) -> Result<(), Refused> {
    check(playbook, at, record)?;
    advance(playbook, at, record);
    Ok(())
}

fn check(playbook: &Playbook, at: &Position, record: &Record) -> Result<(), Refused> {
    let step = playbook
        .steps
        .iter()
        .find(|s| s.id == record.step)
        .ok_or_else(|| {
            Refused(format!(
                "`{}` is no step of {}",
                short(&record.step),
                playbook.title
            ))
        })?;
    let is_current = at.current.as_deref() == Some(step.id.as_str());
    let rerun = matches!(step.kind, StepKind::Probe { .. })
        && matches!(record.outcome, Outcome::Probed(_) | Outcome::ProbeFailed(_));
    if !is_current && !rerun {
        return Err(Refused(match &at.current {
            Some(current) => format!(
                "the walkthrough is at “{}”, not “{}”; reload to see where it is",
                title(playbook, current),
                step.title
            ),
            None => "the walkthrough is finished".to_owned(),
        }));
    }
    let fits = match (&step.kind, &record.outcome) {
        (_, Outcome::Skipped) => !matches!(step.kind, StepKind::Decision { .. }),
        (StepKind::Instruction { .. }, Outcome::Done) => true,
        (StepKind::External { .. }, Outcome::Checked) => true,
        (StepKind::Probe { .. }, Outcome::Probed(_) | Outcome::ProbeFailed(_)) => true,
        (StepKind::Decision { branches, .. }, Outcome::Chose { branch, .. }) => {
            *branch < branches.len()
        }
        _ => false,
    };
    if !fits {
        return Err(Refused(format!(
            "“{}” is a {} step: {}",
            step.title,
            step.kind.name(),
            match step.kind {
                StepKind::Instruction { .. } => "mark it done or skip it",
                StepKind::External { .. } => "mark it checked or skip it",
                StepKind::Probe { .. } => "run it or skip it",
                StepKind::Decision { .. } => "choose one of its branches",
            }
        )));
    }
    if matches!(record.outcome, Outcome::Skipped)
        && record.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(Refused("say why the step is skipped (a note)".to_owned()));
    }
    Ok(())
}

fn advance(playbook: &Playbook, at: &mut Position, record: &Record) {
    let Some(step) = playbook.steps.iter().find(|s| s.id == record.step) else {
        return;
    };
    if let Outcome::Probed(result) = &record.outcome {
        at.results.insert(step.id.clone(), result.clone());
    }
    if at.current.as_deref() != Some(step.id.as_str()) {
        return; // a re-run of an earlier probe
    }
    let next = match (&step.kind, &record.outcome) {
        (_, Outcome::ProbeFailed(_)) => return,
        (StepKind::Decision { branches, .. }, Outcome::Chose { branch, .. }) => {
            branches.get(*branch).and_then(|b| b.next.clone())
        }
        _ => step.next.clone(),
    };
    if at.countdown.is_none() {
        let minutes = next
            .as_ref()
            .and_then(|n| playbook.steps.iter().find(|s| &s.id == n))
            .and_then(|s| s.timer_minutes);
        at.countdown = minutes.map(|m| countdown(record.at_ms, m));
    }
    at.current = next;
    at.reached_at_ms = record.at_ms;
}

/// The branch a decision recommends at `now_ms` from the latest result of its probe: the first
/// whose condition holds, else the fallback. `None` when the probe has no result (it was skipped
/// or failed): then no choice is an override.
pub fn recommended(step: &Step, at: &Position, now_ms: i64) -> Option<usize> {
    let StepKind::Decision { on, branches } = &step.kind else {
        return None;
    };
    let result = at.results.get(on)?;
    branches
        .iter()
        .position(|b| {
            b.when
                .as_ref()
                .is_some_and(|c| holds(c, result, at, now_ms))
        })
        .or_else(|| branches.iter().position(|b: &Branch| b.when.is_none()))
}

/// `minutes` from `from_ms`.
fn countdown(from_ms: i64, minutes: u32) -> RunCountdown {
    RunCountdown {
        started_at_ms: from_ms,
        ends_at_ms: from_ms + i64::from(minutes) * 60_000,
    }
}

fn holds(c: &Condition, r: &ProbeResult, at: &Position, now_ms: i64) -> bool {
    match c {
        Condition::CountdownOver => at.countdown.is_some_and(|c| now_ms >= c.ends_at_ms),
        Condition::Is { field, value } => r.fields.get(field) == Some(&Value::Flag(*value)),
        Condition::Below { field, value } => {
            matches!(r.fields.get(field), Some(Value::Number(n)) if n < value)
        }
        Condition::AtLeast { field, value } => {
            matches!(r.fields.get(field), Some(Value::Number(n)) if n >= value)
        }
    }
}

fn title<'a>(playbook: &'a Playbook, id: &'a str) -> &'a str {
    playbook
        .steps
        .iter()
        .find(|s| s.id == id)
        .map_or(id, |s| s.title.as_str())
}

#[cfg(test)]
mod tests;
