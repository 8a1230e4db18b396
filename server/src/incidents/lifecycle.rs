//! The incident lifecycle as pure functions: each checks that the change is allowed in the
//! incident's phase, applies it, and returns the timeline entry that records it.
//!
//! declared ──ack──▶ acknowledged ──resolve──▶ resolved (waits for its retrospective)
//!
//! Notes, scope and severity may change while the incident is open; status updates need someone to
//! have acknowledged the page; nothing changes a resolved incident.

use wire::{
    CheckResult, Declared, EntryKind, HealthSnapshot, IncidentScope, IncidentSummary, NewIncident,
    NewStatusUpdate, Phase, Regrade, Resolve, Role, Severity, Status, FIRST_POST,
};

use super::timers::{update_due, BusinessHours};

/// Why a change was refused, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request itself is wrong (empty field, unknown service): 400.
    #[error("{0}")]
    Invalid(String),
    /// The incident's phase does not allow it: 409.
    #[error("{0}")]
    Conflict(String),
    /// The role does not allow it: 403.
    #[error("{0}")]
    Forbidden(String),
}

/// Retrospectives are due this long after resolution (the playbook: within 48 hours).
pub const RETROSPECTIVE_WITHIN_MS: i64 = 48 * 3_600_000;

/// What the lifecycle needs to know about the console's configuration.
pub struct Rules<'a> {
    pub hours: &'a BusinessHours,
    pub cadence_minutes: u32,
    /// Services a scope may name.
    pub services: &'a [String],
}

fn open(i: &IncidentSummary) -> Result<(), Refusal> {
    if i.phase.is_open() {
        Ok(())
    } else {
        Err(Refusal::Conflict(format!(
            "{} is already resolved; its record is closed (the retrospective comes next)",
            i.reference()
        )))
    }
}

fn check_scope(scope: &IncidentScope, services: &[String]) -> Result<IncidentScope, Refusal> {
    for s in &scope.services {
        if !services.contains(s) {
            return Err(Refusal::Invalid(format!(
                "`{}` is not a service this console knows; choose from: {}",
                s.chars().take(64).collect::<String>(),
                services.join(", ")
            )));
        }
    }
    Ok(scope.normalised())
}

/// A declaration that passed the rules and has no number yet: the store gives it one, in the
/// same transaction that writes it ([`Declaration::numbered`]).
#[derive(Debug, Clone)]
pub struct Declaration(Declared);

impl Declaration {
    /// The incident as it is once stored as number `id`.
    pub fn numbered(&self, id: i64) -> IncidentSummary {
        IncidentSummary::declared(id, self.0.clone())
    }

    /// The `declared` entry that opens its timeline.
    pub fn entry(&self) -> EntryKind {
        EntryKind::Declared {
            title: self.0.title.clone(),
            broken: self.0.broken.clone(),
            severity: self.0.severity,
            compromise: self.0.compromise,
        }
    }
}

/// Checks a new incident against the rules.
pub fn declare(
    new: &NewIncident,
    actor: &str,
    now_ms: i64,
    rules: &Rules<'_>,
) -> Result<Declaration, Refusal> {
    let title = line("title", &new.title, 120, true)?;
    let broken = text("what is broken", &new.broken, 2000, true)?;
    let scope = check_scope(&new.scope, rules.services)?;
    // The playbook: a confirmed compromise is always Sev 1.
    let severity = if new.compromise {
        Severity::Sev1
    } else {
        new.severity
    };
    Ok(Declaration(Declared {
        title,
        broken,
        severity,
        compromise: new.compromise,
        scope,
        declared_by: actor.to_string(),
        declared_at_ms: now_ms,
        response_due_ms: rules.hours.response_due(severity, now_ms),
        // The update cadence runs from the declaration.
        update_due_ms: severity
            .has_update_cadence()
            .then(|| update_due(now_ms, rules.cadence_minutes)),
    }))
}

/// Acknowledges the page; for Sev 1/2 also returns the playbook's first post, for the responder to
/// send (or edit) with one tap.
pub fn acknowledge(
    i: &mut IncidentSummary,
    actor: &str,
    now_ms: i64,
    rules: &Rules<'_>,
) -> Result<(EntryKind, Option<NewStatusUpdate>), Refusal> {
    open(i)?;
    if let (Some(by), Some(at)) = (&i.acknowledged_by, i.acknowledged_at_ms) {
        return Err(Refusal::Conflict(format!(
            "{} was already acknowledged by {by} ({} min after it was declared)",
            i.reference(),
            (at - i.declared_at_ms) / 60_000
        )));
    }
    i.phase = Phase::Acknowledged;
    i.acknowledged_by = Some(actor.to_string());
    i.acknowledged_at_ms = Some(now_ms);
    i.version += 1;
    let proposal = i.severity.proposes_first_post().then(|| NewStatusUpdate {
        known: FIRST_POST.to_string(),
        trying: String::new(),
        eta_minutes: 15.min(rules.cadence_minutes),
    });
    Ok((EntryKind::Acknowledged, proposal))
}

/// A status update: what we know, what we're trying, ETA on the next one. Restarts the cadence.
pub fn post_update(
    i: &mut IncidentSummary,
    update: &NewStatusUpdate,
    now_ms: i64,
    rules: &Rules<'_>,
) -> Result<EntryKind, Refusal> {
    open(i)?;
    if i.acknowledged_at_ms.is_none() {
        return Err(Refusal::Conflict(format!(
            "acknowledge {} first: that records who is responding",
            i.reference()
        )));
    }
    let known = text("what we know", &update.known, 2000, true)?;
    let trying = text("what we're trying", &update.trying, 2000, false)?;
    if !(1..=rules.cadence_minutes).contains(&update.eta_minutes) {
        return Err(Refusal::Invalid(format!(
            "the ETA on the next update must be 1 to {} minutes (the update cadence)",
            rules.cadence_minutes
        )));
    }
    i.updates += 1;
    i.last_update_ms = Some(now_ms);
    i.last_update = Some(known.clone());
    i.update_due_ms = i
        .severity
        .has_update_cadence()
        .then(|| update_due(now_ms, update.eta_minutes));
    i.version += 1;
    Ok(EntryKind::StatusUpdate {
        known,
        trying,
        eta_minutes: update.eta_minutes,
    })
}

/// A commander changes the severity, with a reason. The first-response deadline follows the new
/// severity while nobody has acknowledged yet; a Sev 4 raised to Sev 3 or above starts its update
/// cadence now, and one lowered to Sev 4 stops it.
pub fn regrade(
    i: &mut IncidentSummary,
    r: &Regrade,
    role: Role,
    now_ms: i64,
    rules: &Rules<'_>,
) -> Result<EntryKind, Refusal> {
    if !role.at_least(Role::Commander) {
        return Err(Refusal::Forbidden(
            "only the incident commander re-grades severity".into(),
        ));
    }
    open(i)?;
    let reason = line("the reason", &r.reason, 500, true)?;
    if r.severity == i.severity {
        return Err(Refusal::Invalid(format!(
            "{} is already {}",
            i.reference(),
            i.severity.label()
        )));
    }
    if i.compromise && r.severity != Severity::Sev1 {
        return Err(Refusal::Invalid(format!(
            "{} is a confirmed compromise, which is always Sev 1",
            i.reference()
        )));
    }
    let from = i.severity;
    i.severity = r.severity;
    if i.acknowledged_at_ms.is_none() {
        i.response_due_ms = rules.hours.response_due(r.severity, i.declared_at_ms);
    }
    i.update_due_ms = match (r.severity.has_update_cadence(), i.update_due_ms) {
        (false, _) => None,
        (true, Some(due)) => Some(due),
        (true, None) => Some(update_due(now_ms, rules.cadence_minutes)),
    };
    i.version += 1;
    Ok(EntryKind::SeverityChanged {
        from,
        to: r.severity,
        reason,
    })
}

/// Records the scope (the playbook's step 3).
pub fn set_scope(
    i: &mut IncidentSummary,
    scope: &IncidentScope,
    rules: &Rules<'_>,
) -> Result<EntryKind, Refusal> {
    open(i)?;
    let scope = check_scope(scope, rules.services)?;
    if scope == i.scope {
        return Err(Refusal::Invalid("the scope is unchanged".into()));
    }
    i.scope = scope.clone();
    i.version += 1;
    Ok(EntryKind::ScopeChanged { scope })
}

/// A note on the timeline (responders' working space; stakeholders don't see notes).
pub fn note(i: &IncidentSummary, body: &str) -> Result<EntryKind, Refusal> {
    open(i)?;
    Ok(EntryKind::Note {
        text: text("the note", body, 4000, true)?,
    })
}

/// Confirms restoration: the board must be all up, or a commander overrides with a reason.
pub fn resolve(
    i: &mut IncidentSummary,
    r: &Resolve,
    (actor, role): (&str, Role),
    (board, mitigations): (&HealthSnapshot, &[String]),
    now_ms: i64,
    audit_head: Option<String>,
) -> Result<EntryKind, Refusal> {
    open(i)?;
    let impact = text("the user-visible impact", &r.impact, 2000, true)?;
    let override_reason = match r.override_reason.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(reason) => {
            if !role.at_least(Role::Commander) {
                return Err(Refusal::Forbidden(
                    "only the incident commander can resolve over a board that is not all up"
                        .into(),
                ));
            }
            Some(line("the override reason", reason, 500, true)?)
        }
    };
    if override_reason.is_none() && !mitigations.is_empty() {
        return Err(Refusal::Conflict(format!(
            "a mitigation is still in place: {}. Undo it first (the incident's actions offer it), or a commander can override with a reason",
            mitigations.join(", ")
        )));
    }
    if override_reason.is_none() {
        let not_up = not_up(board);
        if !not_up.is_empty() {
            return Err(Refusal::Conflict(format!(
                "restoration is not confirmed: {}. Resolve when the sweep is all up, or a commander can override with a reason",
                not_up.join(", ")
            )));
        }
    }
    i.phase = Phase::Resolved;
    i.resolved_by = Some(actor.to_string());
    i.resolved_at_ms = Some(now_ms);
    i.impact = Some(impact.clone());
    i.update_due_ms = None;
    i.retrospective_due_ms = i
        .severity
        .needs_retrospective()
        .then_some(now_ms + RETROSPECTIVE_WITHIN_MS);
    i.version += 1;
    Ok(EntryKind::Resolved {
        impact,
        override_reason,
        audit_head,
    })
}

/// The check id whose failure makes every host check unknown.
const SSH_CHECK: &str = "host.ssh";

/// Which of a sweep's changes go on incident timelines: status changes only, without
/// - "unknown → up", which is the console starting or the host coming back (the SSH check's own
///   recovery says so once);
/// - "→ unknown" in a sweep where the SSH check changed too: every host check turns unknown when
///   the host is lost, and the SSH check's entry already says why, once instead of a dozen times.
pub fn timeline_worthy(changes: &[(CheckResult, Status)]) -> Vec<&(CheckResult, Status)> {
    let host_changed = changes
        .iter()
        .any(|(c, from)| c.id == SSH_CHECK && c.status != *from);
    changes
        .iter()
        .filter(|(c, from)| c.status != *from)
        .filter(|(c, from)| !(*from == Status::Unknown && c.status == Status::Up))
        .filter(|(c, _)| !(host_changed && c.status == Status::Unknown))
        .collect()
}

/// What keeps the board from confirming restoration, one phrase each.
pub fn not_up(board: &HealthSnapshot) -> Vec<String> {
    let mut out = Vec::new();
    if board.sweep_seq == 0 {
        out.push("no sweep has finished yet".to_string());
        return out;
    }
    if !board.host.reachable {
        out.push("the host is unreachable".to_string());
    }
    out.extend(
        board
            .checks
            .iter()
            .filter(|c| c.status != Status::Up)
            .map(|c| format!("{} is {}", c.name, c.status.label())),
    );
    out
}

pub(crate) mod text;
use text::{line, text};

#[cfg(test)]
mod tests;
