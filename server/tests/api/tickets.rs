//! Action items become tickets: against a local receiver that speaks GitHub's issues API and checks
//! each request, with a refusal (422) and a failure (500) on the way (shown, retryable, nothing
//! lost), the state read back, and the token kept from every browser and every log line.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::clock::SystemClock;
use server::remote::fake::{ok, FakeHost};
use wire::{Retrospective, Role, TicketAnswer, Written};

use super::support::{call, get, settings, signed_in, start_full_env, LogCapture, Running};

const TOKEN: &str = "ghp_SECRETtoken0123456789abcdefXYZ";
const TOKEN_VAR: &str = "AEGIS_TICKETS_TOKEN";

/// One request as the tracker saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Value,
}

#[derive(Clone, Default)]
struct Tracker {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Statuses for the next creations; then 201.
    script: Arc<Mutex<Vec<u16>>>,
    base: Arc<Mutex<String>>,
    closed: Arc<Mutex<bool>>,
}

async fn create(
    State(t): State<Tracker>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> (AxumStatus, String) {
    t.seen.lock().unwrap().push(Seen {
        method: "POST".into(),
        path: format!("/repos/{owner}/{repo}/issues"),
        headers,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    let next = {
        let mut s = t.script.lock().unwrap();
        if s.is_empty() {
            201
        } else {
            s.remove(0)
        }
    };
    let base = t.base.lock().unwrap().clone();
    let answer = match next {
        422 => {
            json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "invalid", "field": "labels"}]})
        }
        500 => json!({"message": "Server Error"}),
        _ => {
            json!({"number": 12, "html_url": format!("{base}/{owner}/{repo}/issues/12"), "state": "open"})
        }
    };
    (AxumStatus::from_u16(next).unwrap(), answer.to_string())
}

async fn issue(
    State(t): State<Tracker>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> (AxumStatus, String) {
    t.seen.lock().unwrap().push(Seen {
        method: "GET".into(),
        path: format!("/repos/{owner}/{repo}/issues/{number}"),
        headers,
        body: Value::Null,
    });
    let state = if *t.closed.lock().unwrap() {
        "closed"
    } else {
        "open"
    };
    (
        AxumStatus::OK,
        json!({"number": number, "html_url": "x", "state": state}).to_string(),
    )
}

async fn tracker() -> (String, Tracker) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let t = Tracker::default();
    *t.base.lock().unwrap() = base.clone();
    let app = axum::Router::new()
        .route("/repos/{owner}/{repo}/issues", axum::routing::post(create))
        .route(
            "/repos/{owner}/{repo}/issues/{number}",
            axum::routing::get(issue),
        )
        .with_state(t.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, t)
}

async fn console(tracker_url: Option<&str>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    if let Some(url) = tracker_url {
        let toml =
            format!("api = \"github\"\napi_url = \"{url}\"\nrepository = \"olympus/platform\"\n");
        s.tickets = Some(toml::from_str(&toml).unwrap());
    }
    let host = Arc::new(FakeHost::new(|_| ok("[]")));
    start_full_env(dir, s, host, Arc::new(SystemClock), |name| {
        (name == TOKEN_VAR).then(|| TOKEN.to_owned())
    })
    .await
}

/// A resolved incident with one owned, dated item; its id and the item's.
async fn item(g: &Running, who: &(reqwest::Client, String)) -> (i64, i64) {
    let (status, body) = call(
        g,
        who,
        Method::POST,
        "/api/incidents",
        json!({"title": "Recovery mail late", "broken": "courier stuck", "severity": "sev3"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = serde_json::from_value::<Written>(body).unwrap().incident.id;
    let (status, body) = call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{id}/resolve"),
        json!({"impact": "mail 20 min late"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        g,
        who,
        Method::POST,
        &format!("/api/incidents/{id}/retrospective/items"),
        json!({"title": "Configure a secondary email provider", "owner": "responder",
               "due": "2026-12-20", "done_when": "a recovery mail goes out through it"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (id, body["id"].as_i64().unwrap())
}

#[tokio::test]
async fn an_item_becomes_a_ticket_after_a_refusal_and_a_failure_and_its_state_comes_back() {
    let logs = LogCapture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (url, t) = tracker().await;
    let g = console(Some(&url)).await;
    let responder = signed_in(&g, Role::Responder).await;
    let (id, item_id) = item(&g, &responder).await;
    let mut answers = Vec::new();

    let r: Retrospective = get(
        &g,
        &responder,
        &format!("/api/incidents/{id}/retrospective"),
    )
    .await;
    assert!(r.tickets, "the page offers \"Create ticket\"");
    answers.push(serde_json::to_string(&r).unwrap());

    let ticket = format!("/api/action-items/{item_id}/ticket");
    t.script.lock().unwrap().extend([422, 500]);
    // The tracker refuses: said with its reason, the item unchanged.
    let (status, body) = call(&g, &responder, Method::POST, &ticket, json!({})).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("HTTP 422") && message.contains("Validation Failed"),
        "{message}"
    );
    answers.push(body.to_string());
    // The tracker fails: worth another try, nothing lost.
    let (status, body) = call(&g, &responder, Method::POST, &ticket, json!({})).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    answers.push(body.to_string());
    let r: Retrospective = get(
        &g,
        &responder,
        &format!("/api/incidents/{id}/retrospective"),
    )
    .await;
    assert_eq!(
        r.items[0].fields.ticket_url, "",
        "nothing was stored by the failures"
    );
    assert_eq!(
        r.items[0].fields.title,
        "Configure a secondary email provider"
    );

    // The third try goes through.
    let (status, body) = call(&g, &responder, Method::POST, &ticket, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    answers.push(body.to_string());
    let made: TicketAnswer = serde_json::from_value(body).unwrap();
    assert_eq!(
        made.item.fields.ticket_url,
        format!("{url}/olympus/platform/issues/12")
    );
    let seen = t.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one request per try");
    let last = &seen[2];
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", "/repos/olympus/platform/issues")
    );
    let header = |name: &str| {
        last.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    assert_eq!(header("authorization"), format!("Bearer {TOKEN}"));
    assert_eq!(header("accept"), "application/vnd.github+json");
    assert_eq!(header("x-github-api-version"), "2022-11-28");
    assert!(header("content-type").starts_with("application/json"));
    assert!(header("user-agent").starts_with("aegis/"));
    assert_eq!(last.body["title"], "Configure a secondary email provider");
    assert_eq!(last.body["labels"], json!(["incident-follow-up"]));
    let text = last.body["body"].as_str().unwrap();
    assert!(
        text.contains("**Done when:** a recovery mail goes out through it"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}/incidents/{id}/retrospective", g.base)),
        "{text}"
    );
    assert!(
        text.contains("2026-12-20") && text.contains("responder"),
        "{text}"
    );

    // One ticket per item.
    let (status, body) = call(&g, &responder, Method::POST, &ticket, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("has a ticket already"));

    // Closed in the tracker: reported, and the item stays open until someone confirms.
    *t.closed.lock().unwrap() = true;
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("{ticket}/state"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    answers.push(body.to_string());
    let back: TicketAnswer = serde_json::from_value(body).unwrap();
    assert!(back.closed_elsewhere);
    assert_eq!(back.item.ticket_state.as_deref(), Some("closed"));
    assert_eq!(back.item.fields.status, wire::ItemStatus::Open);
    let got = t.seen.lock().unwrap().last().unwrap().clone();
    assert_eq!(
        (got.method.as_str(), got.path.as_str()),
        ("GET", "/repos/olympus/platform/issues/12")
    );

    // The token reached the tracker, and nothing else: no answer, no log line.
    for a in &answers {
        assert!(
            !a.contains(TOKEN),
            "an answer to the browser holds the token: {a}"
        );
    }
    let log = logs.text();
    assert!(log.contains("ticket created"), "the capture works: {log}");
    assert!(!log.contains(TOKEN), "the log holds the token");
}

#[tokio::test]
async fn without_a_tracker_the_item_is_copied_as_markdown() {
    let g = console(None).await;
    let responder = signed_in(&g, Role::Responder).await;
    let (id, item_id) = item(&g, &responder).await;
    let r: Retrospective = get(
        &g,
        &responder,
        &format!("/api/incidents/{id}/retrospective"),
    )
    .await;
    assert!(!r.tickets);
    let (status, body) = call(
        &g,
        &responder,
        Method::POST,
        &format!("/api/action-items/{item_id}/ticket"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("copy the item as Markdown"));
}
