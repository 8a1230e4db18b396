use std::sync::Arc;
use std::time::Duration;

use wire::{Scope, ServerMsg, Status};

use super::*;
use crate::clock::ManualClock;
use crate::config::{ServiceSettings, Settings};
use crate::probes::{Catalog, Finding, Outcome};

pub(crate) fn catalog() -> Catalog {
    let mut s = Settings::default();
    s.ssh.host = "prod".into();
    for name in ["ciam-kratos", "iam-kratos"] {
        s.services.push(ServiceSettings {
            name: name.into(),
            scope: if name.starts_with("ciam") {
                Scope::Ciam
            } else {
                Scope::Iam
            },
            container: crate::values::ContainerName::parse(&format!("olympus-{name}")).unwrap(),
            health_url: crate::values::HttpUrl::parse("http://127.0.0.1:4433/health/alive")
                .unwrap(),
            admin_url: None,
            flags_env_file: None,
            redeploy: None,
        });
    }
    Catalog::from_settings(&s.catalog()).unwrap()
}

pub(crate) fn outcome(catalog: &Catalog, down: &[&str]) -> Outcome {
    Outcome {
        host: HostState {
            target: "t".into(),
            reachable: true,
            detail: "connected".into(),
        },
        findings: catalog
            .checks
            .iter()
            .map(|c| {
                if down.contains(&c.id.as_str()) {
                    Finding::new(Status::Down, "connection refused")
                } else {
                    Finding::new(Status::Up, "HTTP 200").with_latency(Duration::from_millis(3))
                }
            })
            .collect(),
    }
}

#[tokio::test]
async fn apply_reports_only_changes_and_tracks_since() {
    let clock = Arc::new(ManualClock::at(1_000));
    let cat = catalog();
    let hub = Hub::new("t".into(), &cat, 10_000, clock.clone());
    let (_, mut rx) = hub.subscribe();

    let first = hub.apply(&cat, outcome(&cat, &[]));
    assert_eq!(
        first.len(),
        cat.checks.len(),
        "unknown -> up is a change for every check"
    );

    clock.advance(10_000);
    assert!(
        hub.apply(&cat, outcome(&cat, &[])).is_empty(),
        "same results: nothing changed"
    );
    let snap = hub.snapshot();
    assert!(snap
        .checks
        .iter()
        .all(|c| c.checked_at_ms == 11_000 && c.since_ms == 1_000));

    clock.advance(10_000);
    let changed = hub.apply(&cat, outcome(&cat, &["health.iam-kratos"]));
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].0.status, changed[0].0.since_ms, changed[0].1),
        (Status::Down, 21_000, Status::Up)
    );
    let snap = hub.snapshot();
    assert_eq!(
        snap.checks[0].id, "health.iam-kratos",
        "trouble sorts first"
    );
    assert_eq!(snap.sweep_seq, 3);

    // Subscribers saw three `changes` frames, the last carrying only the one check.
    let mut last = None;
    while let Ok(frame) = rx.try_recv() {
        match serde_json::from_str::<ServerMsg>(frame.full.as_str()).unwrap() {
            ServerMsg::Sweeping { sweeping } => {
                assert!(!sweeping, "every sweep ends with sweeping: false")
            }
            msg => last = Some(msg),
        }
    }
    match last {
        Some(ServerMsg::Changes {
            changed, sweep_seq, ..
        }) => {
            assert_eq!(sweep_seq, 3);
            assert_eq!(changed.len(), 1);
        }
        other => panic!("expected changes, got {other:?}"),
    }
}

#[test]
fn a_new_board_is_unknown_not_up() {
    let cat = catalog();
    let hub = Hub::new("t".into(), &cat, 10_000, Arc::new(ManualClock::at(5)));
    assert!(hub
        .snapshot()
        .checks
        .iter()
        .all(|c| c.status == Status::Unknown));
}

#[tokio::test]
async fn secrets_in_details_are_masked_before_they_are_sent() {
    let cat = catalog();
    let hub = Hub::new("t".into(), &cat, 10_000, Arc::new(ManualClock::at(1)));
    let (_, mut rx) = hub.subscribe();
    let mut out = outcome(&cat, &[]);
    out.findings[1] = Finding::new(
        Status::Down,
        "curl exit 3: bad URL https://admin:hunter2@x/",
    );
    hub.apply(&cat, out);
    let frame = rx.recv().await.unwrap();
    assert!(
        !frame.full.as_str().contains("hunter2"),
        "{}",
        frame.full.as_str()
    );
    assert!(hub
        .snapshot()
        .checks
        .iter()
        .all(|c| !c.detail.contains("hunter2")));
}
