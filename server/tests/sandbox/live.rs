//! The websocket on a real socket: a snapshot on connect, then the change a fault causes.

use std::time::Duration;

use futures::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wire::{ServerMsg, Status};

use super::support::{gateway, wait_all_up, Sandbox};

#[tokio::test]
async fn a_fault_reaches_a_connected_browser_as_a_change() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    wait_all_up(&gw.hub).await;
    // A responder signs in; the websocket carries the session cookie.
    let password = "sandbox responder password";
    gw.state
        .accounts
        .create("oncall", wire::Role::Responder, password)
        .await
        .unwrap();
    let login = reqwest::Client::new()
        .post(format!("http://{}/api/login", gw.addr))
        .json(&wire::LoginRequest {
            name: "oncall".into(),
            password: password.into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aegis_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let mut req = format!("ws://{}/ws", gw.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("ws connects");
    let first = ws.next().await.expect("a frame").expect("ok frame");
    let Message::Text(text) = first else {
        panic!("text frame expected, got {first:?}")
    };
    match serde_json::from_str::<ServerMsg>(text.as_str()).unwrap() {
        ServerMsg::Snapshot { snapshot } => {
            assert!(snapshot.checks.iter().all(|c| c.status == Status::Up));
        }
        other => panic!("snapshot first, got {other:?}"),
    }
    sb.fault(&["503", "ciam-hera"]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("the change arrives within 30 s")
            .expect("socket open")
            .expect("ok frame");
        let Message::Text(text) = frame else { continue };
        if let ServerMsg::Changes { changed, .. } =
            serde_json::from_str::<ServerMsg>(text.as_str()).unwrap()
        {
            if let Some(c) = changed.iter().find(|c| c.id == "health.ciam-hera") {
                assert_eq!((c.status, c.detail.as_str()), (Status::Down, "HTTP 503"));
                break;
            }
        }
    }
}
