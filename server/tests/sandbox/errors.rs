//! Connection trouble: each has its own reason on the board, and the gateway keeps running.

use std::path::Path;
use std::process::Command;

use wire::Status;

use super::support::{gateway, wait_all_up, wait_check, Sandbox};

fn ssh_keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen runs")
        .success();
    assert!(ok);
}

#[tokio::test]
async fn sshd_stopped_then_restarted_the_gateway_reconnects() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    wait_all_up(&gw.hub).await;
    sb.fault(&["sshd-stop"]);
    let ssh = wait_check(&gw.hub, "host.ssh", Status::Down, "connection refused").await;
    assert!(ssh.detail.contains("unreachable"), "{}", ssh.detail);
    let snap = gw.hub.snapshot();
    assert!(!snap.host.reachable);
    for id in [
        "host.containers",
        "health.ciam-kratos",
        "database.pg_isready",
    ] {
        let c = snap.check(id).expect("check");
        assert_eq!(c.status, Status::Unknown, "{id}");
        assert!(
            c.detail.contains("connection refused"),
            "{id}: {}",
            c.detail
        );
    }
    assert_eq!(
        snap.check("edge.ciam").map(|c| c.status),
        Some(Status::Up),
        "the edge does not depend on SSH"
    );
    sb.fault(&["sshd-start"]);
    let snap = wait_all_up(&gw.hub).await;
    assert!(snap.host.reachable);
}

#[tokio::test]
async fn a_hung_command_is_killed_on_the_host_and_reported_as_timed_out() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    wait_all_up(&gw.hub).await;
    sb.fault(&["pg-hang"]);
    let c = wait_check(
        &gw.hub,
        "database.pg_isready",
        Status::Down,
        "timed out after 4 s",
    )
    .await;
    assert!(c.detail.contains("killed on the host"), "{}", c.detail);
    // The host's `timeout` killed the command: no `podman exec` of ours is left running there.
    let left = Command::new("pgrep")
        .args(["-f", "timeout -k 1 4 podman exec olympus-postgres"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "left running on the host: {}",
        String::from_utf8_lossy(&left.stdout)
    );
    // Nor inside the container: killing `podman exec` alone would leave the hung pg_isready there.
    let inside = Command::new("pgrep")
        .args(["-f", "pg_isready -t"])
        .output()
        .unwrap();
    assert!(
        inside.stdout.is_empty(),
        "left running in the container: {}",
        String::from_utf8_lossy(&inside.stdout)
    );
    // The other checks kept working while that one hung.
    assert_eq!(
        gw.hub
            .snapshot()
            .check("health.ciam-kratos")
            .map(|c| c.status),
        Some(Status::Up)
    );
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let sb = Sandbox::claim().await;
    let mut s = sb.settings();
    let unused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.ssh.port = unused;
    let gw = gateway(s).await;
    wait_check(&gw.hub, "host.ssh", Status::Down, "connection refused").await;
    let c = wait_check(
        &gw.hub,
        "health.ciam-hera",
        Status::Unknown,
        "host unreachable",
    )
    .await;
    assert!(c.detail.contains("connection refused"), "{}", c.detail);
}

#[tokio::test]
async fn an_unknown_host_key_is_rejected_not_trusted() {
    let sb = Sandbox::claim().await;
    let dir = tempfile::tempdir().unwrap();
    // A known_hosts that names the sandbox with some other host's key.
    ssh_keygen(&dir.path().join("other"));
    let other = std::fs::read_to_string(dir.path().join("other.pub")).unwrap();
    let kh = dir.path().join("known_hosts");
    std::fs::write(&kh, format!("[127.0.0.1]:42022 {other}")).unwrap();
    let mut s = sb.settings();
    s.ssh.known_hosts = Some(kh.clone());
    let gw = gateway(s).await;
    let c = wait_check(&gw.hub, "host.ssh", Status::Down, "host key rejected").await;
    assert!(
        c.detail.contains("impersonation"),
        "a changed key must say so: {}",
        c.detail
    );
    // And a known_hosts without the host at all: also refused, never added.
    std::fs::write(&kh, "").unwrap();
    let mut s = sb.settings();
    s.ssh.known_hosts = Some(kh.clone());
    let gw2 = gateway(s).await;
    wait_check(
        &gw2.hub,
        "host.ssh",
        Status::Down,
        "not in the configured known_hosts",
    )
    .await;
    assert_eq!(
        std::fs::read_to_string(&kh).unwrap(),
        "",
        "strict checking never writes known_hosts"
    );
    drop(gw);
}

#[tokio::test]
async fn a_key_the_host_does_not_accept_is_authentication_refused() {
    let sb = Sandbox::claim().await;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id_ed25519");
    ssh_keygen(&key);
    let mut s = sb.settings();
    s.ssh.identity = Some(key);
    let gw = gateway(s).await;
    wait_check(&gw.hub, "host.ssh", Status::Down, "authentication refused").await;
}

#[tokio::test]
async fn an_untrusted_edge_certificate_is_down_with_the_reason() {
    let sb = Sandbox::claim().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("other-ca.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
        ])
        .args(["-subj", "/CN=Not the sandbox CA", "-keyout"])
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(&ca)
        .output()
        .expect("openssl runs")
        .status
        .success();
    assert!(ok);
    let mut s = sb.settings();
    for e in &mut s.edges {
        e.ca_bundle = Some(ca.clone());
    }
    let gw = gateway(s).await;
    wait_check(
        &gw.hub,
        "edge.ciam",
        Status::Down,
        "certificate not trusted",
    )
    .await;
    wait_check(&gw.hub, "health.ciam-hera", Status::Up, "").await;
}
