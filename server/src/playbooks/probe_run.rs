//! Running a walkthrough's probe: the command built from the step's checked values, run on the
//! host through the gateway's one SSH connection, and its output read into typed fields. Values
//! that commands print are masked or fingerprinted before anything leaves the gateway.

use std::collections::BTreeMap;
use std::time::Duration;

use wire::{FieldValue, HealthSnapshot, ProbeResult, Scope, Status, StepOutcome};

use super::readings::{env, logs};
use super::ProbeSpec;
use crate::probes::settings::{CatalogSettings, ServiceSettings};
use crate::remote::{RemoteCommand, RemoteHost};

mod certificates;
mod courier;

/// What a probe may use besides the host.
pub struct ProbeContext<'a> {
    pub host: &'a dyn RemoteHost,
    /// The latest sweep.
    pub board: HealthSnapshot,
    /// The installation: its services, database, edges and command timeouts.
    pub config: CatalogSettings<'a>,
    /// The gateway's clock, for "expires in N days" and "queued for N minutes".
    pub now_ms: i64,
    /// Keys the environment fingerprints (the gateway's own, kept in its data directory).
    pub fingerprint_key: &'a [u8],
    /// This step's previous result, for "changed since the last look".
    pub previous: Option<&'a ProbeResult>,
}

/// Runs `spec`; a host that cannot be reached or an answer that cannot be read is a
/// [`StepOutcome::ProbeFailed`] saying why, and the step stays current.
pub async fn run(spec: &ProbeSpec, cx: &ProbeContext<'_>) -> StepOutcome {
    match attempt(spec, cx).await {
        Ok(result) => StepOutcome::Probed(result),
        Err(why) => StepOutcome::ProbeFailed(crate::mask::mask_secrets(&why)),
    }
}

async fn attempt(spec: &ProbeSpec, cx: &ProbeContext<'_>) -> Result<ProbeResult, String> {
    match spec {
        ProbeSpec::Board => Ok(board(&cx.board)),
        ProbeSpec::ContainerEnv {
            service,
            prefixes,
            required,
        } => {
            let container = container(cx, service)?;
            let cmd = RemoteCommand::new("podman", cx.command_timeout())
                .arg("exec")
                .arg(container)
                .arg("env");
            let out = run_on_host(cx, &cmd).await?;
            let reading = env::read(&out, prefixes, required, cx.fingerprint_key)
                .map_err(|e| e.to_string())?;
            let details: Vec<String> = reading
                .variables
                .iter()
                .map(|v| format!("{} = fingerprint {}", v.name, v.fingerprint))
                .collect();
            let changed = cx.previous.is_some_and(|p| p.details != details);
            let mut summary = format!(
                "{} variable{} starting with {}",
                reading.variables.len(),
                if reading.variables.len() == 1 {
                    ""
                } else {
                    "s"
                },
                prefixes.join(", ")
            );
            if !reading.missing_required.is_empty() {
                summary.push_str(&format!(
                    "; missing: {}",
                    reading.missing_required.join(", ")
                ));
            }
            if changed {
                summary.push_str("; changed since the last look");
            }
            Ok(ProbeResult {
                fields: fields([
                    ("found", FieldValue::Number(reading.variables.len() as i64)),
                    (
                        "missing_required",
                        FieldValue::Number(reading.missing_required.len() as i64),
                    ),
                    ("changed_since_last", FieldValue::Flag(changed)),
                ]),
                summary,
                details,
            })
        }
        ProbeSpec::ContainerLogs {
            service,
            lines,
            since_minutes,
            patterns,
        } => {
            let cmd = log_tail(cx, container(cx, service)?, *lines, *since_minutes);
            let out = run_both(cx, &cmd).await?;
            let reading = logs::read(&out, patterns);
            let window = since_minutes.map_or(String::new(), |m| format!(" (last {m} min)"));
            let mut summary = format!(
                "{} of the last {} lines{window} mention {}",
                reading.matches,
                reading.read,
                patterns.join(" or ")
            );
            if let Some(reason) = reading.reject_reasons.first() {
                summary.push_str(&format!("; Kratos says: {reason}"));
            }
            let mut details = reading.shown;
            details.extend(
                reading
                    .reject_reasons
                    .iter()
                    .map(|r| format!("reject_reason: {r}")),
            );
            Ok(ProbeResult {
                fields: fields([
                    ("matches", FieldValue::Number(reading.matches as i64)),
                    ("read", FieldValue::Number(reading.read as i64)),
                ]),
                summary,
                details,
            })
        }
        ProbeSpec::AdminRoutes { service, routes } => {
            let base = origin(service_named(cx, service)?.health_url.as_str());
            let mut failing = 0;
            let mut details = Vec::new();
            for route in routes {
                let url = crate::values::HttpUrl::parse(&format!("{base}{route}"))?;
                let cmd =
                    crate::probes::curl::command(&url, cx.http_timeout(), cx.command_timeout());
                let out = cx.host.run(&cmd).await.map_err(|e| e.to_string())?;
                let finding = crate::probes::curl::judge(&out, cx.http_timeout());
                if finding.status == Status::Down {
                    failing += 1;
                }
                details.push(format!("{route}: {}", finding.detail));
            }
            Ok(ProbeResult {
                fields: fields([
                    ("failing", FieldValue::Number(failing)),
                    (
                        "all_failing",
                        FieldValue::Flag(failing == routes.len() as i64),
                    ),
                ]),
                summary: format!(
                    "{failing} of {} routes failing: {}",
                    routes.len(),
                    details.join("; ")
                ),
                details,
            })
        }
        ProbeSpec::Containers => containers(cx).await,
        ProbeSpec::DatabaseCertificate => certificates::database(cx).await,
        ProbeSpec::ServedCertificate { edge } => certificates::served(cx, edge).await,
        ProbeSpec::CourierQueue { service } => {
            courier::queue(cx, service_named(cx, service)?).await
        }
    }
}

impl ProbeContext<'_> {
    fn command_timeout(&self) -> Duration {
        self.config.sweep.command_timeout()
    }

    /// curl's `--max-time` for HTTP requests from the host.
    fn http_timeout(&self) -> Duration {
        self.config.sweep.http_timeout()
    }
}

/// `podman ps -a --format json`: which of the containers the config expects are not running.
async fn containers(cx: &ProbeContext<'_>) -> Result<ProbeResult, String> {
    use crate::probes::podman;
    let cmd = RemoteCommand::new("podman", cx.command_timeout())
        .arg("ps")
        .arg("-a")
        .arg("--format")
        .arg("json");
    let found = podman::parse_ps(&run_on_host(cx, &cmd).await?)?;
    let expected = cx.config.expected_containers();
    let details: Vec<String> = expected
        .iter()
        .filter_map(|name| {
            podman::not_running(&found, name).map(|state| format!("{name}: {state}"))
        })
        .collect();
    let summary = if details.is_empty() {
        format!("all {} expected containers are running", expected.len())
    } else {
        format!(
            "{} of {} expected containers not running: {}",
            details.len(),
            expected.len(),
            details.join("; ")
        )
    };
    Ok(ProbeResult {
        fields: fields([
            ("all_running", FieldValue::Flag(details.is_empty())),
            ("missing", FieldValue::Number(details.len() as i64)),
        ]),
        summary,
        details,
    })
}

/// The board's own view: what is down, from the latest sweep (no command runs).
fn board(b: &HealthSnapshot) -> ProbeResult {
    let failing: Vec<_> = b.checks.iter().filter(|c| c.status != Status::Up).collect();
    let count = |s: Status| b.checks.iter().filter(|c| c.status == s).count() as i64;
    let edges_down = b
        .checks
        .iter()
        .filter(|c| c.scope == Scope::Edge && c.status == Status::Down)
        .count() as i64;
    let database_down = b
        .checks
        .iter()
        .any(|c| c.scope == Scope::Database && c.status == Status::Down);
    let summary = if failing.is_empty() {
        format!("all {} checks up", b.checks.len())
    } else {
        format!(
            "{} down, {} degraded: {}",
            count(Status::Down),
            count(Status::Degraded),
            failing
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ProbeResult {
        fields: fields([
            ("all_up", FieldValue::Flag(failing.is_empty())),
            ("down", FieldValue::Number(count(Status::Down))),
            ("degraded", FieldValue::Number(count(Status::Degraded))),
            ("database_down", FieldValue::Flag(database_down)),
            ("edges_down", FieldValue::Number(edges_down)),
        ]),
        summary,
        details: failing
            .iter()
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect(),
    }
}

/// `http://127.0.0.1:3001` of `http://127.0.0.1:3001/health/alive`: where the service's routes are.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// The config's `[[service]]` called `name`, or why the step cannot run here.
fn service_named<'a>(cx: &'a ProbeContext<'_>, name: &str) -> Result<&'a ServiceSettings, String> {
    cx.config
        .services
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| format!("this config has no service `{name}`: the step cannot run here"))
}

fn container<'a>(cx: &'a ProbeContext<'_>, service: &str) -> Result<&'a str, String> {
    Ok(service_named(cx, service)?.container.as_str())
}

/// `podman logs --tail N [--since Mm] CONTAINER`: the one way a probe reads a container's log.
fn log_tail(
    cx: &ProbeContext<'_>,
    container: &str,
    lines: u32,
    since_minutes: Option<u32>,
) -> RemoteCommand {
    let mut cmd = RemoteCommand::new("podman", cx.command_timeout())
        .arg("logs")
        .arg("--tail")
        .arg(lines.to_string());
    if let Some(m) = since_minutes {
        cmd = cmd.arg("--since").arg(format!("{m}m"));
    }
    cmd.arg(container)
}

/// Stdout of a command that must succeed.
async fn run_on_host(cx: &ProbeContext<'_>, cmd: &RemoteCommand) -> Result<String, String> {
    Ok(succeeded(cx, cmd).await?.stdout)
}

/// Stdout and stderr together (`podman logs` replays a container's stderr on its own stderr).
async fn run_both(cx: &ProbeContext<'_>, cmd: &RemoteCommand) -> Result<String, String> {
    let out = succeeded(cx, cmd).await?;
    Ok(format!("{}{}", out.stdout, out.stderr))
}

/// The command's output if it ran and exited 0; otherwise why not, in one line.
async fn succeeded(
    cx: &ProbeContext<'_>,
    cmd: &RemoteCommand,
) -> Result<crate::remote::RemoteOutput, String> {
    let out = cx.host.run(cmd).await.map_err(|e| e.to_string())?;
    if out.code != 0 {
        return Err(format!(
            "{} exited with {}: {}",
            cmd.program(),
            out.code,
            out.stderr_line()
        ));
    }
    Ok(out)
}

fn fields<const N: usize>(pairs: [(&str, FieldValue); N]) -> BTreeMap<String, FieldValue> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests;
