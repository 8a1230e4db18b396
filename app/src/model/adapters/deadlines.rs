//! Deadlines in words: the detail page's first-response and status-update lines, and the header's
//! overdue banner. Times of day are printed by a caller-supplied function, since the time zone is
//! the browser's.

use wire::{clock_text, countdown, Countdown, IncidentSummary, MINUTE_MS};

/// A deadline line as the detail page, the list and the banner print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub text: String,
    /// Past due: printed loud (red, "OVERDUE by m:ss").
    pub overdue: bool,
}

impl Deadline {
    pub(super) fn calm(text: String) -> Self {
        Deadline {
            text,
            overdue: false,
        }
    }

    /// "{lead} due in 4:05", or "{loud} OVERDUE by 2:14".
    pub(super) fn counting(lead: &str, loud: &str, now_ms: i64, due_ms: i64) -> Self {
        match countdown(now_ms, due_ms) {
            Countdown::Left(ms) => Deadline::calm(format!("{lead} due in {}", clock_text(ms))),
            Countdown::Overdue(ms) => Deadline {
                text: format!("{loud} OVERDUE by {}", clock_text(ms)),
                overdue: true,
            },
        }
    }
}

/// The retrospective's 48-hour countdown (Sev 1/2, from resolution) while it is not finished:
/// the list, the incident page and the board print this one line.
pub fn retro_deadline(incident: &IncidentSummary, now_ms: i64) -> Option<Deadline> {
    incident
        .retrospective_pending()
        .map(|due| Deadline::counting("Retrospective", "Retrospective", now_ms, due))
}

/// The first-response line: a countdown until someone acknowledges, then who did and how fast.
/// `local_time` prints a gateway timestamp as the viewer's time of day.
pub fn response_deadline(
    incident: &IncidentSummary,
    now_ms: i64,
    local_time: impl Fn(i64) -> String,
) -> Deadline {
    match (incident.acknowledged_at_ms, &incident.acknowledged_by) {
        (Some(at), by) => {
            let by = by.as_deref().unwrap_or("someone");
            let after = match (at - incident.declared_at_ms).max(0) / MINUTE_MS {
                0 => "less than a minute".to_owned(),
                n => format!("{n} min"),
            };
            Deadline::calm(format!(
                "Acknowledged by {by} at {}, {after} after declaration",
                local_time(at)
            ))
        }
        (None, _) if !incident.phase.is_open() => {
            Deadline::calm("Resolved without an acknowledgement".to_owned())
        }
        (None, _) => Deadline::counting(
            "First response",
            "First response",
            now_ms,
            incident.response_due_ms,
        ),
    }
}

/// The status-update cadence line.
pub fn update_deadline(incident: &IncidentSummary, now_ms: i64) -> Deadline {
    if !incident.phase.is_open() {
        return Deadline::calm("Resolved: no more status updates due".to_owned());
    }
    match incident.update_due_ms {
        Some(due) => Deadline::counting("Next status update", "Status update", now_ms, due),
        None if !incident.severity.has_update_cadence() => {
            Deadline::calm("Sev 4: no status-update cadence (post updates as needed)".to_owned())
        }
        None => Deadline::calm("No status update scheduled".to_owned()),
    }
}

/// One line of the header's overdue banner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OverdueLine {
    pub id: i64,
    /// "INC-3: status update OVERDUE by 2:14".
    pub text: String,
}

/// Every open incident that missed its first response or its status update, most severe first.
pub fn overdue_lines<'a>(
    incidents: impl IntoIterator<Item = &'a IncidentSummary>,
    now_ms: i64,
) -> Vec<OverdueLine> {
    let mut late: Vec<&IncidentSummary> = incidents
        .into_iter()
        .filter(|i| i.response_overdue(now_ms) || i.update_overdue(now_ms))
        .collect();
    late.sort_by_key(|i| (i.severity, i.id));
    late.into_iter()
        .map(|i| {
            let mut parts = Vec::new();
            if i.response_overdue(now_ms) {
                parts.push(format!(
                    "first response OVERDUE by {}",
                    clock_text(now_ms - i.response_due_ms)
                ));
            }
            if let Some(due) = i.update_due_ms.filter(|_| i.update_overdue(now_ms)) {
                parts.push(format!(
                    "status update OVERDUE by {}",
                    clock_text(now_ms - due)
                ));
            }
            OverdueLine {
                id: i.id,
                text: format!("{}: {}", i.reference(), parts.join("; ")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::incident;
    use crate::model::time::time_of_day;
    use wire::{Phase, Severity};

    const MIN: i64 = MINUTE_MS;

    fn utc(ms: i64) -> String {
        time_of_day(ms, 0, false)
    }

    #[test]
    fn first_response_counts_down_then_gets_loud() {
        let i = incident(3, 1);
        let due = i.response_due_ms;
        let left = response_deadline(&i, due - (4 * MIN + 5_000), utc);
        assert_eq!(left.text, "First response due in 4:05");
        assert!(!left.overdue);
        assert!(!response_deadline(&i, due, utc).overdue, "due, not late");
        let late = response_deadline(&i, due + 2 * MIN + 14_000, utc);
        assert_eq!(late.text, "First response OVERDUE by 2:14");
        assert!(late.overdue);
    }

    #[test]
    fn acknowledged_says_who_when_and_how_fast() {
        let mut i = incident(3, 1);
        i.declared_at_ms = 3 * 3_600_000;
        i.acknowledged_by = Some("bob".to_owned());
        i.acknowledged_at_ms = Some(i.declared_at_ms + 4 * MIN + 59_000);
        i.phase = Phase::Acknowledged;
        let d = response_deadline(&i, i.response_due_ms + 10 * MIN, utc);
        assert_eq!(
            d.text,
            "Acknowledged by bob at 03:04, 4 min after declaration"
        );
        assert!(!d.overdue, "late acknowledgement is not overdue any more");
        i.acknowledged_at_ms = Some(i.declared_at_ms + 20_000);
        assert!(response_deadline(&i, 0, utc)
            .text
            .ends_with("less than a minute after declaration"));

        let mut never = incident(4, 1);
        never.phase = Phase::Resolved;
        assert_eq!(
            response_deadline(&never, i64::MAX / 2, utc).text,
            "Resolved without an acknowledgement"
        );
    }

    #[test]
    fn update_cadence_line() {
        let mut i = incident(3, 1);
        let due = 10_000_000;
        i.update_due_ms = Some(due);
        assert_eq!(
            update_deadline(&i, due - 15 * MIN).text,
            "Next status update due in 15:00"
        );
        let late = update_deadline(&i, due + 61_000);
        assert_eq!(late.text, "Status update OVERDUE by 1:01");
        assert!(late.overdue);
        i.update_due_ms = None;
        assert_eq!(update_deadline(&i, due).text, "No status update scheduled");
        i.phase = Phase::Resolved;
        i.update_due_ms = Some(due);
        let done = update_deadline(&i, due + MIN);
        assert!(!done.overdue);
        assert_eq!(done.text, "Resolved: no more status updates due");
    }

    #[test]
    fn banner_lists_every_late_open_incident_most_severe_first() {
        let now = 100 * MIN;
        let mut calm = incident(1, 1);
        calm.response_due_ms = now + MIN;
        calm.update_due_ms = Some(now + MIN);
        let mut unacked = incident(2, 1);
        unacked.severity = Severity::Sev3;
        unacked.response_due_ms = now - 2 * MIN - 14_000;
        unacked.update_due_ms = Some(now + MIN);
        let mut quiet = incident(3, 1);
        quiet.severity = Severity::Sev1;
        quiet.acknowledged_at_ms = Some(0);
        quiet.phase = Phase::Acknowledged;
        quiet.update_due_ms = Some(now - 5_000);
        let mut both = incident(4, 1);
        both.response_due_ms = now - MIN;
        both.update_due_ms = Some(now - 1_000);
        let mut resolved = incident(5, 1);
        resolved.phase = Phase::Resolved;
        resolved.response_due_ms = 0;
        resolved.update_due_ms = Some(0);

        let lines = overdue_lines(&[calm, unacked, quiet, both, resolved], now);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "INC-3: status update OVERDUE by 0:05",
                "INC-4: first response OVERDUE by 1:00; status update OVERDUE by 0:01",
                "INC-2: first response OVERDUE by 2:14",
            ]
        );
        assert_eq!(lines[0].id, 3);
        assert!(overdue_lines(&[], now).is_empty());
    }
}
