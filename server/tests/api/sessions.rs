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

#[tokio::test]
async fn a_session_in_use_outlives_its_idle_timeout_and_an_unused_one_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.idle_timeout_secs = 2;
    s.auth.absolute_timeout_secs = 600;
    let g = start_with(dir, s).await;
    let (cookie, _) = session_cookie(&g, Role::Responder).await;
    // Used every half second for three times the idle timeout: every request is answered.
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(6) {
        assert_eq!(
            status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
            200,
            "a busy session ended {:?} after sign-in",
            started.elapsed()
        );
        // The pace of use is the behaviour under test, not a synchronisation.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // Then left alone past the idle timeout: it ends.
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
        401
    );
}

#[tokio::test]
async fn changing_a_role_ends_the_sessions_of_the_old_role() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let g = start_with(dir, s).await;
    let (victim, _) = session_cookie(&g, Role::Responder).await;
    let mut ws = ws_with(&g, &victim, &g.base).await.expect("ws connects");
    assert!(next_text_or_close(&mut ws).await.is_some(), "snapshot");
    let (admin, csrf) = session_cookie(&g, Role::Commander).await;
    let patch = UserPatch {
        role: Some(Role::Stakeholder),
        ..Default::default()
    };
    assert_eq!(patch_user(&g, &admin, &csrf, "responder", patch).await, 200);
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &victim).await,
        401,
        "the old cookie does not answer with the new role"
    );
    while next_text_or_close(&mut ws).await.is_some() {}
    // Signing in again gives the new role.
    let (fresh, _) = session_cookie(&g, Role::Stakeholder).await;
    let me: wire::Me = with_cookie(&g, Method::GET, "/api/me", &fresh)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.role, Role::Stakeholder);
}

#[tokio::test]
async fn an_idle_sessions_websocket_is_closed_when_the_session_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.idle_timeout_secs = 2;
    s.auth.absolute_timeout_secs = 3600;
    let g = start_with(dir, s).await;
    let (cookie, _) = session_cookie(&g, Role::Stakeholder).await;
    let mut ws = ws_with(&g, &cookie, &g.base).await.expect("ws connects");
    assert!(next_text_or_close(&mut ws).await.is_some(), "snapshot");
    super::support::closed_within(&mut ws, 20).await;
    assert_eq!(
        status_with_cookie(&g, Method::GET, "/api/me", &cookie).await,
        401,
        "the socket closed because the session would be refused"
    );
}

#[tokio::test]
async fn a_share_links_websocket_is_closed_when_the_link_expires() {
    let g = super::support::start().await;
    let (admin, csrf) = session_cookie(&g, Role::Commander).await;
    let created = super::support::create_link(&g, &admin, &csrf, "Support leads", 1).await;
    let opened = super::support::client(&g)
        .post(format!("{}/api{}", g.base, created.path))
        .send()
        .await
        .unwrap();
    let cookie = super::support::cookie_header(&opened).expect("a session");
    // The link runs out two seconds from now (as if it had been created an hour ago).
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 2000;
    sqlx::query("UPDATE share_links SET expires_at_ms = ? WHERE id = ?")
        .bind(soon)
        .bind(created.link.id)
        .execute(g.state.store.pool())
        .await
        .unwrap();
    let mut ws = ws_with(&g, &cookie, &g.base).await.expect("ws connects");
    assert!(next_text_or_close(&mut ws).await.is_some(), "snapshot");
    super::support::closed_within(&mut ws, 20).await;
}

#[tokio::test]
async fn the_database_holds_no_session_id_and_only_the_gateway_reads_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let data = s.data_dir.clone();
    let g = start_with(dir, s).await;
    let (cookie, _) = session_cookie(&g, Role::Commander).await;
    let id = cookie.trim_start_matches("aegis_session=").to_string();
    assert!(!id.is_empty());
    let stored: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions")
        .fetch_all(g.state.store.pool())
        .await
        .unwrap();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|s| !s.contains(&id)), "{stored:?}");
    for file in ["aegis.db", "aegis.db-wal"] {
        let bytes = std::fs::read(data.join(file)).unwrap();
        assert!(
            !bytes.windows(id.len()).any(|w| w == id.as_bytes()),
            "the session id is readable in {file}"
        );
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("aegis.db")), 0o600);
    assert_eq!(mode(&data.join("aegis.db-wal")), 0o600);
}

#[tokio::test]
async fn https_consoles_send_strict_transport_security() {
    for (public_url, expected) in [(Some("https://aegis.olympus.example"), true), (None, false)] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        s.public_url = public_url.map(str::to_string);
        let g = start_with(dir, s).await;
        let resp = reqwest::get(format!("{}/api/ping", g.base)).await.unwrap();
        let hsts = resp.headers().get("strict-transport-security");
        assert_eq!(hsts.is_some(), expected, "{public_url:?}: {hsts:?}");
        if let Some(v) = hsts {
            assert!(v.to_str().unwrap().contains("max-age=31536000"));
        }
    }
}
