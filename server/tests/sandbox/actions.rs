//! Each action of the console against the sandbox over real SSH, through the HTTP API as a
//! browser calls it: the preflight's blast radius counted what the host really holds, and the run
//! changed the host's state as its summary claims (read back from the host: podman, the flags
//! file and the container's env, Caddy answering a blocked source, Kratos's and Hydra's counts,
//! the snapshot file).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use wire::{AuditKind, AuditPage};

use super::console::{
    admin_get, admin_origin, assert_done, count, counts, data_dir, edge_status, final_action_frame,
    printenv, revoked_log, started_at, summary, Console, COMMANDER, RESPONDER, STAKEHOLDER,
};
use super::support::{wait_all_up, Sandbox};

#[tokio::test]
async fn restart_container_restarts_it_and_its_preflight_says_since_when_it_ran() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c.declare(&ana, "athena restart").await;
    let container = "olympus-ciam-athena";
    let before = started_at(container);
    assert!(before.starts_with("running "), "{before}");

    let plan = c
        .plan(
            &ana,
            id,
            "restart-container",
            json!({ "container": container }),
        )
        .await;
    assert!(plan.destructive && !plan.needs_approval, "{plan:?}");
    assert_eq!(plan.confirm.as_deref(), Some(container));
    // The preflight read podman's StartedAt: the same second as podman says here.
    let since = before["running ".len()..]
        .chars()
        .take(19)
        .collect::<String>();
    assert!(
        plan.blast_radius.contains(&format!(
            "restarts {container} (running since {since}), which serves ciam-athena (ciam)"
        )),
        "{} vs podman's {before}",
        plan.blast_radius
    );
    assert!(
        plan.commands.iter().any(|cmd| cmd.argv.ends_with(&[
            "restart".into(),
            "--time".into(),
            "10".into(),
            "--".into(),
            container.into()
        ])),
        "{:?}",
        plan.commands
    );

    // Without the typed confirmation, nothing happens.
    let (status, body) = c
        .call(
            &ana,
            Method::POST,
            &format!("/api/incidents/{id}/actions"),
            Some(json!({"action": plan.action, "params": plan.params, "plan_hash": plan.hash})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(started_at(container), before, "refused, and not restarted");

    let answer = c.request(&ana, id, &plan).await;
    assert_done(&answer.request);
    assert!(
        summary(&answer.request).starts_with(&format!("Restarted {container} in ")),
        "{}",
        summary(&answer.request)
    );
    let after = started_at(container);
    assert!(after.starts_with("running "), "{after}");
    assert_ne!(after, before, "podman's StartedAt moved");
    assert!(answer.shown_once.is_none());

    // The audit log has the run with the argv as sent and its exit.
    let bo = c.sign_in(COMMANDER).await;
    let audit: AuditPage = c.get(&bo, &format!("/api/audit?incident={id}")).await;
    let run = audit
        .entries
        .iter()
        .find(|e| e.record.kind == AuditKind::Run)
        .expect("a run entry");
    assert!(
        run.record.commands.iter().any(|cmd| cmd.exit == Some(0)
            && cmd.argv.iter().any(|a| a == "restart")
            && cmd.argv.last().map(String::as_str) == Some(container)),
        "{:?}",
        run.record.commands
    );
}

#[tokio::test]
async fn flush_courier_revives_a_stuck_worker_and_the_queue_empties_but_abandoned_stay() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c.declare(&ana, "emails not sent").await;
    sb.fault(&["courier-stuck", "ciam-kratos"]);
    let kratos = admin_origin(&sb, "ciam-kratos");
    let queue = |status: &'static str| {
        let kratos = kratos.clone();
        async move {
            let (code, headers, body) = admin_get(
                &kratos,
                &format!("/admin/courier/messages?status={status}&page_size=1000"),
            )
            .await;
            assert_eq!(code, 200, "{body}");
            let listed = body.as_array().map_or(0, Vec::len);
            let total = headers
                .get("x-total-count")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            listed.max(total)
        }
    };
    let abandoned = queue("abandoned").await;
    assert_eq!(abandoned, 2, "the fault leaves two abandoned");

    let plan = c
        .plan(&ana, id, "flush-courier", json!({"service": "ciam-kratos"}))
        .await;
    assert_eq!(plan.confirm.as_deref(), Some("olympus-ciam-kratos"));
    let br = &plan.blast_radius;
    assert!(br.contains("the courier worker FAILED"), "{br}");
    assert!(br.contains(", 0 processing, 2 abandoned"), "{br}");
    assert!(
        br.contains("the 2 abandoned messages will NOT be resent"),
        "{br}"
    );
    let queued_in_plan: usize = br
        .split(" queued, ")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no queued count in {br}"));
    assert!(queued_in_plan >= 3, "{br}");

    let answer = c.request(&ana, id, &plan).await;
    assert_done(&answer.request);
    let s = summary(&answer.request);
    assert!(s.starts_with("Restarted olympus-ciam-kratos in "), "{s}");
    assert!(s.contains(" after; the courier worker runs"), "{s}");
    assert!(
        s.contains("2 abandoned messages were not resent: Kratos never retries them"),
        "{s}"
    );
    let before: usize = s
        .split(": ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no 'N queued before' in {s}"));
    assert!(
        before >= queued_in_plan,
        "{s} (the plan saw {queued_in_plan})"
    );
    assert!(s.contains("queued before, 0 after"), "{s}");
    // Read from the host: the queue is empty, the abandoned are still abandoned.
    assert_eq!(queue("queued").await, 0);
    assert_eq!(queue("processing").await, 0);
    assert_eq!(queue("abandoned").await, 2);
    let output = &answer.request.result.as_ref().unwrap().output;
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("before: ") && l.contains("the courier worker FAILED")),
        "{output:?}"
    );
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("after: 0 queued, 0 processing, 2 abandoned")),
        "{output:?}"
    );
}

#[tokio::test]
async fn captcha_off_is_a_mitigation_that_blocks_resolution_until_captcha_on() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c.declare(&ana, "turnstile down").await;
    let hera = "olympus-ciam-hera";
    let flags = sb.dir.join("flags/ciam-hera.env");
    assert_eq!(printenv(hera, "TURNSTILE_DISABLED"), None);

    let (plan, answer) = c
        .run(&ana, id, "captcha-off", json!({"service": "ciam-hera"}))
        .await;
    assert!(
        plan.blast_radius
            .contains("sets TURNSTILE_DISABLED=true for ciam-hera (now not set) and redeploys olympus-ciam-hera"),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    assert_eq!(
        printenv(hera, "TURNSTILE_DISABLED").as_deref(),
        Some("true"),
        "{}",
        summary(&answer.request)
    );
    let file = std::fs::read_to_string(&flags).unwrap();
    assert!(
        file.lines().any(|l| l == "TURNSTILE_DISABLED=true"),
        "{file}"
    );

    // (Read as JSON: the mitigation names the service, and may carry how to undo it.)
    let mitigations = || async {
        let list: serde_json::Value = c.get(&ana, &format!("/api/incidents/{id}/actions")).await;
        list["mitigations"].as_array().cloned().unwrap_or_default()
    };
    let listed = mitigations().await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let words = listed[0].to_string();
    assert!(
        words.contains("TURNSTILE_DISABLED=true on ") && words.contains("ciam-hera"),
        "{words}"
    );
    let resolve_path = format!("/api/incidents/{id}/resolve");
    let resolve = || {
        c.call(
            &ana,
            Method::POST,
            &resolve_path,
            Some(json!({"impact": "logins without a captcha for a while"})),
        )
    };
    let (status, body) = resolve().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("a mitigation is still in place: TURNSTILE_DISABLED=true on "),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("ciam-hera"),
        "{body}"
    );

    let (plan, answer) = c
        .run(&ana, id, "captcha-on", json!({"service": "ciam-hera"}))
        .await;
    assert!(
        plan.blast_radius
            .contains("removes TURNSTILE_DISABLED for ciam-hera (now TURNSTILE_DISABLED=true)"),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    assert_eq!(printenv(hera, "TURNSTILE_DISABLED"), None);
    let file = std::fs::read_to_string(&flags).unwrap();
    assert!(!file.contains("TURNSTILE_DISABLED"), "{file}");
    let listed = mitigations().await;
    assert!(listed.is_empty(), "{listed:?}");

    // The redeployed Hera answers again: the board is all up and the incident resolves.
    wait_all_up(&c.gw.hub).await;
    let (status, body) = resolve().await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn block_address_refuses_that_source_at_the_edge_and_unblock_lets_it_in_again() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c
        .declare(&ana, "credential stuffing from one address")
        .await;
    let list_file = sb.dir.join("caddy/etc/aegis/blocked.caddy");
    assert_eq!(edge_status(&sb, "127.0.0.2"), 200);

    let (plan, answer) = c
        .run(&ana, id, "block-address", json!({"address": "127.0.0.2"}))
        .await;
    assert!(!plan.destructive && plan.confirm.is_none());
    assert!(
        plan.blast_radius.contains(
            "every request from 127.0.0.2 to the edge (olympus-caddy) gets 403 after a Caddy reload; nothing is blocked now"
        ),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    assert!(
        summary(&answer.request).contains(
            "Blocked 127.0.0.2: Caddy reloaded and its config has it; blocked now: 127.0.0.2/32"
        ),
        "{}",
        summary(&answer.request)
    );
    let file = std::fs::read_to_string(&list_file).unwrap();
    assert!(
        file.lines()
            .any(|l| l.trim() == "@aegis_blocked remote_ip 127.0.0.2/32"),
        "{file}"
    );
    assert_eq!(edge_status(&sb, "127.0.0.2"), 403, "the blocked source");
    assert_eq!(edge_status(&sb, "127.0.0.1"), 200, "everyone else");

    let (plan, answer) = c
        .run(&ana, id, "unblock-address", json!({"address": "127.0.0.2"}))
        .await;
    assert!(
        plan.blast_radius.contains(
            "requests from 127.0.0.2 reach the edge again after a Caddy reload; blocked now: 127.0.0.2/32"
        ),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    let file = std::fs::read_to_string(&list_file).unwrap();
    assert!(!file.contains("127.0.0.2"), "{file}");
    assert_eq!(edge_status(&sb, "127.0.0.2"), 200);
}

/// An identity of `scope` that has active Kratos sessions and Hydra consent: (id, email,
/// active sessions, consent sessions).
async fn identity_with_sessions_and_consent(sb: &Sandbox) -> (String, String, usize, usize) {
    let kratos = admin_origin(sb, "ciam-kratos");
    let hydra = admin_origin(sb, "ciam-hydra");
    let (_, _, page) = admin_get(&kratos, "/admin/identities?page_size=100").await;
    for i in page.as_array().expect("identities") {
        let id = i["id"].as_str().unwrap();
        let (code, _, sessions) = admin_get(
            &kratos,
            &format!("/admin/identities/{id}/sessions?active=true"),
        )
        .await;
        let active = if code == 200 {
            sessions.as_array().map_or(0, Vec::len)
        } else {
            0
        };
        if active < 2 {
            continue;
        }
        let (_, _, consent) = admin_get(
            &hydra,
            &format!("/admin/oauth2/auth/sessions/consent?subject={id}"),
        )
        .await;
        let consents = consent.as_array().map_or(0, Vec::len);
        if consents > 0 {
            let email = i["traits"]["email"].as_str().unwrap().to_owned();
            return (id.to_owned(), email, active, consents);
        }
    }
    panic!("no identity among the first 100 has two sessions and consent");
}

#[tokio::test]
async fn lock_identity_by_email_deactivates_it_and_revokes_its_sessions_and_consent_and_unlock_undoes_it(
) {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c.declare(&ana, "account taken over").await;
    let kratos = admin_origin(&sb, "ciam-kratos");
    let hydra = admin_origin(&sb, "ciam-hydra");
    let (who, email, sessions, _) = identity_with_sessions_and_consent(&sb).await;
    let k0 = counts(&sb, "ciam-kratos");
    let h0 = counts(&sb, "ciam-hydra");
    // Typed as a person would paste it.
    let typed = format!(" {} ", email.to_uppercase());

    let plan = c
        .plan(
            &ana,
            id,
            "lock-identity",
            json!({"scope": "ciam", "identity": typed}),
        )
        .await;
    assert_eq!(plan.params.get("identity_id"), Some(&who), "{plan:?}");
    assert_eq!(plan.confirm.as_deref(), Some(email.as_str()));
    assert!(
        plan.blast_radius.contains(&format!(
            "locks identity {who} ({email}, state active): it cannot sign in; revokes its {sessions} active Kratos sessions and its Hydra consent and login sessions"
        )),
        "{}",
        plan.blast_radius
    );
    let answer = c.request(&ana, id, &plan).await;
    assert_done(&answer.request);
    assert_eq!(
        summary(&answer.request),
        format!("Locked identity {who}: state inactive, {sessions} Kratos sessions revoked, Hydra consent and login sessions revoked")
    );

    let (_, _, identity) = admin_get(&kratos, &format!("/admin/identities/{who}")).await;
    assert_eq!(identity["state"], "inactive");
    let k1 = counts(&sb, "ciam-kratos");
    assert_eq!(k1["identities_inactive"], k0["identities_inactive"] + 1);
    assert_eq!(
        k1["sessions_revoked"],
        k0["sessions_revoked"] + sessions as i64
    );
    assert_eq!(
        k1["sessions_active"],
        k0["sessions_active"] - sessions as i64
    );
    assert_eq!(revoked_log(&sb, "ciam-kratos").len(), sessions);
    let (_, _, left) = admin_get(
        &kratos,
        &format!("/admin/identities/{who}/sessions?active=true"),
    )
    .await;
    assert!(left.as_array().is_none_or(Vec::is_empty), "{left}");
    let (_, _, consent) = admin_get(
        &hydra,
        &format!("/admin/oauth2/auth/sessions/consent?subject={who}"),
    )
    .await;
    assert_eq!(consent, json!([]), "its Hydra consent is gone");
    let h1 = counts(&sb, "ciam-hydra");
    assert_eq!(h1["subjects_with_consent"], h0["subjects_with_consent"] - 1);

    // Unlock it by its id this time.
    let (plan, answer) = c
        .run(
            &ana,
            id,
            "unlock-identity",
            json!({"scope": "ciam", "identity": who}),
        )
        .await;
    assert!(
        plan.blast_radius.contains(&format!(
            "sets identity {who} ({email}, state inactive) back to active"
        )),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    let (_, _, identity) = admin_get(&kratos, &format!("/admin/identities/{who}")).await;
    assert_eq!(identity["state"], "active");
    assert_eq!(
        count(&sb, "ciam-kratos", "identities_inactive"),
        k0["identities_inactive"]
    );
}

/// Everything the gateway logs while a test runs (the test's runtime runs the gateway's tasks on
/// this thread, so a thread-local subscriber sees them).
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

/// Whether `text` holds `code` as a number of its own (not inside a longer run of digits or a
/// hexadecimal hash).
fn holds_code(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[tokio::test]
async fn recovery_code_is_shown_once_to_the_requester_and_nowhere_else() {
    let sb = Sandbox::claim().await;
    let logs = LogCapture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let bo = c.sign_in(COMMANDER).await;
    let vic = c.sign_in(STAKEHOLDER).await;
    let id = c.declare(&ana, "password reuse").await;
    let (who, email, sessions, _) = identity_with_sessions_and_consent(&sb).await;
    let k0 = counts(&sb, "ciam-kratos");
    let sockets = [
        c.socket(&ana).await,
        c.socket(&bo).await,
        c.socket(&vic).await,
    ];

    let plan = c
        .plan(
            &ana,
            id,
            "recovery-code",
            json!({"scope": "ciam", "identity": who}),
        )
        .await;
    assert_eq!(plan.confirm.as_deref(), Some(who.as_str()));
    assert!(
        plan.blast_radius.contains(&format!(
            "revokes the {sessions} active sessions of identity {who} ({email}, state active) and creates a recovery code valid for 1 hour, shown once to you"
        )),
        "{}",
        plan.blast_radius
    );
    let answer = c.request(&ana, id, &plan).await;
    assert_done(&answer.request);
    let shown = answer.shown_once.clone().expect("the code, shown once");
    // "Recovery code 123456 (or link https://...), valid until ..."
    let code = shown
        .strip_prefix("Recovery code ")
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("{shown}"))
        .to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{shown}"
    );
    let link = shown
        .split("(or link ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("{shown}"))
        .to_owned();
    let flow = link.rsplit("flow=").next().unwrap().to_owned();
    assert!(
        holds_code(&shown, &code) && shown.contains(&flow),
        "the search finds them"
    );
    assert!(shown.contains("Kratos does not send it"), "{shown}");
    // The code is the one Kratos issued for this identity.
    let issued =
        std::fs::read_to_string(sb.dir.join("ory/ciam-kratos/recovery-codes.log")).unwrap();
    let last = issued.lines().last().unwrap();
    assert!(
        last.contains(&format!("identity={who} code={code} ")) && last.contains(&flow),
        "{last}"
    );
    let k1 = counts(&sb, "ciam-kratos");
    assert_eq!(k1["recovery_codes"], k0["recovery_codes"] + 1);
    assert_eq!(
        k1["sessions_revoked"],
        k0["sessions_revoked"] + sessions as i64
    );
    assert!(summary(&answer.request).starts_with(&format!(
        "Revoked {sessions} sessions of identity {who} and created a recovery code (expires "
    )));

    // Nowhere else: not in the answer's request, any later API answer, any socket, the timeline,
    // the audit log (API and export), the database file, or the gateway's log.
    for s in &sockets {
        s.wait_for("the finished request", Duration::from_secs(10), |f| {
            final_action_frame(f, answer.request.id)
        })
        .await;
    }
    let mut seen: Vec<(String, String)> = vec![(
        "the request in the answer".into(),
        serde_json::to_string(&answer.request).unwrap(),
    )];
    for (who, user) in [("ana", &ana), ("bo", &bo), ("vic", &vic)] {
        for path in [
            format!("/api/incidents/{id}"),
            format!("/api/incidents/{id}/actions"),
            "/api/incidents".to_owned(),
        ] {
            let (_, body) = c.call(user, Method::GET, &path, None).await;
            seen.push((format!("GET {path} as {who}"), body.to_string()));
        }
    }
    let (status, audit) = c
        .call(&bo, Method::GET, &format!("/api/audit?incident={id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    seen.push(("GET /api/audit".into(), audit.to_string()));
    let mut exported = String::new();
    c.gw.state
        .audit
        .export(Some(id), |e| {
            exported.push_str(&serde_json::to_string(e).unwrap());
            Ok(())
        })
        .await
        .unwrap();
    assert!(exported.contains("recovery-code"), "the run is exported");
    seen.push(("the audit export".into(), exported));
    for (s, name) in sockets
        .iter()
        .zip(["ana's socket", "bo's socket", "vic's socket"])
    {
        seen.push((name.into(), s.texts().join("\n")));
    }
    seen.push((
        "the gateway's log".into(),
        String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned(),
    ));
    for (what, text) in &seen {
        assert!(
            !holds_code(text, &code),
            "the code {code} is in {what}: {text}"
        );
        assert!(!text.contains(&flow), "the recovery link is in {what}");
    }
    let dir = data_dir(&c);
    for file in ["aegis.db", "aegis.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&flow),
            "the recovery link is stored in {file}"
        );
        assert!(
            !text.contains(&format!("code {code}")) && !text.contains(&format!("code={code}")),
            "the code is stored in {file}"
        );
    }
    // What the incident keeps: that a code was created, not the code.
    let detail: wire::IncidentDetail = c.get(&ana, &format!("/api/incidents/{id}")).await;
    assert!(
        detail.timeline.iter().any(|e| matches!(
            &e.kind,
            wire::EntryKind::Action { did, .. } if did.contains("created a recovery code")
        )),
        "{:?}",
        detail.timeline
    );
}

#[tokio::test]
async fn db_snapshot_writes_a_file_whose_size_and_sha256_are_the_ones_recorded() {
    use sha2::Digest;
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let id = c.declare(&ana, "before the cleanup").await;
    let dir = sb
        .settings()
        .database
        .and_then(|d| d.snapshot_dir)
        .expect("the sandbox has a snapshot_dir");

    let (plan, answer) = c.run(&ana, id, "db-snapshot", json!({})).await;
    assert!(!plan.destructive && plan.confirm.is_none());
    assert!(
        plan.blast_radius.starts_with(&format!(
            "writes a dump of every database in olympus-postgres to {dir}/olympus-<time>.sql ("
        )),
        "{}",
        plan.blast_radius
    );
    assert_done(&answer.request);
    // "Snapshot PATH: SIZE bytes, SHA-256 HEX"
    let s = summary(&answer.request);
    let rest = s.strip_prefix("Snapshot ").unwrap_or_else(|| panic!("{s}"));
    let (path, rest) = rest.split_once(": ").unwrap();
    let (size, sha) = rest.split_once(" bytes, SHA-256 ").unwrap();
    let path = std::path::PathBuf::from(path);
    assert!(path.starts_with(dir.as_str()), "{s}");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("olympus-") && name.ends_with("Z.sql"),
        "{name}"
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(bytes.len().to_string(), size, "{s}");
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, sha, "{s}");
    assert!(bytes.len() > 100_000, "a dump of the seeded data");
    assert!(
        String::from_utf8_lossy(&bytes[..4096.min(bytes.len())])
            .contains("PostgreSQL database cluster dump"),
        "a pg_dumpall file"
    );
    assert!(!path.with_extension("sql.partial").exists());
    // The size and digest are on the incident.
    let detail: wire::IncidentDetail = c.get(&ana, &format!("/api/incidents/{id}")).await;
    assert!(
        detail.timeline.iter().any(|e| matches!(
            &e.kind,
            wire::EntryKind::Action { did, .. } if did.contains(sha) && did.contains(size)
        )),
        "{:?}",
        detail.timeline
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(
        mode & 0o077,
        0,
        "a dump of every password hash is its owner's alone: {mode:o}"
    );
    std::fs::remove_file(&path).unwrap();
}
