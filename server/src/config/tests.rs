use std::io::Write;

use super::*;

fn write(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

const MINIMAL: &str = r#"
[ssh]
host = "prod.example"
[[service]]
name = "ciam-kratos"
scope = "ciam"
container = "olympus-ciam-kratos"
health_url = "http://127.0.0.1:4434/health/alive"
"#;

#[test]
fn file_overrides_defaults_and_env_overrides_file() {
    let f = write(MINIMAL);
    let s = Settings::load_with_env(
        Some(f.path()),
        [
            ("AEGIS_SSH_PORT".to_string(), "2200".to_string()),
            ("AEGIS_LISTEN".into(), "127.0.0.1:9999".into()),
        ],
    )
    .unwrap();
    assert_eq!(s.ssh.host, "prod.example");
    assert_eq!(s.ssh.port, 2200);
    assert_eq!(s.listen.port(), 9999);
    assert_eq!(s.sweep.interval_secs, 10, "default kept");
}

#[test]
fn env_alone_can_name_the_host() {
    let s = Settings::load_with_env(
        None,
        [("AEGIS_SSH_HOST".to_string(), "10.0.0.5".to_string())],
    )
    .unwrap();
    assert_eq!(s.ssh.host, "10.0.0.5");
}

#[test]
fn relative_paths_are_relative_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis.toml");
    std::fs::write(&path, format!("data_dir = \"state\"\n{MINIMAL}")).unwrap();
    let s = Settings::load_with_env(Some(&path), []).unwrap();
    assert_eq!(s.data_dir, dir.path().join("state"));
}

#[test]
fn errors_name_the_key_and_the_file() {
    let f = write(&MINIMAL.replace("olympus-ciam-kratos\"", "olympus ciam;rm\""));
    let e = Settings::load_with_env(Some(f.path()), [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("service[0].container"), "{e}");
    assert!(e.contains(&f.path().display().to_string()), "{e}");

    let f = write(&format!("{MINIMAL}\n[sweep]\ninterval_secs = \"often\"\n"));
    let e = Settings::load_with_env(Some(f.path()), [])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("interval_secs") && e.contains(&f.path().display().to_string()),
        "{e}"
    );

    let f = write(&format!("{MINIMAL}\nlisten_on = \"x\"\n"));
    let e = Settings::load_with_env(Some(f.path()), [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("listen_on"), "unknown keys are named: {e}");
}

#[test]
fn bad_env_values_name_the_variable() {
    let e = Settings::load_with_env(None, [("AEGIS_SSH_PORT".to_string(), "ssh".to_string())])
        .unwrap_err();
    assert!(e.to_string().contains("AEGIS_SSH_PORT"), "{e}");
    let e = Settings::load_with_env(None, [("AEGIS_SSH_PROT".to_string(), "22".to_string())])
        .unwrap_err();
    assert!(e.to_string().contains("AEGIS_SSH_PROT"), "{e}");
}

#[test]
fn missing_host_is_an_error() {
    let e = Settings::load_with_env(None, []).unwrap_err().to_string();
    assert!(e.contains("ssh.host"), "{e}");
}

#[test]
fn missing_file_is_named() {
    let e = Settings::load_with_env(Some(Path::new("/nonexistent/aegis.toml")), [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/aegis.toml"), "{e}");
}

#[test]
fn the_shipped_example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/olympus.example.toml");
    let s = Settings::load_with_env(Some(&path), []).unwrap();
    assert_eq!(s.services.len(), 8);
    assert_eq!(s.edges.len(), 2);
    assert!(s
        .catalog()
        .expected_containers()
        .contains(&crate::values::ContainerName::parse("olympus-postgres").unwrap()));
}

/// Real Kratos answers every path on its admin port (4434 / 5434 in the example) without the
/// `/admin` prefix with a 307, which the board shows as degraded: the shipped example must check
/// Kratos on its public port, or on the admin port under `/admin`.
#[test]
fn the_example_checks_kratos_where_real_kratos_answers_200() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/olympus.example.toml");
    let s = Settings::load_with_env(Some(&path), []).unwrap();
    let kratos: Vec<_> = s
        .services
        .iter()
        .filter(|svc| svc.name.ends_with("-kratos"))
        .collect();
    assert_eq!(kratos.len(), 2, "ciam-kratos and iam-kratos");
    for svc in kratos {
        let url = &svc.health_url;
        let after_scheme = url.as_str().split_once("://").unwrap().1;
        let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        assert!(
            ![4434, 5434].contains(&url.port()) || path.starts_with("/admin/"),
            "{}: {} is Kratos's admin port without /admin: a real Kratos answers 307",
            svc.name,
            svc.health_url
        );
        assert!(
            path.ends_with("/health/alive") || path.ends_with("/health/ready"),
            "{}: {}",
            svc.name,
            svc.health_url
        );
    }
}

#[test]
fn incident_settings_come_from_file_and_env_and_are_checked() {
    let f = write(&format!(
        "{MINIMAL}\n[incidents]\ntime_zone = \"Asia/Tokyo\"\ncadence_minutes = 10\n"
    ));
    let s = Settings::load_with_env(
        Some(f.path()),
        [
            (
                "AEGIS_INCIDENT_CADENCE_MINUTES".to_string(),
                "5".to_string(),
            ),
            ("AEGIS_TRUSTED_PROXIES".into(), "127.0.0.1, ::1".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        (s.incidents.time_zone.as_str(), s.incidents.cadence_minutes),
        ("Asia/Tokyo", 5)
    );
    assert_eq!(s.auth.trusted_proxies.len(), 2);

    let bad_zone = write(&format!(
        "{MINIMAL}\n[incidents]\ntime_zone = \"Europe/Atlantis\"\n"
    ));
    let e = Settings::load_with_env(Some(bad_zone.path()), [])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("incidents.time_zone") && e.contains("Europe/Atlantis"),
        "{e}"
    );

    let e = Settings::load_with_env(
        Some(f.path()),
        [(
            "AEGIS_INCIDENT_WEBHOOK_URL".to_string(),
            "http://hooks.example/services/SECRET".to_string(),
        )],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("incidents.webhook_url") && !e.contains("SECRET"),
        "{e}"
    );

    let e = Settings::load_with_env(
        Some(f.path()),
        [("AEGIS_TRUSTED_PROXIES".to_string(), "caddy".to_string())],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("AEGIS_TRUSTED_PROXIES"), "{e}");
}

/// The example's commented `[tickets]` block, uncommented, is a valid section: a user who removes
/// the `# ` gets a working tracker config (the token still comes from the environment).
#[test]
fn the_examples_tickets_block_loads_when_uncommented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/olympus.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find("# [tickets]")
        .expect("the example documents [tickets]");
    let block: String = text[start..]
        .lines()
        .take_while(|l| l.starts_with("# "))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aegis.toml");
    std::fs::write(
        &file,
        text.replace(
            &text[start..start + block.len() + block.lines().count() * 2],
            &block,
        ),
    )
    .unwrap();
    let s = Settings::load_with_env(Some(&file), []).unwrap();
    let t = s.tickets.expect("[tickets] read");
    assert_eq!(t.repository, "olympus/platform");
    assert_eq!(t.token_env, "AEGIS_TICKETS_TOKEN");
    // The token variable is not mistaken for an unknown setting.
    Settings::load_with_env(
        Some(&file),
        [("AEGIS_TICKETS_TOKEN".to_owned(), "ghp_x".to_owned())],
    )
    .unwrap();
}
