//! The guided playbooks as the SPA shows them: the catalog (`GET /api/playbooks`) and which
//! playbooks the current board points to.

use serde::{Deserialize, Serialize};

use crate::Severity;

/// `GET /api/playbooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookCatalog {
    /// In the spec's order.
    pub playbooks: Vec<PlaybookInfo>,
    /// What the latest sweep points to, most specific first.
    pub suggested: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookInfo {
    pub id: String,
    pub title: String,
    pub symptom: String,
    pub severity: Severity,
    /// Where it is in the spec.
    pub source: String,
    pub steps: Vec<StepInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepInfo {
    pub id: String,
    pub title: String,
    /// The spec's guidance, word for word.
    pub says: Option<String>,
    /// `instruction`, `probe`, `decision` or `external`.
    pub kind: String,
    /// The spec's command, shown as is (never run by the console).
    pub command: Option<String>,
    /// What works on real Ory where the spec's command does not exist.
    pub real_ory: Option<String>,
    /// Probe steps: which diagnostic (`database_certificate`, ...).
    pub probe: Option<String>,
    /// Decision steps: the probe step whose result decides.
    pub on: Option<String>,
    /// Decision steps: the choices, in order of preference.
    pub branches: Vec<BranchInfo>,
    /// External steps (and instructions citing a document): where to look; `None` when the
    /// installation has not said where a cited document lives.
    pub link: Option<String>,
    /// A cited document's name ("Operate, Cert Rotation").
    pub cites: Option<String>,
    pub timer_minutes: Option<u32>,
    /// The next step's id; `None` ends the walkthrough.
    pub next: Option<String>,
    /// Instruction steps: the action that carries it out (planned, reviewed, confirmed, run).
    #[serde(default)]
    pub action: Option<StepActionInfo>,
}

/// An action a step offers, with the values the playbook fixes (the rest are asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepActionInfo {
    pub id: String,
    pub title: String,
    pub params: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    pub label: String,
    pub next: Option<String>,
    /// The condition in words ("expired is yes", "days_left below 30"); `None` for the fallback.
    pub when: Option<String>,
}

/// A playbook the board points to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub playbook: String,
    pub title: String,
    pub because: String,
    /// The failing checks that matched.
    pub checks: Vec<String>,
}

/// A walkthrough of one playbook for one incident, as far as it has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: i64,
    pub incident_id: i64,
    pub playbook: String,
    pub started_by: String,
    pub started_at_ms: i64,
    /// The step to do next; `None` once finished.
    pub current: Option<String>,
    /// When the current step was reached: its countdown runs from here.
    pub reached_at_ms: i64,
    /// At a decision: the branch its probe's latest result (or the clock) recommends.
    pub recommended: Option<usize>,
    /// The walkthrough's countdown while it runs (the first response's five minutes).
    #[serde(default)]
    pub countdown: Option<RunCountdown>,
    /// Every step done, skipped, run or chosen, oldest first.
    pub records: Vec<RunRecord>,
}

/// A countdown over a walkthrough's steps: from when its step was reached until it runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCountdown {
    pub started_at_ms: i64,
    pub ends_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub step: String,
    pub outcome: StepOutcome,
    pub by: String,
    pub at_ms: i64,
    pub note: Option<String>,
}

/// What a responder did at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// An instruction carried out.
    Done,
    /// An external page looked at.
    Checked,
    /// Passed over; the record's note says why.
    Skipped,
    /// A probe ran and was read.
    Probed(ProbeResult),
    /// A probe could not run or its answer could not be read; the step stays current.
    ProbeFailed(String),
    /// A decision's branch (its position), and whether it went against the recommendation.
    Chose { branch: usize, overridden: bool },
}

impl StepOutcome {
    /// What was done, in the words the timeline and the run's history both use: "done",
    /// "checked: expired 2 days ago", "chose “Rotate”, against the recommendation".
    /// `branch_label` names a decision's branch by its position.
    pub fn words<'a>(&self, branch_label: impl FnOnce(usize) -> Option<&'a str>) -> String {
        match self {
            StepOutcome::Done => "done".to_owned(),
            StepOutcome::Checked => "checked".to_owned(),
            StepOutcome::Skipped => "skipped".to_owned(),
            StepOutcome::Probed(result) => format!("checked: {}", result.summary),
            StepOutcome::ProbeFailed(why) => format!("could not check: {why}"),
            StepOutcome::Chose { branch, overridden } => {
                let label = branch_label(*branch).unwrap_or("?");
                if *overridden {
                    format!("chose “{label}”, against the recommendation")
                } else {
                    format!("chose “{label}”")
                }
            }
        }
    }
}

/// A probe's typed result: the fields decisions test, and one line in words (what stakeholders
/// may read; never raw output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub fields: std::collections::BTreeMap<String, FieldValue>,
    pub summary: String,
    /// What the responder can fold out: fingerprints, masked log lines (never a secret's value).
    #[serde(default)]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Flag(bool),
    Number(i64),
}

/// `POST /api/incidents/{id}/playbooks`: start a walkthrough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    pub playbook: String,
}

/// `POST /api/incidents/{id}/playbooks/{run}/steps`: what was done at a step (probes are run by
/// the gateway, not reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepReport {
    pub step: String,
    pub outcome: ReportedOutcome,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedOutcome {
    Done,
    Checked,
    Skipped,
    Chose(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_the_same_on_the_timeline_and_in_the_history() {
        let labels = ["Expired: rotate", "Valid"];
        let label = |b: usize| labels.get(b).copied();
        assert_eq!(StepOutcome::Done.words(label), "done");
        assert_eq!(
            StepOutcome::ProbeFailed("refused".into()).words(label),
            "could not check: refused"
        );
        assert_eq!(
            StepOutcome::Chose {
                branch: 1,
                overridden: true
            }
            .words(label),
            "chose “Valid”, against the recommendation"
        );
        assert_eq!(
            StepOutcome::Chose {
                branch: 7,
                overridden: false
            }
            .words(label),
            "chose “?”"
        );
    }
}
