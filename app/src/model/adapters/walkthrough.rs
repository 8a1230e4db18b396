//! The walkthrough panel's wording (`pages/incident/walkthrough`): a step's countdown and each
//! history line.

use wire::{clock_text, PlaybookInfo, ProbeResult, RunCountdown, RunInfo, StepInfo, StepOutcome};

/// A walkthrough's countdown: "4:12 left" while it runs, and whether it has run out.
pub fn timer(countdown: RunCountdown, now_ms: i64) -> (String, bool) {
    let left = countdown.ends_at_ms - now_ms;
    if left > 0 {
        (format!("{} left", clock_text(left)), false)
    } else {
        let minutes = (countdown.ends_at_ms - countdown.started_at_ms) / 60_000;
        (format!("{minutes} min passed"), true)
    }
}

/// The step a run stands at, if it is not finished.
pub fn current_step<'a>(playbook: &'a PlaybookInfo, run: &RunInfo) -> Option<&'a StepInfo> {
    let id = run.current.as_deref()?;
    playbook.steps.iter().find(|s| s.id == id)
}

/// What a check found, shown above the current step so that a responder on a phone reads it
/// without opening the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The probe step that found it (to run it again).
    pub step: String,
    pub title: String,
    /// When it was found: a new look shows as a change of this.
    pub at_ms: i64,
    /// The interpreted result, or why the check could not run.
    pub found: Result<ProbeResult, String>,
}

/// At a decision, the latest look of the check it decides on; at another step, the check that was
/// just run (the step before, or this one run again), if the latest record is one.
pub fn finding(playbook: &PlaybookInfo, run: &RunInfo, step: &StepInfo) -> Option<Finding> {
    let record = match step.on.as_deref() {
        Some(on) => run.records.iter().rev().find(|r| {
            r.step == on
                && matches!(
                    r.outcome,
                    StepOutcome::Probed(_) | StepOutcome::ProbeFailed(_)
                )
        })?,
        None => run.records.last()?,
    };
    let title = playbook
        .steps
        .iter()
        .find(|s| s.id == record.step)
        .map_or_else(|| record.step.clone(), |s| s.title.clone());
    let found = match &record.outcome {
        StepOutcome::Probed(result) => Ok(result.clone()),
        StepOutcome::ProbeFailed(why) => Err(why.clone()),
        _ => return None,
    };
    Some(Finding {
        step: record.step.clone(),
        title,
        at_ms: record.at_ms,
        found,
    })
}

/// One line of a run's history: "Check the database certificate — expired 2 days ago (ana)".
pub fn history_line(playbook: &PlaybookInfo, record: &wire::RunRecord) -> String {
    let step = playbook.steps.iter().find(|s| s.id == record.step);
    let title = step.map_or(record.step.as_str(), |s| s.title.as_str());
    let did = record.outcome.words(|branch| {
        step.and_then(|s| s.branches.get(branch))
            .map(|b| b.label.as_str())
    });
    let mut line = format!("{title} — {did} ({})", record.by);
    if let Some(note) = record.note.as_deref().filter(|n| !n.trim().is_empty()) {
        line.push_str(&format!(": {note}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_says_what_is_left_then_that_it_ran_out() {
        let five = RunCountdown {
            started_at_ms: 0,
            ends_at_ms: 300_000,
        };
        assert_eq!(timer(five, 48_000), ("4:12 left".to_owned(), false));
        assert_eq!(timer(five, 300_000), ("5 min passed".to_owned(), true));
        assert!(timer(five, 900_000).1);
    }
}

#[cfg(test)]
mod finding_tests {
    use super::*;
    use wire::{RunRecord, Severity};

    fn step(id: &str, kind: &str, on: Option<&str>) -> StepInfo {
        StepInfo {
            id: id.into(),
            title: format!("Step {id}"),
            says: None,
            kind: kind.into(),
            command: None,
            real_ory: None,
            probe: None,
            on: on.map(str::to_owned),
            branches: Vec::new(),
            link: None,
            cites: None,
            timer_minutes: None,
            next: None,
            action: None,
        }
    }

    fn record(step: &str, outcome: StepOutcome) -> RunRecord {
        RunRecord {
            step: step.into(),
            outcome,
            by: "ana".into(),
            at_ms: 0,
            note: None,
        }
    }

    fn probed(summary: &str) -> StepOutcome {
        StepOutcome::Probed(ProbeResult {
            fields: Default::default(),
            summary: summary.into(),
            details: Vec::new(),
        })
    }

    #[test]
    fn the_check_a_step_needs_is_shown_above_it() {
        let playbook = PlaybookInfo {
            id: "p".into(),
            title: "P".into(),
            symptom: String::new(),
            severity: Severity::Sev1,
            source: String::new(),
            steps: vec![
                step("logs", "probe", None),
                step("cert", "probe", None),
                step("expired", "decision", Some("cert")),
            ],
        };
        let mut run = RunInfo {
            id: 1,
            incident_id: 1,
            playbook: "p".into(),
            started_by: "ana".into(),
            started_at_ms: 0,
            current: Some("cert".into()),
            reached_at_ms: 0,
            recommended: None,
            countdown: None,
            records: vec![record("logs", probed("4 lines mention TLS"))],
        };
        // The check just run, shown on the next step.
        assert_eq!(
            finding(&playbook, &run, &playbook.steps[1]),
            Some(Finding {
                step: "logs".into(),
                title: "Step logs".into(),
                at_ms: 0,
                found: match probed("4 lines mention TLS") {
                    StepOutcome::Probed(r) => Ok(r),
                    _ => unreachable!(),
                },
            })
        );
        // A failed run of this step says why.
        run.records.push(record(
            "cert",
            StepOutcome::ProbeFailed("connection refused".into()),
        ));
        assert_eq!(
            finding(&playbook, &run, &playbook.steps[1]),
            Some(Finding {
                step: "cert".into(),
                title: "Step cert".into(),
                at_ms: 0,
                found: Err("connection refused".into())
            })
        );
        // A decision shows the check it decides on, even after other records.
        run.records
            .push(record("cert", probed("expired 2 days ago")));
        run.records
            .push(record("logs", probed("4 lines mention TLS")));
        let Some(Finding {
            title,
            found: Ok(result),
            ..
        }) = finding(&playbook, &run, &playbook.steps[2])
        else {
            panic!("a finding")
        };
        assert_eq!(
            (title.as_str(), result.summary.as_str()),
            ("Step cert", "expired 2 days ago")
        );
        // After a step done by hand, nothing is re-shown.
        run.records.push(record("logs", StepOutcome::Skipped));
        assert_eq!(finding(&playbook, &run, &playbook.steps[1]), None);
    }
}
