//! Restarting a container (`podman restart`), and the courier "flush" built on it: real Kratos has
//! no `courier flush`; a stopped worker is revived by restarting the container that runs it, and
//! the queue is shown before and after. Abandoned messages stay abandoned.

use std::time::Duration;

use wire::PlannedCommand;

use super::super::ops::{count, origin, Failed, Ops};
use super::Done;
use crate::playbooks::readings::courier;
use crate::probes::settings::ServiceSettings;
use crate::remote::RemoteCommand;
use crate::values::ContainerName;

/// Seconds podman gives the container to stop before it kills it.
const STOP_GRACE_SECS: &str = "10";
/// How long to wait for the container, and for the courier queue to drain.
const SETTLE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(500);

fn inspect(ops: &Ops<'_>, c: &ContainerName) -> RemoteCommand {
    ops.command("podman")
        .arg("inspect")
        .arg("--format")
        .arg("{{.State.Status}} {{.State.StartedAt}}")
        .arg("--")
        .arg(c.as_str())
}

fn restart(ops: &Ops<'_>, c: &ContainerName) -> RemoteCommand {
    ops.command("podman")
        .arg("restart")
        .arg("--time")
        .arg(STOP_GRACE_SECS)
        .arg("--")
        .arg(c.as_str())
}

pub fn commands(ops: &Ops<'_>, c: &ContainerName) -> Vec<PlannedCommand> {
    vec![
        once(inspect(ops, c)),
        once(restart(ops, c)),
        PlannedCommand {
            argv: inspect(ops, c).wrapped_argv(),
            repeats: Some("until it runs again (up to 30 s)".into()),
        },
    ]
}

pub fn once(cmd: RemoteCommand) -> PlannedCommand {
    PlannedCommand {
        argv: cmd.wrapped_argv(),
        repeats: None,
    }
}

/// "running since 2026-12-03 00:10:04" or podman's word for its state.
async fn state(ops: &Ops<'_>, c: &ContainerName) -> Result<(bool, String), Failed> {
    let out = ops.run(&inspect(ops, c)).await?;
    let line = out.stdout.trim();
    let (status, since) = line.split_once(' ').unwrap_or((line, ""));
    let since: String = since.chars().take(19).collect();
    Ok((
        status == "running",
        if status == "running" {
            format!("running since {}", since.replace('T', " "))
        } else {
            status.chars().take(40).collect()
        },
    ))
}

fn serves(s: Option<&ServiceSettings>) -> String {
    match s {
        Some(s) => format!(", which serves {} ({:?})", s.name, s.scope).to_lowercase(),
        None => String::new(),
    }
}

pub async fn preflight(
    ops: &Ops<'_>,
    c: &ContainerName,
    service: Option<&ServiceSettings>,
) -> Result<String, Failed> {
    let (_, now) = state(ops, c).await?;
    Ok(format!(
        "restarts {c} ({now}){}: its requests fail for the seconds it takes to start again",
        serves(service)
    ))
}

/// Restarts and waits until podman says it runs again.
async fn restart_and_wait(ops: &Ops<'_>, c: &ContainerName) -> Result<Duration, Failed> {
    let started = std::time::Instant::now();
    ops.run(&restart(ops, c)).await?;
    loop {
        let (running, words) = state(ops, c).await?;
        if running {
            ops.say(format!("{c} is {words}"));
            return Ok(started.elapsed());
        }
        if started.elapsed() > SETTLE {
            return Err(Failed(format!(
                "{c} is {words} {} s after the restart",
                SETTLE.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

pub async fn run(ops: &Ops<'_>, c: &ContainerName) -> Result<Done, Failed> {
    let took = restart_and_wait(ops, c).await?;
    Ok(Done::summary(format!(
        "Restarted {c} in {:.1} s",
        took.as_secs_f64()
    )))
}

/// The courier's queue: queued, processing and abandoned counts.
struct Queue {
    queued: usize,
    processing: usize,
    abandoned: usize,
}

impl Queue {
    fn words(&self) -> String {
        format!(
            "{} queued, {} processing, {} abandoned",
            count(self.queued),
            count(self.processing),
            count(self.abandoned)
        )
    }
}

fn queue_url(s: &ServiceSettings, status: &str) -> Result<String, Failed> {
    let admin = s
        .admin_url
        .as_ref()
        .ok_or_else(|| Failed(format!("[[service]] `{}` has no admin_url", s.name)))?;
    Ok(format!(
        "{}/admin/courier/messages?status={status}&page_size=1000",
        origin(admin)
    ))
}

async fn queue(ops: &Ops<'_>, s: &ServiceSettings) -> Result<Queue, Failed> {
    let mut n = [0usize; 3];
    for (i, status) in ["queued", "processing", "abandoned"]
        .into_iter()
        .enumerate()
    {
        let answer = ops
            .api_ok("GET", &queue_url(s, status)?, None, &[200])
            .await?;
        let page = courier::read(&answer.body, status)?;
        let total = answer
            .header("X-Total-Count")
            .and_then(|t| t.parse::<usize>().ok())
            .unwrap_or(0);
        n[i] = page.count.max(total);
    }
    Ok(Queue {
        queued: n[0],
        processing: n[1],
        abandoned: n[2],
    })
}

fn worker_log(ops: &Ops<'_>, s: &ServiceSettings) -> RemoteCommand {
    ops.command("podman")
        .arg("logs")
        .arg("--tail")
        .arg("1000")
        .arg("--")
        .arg(s.container.as_str())
}

async fn worker(ops: &Ops<'_>, s: &ServiceSettings) -> Result<&'static str, Failed> {
    let out = ops.host.run(&worker_log(ops, s)).await?;
    Ok(
        match courier::worker_running(&format!("{}{}", out.stdout, out.stderr)) {
            Some(true) => "the courier worker runs",
            Some(false) => "the courier worker FAILED",
            None => "no courier worker line in its log (is --watch-courier on?)",
        },
    )
}

pub fn courier_commands(ops: &Ops<'_>, s: &ServiceSettings) -> Result<Vec<PlannedCommand>, Failed> {
    let mut out = Vec::new();
    for status in ["queued", "processing", "abandoned"] {
        let url = crate::values::HttpUrl::parse(&queue_url(s, status)?).map_err(Failed)?;
        out.push(once(ops.api_command("GET", &url, None)));
    }
    out.push(once(worker_log(ops, s)));
    out.extend(commands(ops, &s.container));
    out.push(PlannedCommand {
        argv: ops
            .api_command(
                "GET",
                &crate::values::HttpUrl::parse(&queue_url(s, "queued")?).map_err(Failed)?,
                None,
            )
            .wrapped_argv(),
        repeats: Some("until the queue is empty (up to 30 s)".into()),
    });
    Ok(out)
}

pub async fn courier_preflight(ops: &Ops<'_>, s: &ServiceSettings) -> Result<String, Failed> {
    let q = queue(ops, s).await?;
    let w = worker(ops, s).await?;
    let mut words = format!(
        "restarts {} (serves {} logins and registration) to restart its courier worker; {}; {}",
        s.container,
        s.name,
        q.words(),
        w
    );
    if q.abandoned > 0 {
        words.push_str(&format!(
            "; the {} abandoned messages will NOT be resent (Kratos never retries them)",
            count(q.abandoned)
        ));
    }
    Ok(words)
}

pub async fn courier_run(ops: &Ops<'_>, s: &ServiceSettings) -> Result<Done, Failed> {
    let before = queue(ops, s).await?;
    ops.say(format!(
        "before: {}; {}",
        before.words(),
        worker(ops, s).await?
    ));
    let took = restart_and_wait(ops, &s.container).await?;
    let waited = std::time::Instant::now();
    let after = loop {
        let q = queue(ops, s).await?;
        if q.queued + q.processing == 0 || waited.elapsed() > SETTLE {
            break q;
        }
        ops.say(format!("waiting for the worker: {}", q.words()));
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let state = worker(ops, s).await?;
    ops.say(format!("after: {}; {state}", after.words()));
    let mut summary = format!(
        "Restarted {} in {:.1} s: {} queued before, {} after; {state}",
        s.container,
        took.as_secs_f64(),
        count(before.queued + before.processing),
        count(after.queued + after.processing),
    );
    if after.abandoned > 0 {
        summary.push_str(&format!(
            ". {} abandoned messages were not resent: Kratos never retries them; those users must ask again",
            count(after.abandoned)
        ));
    }
    if after.queued + after.processing > 0 {
        return Err(Failed(format!(
            "{summary}. The queue did not drain within {} s: check the provider (the last dispatch error is in the email walkthrough's queue check)",
            SETTLE.as_secs()
        )));
    }
    Ok(Done::summary(summary))
}
