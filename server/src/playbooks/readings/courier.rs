//! The Kratos courier queue as its admin API answers `GET /admin/courier/messages?status=<s>`
//! (Kratos v1.x): a JSON array of messages, newest first, bodies redacted. `kratos courier
//! list-messages`, which the playbook names, does not exist.

use jiff::Timestamp;
use serde::Deserialize;

use super::Unreadable;

/// The fields the console uses of a message (Kratos sends more).
#[derive(Debug, Deserialize)]
struct Message {
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

    /// More waiting than at `earlier`: nothing is draining the queue.
    pub fn growing_since(&self, earlier: &QueueReading) -> bool {
        self.queued + self.processing > earlier.queued + earlier.processing
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
        let none = read("[]", "processing").unwrap();
        let abandoned = read("[]", "abandoned").unwrap();
        let r = QueueReading::of(&queued, &none, &abandoned, NOW);
        assert_eq!(r.oldest_queued_minutes, 50);
        let earlier = QueueReading::of(&read("[]", "queued").unwrap(), &none, &abandoned, NOW);
        assert!(r.growing_since(&earlier) && !earlier.growing_since(&r));
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
