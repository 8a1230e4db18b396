//! Sessions: they expire, logout ends them on the server, a restart keeps them, and disabling an
//! account ends its sessions at once, websockets included.

use reqwest::Method;
use wire::{Role, UserPatch};

use super::support::{
    next_text_or_close, session_cookie, settings, start_with, status_with_cookie, with_cookie,
    ws_with, Running,
};

/// A commander's PATCH of `/api/users/{name}`; returns the status.
async fn patch_user(g: &Running, admin: &str, csrf: &str, name: &str, patch: UserPatch) -> u16 {
    with_cookie(g, Method::PATCH, &format!("/api/users/{name}"), admin)
        .header(wire::CSRF_HEADER, csrf)
        .json(&patch)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s).await;
    let (cookie, csrf) = session_cookie(&g, Role::Responder).await;
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
        200
    );
    let out = with_cookie(&g, Method::POST, "/api/logout", &cookie)
        .header(wire::CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    // The same cookie, replayed after logout, is worthless.
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
        401
    );
}

#[tokio::test]
async fn a_session_expires_after_its_absolute_lifetime() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.idle_timeout_secs = 1;
    s.auth.absolute_timeout_secs = 1;
    let g = start_with(dir, s).await;
    let (cookie, _) = session_cookie(&g, Role::Responder).await;
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
        200
    );
    // Letting the lifetime run out is the behaviour under test, not a synchronisation.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let resp = with_cookie(&g, Method::GET, "/api/health", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: wire::ApiError = resp.json().await.unwrap();
    assert_eq!(body.error, "unauthenticated");
}

#[tokio::test]
async fn a_restart_keeps_a_valid_session() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s.clone()).await;
    let (cookie, _) = session_cookie(&g, Role::Stakeholder).await;
    g.stop.cancel();
    let dir = std::mem::replace(&mut { g }.dir, tempfile::tempdir().unwrap());
    let g2 = start_with(dir, s).await;
    let resp = with_cookie(&g2, Method::GET, "/api/me", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the session lives in the SQLite file");
    let me: wire::Me = resp.json().await.unwrap();
    assert_eq!(me.role, Role::Stakeholder);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s).await;
    let (victim, _) = session_cookie(&g, Role::Responder).await;
    let mut ws = ws_with(&g, &victim, &g.base).await.expect("ws connects");
    assert!(next_text_or_close(&mut ws).await.is_some(), "snapshot");
    let (admin, csrf) = session_cookie(&g, Role::Commander).await;
    let patch = UserPatch {
        disabled: Some(true),
        ..Default::default()
    };
    assert_eq!(patch_user(&g, &admin, &csrf, "responder", patch).await, 200);
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/health", &victim).await,
        401
    );
    // The open websocket is closed too, not left streaming.
    while next_text_or_close(&mut ws).await.is_some() {}
    // And a new password also ends sessions: sign in as the stakeholder, change its password.
    let (other, _) = session_cookie(&g, Role::Stakeholder).await;
    let patch = UserPatch {
        password: Some("a brand new long password".into()),
        ..Default::default()
    };
    assert_eq!(
        patch_user(&g, &admin, &csrf, "stakeholder", patch).await,
        200
    );
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &other).await,
        401
    );
}

#[tokio::test]
async fn signing_out_closes_that_sessions_websocket() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s).await;
    let (cookie, csrf) = session_cookie(&g, Role::Responder).await;
    let mut ws = ws_with(&g, &cookie, &g.base).await.expect("ws connects");
    assert!(next_text_or_close(&mut ws).await.is_some(), "snapshot");
    let out = with_cookie(&g, Method::POST, "/api/logout", &cookie)
        .header(wire::CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    while next_text_or_close(&mut ws).await.is_some() {}
}

#[tokio::test]
async fn the_last_commander_cannot_be_demoted_or_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s).await;
    let (admin, csrf) = session_cookie(&g, Role::Commander).await;
    for patch in [
        UserPatch {
            role: Some(Role::Responder),
            ..Default::default()
        },
        UserPatch {
            disabled: Some(true),
            ..Default::default()
        },
    ] {
        assert_eq!(patch_user(&g, &admin, &csrf, "commander", patch).await, 409);
    }
    // With a second commander, the first may step down.
    let promote = UserPatch {
        role: Some(Role::Commander),
        ..Default::default()
    };
    assert_eq!(
        patch_user(&g, &admin, &csrf, "responder", promote).await,
        200
    );
    let step_down = UserPatch {
        role: Some(Role::Responder),
        ..Default::default()
    };
    assert_eq!(
        patch_user(&g, &admin, &csrf, "commander", step_down).await,
        200
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_when_configured() {
    for secure in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        s.auth.secure_cookies = secure;
        let g = start_with(dir, s).await;
        let resp = super::support::sign_in_request(
            &g,
            &super::support::client(&g),
            "responder",
            super::support::PASSWORD,
        )
        .send()
        .await
        .unwrap();
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("aegis_session="))
            .expect("a session cookie")
            .to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(cookie.contains("Max-Age="), "an idle expiry: {cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
    }
}
