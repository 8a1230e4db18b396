//! Each injected fault gives the right status and detail, within a sweep or two.

use wire::Status;

use super::support::{gateway, wait_all_up, wait_check, Sandbox};

#[tokio::test]
async fn every_check_is_up_on_a_healthy_host() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    let snap = wait_all_up(&gw.hub).await;
    assert_eq!(
        snap.checks.len(),
        13,
        "ssh, containers, 8 services, database, 2 edges"
    );
    assert!(snap.host.reachable);
    assert_eq!(
        snap.check("host.containers").map(|c| c.detail.as_str()),
        Some("all 10 running")
    );
}

#[tokio::test]
async fn a_stopped_container_is_named() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    wait_all_up(&gw.hub).await;
    sb.fault(&["stop", "ciam-kratos"]);
    let c = wait_check(
        &gw.hub,
        "host.containers",
        Status::Down,
        "olympus-ciam-kratos exited",
    )
    .await;
    assert!(c.detail.starts_with("9/10 running"), "{}", c.detail);
    let h = wait_check(
        &gw.hub,
        "health.ciam-kratos",
        Status::Down,
        "connection refused",
    )
    .await;
    assert!(
        h.detail.contains("container olympus-ciam-kratos is exited"),
        "{}",
        h.detail
    );
    sb.fault(&["start", "ciam-kratos"]);
    wait_all_up(&gw.hub).await;
}

#[tokio::test]
async fn a_refusing_endpoint_is_down_while_its_container_runs() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    sb.fault(&["refuse", "iam-hydra"]);
    let c = wait_check(
        &gw.hub,
        "health.iam-hydra",
        Status::Down,
        "connection refused",
    )
    .await;
    assert!(
        !c.detail.contains("container"),
        "the container is running: {}",
        c.detail
    );
    wait_check(&gw.hub, "host.containers", Status::Up, "").await;
}

#[tokio::test]
async fn an_http_error_is_down_with_its_code() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    sb.fault(&["503", "ciam-athena"]);
    let c = wait_check(&gw.hub, "health.ciam-athena", Status::Down, "HTTP 503").await;
    assert_eq!(c.scope, wire::Scope::Ciam);
}

#[tokio::test]
async fn a_hanging_endpoint_is_down_as_timed_out() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    sb.fault(&["hang", "iam-hera"]);
    wait_check(
        &gw.hub,
        "health.iam-hera",
        Status::Down,
        "timed out after 2 s with no answer",
    )
    .await;
}

#[tokio::test]
async fn database_faults_read_like_pg_isready() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    sb.fault(&["pg-reject"]);
    wait_check(
        &gw.hub,
        "database.pg_isready",
        Status::Down,
        "rejecting connections",
    )
    .await;
    sb.fault(&["pg-down"]);
    wait_check(
        &gw.hub,
        "database.pg_isready",
        Status::Down,
        "no response from the server",
    )
    .await;
    sb.fault(&["pg-ok"]);
    wait_check(
        &gw.hub,
        "database.pg_isready",
        Status::Up,
        "accepting connections",
    )
    .await;
}

#[tokio::test]
async fn a_stopped_edge_is_down_from_the_gateway() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    wait_all_up(&gw.hub).await;
    sb.fault(&["stop", "caddy"]);
    wait_check(&gw.hub, "edge.ciam", Status::Down, "connection refused").await;
    wait_check(&gw.hub, "edge.iam", Status::Down, "connection refused").await;
    wait_check(
        &gw.hub,
        "host.containers",
        Status::Down,
        "olympus-caddy exited",
    )
    .await;
}
