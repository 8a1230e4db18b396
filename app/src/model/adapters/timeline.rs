//! The timeline in words: each kind of entry, and the fate of the channel message that carried it.

pub use wire::entry_text;
use wire::{Delivery, DeliveryState};

/// `#inc-olympus`, or "the incident channel" when the gateway did not name it.
pub fn channel_name(channel: Option<&str>) -> String {
    match channel.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c.starts_with('#') => c.to_owned(),
        Some(c) => format!("#{c}"),
        None => "the incident channel".to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::delivery;
    use wire::{Domain, EntryKind, IncidentScope, Severity, Status};

    #[test]
    fn entries_read_like_the_playbook() {
        let update = EntryKind::StatusUpdate {
            known: "Kratos returns 503".to_owned(),
            trying: "Restarting it".to_owned(),
            eta_minutes: 15,
        };
        assert_eq!(update.tag(), "status_update");
        let text = entry_text(&update);
        assert_eq!(text.headline, "Status update");
        assert_eq!(
            text.lines,
            [
                ("What we know", "Kratos returns 503".to_owned()),
                ("What we're trying", "Restarting it".to_owned()),
                ("ETA on next update", "15 min".to_owned()),
            ]
        );

        let health = EntryKind::Health {
            check_id: "health.ciam-kratos".to_owned(),
            name: "ciam-kratos".to_owned(),
            from: Status::Up,
            to: Status::Down,
            detail: "HTTP 503".to_owned(),
        };
        assert_eq!(health.tag(), "health");
        assert_eq!(
            entry_text(&health).headline,
            "ciam-kratos: up → down — HTTP 503"
        );
        // The stakeholder projection empties the detail (and here the name too).
        let projected = EntryKind::Health {
            check_id: "health.ciam-kratos".to_owned(),
            name: String::new(),
            from: Status::Down,
            to: Status::Up,
            detail: String::new(),
        };
        assert_eq!(
            entry_text(&projected).headline,
            "health.ciam-kratos: down → up"
        );

        let regrade = EntryKind::SeverityChanged {
            from: Severity::Sev2,
            to: Severity::Sev1,
            reason: String::new(),
        };
        let text = entry_text(&regrade);
        assert_eq!(text.headline, "Severity Sev 2 → Sev 1");
        assert!(text.lines.is_empty(), "no blank reason line");

        let declared = EntryKind::Declared {
            title: "Logins down".to_owned(),
            broken: "Nobody can sign in".to_owned(),
            severity: Severity::Sev1,
            compromise: true,
        };
        let text = entry_text(&declared);
        assert_eq!(text.headline, "Declared Sev 1: Logins down");
        assert_eq!(text.lines.len(), 2);

        let resolved = EntryKind::Resolved {
            impact: "Logins failed for 20 min".to_owned(),
            override_reason: Some("kratos-courier flaps, unrelated".to_owned()),
            audit_head: Some("#7 0a1b".to_owned()),
        };
        assert_eq!(entry_text(&resolved).lines.len(), 3);
        let scope = EntryKind::ScopeChanged {
            scope: IncidentScope {
                domains: vec![Domain::Ciam],
                ..Default::default()
            },
        };
        assert_eq!(entry_text(&scope).headline, "Scope: ciam domain");
        assert_eq!(EntryKind::Acknowledged.tag(), "acknowledged");
        assert_eq!(
            entry_text(&EntryKind::Note {
                text: "checked logs".to_owned()
            })
            .lines,
            [("", "checked logs".to_owned())]
        );
    }

    #[test]
    fn delivery_states_in_words() {
        let chan = Some("#inc-olympus");
        let mut d = delivery(1, DeliveryState::Delivered, 1, 0);
        assert_eq!(delivery_text(&d, chan), "sent to #inc-olympus");
        assert_eq!(d.state.as_str(), "delivered");
        d.state = DeliveryState::Pending;
        d.attempts = 0;
        assert_eq!(delivery_text(&d, chan), "sending to #inc-olympus…");
        d.attempts = 2;
        assert_eq!(delivery_text(&d, chan), "retrying (attempt 3)…");
        d.state = DeliveryState::Failed;
        d.last_error = Some("HTTP 500: oops".to_owned());
        assert_eq!(
            delivery_text(&d, Some("inc-olympus")),
            "NOT delivered to #inc-olympus: HTTP 500: oops"
        );
        d.last_error = None;
        assert_eq!(
            delivery_text(&d, None),
            "NOT delivered to the incident channel"
        );
    }
}
