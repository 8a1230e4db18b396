//! The bodies of the incident API's requests and answers (`/api/incidents/…`).

use serde::{Deserialize, Serialize};

use super::{Delivery, IncidentScope, IncidentSummary, Severity, TimelineEntry};
use crate::HealthSnapshot;

/// `GET /api/incidents/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub incident: IncidentSummary,
    pub timeline: Vec<TimelineEntry>,
    /// The board when the incident was declared (projected for stakeholders).
    pub board_at_declaration: HealthSnapshot,
    /// Channel messages, newest last; empty for stakeholders and when no channel is configured.
    pub deliveries: Vec<Delivery>,
}

/// `GET /api/incidents`: newest first, open ones before resolved ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub incidents: Vec<IncidentSummary>,
    /// Services a scope may name.
    pub services: Vec<String>,
    /// Minutes between status updates.
    pub cadence_minutes: u32,
    /// Whether status updates also go to an incident channel.
    pub channel: Option<String>,
    /// The time zone that "next business day" is counted in.
    pub time_zone: String,
}

/// `POST /api/incidents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIncident {
    pub title: String,
    /// What is broken, in the declarer's words.
    pub broken: String,
    pub severity: Severity,
    /// Confirmed compromise: forces Sev 1 whatever `severity` says.
    #[serde(default)]
    pub compromise: bool,
    #[serde(default)]
    pub scope: IncidentScope,
}

/// `POST /api/incidents/{id}/ack`'s answer: the incident, and for Sev 1/2 the playbook's first post
/// ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    pub incident: IncidentSummary,
    /// The `acknowledged` entry it appended.
    pub entry: TimelineEntry,
    pub proposed_update: Option<NewStatusUpdate>,
}

/// `POST /api/incidents/{id}/updates`: shaped as the playbook asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStatusUpdate {
    /// What we know.
    pub known: String,
    /// What we're trying.
    #[serde(default)]
    pub trying: String,
    /// ETA on the next update, in minutes (at most the cadence).
    pub eta_minutes: u32,
}

/// `POST /api/incidents/{id}/severity` (commander).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regrade {
    pub severity: Severity,
    pub reason: String,
}

/// `POST /api/incidents/{id}/notes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNote {
    pub text: String,
}

/// `POST /api/incidents/{id}/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolve {
    /// User-visible impact, in words ("none" is an answer).
    pub impact: String,
    /// Commander only: resolve although the current sweep is not all up, and why.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// What a write returns: the incident as it now is and the entry it appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub incident: IncidentSummary,
    pub entry: TimelineEntry,
}
