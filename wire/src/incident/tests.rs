use super::*;

#[test]
fn countdown_is_overdue_only_after_the_deadline() {
    assert_eq!(countdown(1_000, 16_000), Countdown::Left(15_000));
    assert_eq!(countdown(16_000, 16_000), Countdown::Left(0));
    assert_eq!(countdown(16_001, 16_000), Countdown::Overdue(1));
}

#[test]
fn clock_text_reads_like_a_timer() {
    assert_eq!(clock_text(15 * MINUTE_MS), "15:00");
    assert_eq!(clock_text(61_999), "1:02");
    assert_eq!(clock_text(1), "0:01", "a moment overdue is not 0:00");
    assert_eq!(clock_text(0), "0:00");
    assert_eq!(clock_text(2 * 3_600_000 + 5_000), "2:00:05");
    assert_eq!(clock_text(-5), "0:00");
}

#[test]
fn matrix_matches_the_playbook() {
    assert_eq!(Severity::Sev1.first_response_ms(), Some(15 * MINUTE_MS));
    assert_eq!(Severity::Sev2.first_response_ms(), Some(30 * MINUTE_MS));
    assert_eq!(Severity::Sev3.first_response_ms(), Some(120 * MINUTE_MS));
    assert_eq!(Severity::Sev4.first_response_ms(), None);
    assert!(Severity::Sev1 < Severity::Sev4, "most severe sorts first");
    assert_eq!(Severity::parse("SEV2"), Some(Severity::Sev2));
    assert_eq!(Severity::parse("sev5"), None);
}

#[test]
fn timeline_entries_are_flat_json_tagged_by_kind() {
    let e = TimelineEntry {
        seq: 3,
        incident_id: 1,
        at_ms: 5,
        actor: "ana".into(),
        kind: EntryKind::Note { text: "hi".into() },
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "note");
    assert_eq!(json["text"], "hi");
    assert_eq!(serde_json::from_value::<TimelineEntry>(json).unwrap(), e);
}

#[test]
fn overdue_flags_follow_phase_and_acknowledgement() {
    let mut i = IncidentSummary::declared(
        1,
        Declared {
            title: "t".into(),
            broken: "b".into(),
            severity: Severity::Sev1,
            compromise: false,
            scope: IncidentScope::default(),
            declared_by: "a".into(),
            declared_at_ms: 0,
            response_due_ms: 100,
            update_due_ms: Some(100),
        },
    );
    assert!(!i.response_overdue(100) && i.response_overdue(101));
    i.acknowledged_at_ms = Some(150);
    assert!(
        !i.response_overdue(200),
        "acknowledged late is late, not overdue any more"
    );
    assert!(i.update_overdue(101));
    i.phase = Phase::Resolved;
    assert!(
        !i.update_overdue(10_000),
        "a resolved incident owes no updates"
    );
}

#[test]
fn scope_summary_says_the_playbook_words() {
    let s = IncidentScope {
        services: vec!["ciam-kratos".into()],
        domains: vec![Domain::Ciam, Domain::Iam],
        database: true,
        apps: false,
    };
    assert_eq!(s.summary(), "both domains; database; ciam-kratos");
    assert_eq!(IncidentScope::default().summary(), "not yet identified");
}

#[test]
fn each_kind_names_its_serde_tag() {
    let scope = IncidentScope::default();
    let all = [
        EntryKind::Declared {
            title: "t".into(),
            broken: "b".into(),
            severity: Severity::Sev1,
            compromise: false,
        },
        EntryKind::Acknowledged,
        EntryKind::StatusUpdate {
            known: "k".into(),
            trying: String::new(),
            eta_minutes: 15,
        },
        EntryKind::SeverityChanged {
            from: Severity::Sev2,
            to: Severity::Sev1,
            reason: "r".into(),
        },
        EntryKind::ScopeChanged { scope },
        EntryKind::Note { text: "n".into() },
        EntryKind::Health {
            check_id: "c".into(),
            name: "c".into(),
            from: Status::Up,
            to: Status::Down,
            detail: String::new(),
        },
        EntryKind::Resolved {
            impact: "none".into(),
            override_reason: None,
            audit_head: None,
        },
    ];
    for kind in all {
        assert_eq!(serde_json::to_value(&kind).unwrap()["kind"], kind.tag());
    }
}

#[test]
fn enum_names_are_the_serde_names() {
    let serde_name = |v: serde_json::Value| v.as_str().map(str::to_owned);
    for phase in [Phase::Declared, Phase::Acknowledged, Phase::Resolved] {
        let json = serde_json::to_value(phase).ok().and_then(serde_name);
        assert_eq!(json.as_deref(), Some(phase.as_str()));
    }
    for state in [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
    ] {
        let json = serde_json::to_value(state).ok().and_then(serde_name);
        assert_eq!(json.as_deref(), Some(state.as_str()));
    }
    for scope in crate::Scope::ALL {
        let json = serde_json::to_value(scope).ok().and_then(serde_name);
        assert_eq!(json.as_deref(), Some(scope.as_str()));
    }
    for role in crate::Role::ALL {
        let json = serde_json::to_value(role).ok().and_then(serde_name);
        assert_eq!(json.as_deref(), Some(role.as_str()));
        assert!(role.label().eq_ignore_ascii_case(role.as_str()));
    }
}
