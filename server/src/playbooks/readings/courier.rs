//! The Kratos courier queue as its admin API answers `GET /admin/courier/messages?status=<s>`
//! (Kratos v1.x): a JSON array of messages, newest first, bodies redacted. `kratos courier
//! list-messages`, which the playbook names, does not exist.

use jiff::Timestamp;
use serde::Deserialize;

use super::Unreadable;

/// The fields the console uses of a message (Kratos sends more).
#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    id: String,
    status: String,
    created_at: String,
    #[serde(default)]
    send_count: u32,
}

/// One status's page of messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub count: usize,
    /// When the oldest message on the page was created.
    pub oldest_ms: Option<i64>,
    /// The most times a message on the page was tried.
    pub most_tries: u32,
    /// The id of the message tried most often (the newest of those), when it is a UUID: where
    /// the last dispatch error is (a message that just arrived has none).
    pub most_tried_id: Option<String>,
}

/// Reads one answer; every message must have the status asked for.
pub fn read(body: &str, status: &str) -> Result<QueuePage, Unreadable> {
    let messages: Vec<Message> = serde_json::from_str(body).map_err(|e| {
        Unreadable(format!(
            "the courier API did not answer with a message list ({}): is this the Kratos admin port?",
            e.to_string().chars().take(100).collect::<String>()
        ))
    })?;
    let mut oldest: Option<i64> = None;
    let mut most_tries = 0;
    for m in &messages {
        if m.status != status {
            return Err(Unreadable(format!(
                "asked for {status} messages, got one that is {}",
                m.status.chars().take(20).collect::<String>()
            )));
        }
        let created: Timestamp = m.created_at.parse().map_err(|_| {
            Unreadable(format!(
                "unreadable created_at `{}`",
                m.created_at.chars().take(40).collect::<String>()
            ))
        })?;
        let ms = created.as_millisecond();
        oldest = Some(oldest.map_or(ms, |o: i64| o.min(ms)));
        most_tries = most_tries.max(m.send_count);
    }
    Ok(QueuePage {
        count: messages.len(),
        oldest_ms: oldest,
        most_tries,
        most_tried_id: messages
            .iter()
            .filter(|m| uuid(&m.id))
            .fold(None::<&Message>, |best, m| match best {
                Some(b) if b.send_count >= m.send_count => Some(b),
                _ => Some(m),
            })
            .map(|m| m.id.clone()),
    })
}

/// `8-4-4-4-12` hex digits: the only message id that goes into a URL.
fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The error of a message's last dispatch (`GET /admin/courier/messages/{id}`), if it has one.
pub fn last_dispatch_error(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Detail {
        #[serde(default)]
        dispatches: Vec<Dispatch>,
    }
    #[derive(Deserialize)]
    struct Dispatch {
        #[serde(default)]
        created_at: String,
        #[serde(default)]
        error: Option<serde_json::Value>,
    }
    let detail: Detail = serde_json::from_str(body).ok()?;
    let last = detail
        .dispatches
        .iter()
        .filter(|d| d.error.is_some())
        .max_by(|a, b| a.created_at.cmp(&b.created_at))?;
    let text = match last.error.as_ref()? {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => o
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| serde_json::Value::Object(o.clone()).to_string()),
        other => other.to_string(),
    };
    Some(crate::mask::mask_secrets(
        &text.chars().take(300).collect::<String>(),
    ))
}

/// Whether the courier worker runs, from its log: the last line about it says started (Kratos's
/// "Courier worker started.") or failed. `None` when the lines read say neither.
pub fn worker_running(log: &str) -> Option<bool> {
    log.lines().rev().find_map(|l| {
        if l.contains("Courier worker started") {
            Some(true)
        } else if l.contains("Failed to run courier worker") {
            Some(false)
        } else {
            None
        }
    })
}

/// The queue at one look: queued, processing and abandoned pages together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueReading {
    pub queued: usize,
    pub processing: usize,
    pub abandoned: usize,
    pub oldest_queued_minutes: i64,
}

impl QueueReading {
    pub fn of(
        queued: &QueuePage,
        processing: &QueuePage,
        abandoned: &QueuePage,
        now_ms: i64,
    ) -> Self {
        QueueReading {
            queued: queued.count,
            processing: processing.count,
            abandoned: abandoned.count,
            oldest_queued_minutes: queued.oldest_ms.map_or(0, |o| (now_ms - o).max(0) / 60_000),
        }
    }

    /// Messages not yet sent or given up: queued and processing.
    pub fn waiting(&self) -> usize {
        self.queued + self.processing
    }

    /// More waiting than `earlier_waiting` (an earlier look's [`waiting`](Self::waiting)):
    /// nothing is draining the queue.
    pub fn growing_since(&self, earlier_waiting: usize) -> bool {
        self.waiting() > earlier_waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `curl -s 'http://127.0.0.1:4434/admin/courier/messages?status=queued'` on Kratos v1.3.1.
    const QUEUED: &str = r#"[
  {"id":"c1b2…","status":"queued","type":"email","recipient":"ann@example.com","body":"<redacted-unless-dev-mode>","subject":"Recover access to your account","template_type":"recovery_code_valid","send_count":2,"created_at":"2026-12-02T12:40:00.000000Z","updated_at":"2026-12-02T12:59:00Z"},
  {"id":"a9f0…","status":"queued","type":"email","recipient":"bo@example.com","body":"<redacted-unless-dev-mode>","subject":"Please verify your email address","template_type":"verification_code_valid","send_count":0,"created_at":"2026-12-02T12:10:00Z","updated_at":"2026-12-02T12:10:00Z"}
]"#;

    const NOW: i64 = 1_796_216_400_000; // 2026-12-02 13:00:00 UTC

    #[test]
    fn a_stuck_queue_reads_its_counts_and_age() {
        let queued = read(QUEUED, "queued").unwrap();
        assert_eq!(queued.count, 2);
        assert_eq!(queued.most_tries, 2);
        assert_eq!(
            queued.most_tried_id, None,
            "an id that is not a UUID never reaches a URL"
        );
        let none = read("[]", "processing").unwrap();
        let abandoned = read("[]", "abandoned").unwrap();
        let r = QueueReading::of(&queued, &none, &abandoned, NOW);
        assert_eq!(r.oldest_queued_minutes, 50);
        let earlier = QueueReading::of(&read("[]", "queued").unwrap(), &none, &abandoned, NOW);
        assert!(r.growing_since(earlier.waiting()) && !earlier.growing_since(r.waiting()));
    }

    #[test]
    fn the_most_tried_message_and_its_last_dispatch_error() {
        let page = read(
            r#"[{"id":"0b9f3c7e-1a2b-4c3d-8e9f-001122334456","status":"queued","created_at":"2026-12-02T12:50:00Z","send_count":0},
                {"id":"0b9f3c7e-1a2b-4c3d-8e9f-001122334455","status":"queued","created_at":"2026-12-02T12:40:00Z","send_count":2},
                {"id":"0b9f3c7e-1a2b-4c3d-8e9f-001122334454","status":"queued","created_at":"2026-12-02T12:30:00Z","send_count":2}]"#,
            "queued",
        )
        .unwrap();
        assert_eq!(
            page.most_tried_id.as_deref(),
            Some("0b9f3c7e-1a2b-4c3d-8e9f-001122334455")
        );
        let detail = r#"{"id":"0b9f…","dispatches":[
          {"id":"1","status":"failed","error":{"message":"old"},"created_at":"2026-12-02T12:41:00Z"},
          {"id":"2","status":"failed","error":{"message":"dial tcp 10.0.0.25:587: connect: connection refused"},"created_at":"2026-12-02T12:59:00Z"}]}"#;
        assert_eq!(
            last_dispatch_error(detail).as_deref(),
            Some("dial tcp 10.0.0.25:587: connect: connection refused")
        );
        assert_eq!(last_dispatch_error(r#"{"dispatches":[]}"#), None);
        assert_eq!(last_dispatch_error("<html>"), None);
    }

    #[test]
    fn the_worker_is_judged_by_its_last_line() {
        let started =
            r#"{"level":"info","msg":"Courier worker started.","time":"2026-12-02T10:00:00Z"}"#;
        let failed = r#"{"level":"error","msg":"Failed to run courier worker.","error":"dial tcp 10.0.0.25:587: connect: connection refused"}"#;
        assert_eq!(worker_running(started), Some(true));
        assert_eq!(
            worker_running(&format!(
                "{started}
{failed}"
            )),
            Some(false)
        );
        assert_eq!(
            worker_running(&format!(
                "{failed}
{started}"
            )),
            Some(true)
        );
        assert_eq!(worker_running("GET /health/alive 200"), None);
    }

    #[test]
    fn answers_that_are_not_the_courier_api_are_refused_in_words() {
        // The admin port without the /admin prefix answers a 307 with an HTML body.
        let err = read(
            "<a href=\"/admin/courier/messages\">Temporary Redirect</a>.",
            "queued",
        )
        .unwrap_err();
        assert!(
            err.0.contains("did not answer with a message list"),
            "{err}"
        );
        let err = read(
            r#"[{"status":"sent","created_at":"2026-12-02T12:00:00Z"}]"#,
            "queued",
        )
        .unwrap_err();
        assert!(err.0.contains("got one that is sent"), "{err}");
        let err = read(
            r#"[{"status":"queued","created_at":"yesterday"}]"#,
            "queued",
        )
        .unwrap_err();
        assert!(err.0.contains("unreadable created_at"), "{err}");
    }
}
