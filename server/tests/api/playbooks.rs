//! Walkthroughs over HTTP: started from an incident, stepped through in order, resumed from any
//! client at the same step, refused out of turn or on a resolved incident.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use wire::{Role, RunInfo, StepOutcome, Written};

use super::support::{call, get, signed_in, start, Running};

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
