//! The SPA's files (precompressed, cached, falling back to index.html), the security headers, and
//! the public API basics.

use wire::Role;

use super::support::{settings, signed_in, start_with, Running};

async fn start(build_site: bool) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let site = &s.site_dir;
    if build_site {
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(
            site.join("index.html"),
            "<!doctype html><title>Aegis</title>",
        )
        .unwrap();
        std::fs::write(site.join("pkg/aegis-0123abcd.js"), "export default 1;").unwrap();
        std::fs::write(
            site.join("pkg/aegis-0123abcd.js.gz"),
            gzip(b"export default 1;"),
        )
        .unwrap();
    }
    start_with(dir, s).await
}

fn gzip(data: &[u8]) -> Vec<u8> {
    // A stored (uncompressed) deflate block inside a gzip wrapper: valid gzip without a gzip crate.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.push(1);
    let len = data.len() as u16;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_gzip().build().unwrap()
}

#[tokio::test]
async fn health_is_json_and_unknown_api_is_a_json_404() {
    let g = start(true).await;
    let (client, _) = signed_in(&g, Role::Responder).await;
    let client = || client.clone();
    let resp = client()
        .get(format!("{}/api/health", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let snap: wire::HealthSnapshot = resp.json().await.unwrap();
    assert!(snap.checks.iter().any(|c| c.id == "host.ssh"));

    let resp = client()
        .get(format!("{}/api/nope", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn sweep_now_is_accepted() {
    let g = start(true).await;
    let (client, csrf) = signed_in(&g, Role::Responder).await;
    let client = || client.clone();
    let resp = client()
        .post(format!("{}/api/sweep", g.base))
        .header(wire::CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let _: wire::SweepAccepted = resp.json().await.unwrap();
    let resp = client()
        .get(format!("{}/api/sweep", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405, "a GET must not start a sweep");
}

#[tokio::test]
async fn spa_routes_fall_back_to_index_with_no_cache_and_a_strict_csp() {
    let g = start(true).await;
    for path in ["/", "/incidents/42"] {
        let resp = client()
            .get(format!("{}{path}", g.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-cache");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("'wasm-unsafe-eval'") && csp.contains("default-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(resp.text().await.unwrap().contains("<title>Aegis</title>"));
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_served_precompressed() {
    let g = start(true).await;
    let resp = client()
        .get(format!("{}/pkg/aegis-0123abcd.js", g.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let missing = client()
        .get(format!("{}/pkg/aegis-deadbeef.js", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.status(),
        404,
        "a stale asset is not answered with the index page"
    );
    let plain = client()
        .get(format!("{}/pkg/aegis-0123abcd.js", g.base))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "export default 1;");
}

#[tokio::test]
async fn a_missing_bundle_says_how_to_build_it() {
    let g = start(false).await;
    let resp = client().get(format!("{}/", g.base)).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.text().await.unwrap().contains("cargo xtask build-web"));
    // The API still works without the bundle.
    let (client, _) = signed_in(&g, Role::Stakeholder).await;
    assert_eq!(
        client
            .get(format!("{}/api/health", g.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn responders_get_the_playbooks_with_their_steps_in_order() {
    let g = start(false).await;
    let responder = signed_in(&g, Role::Responder).await;
    let catalog: wire::PlaybookCatalog =
        super::support::get(&g, &responder, wire::PLAYBOOKS_PATH).await;
    assert_eq!(catalog.playbooks.len(), 9);
    let first = &catalog.playbooks[0];
    assert_eq!(first.id, "first-response");
    assert_eq!(first.steps[1].kind, "probe");
    assert_eq!(first.steps[1].timer_minutes, Some(5));
    let email = catalog
        .playbooks
        .iter()
        .find(|p| p.id == "email-not-sending")
        .unwrap();
    let queue = &email.steps[0];
    assert_eq!(queue.probe.as_deref(), Some("courier_queue"));
    assert!(queue
        .command
        .as_deref()
        .unwrap_or("")
        .contains("list-messages"));
    assert!(queue
        .real_ory
        .as_deref()
        .unwrap_or("")
        .contains("/admin/courier/messages"));
    // The fake host's board has no checks: nothing is suggested.
    assert!(catalog.suggested.is_empty());
}
