//! Kratos and Hydra in the sandbox listen like the real ones (a public and an admin port; Kratos's
//! admin port answers 307 to `/admin/...` for every un-prefixed path), so a health URL that would
//! fail on a real Olympus fails here too, and the sandbox's own config is the one that works.

use std::time::Duration;

use server::config::Settings;
use wire::Status;

use super::support::{describe, gateway, wait_all_up, wait_check, wait_for, Sandbox};

/// The stand-ins' admin ports, as `sandbox/sandbox.sh` assigns them (`ADMIN_PORTS`).
const CIAM_KRATOS_ADMIN: u16 = 42123;
const CIAM_HYDRA_ADMIN: u16 = 42124;
const IAM_KRATOS_ADMIN: u16 = 42133;
const ADMIN_PORTS: [u16; 4] = [42123, 42124, 42133, 42134];

fn set_health_url(s: &mut Settings, service: &str, url: String) {
    let svc = s
        .services
        .iter_mut()
        .find(|svc| svc.name == service)
        .unwrap_or_else(|| panic!("{service} in the sandbox config"));
    svc.health_url = server::values::HttpUrl::parse(&url).expect("valid URL");
}

#[tokio::test]
async fn kratos_health_on_the_admin_port_without_the_prefix_is_degraded_307() {
    let sb = Sandbox::claim().await;
    let mut s = sb.settings();
    // The old example config's mistake: Kratos's admin port, un-prefixed.
    set_health_url(
        &mut s,
        "ciam-kratos",
        format!("http://127.0.0.1:{CIAM_KRATOS_ADMIN}/health/alive"),
    );
    // The admin-port alternatives that do work: Kratos under /admin, Hydra without a prefix.
    set_health_url(
        &mut s,
        "iam-kratos",
        format!("http://127.0.0.1:{IAM_KRATOS_ADMIN}/admin/health/alive"),
    );
    set_health_url(
        &mut s,
        "ciam-hydra",
        format!("http://127.0.0.1:{CIAM_HYDRA_ADMIN}/health/alive"),
    );
    let gw = gateway(s).await;
    let c = wait_check(&gw.hub, "health.ciam-kratos", Status::Degraded, "HTTP 307").await;
    assert!(c.detail.contains("redirected"), "{}", c.detail);
    let snap = wait_for(
        &gw.hub,
        "every other check up",
        Duration::from_secs(60),
        |s| {
            s.checks
                .iter()
                .all(|c| c.id == "health.ciam-kratos" || c.status == Status::Up)
        },
    )
    .await;
    for id in ["health.iam-kratos", "health.ciam-hydra"] {
        let c = snap.check(id).expect("check");
        assert!(c.detail.contains("HTTP 200"), "{id}:\n{}", describe(&snap));
    }
    // A fault is the service's, on both of its ports: the admin health goes down with it.
    sb.fault(&["503", "iam-kratos"]);
    wait_check(&gw.hub, "health.iam-kratos", Status::Down, "HTTP 503").await;
}

#[tokio::test]
async fn the_sandbox_config_checks_kratos_on_its_public_port_and_is_all_up() {
    let sb = Sandbox::claim().await;
    let s = sb.settings();
    for svc in &s.services {
        let url = &svc.health_url;
        assert!(
            !ADMIN_PORTS.contains(&url.port()),
            "{}: {} is an admin port",
            svc.name,
            svc.health_url
        );
    }
    let gw = gateway(s).await;
    let snap = wait_all_up(&gw.hub).await;
    for id in ["health.ciam-kratos", "health.iam-kratos"] {
        let c = snap.check(id).expect("check");
        assert!(c.detail.contains("HTTP 200"), "{id}:\n{}", describe(&snap));
    }
}
