//! Retrospectives over HTTP with a hand-driven clock and a scripted host: the record a scripted
//! incident pre-fills, stars and the mitigation mark, versions, the Sev 1/2 completion rule,
//! reading rights, the 48-hour reminders, and open action items across incidents.

use std::sync::{Arc, Mutex};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use server::clock::ManualClock;
use server::remote::fake::{ok, FakeHost};
use server::remote::RemoteError;
use wire::{
    EntryKind, IncidentDetail, ItemList, Marks, RetroState, Retrospective, Role, Written, MINUTE_MS,
};

use super::support::{call, get, settings, signed_in, start_full, wait_board, Running};

/// Wednesday 25 November 2026, 14:00 UTC.
const T0: i64 = 1_795_615_200_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

type Who = (Client, String);

struct Console {
    g: Running,
    clock: Arc<ManualClock>,
    host: Arc<FakeHost>,
}

async fn console(tune: impl FnOnce(&mut server::config::Settings)) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    tune(&mut s);
    let clock = Arc::new(ManualClock::at(T0));
    let host = Arc::new(FakeHost::new(|_| ok("[]")));
    let g = start_full(dir, s, host.clone(), clock.clone()).await;
    Console { g, clock, host }
}

async fn expect(
    g: &Running,
    who: &Who,
    method: Method,
    path: &str,
    body: Value,
    want: StatusCode,
) -> Value {
    let (status, answer) = call(g, who, method.clone(), path, body).await;
    assert_eq!(status, want, "{method} {path}: {answer}");
    answer
}

async fn declare(g: &Running, who: &Who, severity: &str, services: &[&str]) -> i64 {
    let body = expect(
        g,
        who,
        Method::POST,
        "/api/incidents",
        json!({"title": "Logins failing on ciam", "broken": "kratos answers 502",
               "severity": severity, "scope": {"services": services, "domains": [], "database": false, "apps": false}}),
        StatusCode::CREATED,
    )
    .await;
    serde_json::from_value::<Written>(body).unwrap().incident.id
}

fn retro_path(id: i64) -> String {
    format!("/api/incidents/{id}/retrospective")
}

/// A Sev 2 walked from declaration to resolution with a fault and its recovery, a late update and
/// a regrade: every entry appears once in the record, in order, with its actor, starred ones first,
/// and the durations are the clock's.
#[tokio::test]
async fn a_scripted_incident_prefills_its_retrospective() {
    let Console { g, clock, host } = console(|_| {}).await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    wait_board(&g, |s| s.sweep_seq > 0).await;

    let id = declare(&g, &responder, "sev2", &[]).await;
    let at = |what: &str| format!("/api/incidents/{id}/{what}");
    // Nothing to write before it is resolved.
    let refused = expect(
        &g,
        &responder,
        Method::PUT,
        &retro_path(id),
        json!({"sections": {"summary": "x", "impact": "", "root_cause": "", "went_well": "", "went_badly": ""}, "base": 0}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(refused["message"].as_str().unwrap().contains("still open"));

    clock.advance(4 * MINUTE_MS);
    expect(
        &g,
        &responder,
        Method::POST,
        &at("ack"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &g,
        &responder,
        Method::POST,
        &at("notes"),
        json!({"text": "internal: the pool password is in the vault"}),
        StatusCode::CREATED,
    )
    .await;
    clock.advance(2 * MINUTE_MS);
    expect(
        &g,
        &responder,
        Method::POST,
        &at("updates"),
        json!({"known": "kratos answers 502", "trying": "restarting it", "eta_minutes": 15}),
        StatusCode::CREATED,
    )
    .await;
    // The host goes away for 20 minutes.
    host.set_connect(Err(RemoteError::Unreachable("connection refused".into())));
    g.state.sweep.request();
    wait_board(&g, |s| !s.host.reachable).await;
    clock.advance(20 * MINUTE_MS);
    host.set_connect(Ok(()));
    g.state.sweep.request();
    wait_board(&g, |s| s.host.reachable).await;
    clock.advance(MINUTE_MS);
    expect(
        &g,
        &commander,
        Method::POST,
        &at("severity"),
        json!({"severity": "sev1", "reason": "all ciam logins fail"}),
        StatusCode::OK,
    )
    .await;
    // Due at 6 + 15 = 21 min; posted at 45 min: 24 min late.
    clock.advance(18 * MINUTE_MS);
    expect(
        &g,
        &responder,
        Method::POST,
        &at("updates"),
        json!({"known": "back since 26 min", "trying": "", "eta_minutes": 15}),
        StatusCode::CREATED,
    )
    .await;

    let d: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    let healths: Vec<&wire::TimelineEntry> = d
        .timeline
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Health { .. }))
        .collect();
    assert_eq!(healths.len(), 2, "down and back up: {:?}", d.timeline);
    let recovered = healths[1].seq;
    // The recovery is where the bleeding stopped, and worth a star; a stakeholder cannot mark.
    let marks: Marks = serde_json::from_value(
        expect(
            &g,
            &responder,
            Method::PUT,
            &at(&format!("timeline/{recovered}/star")),
            json!({"on": true}),
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!(marks.starred, [recovered]);
    expect(
        &g,
        &responder,
        Method::PUT,
        &at(&format!("timeline/{recovered}/mitigation")),
        json!({"on": true}),
        StatusCode::OK,
    )
    .await;
    expect(
        &g,
        &stakeholder,
        Method::PUT,
        &at(&format!("timeline/{recovered}/star")),
        json!({"on": false}),
        StatusCode::FORBIDDEN,
    )
    .await;
    // An entry of another incident is not this one's to star.
    expect(
        &g,
        &responder,
        Method::PUT,
        &format!("/api/incidents/{}/timeline/{recovered}/star", id + 1),
        json!({"on": true}),
        StatusCode::NOT_FOUND,
    )
    .await;

    clock.advance(5 * MINUTE_MS);
    expect(
        &g,
        &responder,
        Method::POST,
        &at("resolve"),
        json!({"impact": "ciam logins failed for 20 minutes"}),
        StatusCode::OK,
    )
    .await;

    let r: Retrospective = get(&g, &responder, &retro_path(id)).await;
    let d: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    // Every entry once; the starred one first, then the rest in time order.
    let mut seqs: Vec<i64> = r.record.timeline.iter().map(|l| l.seq).collect();
    assert_eq!(seqs[0], recovered);
    assert!(r.record.timeline[0].starred && r.record.timeline[0].mitigation);
    let rest: Vec<i64> = seqs[1..].to_vec();
    let mut sorted = rest.clone();
    sorted.sort();
    assert_eq!(rest, sorted, "the rest in order");
    seqs.sort();
    let all: Vec<i64> = d.timeline.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, all, "every entry exactly once");
    let by_kind = |prefix: &str| {
        r.record
            .timeline
            .iter()
            .find(|l| l.text.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in {:?}", r.record.timeline))
    };
    assert_eq!(by_kind("Declared Sev 2").actor, "responder");
    assert_eq!(by_kind("Acknowledged").actor, "responder");
    assert_eq!(by_kind("Severity Sev 2 → Sev 1").actor, "commander");
    assert!(by_kind("Severity Sev 2 → Sev 1")
        .text
        .contains("all ciam logins fail"));
    assert_eq!(by_kind("Resolved").at_ms, T0 + 50 * MINUTE_MS);
    assert_eq!(r.record.to_first_response_ms, Some(4 * MINUTE_MS));
    assert_eq!(r.record.to_mitigation_ms, Some(26 * MINUTE_MS));
    assert_eq!(r.record.to_resolution_ms, Some(50 * MINUTE_MS));
    assert_eq!(
        r.record.impact.as_deref(),
        Some("ciam logins failed for 20 minutes")
    );
    // The draft says it in words.
    assert_eq!(r.version, 0);
    assert!(r
        .sections
        .impact
        .contains("Time to first response: 4 min (due within 30 min)"));
    assert!(r.sections.impact.contains("Time to mitigation: 26 min"));
    assert!(r.sections.impact.contains("Time to resolution: 50 min"));
    assert!(r.sections.went_well.contains("First response in 4 min"));
    assert!(
        r.sections.went_badly.contains("24 min late"),
        "{}",
        r.sections.went_badly
    );
    assert!(
        r.sections.went_badly.contains("not up for 20 min"),
        "{}",
        r.sections.went_badly
    );
    // Findings: the late update and the long outage; the first response was on time.
    let keys: Vec<&str> = r.findings.iter().map(|f| f.key.as_str()).collect();
    assert!(keys.contains(&"late:status-update"), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("outage:")), "{keys:?}");
    assert!(!keys.contains(&"late:first-response"), "{keys:?}");
    assert!(r.required, "a Sev 1 needs one");
    assert_eq!(r.due_ms, Some(T0 + 50 * MINUTE_MS + 48 * HOUR_MS));

    // Stakeholders wait for the finished text.
    let (status, body) = call(&g, &stakeholder, Method::GET, &retro_path(id), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("not finished"));

    // The first save starts it and posts its link.
    let mut sections = serde_json::to_value(&r.sections).unwrap();
    let saved: Retrospective = serde_json::from_value(
        expect(
            &g,
            &responder,
            Method::PUT,
            &retro_path(id),
            json!({"sections": sections, "base": 0}),
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!((saved.version, saved.state), (1, Some(RetroState::Draft)));
    let d: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    match &d.timeline.last().unwrap().kind {
        EntryKind::Retrospective { did } => assert_eq!(
            did,
            &format!("started: {}/incidents/{id}/retrospective", g.base)
        ),
        other => panic!("{other:?}"),
    }
    // A save from a stale editor is refused and says by whom; nothing is overwritten.
    let stale = expect(
        &g,
        &commander,
        Method::PUT,
        &retro_path(id),
        json!({"sections": sections, "base": 0}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(stale["message"]
        .as_str()
        .unwrap()
        .contains("responder saved version 1"));

    // Finishing a Sev 1 needs a root cause and an owned, dated item; the refusal says so.
    let refused = expect(
        &g,
        &responder,
        Method::POST,
        &format!("{}/finish", retro_path(id)),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("the root cause"), "{message}");
    assert!(
        message.contains("at least one action item with an owner and a due date"),
        "{message}"
    );
    // An item without an owner does not count.
    let finding = r
        .findings
        .iter()
        .find(|f| f.key == "late:status-update")
        .unwrap();
    let item = expect(
        &g,
        &responder,
        Method::POST,
        &format!("{}/items", retro_path(id)),
        json!({"title": finding.title, "done_when": finding.done_when, "finding": finding.key}),
        StatusCode::CREATED,
    )
    .await;
    sections["root_cause"] = json!("A pool exhausted by a retry storm.");
    expect(
        &g,
        &responder,
        Method::PUT,
        &retro_path(id),
        json!({"sections": sections, "base": 1}),
        StatusCode::OK,
    )
    .await;
    let refused = expect(
        &g,
        &responder,
        Method::POST,
        &format!("{}/finish", retro_path(id)),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(!refused["message"].as_str().unwrap().contains("root cause"));
    let item_id = item["id"].as_i64().unwrap();
    let mut fields = item.clone();
    for k in [
        "id",
        "incident_id",
        "created_by",
        "created_at_ms",
        "updated_at_ms",
        "ticket_state",
        "version",
    ] {
        fields.as_object_mut().unwrap().remove(k);
    }
    fields["owner"] = json!("commander");
    fields["due"] = json!("2026-12-09");
    expect(
        &g,
        &responder,
        Method::PUT,
        &format!("/api/action-items/{item_id}?version=1"),
        fields.clone(),
        StatusCode::OK,
    )
    .await;
    let done: Retrospective = serde_json::from_value(
        expect(
            &g,
            &responder,
            Method::POST,
            &format!("{}/finish", retro_path(id)),
            json!({}),
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!((done.version, done.state), (3, Some(RetroState::Finished)));
    assert!(
        done.findings
            .iter()
            .find(|f| f.key == "late:status-update")
            .unwrap()
            .taken
    );
    let versions: Vec<(u32, &str, &str)> = done
        .versions
        .iter()
        .map(|v| (v.version, v.author.as_str(), v.did.as_str()))
        .collect();
    assert_eq!(
        versions,
        [
            (3, "responder", "finished"),
            (2, "responder", "saved"),
            (1, "responder", "saved")
        ]
    );
    let list: wire::IncidentList = get(&g, &responder, "/api/incidents").await;
    assert!(list.incidents[0].retrospective_finished_ms.is_some());
    assert_eq!(list.incidents[0].retrospective_pending(), None);

    // Read-only now; a responder cannot reopen it, a commander can.
    expect(
        &g,
        &responder,
        Method::PUT,
        &retro_path(id),
        json!({"sections": sections, "base": 3}),
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("{}/items", retro_path(id)),
        json!({"title": "another"}),
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("{}/reopen", retro_path(id)),
        json!({}),
        StatusCode::FORBIDDEN,
    )
    .await;

    // The stakeholder reads the finished text, without the proposals and the account list.
    let seen: Retrospective = get(&g, &stakeholder, &retro_path(id)).await;
    assert_eq!(
        seen.sections.root_cause,
        "A pool exhausted by a retry storm."
    );
    assert!(seen.findings.is_empty() && seen.owners.is_empty());
    // Its record is the stakeholder's projection: no notes, no reasons.
    assert!(r
        .record
        .timeline
        .iter()
        .any(|l| l.text.contains("pool password")));
    for l in &seen.record.timeline {
        assert!(
            !l.text.contains("pool password"),
            "a note reached a stakeholder: {l:?}"
        );
        assert!(
            !l.text.contains("all ciam logins fail"),
            "a reason reached a stakeholder: {l:?}"
        );
    }
    assert_eq!(
        seen.record.timeline.len() + 1,
        done.record.timeline.len(),
        "all but the note"
    );
    // Old versions stay readable by those who wrote them; stakeholders read the finished one.
    let v1: wire::RetroVersion =
        get(&g, &responder, &format!("{}/versions/1", retro_path(id))).await;
    assert_eq!(v1.sections.root_cause, "");
    let (status, _) = call(
        &g,
        &stakeholder,
        Method::GET,
        &format!("{}/versions/1", retro_path(id)),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let v3: wire::RetroVersion =
        get(&g, &stakeholder, &format!("{}/versions/3", retro_path(id))).await;
    assert_eq!(v3.did, "finished");

    // The Markdown has every section, the timeline and the item.
    let md = g_text(&g, &stakeholder, &format!("{}.md", retro_path(id))).await;
    for heading in [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root cause",
        "## What went well",
        "## What didn't",
        "## Action items",
    ] {
        assert!(md.contains(heading), "{heading} missing from\n{md}");
    }
    assert!(md.contains(&finding.title) && md.contains("2026-12-09") && md.contains("commander"));
    assert!(md.contains("**(mitigated here)**"));

    // The whole incident as one bundle, for commanders: versions, items, stars, the mark.
    let (status, _) = call(
        &g,
        &responder,
        Method::GET,
        &format!("/api/incidents/{id}/bundle"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let resp = commander
        .0
        .get(format!("{}/api/incidents/{id}/bundle", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bundle = server::bundle::parse(&resp.text().await.unwrap()).unwrap();
    assert_eq!(bundle.retro_versions.len(), 3);
    assert_eq!(bundle.action_items.len(), 1);
    assert_eq!(bundle.stars.len(), 1);
    assert!(bundle.mitigation.is_some());
    assert_eq!(
        bundle.timeline.len(),
        d.timeline.len() + 1,
        "and the `finished` entry"
    );

    let reopened: Retrospective = serde_json::from_value(
        expect(
            &g,
            &commander,
            Method::POST,
            &format!("{}/reopen", retro_path(id)),
            json!({}),
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!(
        (reopened.version, reopened.state),
        (4, Some(RetroState::Draft))
    );
    let (status, _) = call(&g, &stakeholder, Method::GET, &retro_path(id), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reopened: a draft again");
}

async fn g_text(g: &Running, (c, _): &Who, path: &str) -> String {
    let resp = c.get(format!("{}{path}", g.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains(".md"));
    resp.text().await.unwrap()
}

/// Channel posts, as the webhook receives them.
#[derive(Clone, Default)]
struct Channel(Arc<Mutex<Vec<String>>>);

async fn channel() -> (String, Channel) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Channel::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook/T1/SECRET",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                seen.0
                    .lock()
                    .unwrap()
                    .push(v["text"].as_str().unwrap_or_default().to_owned());
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook/T1/SECRET"), got)
}

/// The 48-hour deadline: a reminder in the channel at 24 hours left and one when overdue, each
/// once, none once it is finished; a Sev 3 has no deadline.
#[tokio::test]
async fn the_deadline_reminds_the_channel_at_24_hours_and_when_overdue() {
    let (url, posts) = channel().await;
    let Console { g, clock, .. } = console(|s| {
        s.incidents.webhook_url = Some(server::values::WebhookUrl::parse(&url).unwrap());
        s.incidents.webhook_backoff_ms = 20;
    })
    .await;
    let responder = signed_in(&g, Role::Responder).await;
    wait_board(&g, |s| s.sweep_seq > 0).await;
    let sev2 = declare(&g, &responder, "sev2", &[]).await;
    let sev3 = declare(&g, &responder, "sev3", &[]).await;
    for id in [sev2, sev3] {
        expect(
            &g,
            &responder,
            Method::POST,
            &format!("/api/incidents/{id}/resolve"),
            json!({"impact": "none"}),
            StatusCode::OK,
        )
        .await;
    }
    let list: wire::IncidentList = get(&g, &responder, "/api/incidents").await;
    let due = |id: i64| {
        list.incidents
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .retrospective_pending()
    };
    assert_eq!(due(sev2), Some(T0 + 48 * HOUR_MS));
    assert_eq!(due(sev3), None, "a Sev 3 may have one; nothing counts down");

    let retros = &g.state.retros;
    assert_eq!(retros.remind().await.unwrap(), 0, "47 h 59 left");
    clock.advance(24 * HOUR_MS - 1);
    assert_eq!(
        retros.remind().await.unwrap(),
        0,
        "a millisecond over 24 h left"
    );
    clock.advance(1);
    assert_eq!(retros.remind().await.unwrap(), 1, "24 h left");
    assert_eq!(retros.remind().await.unwrap(), 0, "once");
    clock.advance(24 * HOUR_MS);
    assert_eq!(retros.remind().await.unwrap(), 1, "overdue");
    clock.advance(HOUR_MS);
    assert_eq!(retros.remind().await.unwrap(), 0, "once");

    let link = format!("{}/incidents/{sev2}/retrospective", g.base);
    let texts = wait_posts(&posts, 6).await; // 2 declared, 2 resolved, 2 reminders
    let reminders: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("*Retrospective*"))
        .collect();
    assert_eq!(reminders.len(), 2, "{texts:?}");
    assert!(
        reminders[0].contains("due in 24 h") && reminders[0].contains(&link),
        "{}",
        reminders[0]
    );
    assert!(
        reminders[1].contains("overdue") && reminders[1].contains(&link),
        "{}",
        reminders[1]
    );
    assert!(reminders.iter().all(|t| t.contains(&format!("INC-{sev2}"))));

    // The list still counts it down (overdue) until it is finished. (Two days on, the session
    // has expired: sign in again.)
    let responder = signed_in(&g, Role::Responder).await;
    let list: wire::IncidentList = get(&g, &responder, "/api/incidents").await;
    let i = list.incidents.iter().find(|i| i.id == sev2).unwrap();
    assert!(i.retrospective_pending().unwrap() < clock_now(&clock));
}

fn clock_now(c: &ManualClock) -> i64 {
    use server::clock::Clock;
    c.now_ms()
}

async fn wait_posts(posts: &Channel, n: usize) -> Vec<String> {
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            {
                let got = posts.0.lock().unwrap();
                if got.len() >= n {
                    return got.clone();
                }
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the channel got the posts within 10 s")
}

/// `/actions`: open items across incidents, overdue first, one owner's; and a new incident on a
/// service shows what past incidents on it left open.
#[tokio::test]
async fn open_items_are_listed_across_incidents_and_shown_on_a_new_incident() {
    let Console { g, .. } = console(|s| {
        for name in ["ciam-kratos", "iam-hydra"] {
            s.services.push(server::config::ServiceSettings {
                name: name.into(),
                scope: wire::Scope::Ciam,
                container: server::values::ContainerName::parse(&format!("olympus-{name}"))
                    .unwrap(),
                health_url: server::values::HttpUrl::parse("http://127.0.0.1:4433/health/alive")
                    .unwrap(),
                admin_url: None,
                flags_env_file: None,
                redeploy: None,
            });
        }
    })
    .await;
    let responder = signed_in(&g, Role::Responder).await;
    let commander = signed_in(&g, Role::Commander).await;
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    let kratos = declare(&g, &responder, "sev2", &["ciam-kratos"]).await;
    let hydra = declare(&g, &responder, "sev3", &["iam-hydra"]).await;
    let item = |title: &str, owner: &str, due: &str| json!({"title": title, "owner": owner, "due": due, "done_when": "it is done"});
    // Nothing waits for anyone yet: no item, and no retrospective due (both incidents are open).
    let me: wire::Me = get(&g, &responder, "/api/me").await;
    assert!(!me.follow_ups);
    // Today is 2026-11-25 on the console's clock.
    for (id, body) in [
        (kratos, item("Undated", "responder", "")),
        (kratos, item("Due later", "commander", "2026-12-20")),
        (kratos, item("Overdue long", "responder", "2026-11-01")),
        (hydra, item("Overdue recently", "commander", "2026-11-24")),
        (hydra, item("Due tomorrow", "responder", "2026-11-26")),
    ] {
        expect(
            &g,
            &responder,
            Method::POST,
            &format!("{}/items", retro_path(id)),
            body,
            StatusCode::CREATED,
        )
        .await;
    }
    // Bad items are refused with the field named; nothing is stored.
    for (body, words) in [
        (item("  ", "responder", ""), "title"),
        (item("x", "mallory", ""), "mallory"),
        (item("x", "responder", "2026-02-30"), "YYYY-MM-DD"),
        (item(&"x".repeat(5_000), "responder", ""), "longer than"),
    ] {
        let refused = expect(
            &g,
            &responder,
            Method::POST,
            &format!("{}/items", retro_path(kratos)),
            body,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            refused["message"].as_str().unwrap().contains(words),
            "{refused}"
        );
    }

    // Owners (and responders while a retrospective is due) are told at sign-in; stakeholders not.
    let me: wire::Me = get(&g, &responder, "/api/me").await;
    assert!(me.follow_ups);
    let me: wire::Me = get(&g, &stakeholder, "/api/me").await;
    assert!(!me.follow_ups);

    let all: ItemList = get(&g, &responder, "/api/action-items").await;
    let titles: Vec<&str> = all
        .items
        .iter()
        .map(|r| r.item.fields.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Overdue long",
            "Overdue recently",
            "Due tomorrow",
            "Due later",
            "Undated"
        ]
    );
    assert_eq!(all.today, "2026-11-25");
    let mine: ItemList = get(&g, &commander, "/api/action-items?owner=me").await;
    let titles: Vec<&str> = mine
        .items
        .iter()
        .map(|r| r.item.fields.title.as_str())
        .collect();
    assert_eq!(titles, ["Overdue recently", "Due later"]);
    let theirs: ItemList = get(&g, &commander, "/api/action-items?owner=%20Responder%20").await;
    assert_eq!(
        theirs.items.len(),
        3,
        "a name padded with spaces and capitals is the same name"
    );
    let (status, _) = call(
        &g,
        &stakeholder,
        Method::GET,
        "/api/action-items",
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A done item leaves the open list.
    let overdue = &all.items[0].item;
    let mut fields = serde_json::to_value(&overdue.fields).unwrap();
    fields["status"] = json!("done");
    expect(
        &g,
        &responder,
        Method::PUT,
        &format!(
            "/api/action-items/{}?version={}",
            overdue.id, overdue.version
        ),
        fields.clone(),
        StatusCode::OK,
    )
    .await;
    // A second change from the same stale version is refused.
    expect(
        &g,
        &commander,
        Method::PUT,
        &format!(
            "/api/action-items/{}?version={}",
            overdue.id, overdue.version
        ),
        fields,
        StatusCode::CONFLICT,
    )
    .await;
    let open: ItemList = get(&g, &responder, "/api/action-items").await;
    assert_eq!(open.items.len(), 4);
    let everything: ItemList = get(&g, &responder, "/api/action-items?state=all").await;
    assert_eq!(everything.items.len(), 5);

    // A new incident on ciam-kratos shows what INC-kratos left open; one on nothing shows nothing.
    let again = declare(&g, &responder, "sev2", &["ciam-kratos"]).await;
    let related: ItemList = get(
        &g,
        &responder,
        &format!("/api/incidents/{again}/related-items"),
    )
    .await;
    let titles: Vec<&str> = related
        .items
        .iter()
        .map(|r| r.item.fields.title.as_str())
        .collect();
    assert_eq!(titles, ["Due later", "Undated"]);
    assert!(related.items.iter().all(|r| r.item.incident_id == kratos));
    let elsewhere = declare(&g, &responder, "sev3", &[]).await;
    let related: ItemList = get(
        &g,
        &responder,
        &format!("/api/incidents/{elsewhere}/related-items"),
    )
    .await;
    assert!(related.items.is_empty());
}

/// Long text: a retrospective at its full size saves (five sections of 20,000 characters, two
/// bytes each); one character more is refused with the section named; 5 MB is refused unread.
#[tokio::test]
async fn a_full_retrospective_saves_and_an_oversized_one_is_refused_whole() {
    let Console { g, .. } = console(|_| {}).await;
    let responder = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &responder, "sev3", &[]).await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "none"}),
        StatusCode::OK,
    )
    .await;
    let full = "é".repeat(wire::MAX_SECTION);
    let sections = |root_cause: &str| json!({"summary": full, "impact": full, "root_cause": root_cause, "went_well": full, "went_badly": full});
    let saved: Retrospective = serde_json::from_value(
        expect(
            &g,
            &responder,
            Method::PUT,
            &retro_path(id),
            json!({"sections": sections(&full), "base": 0}),
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!(saved.sections.root_cause.chars().count(), wire::MAX_SECTION);
    let over = format!("{full}x");
    let refused = expect(
        &g,
        &responder,
        Method::PUT,
        &retro_path(id),
        json!({"sections": sections(&over), "base": 1}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("\"Root cause\" is longer than 20000"));
    let huge = "x".repeat(5 * 1024 * 1024);
    let (status, body) = call(
        &g,
        &responder,
        Method::PUT,
        &retro_path(id),
        json!({"sections": sections(&huge), "base": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"], "too_large");
    // Nothing of either was kept.
    let r: Retrospective = get(&g, &responder, &retro_path(id)).await;
    assert_eq!(
        (r.version, r.sections.root_cause.chars().count()),
        (1, wire::MAX_SECTION)
    );
    // Other routes keep the small limit.
    let (status, _) = call(
        &g,
        &responder,
        Method::POST,
        &format!("{}/items", retro_path(id)),
        json!({"title": "x".repeat(100 * 1024)}),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// The next frame on `ws` that `wanted` picks (as sent, and parsed), skipping the others; every
/// frame it passes over is handed to `skipped` first.
async fn frame_where(
    ws: &mut super::support::Ws,
    wanted: impl Fn(&Value) -> bool,
    mut skipped: impl FnMut(&Value),
) -> (String, Value) {
    // Heartbeats keep the socket busy: the wait is bounded as a whole, not per frame.
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let text = super::support::next_text(ws).await;
            let frame: Value = serde_json::from_str(&text).unwrap();
            if wanted(&frame) {
                return (text, frame);
            }
            skipped(&frame);
        }
    })
    .await
    .expect("the wanted frame within 10 s")
}

/// A star or a mitigation mark set by one responder reaches every other responder's socket as it
/// happens (the timeline's buttons follow it); a stakeholder's socket never carries marks.
#[tokio::test]
async fn marks_reach_other_responders_live_and_never_stakeholders() {
    use super::support::ws_as;
    let Console { g, .. } = console(|_| {}).await;
    let responder = signed_in(&g, Role::Responder).await;
    wait_board(&g, |s| s.sweep_seq > 0).await;
    let id = declare(&g, &responder, "sev2", &[]).await;
    let d: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    let first = d.timeline[0].seq;
    let mut ws_r = ws_as(&g, Role::Responder).await;
    let mut ws_s = ws_as(&g, Role::Stakeholder).await;

    let is_marks = |f: &Value| f["type"] == "action_marks";
    for (what, on) in [("star", true), ("mitigation", true), ("star", false)] {
        expect(
            &g,
            &responder,
            Method::PUT,
            &format!("/api/incidents/{id}/timeline/{first}/{what}"),
            json!({ "on": on }),
            StatusCode::OK,
        )
        .await;
        let (text, frame) = frame_where(&mut ws_r, is_marks, |_| {}).await;
        // The first screen routes it to the incident page by this prefix, unread.
        assert!(text.starts_with(wire::MARKS_FRAME_PREFIX), "{text}");
        assert_eq!(frame["incident_id"], id);
        let marks: Marks = serde_json::from_value(frame["marks"].clone()).unwrap();
        let want = match (what, on) {
            ("star", true) => Marks {
                starred: vec![first],
                mitigation: None,
            },
            ("mitigation", _) => Marks {
                starred: vec![first],
                mitigation: Some(first),
            },
            _ => Marks {
                starred: vec![],
                mitigation: Some(first),
            },
        };
        assert_eq!(marks, want, "after {what} {on}");
    }

    // A public status update follows the marks: the stakeholder's socket reaches it without a
    // marks frame on the way.
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/ack"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/updates"),
        json!({"known": "kratos answers 502", "trying": "restarting it", "eta_minutes": 15}),
        StatusCode::CREATED,
    )
    .await;
    frame_where(
        &mut ws_s,
        |f| f["type"] == "entry" && f["entry"]["kind"] == "status_update",
        |f| assert!(f["type"] != "action_marks", "a stakeholder got marks: {f}"),
    )
    .await;
}

/// Ten responders press Save on the same version in the same moment: one save is kept, the nine
/// others are refused with who saved first (their text is still in their editors), and the
/// history holds exactly one version, whole.
#[tokio::test]
async fn ten_simultaneous_saves_of_one_version_keep_one_and_refuse_nine() {
    // Ten sign-ins of one account from one address in a minute: past the guessing limit.
    let Console { g, .. } = console(|s| s.auth.attempts_per_account_per_minute = 20).await;
    let responder = signed_in(&g, Role::Responder).await;
    let id = declare(&g, &responder, "sev2", &[]).await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/ack"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &g,
        &responder,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "logins failed for 20 minutes"}),
        StatusCode::OK,
    )
    .await;
    let mut crowd = Vec::new();
    for _ in 0..10 {
        crowd.push(signed_in(&g, Role::Responder).await);
    }
    let path = retro_path(id);
    let saves = crowd.iter().enumerate().map(|(n, who)| {
        let body = json!({"sections": {"summary": format!("summary by editor {n}"), "impact": "", "root_cause": "", "went_well": "", "went_badly": ""}, "base": 0});
        call(&g, who, Method::PUT, &path, body)
    });
    let answers = futures::future::join_all(saves).await;
    let kept: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, (status, _))| *status == StatusCode::OK)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(kept.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("responder saved version 1"),
            "{body}"
        );
    }
    let r: Retrospective = get(&g, &responder, &retro_path(id)).await;
    assert_eq!(r.version, 1);
    assert_eq!(r.versions.len(), 1);
    assert_eq!(r.sections.summary, format!("summary by editor {}", kept[0]));
}
