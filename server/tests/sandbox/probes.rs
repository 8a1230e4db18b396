//! Walkthrough probes over real SSH against the sandbox's podman containers: the commands they
//! build run as written, their answers are read, values stay fingerprints, and a container that
//! does not exist is a failure with podman's reason.

use server::playbooks::probe_run::{run, ProbeContext};
use server::playbooks::ProbeSpec;
use wire::{FieldValue, StepOutcome};

use super::support::{gateway, Sandbox};

fn context<'a>(
    state: &'a server::state::AppState,
    services: &'a [server::config::ServiceSettings],
) -> ProbeContext<'a> {
    ProbeContext {
        host: state.host.as_ref(),
        board: state.hub.snapshot_for(server::hub::Audience::Full),
        config: server::config::CatalogSettings {
            services,
            ..state.settings.catalog()
        },
        now_ms: state.store.now_ms(),
        fingerprint_key: &state.fingerprint_key,
        previous: None,
    }
}

#[tokio::test]
async fn env_and_log_probes_read_a_real_container() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    let services = gw.state.settings.services.clone();
    let cx = context(&gw.state, &services);

    let env = ProbeSpec::ContainerEnv {
        service: "ciam-kratos".into(),
        prefixes: vec!["PATH".into(), "HOME".into()],
        required: vec!["HOME".into(), "ENCRYPTION_KEY".into()],
    };
    let StepOutcome::Probed(found) = run(&env, &cx).await else {
        panic!("the env probe ran")
    };
    assert_eq!(found.fields["found"], FieldValue::Number(2), "{found:?}");
    assert_eq!(found.fields["missing_required"], FieldValue::Number(1));
    assert!(
        found.summary.contains("missing: ENCRYPTION_KEY"),
        "{}",
        found.summary
    );
    let shown = format!("{found:?}");
    assert!(
        !shown.contains("/usr/local/bin") && !shown.contains("/root"),
        "{shown}"
    );

    let logs = ProbeSpec::ContainerLogs {
        service: "ciam-kratos".into(),
        lines: 200,
        since_minutes: None,
        patterns: vec!["listening on".into()],
    };
    let StepOutcome::Probed(read) = run(&logs, &cx).await else {
        panic!("the log probe ran")
    };
    let FieldValue::Number(matches) = read.fields["matches"] else {
        panic!("{read:?}")
    };
    assert!(matches >= 1, "the stand-in logs where it listens: {read:?}");
}

#[tokio::test]
async fn a_container_that_does_not_exist_is_a_failure_with_podmans_reason() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    let mut services = gw.state.settings.services.clone();
    services[0].container = server::values::ContainerName::parse("olympus-nowhere").unwrap();
    let name = services[0].name.clone();
    let cx = context(&gw.state, &services);
    let env = ProbeSpec::ContainerEnv {
        service: name,
        prefixes: vec!["PATH".into()],
        required: Vec::new(),
    };
    match run(&env, &cx).await {
        StepOutcome::ProbeFailed(why) => {
            assert!(why.contains("podman exited with"), "{why}");
            assert!(why.contains("olympus-nowhere"), "{why}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn admin_routes_are_fetched_from_the_host_and_a_503_fault_fails_them_all() {
    let sb = Sandbox::claim().await;
    let gw = gateway(sb.settings()).await;
    let services = gw.state.settings.services.clone();
    let cx = context(&gw.state, &services);
    // The stand-in answers its health route and 404 elsewhere.
    let routes = ProbeSpec::AdminRoutes {
        service: "ciam-athena".into(),
        routes: vec!["/health/alive".into(), "/api/nowhere".into()],
    };
    let StepOutcome::Probed(healthy) = run(&routes, &cx).await else {
        panic!("the route probe ran")
    };
    assert_eq!(
        healthy.fields["failing"],
        FieldValue::Number(1),
        "{healthy:?}"
    );
    assert_eq!(healthy.fields["all_failing"], FieldValue::Flag(false));
    assert!(
        healthy.summary.contains("/api/nowhere: HTTP 404"),
        "{}",
        healthy.summary
    );

    sb.script(&["fault", "503", "ciam-athena"]);
    let StepOutcome::Probed(broken) = run(&routes, &cx).await else {
        panic!("the route probe ran")
    };
    assert_eq!(
        broken.fields["all_failing"],
        FieldValue::Flag(true),
        "{broken:?}"
    );
    assert!(broken.summary.contains("HTTP 503"), "{}", broken.summary);
}
