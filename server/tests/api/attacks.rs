//! What an attacker would try: another site's page, a missing CSRF proof, reading host details as a
//! stakeholder, a dead share link, guessing passwords.

use reqwest::Method;
use wire::Role;

use super::support::{
    client, create_link, next_text, session_cookie, settings, sign_in_request, start, start_with,
    with_cookie, ws_with, Running, PASSWORD,
};

#[tokio::test]
async fn a_cross_origin_websocket_handshake_is_refused() {
    let g = start().await;
    let (cookie, _) = session_cookie(&g, Role::Responder).await;
    let err = ws_with(&g, &cookie, "https://evil.example")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    assert!(
        ws_with(&g, &cookie, &g.base).await.is_ok(),
        "the console's own origin is fine"
    );
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_is_refused() {
    let g = start().await;
    let (cookie, csrf) = session_cookie(&g, Role::Commander).await;
    for token in [None, Some("forged")] {
        let mut req = with_cookie(&g, Method::POST, "/api/sweep", &cookie);
        if let Some(t) = token {
            req = req.header(wire::CSRF_HEADER, t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 403);
        let body: wire::ApiError = resp.json().await.unwrap();
        assert_eq!(body.error, "csrf");
    }
    let ok = with_cookie(&g, Method::POST, "/api/sweep", &cookie)
        .header(wire::CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 202);
}

#[tokio::test]
async fn a_login_posted_from_another_site_is_refused() {
    let g = start().await;
    let resp = reqwest::Client::new()
        .post(format!("{}/api/login", g.base))
        .header("origin", "https://evil.example")
        .json(&wire::LoginRequest {
            name: "responder".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn a_stakeholder_sees_no_host_names_ports_or_commands() {
    let g = start().await;
    // Let one sweep land so that details exist to leak.
    let (_, mut rx) = g.state.hub.subscribe();
    g.state.sweep.request();
    while g.state.hub.snapshot().sweep_seq == 0 {
        let _ = rx.recv().await;
    }
    let full = serde_json::to_string(&g.state.hub.snapshot()).unwrap();
    assert!(
        full.contains("fake@host:22"),
        "the responder's board names the host: {full}"
    );
    let (cookie, _) = session_cookie(&g, Role::Stakeholder).await;
    let body = with_cookie(&g, Method::GET, "/api/health", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut ws = ws_with(&g, &cookie, &g.base).await.unwrap();
    let frame = next_text(&mut ws).await;
    for text in [body, frame] {
        for secret in [
            "fake@host",
            ":22",
            "podman",
            "curl",
            "/health/alive",
            "not installed",
            "127.0.0.1",
            "pg_isready",
            "ssh",
        ] {
            assert!(
                !text.contains(secret),
                "a stakeholder saw `{secret}`: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_revoked_or_expired_share_link_is_refused() {
    let g = start().await;
    let (admin, csrf) = session_cookie(&g, Role::Commander).await;
    let created = create_link(&g, &admin, &csrf, "Support leads", 24).await;
    let viewer = client(&g);
    let opened = viewer
        .post(format!("{}/api{}", g.base, created.path))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    let me: wire::Me = opened.json().await.unwrap();
    assert!(me.share && me.role == Role::Stakeholder);
    assert_eq!(
        viewer
            .get(format!("{}/api/health", g.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        viewer
            .get(format!("{}/api/users", g.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let revoke = with_cookie(
        &g,
        Method::DELETE,
        &format!("/api/share-links/{}", created.link.id),
        &admin,
    )
    .header(wire::CSRF_HEADER, &csrf)
    .send()
    .await
    .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        viewer
            .get(format!("{}/api/health", g.base))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "its sessions end"
    );
    let again = client(&g)
        .post(format!("{}/api{}", g.base, created.path))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410);

    // Expired: a link whose time has passed opens nothing.
    let created = create_link(&g, &admin, &csrf, "Old", 1).await;
    sqlx::query("UPDATE share_links SET expires_at_ms = 0 WHERE id = ?")
        .bind(created.link.id)
        .execute(g.state.store.pool())
        .await
        .unwrap();
    let expired = client(&g)
        .post(format!("{}/api{}", g.base, created.path))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 410);
}

#[tokio::test]
async fn the_login_rate_limit_holds_and_says_nothing_about_accounts() {
    let g = start().await;
    let attempt =
        |name: &str, password: &str| sign_in_request(&g, &client(&g), name, password).send();
    let unknown: wire::ApiError = attempt("nosuchuser", "whatever password")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wrong: wire::ApiError = attempt("responder", "wrong password!!")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unknown, wrong,
        "the same answer whether or not the account exists"
    );
    // Default: 5 attempts a minute per account; one was spent above.
    for _ in 0..4 {
        assert_eq!(
            attempt("responder", "wrong password!!")
                .await
                .unwrap()
                .status(),
            401
        );
    }
    let limited = attempt("responder", PASSWORD).await.unwrap();
    assert_eq!(limited.status(), 429, "even the right password waits");
    assert!(limited.headers().contains_key("retry-after"));
}

/// Sign-in attempts by distinct account names (so only the per-address budget counts), each with
/// `X-Forwarded-For: forwarded`; the statuses in order.
async fn attempts_from(g: &Running, forwarded: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("nobody-{forwarded}-{i}");
        let resp = sign_in_request(g, &client(g), &name, "wrong password here")
            .header("x-forwarded-for", forwarded)
            .send()
            .await
            .unwrap();
        out.push(resp.status().as_u16());
    }
    out
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_address_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.attempts_per_address_per_minute = 2;
    s.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let g = start_with(dir, s).await;
    assert_eq!(attempts_from(&g, "198.51.100.1", 3).await, [401, 401, 429]);
    // Another client behind the same proxy is not locked out by the first.
    assert_eq!(attempts_from(&g, "198.51.100.2", 1).await, [401]);
    // A client cannot pick a fresh budget by prefixing a forged hop: the proxy appends the truth.
    assert_eq!(
        attempts_from(&g, "203.0.113.50, 198.51.100.1", 1).await,
        [429]
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_header_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.attempts_per_address_per_minute = 2;
    let g = start_with(dir, s).await;
    assert_eq!(attempts_from(&g, "198.51.100.1", 2).await, [401, 401]);
    assert_eq!(
        attempts_from(&g, "198.51.100.2", 1).await,
        [429],
        "the header is ignored from an untrusted peer"
    );
}
