//! The Kratos courier probe: the queue through the admin API (`GET /admin/courier/messages`,
//! since `kratos courier list-messages` does not exist), the most tried queued message's last
//! dispatch error, and whether the courier worker runs (its log line).

use wire::{FieldValue, ProbeResult};

use super::{fields, log_tail, origin, run_both, ProbeContext};
use crate::playbooks::readings::courier::{self, QueuePage, QueueReading};
use crate::playbooks::readings::http::{self, HttpAnswer};
use crate::probes::settings::ServiceSettings;
use crate::remote::RemoteCommand;
use crate::values::HttpUrl;

/// Lines of the service's log searched for the worker's start or failure.
const WORKER_LOG_LINES: u32 = 1_000;

pub(super) async fn queue(
    cx: &ProbeContext<'_>,
    service: &ServiceSettings,
) -> Result<ProbeResult, String> {
    let admin = service.admin_url.as_ref().ok_or_else(|| {
        format!(
            "set admin_url for [[service]] `{}` (its admin API as the host reaches it, e.g. \"http://127.0.0.1:4434\") to read the courier queue",
            service.name
        )
    })?;
    let base = origin(admin.as_str());
    let mut pages: Vec<QueuePage> = Vec::new();
    for status in ["queued", "processing", "abandoned"] {
        let path = format!("/admin/courier/messages?status={status}&page_size=1000");
        let answer = get(cx, &format!("{base}{path}")).await?;
        let mut page = courier::read(&answer.body, status).map_err(|e| e.to_string())?;
        // Kratos v1.x counts them all; later versions page without a total.
        if let Some(total) = answer
            .header("X-Total-Count")
            .and_then(|t| t.parse::<usize>().ok())
        {
            page.count = page.count.max(total);
        }
        pages.push(page);
    }
    let [queued, processing, abandoned] = &pages[..] else {
        unreachable!("three statuses were read")
    };
    let reading = QueueReading::of(queued, processing, abandoned, cx.now_ms);
    // The last look's waiting messages, from the fields it recorded.
    let earlier = cx.previous.map(|p| {
        let n = |k: &str| match p.fields.get(k) {
            Some(FieldValue::Number(n)) => usize::try_from(*n).unwrap_or(0),
            _ => 0,
        };
        n("queued") + n("processing")
    });
    let growing = earlier.is_some_and(|e| reading.growing_since(e));

    let last_error = match &queued.most_tried_id {
        Some(id) => get(cx, &format!("{base}/admin/courier/messages/{id}"))
            .await
            .ok()
            .and_then(|a| courier::last_dispatch_error(&a.body)),
        None => None,
    };
    let cmd = log_tail(cx, service.container.as_str(), WORKER_LOG_LINES, None);
    let worker = run_both(cx, &cmd)
        .await
        .map(|log| courier::worker_running(&log));

    let mut summary = format!(
        "{} queued, {} processing, {} abandoned",
        reading.queued, reading.processing, reading.abandoned
    );
    if reading.queued > 0 {
        summary.push_str(&format!(
            "; the oldest has waited {} min",
            reading.oldest_queued_minutes
        ));
    }
    match earlier {
        Some(_) if growing => summary.push_str("; growing since the last look"),
        Some(_) => summary.push_str("; not growing since the last look"),
        None => summary.push_str("; run it again to see whether it grows"),
    }
    let worker_running = matches!(worker, Ok(Some(true)));
    summary.push_str(match &worker {
        Ok(Some(true)) => "; the courier worker started and has not failed since",
        Ok(Some(false)) => "; the courier worker FAILED (its log says so)",
        Ok(None) => "; no courier worker line in its recent log: is `--watch-courier` (or `kratos courier watch`) running?",
        Err(_) => "; its log could not be read",
    });
    let mut details = vec![format!("admin API: {base}/admin/courier/messages")];
    if let Some(e) = &last_error {
        details.push(format!("last dispatch error: {e}"));
    }
    if reading.abandoned > 0 {
        details.push(
            "abandoned messages are never sent again: Kratos has no requeue; tell those users to ask again"
                .to_owned(),
        );
    }
    if let Err(why) = &worker {
        details.push(format!("{}'s log: {why}", service.container));
    }
    Ok(ProbeResult {
        fields: fields([
            ("queued", FieldValue::Number(reading.queued as i64)),
            ("processing", FieldValue::Number(reading.processing as i64)),
            ("abandoned", FieldValue::Number(reading.abandoned as i64)),
            (
                "oldest_queued_minutes",
                FieldValue::Number(reading.oldest_queued_minutes),
            ),
            ("growing", FieldValue::Flag(growing)),
            ("worker_running", FieldValue::Flag(worker_running)),
        ]),
        summary,
        details,
    })
}

/// `curl -sS -i URL` from the host; anything but a 200 is said in words.
async fn get(cx: &ProbeContext<'_>, url: &str) -> Result<HttpAnswer, String> {
    let url = HttpUrl::parse(url)?;
    let cmd = RemoteCommand::new("curl", cx.command_timeout())
        .arg("-sS")
        .arg("-i")
        .arg("--max-time")
        .arg(cx.http_timeout().as_secs().max(1).to_string())
        .arg("--globoff")
        .arg("--")
        .arg(url.as_str());
    let out = cx.host.run(&cmd).await.map_err(|e| e.to_string())?;
    if out.code != 0 {
        return Err(format!(
            "curl {} failed (exit {}): {}",
            url,
            out.code,
            out.stderr_line()
        ));
    }
    let answer = http::read(&out.stdout).map_err(|e| e.to_string())?;
    match answer.status {
        200 => Ok(answer),
        307 | 308 => Err(format!(
            "{url} answered {} to {}: admin_url must be the admin port's origin (Kratos serves its admin API under /admin)",
            answer.status,
            answer.header("location").unwrap_or("?")
        )),
        code => Err(format!(
            "{url} answered {code}: {}",
            crate::mask::mask_secrets(&answer.body.chars().take(160).collect::<String>())
        )),
    }
}
