use super::*;
use crate::incident_state::tests::{delivery, incident};
use crate::state::tests::check;
use wire::Scope;

const MIN: i64 = MINUTE_MS;

fn utc(ms: i64) -> String {
    time_of_day(ms, 0, false)
}

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
    assert_eq!(phase_hook(Phase::Acknowledged), "acknowledged");
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
    };
    assert_eq!(entry_text(&resolved).lines.len(), 2);
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
    assert_eq!(delivery_hook(d.state), "delivered");
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

#[test]
fn times_of_day_in_the_viewers_zone() {
    let t = 3 * 3_600_000 + 4 * MIN + 9_000;
    assert_eq!(time_of_day(t, 0, false), "03:04");
    assert_eq!(time_of_day(t, 0, true), "03:04:09");
    assert_eq!(time_of_day(t, 120, false), "05:04");
    assert_eq!(
        time_of_day(t, -240, true),
        "23:04:09",
        "wraps to the day before"
    );
    assert_eq!(time_of_day(-1_000, 0, true), "23:59:59");
}

#[test]
fn form_checks() {
    assert_eq!(parse_eta(" 15 ", Some(30)), Ok(15));
    assert_eq!(parse_eta("30", Some(30)), Ok(30));
    let e = parse_eta("31", Some(30)).unwrap_err();
    assert_eq!(
        e,
        "ETA on next update must be a whole number of minutes from 1 to 30."
    );
    assert!(parse_eta("0", Some(30)).is_err());
    assert!(parse_eta("", Some(30)).is_err());
    assert!(parse_eta("2.5", Some(30)).is_err());
    assert_eq!(parse_eta("90", None), Ok(90));
    assert!(parse_eta("0", None).is_err());
    assert_eq!(require("  x ", "m"), Ok("x".to_owned()));
    assert_eq!(require(" ", "m"), Err("m".to_owned()));
}

#[test]
fn board_problems_as_lines() {
    let mut down = check("health.ciam-kratos", Scope::Ciam, Status::Down);
    down.name = "ciam-kratos".to_owned();
    down.detail = "HTTP 503".to_owned();
    let mut degraded = check("pg", Scope::Database, Status::Degraded);
    degraded.name = "postgres".to_owned();
    degraded.detail = "degraded".to_owned();
    let up = check("caddy", Scope::Edge, Status::Up);
    assert_eq!(
        not_up_lines(&[up.clone(), degraded, down]),
        ["ciam-kratos: down — HTTP 503", "postgres: degraded"]
    );
    assert!(not_up_lines(&[up]).is_empty());
}

#[test]
fn scope_edits_stay_canonical() {
    let mut scope = IncidentScope::default();
    set_domain(&mut scope, Domain::Iam, true);
    set_domain(&mut scope, Domain::Ciam, true);
    set_domain(&mut scope, Domain::Ciam, true);
    assert_eq!(scope.domains, [Domain::Ciam, Domain::Iam]);
    set_service(&mut scope, "postgres", true);
    set_service(&mut scope, "caddy", true);
    assert_eq!(scope.services, ["caddy", "postgres"]);
    set_service(&mut scope, "caddy", false);
    set_domain(&mut scope, Domain::Iam, false);
    assert_eq!(scope.services, ["postgres"]);
    assert_eq!(scope.domains, [Domain::Ciam]);
    let messy = IncidentScope {
        services: vec!["b".into(), "a".into(), "a".into()],
        domains: vec![Domain::Iam, Domain::Ciam],
        database: true,
        apps: false,
    };
    let tidy = normalized(&messy);
    assert_eq!(tidy.services, ["a", "b"]);
    assert_eq!(tidy.domains, [Domain::Ciam, Domain::Iam]);
    assert_eq!(channel_name(Some("  ")), "the incident channel");
}
