//! Actions over HTTP against a scripted host that answers like Kratos's admin API and podman:
//! planning, confirmation, the second commander's approval (password, plan hash, expiry, never the
//! requester), break-glass, rate limits, and refusals of every malformed value.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use server::remote::fake::{exit, ok, FakeHost};
use server::remote::RemoteCommand;
use wire::{
    ActionPlan, ActionRequestInfo, AuditKind, AuditPage, EntryKind, IncidentActions,
    IncidentDetail, RequestAnswer, RequestState, Role, Written,
};

use super::support::{call, get, signed_in, start_full, Running, PASSWORD};

/// A Kratos with identities and sessions, and a podman that restarts containers.
#[derive(Default)]
struct Host {
    /// identity id -> active sessions
    sessions: BTreeMap<String, u32>,
    /// every DELETE of an identity's sessions, in order
    deleted: Vec<String>,
    restarts: u32,
}

fn http(status: u16, headers: &[(&str, String)], body: &str) -> String {
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("\r\n{body}"));
    out
}

fn answer(
    host: &Mutex<Host>,
    cmd: &RemoteCommand,
) -> Result<server::remote::RemoteOutput, server::remote::RemoteError> {
    let args = cmd.args();
    let mut h = host.lock().unwrap();
    match cmd.program() {
        "podman" if args.first().map(String::as_str) == Some("inspect") => {
            ok("running 2026-12-03T00:10:04.123Z\n")
        }
        "podman" if args.first().map(String::as_str) == Some("restart") => {
            h.restarts += 1;
            ok(&format!("{}\n", args.last().unwrap()))
        }
        "curl" if args.iter().any(|a| a == "DELETE") && args.iter().any(|a| a == "-w") => {
            // One DELETE per URL.
            let mut out = String::new();
            for url in args.iter().filter(|a| a.starts_with("http://")) {
                let id = url.split('/').nth(5).unwrap_or("").to_string();
                h.deleted.push(id.clone());
                let had = h.sessions.insert(id, 0).unwrap_or(0);
                out.push_str(if had > 0 { "204\n" } else { "404\n" });
            }
            ok(&out)
        }
        "curl" => {
            let url = args.last().unwrap().clone();
            if !url.starts_with("http://127.0.0.1:4434") {
                return ok("200 0.01");
            }
            let path = url.trim_start_matches("http://127.0.0.1:4434");
            if path.starts_with("/admin/identities?") {
                let ids: Vec<Value> = h
                    .sessions
                    .keys()
                    .map(|id| json!({"id": id, "state": "active"}))
                    .collect();
                ok(&http(200, &[], &Value::Array(ids).to_string()))
            } else if path.starts_with("/admin/sessions?active=true") {
                let n: u32 = h.sessions.values().sum();
                ok(&http(200, &[("X-Total-Count", n.to_string())], "[]"))
            } else {
                ok(&http(404, &[], "{}"))
            }
        }
        _ => exit(127, "", "not scripted"),
    }
}

async fn console(allow_break_glass: bool) -> (Running, Arc<Mutex<Host>>, Arc<FakeHost>) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = super::support::settings(dir.path());
    settings.services = vec![server::config::ServiceSettings {
        name: "ciam-kratos".into(),
        scope: wire::Scope::Ciam,
        container: server::values::ContainerName::parse("olympus-ciam-kratos").unwrap(),
        health_url: server::values::HttpUrl::parse("http://127.0.0.1:4433/health/alive").unwrap(),
        admin_url: Some(server::values::HttpUrl::parse("http://127.0.0.1:4434").unwrap()),
        flags_env_file: None,
        redeploy: None,
    }];
    settings.actions.allow_self_approval_with_reason = allow_break_glass;
    let state = Arc::new(Mutex::new(Host::default()));
    for i in 0..5u32 {
        state
            .lock()
            .unwrap()
            .sessions
            .insert(format!("00000000-0000-4000-8000-00000000000{i}"), i % 3);
    }
    let s = state.clone();
    let host = Arc::new(FakeHost::new(move |cmd| answer(&s, cmd)));
    let g = start_full(
        dir,
        settings,
        host.clone(),
        Arc::new(server::clock::SystemClock),
    )
    .await;
    g.state
        .accounts
        .create("cleo", Role::Commander, PASSWORD)
        .await
        .unwrap();
    (g, state, host)
}

async fn as_user(g: &Running, name: &str) -> (Client, String) {
    let c = super::support::client(g);
    let me = super::support::login(g, &c, name).await;
    (c, me.csrf_token)
}

async fn declare(g: &Running, who: &(Client, String)) -> i64 {
    let (status, body) = call(
        g,
        who,
        Method::POST,
        "/api/incidents",
        json!({"title": "Credential stuffing", "broken": "accounts taken over", "severity": "sev1", "compromise": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value::<Written>(body).unwrap().incident.id
}

async fn plan(
    g: &Running,
    who: &(Client, String),
    id: i64,
    action: &str,
    params: Value,
) -> (StatusCode, Value) {
    call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{id}/actions/plan"),
        json!({"action": action, "params": params}),
    )
    .await
}

async fn request(
    g: &Running,
    who: &(Client, String),
    id: i64,
    p: &ActionPlan,
    confirm: Option<&str>,
) -> (StatusCode, Value) {
    call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{id}/actions"),
        json!({"action": p.action, "params": p.params, "plan_hash": p.hash, "confirm": confirm}),
    )
    .await
}

async fn approve(
    g: &Running,
    who: &(Client, String),
    id: i64,
    req: i64,
    hash: &str,
    password: &str,
    reason: Option<&str>,
) -> (StatusCode, Value) {
    call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{id}/actions/{req}/approve"),
        json!({"plan_hash": hash, "password": password, "reason": reason}),
    )
    .await
}

/// Polls the incident's requests until `req` is final (the run is in its own task).
async fn finished(g: &Running, who: &(Client, String), id: i64, req: i64) -> ActionRequestInfo {
    for _ in 0..200 {
        let list: IncidentActions = get(g, who, &format!("/api/incidents/{id}/actions")).await;
        let r = list.requests.into_iter().find(|r| r.id == req).unwrap();
        if r.state.is_final() {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("request {req} did not finish");
}

#[tokio::test]
async fn a_mass_revocation_runs_only_after_a_second_commander_approves_the_exact_plan() {
    let (g, host, fake) = console(false).await;
    let ana = signed_in(&g, Role::Responder).await;
    let bo = signed_in(&g, Role::Commander).await;
    let cleo = as_user(&g, "cleo").await;
    let viewer = signed_in(&g, Role::Stakeholder).await;
    let id = declare(&g, &ana).await;

    let (status, body) = plan(&g, &ana, id, "revoke-sessions", json!({"scope": "ciam"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    assert!(p.needs_approval && p.destructive);
    assert_eq!(p.confirm.as_deref(), Some("ciam"));
    assert!(
        p.blast_radius
            .contains("revokes 4 active sessions of 5 ciam identities"),
        "{}",
        p.blast_radius
    );
    assert!(
        p.commands
            .iter()
            .any(|c| c.argv.iter().any(|a| a == "DELETE")),
        "{p:?}"
    );

    // Typed confirmation first.
    let (status, body) = request(&g, &ana, id, &p, Some("iam")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("type `ciam`"),
        "{body}"
    );
    let (status, body) = request(&g, &ana, id, &p, Some(" ciam ")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let asked: RequestAnswer = serde_json::from_value(body).unwrap();
    assert_eq!(asked.request.state, RequestState::Pending);
    let req = asked.request.id;
    assert!(
        host.lock().unwrap().deleted.is_empty(),
        "nothing runs before the approval: {:?}",
        fake.ran().iter().map(|c| c.display()).collect::<Vec<_>>()
    );

    // The requester cannot approve: a responder by route, and even as a commander (below).
    let (status, _) = approve(&g, &ana, id, req, &p.hash, PASSWORD, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = approve(&g, &viewer, id, req, &p.hash, PASSWORD, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A stakeholder can neither request.
    let (status, _) = request(&g, &viewer, id, &p, Some("ciam")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A stolen unlocked phone is not an approval; nor is an approval of another plan.
    let (status, body) = approve(&g, &bo, id, req, &p.hash, "wrong password", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("password"),
        "{body}"
    );
    let (status, body) = approve(&g, &bo, id, req, &"0".repeat(64), PASSWORD, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(host.lock().unwrap().deleted.is_empty());

    let (status, body) = approve(&g, &bo, id, req, &p.hash, PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Twice is once.
    let (status, _) = approve(&g, &cleo, id, req, &p.hash, PASSWORD, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let done = finished(&g, &ana, id, req).await;
    assert_eq!(done.state, RequestState::Done, "{done:?}");
    assert_eq!(done.approved_by.as_deref(), Some("commander"));
    let summary = &done.result.as_ref().unwrap().summary;
    assert!(
        summary.contains("Revoked the sessions of 5 ciam identities"),
        "{summary}"
    );
    assert!(
        summary.contains("4 active sessions before, 0 now"),
        "{summary}"
    );
    let mut deleted = host.lock().unwrap().deleted.clone();
    deleted.sort();
    deleted.dedup();
    assert_eq!(deleted.len(), 5, "each identity once");

    // The timeline tells the story; stakeholders see it without the plan.
    let detail: IncidentDetail = get(&g, &viewer, &format!("/api/incidents/{id}")).await;
    let did: Vec<String> = detail
        .timeline
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Action { did, .. } => Some(did.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(did.len(), 3, "{did:?}");
    assert!(did[0].starts_with("requested"), "{did:?}");
    assert_eq!(did[1], "approved by commander");
    assert!(did[2].starts_with("done in "), "{did:?}");
    let public: IncidentActions = get(&g, &viewer, &format!("/api/incidents/{id}/actions")).await;
    assert!(public.requests[0].plan.is_none());
    assert!(public.requests[0]
        .result
        .as_ref()
        .unwrap()
        .output
        .is_empty());

    // The audit log has every step, refusals included, and the argv as sent.
    let audit: AuditPage = get(&g, &bo, &format!("/api/audit?incident={id}")).await;
    let kinds: Vec<AuditKind> = audit.entries.iter().rev().map(|e| e.record.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == AuditKind::Refusal).count(),
        4,
        "{kinds:?}"
    );
    assert!(kinds.contains(&AuditKind::Request) && kinds.contains(&AuditKind::Approval));
    let run = audit
        .entries
        .iter()
        .find(|e| e.record.kind == AuditKind::Run)
        .unwrap();
    assert!(run
        .record
        .commands
        .iter()
        .any(|c| c.argv.iter().any(|a| a.ends_with("/sessions")) && c.exit == Some(0)));
    drop(fake);
}

#[tokio::test]
async fn self_approval_is_refused_unless_break_glass_is_on_and_then_it_is_loud() {
    let (g, host, _fake) = console(true).await;
    let bo = signed_in(&g, Role::Commander).await;
    let id = declare(&g, &bo).await;
    let (_, body) = plan(&g, &bo, id, "revoke-sessions", json!({"scope": "ciam"})).await;
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    let (_, body) = request(&g, &bo, id, &p, Some("ciam")).await;
    let req = serde_json::from_value::<RequestAnswer>(body)
        .unwrap()
        .request
        .id;
    let (status, body) = approve(&g, &bo, id, req, &p.hash, PASSWORD, None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a reason is required: {body}"
    );
    let (status, body) = approve(
        &g,
        &bo,
        id,
        req,
        &p.hash,
        PASSWORD,
        Some("alone on call, attacker active"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = finished(&g, &bo, id, req).await;
    assert_eq!(
        done.break_glass.as_deref(),
        Some("alone on call, attacker active")
    );
    assert_eq!(done.state, RequestState::Done);
    assert!(!host.lock().unwrap().deleted.is_empty());
    let detail: IncidentDetail = get(&g, &bo, &format!("/api/incidents/{id}")).await;
    assert!(detail.timeline.iter().any(|e| matches!(
        &e.kind,
        EntryKind::Action { reason: Some(r), did, .. } if r.contains("attacker") && did.contains("break-glass")
    )));

    // Without the setting, the same is refused.
    let (g, host, _fake) = console(false).await;
    let bo = signed_in(&g, Role::Commander).await;
    let id = declare(&g, &bo).await;
    let (_, body) = plan(&g, &bo, id, "revoke-sessions", json!({"scope": "ciam"})).await;
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    let (_, body) = request(&g, &bo, id, &p, Some("ciam")).await;
    let req = serde_json::from_value::<RequestAnswer>(body)
        .unwrap()
        .request
        .id;
    let (status, body) = approve(
        &g,
        &bo,
        id,
        req,
        &p.hash,
        PASSWORD,
        Some("alone on call, attacker active"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("second commander"),
        "{body}"
    );
    assert!(host.lock().unwrap().deleted.is_empty());
}

#[tokio::test]
async fn an_expired_request_cannot_be_approved() {
    let dir = tempfile::tempdir().unwrap();
    let _ = dir;
    let (g, host, _fake) = console(false).await;
    let ana = signed_in(&g, Role::Responder).await;
    let bo = signed_in(&g, Role::Commander).await;
    let id = declare(&g, &ana).await;
    let (_, body) = plan(&g, &ana, id, "revoke-sessions", json!({"scope": "ciam"})).await;
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    let (_, body) = request(&g, &ana, id, &p, Some("ciam")).await;
    let asked = serde_json::from_value::<RequestAnswer>(body)
        .unwrap()
        .request;
    // The request's deadline passes: the stored expiry is moved back, as ten minutes would.
    sqlx::query("UPDATE action_requests SET expires_at_ms = 1 WHERE id = ?")
        .bind(asked.id)
        .execute(g.state.store.pool())
        .await
        .unwrap();
    let (status, body) = approve(&g, &bo, id, asked.id, &p.hash, PASSWORD, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let list: IncidentActions = get(&g, &ana, &format!("/api/incidents/{id}/actions")).await;
    assert_eq!(list.requests[0].state, RequestState::Expired);
    assert!(host.lock().unwrap().deleted.is_empty());
}

#[tokio::test]
async fn a_plan_that_changed_or_was_never_shown_is_refused_with_the_plan_to_review() {
    let (g, host, _fake) = console(false).await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let (_, body) = plan(
        &g,
        &ana,
        id,
        "restart-container",
        json!({"container": "olympus-ciam-kratos"}),
    )
    .await;
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    assert!(
        p.blast_radius
            .contains("restarts olympus-ciam-kratos (running since 2026-12-03 00:10:04)"),
        "{}",
        p.blast_radius
    );
    let forged = ActionPlan {
        hash: "f".repeat(64),
        ..p.clone()
    };
    let (status, body) = request(&g, &ana, id, &forged, Some("olympus-ciam-kratos")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "plan_changed");
    let fresh: ActionPlan = serde_json::from_value(body["plan"].clone()).unwrap();
    assert_eq!(fresh.commands, p.commands);
    assert_eq!(host.lock().unwrap().restarts, 0);

    // The reviewed plan runs at once (no approval needed), and not twice in a row.
    let (status, body) = request(&g, &ana, id, &fresh, Some("olympus-ciam-kratos")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let done: RequestAnswer = serde_json::from_value(body).unwrap();
    assert_eq!(done.request.state, RequestState::Done, "{done:?}");
    assert!(done
        .request
        .result
        .unwrap()
        .summary
        .starts_with("Restarted olympus-ciam-kratos in "));
    assert_eq!(host.lock().unwrap().restarts, 1);
    let (status, body) = request(&g, &ana, id, &fresh, Some("olympus-ciam-kratos")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("once per 1 min"),
        "{body}"
    );
    assert_eq!(host.lock().unwrap().restarts, 1);
}

/// Every parameter of every action, with hostile values: each refused with a message, and the
/// host asked nothing.
#[tokio::test]
async fn hostile_values_are_refused_before_anything_reaches_the_host() {
    let (g, _host, fake) = console(false).await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let hostile: Vec<String> = [
        "; touch /tmp/aegis-canary",
        "$(touch /tmp/aegis-canary)",
        "`touch /tmp/aegis-canary`",
        "x | touch /tmp/aegis-canary",
        "x && touch /tmp/aegis-canary",
        "x\ntouch /tmp/aegis-canary",
        "x\0y",
        "--all",
        "-rf",
        "../../etc/passwd",
        "' OR 1=1 --",
        "%0a",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        "a".repeat(10_000),
        "203.0.113.7; rm -rf /".into(),
        "00000000-0000-4000-8000-000000000001; id".into(),
        "x@example.com&all=true".into(),
        "olympus-ciam-kratos --all".into(),
        "\u{202e}olympus".into(),
    ])
    .collect();
    let before = fake.ran().len();
    let mut cases = 0;
    for action in wire_actions(&g, &ana).await {
        for param in &action.1 {
            for value in &hostile {
                let mut params = serde_json::Map::new();
                for p in &action.1 {
                    params.insert(
                        p.clone(),
                        json!(if p == "scope" {
                            "ciam"
                        } else {
                            "olympus-ciam-kratos"
                        }),
                    );
                }
                params.insert(param.clone(), json!(value));
                let (status, body) = plan(&g, &ana, id, &action.0, Value::Object(params)).await;
                assert_eq!(
                    status,
                    StatusCode::BAD_REQUEST,
                    "{} {param}={value:?}: {body}",
                    action.0
                );
                assert!(!body["message"].as_str().unwrap_or("").is_empty());
                cases += 1;
            }
        }
    }
    assert!(cases >= 200, "{cases} cases");
    let ran: Vec<String> = fake.ran()[before..]
        .iter()
        .filter(|c| c.program() != "podman" || c.args().first().map(String::as_str) != Some("ps"))
        .filter(|c| !c.args().iter().any(|a| a.contains("/health/")))
        .map(|c| c.display())
        .collect();
    assert!(ran.is_empty(), "the host was asked: {ran:?}");
}

/// (action id, parameter names) of every action that takes values.
async fn wire_actions(g: &Running, who: &(Client, String)) -> Vec<(String, Vec<String>)> {
    let all: Vec<wire::ActionInfo> = get(g, who, wire::ACTIONS_PATH).await;
    all.into_iter()
        .filter(|a| !a.params.is_empty())
        .map(|a| (a.id, a.params.into_iter().map(|p| p.name).collect()))
        .collect()
}

#[tokio::test]
async fn an_action_run_from_a_walkthrough_step_completes_the_step() {
    let (g, host, _fake) = console(false).await;
    let ana = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &ana).await;
    let (_, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/playbooks"),
        json!({"playbook": "first-response"}),
    )
    .await;
    let run: wire::RunInfo = serde_json::from_value(body).unwrap();
    let steps = format!("/api/incidents/{id}/playbooks/{}/steps", run.id);
    for (step, outcome) in [
        ("acknowledge", json!("done")),
        ("whats-broken", Value::Null),
        ("scope", json!("done")),
        ("investigate-or-stop", json!({"chose": 0})),
    ] {
        let (status, body) = if outcome.is_null() {
            call(
                &g,
                &ana,
                Method::POST,
                &format!("{steps}/{step}/run"),
                Value::Null,
            )
            .await
        } else {
            call(
                &g,
                &ana,
                Method::POST,
                &steps,
                json!({"step": step, "outcome": outcome}),
            )
            .await
        };
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    let at: Vec<wire::RunInfo> = get(&g, &ana, &format!("/api/incidents/{id}/playbooks")).await;
    assert_eq!(at[0].current.as_deref(), Some("stop-the-bleed"));

    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/actions/plan"),
        json!({"action": "restart-container", "params": {"container": "olympus-ciam-kratos"}, "step": {"run": run.id, "step": "stop-the-bleed"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p: ActionPlan = serde_json::from_value(body).unwrap();
    let (status, body) = call(
        &g,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/actions"),
        json!({"action": p.action, "params": {"container": "olympus-ciam-kratos"}, "step": {"run": run.id, "step": "stop-the-bleed"}, "plan_hash": p.hash, "confirm": "olympus-ciam-kratos"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(host.lock().unwrap().restarts, 1);
    let after: Vec<wire::RunInfo> = get(&g, &ana, &format!("/api/incidents/{id}/playbooks")).await;
    assert_eq!(after[0].current, None, "{:?}", after[0]);
    let last = after[0].records.last().unwrap();
    assert_eq!(last.step, "stop-the-bleed");
    assert_eq!(last.outcome, wire::StepOutcome::Done);
    assert!(
        last.note
            .as_deref()
            .unwrap_or("")
            .starts_with("Restarted olympus-ciam-kratos"),
        "{last:?}"
    );
}
