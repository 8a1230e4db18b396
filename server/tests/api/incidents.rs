//! The incident lifecycle over HTTP and the websocket, with a hand-driven clock and a scripted host:
//! deadlines, cadence, invalid transitions, health changes on the timeline, stakeholder projection.

use std::sync::Arc;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use server::clock::ManualClock;
use server::remote::fake::{ok, FakeHost};
use server::remote::RemoteError;
use wire::{
    Acknowledged, EntryKind, IncidentDetail, IncidentList, Phase, Role, ServerMsg, Severity,
    Written, FIRST_POST, MINUTE_MS,
};

use super::support::{
    call, get, next_msg, settings, signed_in, start_full, wait_board, ws_as, Running, Ws,
};

/// Wednesday 25 November 2026, 14:00 UTC.
const T0: i64 = 1_795_615_200_000;

struct Console {
    g: Running,
    clock: Arc<ManualClock>,
    host: Arc<FakeHost>,
}

async fn console_at(now_ms: i64, tune: impl FnOnce(&mut server::config::Settings)) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    tune(&mut s);
    let clock = Arc::new(ManualClock::at(now_ms));
    let host = Arc::new(FakeHost::new(|_| ok("[]")));
    let g = start_full(dir, s, host.clone(), clock.clone()).await;
    Console { g, clock, host }
}

async fn console() -> Console {
    console_at(T0, |_| {}).await
}

async fn declare(g: &Running, who: &(Client, String), severity: &str) -> Written {
    let (status, body) = call(
        g,
        who,
        Method::POST,
        "/api/incidents",
        json!({"title": "Logins failing on ciam", "broken": "kratos answers 502", "severity": severity}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn detail(g: &Running, who: &(Client, String), id: i64) -> IncidentDetail {
    get(g, who, &format!("/api/incidents/{id}")).await
}

/// Waits until the board has finished a sweep, so that "all up" means something.
async fn swept(g: &Running) {
    wait_board(g, |s| s.sweep_seq > 0).await;
}

fn kinds(d: &IncidentDetail) -> Vec<&'static str> {
    d.timeline.iter().map(|e| e.kind.tag()).collect()
}

#[tokio::test]
async fn a_sev1_runs_its_timers_from_declaration_to_resolution() {
    let Console { g, clock, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    swept(&g).await;

    let w = declare(&g, &responder, "sev1").await;
    let id = w.incident.id;
    assert_eq!(w.incident.phase, Phase::Declared);
    assert_eq!(w.incident.response_due_ms, T0 + 15 * MINUTE_MS);
    assert_eq!(w.incident.update_due_ms, Some(T0 + 15 * MINUTE_MS));
    assert_eq!(
        w.incident.declared_by, "responder",
        "the actor is the session's account"
    );

    clock.advance(15 * MINUTE_MS);
    let i = detail(&g, &responder, id).await.incident;
    assert!(!i.response_overdue(clock_now(&clock)), "due, not overdue");
    clock.advance(1_000);
    assert!(
        i.response_overdue(clock_now(&clock)),
        "a second late is overdue"
    );

    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/ack"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ack: Acknowledged = serde_json::from_value(body).unwrap();
    assert_eq!(ack.incident.acknowledged_by.as_deref(), Some("responder"));
    assert_eq!(
        (&ack.entry.kind, ack.entry.actor.as_str()),
        (&EntryKind::Acknowledged, "responder")
    );
    assert!(!ack.incident.response_overdue(clock_now(&clock)));
    let proposal = ack
        .proposed_update
        .expect("a Sev 1 proposes the first post");
    assert_eq!(
        (proposal.known.as_str(), proposal.eta_minutes),
        (FIRST_POST, 15)
    );

    // The first post at T0+16m; the cadence restarts from it.
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/updates"),
        serde_json::to_value(&proposal).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let w: Written = serde_json::from_value(body).unwrap();
    let first_update = T0 + 15 * MINUTE_MS + 1_000;
    assert_eq!(
        w.incident.update_due_ms,
        Some(first_update + 15 * MINUTE_MS)
    );

    // Overdue when the cadence passes without an update, and restarted by the next one.
    clock.advance(15 * MINUTE_MS + 1);
    let i = detail(&g, &responder, id).await.incident;
    assert!(i.update_overdue(clock_now(&clock)));
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/updates"),
        json!({"known": "kratos pool exhausted", "trying": "restarting ciam-kratos", "eta_minutes": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let w: Written = serde_json::from_value(body).unwrap();
    assert_eq!(
        w.incident.update_due_ms,
        Some(clock_now(&clock) + 10 * MINUTE_MS)
    );
    assert!(!w.incident.update_overdue(clock_now(&clock)));
    assert_eq!(w.incident.updates, 2);
    assert_eq!(
        w.incident.last_update.as_deref(),
        Some("kratos pool exhausted")
    );

    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "ciam logins failed for 31 minutes"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w: Written = serde_json::from_value(body).unwrap();
    assert_eq!(w.incident.phase, Phase::Resolved);
    assert_eq!(
        w.incident.update_due_ms, None,
        "a resolved incident owes no updates"
    );
    assert_eq!(
        w.incident.retrospective_due_ms,
        Some(clock_now(&clock) + 48 * 3_600_000),
        "a Sev 1 waits for its retrospective, due within 48 hours"
    );

    let d = detail(&g, &responder, id).await;
    assert_eq!(
        kinds(&d),
        [
            "declared",
            "acknowledged",
            "status_update",
            "status_update",
            "resolved"
        ]
    );
    assert!(d.timeline.iter().all(|e| e.actor == "responder"));
    assert!(
        !d.board_at_declaration.checks.is_empty(),
        "the board is snapshotted at declaration"
    );
}

fn clock_now(c: &ManualClock) -> i64 {
    use server::clock::Clock;
    c.now_ms()
}

#[tokio::test]
async fn a_confirmed_compromise_is_always_sev1() {
    let Console { g, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        "/api/incidents",
        json!({"title": "Admin session from unknown IP", "broken": "athena admin login from 203.0.113.9", "severity": "sev3", "compromise": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let w: Written = serde_json::from_value(body).unwrap();
    assert_eq!(w.incident.severity, Severity::Sev1);
    assert_eq!(w.incident.response_due_ms, T0 + 15 * MINUTE_MS);
    let (status, body) = call(
        &g,
        &commander,
        Method::POST,
        &format!("/api/incidents/{}/severity", w.incident.id),
        json!({"severity": "sev2", "reason": "contained"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("always Sev 1"),
        "{body}"
    );
}

#[tokio::test]
async fn sev4_is_due_at_the_next_business_day_in_the_configured_zone() {
    // Friday 27 March 2026 16:00 UTC; Berlin moves to summer time that Sunday.
    let friday = 1_774_627_200_000;
    let Console { g, .. } = console_at(friday, |s| {
        s.incidents.time_zone = server::values::TimeZoneName::parse("Europe/Berlin").unwrap();
    })
    .await;
    let responder = signed_in(&g, Role::Responder).await;
    let w = declare(&g, &responder, "sev4").await;
    // Monday 30 March 09:00 CEST = 07:00 UTC.
    assert_eq!(w.incident.response_due_ms, 1_774_854_000_000);
    let list: IncidentList = get(&g, &responder, "/api/incidents").await;
    assert_eq!(list.time_zone, "Europe/Berlin");
}

#[tokio::test]
async fn a_commander_regrades_with_a_reason_and_the_deadline_follows() {
    let Console { g, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let w = declare(&g, &responder, "sev3").await;
    let path = format!("/api/incidents/{}/severity", w.incident.id);
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &path,
        json!({"severity": "sev1", "reason": "both domains"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = call(
        &g,
        &commander,
        Method::POST,
        &path,
        json!({"severity": "sev1", "reason": " "}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a reason is required: {body}"
    );
    let (status, body) = call(
        &g,
        &commander,
        Method::POST,
        &path,
        json!({"severity": "sev1", "reason": "iam is down too"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w: Written = serde_json::from_value(body).unwrap();
    assert_eq!(w.incident.severity, Severity::Sev1);
    assert_eq!(
        w.incident.response_due_ms,
        T0 + 15 * MINUTE_MS,
        "not yet acknowledged: the Sev 1 clock applies"
    );
    match &w.entry.kind {
        EntryKind::SeverityChanged { from, to, reason } => {
            assert_eq!(
                (*from, *to, reason.as_str()),
                (Severity::Sev3, Severity::Sev1, "iam is down too")
            );
        }
        other => panic!("expected a severity change, got {other:?}"),
    }
    assert_eq!(w.entry.actor, "commander");
}

/// A call and what its answer must be: the status, and words the message must contain.
type Case<'a> = (
    &'a (Client, String),
    Method,
    String,
    Value,
    StatusCode,
    &'a str,
);

/// Makes each call in order and checks its answer.
async fn expect_all(g: &Running, cases: Vec<Case<'_>>) {
    for (who, method, path, body, want, words) in cases {
        let what = format!("{method} {path}");
        let (status, body) = call(g, who, method, &path, body).await;
        assert_eq!(status, want, "{what}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(words),
            "{what}: `{message}` should say `{words}`"
        );
    }
}

#[tokio::test]
async fn invalid_transitions_and_bad_input_get_clear_errors() {
    let Console { g, host, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    let commander = signed_in(&g, Role::Commander).await;
    swept(&g).await;
    let id = declare(&g, &responder, "sev2").await.incident.id;
    let at = |action: &str| format!("/api/incidents/{id}/{action}");
    let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
    let update = |eta: u32| json!({"known": "x", "eta_minutes": eta});

    expect_all(
        &g,
        vec![
            // Before acknowledgement.
            (&responder, post.clone(), at("updates"), update(15), StatusCode::CONFLICT, "acknowledge INC-"),
            // A stakeholder cannot post anything.
            (&stakeholder, post.clone(), at("ack"), json!({}), StatusCode::FORBIDDEN, ""),
            (&stakeholder, post.clone(), at("updates"), update(15), StatusCode::FORBIDDEN, ""),
            (
                &stakeholder,
                post.clone(),
                "/api/incidents".into(),
                json!({"title": "t", "broken": "b", "severity": "sev1"}),
                StatusCode::FORBIDDEN,
                "",
            ),
            (&responder, post.clone(), at("ack"), json!({}), StatusCode::OK, ""),
            (&commander, post.clone(), at("ack"), json!({}), StatusCode::CONFLICT, "already acknowledged by responder"),
            (&responder, post.clone(), at("updates"), update(16), StatusCode::BAD_REQUEST, "1 to 15 minutes"),
            (
                &responder,
                post.clone(),
                at("updates"),
                json!({"known": "  ", "eta_minutes": 5}),
                StatusCode::BAD_REQUEST,
                "what we know is required",
            ),
            (
                &responder,
                put.clone(),
                at("scope"),
                json!({"services": ["ciam-kratos; rm -rf /"], "domains": ["ciam"], "database": false, "apps": true}),
                StatusCode::BAD_REQUEST,
                "not a service this console knows",
            ),
            (
                &responder,
                put.clone(),
                at("scope"),
                json!({"services": [], "domains": ["mars"], "database": false, "apps": true}),
                StatusCode::BAD_REQUEST,
                "request body",
            ),
            (&responder, get.clone(), "/api/incidents/abc".into(), json!(null), StatusCode::BAD_REQUEST, "bad address"),
            (&responder, get.clone(), "/api/incidents/424242".into(), json!(null), StatusCode::NOT_FOUND, "INC-424242"),
            (&responder, get, "/api/incidents?state=closed".into(), json!(null), StatusCode::BAD_REQUEST, "open, resolved, all"),
        ],
    )
    .await;

    // Malformed requests are JSON errors, not axum's plain text.
    let resp = responder
        .0
        .post(format!("{}{}", g.base, at("notes")))
        .header(wire::CSRF_HEADER, &responder.1)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");

    // Resolution needs the board all up, or a commander's override with a reason.
    host.set_connect(Err(RemoteError::Unreachable("connection refused".into())));
    g.state.sweep.request();
    wait_board(&g, |s| !s.host.reachable).await;
    let resolve = |override_reason: Option<&str>| match override_reason {
        Some(r) => json!({"impact": "none", "override_reason": r}),
        None => json!({"impact": "none"}),
    };
    expect_all(
        &g,
        vec![
            (
                &responder,
                post.clone(),
                at("resolve"),
                resolve(None),
                StatusCode::CONFLICT,
                "the host is unreachable",
            ),
            (
                &responder,
                post.clone(),
                at("resolve"),
                resolve(Some("known probe fault")),
                StatusCode::FORBIDDEN,
                "only the incident commander",
            ),
            (
                &commander,
                post.clone(),
                at("resolve"),
                json!({"impact": ""}),
                StatusCode::BAD_REQUEST,
                "impact is required",
            ),
            (
                &commander,
                post.clone(),
                at("resolve"),
                resolve(Some("ssh bastion down, services verified by hand")),
                StatusCode::OK,
                "",
            ),
            // Nothing changes a resolved incident.
            (
                &commander,
                post.clone(),
                at("resolve"),
                resolve(Some("again")),
                StatusCode::CONFLICT,
                "already resolved",
            ),
            (
                &responder,
                post.clone(),
                at("updates"),
                update(5),
                StatusCode::CONFLICT,
                "already resolved",
            ),
            (
                &responder,
                post.clone(),
                at("notes"),
                json!({"text": "late"}),
                StatusCode::CONFLICT,
                "already resolved",
            ),
            (
                &commander,
                post,
                at("severity"),
                json!({"severity": "sev1", "reason": "r"}),
                StatusCode::CONFLICT,
                "already resolved",
            ),
        ],
    )
    .await;

    // Refusals wrote nothing.
    let d = detail(&g, &responder, id).await;
    assert_eq!(
        kinds(&d),
        ["declared", "acknowledged", "health", "resolved"]
    );
    match &d.timeline[3].kind {
        EntryKind::Resolved {
            override_reason, ..
        } => assert_eq!(
            override_reason.as_deref(),
            Some("ssh bastion down, services verified by hand")
        ),
        other => panic!("{other:?}"),
    }
}

/// The next message of the wanted kind, skipping heartbeats and sweep bookkeeping.
async fn next_matching(ws: &mut Ws, want: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
    loop {
        let msg = next_msg(ws).await;
        if want(&msg) {
            return msg;
        }
    }
}

#[tokio::test]
async fn changes_stream_live_and_stakeholders_get_their_projection() {
    let Console { g, host, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    swept(&g).await;
    let mut ws_r = ws_as(&g, Role::Responder).await;
    let mut ws_s = ws_as(&g, Role::Stakeholder).await;
    for ws in [&mut ws_r, &mut ws_s] {
        match next_matching(ws, |m| matches!(m, ServerMsg::Incidents { .. })).await {
            ServerMsg::Incidents { incidents } => assert!(incidents.is_empty()),
            _ => unreachable!(),
        }
    }

    let id = declare(&g, &responder, "sev1").await.incident.id;
    for ws in [&mut ws_r, &mut ws_s] {
        match next_matching(ws, |m| matches!(m, ServerMsg::Incident { .. })).await {
            ServerMsg::Incident { incident } => {
                assert_eq!((incident.id, incident.phase), (id, Phase::Declared))
            }
            _ => unreachable!(),
        }
    }
    call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/notes"),
        json!({"text": "db password=hunter2 in env looks rotated"}),
    )
    .await;
    call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/ack"),
        json!({}),
    )
    .await;
    call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/updates"),
        json!({"known": "Investigating", "eta_minutes": 15}),
    )
    .await;

    // A fault while the incident is open lands on its timeline, live.
    host.set_connect(Err(RemoteError::Unreachable(
        "no route to host 10.0.0.5".into(),
    )));
    g.state.sweep.request();
    let health = next_matching(&mut ws_r, |m| matches!(m, ServerMsg::Entry { entry } if matches!(entry.kind, EntryKind::Health { .. }))).await;
    match health {
        ServerMsg::Entry { entry } => match entry.kind {
            EntryKind::Health {
                from, to, detail, ..
            } => {
                assert_eq!((from, to), (wire::Status::Up, wire::Status::Down));
                assert!(
                    detail.contains("10.0.0.5"),
                    "responders see the detail: {detail}"
                );
            }
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }

    // The stakeholder saw the update and the health change, never the note, and no host detail.
    let mut seen = Vec::new();
    loop {
        let msg = next_matching(&mut ws_s, |m| matches!(m, ServerMsg::Entry { .. })).await;
        let ServerMsg::Entry { entry } = msg else {
            unreachable!()
        };
        let is_health = matches!(entry.kind, EntryKind::Health { .. });
        seen.push(entry);
        if is_health {
            break;
        }
    }
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("rotated"),
        "no notes: {text}"
    );
    assert!(!text.contains("10.0.0.5"), "no host detail: {text}");
    assert!(seen.iter().any(
        |e| matches!(&e.kind, EntryKind::StatusUpdate { known, .. } if known == "Investigating")
    ));

    // The stored note is masked, and the stakeholder's page has no notes either.
    let d = detail(&g, &responder, id).await;
    let note = d
        .timeline
        .iter()
        .find_map(|e| match &e.kind {
            EntryKind::Note { text } => Some(text.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        !note.contains("hunter2"),
        "secrets typed into notes are masked: {note}"
    );
    let d = detail(&g, &stakeholder, id).await;
    assert!(!kinds(&d).contains(&"note"));
    let text = serde_json::to_string(&d).unwrap();
    assert!(
        !text.contains("10.0.0.5") && !text.contains("fake"),
        "{text}"
    );
}

#[tokio::test]
async fn several_open_incidents_list_open_first_and_filter() {
    let Console { g, .. } = console().await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    swept(&g).await;
    let a = declare(&g, &responder, "sev3").await.incident.id;
    let b = declare(&g, &responder, "sev1").await.incident.id;
    let c = declare(&g, &responder, "sev2").await.incident.id;
    call(
        &g,
        &commander,
        Method::POST,
        &format!("/api/incidents/{b}/ack"),
        json!({}),
    )
    .await;
    let (status, _) = call(
        &g,
        &commander,
        Method::POST,
        &format!("/api/incidents/{b}/resolve"),
        json!({"impact": "none"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let list = |q: &'static str| {
        let responder = &responder;
        let g = &g;
        async move {
            let l: IncidentList = get(g, responder, &format!("/api/incidents{q}")).await;
            l.incidents.iter().map(|i| i.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("").await,
        [c, a, b],
        "open (newest first), then resolved"
    );
    assert_eq!(list("?state=open").await, [c, a]);
    assert_eq!(list("?state=resolved").await, [b]);
    assert_eq!(list("?severity=sev3").await, [a]);
}

async fn resolve_by_commander(g: &Running, commander: &(Client, String), id: i64) {
    let (status, body) = call(
        g,
        commander,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "none", "override_reason": "test"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn open_incidents_are_capped_with_a_clear_refusal() {
    let Console { g, .. } = console_at(T0, |s| s.incidents.max_open = 2).await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let first = declare(&g, &responder, "sev3").await;
    declare(&g, &responder, "sev3").await;
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        "/api/incidents",
        json!({"title": "One more", "broken": "x", "severity": "sev3"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("2 incidents are already open") && message.contains("max_open"),
        "{message}"
    );
    // Resolving one frees its place.
    resolve_by_commander(&g, &commander, first.incident.id).await;
    declare(&g, &responder, "sev3").await;
}

/// The `Link: <…>; rel="next"` of a response, if any.
async fn get_with_link(g: &Running, who: &(Client, String), path: &str) -> (Value, Option<String>) {
    let resp = who.0.get(format!("{}{path}", g.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let link = resp
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.json().await.unwrap(), link)
}

#[tokio::test]
async fn the_incident_list_and_a_timeline_come_in_pages() {
    let Console { g, .. } = console_at(T0, |s| s.incidents.recent_resolved = 2).await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let w = declare(&g, &responder, "sev3").await;
        resolve_by_commander(&g, &commander, w.incident.id).await;
        ids.push(w.incident.id);
    }
    let mut seen = Vec::new();
    let mut path = "/api/incidents?state=resolved".to_string();
    let mut pages = 0;
    loop {
        let (list, link) = get_with_link(&g, &responder, &path).await;
        let list: IncidentList = serde_json::from_value(list).unwrap();
        assert!(list.incidents.len() <= 2);
        seen.extend(list.incidents.iter().map(|i| i.id));
        pages += 1;
        match link {
            Some(l) => {
                assert!(l.ends_with("rel=\"next\""), "{l}");
                path = l[1..l.find('>').unwrap()].to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(seen, ids, "every resolved incident, once");

    // A timeline longer than a page: the newest page, then the earlier ones through the link.
    let id = declare(&g, &responder, "sev2").await.incident.id;
    let n = server::incidents::TIMELINE_PAGE as usize + 20;
    let entries = (0..n)
        .map(|k| {
            (
                id,
                server::store::incidents::NewEntry {
                    at_ms: T0 + k as i64,
                    actor: "responder".into(),
                    kind: EntryKind::Note {
                        text: format!("note {k}"),
                    },
                    channel_payload: None,
                },
            )
        })
        .collect();
    g.state.store.append_entries(entries).await.unwrap();
    let (first, link) = get_with_link(&g, &responder, &format!("/api/incidents/{id}")).await;
    let first: IncidentDetail = serde_json::from_value(first).unwrap();
    assert_eq!(
        first.timeline.len(),
        server::incidents::TIMELINE_PAGE as usize
    );
    assert!(
        matches!(&first.timeline.last().unwrap().kind, EntryKind::Note { text } if text == &format!("note {}", n - 1))
    );
    let link = link.expect("earlier entries are linked");
    let (earlier, more) = get_with_link(&g, &responder, &link[1..link.find('>').unwrap()]).await;
    let earlier: IncidentDetail = serde_json::from_value(earlier).unwrap();
    assert!(more.is_none());
    assert_eq!(
        earlier.timeline.len() + first.timeline.len(),
        n + 1,
        "the declaration and every note, across two pages"
    );
    assert!(earlier.timeline.last().unwrap().seq < first.timeline[0].seq);
}
