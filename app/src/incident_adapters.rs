//! Incidents → what the views print: list order and filters, deadlines and countdowns, the
//! overdue banner, timeline wording, channel delivery wording, and form checks.
//!
//! Pure functions of wire types and the gateway's clock, unit-tested natively (`tests.rs` beside
//! this file). Local times of day are formatted by a caller-supplied function, since the time zone
//! is the browser's.

use std::cmp::{Ordering, Reverse};

use wire::{
    clock_text, countdown, CheckResult, Countdown, Delivery, DeliveryState, Domain, EntryKind,
    IncidentScope, IncidentSummary, Phase, Severity, Status, MINUTE_MS,
};

/// The list's state filter (`?state=` of `GET /api/incidents`).
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

/// The `data-phase` hook and CSS selector.
pub fn phase_hook(phase: Phase) -> &'static str {
    match phase {
        Phase::Declared => "declared",
        Phase::Acknowledged => "acknowledged",
        Phase::Resolved => "resolved",
    }
}

/// A deadline line as the detail page, the list and the banner print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub text: String,
    /// Past due: printed loud (red, "OVERDUE by m:ss").
    pub overdue: bool,
}

impl Deadline {
    fn calm(text: String) -> Self {
        Deadline {
            text,
            overdue: false,
        }
    }

    /// "{lead} due in 4:05", or "{loud} OVERDUE by 2:14".
    fn counting(lead: &str, loud: &str, now_ms: i64, due_ms: i64) -> Self {
        match countdown(now_ms, due_ms) {
            Countdown::Left(ms) => Deadline::calm(format!("{lead} due in {}", clock_text(ms))),
            Countdown::Overdue(ms) => Deadline {
                text: format!("{loud} OVERDUE by {}", clock_text(ms)),
                overdue: true,
            },
        }
    }
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

/// A list row's one deadline: the first response until acknowledged, then the next update.
pub fn row_deadline(incident: &IncidentSummary, now_ms: i64) -> Deadline {
    if !incident.phase.is_open() {
        let when = incident
            .resolved_at_ms
            .map(|at| format!(" {}", crate::time::ago(now_ms - at)))
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

/// A timeline entry in words: one headline, then labelled lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryText {
    pub headline: String,
    /// `(label, text)`; an empty label prints the text alone.
    pub lines: Vec<(&'static str, String)>,
}

/// How each kind of entry reads. Fields the stakeholder projection empties are left out rather
/// than printed blank.
pub fn entry_text(kind: &EntryKind) -> EntryText {
    let mut lines = Vec::new();
    let mut line = |label: &'static str, text: &str| {
        if !text.trim().is_empty() {
            lines.push((label, text.to_owned()));
        }
    };
    let headline = match kind {
        EntryKind::Declared {
            title,
            broken,
            severity,
            compromise,
        } => {
            line("What is broken", broken);
            if *compromise {
                line("", "Declared as a confirmed compromise (always Sev 1).");
            }
            format!("Declared {}: {title}", severity.label())
        }
        EntryKind::Acknowledged => "Acknowledged".to_owned(),
        EntryKind::StatusUpdate {
            known,
            trying,
            eta_minutes,
        } => {
            line("What we know", known);
            line("What we're trying", trying);
            line("ETA on next update", &format!("{eta_minutes} min"));
            "Status update".to_owned()
        }
        EntryKind::SeverityChanged { from, to, reason } => {
            line("Reason", reason);
            format!("Severity {} → {}", from.label(), to.label())
        }
        EntryKind::ScopeChanged { scope } => format!("Scope: {}", scope.summary()),
        EntryKind::Note { text } => {
            line("", text);
            "Note".to_owned()
        }
        EntryKind::Health {
            check_id,
            name,
            from,
            to,
            detail,
        } => {
            let name = if name.trim().is_empty() {
                check_id
            } else {
                name
            };
            let mut text = format!("{name}: {} → {}", from.label(), to.label());
            if !detail.trim().is_empty() {
                text.push_str(" — ");
                text.push_str(detail);
            }
            text
        }
        EntryKind::Resolved {
            impact,
            override_reason,
        } => {
            line("Impact", impact);
            if let Some(reason) = override_reason {
                line("Resolved although not all up", reason);
            }
            "Resolved".to_owned()
        }
    };
    EntryText { headline, lines }
}

/// `#inc-olympus`, or "the incident channel" when the gateway did not name it.
pub fn channel_name(channel: Option<&str>) -> String {
    match channel.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c.starts_with('#') => c.to_owned(),
        Some(c) => format!("#{c}"),
        None => "the incident channel".to_owned(),
    }
}

/// The `data-state` hook of a delivery.
pub fn delivery_hook(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
    }
}

/// "sent to #inc", "sending to #inc…", "retrying (attempt 2)…" or "NOT delivered to #inc: HTTP
/// 500". `attempts` counts the attempts made, so a pending message after one failure is waiting
/// for attempt 2.
pub fn delivery_text(delivery: &Delivery, channel: Option<&str>) -> String {
    let channel = channel_name(channel);
    match delivery.state {
        DeliveryState::Delivered => format!("sent to {channel}"),
        DeliveryState::Pending if delivery.attempts == 0 => format!("sending to {channel}…"),
        DeliveryState::Pending => format!("retrying (attempt {})…", delivery.attempts + 1),
        DeliveryState::Failed => match delivery.last_error.as_deref().map(str::trim) {
            Some(error) if !error.is_empty() => format!("NOT delivered to {channel}: {error}"),
            _ => format!("NOT delivered to {channel}"),
        },
    }
}

/// "03:12" or "03:12:09" for a Unix-ms instant, `utc_offset_min` minutes east of UTC.
pub fn time_of_day(ms: i64, utc_offset_min: i64, seconds: bool) -> String {
    let local = ms + utc_offset_min * MINUTE_MS;
    let secs = local.div_euclid(1_000).rem_euclid(86_400);
    let (h, m, s) = (secs / 3_600, (secs / 60) % 60, secs % 60);
    if seconds {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}")
    }
}

/// The composer's "ETA on next update (minutes)": whole minutes from 1 to the cadence (any
/// positive number while the cadence is not known yet; the gateway checks again).
pub fn parse_eta(input: &str, cadence_minutes: Option<u32>) -> Result<u32, String> {
    let minutes = input.trim().parse::<u32>().ok().filter(|m| *m >= 1);
    match (minutes, cadence_minutes) {
        (Some(m), Some(cadence)) if m <= cadence => Ok(m),
        (Some(m), None) => Ok(m),
        (_, Some(cadence)) => Err(format!(
            "ETA on next update must be a whole number of minutes from 1 to {cadence}."
        )),
        (None, None) => {
            Err("ETA on next update must be a whole number of minutes, at least 1.".to_owned())
        }
    }
}

/// A required text field, trimmed; `Err(message)` when it is blank.
pub fn require(text: &str, message: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err(message.to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// The checks that are not up, as "name: down — detail" lines (detail left out when it only
/// repeats the status word), worst first as the board sorts them.
pub fn not_up_lines(checks: &[CheckResult]) -> Vec<String> {
    let mut problems: Vec<&CheckResult> =
        checks.iter().filter(|c| c.status != Status::Up).collect();
    problems.sort_by(|a, b| (a.status, a.scope, &a.id).cmp(&(b.status, b.scope, &b.id)));
    problems
        .into_iter()
        .map(|c| {
            let detail = c.detail.trim();
            if detail.is_empty() || detail.eq_ignore_ascii_case(c.status.label()) {
                format!("{}: {}", c.name, c.status.label())
            } else {
                format!("{}: {} — {detail}", c.name, c.status.label())
            }
        })
        .collect()
}

/// Turns a domain on or off in a scope (kept in `Domain` order, so equal scopes compare equal).
pub fn set_domain(scope: &mut IncidentScope, domain: Domain, on: bool) {
    scope.domains.retain(|d| *d != domain);
    if on {
        scope.domains.push(domain);
        scope.domains.sort();
    }
}

/// Turns a service on or off in a scope (kept sorted by name).
pub fn set_service(scope: &mut IncidentScope, service: &str, on: bool) {
    scope.services.retain(|s| s != service);
    if on {
        scope.services.push(service.to_owned());
        scope.services.sort();
    }
}

/// A scope in canonical order, for comparing an edited copy with the incident's.
pub fn normalized(scope: &IncidentScope) -> IncidentScope {
    let mut scope = scope.clone();
    scope.domains.sort();
    scope.domains.dedup();
    scope.services.sort();
    scope.services.dedup();
    scope
}

#[cfg(test)]
mod tests;
