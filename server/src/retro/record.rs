//! What a retrospective starts from: the record of what happened, worked out from the timeline.
//!
//! Pure functions of the incident, its whole timeline, the responders' stars and mitigation mark,
//! and the business hours, so that a scripted incident's record can be checked line by line. The
//! words of each entry are the incident page's ([`wire::entry_text`]): one wording for both.

use wire::{
    entry_text, EntryKind, IncidentSummary, RecordLine, RetroRecord, RetroSections, Severity,
    Status, TimelineEntry, MINUTE_MS,
};

use crate::values::BusinessHours;

/// Everything the record is made of.
pub struct Facts<'a> {
    pub incident: &'a IncidentSummary,
    /// Oldest first.
    pub timeline: &'a [TimelineEntry],
    pub stars: &'a [i64],
    pub mitigation: Option<i64>,
    pub hours: &'a BusinessHours,
    pub cadence_minutes: u32,
}

/// "4 min", "1 h 12 min", "2 d 3 h": durations as a retrospective reads them.
pub fn duration_text(ms: i64) -> String {
    let minutes = ms.max(0) / MINUTE_MS;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        },
        m => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
    }
}

/// One entry in words, on one line.
pub fn line_text(kind: &EntryKind) -> String {
    let text = entry_text(kind);
    let mut out = text.headline;
    for (label, body) in text.lines {
        let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if label.is_empty() {
            out.push_str(&format!(" — {body}"));
        } else {
            out.push_str(&format!(" — {label}: {body}"));
        }
    }
    out
}

/// The record: starred entries first, then the rest, each in time order; the durations.
pub fn record(f: &Facts) -> RetroRecord {
    let i = f.incident;
    let line = |e: &TimelineEntry| RecordLine {
        seq: e.seq,
        at_ms: e.at_ms,
        actor: e.actor.clone(),
        text: line_text(&e.kind),
        starred: f.stars.contains(&e.seq),
        mitigation: f.mitigation == Some(e.seq),
    };
    let (starred, rest): (Vec<RecordLine>, Vec<RecordLine>) =
        f.timeline.iter().map(line).partition(|l| l.starred);
    let mitigated_at = f
        .mitigation
        .and_then(|seq| f.timeline.iter().find(|e| e.seq == seq))
        .map(|e| e.at_ms);
    RetroRecord {
        timeline: starred.into_iter().chain(rest).collect(),
        declared_at_ms: i.declared_at_ms,
        response_due_ms: i.response_due_ms,
        to_first_response_ms: i.acknowledged_at_ms.map(|a| a - i.declared_at_ms),
        to_mitigation_ms: mitigated_at.map(|m| m - i.declared_at_ms),
        to_resolution_ms: i.resolved_at_ms.map(|r| r - i.declared_at_ms),
        impact: i.impact.clone(),
    }
}

/// A status update that came after the one before it had promised (or after the cadence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateUpdate {
    pub due_ms: i64,
    /// When it came, or `None` when the incident was resolved with the update still owed.
    pub at_ms: Option<i64>,
}

/// Status updates that were late, replaying the cadence as the lifecycle ran it: due a cadence
/// after declaration, then at each update's promised ETA; none for Sev 4; stops at resolution.
pub fn late_updates(f: &Facts) -> Vec<LateUpdate> {
    let cadence = i64::from(f.cadence_minutes) * MINUTE_MS;
    let mut late = Vec::new();
    let mut due: Option<i64> = None;
    let mut severity = f.incident.severity;
    for e in f.timeline {
        match &e.kind {
            EntryKind::Declared { severity: s, .. } => {
                severity = *s;
                due = s.has_update_cadence().then_some(e.at_ms + cadence);
            }
            EntryKind::StatusUpdate { eta_minutes, .. } => {
                if let Some(d) = due.filter(|d| e.at_ms > *d) {
                    late.push(LateUpdate {
                        due_ms: d,
                        at_ms: Some(e.at_ms),
                    });
                }
                // As the lifecycle does: a severity without a cadence (Sev 4) owes no update.
                due = severity
                    .has_update_cadence()
                    .then(|| e.at_ms + i64::from(*eta_minutes) * MINUTE_MS);
            }
            EntryKind::SeverityChanged { to, .. } => {
                severity = *to;
                due = match (to.has_update_cadence(), due) {
                    (false, _) => None,
                    (true, Some(d)) => Some(d),
                    (true, None) => Some(e.at_ms + cadence),
                };
            }
            EntryKind::Resolved { .. } => {
                if let Some(d) = due.filter(|d| e.at_ms > *d) {
                    late.push(LateUpdate {
                        due_ms: d,
                        at_ms: None,
                    });
                }
                due = None;
            }
            _ => {}
        }
    }
    late
}

/// A check that was not up for a while during the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub check_id: String,
    pub name: String,
    pub from_ms: i64,
    /// When it came back, or `None` when it had not by the end of the record.
    pub to_ms: Option<i64>,
}

impl Outage {
    pub fn length(&self, end_ms: i64) -> i64 {
        self.to_ms.unwrap_or(end_ms) - self.from_ms
    }
}

/// Every stretch in which a check was not up, from its health entries.
pub fn outages(f: &Facts) -> Vec<Outage> {
    let mut open: Vec<Outage> = Vec::new();
    let mut done = Vec::new();
    for e in f.timeline {
        let EntryKind::Health {
            check_id,
            name,
            from,
            to,
            ..
        } = &e.kind
        else {
            continue;
        };
        let at = open.iter().position(|o| &o.check_id == check_id);
        match (at, *to == Status::Up) {
            (Some(n), true) => {
                let mut o = open.remove(n);
                o.to_ms = Some(e.at_ms);
                done.push(o);
            }
            (None, false) if *from == Status::Up || *from != *to => open.push(Outage {
                check_id: check_id.clone(),
                name: if name.is_empty() {
                    check_id.clone()
                } else {
                    name.clone()
                },
                from_ms: e.at_ms,
                to_ms: None,
            }),
            _ => {}
        }
    }
    done.extend(open);
    done.sort_by_key(|o| o.from_ms);
    done
}

/// The sections as the editor first shows them, written from the record.
pub fn draft(f: &Facts, r: &RetroRecord) -> RetroSections {
    let i = f.incident;
    let hours = f.hours;
    let mut summary = format!("{}.\n\n{}\n\n", i.title.trim_end_matches('.'), i.broken);
    summary.push_str(&format!(
        "Declared {} by {} at {}",
        i.severity.label(),
        i.declared_by,
        hours.local_text(i.declared_at_ms)
    ));
    if let (Some(by), Some(at)) = (&i.resolved_by, i.resolved_at_ms) {
        summary.push_str(&format!(
            "; resolved by {by} at {} after {}",
            hours.local_text(at),
            duration_text(at - i.declared_at_ms)
        ));
    }
    summary.push('.');

    let mut impact = String::new();
    if let Some(text) = &r.impact {
        impact.push_str(text);
        impact.push_str("\n\n");
    }
    let allowed = i.response_due_ms - i.declared_at_ms;
    impact.push_str(&match r.to_first_response_ms {
        Some(ms) => format!(
            "- Time to first response: {} (due within {}{})\n",
            duration_text(ms),
            due_words(i.severity, allowed),
            if ms > allowed { ": late" } else { "" }
        ),
        None => "- Time to first response: never acknowledged\n".to_owned(),
    });
    impact.push_str(&match r.to_mitigation_ms {
        Some(ms) => format!("- Time to mitigation: {}\n", duration_text(ms)),
        None => "- Time to mitigation: not marked (mark the entry where the bleeding stopped)\n"
            .to_owned(),
    });
    if let Some(ms) = r.to_resolution_ms {
        impact.push_str(&format!("- Time to resolution: {}\n", duration_text(ms)));
    }

    let mut well = Vec::new();
    let mut badly = Vec::new();
    match r.to_first_response_ms {
        Some(ms) if ms <= allowed => well.push(format!(
            "First response in {}, within the {} the matrix allows.",
            duration_text(ms),
            due_words(i.severity, allowed)
        )),
        Some(ms) => badly.push(format!(
            "First response after {}; the matrix allows {}.",
            duration_text(ms),
            due_words(i.severity, allowed)
        )),
        None => {}
    }
    for late in late_updates(f) {
        badly.push(match late.at_ms {
            Some(at) => format!(
                "A status update was {} late (due {}).",
                duration_text(at - late.due_ms),
                hours.local_text(late.due_ms)
            ),
            None => format!(
                "The status update due {} never came before resolution.",
                hours.local_text(late.due_ms)
            ),
        });
    }
    let end = i.resolved_at_ms.unwrap_or(i64::MAX);
    for o in outages(f) {
        let length = o.length(end.min(f.timeline.last().map_or(end, |e| e.at_ms)));
        if length > 15 * MINUTE_MS {
            badly.push(format!(
                "{} was not up for {}.",
                o.name,
                duration_text(length)
            ));
        }
    }
    for e in f.timeline {
        if let EntryKind::Action {
            title, target, did, ..
        } = &e.kind
        {
            if did.starts_with("done") {
                well.push(format!("{title} on {target}: {did}."));
            } else if did.starts_with("FAILED") || did.contains("interrupted") {
                badly.push(format!("{title} on {target}: {did}."));
            }
        }
    }
    RetroSections {
        summary,
        impact: impact.trim_end().to_owned(),
        root_cause: String::new(),
        went_well: bullets(&well),
        went_badly: bullets(&badly),
    }
}

fn bullets(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "30 min", or "the next business day" for Sev 4.
fn due_words(severity: Severity, allowed_ms: i64) -> String {
    match severity.first_response_ms() {
        Some(_) => duration_text(allowed_ms),
        None => "the next business day".to_owned(),
    }
}

#[cfg(test)]
mod tests;
