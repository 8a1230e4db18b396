//! Each playbook with a probe, walked against the sandbox over real SSH: with its fault switched
//! on, the decision recommends the branch the spec gives for it; with no fault, the other one.
//! The walk goes through the same calls as the HTTP handlers (start, run probe, report), so the
//! records, the timeline and "since the last look" are the real ones.

use std::process::Command;
use std::time::Duration;

use server::incidents::Actor;
use server::playbooks::probe_run::ProbeContext;
use server::playbooks::{runs, StepKind};
use wire::{
    FieldValue, IncidentScope, NewIncident, ProbeResult, ReportedOutcome, Role, RunInfo, Severity,
    Status, StepOutcome, StepReport,
};

use super::support::{gateway, wait_for, Sandbox, TestGateway};

const WHO: &str = "ana";

/// Where a walk stopped: at its first decision, with the branch the gateway recommends there.
struct Walked {
    run: RunInfo,
    /// The recommended branch's next step (`None`: it ends the walkthrough).
    next: Option<String>,
    label: String,
}

impl Walked {
    /// The latest result of probe step `step`.
    fn result(&self, step: &str) -> &ProbeResult {
        self.run
            .records
            .iter()
            .rev()
            .find_map(|r| match &r.outcome {
                StepOutcome::Probed(p) if r.step == step => Some(p),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no result for `{step}`: {:?}", self.run.records))
    }
}

fn flag(r: &ProbeResult, field: &str) -> bool {
    match r.fields.get(field) {
        Some(FieldValue::Flag(b)) => *b,
        other => panic!("{field}: {other:?} in {r:?}"),
    }
}

fn number(r: &ProbeResult, field: &str) -> i64 {
    match r.fields.get(field) {
        Some(FieldValue::Number(n)) => *n,
        other => panic!("{field}: {other:?} in {r:?}"),
    }
}

fn context(gw: &TestGateway) -> ProbeContext<'_> {
    let s = &gw.state;
    ProbeContext {
        host: s.host.as_ref(),
        board: s.hub.snapshot_for(server::hub::Audience::Full),
        config: s.settings.catalog(),
        now_ms: s.store.now_ms(),
        fingerprint_key: &s.fingerprint_key,
        previous: None,
    }
}

async fn declare(gw: &TestGateway, title: &str) -> i64 {
    let who = Actor {
        name: WHO.into(),
        role: Role::Responder,
    };
    let new = NewIncident {
        title: title.into(),
        broken: "seen in the sandbox".into(),
        severity: Severity::Sev2,
        compromise: false,
        scope: IncidentScope::default(),
    };
    gw.state
        .incidents
        .declare(&who, &new)
        .await
        .expect("declared")
        .incident
        .id
}

/// Declares an incident and walks `playbook` from its first step to its first decision: probes
/// run on the host, instructions are marked done, external pages checked.
async fn walk(gw: &TestGateway, playbook: &str) -> Walked {
    let s = &gw.state;
    let incident = declare(gw, playbook).await;
    let p = s.playbooks.get(playbook).expect("shipped").clone();
    let mut run = runs::start(
        &s.store,
        &s.incidents,
        &s.playbooks,
        incident,
        playbook,
        WHO,
    )
    .await
    .expect("started");
    loop {
        let current = run
            .current
            .clone()
            .unwrap_or_else(|| panic!("{playbook} ended before a decision"));
        let step = p.steps.iter().find(|st| st.id == current).expect("a step");
        let report = |outcome| StepReport {
            step: current.clone(),
            outcome,
            note: None,
        };
        run = match &step.kind {
            StepKind::Probe { .. } => {
                let r = runs::run_probe(
                    &s.store,
                    &s.incidents,
                    &s.playbooks,
                    (incident, run.id, &current),
                    context(gw),
                    WHO,
                )
                .await
                .expect("probe recorded");
                if let Some(StepOutcome::ProbeFailed(why)) = r.records.last().map(|r| &r.outcome) {
                    panic!("{playbook}: probe `{current}` failed: {why}");
                }
                r
            }
            StepKind::Instruction { .. } | StepKind::External { .. } => {
                let outcome = if matches!(step.kind, StepKind::External { .. }) {
                    ReportedOutcome::Checked
                } else {
                    ReportedOutcome::Done
                };
                runs::report(
                    &s.store,
                    &s.incidents,
                    &s.playbooks,
                    incident,
                    run.id,
                    &report(outcome),
                    WHO,
                )
                .await
                .expect("reported")
            }
            StepKind::Decision { branches, .. } => {
                let r = run
                    .recommended
                    .unwrap_or_else(|| panic!("{playbook}: no recommendation at `{current}`"));
                return Walked {
                    next: branches[r].next.clone(),
                    label: branches[r].label.clone(),
                    run,
                };
            }
        };
    }
}

/// Runs probe step `step` of `walked` again (a probe may be re-run at any time).
async fn rerun(gw: &TestGateway, walked: &Walked, step: &str) -> ProbeResult {
    let s = &gw.state;
    let run = runs::run_probe(
        &s.store,
        &s.incidents,
        &s.playbooks,
        (walked.run.incident_id, walked.run.id, step),
        context(gw),
        WHO,
    )
    .await
    .expect("probe recorded");
    match &run.records.last().expect("a record").outcome {
        StepOutcome::Probed(p) => p.clone(),
        other => panic!("{step}: {other:?}"),
    }
}

/// Waits until the board (1 s sweeps) suggests `playbook`.
async fn wait_suggested(gw: &TestGateway, playbook: &str) {
    let catalog = gw.state.playbooks.clone();
    wait_for(
        &gw.hub,
        &format!("the board to suggest {playbook}"),
        Duration::from_secs(45),
        |b| catalog.suggest(b).iter().any(|s| s.playbook == playbook),
    )
    .await;
}

/// `podman exec CONTAINER env`'s value of `name`, read here (as root) to check it never shows.
fn env_value(container: &str, name: &str) -> String {
    let out = Command::new("podman")
        .args(["exec", container, "env"])
        .output()
        .expect("podman exec");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .unwrap_or_else(|| panic!("{container} has no {name}"))
}

#[tokio::test]
async fn database_tls_an_expired_or_expiring_certificate_points_to_rotation() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;

    let healthy = walk(&gw, "database-tls").await;
    let cert = healthy.result("certificate");
    assert_eq!(healthy.next, None, "{}", healthy.label);
    assert!(flag(cert, "trusted") && !flag(cert, "expired"), "{cert:?}");
    assert!(cert.summary.contains("valid for 36"), "{}", cert.summary);
    assert!(cert.summary.contains("issued by CN = Olympus Database CA"));

    sb.fault(&["pg-cert-expired"]);
    wait_suggested(&gw, "database-tls").await;
    let expired = walk(&gw, "database-tls").await;
    assert_eq!(expired.next.as_deref(), Some("rotate"), "{}", expired.label);
    let cert = expired.result("certificate");
    assert!(flag(cert, "expired") && !flag(cert, "trusted"), "{cert:?}");
    assert!(
        cert.summary.contains("expired 2 days ago"),
        "{}",
        cert.summary
    );
    assert!(
        cert.details
            .iter()
            .any(|d| d.contains("certificate has expired")),
        "{cert:?}"
    );
    let logs = expired.result("logs");
    assert!(number(logs, "matches") >= 1, "{logs:?}");
    assert!(
        logs.details
            .iter()
            .all(|l| !l.contains(&env_value("olympus-ciam-kratos", "DSN"))),
        "{logs:?}"
    );

    sb.fault(&["pg-cert-expiring", "10"]);
    let expiring = walk(&gw, "database-tls").await;
    assert_eq!(
        expiring.next.as_deref(),
        Some("rotate"),
        "{}",
        expiring.label
    );
    let cert = expiring.result("certificate");
    assert!(
        flag(cert, "trusted") && number(cert, "days_left") == 10,
        "{cert:?}"
    );
    assert!(
        expiring.label.contains("within 30 days"),
        "{}",
        expiring.label
    );
}

#[tokio::test]
async fn caddy_serving_a_certificate_from_another_ca_points_to_its_acme_logs() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;

    let healthy = walk(&gw, "caddy-certificate").await;
    assert_eq!(healthy.next, None, "{}", healthy.label);
    let served = healthy.result("served-ciam");
    assert!(
        flag(served, "trusted") && flag(served, "matches_name"),
        "{served:?}"
    );

    sb.fault(&["caddy-foreign-cert"]);
    wait_suggested(&gw, "caddy-certificate").await;
    let foreign = walk(&gw, "caddy-certificate").await;
    assert_eq!(
        foreign.next.as_deref(),
        Some("acme-logs"),
        "{}",
        foreign.label
    );
    let served = foreign.result("served-ciam");
    assert!(
        !flag(served, "trusted") && flag(served, "matches_name"),
        "{served:?}"
    );
    assert!(
        served.summary.contains("issued by CN = Foreign Test CA")
            && served.summary.contains("not trusted"),
        "{}",
        served.summary
    );
    assert!(
        served
            .details
            .iter()
            .any(|d| d.starts_with("olympus-caddy: ")),
        "Caddy's TLS log lines are shown: {served:?}"
    );
}

#[tokio::test]
async fn logins_failing_on_csrf_after_a_cookie_secret_rotation_point_to_reverting_it() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    let before = env_value("olympus-ciam-kratos", "SECRETS_COOKIE");

    // The first look: nothing to compare with, so unchanged.
    let first = walk(&gw, "csrf-violation").await;
    assert_eq!(first.next, None, "{}", first.label);
    assert!(!flag(first.result("cookie-env"), "changed_since_last"));

    sb.fault(&["cookie-rotate", "ciam-kratos"]);
    let after = env_value("olympus-ciam-kratos", "SECRETS_COOKIE");
    assert_ne!(before, after, "the fault rotates the secret");
    // A browser holding the old cookie: Kratos rejects the login and logs why.
    let login = reqwest::Client::new()
        .post("http://127.0.0.1:42103/self-service/login?flow=1")
        .send()
        .await
        .expect("kratos answers");
    assert_eq!(login.status(), 400);
    assert!(login
        .text()
        .await
        .unwrap()
        .contains("security_csrf_violation"));

    let second = walk(&gw, "csrf-violation").await;
    assert_eq!(second.next.as_deref(), Some("revert"), "{}", second.label);
    let env = second.result("cookie-env");
    assert!(flag(env, "changed_since_last"), "{env:?}");
    let cookie_line = |r: &ProbeResult| {
        r.details
            .iter()
            .find(|d| d.starts_with("SECRETS_COOKIE = fingerprint "))
            .cloned()
            .unwrap_or_else(|| panic!("{r:?}"))
    };
    assert_ne!(
        cookie_line(first.result("cookie-env")),
        cookie_line(env),
        "the fingerprint follows the secret"
    );
    let violations = second.result("violations");
    assert!(number(violations, "matches") >= 1, "{violations:?}");
    assert!(
        violations
            .summary
            .contains("Kratos says: The HTTP Cookie Header was set"),
        "{}",
        violations.summary
    );

    // Neither secret reached a result, the timeline or the list a browser reads.
    let listed = runs::list(&gw.state.store, &gw.state.playbooks, second.run.incident_id)
        .await
        .unwrap();
    let timeline = gw
        .state
        .store
        .timeline(second.run.incident_id, None, 500)
        .await
        .unwrap()
        .items;
    let seen = format!(
        "{}{}{}",
        serde_json::to_string(&listed).unwrap(),
        serde_json::to_string(&first.run).unwrap(),
        serde_json::to_string(&timeline).unwrap()
    );
    for secret in [before, after] {
        assert!(!seen.contains(&secret), "a cookie secret leaked");
    }
}

#[tokio::test]
async fn athena_without_its_encryption_key_points_to_a_redeploy() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;

    let healthy = walk(&gw, "athena-500s").await;
    assert_eq!(healthy.next, None, "{}", healthy.label);
    assert_eq!(number(healthy.result("routes"), "failing"), 0);

    sb.fault(&["athena-no-key", "ciam-athena"]);
    wait_suggested(&gw, "athena-500s").await;
    let broken = walk(&gw, "athena-500s").await;
    assert_eq!(broken.next.as_deref(), Some("redeploy"), "{}", broken.label);
    assert!(flag(broken.result("routes"), "all_failing"));
    let env = broken.result("env");
    assert_eq!(number(env, "missing_required"), 1, "{env:?}");
    assert!(
        env.summary.contains("missing: ENCRYPTION_KEY"),
        "{}",
        env.summary
    );
    assert!(number(broken.result("logs"), "matches") >= 1);
    let signing = env_value("olympus-ciam-athena", "SESSION_SIGNING_KEY");
    assert!(
        !format!("{:?}", broken.run).contains(&signing),
        "the key that is there is a fingerprint, not its value"
    );
}

#[tokio::test]
async fn a_stuck_courier_points_to_its_worker_and_is_seen_growing() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;

    let healthy = walk(&gw, "email-not-sending").await;
    assert_eq!(healthy.next, None, "{}", healthy.label);
    let queue = healthy.result("queue");
    assert!(flag(queue, "worker_running"), "{queue:?}");
    assert_eq!(number(queue, "queued"), 0);

    sb.fault(&["courier-stuck", "ciam-kratos"]);
    let stuck = walk(&gw, "email-not-sending").await;
    assert_eq!(stuck.next.as_deref(), Some("worker"), "{}", stuck.label);
    let queue = stuck.result("queue");
    assert!(!flag(queue, "worker_running"), "{queue:?}");
    assert!(
        number(queue, "queued") >= 3 && number(queue, "abandoned") == 2,
        "{queue:?}"
    );
    assert!(
        queue
            .details
            .iter()
            .any(|d| d.contains("last dispatch error: dial tcp")),
        "{queue:?}"
    );
    let again = rerun(&gw, &stuck, "queue").await;
    assert!(flag(&again, "growing"), "{again:?}");
    assert!(again.summary.contains("growing since the last look"));
}

#[tokio::test]
async fn the_first_response_reads_the_board_and_says_what_is_down() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    sb.fault(&["503", "ciam-kratos"]);
    wait_for(&gw.hub, "ciam-kratos down", Duration::from_secs(45), |b| {
        b.check("health.ciam-kratos")
            .is_some_and(|c| c.status == Status::Down)
    })
    .await;
    let walked = walk(&gw, "first-response").await;
    let board = walked.result("whats-broken");
    assert_eq!(number(board, "down"), 1, "{board:?}");
    assert!(board.summary.contains("ciam-kratos"), "{}", board.summary);
    // Within the five minutes: investigate first.
    assert_eq!(walked.next, None, "{}", walked.label);
    assert!(walked.run.countdown.is_some(), "the countdown is running");
}

/// Everything the gateway logs while a test runs (this thread's subscriber: the test's runtime
/// runs the gateway's tasks on it).
#[derive(Clone, Default)]
struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_in_a_containers_env_and_log_reach_neither_a_browser_nor_the_gateways_log() {
    let sb = Sandbox::claim().await;
    let logs = LogCapture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let gw = gateway(sb.settings()).await;

    // Lines in the shapes the masker knows, each saying what the CSRF step counts, written to the
    // container's log (its process's stderr).
    let planted = [
        ("PLANTED-url-pass-1", "security_csrf_violation dsn=postgres://kratos:PLANTED-url-pass-1@olympus-postgres:5432/kratos"),
        ("PLANTED-json-pass-2", r#"{"msg":"security_csrf_violation","password":"PLANTED-json-pass-2"}"#),
        ("PLANTEDbearer3abcdefghij", "security_csrf_violation Authorization: Bearer PLANTEDbearer3abcdefghij"),
        ("PLANTED-env-4", "security_csrf_violation SECRETS_COOKIE=PLANTED-env-4"),
        ("PLANTED-reason-5", r#"{"msg":"security_csrf_violation","reject_reason":"client_secret=PLANTED-reason-5"}"#),
    ];
    for (_, line) in &planted {
        let status = Command::new("podman")
            .args([
                "exec",
                "olympus-ciam-kratos",
                "sh",
                "-c",
                "printf '%s\\n' \"$1\" > /proc/1/fd/2",
                "sh",
                line,
            ])
            .status()
            .expect("podman exec");
        assert!(status.success());
    }
    let env_secrets = [
        env_value("olympus-ciam-kratos", "SECRETS_COOKIE"),
        env_value("olympus-ciam-kratos", "SECRETS_CIPHER"),
        env_value("olympus-ciam-kratos", "DSN"),
    ];

    let walked = walk(&gw, "csrf-violation").await;
    let violations = walked.result("violations");
    assert!(
        number(violations, "matches") >= planted.len() as i64,
        "{violations:?}"
    );
    let listed = runs::list(&gw.state.store, &gw.state.playbooks, walked.run.incident_id)
        .await
        .unwrap();
    let browser = serde_json::to_string(&listed).unwrap();
    let gateway_log = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        !gateway_log.is_empty(),
        "the capture sees the gateway's log"
    );
    for secret in planted
        .iter()
        .map(|(s, _)| (*s).to_owned())
        .chain(env_secrets.iter().cloned())
    {
        assert!(
            !browser.contains(&secret),
            "{secret} reached a browser: {browser}"
        );
        assert!(
            !gateway_log.contains(&secret),
            "{secret} reached the gateway's log"
        );
    }
    assert!(
        violations
            .details
            .iter()
            .any(|d| d.contains("Authorization: Bearer")),
        "the lines are shown, masked: {violations:?}"
    );
}
