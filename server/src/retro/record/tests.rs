use wire::{EntryKind, Severity, Status, MINUTE_MS};

use super::{draft, duration_text, late_updates, outages, record, Facts, LateUpdate, Outage};
use crate::retro::fixture::{at, facts, hours, incident, timeline, T0};

fn declared(severity: Severity) -> EntryKind {
    EntryKind::Declared {
        title: "Logins failing".into(),
        broken: "Some users cannot log in.".into(),
        severity,
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

fn regrade(from: Severity, to: Severity) -> EntryKind {
    EntryKind::SeverityChanged {
        from,
        to,
        reason: "worse than thought".into(),
    }
}

fn note(text: &str) -> EntryKind {
    EntryKind::Note { text: text.into() }
}

fn health(check_id: &str, from: Status, to: Status) -> EntryKind {
    EntryKind::Health {
        check_id: check_id.into(),
        name: format!("{check_id} check"),
        from,
        to,
        detail: String::new(),
    }
}

fn action(title: &str, did: &str) -> EntryKind {
    EntryKind::Action {
        title: title.into(),
        target: "ciam-kratos".into(),
        did: did.into(),
        reason: None,
    }
}

fn resolved() -> EntryKind {
    EntryKind::Resolved {
        impact: "Some logins failed.".into(),
        override_reason: None,
        audit_head: None,
    }
}

fn outage(check_id: &str, from_ms: i64, to_ms: Option<i64>) -> Outage {
    Outage {
        check_id: check_id.into(),
        name: format!("{check_id} check"),
        from_ms,
        to_ms,
    }
}

// The retrospective reads durations in the largest units that matter, never negative.
#[test]
fn duration_text_reads_minutes_hours_and_days() {
    let cases = [
        (0, "0 min"),
        (59_000, "0 min"),
        (4 * MINUTE_MS, "4 min"),
        (60 * MINUTE_MS, "1 h"),
        (72 * MINUTE_MS, "1 h 12 min"),
        ((47 * 60 + 59) * MINUTE_MS, "47 h 59 min"),
        (49 * 60 * MINUTE_MS, "2 d 1 h"),
        (-5 * MINUTE_MS, "0 min"),
    ];
    for (ms, text) in cases {
        assert_eq!(duration_text(ms), text, "{ms} ms");
    }
}

// Starred entries lead the record; nothing is dropped or repeated, the rest stay in time order.
#[test]
fn record_puts_starred_entries_first_and_keeps_every_entry_once() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(5), EntryKind::Acknowledged),
        (at(10), note("kratos logs show 502s")),
        (at(20), action("Restart a container", "done in 4.2 s")),
        (at(30), note("error rate back to normal")),
    ]);
    let h = hours();
    let f = Facts {
        stars: &[4, 2],
        ..facts(&i, &tl, &h)
    };
    let r = record(&f);
    let seqs: Vec<i64> = r.timeline.iter().map(|l| l.seq).collect();
    assert_eq!(seqs, [2, 4, 1, 3, 5]);
    let starred: Vec<bool> = r.timeline.iter().map(|l| l.starred).collect();
    assert_eq!(starred, [true, true, false, false, false]);
    assert!(r.timeline.iter().all(|l| !l.mitigation));
}

// The three durations a retrospective reports are measured from the declaration.
#[test]
fn record_measures_response_mitigation_and_resolution_from_declaration() {
    let mut i = incident(Severity::Sev2);
    i.acknowledged_at_ms = Some(at(12));
    i.resolved_at_ms = Some(at(95));
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(12), EntryKind::Acknowledged),
        (at(40), action("Restart a container", "done in 4.2 s")),
        (at(95), resolved()),
    ]);
    let h = hours();
    let f = Facts {
        mitigation: Some(3),
        ..facts(&i, &tl, &h)
    };
    let r = record(&f);
    assert_eq!(r.declared_at_ms, T0);
    assert_eq!(r.response_due_ms, at(30));
    assert_eq!(r.to_first_response_ms, Some(12 * MINUTE_MS));
    assert_eq!(r.to_mitigation_ms, Some(40 * MINUTE_MS));
    assert_eq!(r.to_resolution_ms, Some(95 * MINUTE_MS));
    let marked: Vec<i64> = r
        .timeline
        .iter()
        .filter(|l| l.mitigation)
        .map(|l| l.seq)
        .collect();
    assert_eq!(marked, [3]);
}

// A mitigation mark on an entry that is not in this timeline gives no time to mitigation.
#[test]
fn record_ignores_a_mitigation_mark_outside_the_timeline() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![(at(0), declared(Severity::Sev2)), (at(8), note("x"))]);
    let h = hours();
    let f = Facts {
        mitigation: Some(999),
        ..facts(&i, &tl, &h)
    };
    let r = record(&f);
    assert_eq!(r.to_mitigation_ms, None);
    assert_eq!(r.to_first_response_ms, None);
    assert_eq!(r.to_resolution_ms, None);
    assert!(r.timeline.iter().all(|l| !l.mitigation));
}

// Updates posted by the promised ETA (even at the exact minute) are not held against anyone.
#[test]
fn late_updates_none_when_every_update_is_on_time() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(5), EntryKind::Acknowledged),
        (at(14), update(20)),
        (at(34), update(15)),
        (at(45), resolved()),
    ]);
    let h = hours();
    assert_eq!(late_updates(&facts(&i, &tl, &h)), []);
}

// A late update is reported with when it was due and when it came.
#[test]
fn late_updates_reports_a_late_update_with_due_and_arrival() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(5), EntryKind::Acknowledged),
        (at(22), update(10)),
        (at(30), update(15)),
        (at(40), resolved()),
    ]);
    let h = hours();
    assert_eq!(
        late_updates(&facts(&i, &tl, &h)),
        [LateUpdate {
            due_ms: at(15),
            at_ms: Some(at(22)),
        }]
    );
}

// Sev 4 runs no update cadence, so silence until resolution is never late.
#[test]
fn late_updates_none_for_sev4_without_updates() {
    let i = incident(Severity::Sev4);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev4)),
        (at(60), EntryKind::Acknowledged),
        (at(180), note("renewed the certificate")),
        (at(240), resolved()),
    ]);
    let h = hours();
    assert_eq!(late_updates(&facts(&i, &tl, &h)), []);
}

// Sev 4 runs no update cadence even after a status update promised an ETA (as the lifecycle does).
#[test]
fn late_updates_none_for_sev4_with_updates() {
    let i = incident(Severity::Sev4);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev4)),
        (at(5), EntryKind::Acknowledged),
        (at(10), update(15)),
        (at(60), update(15)),
        (at(240), resolved()),
    ]);
    let h = hours();
    assert_eq!(late_updates(&facts(&i, &tl, &h)), []);
}

// Raising a Sev 4 to Sev 2 starts the cadence at the regrade, not at the declaration.
#[test]
fn late_updates_cadence_starts_at_regrade_from_sev4() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev4)),
        (at(5), EntryKind::Acknowledged),
        (at(60), regrade(Severity::Sev4, Severity::Sev2)),
        (at(80), update(15)),
        (at(90), resolved()),
    ]);
    let h = hours();
    assert_eq!(
        late_updates(&facts(&i, &tl, &h)),
        [LateUpdate {
            due_ms: at(75),
            at_ms: Some(at(80)),
        }]
    );
}

// Resolving while an update is overdue counts as a late update that never came.
#[test]
fn late_updates_counts_an_update_still_owed_at_resolution() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(5), EntryKind::Acknowledged),
        (at(10), update(15)),
        (at(40), resolved()),
    ]);
    let h = hours();
    assert_eq!(
        late_updates(&facts(&i, &tl, &h)),
        [LateUpdate {
            due_ms: at(25),
            at_ms: None,
        }]
    );
}

// A check that went down and came back is one outage with both ends.
#[test]
fn outages_down_then_up_is_one_outage() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(10), health("api", Status::Up, Status::Down)),
        (at(30), health("api", Status::Down, Status::Up)),
    ]);
    let h = hours();
    assert_eq!(
        outages(&facts(&i, &tl, &h)),
        [outage("api", at(10), Some(at(30)))]
    );
}

// Down, then degraded, then up is still one stretch of "not up", not two.
#[test]
fn outages_down_degraded_up_is_one_outage() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(10), health("api", Status::Up, Status::Down)),
        (at(20), health("api", Status::Down, Status::Degraded)),
        (at(30), health("api", Status::Degraded, Status::Up)),
    ]);
    let h = hours();
    assert_eq!(
        outages(&facts(&i, &tl, &h)),
        [outage("api", at(10), Some(at(30)))]
    );
}

// A check still down at the end of the record is open-ended and measured to that end.
#[test]
fn outages_still_down_at_the_end_is_measured_to_the_end() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(10), health("api", Status::Up, Status::Down)),
        (at(50), note("still down")),
    ]);
    let h = hours();
    let found = outages(&facts(&i, &tl, &h));
    assert_eq!(found, [outage("api", at(10), None)]);
    assert_eq!(found[0].length(at(50)), 40 * MINUTE_MS);
}

// Two checks failing at overlapping times each get their own outage, in order of start.
#[test]
fn outages_of_two_interleaved_checks_are_kept_apart() {
    let i = incident(Severity::Sev2);
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(10), health("api", Status::Up, Status::Down)),
        (at(15), health("db", Status::Up, Status::Degraded)),
        (at(20), health("api", Status::Down, Status::Up)),
        (at(40), health("db", Status::Degraded, Status::Up)),
    ]);
    let h = hours();
    assert_eq!(
        outages(&facts(&i, &tl, &h)),
        [
            outage("api", at(10), Some(at(20))),
            outage("db", at(15), Some(at(40))),
        ]
    );
}

// The draft's impact states the three durations and calls a missed first response late.
#[test]
fn draft_impact_names_durations_and_a_late_first_response() {
    let mut i = incident(Severity::Sev2);
    i.acknowledged_at_ms = Some(at(42));
    i.resolved_by = Some("bo".into());
    i.resolved_at_ms = Some(at(130));
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(42), EntryKind::Acknowledged),
        (at(42), update(15)),
        (at(70), note("error rate back to normal")),
        (at(130), resolved()),
    ]);
    let h = hours();
    let f = Facts {
        mitigation: Some(4),
        ..facts(&i, &tl, &h)
    };
    let d = draft(&f, &record(&f));
    assert!(
        d.impact
            .contains("Time to first response: 42 min (due within 30 min: late)"),
        "{}",
        d.impact
    );
    assert!(
        d.impact.contains("Time to mitigation: 1 h 10 min"),
        "{}",
        d.impact
    );
    assert!(
        d.impact.contains("Time to resolution: 2 h 10 min"),
        "{}",
        d.impact
    );
    assert!(
        d.went_badly.contains("First response after 42 min"),
        "{}",
        d.went_badly
    );
}

// A first response within the deadline is not called late and counts as going well.
#[test]
fn draft_on_time_first_response_is_not_late() {
    let mut i = incident(Severity::Sev2);
    i.acknowledged_at_ms = Some(at(12));
    i.resolved_by = Some("bo".into());
    i.resolved_at_ms = Some(at(20));
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(12), EntryKind::Acknowledged),
        (at(20), resolved()),
    ]);
    let h = hours();
    let f = facts(&i, &tl, &h);
    let d = draft(&f, &record(&f));
    assert!(
        d.impact
            .contains("Time to first response: 12 min (due within 30 min)\n"),
        "{}",
        d.impact
    );
    assert!(!d.impact.contains("late"), "{}", d.impact);
    assert!(
        d.went_well.contains("First response in 12 min"),
        "{}",
        d.went_well
    );
}

// Successful actions go to "went well"; failed ones and outages over 15 minutes to "went badly".
#[test]
fn draft_sorts_actions_and_long_outages_into_well_and_badly() {
    let mut i = incident(Severity::Sev2);
    i.acknowledged_at_ms = Some(at(5));
    i.resolved_by = Some("bo".into());
    i.resolved_at_ms = Some(at(60));
    let tl = timeline(vec![
        (at(0), declared(Severity::Sev2)),
        (at(5), EntryKind::Acknowledged),
        (at(5), update(15)),
        (at(10), health("api", Status::Up, Status::Down)),
        (at(12), health("db", Status::Up, Status::Down)),
        (at(15), action("Redeploy", "FAILED: image not found")),
        (at(16), action("Restart a container", "requested")),
        (at(17), health("db", Status::Down, Status::Up)),
        (
            at(18),
            action("Restart a container", "done in 4.2 s: Restarted"),
        ),
        (at(18), update(15)),
        (at(33), update(15)),
        (at(40), health("api", Status::Down, Status::Up)),
        (at(48), update(15)),
        (at(60), resolved()),
    ]);
    let h = hours();
    let f = facts(&i, &tl, &h);
    let d = draft(&f, &record(&f));
    assert!(
        d.went_well
            .contains("- Restart a container on ciam-kratos: done in 4.2 s: Restarted."),
        "{}",
        d.went_well
    );
    assert!(
        d.went_badly
            .contains("- Redeploy on ciam-kratos: FAILED: image not found."),
        "{}",
        d.went_badly
    );
    assert!(
        d.went_badly.contains("- api check was not up for 30 min."),
        "{}",
        d.went_badly
    );
    // Requested-only actions and a 5-minute outage are in neither list.
    for text in [&d.went_well, &d.went_badly] {
        assert!(!text.contains("requested"), "{text}");
        assert!(!text.contains("db check"), "{text}");
    }
    assert!(!d.went_well.contains("FAILED"), "{}", d.went_well);
    assert!(!d.went_badly.contains("done in"), "{}", d.went_badly);
}
