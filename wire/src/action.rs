//! Actions on the host: what the console offers, the plan a responder reviews before anything runs,
//! the request a second commander approves, and its run as everyone watching the incident sees it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The actions the gateway offers (GET, responders): `/api/actions`.
pub const ACTIONS_PATH: &str = "/api/actions";

/// The type a parameter's value must have. Nothing free-form reaches the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A container the config names.
    Container,
    /// A service the config names (`ciam-kratos`).
    Service,
    /// An IPv4 or IPv6 address, or a CIDR range.
    Address,
    /// A Kratos identity: its id (UUID), or an email address that finds it.
    Identity,
    /// A scope: `ciam` or `iam`.
    Scope,
}

impl ParamKind {
    /// What the form says the value must be.
    pub fn hint(self) -> &'static str {
        match self {
            ParamKind::Container => "a container from the config",
            ParamKind::Service => "a service from the config",
            ParamKind::Address => {
                "an IPv4/IPv6 address or CIDR range, e.g. 203.0.113.7 or 2001:db8::/48"
            }
            ParamKind::Identity => "an identity id (UUID) or its email address",
            ParamKind::Scope => "ciam or iam",
        }
    }
}

/// One parameter of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamInfo {
    pub name: String,
    pub label: String,
    pub kind: ParamKind,
    /// The values the config allows (containers, services, scopes); empty for free-typed kinds.
    pub choices: Vec<String>,
}

/// An action as offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInfo {
    /// `restart-container`: stable, used in requests.
    pub id: String,
    pub title: String,
    /// What it does and what it does not, in a sentence or two.
    pub explains: String,
    pub params: Vec<ParamInfo>,
    /// Needs the target's name typed to confirm.
    pub destructive: bool,
    /// Needs a second commander's approval.
    pub needs_approval: bool,
    /// Only commanders may request it.
    pub commanders_only: bool,
    /// At most once per this many minutes (per target); 0: no limit beyond "not while running".
    pub rate_limit_minutes: u32,
}

/// What a responder asks the gateway to plan (and then to run): an action and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanAction {
    pub action: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// The walkthrough step this action carries out, if any: a successful run completes it.
    #[serde(default)]
    pub step: Option<StepRef>,
}

/// A walkthrough step (run id and step id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRef {
    pub run: i64,
    pub step: String,
}

/// The plan shown before anything runs: exactly what will be sent, where, and what it touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPlan {
    pub action: String,
    pub title: String,
    /// `aegis@prod.example:22`.
    pub host: String,
    /// The container, service or address it acts on, as the confirmation must type it.
    pub target: String,
    /// The values as validated (an email resolved to the identity's id).
    pub params: BTreeMap<String, String>,
    /// Each command as it will be sent (argv, remote timeout included; secrets shown as `***`).
    /// A command run once per item says so in `repeats`.
    pub commands: Vec<PlannedCommand>,
    /// From the read-only preflight: "restarts olympus-ciam-kratos, which serves ciam logins".
    pub blast_radius: String,
    pub destructive: bool,
    pub needs_approval: bool,
    /// What to type to confirm (the target), when destructive.
    pub confirm: Option<String>,
    /// SHA-256 over everything above: an approval is for this plan and no other.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCommand {
    pub argv: Vec<String>,
    /// `None`: once. `Some("for each of 2,400 identities")`.
    pub repeats: Option<String>,
}

/// Run (or, for a mass action, ask approval for) the plan whose hash the responder reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAction {
    pub action: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub step: Option<StepRef>,
    /// The plan's hash as reviewed: a plan that changed since is refused, with the new one.
    pub plan_hash: String,
    /// For a destructive action: the target's name, typed.
    #[serde(default)]
    pub confirm: Option<String>,
}

/// A second commander's approval of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveAction {
    /// The hash of the plan the approver was shown.
    pub plan_hash: String,
    /// The approver's password, again: an unlocked phone alone is not an approval.
    pub password: String,
    /// Break-glass only (approving one's own request where the config allows it): why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for a second commander.
    Pending,
    Running,
    /// Finished; `result` says how.
    Done,
    Failed,
    /// Cut short (the gateway stopped); it resumes where it was.
    Interrupted,
    /// Nobody approved it in time.
    Expired,
    /// Withdrawn by its requester or declined by a commander.
    Withdrawn,
}

impl RequestState {
    pub fn label(self) -> &'static str {
        match self {
            RequestState::Pending => "waiting for approval",
            RequestState::Running => "running",
            RequestState::Done => "done",
            RequestState::Failed => "failed",
            RequestState::Interrupted => "interrupted, resuming",
            RequestState::Expired => "expired",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Done
                | RequestState::Failed
                | RequestState::Expired
                | RequestState::Withdrawn
        )
    }
}

/// An action requested on an incident, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRequestInfo {
    pub id: i64,
    pub incident_id: i64,
    pub title: String,
    pub target: String,
    /// The reviewed plan; `None` for stakeholders, who see the title, target and outcome only.
    pub plan: Option<ActionPlan>,
    pub state: RequestState,
    pub requested_by: String,
    pub requested_at_ms: i64,
    /// A pending request can be approved until then.
    pub expires_at_ms: Option<i64>,
    pub approved_by: Option<String>,
    /// Approved by its own requester under `[actions] allow_self_approval_with_reason`: why.
    pub break_glass: Option<String>,
    /// Progress while it runs: "4,100 of 12,350 identities".
    pub progress: Option<String>,
    pub result: Option<ActionResult>,
    pub version: i64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    pub ok: bool,
    /// "Restarted olympus-ciam-kratos in 4.2 s", "Revoked 3,521 sessions of 2,400 identities".
    pub summary: String,
    /// The last command's exit status.
    pub exit: Option<i32>,
    pub duration_ms: u64,
    /// Masked output, line by line (empty for stakeholders).
    pub output: Vec<String>,
}

/// The answer to a request: the request as stored, and for the requester alone, anything shown
/// once (a recovery code), never stored or broadcast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestAnswer {
    pub request: ActionRequestInfo,
    pub shown_once: Option<String>,
}

/// An incident's actions: its requests, newest first, and the mitigations it left in place
/// (`TURNSTILE_DISABLED=true on olympus-ciam-hera`) that must be undone before it is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentActions {
    pub requests: Vec<ActionRequestInfo>,
    pub mitigations: Vec<Mitigation>,
}

/// A mitigation still in place, and the action that undoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mitigation {
    /// `TURNSTILE_DISABLED=true on ciam-hera`.
    pub words: String,
    pub undo: PlanAction,
}

/// What the websocket says about actions. Not a `ServerMsg`: the first screen routes these frames
/// by their tag ([`ACTION_FRAME_PREFIX`]) without decoding them, and only the incident page's
/// chunk reads plans and output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A message lives only while it is encoded or read; boxing would only make matches noisier.
#[allow(clippy::large_enum_variant)]
pub enum ActionMsg {
    /// A request was made, approved, ran, progressed or finished: replace the one with this id if
    /// `version` is newer (stakeholders get it without the plan, progress or output).
    Action { action: ActionRequestInfo },
    /// A line of a running action's output, masked (responders only).
    ActionOutput { request_id: i64, line: String },
    /// Someone starred an entry of this incident's timeline or moved its mitigation mark
    /// (responders only, as the marks are). Sent with the action frames because only the incident
    /// page reads it; the first screen never decodes it.
    ActionMarks {
        incident_id: i64,
        marks: crate::Marks,
    },
}

/// How every [`ActionMsg`] frame begins (the tag is written first).
pub const ACTION_FRAME_PREFIX: &str = "{\"type\":\"action";

/// How an [`ActionMsg::ActionMarks`] frame begins: the timeline decodes only these.
pub const MARKS_FRAME_PREFIX: &str = "{\"type\":\"action_marks\"";

/// A plan that no longer matches the one reviewed (409): the new plan to review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChanged {
    pub message: String,
    pub plan: ActionPlan,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first screen routes frames by these prefixes without decoding them: every action
    /// message must begin with the action prefix, and a marks frame with its own.
    #[test]
    fn action_frames_begin_with_their_prefixes() {
        let marks = serde_json::to_string(&ActionMsg::ActionMarks {
            incident_id: 7,
            marks: crate::Marks {
                starred: vec![3],
                mitigation: Some(4),
            },
        })
        .unwrap();
        assert!(marks.starts_with(MARKS_FRAME_PREFIX), "{marks}");
        assert!(marks.starts_with(ACTION_FRAME_PREFIX), "{marks}");
        let output = serde_json::to_string(&ActionMsg::ActionOutput {
            request_id: 1,
            line: "ok".into(),
        })
        .unwrap();
        assert!(output.starts_with(ACTION_FRAME_PREFIX), "{output}");
        assert!(!output.starts_with(MARKS_FRAME_PREFIX), "{output}");
    }
}
