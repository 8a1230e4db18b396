//! What strangers and crowds can cost the gateway before sign-in, and who they can lock out:
//! oversized names and bodies, guessed names, share links opened by a crowd, sockets per session.

use wire::Role;

use super::support::{
    client, create_link, next_text_or_close, session_cookie, settings, sign_in_request, start,
    start_with, ws_with, Running, PASSWORD,
};

/// A gateway behind a trusted proxy on 127.0.0.1, so each test client can be its own address.
async fn behind_proxy(tune: impl FnOnce(&mut server::config::Settings)) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    tune(&mut s);
    start_with(dir, s).await
}

async fn sign_in_from(g: &Running, from: &str, name: &str, password: &str) -> u16 {
    sign_in_request(g, &client(g), name, password)
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn long_names_are_refused_and_not_remembered() {
    let g = behind_proxy(|s| s.auth.attempts_per_address_per_minute = 1000).await;
    let before = g.state.limiter.keys();
    for i in 0..50 {
        // Just under the body limit: parsed, then refused as no possible account name.
        let name = format!("{i}{}", "x".repeat(60_000));
        assert_eq!(
            sign_in_from(&g, "198.51.100.1", &name, "whatever").await,
            401
        );
    }
    assert!(
        g.state.limiter.keys() <= before + 1,
        "only the address is remembered, not 50 names of 60 KB: {} keys",
        g.state.limiter.keys()
    );
    // Over the limit: refused before it is buffered, with the console's JSON error.
    let resp = sign_in_request(&g, &client(&g), &"x".repeat(500_000), "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let err: wire::ApiError = resp.json().await.unwrap();
    assert_eq!(err.error, "too_large");
    assert!(err.message.contains("KiB"), "{}", err.message);
}

#[tokio::test]
async fn a_padded_or_recased_name_spends_the_same_budget() {
    let g = start().await;
    for name in [
        "responder ",
        " responder",
        "RESPONDER",
        "Responder\t",
        "responder",
    ] {
        assert_eq!(sign_in_from(&g, "x", name, "wrong password!!").await, 401);
    }
    assert_eq!(
        sign_in_from(&g, "x", "  responder  ", PASSWORD).await,
        429,
        "padding is not a fresh budget"
    );
}

#[tokio::test]
async fn a_stranger_who_knows_a_name_cannot_lock_its_owner_out() {
    let g = behind_proxy(|_| {}).await;
    // The name is public (it is on every incident); the stranger spends their own budget.
    for _ in 0..5 {
        assert_eq!(
            sign_in_from(&g, "203.0.113.66", "responder", "guess guess guess").await,
            401
        );
    }
    assert_eq!(
        sign_in_from(&g, "203.0.113.66", "responder", PASSWORD).await,
        429
    );
    // The owner, on their own network, signs in.
    assert_eq!(
        sign_in_from(&g, "198.51.100.7", "responder", PASSWORD).await,
        200
    );
}

#[tokio::test]
async fn a_crowd_of_addresses_is_slowed_by_the_account_budget() {
    let g = behind_proxy(|s| s.auth.attempts_per_account_all_addresses_per_minute = 3).await;
    for n in 0..3 {
        let from = format!("203.0.113.{n}");
        assert_eq!(
            sign_in_from(&g, &from, "responder", "guess guess guess").await,
            401
        );
    }
    assert_eq!(
        sign_in_from(&g, "203.0.113.9", "responder", PASSWORD).await,
        429
    );
    assert_eq!(
        sign_in_from(&g, "203.0.113.9", "commander", PASSWORD).await,
        200,
        "other accounts are not slowed"
    );
}

/// A link a commander made for a day.
async fn a_link(g: &Running) -> wire::CreatedShareLink {
    let (admin, csrf) = session_cookie(g, Role::Commander).await;
    create_link(g, &admin, &csrf, "Support leads", 24).await
}

async fn open_link(g: &Running, viewer: &reqwest::Client, path: &str, from: &str) -> u16 {
    viewer
        .post(format!("{}/api{path}", g.base))
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn strangers_guessing_share_tokens_lock_out_no_holder_of_the_link() {
    let g = behind_proxy(|_| {}).await;
    let link = a_link(&g).await;
    // A stranger guesses from one address until refused...
    let mut guesses = Vec::new();
    for i in 0..25 {
        guesses.push(open_link(&g, &client(&g), &format!("/share/guess{i}"), "203.0.113.66").await);
    }
    assert_eq!(guesses[0], 410);
    assert_eq!(*guesses.last().unwrap(), 429, "{guesses:?}");
    // ...while ten stakeholders open the posted link in the same minute, one of them from the
    // stranger's own network: every one gets in.
    let opens = futures::future::join_all((0..10).map(|n| {
        let from = if n == 0 {
            "203.0.113.66".to_string()
        } else {
            format!("198.51.100.{n}")
        };
        let path = link.path.clone();
        let g = &g;
        async move { open_link(g, &client(g), &path, &from).await }
    }))
    .await;
    assert_eq!(opens, vec![200; 10]);
}

#[tokio::test]
async fn reopening_a_share_link_keeps_its_session() {
    let g = start().await;
    let link = a_link(&g).await;
    let viewer = client(&g);
    assert_eq!(open_link(&g, &viewer, &link.path, "x").await, 200);
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
            .fetch_one(g.state.store.pool())
            .await
            .unwrap()
    };
    let before = sessions().await;
    for _ in 0..5 {
        let resp = viewer
            .post(format!("{}/api{}", g.base, link.path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let me: wire::Me = resp.json().await.unwrap();
        assert!(me.share && !me.csrf_token.is_empty());
    }
    assert_eq!(sessions().await, before, "a reload opens no new session");
    assert_eq!(
        viewer
            .get(format!("{}/api/me", g.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_session_holds_a_bounded_number_of_sockets() {
    let g = start().await;
    let (cookie, _) = session_cookie(&g, Role::Stakeholder).await;
    let mut open = Vec::new();
    for _ in 0..server::http::MAX_SOCKETS_PER_SESSION {
        let mut ws = ws_with(&g, &cookie, &g.base).await.expect("ws connects");
        assert!(next_text_or_close(&mut ws).await.is_some());
        open.push(ws);
    }
    match ws_with(&g, &cookie, &g.base).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 429)
        }
        other => panic!(
            "one socket too many must be refused, got {:?}",
            other.map(|_| ())
        ),
    }
    // Another session is not affected, and closing one gives the place back.
    let (other, _) = session_cookie(&g, Role::Stakeholder).await;
    assert!(ws_with(&g, &other, &g.base).await.is_ok());
    let mut closed = open.pop().unwrap();
    closed.close(None).await.unwrap();
    while next_text_or_close(&mut closed).await.is_some() {}
    let mut again = None;
    for _ in 0..100 {
        if let Ok(ws) = ws_with(&g, &cookie, &g.base).await {
            again = Some(ws);
            break;
        }
        // The server drops the closed socket's place when its task ends; poll for that.
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a closed socket's place is given back");
}

#[tokio::test]
async fn a_client_starting_a_huge_frame_is_dropped_at_its_header() {
    use tokio::io::AsyncWriteExt;
    let g = start().await;
    let (cookie, _) = session_cookie(&g, Role::Stakeholder).await;
    let mut ws = ws_with(&g, &cookie, &g.base).await.unwrap();
    assert!(next_text_or_close(&mut ws).await.is_some());
    // A masked binary frame announcing 16 MB, then a little of it, then nothing: the server must
    // not wait (and hold a buffer) for the rest.
    let mut header = vec![0x82u8, 0x80 | 127];
    header.extend_from_slice(&(16u64 << 20).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    header.extend_from_slice(&[0u8; 1024]);
    match ws.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.write_all(&header).await.unwrap(),
        _ => unreachable!("plain TCP in tests"),
    }
    super::support::closed_within(&mut ws, 20).await;
}
