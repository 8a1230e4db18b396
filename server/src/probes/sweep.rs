//! One sweep: every check in the catalog, concurrently, over the one SSH connection.

use std::time::Instant;

use futures::future::join_all;
use wire::{HostState, Status};

use super::{curl, pg, podman, Catalog, CheckSpec, Finding, ProbeKind};
use crate::remote::{RemoteCommand, RemoteError, RemoteHost};

/// What a sweep found: one finding per catalog entry, in catalog order, and the host's state.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub host: HostState,
    pub findings: Vec<Finding>,
}

/// Runs every check. Never fails: each failure is a finding with its reason.
pub async fn sweep(catalog: &Catalog, host: &dyn RemoteHost) -> Outcome {
    let started = Instant::now();
    let connected = host.ensure_connected().await;
    let host_state = HostState {
        target: host.target(),
        reachable: connected.is_ok(),
        detail: match &connected {
            Ok(()) => "connected".into(),
            Err(e) => e.to_string(),
        },
    };
    let connect_took = started.elapsed();

    let runs = catalog.checks.iter().map(|spec| async {
        match (&spec.kind, &connected) {
            (ProbeKind::Ssh, Ok(())) => (
                Finding::new(Status::Up, "connected").with_latency(connect_took),
                None,
            ),
            (ProbeKind::Ssh, Err(e)) => (Finding::new(Status::Down, e.to_string()), None),
            (kind, Err(e)) if kind.needs_host() => (
                Finding::new(Status::Unknown, format!("not checked: {e}")),
                None,
            ),
            _ => run_one(catalog, spec, host).await,
        }
    });
    let results = join_all(runs).await;

    // What podman said explains a refused health endpoint: name the container that is not running.
    let states: Option<&Vec<podman::ContainerState>> = results.iter().find_map(|(_, s)| s.as_ref());
    let mut findings: Vec<Finding> = results.iter().map(|(f, _)| f.clone()).collect();
    if let Some(states) = states {
        for (finding, spec) in findings.iter_mut().zip(&catalog.checks) {
            if let ProbeKind::HttpFromHost { container, .. } = &spec.kind {
                if finding.status != Status::Up {
                    if let Some(state) = podman::not_running(states, container) {
                        finding.detail =
                            format!("{}; container {container} is {state}", finding.detail);
                    }
                }
            }
        }
    }
    Outcome {
        host: host_state,
        findings,
    }
}

/// Runs one check; the containers check also hands back podman's states.
async fn run_one(
    catalog: &Catalog,
    spec: &CheckSpec,
    host: &dyn RemoteHost,
) -> (Finding, Option<Vec<podman::ContainerState>>) {
    let started = Instant::now();
    let stamp = |f: Finding| {
        if f.latency.is_some() {
            f
        } else {
            f.with_latency(started.elapsed())
        }
    };
    let finding = match &spec.kind {
        ProbeKind::Ssh => Finding::new(Status::Up, "connected"),
        ProbeKind::Containers { expected } => match host.run(&ps_command(catalog)).await {
            Ok(out) if out.code == 0 => match podman::parse_ps(&out.stdout) {
                Ok(found) => return (stamp(podman::judge(expected, &found)), Some(found)),
                Err(e) => Finding::new(Status::Unknown, e),
            },
            Ok(out) => Finding::new(
                Status::Unknown,
                format!("podman ps exit {}: {}", out.code, out.stderr_line()),
            ),
            Err(e) => from_error(&e),
        },
        ProbeKind::HttpFromHost { url, .. } => {
            match host
                .run(&curl::command(
                    url,
                    catalog.http_timeout,
                    catalog.command_timeout,
                ))
                .await
            {
                Ok(out) => curl::judge(&out, catalog.http_timeout),
                Err(e) => from_error(&e),
            }
        }
        ProbeKind::PgIsReady { container } => {
            match host
                .run(&pg::command(
                    container,
                    catalog.http_timeout,
                    catalog.command_timeout,
                ))
                .await
            {
                Ok(out) => pg::judge(&out),
                Err(e) => from_error(&e),
            }
        }
        ProbeKind::Edge { client } => client.probe().await,
    };
    (stamp(finding), None)
}

fn ps_command(catalog: &Catalog) -> RemoteCommand {
    RemoteCommand::new("podman", catalog.command_timeout)
        .arg("ps")
        .arg("-a")
        .arg("--format")
        .arg("json")
}

fn from_error(e: &RemoteError) -> Finding {
    match e {
        RemoteError::TimedOut(d) => Finding::new(
            Status::Down,
            format!(
                "timed out after {} s; the command was killed on the host",
                d.as_secs()
            ),
        ),
        RemoteError::NotFound(p) => Finding::new(
            Status::Unknown,
            format!("`{p}` is not installed on the host"),
        ),
        RemoteError::Exited { .. } => Finding::new(Status::Unknown, format!("podman ps {e}")),
        other => Finding::new(Status::Unknown, format!("not checked: {other}")),
    }
}

#[cfg(test)]
mod tests;
