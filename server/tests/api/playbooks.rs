//! Walkthroughs over HTTP: started from an incident, stepped through in order, resumed from any
//! client at the same step, refused out of turn or on a resolved incident.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use wire::{EntryKind, IncidentDetail, Role, RunInfo, ServerMsg, StepOutcome, Written};

use super::support::{call, get, next_msg, signed_in, start, ws_as, Running};

/// The walkthrough lines of an incident's timeline as `who` sees them: (step, did, note).
async fn walkthrough_lines(
    g: &Running,
    who: &(Client, String),
    id: i64,
) -> Vec<(String, String, String)> {
    let detail: IncidentDetail = get(g, who, &format!("/api/incidents/{id}")).await;
    detail
        .timeline
        .into_iter()
        .filter_map(|e| match e.kind {
            EntryKind::Walkthrough {
                step, did, note, ..
            } => Some((step, did, note)),
            _ => None,
        })
        .collect()
}

async fn declare(g: &Running, who: &(Client, String)) -> i64 {
    let (status, body) = call(
        g,
        who,
        Method::POST,
        "/api/incidents",
        json!({"title": "Every Kratos logs TLS errors", "broken": "logins", "severity": "sev1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value::<Written>(body).unwrap().incident.id
}

async fn step(
    g: &Running,
    who: &(Client, String),
    incident: i64,
    run: i64,
    body: Value,
) -> (StatusCode, Value) {
    call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{incident}/playbooks/{run}/steps"),
        body,
    )
    .await
}

#[tokio::test]
async fn a_walkthrough_goes_step_by_step_and_resumes_anywhere() {
    let g = start().await;
    let ana = signed_in(&g, Role::Responder).await;
    let bo = signed_in(&g, Role::Commander).await;
    let id = declare(&g, &ana).await;
    let runs_path = format!("/api/incidents/{id}/playbooks");

    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &runs_path,
        json!({"playbook": "database-tls"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let run: RunInfo = serde_json::from_value(body).unwrap();
    assert_eq!(run.current.as_deref(), Some("logs"));
    assert_eq!(run.started_by, "responder");

    // Out of turn: refused, saying where the walkthrough is.
    let (status, body) = step(
        &g,
        &ana,
        id,
        run.id,
        json!({"step": "expired", "outcome": {"chose": 0}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("Do Kratos and Hydra log"),
        "{body}"
    );
    // A skip needs a reason.
    let (status, body) = step(
        &g,
        &ana,
        id,
        run.id,
        json!({"step": "logs", "outcome": "skipped"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = step(
        &g,
        &ana,
        id,
        run.id,
        json!({"step": "logs", "outcome": "skipped", "note": "  logs were rotated away  "}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A note obeys the incident notes' rules: no hidden characters, secrets masked.
    let (status, body) = step(
        &g,
        &ana,
        id,
        run.id,
        json!({"step": "certificate", "outcome": "skipped", "note": "x\u{202e}y"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap_or("").contains("invisible"),
        "{body}"
    );

    // Another responder, another device: the same place.
    let runs: Vec<RunInfo> = get(&g, &bo, &runs_path).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].current.as_deref(), Some("certificate"));
    assert_eq!(
        runs[0].records[0].note.as_deref(),
        Some("logs were rotated away")
    );
    assert_eq!(runs[0].records[0].by, "responder");

    let (status, _) = step(
        &g,
        &bo,
        id,
        run.id,
        json!({"step": "certificate", "outcome": "skipped", "note": "no openssl here"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // No probe result: nothing is recommended, and any choice is not an override.
    let (status, body) = step(
        &g,
        &bo,
        id,
        run.id,
        json!({"step": "expired", "outcome": {"chose": 0}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let run: RunInfo = serde_json::from_value(body).unwrap();
    assert_eq!(run.current.as_deref(), Some("rotate"));
    assert_eq!(
        run.records[2].outcome,
        StepOutcome::Chose {
            branch: 0,
            overridden: false
        }
    );
    let (status, body) = step(
        &g,
        &bo,
        id,
        run.id,
        json!({"step": "rotate", "outcome": "checked"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let run: RunInfo = serde_json::from_value(body).unwrap();
    assert_eq!(run.current, None, "finished");

    // The timeline tells the story; stakeholders read it without the responders' notes.
    let lines = walkthrough_lines(&g, &ana, id).await;
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0], (String::new(), "started".into(), String::new()));
    assert_eq!(
        lines[1],
        (
            "Do Kratos and Hydra log TLS handshake failures?".into(),
            "skipped".into(),
            "logs were rotated away".into()
        )
    );
    assert_eq!(lines[3].1, "chose “Expired: rotate the certificate”");
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    let public = walkthrough_lines(&g, &stakeholder, id).await;
    assert_eq!(public.len(), 5);
    assert!(
        public.iter().all(|(_, _, note)| note.is_empty()),
        "{public:?}"
    );
}

#[tokio::test]
async fn every_viewer_sees_a_walkthrough_move_live() {
    let g = start().await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let mut watching = ws_as(&g, Role::Stakeholder).await;
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/playbooks"),
        json!({"playbook": "captcha-down"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let entry = loop {
        if let ServerMsg::Entry { entry } = next_msg(&mut watching).await {
            if matches!(entry.kind, EntryKind::Walkthrough { .. }) {
                break entry;
            }
        }
    };
    assert_eq!(entry.incident_id, id);
    let EntryKind::Walkthrough { playbook, did, .. } = entry.kind else {
        unreachable!()
    };
    assert_eq!(
        (playbook.as_str(), did.as_str()),
        ("Captcha entirely down (Turnstile API failures)", "started")
    );
}

#[tokio::test]
async fn unknown_playbooks_runs_and_incidents_are_404_and_a_resolved_incident_409() {
    let g = start().await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let runs_path = format!("/api/incidents/{id}/playbooks");
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &runs_path,
        json!({"playbook": "yoga"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("no playbook `yoga`"),
        "{body}"
    );
    let (status, _) = call(
        &g,
        &ana,
        Method::POST,
        "/api/incidents/999/playbooks",
        json!({"playbook": "captcha-down"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = step(&g, &ana, id, 77, json!({"step": "x", "outcome": "done"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &runs_path,
        json!({"playbook": "captcha-down", "extra": 1}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {body}"
    );

    // The fake host's board is not all up: the commander resolves over it.
    let bo = signed_in(&g, Role::Commander).await;
    let (status, body) = call(
        &g,
        &bo,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "none", "override_reason": "drill"}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &runs_path,
        json!({"playbook": "captcha-down"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap_or("").contains("resolved"),
        "{body}"
    );
}

/// A host whose Kratos has a cookie secret (`secret`) and logs TLS failures; the board's sweep
/// sees nothing (`[]`).
fn kratos_host(secret: &'static str) -> std::sync::Arc<server::remote::fake::FakeHost> {
    use server::remote::fake::{ok, FakeHost};
    std::sync::Arc::new(FakeHost::new(move |cmd| {
        let args = cmd.args().join(" ");
        if args.starts_with("exec olympus-ciam-kratos env") {
            ok(&format!(
                "PATH=/bin\nSECRETS_COOKIE={secret}\nDSN=postgres://kratos:hunter2@db/kratos\n"
            ))
        } else if args.starts_with("logs --tail 500 --since 30m olympus-ciam-kratos") {
            ok("{\"msg\":\"csrf\",\"reject_reason\":\"The request was made over HTTP\",\"dsn\":\"postgres://k:hunter2@db/k\"}\nsecurity_csrf_violation seen\n")
        } else {
            ok("[]")
        }
    }))
}

async fn with_kratos(secret: &'static str, dir: tempfile::TempDir) -> Running {
    let mut settings = super::support::settings(dir.path());
    settings.services = vec![server::config::ServiceSettings {
        name: "ciam-kratos".into(),
        scope: wire::Scope::Ciam,
        container: server::values::ContainerName::parse("olympus-ciam-kratos").unwrap(),
        health_url: server::values::HttpUrl::parse("http://127.0.0.1:4433/health/alive").unwrap(),
        admin_url: None,
        flags_env_file: None,
        redeploy: None,
    }];
    super::support::start_full(
        dir,
        settings,
        kratos_host(secret),
        std::sync::Arc::new(server::clock::SystemClock),
    )
    .await
}

#[tokio::test]
async fn probes_run_on_the_host_and_show_fingerprints_never_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let g = with_kratos("first-cookie-secret-value", dir).await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let (_, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/playbooks"),
        json!({"playbook": "csrf-violation"}),
    )
    .await;
    let run: RunInfo = serde_json::from_value(body).unwrap();
    let probe = |step: &'static str| {
        let (g, ana) = (&g, &ana);
        async move {
            call(
                g,
                ana,
                Method::POST,
                &format!("/api/incidents/{id}/playbooks/{}/steps/{step}/run", run.id),
                Value::Null,
            )
            .await
        }
    };
    let (status, body) = probe("cookie-env").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("first-cookie-secret-value") && !text.contains("hunter2"),
        "{text}"
    );
    let after: RunInfo = serde_json::from_value(body).unwrap();
    assert_eq!(after.current.as_deref(), Some("violations"));
    let StepOutcome::Probed(first) = &after.records[0].outcome else {
        panic!("{:?}", after.records[0])
    };
    assert_eq!(first.details.len(), 1);
    assert!(
        first.details[0].starts_with("SECRETS_COOKIE = fingerprint "),
        "{:?}",
        first.details
    );

    let (status, body) = probe("violations").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.to_string().contains("hunter2"), "{body}");
    let after: RunInfo = serde_json::from_value(body).unwrap();
    let StepOutcome::Probed(logs) = &after.records[1].outcome else {
        panic!("{:?}", after.records[1])
    };
    assert!(
        logs.summary
            .contains("Kratos says: The request was made over HTTP"),
        "{}",
        logs.summary
    );
    // The decision has a result to go on: the secret did not change.
    assert_eq!(after.current.as_deref(), Some("secret-changed"));
    assert_eq!(after.recommended, Some(1));

    // The secret rotates; a gateway restarted on the same data sees the change.
    // The fingerprint key lives in the data directory, which moves with the database.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir2.path().join("data")).unwrap();
    for f in ["aegis.db", "aegis.db-wal", "fingerprint.key"] {
        let from = data.join("data").join(f);
        if from.exists() {
            std::fs::copy(from, dir2.path().join("data").join(f)).unwrap();
        }
    }
    drop(g);
    let g = with_kratos("second-cookie-secret-value", dir2).await;
    let ana = signed_in(&g, Role::Responder).await;
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!(
            "/api/incidents/{id}/playbooks/{}/steps/cookie-env/run",
            run.id
        ),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after: RunInfo = serde_json::from_value(body).unwrap();
    assert_eq!(
        after.current.as_deref(),
        Some("secret-changed"),
        "a re-run does not move the run"
    );
    assert_eq!(after.recommended, Some(0), "changed: revert the secret");
    let StepOutcome::Probed(second) = &after.records[2].outcome else {
        panic!("{:?}", after.records[2])
    };
    assert_ne!(second.details, first.details);
    assert!(
        second.summary.contains("changed since the last look"),
        "{}",
        second.summary
    );
}

#[tokio::test]
async fn every_probe_run_is_audited_and_the_resolution_carries_the_chain_head() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let g = with_kratos("audited-cookie-secret", dir).await;
    let ana = signed_in(&g, Role::Responder).await;
    let bo = signed_in(&g, Role::Commander).await;
    let id = declare(&g, &ana).await;
    let (_, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/playbooks"),
        json!({"playbook": "csrf-violation"}),
    )
    .await;
    let run: RunInfo = serde_json::from_value(body).unwrap();
    let path = |step: &str| format!("/api/incidents/{id}/playbooks/{}/steps/{step}/run", run.id);
    let (status, body) = call(&g, &ana, Method::POST, &path("cookie-env"), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Out of turn: refused, and the refusal is on the record too.
    let (status, _) = call(&g, &ana, Method::POST, &path("no-such-step"), Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let page: wire::AuditPage = get(&g, &bo, &format!("{}?incident={id}", wire::AUDIT_PATH)).await;
    assert_eq!(page.entries.len(), 2, "{page:?}");
    let (refusal, probe) = (&page.entries[0], &page.entries[1]);
    assert_eq!(refusal.record.kind, wire::AuditKind::Refusal);
    assert!(refusal.record.detail.contains("no step"), "{refusal:?}");
    assert_eq!(probe.record.kind, wire::AuditKind::Probe);
    assert_eq!(probe.record.actor, "responder");
    assert_eq!(probe.record.incident_id, Some(id));
    let sent = &probe.record.commands[0];
    assert_eq!(
        sent.argv[..4],
        ["timeout", "-k", "1", "8"].map(String::from),
        "the argv as sent, remote timeout included"
    );
    assert!(
        sent.argv.contains(&"olympus-ciam-kratos".to_string()),
        "{sent:?}"
    );
    assert_eq!(sent.exit, Some(0));
    let output = "PATH=/bin\nSECRETS_COOKIE=audited-cookie-secret\nDSN=postgres://kratos:hunter2@db/kratos\n";
    let mut h = Sha256::new();
    h.update(output.as_bytes());
    h.update([0u8]);
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        sent.output_sha256, digest,
        "the digest of the output as received"
    );
    assert!(
        !serde_json::to_string(&page)
            .unwrap()
            .contains("audited-cookie-secret"),
        "the output itself never leaves the gateway"
    );

    for who in [&ana, &signed_in(&g, Role::Stakeholder).await] {
        let (status, _) = call(&g, who, Method::GET, wire::AUDIT_PATH, Value::Null).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "commanders only");
    }

    let (status, body) = call(
        &g,
        &bo,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "none", "override_reason": "drill"}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    let head = page.head.unwrap().text();
    let detail: IncidentDetail = get(&g, &ana, &format!("/api/incidents/{id}")).await;
    let posted = detail.timeline.iter().find_map(|e| match &e.kind {
        EntryKind::Resolved { audit_head, .. } => audit_head.clone(),
        _ => None,
    });
    assert_eq!(posted, Some(head));
}
