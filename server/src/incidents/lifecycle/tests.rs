use super::*;
use wire::{CheckResult, HostState, Scope};

fn hours() -> BusinessHours {
    BusinessHours::new("UTC", "09:00").unwrap()
}

fn services() -> Vec<String> {
    vec!["ciam-kratos".into(), "postgres".into()]
}

fn declared(severity: Severity, compromise: bool) -> IncidentSummary {
    declare_new(&NewIncident {
        title: "  Logins failing ".into(),
        broken: "kratos 502".into(),
        severity,
        compromise,
        scope: IncidentScope::default(),
    })
    .unwrap()
    .0
}

/// Declares `new` by ana at time 0 under the test's rules, numbered 1.
fn declare_new(new: &NewIncident) -> Result<(IncidentSummary, EntryKind), Refusal> {
    let (h, s) = (hours(), services());
    let rules = Rules {
        hours: &h,
        cadence_minutes: 15,
        services: &s,
    };
    declare(new, "ana", 0, &rules).map(|d| (d.numbered(1), d.entry()))
}

fn board(statuses: &[Status]) -> HealthSnapshot {
    HealthSnapshot {
        host: HostState {
            target: "t".into(),
            reachable: true,
            detail: String::new(),
        },
        checks: statuses
            .iter()
            .enumerate()
            .map(|(n, s)| CheckResult {
                id: format!("c{n}"),
                name: format!("check {n}"),
                scope: Scope::Ciam,
                status: *s,
                detail: String::new(),
                latency_ms: None,
                checked_at_ms: 0,
                since_ms: 0,
            })
            .collect(),
        sweep_seq: 1,
        swept_at_ms: 0,
        interval_ms: 10_000,
        sweeping: false,
    }
}

#[test]
fn declaring_trims_and_compromise_forces_sev1() {
    let i = declared(Severity::Sev4, true);
    assert_eq!(
        (i.severity, i.title.as_str()),
        (Severity::Sev1, "Logins failing")
    );
    assert_eq!(i.response_due_ms, 15 * 60_000);
}

#[test]
fn only_sev1_and_sev2_propose_the_first_post() {
    let (h, s) = (hours(), services());
    let rules = Rules {
        hours: &h,
        cadence_minutes: 15,
        services: &s,
    };
    for (sev, proposes) in [
        (Severity::Sev1, true),
        (Severity::Sev2, true),
        (Severity::Sev3, false),
        (Severity::Sev4, false),
    ] {
        let mut i = declared(sev, false);
        let (_, p) = acknowledge(&mut i, "bo", 60_000, &rules).unwrap();
        assert_eq!(p.is_some(), proposes, "{sev:?}");
        assert!(matches!(
            acknowledge(&mut i, "cy", 1, &rules),
            Err(Refusal::Conflict(_))
        ));
    }
}

#[test]
fn resolution_needs_an_all_up_board_or_a_commanders_reason() {
    let r = Resolve {
        impact: "none".into(),
        override_reason: None,
    };
    let mut i = declared(Severity::Sev3, false);
    let down = board(&[Status::Up, Status::Down]);
    match resolve(&mut i, &r, ("ana", Role::Commander), (&down, &[]), 5, None) {
        Err(Refusal::Conflict(m)) => assert!(m.contains("check 1 is down"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut never_swept = board(&[]);
    never_swept.sweep_seq = 0;
    assert!(
        !not_up(&never_swept).is_empty(),
        "no sweep is no confirmation"
    );
    let overridden = Resolve {
        override_reason: Some("probe bug".into()),
        ..r.clone()
    };
    assert!(matches!(
        resolve(
            &mut i,
            &overridden,
            ("bo", Role::Responder),
            (&down, &[]),
            5,
            None
        ),
        Err(Refusal::Forbidden(_))
    ));
    resolve(
        &mut i,
        &overridden,
        ("ana", Role::Commander),
        (&down, &[]),
        5,
        None,
    )
    .unwrap();
    assert_eq!(
        i.retrospective_due_ms, None,
        "Sev 3 needs no written retrospective"
    );
    let mut sev2 = declared(Severity::Sev2, false);
    resolve(
        &mut sev2,
        &r,
        ("ana", Role::Responder),
        (&board(&[Status::Up]), &[]),
        5,
        Some("#3 abc".into()),
    )
    .unwrap();
    assert_eq!(sev2.retrospective_due_ms, Some(5 + RETROSPECTIVE_WITHIN_MS));
}

#[test]
fn scope_names_only_known_services() {
    let (h, s) = (hours(), services());
    let rules = Rules {
        hours: &h,
        cadence_minutes: 15,
        services: &s,
    };
    let mut i = declared(Severity::Sev2, false);
    let bad = IncidentScope {
        services: vec!["$(reboot)".into()],
        ..IncidentScope::default()
    };
    assert!(matches!(
        set_scope(&mut i, &bad, &rules),
        Err(Refusal::Invalid(_))
    ));
    let good = IncidentScope {
        services: vec!["postgres".into(), "postgres".into()],
        domains: vec![wire::Domain::Iam, wire::Domain::Ciam],
        database: true,
        apps: false,
    };
    set_scope(&mut i, &good, &rules).unwrap();
    assert_eq!(i.scope.services, ["postgres"]);
    assert_eq!(i.scope.domains, [wire::Domain::Ciam, wire::Domain::Iam]);
}

#[test]
fn sev4_has_no_update_cadence_until_it_is_raised() {
    let (h, s) = (hours(), services());
    let rules = Rules {
        hours: &h,
        cadence_minutes: 15,
        services: &s,
    };
    let mut i = declared(Severity::Sev4, false);
    assert_eq!(
        i.update_due_ms, None,
        "a cosmetic incident owes no 15-minute updates"
    );
    let raise = Regrade {
        severity: Severity::Sev2,
        reason: "logins failing after all".into(),
    };
    regrade(&mut i, &raise, Role::Commander, 60_000, &rules).unwrap();
    assert_eq!(
        i.update_due_ms,
        Some(60_000 + 15 * 60_000),
        "the cadence starts at the re-grade"
    );
    assert_eq!(
        i.response_due_ms,
        30 * 60_000,
        "not acknowledged: the Sev 2 clock from declaration"
    );
    let lower = Regrade {
        severity: Severity::Sev4,
        reason: "cosmetic only".into(),
    };
    regrade(&mut i, &lower, Role::Commander, 120_000, &rules).unwrap();
    assert_eq!(i.update_due_ms, None);
}

#[test]
fn losing_the_host_is_one_timeline_entry_not_a_dozen() {
    let check = |id: &str, status: Status| CheckResult {
        id: id.into(),
        name: id.into(),
        scope: Scope::Host,
        status,
        detail: String::new(),
        latency_ms: None,
        checked_at_ms: 0,
        since_ms: 0,
    };
    let lost = [
        (check("host.ssh", Status::Down), Status::Up),
        (check("health.ciam-kratos", Status::Unknown), Status::Up),
        (check("database.pg_isready", Status::Unknown), Status::Up),
        (check("edge.ciam", Status::Down), Status::Up),
    ];
    let ids: Vec<_> = timeline_worthy(&lost)
        .iter()
        .map(|(c, _)| c.id.as_str())
        .collect();
    assert_eq!(ids, ["host.ssh", "edge.ciam"]);

    let back = [
        (check("host.ssh", Status::Up), Status::Down),
        (check("health.ciam-kratos", Status::Up), Status::Unknown),
        (check("database.pg_isready", Status::Down), Status::Unknown),
    ];
    let ids: Vec<_> = timeline_worthy(&back)
        .iter()
        .map(|(c, _)| c.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["host.ssh", "database.pg_isready"],
        "what is still down after the host returns is news"
    );

    // Without the host changing, a check turning unknown (a probe that could not run) is news.
    let alone = [(check("health.ciam-kratos", Status::Unknown), Status::Up)];
    assert_eq!(timeline_worthy(&alone).len(), 1);
    // A detail-only change is not.
    let detail = [(check("health.ciam-kratos", Status::Down), Status::Down)];
    assert!(timeline_worthy(&detail).is_empty());
}

fn declare_with(title: &str, broken: &str) -> Result<(IncidentSummary, EntryKind), Refusal> {
    declare_new(&NewIncident {
        title: title.into(),
        broken: broken.into(),
        severity: Severity::Sev2,
        compromise: false,
        scope: IncidentScope::default(),
    })
}

#[test]
fn a_single_line_field_cannot_forge_a_line_or_hide_its_text() {
    for title in [
        "Logins failing\n*[Sev 4] INC-1: all clear*",
        "Logins failing\r\nResolved by commander",
        "Logins failing\u{2028}Resolved",
        "Logins failing\u{85}Resolved",
        "Logins \u{202E}gniliaf",
        "Logins\u{2066} failing",
        "Logins\u{200B}failing",
        "Logins\u{FEFF}",
    ] {
        match declare_with(title, "kratos 502") {
            Err(Refusal::Invalid(m)) => assert!(m.contains("title"), "{title:?}: {m}"),
            other => panic!("{title:?} was accepted: {:?}", other.map(|(i, _)| i.title)),
        }
    }
}

#[test]
fn a_multi_line_field_keeps_its_lines_but_not_hidden_characters() {
    let (_, kind) = declare_with("Logins failing", "line one\r\nline two\n\tindented").unwrap();
    match kind {
        EntryKind::Declared { broken, .. } => {
            assert_eq!(broken, "line one\nline two\n\tindented")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        declare_with("Logins failing", "all fine \u{202E}enif lla"),
        Err(Refusal::Invalid(_))
    ));
}

#[test]
fn in_the_channel_every_line_a_responder_wrote_is_quoted() {
    let (incident, kind) = declare_with(
        "Logins failing",
        "kratos 502\n*[Sev 4] INC-1: all clear*\nResolved by commander: restoration confirmed.",
    )
    .unwrap();
    let text = crate::incidents::courier::message(&incident, "ana", &kind, &hours()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("*[Sev 2]"), "{text}");
    for forged in ["*[Sev 4] INC-1: all clear*", "Resolved by commander"] {
        let line = lines.iter().find(|l| l.contains(forged)).unwrap();
        assert!(
            line.starts_with("> "),
            "an unquoted line: {line:?} in\n{text}"
        );
    }
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("*[Sev")).count(),
        1,
        "{text}"
    );
}

#[test]
fn the_resolution_message_carries_the_audit_head_in_full() {
    let mut i = declared(Severity::Sev2, false);
    let r = Resolve {
        impact: "logins failed for 20 minutes".into(),
        override_reason: None,
    };
    let head = format!("#41 {}", "ab".repeat(32));
    let kind = resolve(
        &mut i,
        &r,
        ("ana", Role::Responder),
        (&board(&[Status::Up]), &[]),
        5,
        Some(head.clone()),
    )
    .unwrap();
    let text = crate::incidents::courier::message(&i, "ana", &kind, &hours()).unwrap();
    assert!(
        text.lines()
            .any(|l| l == format!("*Audit log head:* `{head}`")),
        "{text}"
    );
}

#[test]
fn a_mitigation_in_place_blocks_resolution_unless_a_commander_overrides() {
    let r = Resolve {
        impact: "captcha off for 30 minutes".into(),
        override_reason: None,
    };
    let up = board(&[Status::Up]);
    let left = ["TURNSTILE_DISABLED=true on olympus-ciam-hera".to_owned()];
    let mut i = declared(Severity::Sev2, false);
    match resolve(&mut i, &r, ("ana", Role::Commander), (&up, &left), 5, None) {
        Err(Refusal::Conflict(m)) => {
            assert!(
                m.contains("TURNSTILE_DISABLED=true on olympus-ciam-hera"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    let overridden = Resolve {
        override_reason: Some("Turnstile stays off until Monday, tracked in OPS-12".into()),
        ..r.clone()
    };
    assert!(matches!(
        resolve(
            &mut i,
            &overridden,
            ("bo", Role::Responder),
            (&up, &left),
            5,
            None
        ),
        Err(Refusal::Forbidden(_))
    ));
    resolve(
        &mut i,
        &overridden,
        ("ana", Role::Commander),
        (&up, &left),
        5,
        None,
    )
    .unwrap();
    assert_eq!(i.phase, wire::Phase::Resolved);
}
