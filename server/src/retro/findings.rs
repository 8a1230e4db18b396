//! Findings the console proposes for a retrospective, from facts it knows: a mitigation still in
//! place, a certificate close to expiry, a late first response or status update, a check down for
//! longer than a quarter of an hour, and the findings the walked playbooks name themselves.
//!
//! Each has a stable key; an action item made from one carries it, and the finding shows as taken.

use wire::{Finding, MINUTE_MS};

use super::record::{duration_text, late_updates, outages, Facts};
use crate::playbooks::PlaybookFinding;

/// A check down longer than this is a finding.
pub const LONG_OUTAGE_MS: i64 = 15 * MINUTE_MS;
/// A certificate expiring within this many days is a finding (the matrix's Sev 4 line).
pub const CERT_DAYS: i64 = 30;

/// A certificate a walkthrough looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSeen {
    /// Where it was looked at: `database-tls › Check the certificate`.
    pub at: String,
    pub days_left: i64,
    pub summary: String,
}

/// The facts beyond the timeline.
pub struct Known<'a> {
    /// Mitigations still in place, in words (`TURNSTILE_DISABLED=true on ciam-kratos`).
    pub mitigations: &'a [String],
    pub certificates: &'a [CertSeen],
    /// Findings of the playbooks walked on this incident: (playbook id, its title, the finding).
    pub walked: &'a [(String, String, PlaybookFinding)],
    /// Keys already carried by an action item.
    pub taken: &'a [String],
}

pub fn findings(f: &Facts, k: &Known) -> Vec<Finding> {
    let i = f.incident;
    let hours = f.hours;
    let mut out = Vec::new();
    let mut add = |key: String, title: String, detail: String, done_when: String| {
        if out.iter().any(|x: &Finding| x.key == key) {
            return;
        }
        let taken = k.taken.contains(&key);
        out.push(Finding {
            key,
            title,
            detail,
            done_when,
            taken,
        });
    };
    for m in k.mitigations {
        add(
            format!("mitigation:{m}"),
            format!("Undo the mitigation still in place: {m}"),
            format!(
                "{m} was set during the incident and is still set: the bot-mitigation layer is off."
            ),
            "The flag is back to its normal value and the captcha answers on every login form"
                .to_owned(),
        );
    }
    for c in k.certificates.iter().filter(|c| c.days_left < CERT_DAYS) {
        add(
            format!("certificate:{}", c.at),
            format!("Renew the certificate seen at {}", c.at),
            format!(
                "{} ({} days left when last checked; under {CERT_DAYS} days is the matrix's Sev 4).",
                c.summary, c.days_left
            ),
            "The certificate is renewed and its expiry is more than 30 days away, checked from the console".to_owned(),
        );
    }
    if let Some(ack) = i.acknowledged_at_ms.filter(|a| *a > i.response_due_ms) {
        add(
            "late:first-response".to_owned(),
            "Find out why the first response was late".to_owned(),
            format!(
                "Acknowledged {} after the deadline ({} late).",
                hours.local_text(ack),
                duration_text(ack - i.response_due_ms)
            ),
            "Paging reaches the on-call responder within the first-response time, tested with a drill page".to_owned(),
        );
    }
    let late = late_updates(f);
    if let Some(first) = late.first() {
        add(
            "late:status-update".to_owned(),
            "Keep status updates on their cadence".to_owned(),
            format!(
                "{} status update(s) late; the first was due {}.",
                late.len(),
                hours.local_text(first.due_ms)
            ),
            "The next Sev 1/2 drill posts every status update on time".to_owned(),
        );
    }
    let end = i
        .resolved_at_ms
        .or(f.timeline.last().map(|e| e.at_ms))
        .unwrap_or(i.declared_at_ms);
    for o in outages(f) {
        let length = o.length(end);
        if length > LONG_OUTAGE_MS {
            add(
                format!("outage:{}", o.check_id),
                format!("Shorten the outage of {}", o.name),
                format!(
                    "{} was not up for {} (from {}).",
                    o.name,
                    duration_text(length),
                    hours.local_text(o.from_ms)
                ),
                format!(
                    "The cause of {}'s outage is fixed or an alert catches it within 5 minutes",
                    o.name
                ),
            );
        }
    }
    for (playbook, title, finding) in k.walked {
        add(
            format!("playbook:{playbook}:{}", finding.title),
            finding.title.clone(),
            format!("{title} was walked on this incident. {}", finding.says),
            finding.done_when.clone(),
        );
    }
    out
}

#[cfg(test)]
mod tests;
