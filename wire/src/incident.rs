//! Incidents as the SPA sees them: the playbook's severity matrix, the lifecycle, deadlines and the
//! append-only timeline.
//!
//! The gateway computes every deadline (it owns the clock and the configured time zone); clients
//! only count down to the instants it sends, with [`countdown`], so a phone and a laptop agree.

use serde::{Deserialize, Serialize};

use crate::Status;

/// The playbook's severity levels, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// "Sev 1" as the playbook writes it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Sev1 => "Sev 1",
            Severity::Sev2 => "Sev 2",
            Severity::Sev3 => "Sev 3",
            Severity::Sev4 => "Sev 4",
        }
    }

    /// The matrix's definition, word for word.
    pub fn definition(self) -> &'static str {
        match self {
            Severity::Sev1 => "Production identity is completely down. No new logins, all sessions invalid, or active data corruption.",
            Severity::Sev2 => "Significant degradation. Some logins failing, latency >5× baseline, or a security alert without confirmed breach.",
            Severity::Sev3 => "Limited impact. One IdP broken (others working), email delivery delayed, single account locked accidentally.",
            Severity::Sev4 => "Cosmetic or pre-incident. Cert expires in under 30 days, low disk warning, etc.",
        }
    }

    /// The matrix's first response time, as written.
    pub fn first_response(self) -> &'static str {
        match self {
            Severity::Sev1 => "15 minutes",
            Severity::Sev2 => "30 minutes",
            Severity::Sev3 => "2 hours",
            Severity::Sev4 => "next business day",
        }
    }

    /// The fixed first-response time; `None` for Sev 4, whose deadline is the next business day's
    /// start in the configured time zone.
    pub fn first_response_ms(self) -> Option<i64> {
        match self {
            Severity::Sev1 => Some(15 * MINUTE_MS),
            Severity::Sev2 => Some(30 * MINUTE_MS),
            Severity::Sev3 => Some(120 * MINUTE_MS),
            Severity::Sev4 => None,
        }
    }

    /// Acknowledging a Sev 1 or Sev 2 proposes the playbook's first post.
    pub fn proposes_first_post(self) -> bool {
        matches!(self, Severity::Sev1 | Severity::Sev2)
    }

    /// Whether the status-update cadence runs. Sev 4 is "cosmetic or pre-incident" and its first
    /// response is the next business day: a 15-minute cadence through the night would only train
    /// responders to ignore the overdue alarm.
    pub fn has_update_cadence(self) -> bool {
        !matches!(self, Severity::Sev4)
    }

    /// "Every Sev 1 and Sev 2 gets a written retrospective."
    pub fn needs_retrospective(self) -> bool {
        matches!(self, Severity::Sev1 | Severity::Sev2)
    }
}

pub const MINUTE_MS: i64 = 60_000;

/// The playbook's first post after acknowledging a Sev 1 or Sev 2 page.
pub const FIRST_POST: &str = "Investigating, ETA on next update in 15 minutes.";

/// The playbook's line on compromise, shown beside the checkbox that forces Sev 1.
pub const COMPROMISE_RULE: &str = "A confirmed compromise (credentials leaked, unauthorized admin access) is always Sev 1 regardless of immediate user impact.";

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum Phase {
    /// Declared; nobody has acknowledged the page yet.
    Declared,
    /// Acknowledged: someone is on it.
    Acknowledged,
    /// Restoration confirmed; waits for its retrospective.
    Resolved,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Declared, Phase::Acknowledged, Phase::Resolved];

    pub fn is_open(self) -> bool {
        !matches!(self, Phase::Resolved)
    }

    /// The wire name, as serde writes it ("declared", ...): for storage and test hooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Declared => "declared",
            Phase::Acknowledged => "acknowledged",
            Phase::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Declared => "declared, not acknowledged",
            Phase::Acknowledged => "investigating",
            Phase::Resolved => "resolved",
        }
    }
}

/// The incident list's state filter: the `?state=` of `GET /api/incidents`, on both sides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateFilter {
    Open,
    Resolved,
    /// Open first, then resolved: the default.
    #[default]
    All,
}

impl StateFilter {
    pub const ALL: [StateFilter; 3] = [StateFilter::All, StateFilter::Open, StateFilter::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            StateFilter::Open => "open",
            StateFilter::Resolved => "resolved",
            StateFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<StateFilter> {
        StateFilter::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StateFilter::Open => "Open",
            StateFilter::Resolved => "Resolved",
            StateFilter::All => "All",
        }
    }

    pub fn admits(self, phase: Phase) -> bool {
        match self {
            StateFilter::Open => phase.is_open(),
            StateFilter::Resolved => !phase.is_open(),
            StateFilter::All => true,
        }
    }
}

/// How a message to the incident channel is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum DeliveryState {
    /// Queued or between attempts.
    Pending,
    Delivered,
    /// Every attempt failed; a responder can retry.
    Failed,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 3] = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
    ];

    /// The wire name, as serde writes it ("pending", ...): for storage and test hooks.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }
}

/// One message to the incident channel (the outgoing webhook) and its fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub incident_id: i64,
    /// The timeline entry it carries.
    pub entry_seq: i64,
    pub state: DeliveryState,
    pub attempts: u32,
    /// What the last failed attempt got (status and a short body, or the network error), masked.
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

/// What happened, one variant per kind of timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryKind {
    Declared {
        title: String,
        broken: String,
        severity: Severity,
        /// Declared as a confirmed compromise, which forced Sev 1.
        compromise: bool,
    },
    Acknowledged,
    StatusUpdate {
        known: String,
        trying: String,
        /// Minutes until the next update, as promised in this one.
        eta_minutes: u32,
    },
    SeverityChanged {
        from: Severity,
        to: Severity,
        /// Empty in the stakeholder projection.
        reason: String,
    },
    ScopeChanged {
        scope: IncidentScope,
    },
    Note {
        text: String,
    },
    /// A check changed status while the incident was open.
    Health {
        check_id: String,
        name: String,
        from: Status,
        to: Status,
        /// Empty in the stakeholder projection.
        detail: String,
    },
    Resolved {
        impact: String,
        /// Set when a commander resolved while the board was not all up; empty for stakeholders.
        override_reason: Option<String>,
        /// The audit log's head when it was resolved (`#412 <sha-256>`), posted to the channel so a
        /// copy outside the gateway can prove the log was not rewritten; `None` while it is empty.
        /// (`detail` on the wire: a name the one-pass reader already knows.)
        #[serde(default, rename = "detail", skip_serializing_if = "Option::is_none")]
        audit_head: Option<String>,
    },
    /// An action on the host was requested, approved, refused, or ran.
    /// (Field names shared with other kinds on the wire, `title`, `name` and `reason`, keep the
    /// first screen's one-pass reader small.)
    Action {
        /// The action's title ("Restart a container").
        title: String,
        /// What it acts on (a container, a scope, an address); `name` on the wire.
        #[serde(rename = "name")]
        target: String,
        /// What happened: "requested", "approved by bo", "done in 4.2 s: Restarted …".
        did: String,
        /// Approved by its own requester under the break-glass rule: why (empty for
        /// stakeholders). Posted to the channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The retrospective was started, finished or reopened, or its deadline is near or past.
    Retrospective {
        /// What happened, in words: "started", "finished", "due in 24 hours".
        did: String,
    },
    /// A guided walkthrough moved: started, or a step done, checked, skipped, run or decided.
    Walkthrough {
        /// The playbook's title.
        playbook: String,
        /// The step's title; empty when the walkthrough started.
        step: String,
        /// What happened, in words: "started", "done", "skipped", "chose “Expired: rotate…”".
        did: String,
        /// The responder's note; empty in the stakeholder projection.
        note: String,
    },
}

impl EntryKind {
    /// The `kind` tag it carries on the wire (`status_update`, `health`, ...).
    pub fn tag(&self) -> &'static str {
        match self {
            EntryKind::Declared { .. } => "declared",
            EntryKind::Acknowledged => "acknowledged",
            EntryKind::StatusUpdate { .. } => "status_update",
            EntryKind::SeverityChanged { .. } => "severity_changed",
            EntryKind::ScopeChanged { .. } => "scope_changed",
            EntryKind::Note { .. } => "note",
            EntryKind::Health { .. } => "health",
            EntryKind::Resolved { .. } => "resolved",
            EntryKind::Walkthrough { .. } => "walkthrough",
            EntryKind::Action { .. } => "action",
            EntryKind::Retrospective { .. } => "retrospective",
        }
    }

    /// Entries a stakeholder sees at all (notes are the responders' working space).
    pub fn is_public(&self) -> bool {
        !matches!(self, EntryKind::Note { .. })
    }
}

/// One line of an incident's timeline. Entries are never changed or removed once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Read in one pass (see `entry_fields`); written by the derive, the kind's fields beside its own.
#[serde(try_from = "entry_fields::Fields")]
pub struct TimelineEntry {
    /// Increases across all incidents; a client merges entries by it.
    pub seq: i64,
    pub incident_id: i64,
    pub at_ms: i64,
    /// Account name, or `aegis` for what the gateway itself saw.
    pub actor: String,
    #[serde(flatten)]
    pub kind: EntryKind,
}

/// The actor name of entries the gateway writes itself (health changes).
pub const SYSTEM_ACTOR: &str = "aegis";

crate::named::read_by_name!(Severity, "severity");
crate::named::read_by_name!(Phase, "phase");
crate::named::read_by_name!(DeliveryState, "delivery state");

mod bodies;
mod countdown;
mod entry_fields;
mod scope;
mod summary;
mod words;
pub use bodies::{
    Acknowledged, IncidentDetail, IncidentList, NewIncident, NewNote, NewStatusUpdate, Regrade,
    Resolve, Written,
};
pub use countdown::{clock_text, countdown, Countdown};
pub use scope::{Domain, IncidentScope};
pub use summary::{Declared, IncidentSummary};
pub use words::{entry_text, EntryText};

#[cfg(test)]
mod tests;
