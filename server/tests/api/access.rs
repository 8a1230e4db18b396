//! Every route and every websocket message, called as each role and anonymously; the allowed set
//! must match this table exactly, and the table must name every route the gateway has.

use futures::SinkExt;
use server::http::ROUTES;
use tokio_tungstenite::tungstenite::Message;
use wire::{Role, ServerMsg};

use super::support::{client, login, next_msg, settings, start_with, ws_as, Running};

/// (method, path, allowed for [anonymous, stakeholder, responder, commander]).
const EXPECTED: &[(&str, &str, [bool; 4])] = &[
    ("GET", "/api/ping", [true, true, true, true]),
    ("POST", "/api/login", [true, true, true, true]),
    ("POST", "/api/share/{token}", [true, true, true, true]),
    ("GET", "/api/me", [false, true, true, true]),
    ("GET", "/api/health", [false, true, true, true]),
    ("POST", "/api/sweep", [false, false, true, true]),
    ("GET", "/api/playbooks", [false, false, true, true]),
    (
        "GET",
        "/api/incidents/{id}/playbooks",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/playbooks",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps/{step}/run",
        [false, false, true, true],
    ),
    ("GET", "/ws", [false, true, true, true]),
    ("GET", "/api/users", [false, false, false, true]),
    ("POST", "/api/users", [false, false, false, true]),
    ("PATCH", "/api/users/{name}", [false, false, false, true]),
    ("GET", "/api/share-links", [false, false, false, true]),
    ("POST", "/api/share-links", [false, false, false, true]),
    (
        "DELETE",
        "/api/share-links/{id}",
        [false, false, false, true],
    ),
    ("GET", "/api/incidents", [false, true, true, true]),
    ("POST", "/api/incidents", [false, false, true, true]),
    ("GET", "/api/incidents/{id}", [false, true, true, true]),
    (
        "POST",
        "/api/incidents/{id}/ack",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/updates",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/notes",
        [false, false, true, true],
    ),
    (
        "PUT",
        "/api/incidents/{id}/scope",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/severity",
        [false, false, false, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/resolve",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/deliveries/{delivery}/retry",
        [false, false, true, true],
    ),
    ("GET", "/api/actions", [false, false, true, true]),
    (
        "GET",
        "/api/incidents/{id}/actions",
        [false, true, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/actions/plan",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/actions",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/actions/{request}/approve",
        [false, false, false, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/actions/{request}/withdraw",
        [false, false, true, true],
    ),
    ("GET", "/api/audit", [false, false, false, true]),
    (
        "GET",
        "/api/incidents/{id}/retrospective",
        [false, true, true, true],
    ),
    (
        "PUT",
        "/api/incidents/{id}/retrospective",
        [false, false, true, true],
    ),
    (
        "GET",
        "/api/incidents/{id}/retrospective/versions/{version}",
        [false, true, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/retrospective/finish",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/retrospective/reopen",
        [false, false, false, true],
    ),
    (
        "GET",
        "/api/incidents/{id}/retrospective.md",
        [false, true, true, true],
    ),
    (
        "POST",
        "/api/incidents/{id}/retrospective/items",
        [false, false, true, true],
    ),
    (
        "GET",
        "/api/incidents/{id}/related-items",
        [false, false, true, true],
    ),
    (
        "GET",
        "/api/incidents/{id}/marks",
        [false, false, true, true],
    ),
    (
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/star",
        [false, false, true, true],
    ),
    (
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/mitigation",
        [false, false, true, true],
    ),
    (
        "GET",
        "/api/incidents/{id}/bundle",
        [false, false, false, true],
    ),
    ("GET", "/api/action-items", [false, false, true, true]),
    (
        "POST",
        "/api/action-items/{item}/ticket",
        [false, false, true, true],
    ),
    (
        "POST",
        "/api/action-items/{item}/ticket/state",
        [false, false, true, true],
    ),
    (
        "PUT",
        "/api/action-items/{item}",
        [false, false, true, true],
    ),
    // Last: it ends the session it is called with.
    ("POST", "/api/logout", [false, true, true, true]),
];

async fn gateway() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.attempts_per_account_per_minute = 1000;
    s.auth.attempts_per_address_per_minute = 1000;
    start_with(dir, s).await
}

fn body_for(path: &str) -> serde_json::Value {
    match path {
        "/api/login" => serde_json::json!({"name": "nobody", "password": "wrong password here"}),
        "/api/users" => {
            serde_json::json!({"name": "x y", "role": "responder", "password": "short"})
        }
        "/api/users/{name}" => serde_json::json!({}),
        "/api/share-links" => serde_json::json!({"label": "", "expires_in_hours": 0}),
        _ => serde_json::json!({}),
    }
}

#[tokio::test]
async fn the_table_names_every_route() {
    let mut declared: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
    let mut tested: Vec<(&str, &str)> = EXPECTED.iter().map(|(m, p, _)| (*m, *p)).collect();
    declared.sort();
    tested.sort();
    assert_eq!(
        declared, tested,
        "every route in http::ROUTES needs a row here, and no more"
    );
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_in_the_table() {
    let g = gateway().await;
    let who: [Option<Role>; 4] = [
        None,
        Some(Role::Stakeholder),
        Some(Role::Responder),
        Some(Role::Commander),
    ];
    for (i, role) in who.iter().enumerate() {
        let c = client(&g);
        let csrf = match role {
            Some(r) => login(&g, &c, r.as_str()).await.csrf_token,
            None => String::new(),
        };
        for (method, path, allowed) in EXPECTED {
            let url = format!(
                "{}{}",
                g.base,
                path.replace("{token}", "not-a-token")
                    .replace("{name}", "stakeholder")
                    .replace("{id}", "999999")
                    .replace("{delivery}", "1")
                    .replace("{request}", "1")
                    .replace("{run}", "1")
                    .replace("{step}", "logs")
                    .replace("{seq}", "1")
                    .replace("{version}", "1")
                    .replace("{item}", "1")
            );
            let req = c
                .request(method.parse().unwrap(), &url)
                .header(wire::CSRF_HEADER, &csrf)
                .json(&body_for(path));
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let code = body["error"].as_str().unwrap_or("");
            let refused = matches!(
                (status, code),
                (401, "unauthenticated") | (403, "forbidden") | (403, "csrf")
            );
            assert_eq!(
                !refused,
                allowed[i],
                "{method} {path} as {role:?}: got {status} {body}, expected {}",
                if allowed[i] {
                    "to be let through"
                } else {
                    "a refusal"
                }
            );
        }
    }
}

#[tokio::test]
async fn websocket_messages_are_authorised_by_role() {
    let g = gateway().await;
    for role in [Role::Stakeholder, Role::Responder, Role::Commander] {
        let mut ws = ws_as(&g, role).await;
        assert!(matches!(
            next_msg(&mut ws).await,
            ServerMsg::Snapshot { .. }
        ));
        ws.send(Message::Text(r#"{"type":"sweep_now"}"#.into()))
            .await
            .unwrap();
        ws.send(Message::Text(r#"{"type":"ping"}"#.into()))
            .await
            .unwrap();
        // The ping's heartbeat comes after any answer to sweep_now: a refusal would be before it.
        let refused = loop {
            match next_msg(&mut ws).await {
                ServerMsg::Error { message } => break Some(message),
                ServerMsg::Heartbeat { .. } => break None,
                _ => continue,
            }
        };
        assert_eq!(
            refused.is_some(),
            role == Role::Stakeholder,
            "{role:?}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn an_anonymous_websocket_handshake_is_refused() {
    let g = gateway().await;
    let err = tokio_tungstenite::connect_async(format!("ws://{}/ws", g.addr))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}
