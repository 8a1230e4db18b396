//! Kratos's courier as its admin API shows it (v1.3: `GET /admin/courier/messages`,
//! `GET /admin/courier/messages/{id}`), with a worker the `courier-stuck` fault stops.
//!
//! Healthy: a handful of `sent` messages and nothing waiting. Stuck (the SMTP relay refuses): the
//! worker logs "Failed to run courier worker.", three messages sit `queued` with failed dispatches,
//! two older ones are `abandoned` after 5 attempts, and every read of the queued list's first page
//! adds one more queued message afterwards (sign-ups keep arriving), so two probes a moment apart
//! see the queue grow. When the fault clears, the worker logs "Courier worker started." again and
//! the queued messages go out (`sent`) on the worker's next ticks, ten a second, as Kratos's
//! worker sends batches; abandoned ones stay abandoned, as in Kratos.
//!
//! With a data directory the messages are kept in `DIR/courier` (rewritten at each change), so a
//! restarted container finds its queue again: its worker starts (a `courier-stuck` fault written
//! before the process started is ignored, see `fault::courier_stuck`) and sends what was queued.
//! Without one, state lives in the process.

use crate::clock::rfc3339;
use crate::logrus::{self, escape, Value};
use crate::random;
use std::path::{Path, PathBuf};

/// What the worker's SMTP dial fails with while stuck.
pub const SMTP_ERROR: &str = "dial tcp 10.0.0.25:587: connect: connection refused";
/// Kratos's log message when the worker runs.
pub const WORKER_STARTED: &str = "Courier worker started.";
const WORKER_FAILED: &str = "Failed to run courier worker.";
/// Kratos keeps message bodies out of the API unless it runs in dev mode.
const REDACTED: &str = "<redacted-unless-dev-mode>";
const DEFAULT_PAGE_SIZE: usize = 250;
const MAX_PAGE_SIZE: usize = 1000;
/// `courier.message_retries`' default: after this many failed sends a message is abandoned.
const MAX_SENDS: u32 = 5;
const LIST_PATH: &str = "/admin/courier/messages";
/// How many queued messages the worker sends per tick (one tick a second).
const BATCH: usize = 10;
/// The file in the data directory.
pub const FILE: &str = "courier";

/// A message's status, as Kratos spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Queued,
    Processing,
    Sent,
    Abandoned,
}

impl Status {
    fn parse(word: &str) -> Option<Status> {
        match word {
            "queued" => Some(Status::Queued),
            "processing" => Some(Status::Processing),
            "sent" => Some(Status::Sent),
            "abandoned" => Some(Status::Abandoned),
            _ => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Sent => "sent",
            Status::Abandoned => "abandoned",
        }
    }
}

/// The templates a sign-up / recovery flow sends, with their default subjects.
const TEMPLATES: [(&str, &str); 3] = [
    (
        "verification_code_valid",
        "Please verify your email address",
    ),
    ("recovery_code_valid", "Recover access to your account"),
    ("login_code_valid", "Login to your account"),
];
const NAMES: [&str; 6] = ["ariadne", "castor", "daphne", "helios", "iris", "pollux"];

struct Dispatch {
    id: String,
    failed: bool,
    created_at: i64,
}

struct Message {
    /// Creation order, the tie-breaker for messages created in the same second.
    seq: u64,
    id: String,
    status: Status,
    recipient: String,
    template: usize,
    send_count: u32,
    created_at: i64,
    updated_at: i64,
    dispatches: Vec<Dispatch>,
}

impl Message {
    /// A successful send at `at`: sent, one more try, a dispatch without error.
    fn delivered(&mut self, at: i64) {
        self.status = Status::Sent;
        self.send_count += 1;
        self.updated_at = at;
        self.dispatches.push(Dispatch {
            id: random::uuid_v4(),
            failed: false,
            created_at: at,
        });
    }
}

/// An error the API answers with: status code, Ory's `reason`.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: u16,
    pub reason: String,
}

/// One page of the list: the JSON array, `X-Total-Count`, and the `Link` header when there are
/// more.
#[derive(Debug)]
pub struct Page {
    pub body: String,
    pub total: usize,
    pub link: Option<String>,
}

pub struct Courier {
    messages: Vec<Message>,
    stuck: bool,
    next_seq: u64,
    /// The second of the worker's last tick; `None`: the next tick sends at once.
    last_tick: Option<i64>,
    /// The data directory, when the queue is kept on disk.
    dir: Option<PathBuf>,
}

impl Courier {
    /// A healthy courier at `now`: five messages sent in the last hour.
    pub fn new(now: i64) -> Courier {
        let mut c = Courier {
            messages: Vec::new(),
            stuck: false,
            next_seq: 0,
            last_tick: None,
            dir: None,
        };
        for minutes in [50, 40, 30, 20, 10] {
            let created = now - minutes * 60;
            c.push(Status::Sent, created, 0);
            c.deliver_last(created + 1);
        }
        c
    }

    /// The courier kept in `dir` (read back if it is there, else a healthy one, written).
    pub fn open(dir: Option<&Path>, now: i64) -> Courier {
        let Some(dir) = dir else {
            return Courier::new(now);
        };
        let mut c = match std::fs::read_to_string(dir.join(FILE)) {
            Ok(text) => match Courier::parse(&text) {
                Some(c) => {
                    let queued = c.count(Status::Queued);
                    say!(
                        "standin: courier queue read back from {}: {} messages, {queued} queued",
                        dir.display(),
                        c.messages.len()
                    );
                    c
                }
                None => {
                    say!(
                        "standin: {} unreadable: starting a fresh courier",
                        dir.join(FILE).display()
                    );
                    Courier::new(now)
                }
            },
            Err(_) => Courier::new(now),
        };
        c.dir = Some(dir.to_path_buf());
        c.save(false);
        c
    }

    fn count(&self, status: Status) -> usize {
        self.messages.iter().filter(|m| m.status == status).count()
    }

    /// Writes the queue to the data directory; `changed` also marks the directory dirty.
    fn save(&self, changed: bool) {
        let Some(dir) = &self.dir else { return };
        let mut text = format!("next_seq {}\n", self.next_seq);
        for m in &self.messages {
            text.push_str(&format!(
                "m {} {} {} {} {} {} {} {}\n",
                m.seq,
                m.id,
                m.status.word(),
                m.template,
                m.send_count,
                m.created_at,
                m.updated_at,
                m.recipient
            ));
            for d in &m.dispatches {
                text.push_str(&format!(
                    "d {} {} {}\n",
                    d.id,
                    u8::from(d.failed),
                    d.created_at
                ));
            }
        }
        let tmp = dir.join(format!(".{FILE}.tmp"));
        let written =
            std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, dir.join(FILE)));
        if let Err(e) = written {
            say!("standin: cannot write {}: {e}", dir.join(FILE).display());
        }
        let dirty = dir.join(crate::store::DIRTY);
        if changed && !dirty.exists() {
            let _ = std::fs::write(dirty, "changed since it was seeded\n");
        }
    }

    fn parse(text: &str) -> Option<Courier> {
        let mut c = Courier {
            messages: Vec::new(),
            stuck: false,
            next_seq: 0,
            last_tick: None,
            dir: None,
        };
        for line in text.lines() {
            let f: Vec<&str> = line.splitn(9, ' ').collect();
            match f.as_slice() {
                ["next_seq", n] => c.next_seq = n.parse().ok()?,
                ["m", seq, id, status, template, sends, created, updated, recipient] => {
                    c.messages.push(Message {
                        seq: seq.parse().ok()?,
                        id: id.to_string(),
                        status: Status::parse(status)?,
                        recipient: recipient.to_string(),
                        template: template
                            .parse::<usize>()
                            .ok()
                            .filter(|t| *t < TEMPLATES.len())?,
                        send_count: sends.parse().ok()?,
                        created_at: created.parse().ok()?,
                        updated_at: updated.parse().ok()?,
                        dispatches: Vec::new(),
                    })
                }
                ["d", id, failed, created] => c.messages.last_mut()?.dispatches.push(Dispatch {
                    id: id.to_string(),
                    failed: *failed == "1",
                    created_at: created.parse().ok()?,
                }),
                _ => return None,
            }
        }
        Some(c)
    }

    /// The worker's tick at `now` (seconds): while it runs, sends up to ten queued messages,
    /// oldest first, once a second. Returns how many it sent.
    pub fn tick(&mut self, now: i64) -> usize {
        if self.stuck || self.last_tick == Some(now) {
            return 0;
        }
        self.last_tick = Some(now);
        let mut queued: Vec<usize> = (0..self.messages.len())
            .filter(|&i| self.messages[i].status == Status::Queued)
            .collect();
        queued.sort_by_key(|&i| (self.messages[i].created_at, self.messages[i].seq));
        queued.truncate(BATCH);
        for &i in &queued {
            self.messages[i].delivered(now);
        }
        if !queued.is_empty() {
            self.save(true);
        }
        queued.len()
    }

    /// Follows the fault: starts or stops the worker. Returns the log line for a change.
    pub fn sync(&mut self, stuck: bool, now: i64) -> Option<String> {
        if stuck == self.stuck {
            return None;
        }
        self.stuck = stuck;
        if stuck {
            for (age, sends) in [(300, 2), (180, 1), (60, 0)] {
                self.push(Status::Queued, now - age, sends);
            }
            if !self.messages.iter().any(|m| m.status == Status::Abandoned) {
                for age in [7200, 5400] {
                    self.push(Status::Abandoned, now - age, MAX_SENDS);
                }
            }
            self.save(true);
            Some(logrus::line_at(
                now,
                "error",
                WORKER_FAILED,
                &[("error", Value::Str(SMTP_ERROR))],
            ))
        } else {
            // The worker runs again: its next tick sends (see `tick`).
            self.last_tick = None;
            Some(logrus::line_at(now, "info", WORKER_STARTED, &[]))
        }
    }

    /// `GET /admin/courier/messages?QUERY`, newest first.
    pub fn list(&mut self, query: Option<&str>, now: i64) -> Result<Page, Problem> {
        let params = parse_query(query.unwrap_or(""));
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let status = match param("status") {
            None => None,
            Some(word) => Some(Status::parse(word).ok_or_else(|| Problem {
                code: 400,
                reason: format!("Message status \"{word}\" is not a valid message status"),
            })?),
        };
        let size = match param("page_size") {
            None | Some("") => DEFAULT_PAGE_SIZE,
            Some(raw) => raw
                .parse::<usize>()
                .map_err(|_| Problem {
                    code: 400,
                    reason: format!("The page_size parameter {raw:?} is not a number"),
                })?
                .clamp(1, MAX_PAGE_SIZE),
        };
        let mut matching: Vec<&Message> = self
            .messages
            .iter()
            .filter(|m| status.is_none_or(|s| m.status == s))
            .collect();
        matching.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.seq)));
        let token = param("page_token").filter(|t| !t.is_empty());
        let start = match token {
            None => 0,
            Some(t) => {
                matching
                    .iter()
                    .position(|m| m.id == t)
                    .ok_or_else(|| Problem {
                        code: 400,
                        reason: "The page token is invalid, do not craft your own page tokens"
                            .into(),
                    })?
                    + 1
            }
        };
        let total = matching.len();
        let page = matching.get(start..).unwrap_or_default();
        let page = &page[..page.len().min(size)];
        let items: Vec<String> = page.iter().map(|m| message_json(m, false)).collect();
        let link = match (page.last(), start + page.len() < total) {
            (Some(last), true) => {
                let status = status.map(|s| format!("&status={}", s.word()));
                Some(format!(
                    "<{LIST_PATH}?page_size={size}&page_token={}{}>; rel=\"next\"",
                    last.id,
                    status.unwrap_or_default()
                ))
            }
            _ => None,
        };
        let body = format!("[{}]", items.join(","));
        if self.stuck && status == Some(Status::Queued) && token.is_none() {
            // A new sign-up's verification mail joins the queue before the next look.
            self.push(Status::Queued, now, 0);
            self.save(true);
        }
        Ok(Page { body, total, link })
    }

    /// `GET /admin/courier/messages/{id}`, with its dispatches.
    pub fn get(&self, id: &str) -> Result<String, Problem> {
        if !random::is_uuid(id) {
            return Err(Problem {
                code: 400,
                reason: "could not parse parameter {id} as UUID".into(),
            });
        }
        self.messages
            .iter()
            .find(|m| m.id == id)
            .map(|m| message_json(m, true))
            .ok_or_else(|| Problem {
                code: 404,
                reason: format!("Unable to locate the resource: message {id}"),
            })
    }

    /// Adds a message with `sends` failed dispatches (one a minute after creation).
    fn push(&mut self, status: Status, created_at: i64, sends: u32) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let dispatches: Vec<Dispatch> = (0..sends)
            .map(|i| Dispatch {
                id: random::uuid_v4(),
                failed: true,
                created_at: created_at + 1 + 60 * i64::from(i),
            })
            .collect();
        let updated_at = dispatches.last().map_or(created_at, |d| d.created_at);
        self.messages.push(Message {
            seq,
            id: random::uuid_v4(),
            status,
            recipient: format!(
                "{}.{}@example.com",
                NAMES[seq as usize % NAMES.len()],
                seq + 1
            ),
            template: seq as usize % TEMPLATES.len(),
            send_count: sends,
            created_at,
            updated_at,
            dispatches,
        });
    }

    /// Records a successful send of the newest message.
    fn deliver_last(&mut self, at: i64) {
        if let Some(m) = self.messages.last_mut() {
            m.delivered(at);
        }
    }
}

fn message_json(m: &Message, with_dispatches: bool) -> String {
    let (template, subject) = TEMPLATES[m.template];
    let mut out = format!(
        r#"{{"id":"{}","status":"{}","type":"email","recipient":"{}","body":"{}","subject":"{}","template_type":"{}","send_count":{},"created_at":"{}","updated_at":"{}""#,
        m.id,
        m.status.word(),
        escape(&m.recipient),
        escape(REDACTED),
        escape(subject),
        template,
        m.send_count,
        rfc3339(m.created_at),
        rfc3339(m.updated_at)
    );
    if with_dispatches {
        let ds: Vec<String> = m
            .dispatches
            .iter()
            .map(|d| {
                let (status, error) = if d.failed {
                    ("failed", format!(r#","error":{{"message":"{}"}}"#, escape(SMTP_ERROR)))
                } else {
                    ("success", String::new())
                };
                format!(
                    r#"{{"id":"{}","message_id":"{}","status":"{status}"{error},"created_at":"{}","updated_at":"{}"}}"#,
                    d.id,
                    m.id,
                    rfc3339(d.created_at),
                    rfc3339(d.created_at)
                )
            })
            .collect();
        out.push_str(&format!(r#","dispatches":[{}]"#, ds.join(",")));
    }
    out.push('}');
    out
}

/// `a=1&b=x%20y` to pairs, percent- and `+`-decoded.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_796_205_600;

    fn ids(body: &str) -> Vec<String> {
        body.split(r#"{"id":""#)
            .skip(1)
            .map(|s| s[..36].to_string())
            .collect()
    }

    #[test]
    fn healthy_courier_has_only_sent_messages() {
        let mut c = Courier::new(T);
        let all = c.list(None, T).expect("lists");
        assert_eq!(all.total, 5);
        assert!(all.link.is_none());
        assert!(all.body.contains(r#""status":"sent""#));
        assert!(all.body.contains(r#""body":"<redacted-unless-dev-mode>""#));
        assert!(all.body.contains(r#""type":"email""#));
        for s in ["queued", "processing", "abandoned"] {
            let p = c.list(Some(&format!("status={s}")), T).expect("lists");
            assert_eq!((p.total, p.body.as_str()), (0, "[]"), "{s}");
        }
        // Newest first.
        assert!(all.body.find("2026-12-02T09:50:00Z") < all.body.find("2026-12-02T09:10:00Z"));
    }

    #[test]
    fn stuck_queue_grows_per_read_and_drains_when_cleared() {
        let mut c = Courier::new(T);
        let line = c.sync(true, T).expect("logs");
        assert!(
            line.contains(r#""msg":"Failed to run courier worker.""#),
            "{line}"
        );
        assert!(line.contains(SMTP_ERROR));
        assert_eq!(c.sync(true, T), None, "once per change");
        let first = c.list(Some("status=queued"), T).expect("lists");
        assert_eq!(first.total, 3);
        let second = c
            .list(Some("status=queued&page_size=250"), T + 2)
            .expect("lists");
        assert_eq!(second.total, 4, "grows between two probes");
        assert_eq!(c.list(Some("status=abandoned"), T).expect("l").total, 2);
        assert!(c
            .list(Some("status=abandoned"), T)
            .expect("l")
            .body
            .contains(r#""send_count":5"#));
        let oldest = ids(&second.body).pop().expect("an id");
        let one = c.get(&oldest).expect("found");
        assert!(one.contains(r#""dispatches":[{"#), "{one}");
        assert!(one.contains(r#""status":"failed","error":{"message":"dial tcp 10.0.0.25:587: connect: connection refused"}"#), "{one}");
        assert!(one.contains(&format!(r#""message_id":"{oldest}""#)));
        let line = c.sync(false, T + 10).expect("logs");
        assert!(line.contains(r#""msg":"Courier worker started.""#));
        assert_eq!(c.tick(T + 10), 5, "the worker's first tick sends the queue");
        assert_eq!(c.list(Some("status=queued"), T).expect("l").total, 0);
        assert_eq!(c.list(Some("status=sent"), T).expect("l").total, 5 + 5);
        assert_eq!(c.list(Some("status=abandoned"), T).expect("l").total, 2);
    }

    #[test]
    fn the_queue_outlives_a_restart_and_drains_ten_a_second() {
        let dir = crate::listener::tests::temp_dir("courier");
        let mut c = Courier::open(Some(&dir), T);
        assert!(
            !dir.join(crate::store::DIRTY).exists(),
            "a fresh courier is not a change"
        );
        c.sync(true, T);
        for i in 0..20 {
            c.list(Some("status=queued"), T + i).expect("lists");
        }
        assert_eq!(c.count(Status::Queued), 23);
        assert!(dir.join(crate::store::DIRTY).exists());
        drop(c);
        // A restarted process: the same messages, its worker running.
        let mut again = Courier::open(Some(&dir), T + 100);
        assert_eq!(again.count(Status::Queued), 23);
        assert_eq!(again.count(Status::Abandoned), 2);
        let oldest = again.list(Some("status=queued"), T).expect("l").body;
        assert!(
            oldest.contains(r#""send_count":2"#),
            "dispatches kept: {oldest}"
        );
        assert_eq!(again.tick(T + 100), 10);
        assert_eq!(again.tick(T + 100), 0, "once a second");
        assert_eq!(again.tick(T + 101), 10);
        assert_eq!(again.tick(T + 102), 3);
        assert_eq!(again.count(Status::Queued), 0);
        assert_eq!(
            again.count(Status::Abandoned),
            2,
            "abandoned stay abandoned"
        );
        let third = Courier::open(Some(&dir), T + 200);
        assert_eq!(third.count(Status::Sent), 5 + 23);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pages_follow_the_link() {
        let mut c = Courier::new(T);
        let p1 = c.list(Some("page_size=2&status=sent"), T).expect("lists");
        assert_eq!(p1.total, 5);
        let link = p1.link.expect("more");
        let first_ids = ids(&p1.body);
        assert_eq!(first_ids.len(), 2);
        assert_eq!(
            link,
            format!(
                "</admin/courier/messages?page_size=2&page_token={}&status=sent>; rel=\"next\"",
                first_ids[1]
            )
        );
        let next = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .and_then(|u| u.split_once('?'))
            .map(|(_, q)| q.to_string())
            .expect("query");
        let p2 = c.list(Some(&next), T).expect("lists");
        let p2_ids = ids(&p2.body);
        assert_eq!(p2_ids.len(), 2);
        assert!(!p2_ids.contains(&first_ids[1]));
        let big = c.list(Some("page_size=5000"), T).expect("clamped");
        assert!(big.link.is_none());
    }

    #[test]
    fn bad_parameters() {
        let mut c = Courier::new(T);
        assert_eq!(
            c.list(Some("status=lost"), T).err().map(|p| p.code),
            Some(400)
        );
        assert_eq!(
            c.list(Some("page_size=x"), T).err().map(|p| p.code),
            Some(400)
        );
        assert_eq!(
            c.list(Some("page_token=nope"), T).err().map(|p| p.code),
            Some(400)
        );
        assert_eq!(c.get("nope").err().map(|p| p.code), Some(400));
        assert_eq!(
            c.get("00000000-0000-4000-8000-000000000000")
                .err()
                .map(|p| p.code),
            Some(404)
        );
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("status=queued&x=a%20b+c&flag"),
            vec![
                ("status".into(), "queued".into()),
                ("x".into(), "a b c".into()),
                ("flag".into(), String::new())
            ]
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
