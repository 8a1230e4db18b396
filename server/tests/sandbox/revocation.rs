//! The mass revocations (the playbook's `kratos sessions revoke --all` and `hydra revoke token
//! --all`, which real Ory lacks) against the sandbox's Kratos and Hydra over real SSH: counted right
//! by the preflight, run only after a second commander's approval, leaving nothing active; and a
//! run whose gateway is killed half way resumes when it starts again and revokes every session
//! exactly once, with every audit entry it acknowledged before the kill still in an intact chain.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use wire::{ActionPlan, ActionRequestInfo, AuditEntry, AuditKind, AuditPage, RequestState};

use super::console::{
    assert_done, assert_revoked_exactly_once, call, count, counts, final_action_frame, revoked_log,
    sign_in, summary, thousands, Console, User, COMMANDER, PASSWORD, RESPONDER, STAKEHOLDER,
};
use super::served::{add_user, audit_cli, close_orphaned_masters, Served};
use super::support::{repo_root, Sandbox};

#[tokio::test]
async fn revoke_sessions_counts_what_it_revokes_and_runs_after_a_second_commanders_approval() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let bo = c.sign_in(COMMANDER).await;
    let vic = c.sign_in(STAKEHOLDER).await;
    let id = c.declare(&ana, "session tokens leaked").await;
    let k0 = counts(&sb, "ciam-kratos");
    assert!(k0["sessions_active"] > 0, "{k0:?}");
    let (phone, responder, stakeholder) = (
        c.socket(&bo).await,
        c.socket(&ana).await,
        c.socket(&vic).await,
    );

    let plan = c
        .plan(&ana, id, "revoke-sessions", json!({"scope": "ciam"}))
        .await;
    assert!(plan.needs_approval && plan.destructive);
    assert!(
        plan.blast_radius.contains(&format!(
            "revokes {} active sessions of {} ciam identities",
            thousands(k0["sessions_active"]),
            thousands(k0["identities"])
        )),
        "{} vs {k0:?}",
        plan.blast_radius
    );
    let asked = c.request(&ana, id, &plan).await;
    let req = asked.request.id;
    assert_eq!(asked.request.state, RequestState::Pending);
    // The approver's phone shows the same plan, live.
    let frames = phone
        .wait_for("the pending request", Duration::from_secs(10), |f| {
            f["type"] == "action" && f["action"]["id"] == req && f["action"]["state"] == "pending"
        })
        .await;
    let shown = frames
        .iter()
        .find(|f| f["type"] == "action" && f["action"]["id"] == req)
        .unwrap();
    assert_eq!(
        serde_json::from_value::<ActionPlan>(shown["action"]["plan"].clone()).unwrap(),
        plan
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&sb, "ciam-kratos", "sessions_active"),
        k0["sessions_active"],
        "nothing runs before the approval"
    );

    let started = Instant::now();
    c.approve(&bo, id, req, &plan).await;
    let done = c.finished(&ana, id, req, Duration::from_secs(120)).await;
    let took = started.elapsed();
    assert_done(&done);
    assert_eq!(done.approved_by.as_deref(), Some(COMMANDER));
    assert_eq!(
        summary(&done),
        format!(
            "Revoked the sessions of {} ciam identities: {} active sessions before, 0 now",
            thousands(k0["identities"]),
            thousands(k0["sessions_active"])
        )
    );
    assert_revoked_exactly_once(&sb, "ciam-kratos");
    let k1 = counts(&sb, "ciam-kratos");
    assert_eq!(k1["duplicate_revocation_attempts"], 0, "{k1:?}");

    // Responders watched its progress; stakeholders saw the outline only.
    let total = thousands(k0["identities"]);
    let seen = responder
        .wait_for("the finished run", Duration::from_secs(10), |f| {
            final_action_frame(f, req)
        })
        .await;
    let progress: Vec<&str> = seen
        .iter()
        .filter(|f| f["type"] == "action" && f["action"]["id"] == req)
        .filter_map(|f| f["action"]["progress"].as_str())
        .collect();
    assert!(
        progress.contains(&format!("250 of {total} identities").as_str())
            && progress.contains(&format!("{total} of {total} identities").as_str()),
        "{progress:?}"
    );
    let outline = stakeholder
        .wait_for("the finished run", Duration::from_secs(10), |f| {
            final_action_frame(f, req)
        })
        .await;
    for f in &outline {
        assert_ne!(f["type"], "action_output", "{f}");
        if f["type"] == "action" {
            assert!(
                f["action"]["plan"].is_null() && f["action"]["progress"].is_null(),
                "{f}"
            );
        }
    }
    println!(
        "revoke-sessions: {} sessions of {} identities in {:.1} s",
        k0["sessions_active"],
        k0["identities"],
        took.as_secs_f64()
    );
}

#[tokio::test]
async fn revoke_tokens_leaves_no_consent_and_no_access_token_of_any_client() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let bo = c.sign_in(COMMANDER).await;
    let id = c.declare(&ana, "hydra signing key leaked").await;
    let h0 = counts(&sb, "ciam-hydra");
    assert!(
        h0["consent_sessions"] > 0 && h0["access_tokens"] > 0,
        "{h0:?}"
    );

    let plan = c
        .plan(&ana, id, "revoke-tokens", json!({"scope": "ciam"}))
        .await;
    assert!(plan.needs_approval);
    assert!(
        plan.blast_radius.contains(&format!(
            "revokes the consent sessions (refresh and access tokens) of {} ciam subjects and the access tokens of {} OAuth2 clients",
            thousands(h0["subjects"]),
            h0["clients"]
        )),
        "{} vs {h0:?}",
        plan.blast_radius
    );
    let asked = c.request(&ana, id, &plan).await;
    assert_eq!(asked.request.state, RequestState::Pending);
    c.approve(&bo, id, asked.request.id, &plan).await;
    let started = Instant::now();
    let done = c
        .finished(&ana, id, asked.request.id, Duration::from_secs(120))
        .await;
    assert_done(&done);
    assert_eq!(
        summary(&done),
        format!(
            "Revoked the consent sessions of {} ciam subjects and the access tokens of {} OAuth2 clients",
            thousands(h0["subjects"]),
            h0["clients"]
        )
    );
    let h1 = counts(&sb, "ciam-hydra");
    assert_eq!(h1["consent_sessions"], 0, "{h1:?}");
    assert_eq!(h1["subjects_with_consent"], 0, "{h1:?}");
    assert_eq!(h1["refresh_tokens"], 0, "{h1:?}");
    assert_eq!(h1["access_tokens"], 0, "{h1:?}");
    let per_client =
        std::fs::read_to_string(sb.dir.join("ory/ciam-hydra/tokens-by-client")).unwrap();
    let lines: Vec<&str> = per_client
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len() as i64, h0["clients"], "{per_client}");
    for l in lines {
        assert!(
            l.split_whitespace().any(|w| w == "access_tokens=0"),
            "a client kept access tokens: {l}"
        );
    }
    println!(
        "revoke-tokens: {} consent sessions, {} access tokens in {:.1} s",
        h0["consent_sessions"],
        h0["access_tokens"],
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// A real `aegis serve`, killed with SIGKILL in the middle of a mass revocation.

/// How many identities the request says are done ("750 of 2,400 identities").
fn done_so_far(r: &ActionRequestInfo) -> Option<(i64, i64)> {
    let p = r.progress.as_deref()?;
    let (done, rest) = p.split_once(" of ")?;
    let total = rest.strip_suffix(" identities")?;
    Some((
        done.replace(',', "").parse().ok()?,
        total.replace(',', "").parse().ok()?,
    ))
}

async fn list(base: &str, who: &User, incident: i64, req: i64) -> ActionRequestInfo {
    let (status, body) = call(
        base,
        who,
        Method::GET,
        &format!("/api/incidents/{incident}/actions"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value::<Vec<ActionRequestInfo>>(body["requests"].clone())
        .unwrap()
        .into_iter()
        .find(|r| r.id == req)
        .expect("the request is listed")
}

fn export(sb: &Sandbox, data: &Path, incident: i64) -> Vec<AuditEntry> {
    let (code, out) = audit_cli(sb, data, &["export", "--incident", &incident.to_string()]);
    assert_eq!(code, 0, "{out}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mass_revocation_cut_short_by_sigkill_resumes_and_revokes_every_session_exactly_once() {
    let sb = Sandbox::claim().await;
    let base_dir = repo_root().join("target/sandbox-tests");
    std::fs::create_dir_all(&base_dir).unwrap();
    let dir = tempfile::Builder::new()
        .prefix("resume")
        .tempdir_in(&base_dir)
        .unwrap();
    let data: PathBuf = dir.path().join("data");
    add_user(&sb, &data, RESPONDER, "responder");
    add_user(&sb, &data, COMMANDER, "commander");
    let seeded = count(&sb, "ciam-kratos", "sessions_seeded");
    let active = count(&sb, "ciam-kratos", "sessions_active");
    let identities = count(&sb, "ciam-kratos", "identities");

    let first = Served::start(&sb, &data);
    let base = first.base.clone();
    let ana = sign_in(&base, RESPONDER).await;
    let bo = sign_in(&base, COMMANDER).await;
    let (status, body) = call(
        &base,
        &ana,
        Method::POST,
        "/api/incidents",
        Some(json!({"title": "session signing key leaked", "broken": "sessions forged", "severity": "sev1"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["incident"]["id"].as_i64().unwrap();
    let (status, body) = call(
        &base,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/actions/plan"),
        Some(json!({"action": "revoke-sessions", "params": {"scope": "ciam"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let plan: ActionPlan = serde_json::from_value(body).unwrap();
    assert!(
        plan.blast_radius.contains(&format!(
            "revokes {} active sessions of {} ciam identities",
            thousands(active),
            thousands(identities)
        )),
        "{}",
        plan.blast_radius
    );
    let (status, body) = call(
        &base,
        &ana,
        Method::POST,
        &format!("/api/incidents/{id}/actions"),
        Some(json!({"action": plan.action, "params": plan.params, "plan_hash": plan.hash, "confirm": plan.confirm})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let req = body["request"]["id"].as_i64().unwrap();
    let (status, body) = call(
        &base,
        &bo,
        Method::POST,
        &format!("/api/incidents/{id}/actions/{req}/approve"),
        Some(json!({"plan_hash": plan.hash, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // What the gateway acknowledged so far: the preflight, the request and the approval.
    let (status, body) = call(
        &base,
        &bo,
        Method::GET,
        &format!("/api/audit?incident={id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let acknowledged = serde_json::from_value::<AuditPage>(body).unwrap().entries;
    let kinds: Vec<AuditKind> = acknowledged.iter().map(|e| e.record.kind).collect();
    assert!(
        kinds.contains(&AuditKind::Probe)
            && kinds.contains(&AuditKind::Request)
            && kinds.contains(&AuditKind::Approval),
        "{kinds:?}"
    );

    // Half way: some identities done, not all. Then SIGKILL.
    let deadline = Instant::now() + Duration::from_secs(60);
    let at_kill = loop {
        let r = list(&base, &ana, id, req).await;
        if let Some((done, total)) = done_so_far(&r) {
            if done > 0 && done < total {
                break (done, total);
            }
        }
        assert!(
            !r.state.is_final(),
            "the run finished before it could be interrupted: {r:?}"
        );
        assert!(Instant::now() < deadline, "no progress within 60 s: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let first_log = first.log();
    drop(first);
    close_orphaned_masters(&data);
    // A DELETE page the host was sending when the gateway died finishes there; then nothing moves.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let revoked_at_kill = revoked_log(&sb, "ciam-kratos").len() as i64;
    assert!(
        revoked_at_kill > 0 && revoked_at_kill < seeded,
        "interrupted half way: {revoked_at_kill} of {seeded} sessions revoked (progress said {at_kill:?})\n{first_log}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        revoked_log(&sb, "ciam-kratos").len() as i64,
        revoked_at_kill,
        "nothing revokes while the gateway is down"
    );

    // The chain is intact and holds every entry acknowledged before the kill.
    let (code, out) = audit_cli(&sb, &data, &["verify"]);
    assert_eq!(code, 0, "audit verify after SIGKILL: {out}");
    assert!(out.starts_with("audit chain intact: "), "{out}");
    let stored = export(&sb, &data, id);
    for e in &acknowledged {
        assert!(
            stored.iter().any(|s| s == e),
            "acknowledged entry #{} ({:?} {}) is missing or changed after the kill",
            e.seq,
            e.record.kind,
            e.record.subject
        );
    }

    // Started again on the same data directory: it resumes where it was and finishes.
    let second = Served::start(&sb, &data);
    let base = second.base.clone();
    let ana = sign_in(&base, RESPONDER).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let r = list(&base, &ana, id, req).await;
        if r.state.is_final() {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "not finished after resuming: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done.state, RequestState::Done, "{done:?}\n{}", second.log());
    assert_eq!(
        summary(&done),
        format!(
            "Revoked the sessions of {} ciam identities: {} active sessions before, 0 now",
            thousands(identities),
            thousands(active)
        )
    );
    assert!(
        done.result
            .as_ref()
            .unwrap()
            .output
            .iter()
            .any(|l| l == "resuming where the interrupted run stopped"),
        "{done:?}"
    );
    assert!(
        second
            .log()
            .contains("resuming an action the gateway stopped during"),
        "{}",
        second.log()
    );
    assert_revoked_exactly_once(&sb, "ciam-kratos");
    second.stop();
    // (A stopped gateway may leave its SSH master running: see shutdown.rs.)
    close_orphaned_masters(&data);

    let (code, out) = audit_cli(&sb, &data, &["verify"]);
    assert_eq!(code, 0, "{out}");
    let stored = export(&sb, &data, id);
    let run = stored
        .iter()
        .find(|e| e.record.kind == AuditKind::Run)
        .expect("the resumed run is audited");
    assert_eq!(run.record.actor, wire::SYSTEM_ACTOR);
    assert!(
        run.record.detail.starts_with("resumed; done in "),
        "{}",
        run.record.detail
    );
    let k = counts(&sb, "ciam-kratos");
    println!(
        "killed at {} of {} identities ({revoked_at_kill} of {seeded} sessions revoked); resumed to {} revoked, {} repeated DELETEs answered idempotently",
        at_kill.0, at_kill.1, k["sessions_revoked"], k["duplicate_revocation_attempts"]
    );
}
