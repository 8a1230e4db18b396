//! The incident list's filters and order, and each row's one deadline (`pages/incidents`).

use std::cmp::{Ordering, Reverse};

use wire::{IncidentSummary, Severity};

use super::deadlines::Deadline;
use crate::model::time;

pub use wire::StateFilter;

/// What the list page filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub state: StateFilter,
    pub severity: Option<Severity>,
    /// Matched case-insensitively against the title (and the `INC-n` reference).
    pub text: String,
}

impl ListFilter {
    pub fn admits(&self, incident: &IncidentSummary) -> bool {
        self.state.admits(incident.phase)
            && self.severity.is_none_or(|s| s == incident.severity)
            && matches_text(incident, &self.text)
    }
}

fn matches_text(incident: &IncidentSummary, text: &str) -> bool {
    let needle = text.trim().to_lowercase();
    needle.is_empty()
        || incident.title.to_lowercase().contains(&needle)
        || incident.reference().to_lowercase() == needle
}

/// The query string of `GET /api/incidents` for the server-side filters: `?state=all`, plus
/// `&severity=sev1` when one is chosen.
pub fn list_query(state: StateFilter, severity: Option<Severity>) -> String {
    let mut query = format!("?state={}", state.as_str());
    if let Some(severity) = severity {
        query.push_str("&severity=");
        query.push_str(severity.as_str());
    }
    query
}

/// Ids to list: open incidents first, most severe first, then newest declared; then resolved
/// ones, most recently resolved first.
pub fn list_order<'a>(
    incidents: impl IntoIterator<Item = &'a IncidentSummary>,
    filter: &ListFilter,
) -> Vec<i64> {
    let mut rows: Vec<&IncidentSummary> =
        incidents.into_iter().filter(|i| filter.admits(i)).collect();
    rows.sort_by(|a, b| list_cmp(a, b));
    rows.into_iter().map(|i| i.id).collect()
}

fn list_cmp(a: &IncidentSummary, b: &IncidentSummary) -> Ordering {
    match (a.phase.is_open(), b.phase.is_open()) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (true, true) => (a.severity, Reverse(a.declared_at_ms), Reverse(a.id)).cmp(&(
            b.severity,
            Reverse(b.declared_at_ms),
            Reverse(b.id),
        )),
        (false, false) => {
            let ended = |i: &IncidentSummary| i.resolved_at_ms.unwrap_or(i.declared_at_ms);
            (Reverse(ended(a)), Reverse(a.id)).cmp(&(Reverse(ended(b)), Reverse(b.id)))
        }
    }
}

/// A list row's one deadline: the first response until acknowledged, then the next update.
pub fn row_deadline(incident: &IncidentSummary, now_ms: i64) -> Deadline {
    if !incident.phase.is_open() {
        if let Some(d) = super::deadlines::retro_deadline(incident, now_ms) {
            return d;
        }
        let when = incident
            .resolved_at_ms
            .map(|at| format!(" {}", time::ago(now_ms - at)))
            .unwrap_or_default();
        return Deadline::calm(format!("Resolved{when}"));
    }
    if incident.acknowledged_at_ms.is_none() {
        return Deadline::counting("Response", "Response", now_ms, incident.response_due_ms);
    }
    match incident.update_due_ms {
        Some(due) => Deadline::counting("Update", "Update", now_ms, due),
        None => Deadline::calm("Acknowledged".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::incident;
    use wire::{Phase, MINUTE_MS};

    const MIN: i64 = MINUTE_MS;

    #[test]
    fn list_puts_open_first_by_severity_then_resolved_newest_first() {
        let mut a = incident(1, 1);
        a.severity = Severity::Sev3;
        let mut b = incident(2, 1);
        b.severity = Severity::Sev1;
        let mut c = incident(3, 1);
        c.severity = Severity::Sev3;
        c.declared_at_ms += 10;
        let mut d = incident(4, 1);
        d.phase = Phase::Resolved;
        d.resolved_at_ms = Some(5_000_000);
        let mut e = incident(5, 1);
        e.phase = Phase::Resolved;
        e.resolved_at_ms = Some(9_000_000);
        let all = [a, b, c, d, e];

        assert_eq!(list_order(&all, &ListFilter::default()), [2, 3, 1, 5, 4]);
        let open = ListFilter {
            state: StateFilter::Open,
            ..Default::default()
        };
        assert_eq!(list_order(&all, &open), [2, 3, 1]);
        let resolved = ListFilter {
            state: StateFilter::Resolved,
            ..Default::default()
        };
        assert_eq!(list_order(&all, &resolved), [5, 4]);
        let sev3 = ListFilter {
            severity: Some(Severity::Sev3),
            ..Default::default()
        };
        assert_eq!(list_order(&all, &sev3), [3, 1]);
    }

    #[test]
    fn text_filter_matches_title_or_reference_ignoring_case() {
        let mut a = incident(1, 1);
        a.title = "Kratos logins failing".to_owned();
        let mut b = incident(12, 1);
        b.title = "Disk almost full".to_owned();
        let all = [a, b];
        let text = |t: &str| ListFilter {
            text: t.to_owned(),
            ..Default::default()
        };
        assert_eq!(list_order(&all, &text("  LOGINS ")), [1]);
        assert_eq!(list_order(&all, &text("inc-12")), [12]);
        assert_eq!(
            list_order(&all, &text("inc-1")),
            [1],
            "whole reference only"
        );
        assert_eq!(list_order(&all, &text("")).len(), 2);
        assert!(list_order(&all, &text("postgres")).is_empty());
    }

    #[test]
    fn list_query_and_filter_names() {
        assert_eq!(list_query(StateFilter::All, None), "?state=all");
        assert_eq!(
            list_query(StateFilter::Open, Some(Severity::Sev1)),
            "?state=open&severity=sev1"
        );
        for f in StateFilter::ALL {
            assert_eq!(StateFilter::parse(f.as_str()), Some(f));
        }
        assert_eq!(StateFilter::parse("closed"), None);
        assert_eq!(Phase::Acknowledged.as_str(), "acknowledged");
    }

    #[test]
    fn list_rows_show_the_deadline_that_matters_now() {
        let mut i = incident(3, 1);
        i.response_due_ms = 100 * MIN;
        i.update_due_ms = Some(200 * MIN);
        assert_eq!(row_deadline(&i, 99 * MIN).text, "Response due in 1:00");
        assert!(row_deadline(&i, 101 * MIN).overdue);
        i.acknowledged_at_ms = Some(99 * MIN);
        i.phase = Phase::Acknowledged;
        assert_eq!(row_deadline(&i, 101 * MIN).text, "Update due in 1:39:00");
        assert_eq!(row_deadline(&i, 201 * MIN).text, "Update OVERDUE by 1:00");
        i.phase = Phase::Resolved;
        i.resolved_at_ms = Some(300 * MIN);
        let resolved = row_deadline(&i, 303 * MIN);
        assert_eq!(resolved.text, "Resolved 3 min ago");
        assert!(!resolved.overdue);
    }

    /// A resolved Sev 1/2 counts its retrospective down in the list until it is finished.
    #[test]
    fn resolved_rows_count_the_retrospective_down_until_it_is_finished() {
        let mut i = incident(4, 1);
        i.phase = Phase::Resolved;
        i.resolved_at_ms = Some(300 * MIN);
        i.retrospective_due_ms = Some(300 * MIN + 48 * 60 * MIN);
        assert_eq!(
            row_deadline(&i, 301 * MIN).text,
            "Retrospective due in 47:59:00"
        );
        let late = row_deadline(&i, 300 * MIN + 49 * 60 * MIN);
        assert_eq!(late.text, "Retrospective OVERDUE by 1:00:00");
        assert!(late.overdue);
        i.retrospective_finished_ms = Some(310 * MIN);
        assert_eq!(
            row_deadline(&i, 300 * MIN + 49 * 60 * MIN).text,
            "Resolved 2 d 1 h ago"
        );
    }
}
