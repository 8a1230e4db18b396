//! The incident channel against a real local HTTP receiver: delivery, retries on 500, a failure
//! that stays visible (over HTTP and the websocket) until a responder retries it, and a webhook URL
//! that never reaches a browser.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use wire::{Delivery, DeliveryState, IncidentDetail, Role, ServerMsg, Written};

use super::support::{call, get, next_msg, settings, signed_in, start_with, ws_as, Running, Ws};

/// A Slack-like receiver: answers each POST with the next scripted status (200 when the script is
/// empty) and reports what it got.
struct Receiver {
    url: String,
    script: Arc<Mutex<VecDeque<u16>>>,
    got: mpsc::UnboundedReceiver<(u16, Value)>,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<VecDeque<u16>>>,
    tx: mpsc::UnboundedSender<(u16, Value)>,
}

async fn hook(State(s): State<Shared>, body: String) -> (AxumStatus, &'static str) {
    let status = s.script.lock().unwrap().pop_front().unwrap_or(200);
    let _ =
        s.tx.send((status, serde_json::from_str(&body).unwrap_or(Value::Null)));
    let text = if status == 200 {
        "ok"
    } else {
        "internal_error: no_service for /services/T1/B1/SECRETPART"
    };
    (AxumStatus::from_u16(status).unwrap(), text)
}

async fn receiver(script: &[u16]) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, got) = mpsc::unbounded_channel();
    let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
    let app = axum::Router::new()
        .route("/services/T1/B1/SECRETPART", axum::routing::post(hook))
        .with_state(Shared {
            script: script.clone(),
            tx,
        });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url: format!("http://{addr}/services/T1/B1/SECRETPART"),
        script,
        got,
    }
}

impl Receiver {
    async fn next(&mut self) -> (u16, Value) {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.got.recv())
            .await
            .expect("a webhook post within 10 s")
            .unwrap()
    }
}

async fn console(r: &Receiver, attempts: u32) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.incidents.webhook_url = Some(server::values::WebhookUrl::parse(&r.url).unwrap());
    s.incidents.channel = Some("#inc-olympus".into());
    s.incidents.webhook_attempts = attempts;
    s.incidents.webhook_backoff_ms = 20;
    start_with(dir, s).await
}

/// POSTs as `who` and expects success; the JSON answer.
async fn post(g: &Running, who: &(reqwest::Client, String), path: &str, body: Value) -> Value {
    let (status, answer) = call(g, who, Method::POST, path, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// The next `delivery` message whose state is final (delivered or failed).
async fn settled(ws: &mut Ws) -> Delivery {
    loop {
        if let ServerMsg::Delivery { delivery } = next_msg(ws).await {
            if delivery.state != DeliveryState::Pending {
                return delivery;
            }
        }
    }
}

async fn declare_sev1(g: &Running, who: &(reqwest::Client, String)) -> i64 {
    let w: Written = serde_json::from_value(
        post(
            g,
            who,
            "/api/incidents",
            json!({"title": "<!channel> logins down", "broken": "all of ciam", "severity": "sev1"}),
        )
        .await,
    )
    .unwrap();
    w.incident.id
}

#[tokio::test]
async fn updates_reach_the_channel_as_slack_json() {
    let mut r = receiver(&[]).await;
    let g = console(&r, 3).await;
    let responder = signed_in(&g, Role::Responder).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    let id = declare_sev1(&g, &responder).await;
    let (_, declared) = r.next().await;
    let text = declared["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("INC-{id}")) && text.contains("Sev 1"),
        "{text}"
    );
    assert!(
        text.contains("&lt;!channel&gt;"),
        "mentions are escaped, not sent: {text}"
    );
    assert_eq!(settled(&mut ws).await.state, DeliveryState::Delivered);

    post(
        &g,
        &responder,
        &format!("/api/incidents/{id}/ack"),
        json!({}),
    )
    .await;
    r.next().await;
    post(
        &g,
        &responder,
        &format!("/api/incidents/{id}/updates"),
        json!({"known": "kratos 502s", "trying": "restart", "eta_minutes": 15}),
    )
    .await;
    let (_, update) = loop {
        let got = r.next().await;
        if got.1["text"]
            .as_str()
            .unwrap_or("")
            .contains("What we know")
        {
            break got;
        }
    };
    let text = update["text"].as_str().unwrap();
    assert!(
        text.contains("kratos 502s") && text.contains("restart") && text.contains("15 minutes"),
        "{text}"
    );
}

#[tokio::test]
async fn a_500_is_retried_until_delivered() {
    let mut r = receiver(&[500, 500]).await;
    let g = console(&r, 5).await;
    let responder = signed_in(&g, Role::Responder).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    declare_sev1(&g, &responder).await;
    for want in [500, 500, 200] {
        assert_eq!(r.next().await.0, want);
    }
    let d = settled(&mut ws).await;
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 3));
}

#[tokio::test]
async fn a_failed_delivery_stays_visible_until_retried() {
    let mut r = receiver(&[500, 500, 500]).await;
    let g = console(&r, 3).await;
    let responder = signed_in(&g, Role::Responder).await;
    let stakeholder = signed_in(&g, Role::Stakeholder).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    let id = declare_sev1(&g, &responder).await;
    for _ in 0..3 {
        assert_eq!(r.next().await.0, 500);
    }
    let d = settled(&mut ws).await;
    assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 3));
    let error = d.last_error.clone().unwrap();
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(
        !error.contains("SECRETPART"),
        "the webhook URL is a secret: {error}"
    );

    let detail: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    assert_eq!(detail.incident.failed_deliveries, 1);
    assert_eq!(detail.deliveries.len(), 1);
    assert_eq!(detail.deliveries[0].state, DeliveryState::Failed);

    // Stakeholders see neither deliveries nor the channel; nobody sees the URL.
    let as_stakeholder: IncidentDetail =
        get(&g, &stakeholder, &format!("/api/incidents/{id}")).await;
    assert!(as_stakeholder.deliveries.is_empty());
    let list = get::<Value>(&g, &responder, "/api/incidents")
        .await
        .to_string();
    assert!(
        list.contains("#inc-olympus") && !list.contains("SECRETPART") && !list.contains(&r.url),
        "{list}"
    );

    // Retry: the receiver answers 200 now.
    assert!(r.script.lock().unwrap().is_empty());
    let retry = |delivery: i64| format!("/api/incidents/{id}/deliveries/{delivery}/retry");
    post(&g, &responder, &retry(d.id), Value::Null).await;
    assert_eq!(r.next().await.0, 200);
    let d = settled(&mut ws).await;
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 4));
    // Retrying a delivered message is refused.
    let (status, _) = call(&g, &responder, Method::POST, &retry(d.id), Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // So is one that does not exist, or belongs to another incident.
    for path in [
        format!("/api/incidents/{id}/deliveries/999/retry"),
        format!("/api/incidents/{}/deliveries/{}/retry", id + 1, d.id),
    ] {
        let (status, _) = call(&g, &responder, Method::POST, &path, Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let mut r = receiver(&[404]).await;
    let g = console(&r, 5).await;
    let responder = signed_in(&g, Role::Responder).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    declare_sev1(&g, &responder).await;
    assert_eq!(r.next().await.0, 404);
    let d = settled(&mut ws).await;
    assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 1));
}

#[tokio::test]
async fn a_message_pending_at_shutdown_is_sent_after_the_restart() {
    let mut r = receiver(&[503]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.incidents.webhook_url = Some(server::values::WebhookUrl::parse(&r.url).unwrap());
    s.incidents.webhook_attempts = 5;
    // The first retry would be a minute away: the gateway stops before it.
    s.incidents.webhook_backoff_ms = 60_000;
    let g = start_with(dir, s.clone()).await;
    let responder = signed_in(&g, Role::Responder).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    let id = declare_sev1(&g, &responder).await;
    assert_eq!(r.next().await.0, 503);
    loop {
        if let ServerMsg::Delivery { delivery } = next_msg(&mut ws).await {
            if delivery.attempts == 1 {
                assert_eq!(delivery.state, DeliveryState::Pending);
                break;
            }
        }
    }
    g.stop.cancel();
    let dir = std::mem::replace(&mut { g }.dir, tempfile::tempdir().unwrap());

    s.incidents.webhook_backoff_ms = 20;
    let g = start_with(dir, s).await;
    let mut ws = ws_as(&g, Role::Responder).await;
    let (status, body) = r.next().await;
    assert_eq!(status, 200);
    assert!(body["text"]
        .as_str()
        .unwrap()
        .contains(&format!("INC-{id}")));
    let responder = signed_in(&g, Role::Responder).await;
    let detail: IncidentDetail = get(&g, &responder, &format!("/api/incidents/{id}")).await;
    let d = if detail.deliveries[0].state == DeliveryState::Delivered {
        detail.deliveries[0].clone()
    } else {
        settled(&mut ws).await
    };
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 2));
}
