//! The walkthrough panel's wording (`pages/incident/walkthrough`): a step's countdown and each
//! history line.

use wire::{clock_text, PlaybookInfo, RunCountdown, RunInfo, StepInfo, StepOutcome};

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

/// One line of a run's history: "Check the database certificate — expired 2 days ago (ana)".
pub fn history_line(playbook: &PlaybookInfo, record: &wire::RunRecord) -> String {
    let step = playbook.steps.iter().find(|s| s.id == record.step);
    let title = step.map_or(record.step.as_str(), |s| s.title.as_str());
    let did = match &record.outcome {
        StepOutcome::Done => "done".to_owned(),
        StepOutcome::Checked => "checked".to_owned(),
        StepOutcome::Skipped => "skipped".to_owned(),
        StepOutcome::Probed(r) => r.summary.clone(),
        StepOutcome::ProbeFailed(why) => format!("could not check: {why}"),
        StepOutcome::Chose { branch, overridden } => {
            let label = step
                .and_then(|s| s.branches.get(*branch))
                .map_or("?", |b| b.label.as_str());
            if *overridden {
                format!("chose “{label}” (against the recommendation)")
            } else {
                format!("chose “{label}”")
            }
        }
    };
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
