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
