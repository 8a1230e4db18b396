use super::*;
use wire::{FieldValue as Value, ProbeResult, StepOutcome as Outcome};

fn tls() -> Playbook {
    crate::playbooks::tests::shipped()
        .get("database-tls")
        .cloned()
        .unwrap()
}

fn record(step: &str, outcome: Outcome) -> Record {
    Record {
        step: step.into(),
        outcome,
        by: "ana".into(),
        at_ms: 1_000,
        note: None,
    }
}

fn certificate(expired: bool, days_left: i64) -> Outcome {
    Outcome::Probed(ProbeResult {
        fields: [
            ("reachable".to_owned(), Value::Flag(true)),
            ("expired".to_owned(), Value::Flag(expired)),
            ("days_left".to_owned(), Value::Number(days_left)),
            ("trusted".to_owned(), Value::Flag(!expired)),
            ("matches_name".to_owned(), Value::Flag(true)),
        ]
        .into_iter()
        .collect(),
        summary: if expired {
            "expired".into()
        } else {
            "valid".into()
        },
        details: Vec::new(),
    })
}

fn logs() -> Outcome {
    Outcome::Probed(ProbeResult {
        fields: [("matches".to_owned(), Value::Number(4))]
            .into_iter()
            .collect(),
        summary: "4 lines say TLS handshake failed".into(),
        details: Vec::new(),
    })
}

fn decision(p: &Playbook) -> &Step {
    p.steps.iter().find(|s| s.id == "expired").unwrap()
}

#[test]
fn an_expired_certificate_recommends_rotation_and_a_valid_one_looking_elsewhere() {
    let p = tls();
    let mut at = position(&p, 0, &[]);
    assert_eq!(at.current.as_deref(), Some("logs"));
    append(&p, &mut at, &record("logs", logs())).unwrap();
    append(&p, &mut at, &record("certificate", certificate(true, -2))).unwrap();
    assert_eq!(at.current.as_deref(), Some("expired"));
    assert_eq!(
        recommended(decision(&p), &at, 0),
        Some(0),
        "expired: rotate"
    );

    // Re-running the probe (the certificate was rotated) changes the recommendation.
    append(&p, &mut at, &record("certificate", certificate(false, 300))).unwrap();
    assert_eq!(
        at.current.as_deref(),
        Some("expired"),
        "a re-run does not move the run"
    );
    assert_eq!(
        recommended(decision(&p), &at, 0),
        Some(2),
        "valid: look elsewhere"
    );
    append(&p, &mut at, &record("certificate", certificate(false, 12))).unwrap();
    assert_eq!(
        recommended(decision(&p), &at, 0),
        Some(1),
        "under 30 days: rotate now"
    );

    append(
        &p,
        &mut at,
        &record(
            "expired",
            Outcome::Chose {
                branch: 0,
                overridden: false,
            },
        ),
    )
    .unwrap();
    assert_eq!(at.current.as_deref(), Some("rotate"));
    append(&p, &mut at, &record("rotate", Outcome::Checked)).unwrap();
    assert_eq!(at.current, None, "finished");
}

#[test]
fn a_run_replays_to_the_same_place() {
    let p = tls();
    let records = vec![
        record("logs", logs()),
        Record {
            at_ms: 5_000,
            ..record("certificate", certificate(true, -2))
        },
    ];
    let mut live = position(&p, 0, &[]);
    for r in &records {
        append(&p, &mut live, r).unwrap();
    }
    let replayed = position(&p, 0, &records);
    assert_eq!(replayed, live);
    assert_eq!(
        replayed.reached_at_ms, 5_000,
        "the decision was reached at the probe's time"
    );
}

#[test]
fn steps_out_of_turn_and_wrong_outcomes_are_refused_in_words() {
    let p = tls();
    let mut at = position(&p, 0, &[]);
    let err = append(
        &p,
        &mut at,
        &record(
            "expired",
            Outcome::Chose {
                branch: 0,
                overridden: false,
            },
        ),
    )
    .unwrap_err();
    assert!(
        err.0
            .contains("is at “Do Kratos and Hydra log TLS handshake failures?”"),
        "{err}"
    );
    let err = append(&p, &mut at, &record("logs", Outcome::Done)).unwrap_err();
    assert!(err.0.contains("a probe step: run it or skip it"), "{err}");
    let err = append(&p, &mut at, &record("nope", Outcome::Done)).unwrap_err();
    assert!(err.0.contains("`nope` is no step"), "{err}");
    let err = append(&p, &mut at, &record("logs", Outcome::Skipped)).unwrap_err();
    assert!(err.0.contains("say why"), "{err}");
    append(
        &p,
        &mut at,
        &Record {
            note: Some("logs rotated away".into()),
            ..record("logs", Outcome::Skipped)
        },
    )
    .unwrap();
    append(
        &p,
        &mut at,
        &record(
            "certificate",
            Outcome::ProbeFailed("connection refused".into()),
        ),
    )
    .unwrap();
    assert_eq!(
        at.current.as_deref(),
        Some("certificate"),
        "a failed probe stays current"
    );
    assert_eq!(recommended(decision(&p), &at, 0), None);
    append(&p, &mut at, &record("certificate", certificate(true, -1))).unwrap();
    let err = append(
        &p,
        &mut at,
        &record(
            "expired",
            Outcome::Chose {
                branch: 7,
                overridden: false,
            },
        ),
    )
    .unwrap_err();
    assert!(err.0.contains("choose one of its branches"), "{err}");
    let err = append(
        &p,
        &mut at,
        &Record {
            note: Some("no".into()),
            ..record("expired", Outcome::Skipped)
        },
    )
    .unwrap_err();
    assert!(
        err.0.contains("choose one of its branches"),
        "a decision cannot be skipped: {err}"
    );
    append(
        &p,
        &mut at,
        &record(
            "expired",
            Outcome::Chose {
                branch: 2,
                overridden: false,
            },
        ),
    )
    .unwrap();
    let err = append(&p, &mut at, &record("rotate", Outcome::Checked)).unwrap_err();
    assert_eq!(err.0, "the walkthrough is finished");
}

#[test]
fn the_first_response_reaches_its_five_minute_step_with_a_time() {
    let p = crate::playbooks::tests::shipped()
        .get("first-response")
        .cloned()
        .unwrap();
    let mut at = position(&p, 100, &[]);
    append(
        &p,
        &mut at,
        &Record {
            at_ms: 60_000,
            ..record("acknowledge", Outcome::Done)
        },
    )
    .unwrap();
    let step = p
        .steps
        .iter()
        .find(|s| Some(&s.id) == at.current.as_ref())
        .unwrap();
    assert_eq!(step.timer_minutes, Some(5));
    assert_eq!(at.reached_at_ms, 60_000, "the countdown runs from here");
    assert_eq!(at.countdown.map(|c| c.ends_at_ms), Some(360_000));
}

/// The spec's step 4: investigate while the five minutes run; once they are over without a root
/// cause, stop the bleed. The countdown keeps running over the steps after the one that set it.
#[test]
fn the_first_response_recommends_stopping_the_bleed_once_five_minutes_pass() {
    let p = crate::playbooks::tests::shipped()
        .get("first-response")
        .cloned()
        .unwrap();
    let board = Outcome::Probed(ProbeResult {
        fields: [("down".to_owned(), Value::Number(3))]
            .into_iter()
            .collect(),
        summary: "3 down".into(),
        details: Vec::new(),
    });
    let at = position(
        &p,
        0,
        &[
            Record {
                at_ms: 60_000,
                ..record("acknowledge", Outcome::Done)
            },
            Record {
                at_ms: 90_000,
                ..record("whats-broken", board)
            },
            Record {
                at_ms: 120_000,
                ..record("scope", Outcome::Done)
            },
        ],
    );
    assert_eq!(at.current.as_deref(), Some("investigate-or-stop"));
    assert_eq!(
        at.countdown.map(|c| c.ends_at_ms),
        Some(360_000),
        "from diagnosis, not from this step"
    );
    let step = p
        .steps
        .iter()
        .find(|s| s.id == "investigate-or-stop")
        .unwrap();
    let StepKind::Decision { branches, .. } = &step.kind else {
        panic!("a decision")
    };
    let investigate = recommended(step, &at, 359_999).unwrap();
    assert!(branches[investigate].label.starts_with("Investigate"));
    let stop = recommended(step, &at, 360_000).unwrap();
    assert_eq!(branches[stop].next.as_deref(), Some("stop-the-bleed"));
}
