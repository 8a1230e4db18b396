//! The playbook files as written (`config/playbooks/*.toml`), before validation. Unknown keys are
//! refused here so that a typo is an error rather than a silently ignored line; a step's probe and
//! decision are kept as TOML values and read per step, so that their errors can name the step.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub id: String,
    pub title: String,
    /// What the responder sees that points to this playbook.
    pub symptom: String,
    /// The severity the playbook suggests declaring (`sev1` ... `sev4`).
    pub severity: String,
    /// Where it is in the spec ("Common incident playbooks › ...").
    pub source: String,
    /// When the board suggests it (every rule must hold).
    #[serde(default)]
    pub suggest: Option<toml::Value>,
    #[serde(rename = "step", default)]
    pub steps: Vec<Step>,
    /// Findings a retrospective is offered when this playbook was walked.
    #[serde(rename = "finding", default)]
    pub findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Finding {
    pub title: String,
    /// Why, in the spec's words.
    pub says: String,
    pub done_when: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Step {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// The spec's guidance for this step, word for word.
    #[serde(default)]
    pub says: Option<String>,
    /// The command the spec gives, shown as is (instructions); never run.
    #[serde(default)]
    pub command: Option<String>,
    /// What runs instead on a real deployment when the spec's command does not exist.
    #[serde(default)]
    pub real_ory: Option<String>,
    /// A countdown shown from the moment this step is reached.
    #[serde(default)]
    pub timer_minutes: Option<u32>,
    /// Probe steps: what to run.
    #[serde(default)]
    pub probe: Option<toml::Value>,
    /// Instruction steps: the action that carries it out (`{ id = "flush-courier", service =
    /// "ciam-kratos" }`); values not given here are asked for when it is planned.
    #[serde(default)]
    pub action: Option<toml::Value>,
    /// Decision steps: the probe step whose result decides.
    #[serde(default)]
    pub on: Option<String>,
    /// Decision steps: the choices, recommended first.
    #[serde(rename = "branch", default)]
    pub branches: Vec<toml::Value>,
    /// External steps: a URL, or the name of a configured reference link (`[playbooks] links`).
    #[serde(default)]
    pub link: Option<String>,
    /// The step after this one (default: the next in the file; `end` finishes the walkthrough).
    #[serde(default)]
    pub next: Option<String>,
}

/// One choice of a decision step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Branch {
    pub label: String,
    pub next: String,
    /// The condition on the probe's result that recommends this branch; `None`: the fallback.
    #[serde(default)]
    pub when: Option<Condition>,
}

/// `field` compared with one of `is`, `below`, `at_least`; or `countdown_over = true`: an
/// earlier step's countdown (`timer_minutes`) has run out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Condition {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub countdown_over: Option<bool>,
    #[serde(default)]
    pub is: Option<bool>,
    #[serde(default)]
    pub below: Option<i64>,
    #[serde(default)]
    pub at_least: Option<i64>,
}

/// When the board suggests a playbook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Suggest {
    /// Every listed check is down or degraded (`containers`, `health.ciam-kratos`, an edge's id);
    /// a name ending in `*` matches a prefix.
    #[serde(default)]
    pub checks_failing: Vec<String>,
    /// At least one check that one of these names (same patterns) is down or degraded: one
    /// failing Athena of two is enough.
    #[serde(default)]
    pub any_failing: Vec<String>,
    /// ... and at least one of them says one of these words in its detail.
    #[serde(default)]
    pub detail_mentions: Vec<String>,
    /// Why, for the responder: "every Kratos and Hydra is down with a TLS error".
    pub because: String,
}
