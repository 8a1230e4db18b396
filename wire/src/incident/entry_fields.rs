//! Reading a [`TimelineEntry`] without serde's buffering (see `one_pass.rs` for why).
//!
//! An entry is one flat object: its own fields, then its kind's fields beside them, tagged by
//! `kind`. `from` and `to` are the only names two kinds share (severities in `severity_changed`,
//! statuses in `health`), so they are read as names and then as what the kind needs. The kind
//! names are `EntryKind`'s serde tags (`EntryKind::tag`); the tests read back every kind.

use serde::Deserialize;

use super::{EntryKind, IncidentScope, Severity, TimelineEntry};
use crate::named::Named;
use crate::one_pass::{required, Invalid};

/// The entry's fields and every kind's, each kind's optional.
#[derive(Deserialize)]
pub(super) struct Fields {
    seq: i64,
    incident_id: i64,
    at_ms: i64,
    actor: String,
    kind: String,
    title: Option<String>,
    broken: Option<String>,
    severity: Option<Severity>,
    compromise: Option<bool>,
    known: Option<String>,
    trying: Option<String>,
    eta_minutes: Option<u32>,
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
    scope: Option<IncidentScope>,
    text: Option<String>,
    check_id: Option<String>,
    name: Option<String>,
    detail: Option<String>,
    impact: Option<String>,
    override_reason: Option<String>,
    playbook: Option<String>,
    step: Option<String>,
    did: Option<String>,
    note: Option<String>,
}

impl TryFrom<Fields> for TimelineEntry {
    type Error = Invalid;

    fn try_from(f: Fields) -> Result<Self, Invalid> {
        let from = f.from.ok_or(Invalid::Missing("from"));
        let to = f.to.ok_or(Invalid::Missing("to"));
        let kind = match f.kind.as_str() {
            "declared" => EntryKind::Declared {
                title: required(f.title, "title")?,
                broken: required(f.broken, "broken")?,
                severity: required(f.severity, "severity")?,
                compromise: required(f.compromise, "compromise")?,
            },
            "acknowledged" => EntryKind::Acknowledged,
            "status_update" => EntryKind::StatusUpdate {
                known: required(f.known, "known")?,
                trying: required(f.trying, "trying")?,
                eta_minutes: required(f.eta_minutes, "eta_minutes")?,
            },
            "severity_changed" => EntryKind::SeverityChanged {
                from: level(from?, "from")?,
                to: level(to?, "to")?,
                reason: required(f.reason, "reason")?,
            },
            "scope_changed" => EntryKind::ScopeChanged {
                scope: required(f.scope, "scope")?,
            },
            "note" => EntryKind::Note {
                text: required(f.text, "text")?,
            },
            "health" => EntryKind::Health {
                check_id: required(f.check_id, "check_id")?,
                name: required(f.name, "name")?,
                from: level(from?, "from")?,
                to: level(to?, "to")?,
                detail: required(f.detail, "detail")?,
            },
            "resolved" => EntryKind::Resolved {
                impact: required(f.impact, "impact")?,
                override_reason: f.override_reason,
                audit_head: f.detail,
            },
            "action" => EntryKind::Action {
                title: required(f.title, "title")?,
                target: required(f.name, "name")?,
                did: required(f.did, "did")?,
                reason: f.reason,
            },
            "retrospective" => EntryKind::Retrospective {
                did: required(f.did, "did")?,
            },
            "walkthrough" => EntryKind::Walkthrough {
                playbook: required(f.playbook, "playbook")?,
                step: required(f.step, "step")?,
                did: required(f.did, "did")?,
                note: required(f.note, "note")?,
            },
            _ => {
                return Err(Invalid::Wrong {
                    field: "kind",
                    expected: "timeline entry kind",
                })
            }
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

/// `name` as a severity or a status, whichever the kind needs.
fn level<T: Named + TryFrom<String>>(name: String, field: &'static str) -> Result<T, Invalid> {
    T::try_from(name).map_err(|_| Invalid::Wrong {
        field,
        expected: T::WHAT,
    })
}
