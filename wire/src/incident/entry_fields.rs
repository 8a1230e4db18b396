//! Reading a [`TimelineEntry`] without serde's buffering (see `one_pass.rs` for why).
//!
//! An entry is one flat object: its own fields, then its kind's fields beside them, tagged by
//! `kind`. `from` and `to` are the only names two kinds share (severities in `severity_changed`,
//! statuses in `health`), so they are read as a [`Level`] that holds either and then checked
//! against the kind.

use serde::Deserialize;

use super::{EntryKind, IncidentScope, Severity, TimelineEntry};
use crate::one_pass::{required, Invalid};
use crate::Status;

/// The `kind` tag.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Declared,
    Acknowledged,
    StatusUpdate,
    SeverityChanged,
    ScopeChanged,
    Note,
    Health,
    Resolved,
}

/// A severity or a status, by its wire name.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Level {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
    Down,
    Degraded,
    Unknown,
    Up,
}

impl Level {
    fn severity(self, field: &'static str) -> Result<Severity, Invalid> {
        match self {
            Level::Sev1 => Ok(Severity::Sev1),
            Level::Sev2 => Ok(Severity::Sev2),
            Level::Sev3 => Ok(Severity::Sev3),
            Level::Sev4 => Ok(Severity::Sev4),
            _ => Err(Invalid::Wrong {
                field,
                expected: "a severity",
            }),
        }
    }

    fn status(self, field: &'static str) -> Result<Status, Invalid> {
        match self {
            Level::Down => Ok(Status::Down),
            Level::Degraded => Ok(Status::Degraded),
            Level::Unknown => Ok(Status::Unknown),
            Level::Up => Ok(Status::Up),
            _ => Err(Invalid::Wrong {
                field,
                expected: "a status",
            }),
        }
    }
}

/// The entry's fields and every kind's, each kind's optional.
#[derive(Deserialize)]
pub(super) struct Fields {
    seq: i64,
    incident_id: i64,
    at_ms: i64,
    actor: String,
    kind: Kind,
    title: Option<String>,
    broken: Option<String>,
    severity: Option<Severity>,
    compromise: Option<bool>,
    known: Option<String>,
    trying: Option<String>,
    eta_minutes: Option<u32>,
    from: Option<Level>,
    to: Option<Level>,
    reason: Option<String>,
    scope: Option<IncidentScope>,
    text: Option<String>,
    check_id: Option<String>,
    name: Option<String>,
    detail: Option<String>,
    impact: Option<String>,
    override_reason: Option<String>,
}

impl TryFrom<Fields> for TimelineEntry {
    type Error = Invalid;

    fn try_from(f: Fields) -> Result<Self, Invalid> {
        let from = || required(f.from, "from");
        let to = || required(f.to, "to");
        let kind = match f.kind {
            Kind::Declared => EntryKind::Declared {
                title: required(f.title, "title")?,
                broken: required(f.broken, "broken")?,
                severity: required(f.severity, "severity")?,
                compromise: required(f.compromise, "compromise")?,
            },
            Kind::Acknowledged => EntryKind::Acknowledged,
            Kind::StatusUpdate => EntryKind::StatusUpdate {
                known: required(f.known, "known")?,
                trying: required(f.trying, "trying")?,
                eta_minutes: required(f.eta_minutes, "eta_minutes")?,
            },
            Kind::SeverityChanged => EntryKind::SeverityChanged {
                from: from()?.severity("from")?,
                to: to()?.severity("to")?,
                reason: required(f.reason, "reason")?,
            },
            Kind::ScopeChanged => EntryKind::ScopeChanged {
                scope: required(f.scope, "scope")?,
            },
            Kind::Note => EntryKind::Note {
                text: required(f.text, "text")?,
            },
            Kind::Health => EntryKind::Health {
                check_id: required(f.check_id, "check_id")?,
                name: required(f.name, "name")?,
                from: from()?.status("from")?,
                to: to()?.status("to")?,
                detail: required(f.detail, "detail")?,
            },
            Kind::Resolved => EntryKind::Resolved {
                impact: required(f.impact, "impact")?,
                override_reason: f.override_reason,
            },
        };
        Ok(TimelineEntry {
            seq: f.seq,
            incident_id: f.incident_id,
            at_ms: f.at_ms,
            actor: f.actor,
            kind,
        })
    }
}
