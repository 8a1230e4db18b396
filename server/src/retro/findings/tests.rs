use wire::{EntryKind, Finding, IncidentSummary, Severity, Status, TimelineEntry};

use super::{findings, CertSeen, Known};
use crate::playbooks::PlaybookFinding;
use crate::retro::fixture::{self, at, facts, hours, timeline};

/// A Sev 2 declared at `T0` (first response due at +30 min), acknowledged at `ack` minutes and
/// resolved at `resolved` minutes.
fn incident(ack: i64, resolved: i64) -> IncidentSummary {
    let mut i = fixture::incident(Severity::Sev2);
    assert_eq!(i.response_due_ms, at(30));
    i.acknowledged_by = Some("ada".into());
    i.acknowledged_at_ms = Some(at(ack));
    i.resolved_by = Some("bo".into());
    i.resolved_at_ms = Some(at(resolved));
    i
}

/// Nothing known beyond the timeline.
fn nothing() -> Known<'static> {
    Known {
        mitigations: &[],
        certificates: &[],
        walked: &[],
        taken: &[],
    }
}

fn declared() -> EntryKind {
    EntryKind::Declared {
        title: "Logins failing".into(),
        broken: "Some users cannot log in.".into(),
        severity: Severity::Sev2,
        compromise: false,
    }
}

fn update(eta_minutes: u32) -> EntryKind {
    EntryKind::StatusUpdate {
        known: "Investigating".into(),
        trying: String::new(),
        eta_minutes,
    }
}

fn health(from: Status, to: Status) -> EntryKind {
    EntryKind::Health {
        check_id: "api".into(),
        name: "Login API".into(),
        from,
        to,
        detail: String::new(),
    }
}

fn resolved() -> EntryKind {
    EntryKind::Resolved {
        impact: "Some logins failed.".into(),
        override_reason: None,
        audit_head: None,
    }
}

/// A response that went by the book: acknowledged at 5 min, updates on time, resolved at 18 min.
fn clean() -> (IncidentSummary, Vec<TimelineEntry>) {
    let tl = timeline(vec![
        (at(0), declared()),
        (at(5), EntryKind::Acknowledged),
        (at(5), update(15)),
        (at(18), resolved()),
    ]);
    (incident(5, 18), tl)
}

fn cert(at: &str, days_left: i64) -> CertSeen {
    CertSeen {
        at: at.into(),
        days_left,
        summary: format!("{at}: {days_left} days left"),
    }
}

fn walked(playbook: &str, finding: &str) -> (String, String, PlaybookFinding) {
    (
        playbook.into(),
        format!("The {playbook} playbook"),
        PlaybookFinding {
            title: finding.into(),
            says: "Nobody was alerted before it expired.".into(),
            done_when: "An alert fires 30 days before expiry".into(),
        },
    )
}

fn keys(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.key.as_str()).collect()
}

// A response that went by the book proposes nothing.
#[test]
fn no_findings_when_no_fact_holds() {
    let (i, tl) = clean();
    let h = hours();
    assert_eq!(findings(&facts(&i, &tl, &h), &nothing()), []);
}

// A mitigation left in place is proposed for undoing, keyed by its words.
#[test]
fn mitigation_still_in_place_is_a_finding() {
    let (i, tl) = clean();
    let h = hours();
    let m = ["TURNSTILE_DISABLED=true on ciam-kratos".to_owned()];
    let known = Known {
        mitigations: &m,
        ..nothing()
    };
    let found = findings(&facts(&i, &tl, &h), &known);
    assert_eq!(
        keys(&found),
        ["mitigation:TURNSTILE_DISABLED=true on ciam-kratos"]
    );
    assert!(found[0]
        .title
        .contains("TURNSTILE_DISABLED=true on ciam-kratos"));
}

// Certificates under 30 days (or already expired) are proposed for renewal; 30 days is not.
#[test]
fn certificate_under_thirty_days_is_a_finding() {
    let (i, tl) = clean();
    let h = hours();
    let certs = [
        cert("database-tls › Check the certificate", 29),
        cert("caddy › Check the served certificate", 30),
        cert("ldap › Check the certificate", -3),
    ];
    let known = Known {
        certificates: &certs,
        ..nothing()
    };
    let found = findings(&facts(&i, &tl, &h), &known);
    assert_eq!(
        keys(&found),
        [
            "certificate:database-tls › Check the certificate",
            "certificate:ldap › Check the certificate",
        ]
    );
    assert!(
        found[1].detail.contains("-3 days left"),
        "{}",
        found[1].detail
    );
}

// A first response after the deadline is a finding; one at the deadline is not.
#[test]
fn late_first_response_is_a_finding() {
    let h = hours();
    let tl = |ack| {
        timeline(vec![
            (at(0), declared()),
            (at(ack), EntryKind::Acknowledged),
            (at(ack), update(15)),
            (at(ack + 10), resolved()),
        ])
    };
    let (on_time, late) = (incident(30, 40), incident(31, 41));
    let (tl_on_time, tl_late) = (tl(30), tl(31));
    // Acknowledging that late also leaves the first status update (due at 15 min) late.
    let found = findings(&facts(&on_time, &tl_on_time, &h), &nothing());
    assert_eq!(keys(&found), ["late:status-update"]);
    let found = findings(&facts(&late, &tl_late, &h), &nothing());
    assert_eq!(keys(&found), ["late:first-response", "late:status-update"]);
    let f = &found[0];
    assert!(f.detail.contains("(1 min late)"), "{}", f.detail);
}

// However many status updates were late, one finding covers them and says how many.
#[test]
fn late_status_updates_are_one_finding() {
    let h = hours();
    let tl = timeline(vec![
        (at(0), declared()),
        (at(5), EntryKind::Acknowledged),
        (at(20), update(10)),
        (at(40), update(10)),
        (at(60), update(10)),
        (at(65), resolved()),
    ]);
    let i = incident(5, 65);
    let found = findings(&facts(&i, &tl, &h), &nothing());
    assert_eq!(keys(&found), ["late:status-update"]);
    assert!(
        found[0].detail.starts_with("3 status update(s) late"),
        "{}",
        found[0].detail
    );
}

// An outage of exactly 15 minutes is tolerated; one millisecond longer is a finding.
#[test]
fn outage_longer_than_fifteen_minutes_is_a_finding() {
    let h = hours();
    let tl = |back_ms| {
        timeline(vec![
            (at(0), declared()),
            (at(5), EntryKind::Acknowledged),
            (at(5), update(15)),
            (at(6), health(Status::Up, Status::Down)),
            (back_ms, health(Status::Down, Status::Up)),
            (at(20), resolved()),
        ])
    };
    let i = incident(5, 20);
    let exactly = tl(at(21));
    let longer = tl(at(21) + 1);
    assert_eq!(findings(&facts(&i, &exactly, &h), &nothing()), []);
    let found = findings(&facts(&i, &longer, &h), &nothing());
    assert_eq!(keys(&found), ["outage:api"]);
    assert!(found[0].title.contains("Login API"), "{}", found[0].title);
}

// A walked playbook's own finding is proposed, keyed by playbook id and the finding's title.
#[test]
fn walked_playbook_finding_is_proposed() {
    let (i, tl) = clean();
    let h = hours();
    let w = [walked(
        "database-tls",
        "Alert before the certificate expires",
    )];
    let known = Known {
        walked: &w,
        ..nothing()
    };
    let found = findings(&facts(&i, &tl, &h), &known);
    assert_eq!(
        keys(&found),
        ["playbook:database-tls:Alert before the certificate expires"]
    );
    assert_eq!(found[0].title, "Alert before the certificate expires");
    assert_eq!(found[0].done_when, "An alert fires 30 days before expiry");
    assert!(
        found[0]
            .detail
            .starts_with("The database-tls playbook was walked"),
        "{}",
        found[0].detail
    );
}

// A finding already made into an action item shows as taken; the others do not.
#[test]
fn taken_exactly_for_keys_carried_by_an_item() {
    let (i, tl) = clean();
    let h = hours();
    let m = ["TURNSTILE_DISABLED=true on ciam-kratos".to_owned()];
    let certs = [cert("database-tls › Check the certificate", 3)];
    let taken = [
        "certificate:database-tls › Check the certificate".to_owned(),
        "outage:somewhere-else".to_owned(),
    ];
    let known = Known {
        mitigations: &m,
        certificates: &certs,
        taken: &taken,
        ..nothing()
    };
    let found = findings(&facts(&i, &tl, &h), &known);
    let taken: Vec<(&str, bool)> = found.iter().map(|f| (f.key.as_str(), f.taken)).collect();
    assert_eq!(
        taken,
        [
            ("mitigation:TURNSTILE_DISABLED=true on ciam-kratos", false),
            ("certificate:database-tls › Check the certificate", true),
        ]
    );
}

// The same fact reported twice is proposed once.
#[test]
fn duplicate_keys_are_proposed_once() {
    let (i, tl) = clean();
    let h = hours();
    let m = [
        "TURNSTILE_DISABLED=true on ciam-kratos".to_owned(),
        "TURNSTILE_DISABLED=true on ciam-kratos".to_owned(),
    ];
    let w = [
        walked("database-tls", "Alert before the certificate expires"),
        walked("database-tls", "Alert before the certificate expires"),
    ];
    let known = Known {
        mitigations: &m,
        walked: &w,
        ..nothing()
    };
    let found = findings(&facts(&i, &tl, &h), &known);
    assert_eq!(
        keys(&found),
        [
            "mitigation:TURNSTILE_DISABLED=true on ciam-kratos",
            "playbook:database-tls:Alert before the certificate expires",
        ]
    );
}
