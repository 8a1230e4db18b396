use wire::Scope;

use super::*;
use crate::config::{DatabaseSettings, ServiceSettings, Settings};
use crate::remote::fake::{exit, ok, FakeHost};

const PS_ALL: &str = r#"[{"Names":["olympus-ciam-kratos"],"State":"running","Status":"Up","ExitCode":0},
 {"Names":["olympus-postgres"],"State":"running","Status":"Up","ExitCode":0}]"#;
const PS_KRATOS_EXITED: &str = r#"[{"Names":["olympus-ciam-kratos"],"State":"exited","Status":"Exited (137)","ExitCode":137},
 {"Names":["olympus-postgres"],"State":"running","Status":"Up","ExitCode":0}]"#;

fn catalog() -> Catalog {
    let mut s = Settings::default();
    s.ssh.host = "prod".into();
    s.services.push(ServiceSettings {
        name: "ciam-kratos".into(),
        scope: Scope::Ciam,
        container: crate::values::ContainerName::parse("olympus-ciam-kratos").unwrap(),
        health_url: crate::values::HttpUrl::parse("http://127.0.0.1:4434/health/alive").unwrap(),
        admin_url: None,
        flags_env_file: None,
        redeploy: None,
    });
    s.database = Some(DatabaseSettings {
        container: crate::values::ContainerName::parse("olympus-postgres").unwrap(),
        tls_address: None,
        ca_bundle: None,
        snapshot_dir: None,
        dump_user: None,
    });
    Catalog::from_settings(&s.catalog()).unwrap()
}

fn by_id<'a>(catalog: &Catalog, outcome: &'a Outcome, id: &str) -> &'a Finding {
    let i = catalog.checks.iter().position(|c| c.id == id).unwrap();
    &outcome.findings[i]
}

fn healthy(cmd: &RemoteCommand) -> Result<crate::remote::RemoteOutput, RemoteError> {
    match (cmd.program(), cmd.args().first().map(String::as_str)) {
        ("podman", Some("ps")) => ok(PS_ALL),
        ("podman", Some("exec")) => ok("/var/run/postgresql:5432 - accepting connections\n"),
        ("curl", _) => ok("200 0.002"),
        _ => exit(127, "", ""),
    }
}

#[tokio::test]
async fn all_up_on_a_healthy_host() {
    let catalog = catalog();
    let host = FakeHost::new(healthy);
    let out = sweep(&catalog, &host).await;
    assert!(out.host.reachable);
    for (spec, f) in catalog.checks.iter().zip(&out.findings) {
        assert_eq!(f.status, Status::Up, "{}: {}", spec.id, f.detail);
    }
    assert_eq!(
        host.ran().len(),
        3,
        "one podman ps, one curl, one pg_isready"
    );
}

#[tokio::test]
async fn unreachable_host_marks_every_host_check_with_the_reason() {
    let catalog = catalog();
    let host = FakeHost::new(healthy);
    host.set_connect(Err(RemoteError::Unreachable("connection refused".into())));
    let out = sweep(&catalog, &host).await;
    assert!(!out.host.reachable);
    assert_eq!(by_id(&catalog, &out, "host.ssh").status, Status::Down);
    for id in [
        "host.containers",
        "health.ciam-kratos",
        "database.pg_isready",
    ] {
        let f = by_id(&catalog, &out, id);
        assert_eq!(f.status, Status::Unknown, "{id}");
        assert!(
            f.detail.contains("connection refused"),
            "{id}: {}",
            f.detail
        );
    }
    assert!(
        host.ran().is_empty(),
        "nothing is run on a host that cannot be reached"
    );
}

#[tokio::test]
async fn a_refused_endpoint_names_the_stopped_container() {
    let catalog = catalog();
    let host = FakeHost::new(
        |cmd| match (cmd.program(), cmd.args().first().map(String::as_str)) {
            ("podman", Some("ps")) => ok(PS_KRATOS_EXITED),
            ("curl", _) => exit(7, "000 0.0001", "curl: (7) Failed to connect"),
            _ => healthy(cmd),
        },
    );
    let out = sweep(&catalog, &host).await;
    let f = by_id(&catalog, &out, "health.ciam-kratos");
    assert_eq!(f.status, Status::Down);
    assert_eq!(
        f.detail,
        "connection refused; container olympus-ciam-kratos is exited"
    );
    assert_eq!(
        by_id(&catalog, &out, "host.containers").status,
        Status::Down
    );
}

#[tokio::test]
async fn a_hung_command_is_down_as_timed_out() {
    let catalog = catalog();
    let host = FakeHost::new(|cmd| match cmd.args().first().map(String::as_str) {
        Some("exec") => Err(RemoteError::TimedOut(cmd.timeout())),
        _ => healthy(cmd),
    });
    let out = sweep(&catalog, &host).await;
    let f = by_id(&catalog, &out, "database.pg_isready");
    assert_eq!(f.status, Status::Down);
    assert!(f.detail.starts_with("timed out after 8 s"), "{}", f.detail);
}

#[tokio::test]
async fn missing_curl_is_unknown_with_the_reason() {
    let catalog = catalog();
    let host = FakeHost::new(|cmd| match cmd.program() {
        "curl" => Err(RemoteError::NotFound("curl".into())),
        _ => healthy(cmd),
    });
    let out = sweep(&catalog, &host).await;
    let f = by_id(&catalog, &out, "health.ciam-kratos");
    assert_eq!(
        (f.status, f.detail.as_str()),
        (Status::Unknown, "`curl` is not installed on the host")
    );
}
