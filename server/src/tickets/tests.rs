//! The ticket client against a real local HTTP receiver that records each request and answers
//! scripted statuses, for both trackers; and the token kept out of errors, Debug and logs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode as AxumStatus;
use serde_json::{json, Value};

use super::*;

const TOKEN: &str = "ghp_TESTTOKEN0123456789abcdefSECRET";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query, as sent (percent-encoding kept).
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Status, extra headers and body of one scripted answer.
type Scripted = (u16, Vec<(&'static str, &'static str)>, String);

#[derive(Clone, Default)]
struct Shared {
    /// The next answers; a 404 when they run out.
    script: Arc<Mutex<VecDeque<Scripted>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Seconds to wait before answering.
    delay: Arc<Mutex<u64>>,
}

async fn answer(State(s): State<Shared>, request: Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    s.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("<binary>").to_string()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let delay = *s.delay.lock().unwrap();
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_secs(delay)).await;
    }
    let (status, headers, text) = s.script.lock().unwrap().pop_front().unwrap_or((
        404,
        vec![],
        r#"{"message":"Not Found"}"#.into(),
    ));
    let mut response = axum::response::Response::new(axum::body::Body::from(text));
    *response.status_mut() = AxumStatus::from_u16(status).unwrap();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        "application/json".parse().unwrap(),
    );
    for (n, v) in headers {
        response.headers_mut().insert(n, v.parse().unwrap());
    }
    response
}

/// A tracker stand-in on `127.0.0.1:0`; its base URL is `http://127.0.0.1:<port>`.
struct Receiver {
    base: String,
    shared: Shared,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Shared::default();
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            base: format!("http://{addr}"),
            shared,
        }
    }

    fn answer(&self, status: u16, body: Value) {
        self.answer_with(status, vec![], body.to_string());
    }

    fn answer_with(&self, status: u16, headers: Vec<(&'static str, &'static str)>, body: String) {
        self.shared
            .script
            .lock()
            .unwrap()
            .push_back((status, headers, body));
    }

    fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

fn env(name: &str) -> Option<String> {
    (name == "AEGIS_TICKETS_TOKEN").then(|| TOKEN.to_string())
}

fn github(api_url: &str) -> Tickets {
    let settings = TicketSettings {
        api_url: format!("{api_url}/"),
        repository: "acme/platform".into(),
        ..TicketSettings::default()
    };
    Tickets::new(&settings, env).unwrap()
}

fn gitlab(api_url: &str) -> Tickets {
    let settings = TicketSettings {
        api: TicketApi::Gitlab,
        api_url: api_url.into(),
        repository: "platform/infra/olympus".into(),
        labels: vec!["incident-follow-up".into(), "sre".into()],
        ..TicketSettings::default()
    };
    Tickets::new(&settings, env).unwrap()
}

fn draft() -> TicketDraft {
    TicketDraft {
        title: "Alert on Kratos 5xx rate".into(),
        body: "From **INC-7**: nobody was paged for 20 minutes.".into(),
        labels: vec!["sev1".into(), "incident-follow-up".into()],
    }
}

/// Everything written through `tracing` while the guard lives.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn github_create_sends_the_documented_request_and_reads_the_issue() {
    let r = Receiver::start().await;
    let t = github(&r.base);
    r.answer(
        201,
        json!({"number": 42, "html_url": "https://github.com/acme/platform/issues/42", "state": "open", "id": 1}),
    );
    let ticket = t.create(&draft()).await.unwrap();
    assert_eq!(
        ticket,
        Ticket {
            url: "https://github.com/acme/platform/issues/42".into(),
            number: 42
        }
    );
    let seen = r.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "POST");
    assert_eq!(s.path, "/repos/acme/platform/issues");
    assert_eq!(s.header("authorization"), Some(&*format!("Bearer {TOKEN}")));
    assert_eq!(s.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(s.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        s.header("user-agent"),
        Some(concat!("aegis/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(s.header("content-type"), Some("application/json"));
    assert_eq!(s.header("private-token"), None);
    assert_eq!(
        s.body,
        json!({
            "title": "Alert on Kratos 5xx rate",
            "body": "From **INC-7**: nobody was paged for 20 minutes.",
            "labels": ["incident-follow-up", "sev1"],
        })
    );

    r.answer(200, json!({"number": 42, "state": "open"}));
    r.answer(200, json!({"number": 42, "state": "closed"}));
    assert_eq!(t.state(42).await.unwrap(), TicketState::Open);
    assert_eq!(t.state(42).await.unwrap(), TicketState::Closed);
    let seen = r.seen();
    for s in &seen[1..] {
        assert_eq!(s.method, "GET");
        assert_eq!(s.path, "/repos/acme/platform/issues/42");
        assert_eq!(s.header("authorization"), Some(&*format!("Bearer {TOKEN}")));
        assert_eq!(s.header("x-github-api-version"), Some("2022-11-28"));
    }
}

#[tokio::test]
async fn gitlab_create_encodes_the_project_and_maps_its_states() {
    let r = Receiver::start().await;
    let t = gitlab(&format!("{}/api/v4", r.base));
    let web = format!("{}/platform/infra/olympus/-/issues/7", r.base);
    r.answer(
        201,
        json!({"id": 900, "iid": 7, "web_url": web, "state": "opened"}),
    );
    let ticket = t.create(&draft()).await.unwrap();
    assert_eq!(
        ticket,
        Ticket {
            url: web.clone(),
            number: 7
        }
    );
    assert_eq!(t.number_from_url(&web), Some(7));
    let s = &r.seen()[0];
    assert_eq!(s.method, "POST");
    assert_eq!(s.path, "/api/v4/projects/platform%2Finfra%2Folympus/issues");
    assert_eq!(s.header("private-token"), Some(TOKEN));
    assert_eq!(s.header("authorization"), None);
    assert_eq!(s.header("content-type"), Some("application/json"));
    assert_eq!(
        s.body,
        json!({
            "title": "Alert on Kratos 5xx rate",
            "description": "From **INC-7**: nobody was paged for 20 minutes.",
            "labels": "incident-follow-up,sre,sev1",
        })
    );

    r.answer(200, json!({"iid": 7, "state": "opened"}));
    r.answer(200, json!({"iid": 7, "state": "closed"}));
    r.answer(200, json!({"iid": 7, "state": "merged"}));
    assert_eq!(t.state(7).await.unwrap(), TicketState::Open);
    assert_eq!(t.state(7).await.unwrap(), TicketState::Closed);
    assert!(matches!(t.state(7).await, Err(TicketError::BadAnswer(_))));
    let seen = r.seen();
    assert_eq!(seen[1].method, "GET");
    assert_eq!(
        seen[1].path,
        "/api/v4/projects/platform%2Finfra%2Folympus/issues/7"
    );
    assert_eq!(seen[1].header("private-token"), Some(TOKEN));
}

#[tokio::test]
async fn a_validation_failure_is_refused_with_the_trackers_message() {
    let r = Receiver::start().await;
    let t = github(&r.base);
    r.answer(
        422,
        json!({
            "message": "Validation Failed",
            "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}],
            "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        }),
    );
    let e = t.create(&draft()).await.unwrap_err();
    let TicketError::Refused { status, message } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 422);
    assert_eq!(message, "Validation Failed: Issue.title missing_field");
    assert!(!e.retryable());

    // GitLab's field → messages form.
    let r = Receiver::start().await;
    let t = gitlab(&r.base);
    r.answer(400, json!({"message": {"title": ["can't be blank"]}}));
    let e = t.create(&draft()).await.unwrap_err();
    assert_eq!(
        e,
        TicketError::Refused {
            status: 400,
            message: "title can't be blank".into()
        }
    );
}

#[tokio::test]
async fn server_errors_rate_limits_and_timeouts_are_worth_retrying() {
    let r = Receiver::start().await;
    let t = github(&r.base);
    r.answer_with(500, vec![], "<html>upstream exploded</html>".into());
    let e = t.create(&draft()).await.unwrap_err();
    assert!(
        matches!(&e, TicketError::Unavailable(m) if m.contains("HTTP 500") && m.contains("upstream exploded")),
        "{e:?}"
    );
    assert!(e.retryable());

    r.answer(429, json!({"message": "slow down"}));
    assert!(t.create(&draft()).await.unwrap_err().retryable());

    // GitHub's primary rate limit is a 403 saying when to come back; a plain 403 is a bad token.
    r.answer_with(
        403,
        vec![("x-ratelimit-remaining", "0")],
        json!({"message": "API rate limit exceeded"}).to_string(),
    );
    assert!(t.create(&draft()).await.unwrap_err().retryable());
    r.answer(
        403,
        json!({"message": "Resource not accessible by personal access token"}),
    );
    let e = t.create(&draft()).await.unwrap_err();
    assert!(
        matches!(&e, TicketError::Refused { status: 403, message } if message == "Resource not accessible by personal access token"),
        "{e:?}"
    );

    let settings = TicketSettings {
        api_url: r.base.clone(),
        repository: "acme/platform".into(),
        timeout_secs: 1,
        ..TicketSettings::default()
    };
    let slow = Tickets::new(&settings, env).unwrap();
    *r.shared.delay.lock().unwrap() = 3;
    let e = slow.state(1).await.unwrap_err();
    assert!(
        matches!(&e, TicketError::Unavailable(m) if m.contains("timed out")),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_answer_without_the_documented_fields_is_a_bad_answer() {
    let r = Receiver::start().await;
    let t = github(&r.base);
    r.answer(201, json!({"number": 3, "state": "open"}));
    let e = t.create(&draft()).await.unwrap_err();
    assert!(
        matches!(&e, TicketError::BadAnswer(m) if m.contains("html_url")),
        "{e:?}"
    );
    assert!(!e.retryable());

    r.answer_with(201, vec![], "not json".into());
    assert!(matches!(
        t.create(&draft()).await,
        Err(TicketError::BadAnswer(_))
    ));
    // The URL becomes a link in browsers.
    r.answer(201, json!({"number": 3, "html_url": "javascript:alert(1)"}));
    assert!(matches!(
        t.create(&draft()).await,
        Err(TicketError::BadAnswer(_))
    ));
    // Stored as the item's ticket link, it keeps to that field's rule (or the item could never
    // be saved again).
    let long = format!("https://tracker.example/{}", "a".repeat(500));
    r.answer(201, json!({"number": 3, "html_url": long}));
    assert!(matches!(
        t.create(&draft()).await,
        Err(TicketError::BadAnswer(_))
    ));
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = github(&format!("http://{addr}"));
    let e = t.create(&draft()).await.unwrap_err();
    assert!(
        matches!(&e, TicketError::Unavailable(m) if m.contains("could not connect")),
        "{e:?}"
    );
    assert!(e.retryable());
}

#[tokio::test]
async fn the_token_never_shows_in_errors_debug_or_logs() {
    let logs = LogBuffer::default();
    let _guard = logs.install();
    let r = Receiver::start().await;
    let t = github(&r.base);
    // Trackers that echo what they were sent, in every shape an error takes.
    let echo: &'static str = Box::leak(
        format!(r#"{{"message":"Bad credentials for token {TOKEN}","errors":["{TOKEN}"]}}"#)
            .into_boxed_str(),
    );
    r.answer_with(401, vec![], echo.to_string());
    r.answer_with(
        500,
        vec![],
        format!("upstream said Authorization: Bearer {TOKEN}"),
    );
    r.answer_with(201, vec![], format!(r#"{{"number":"{TOKEN}"}}"#));
    r.answer_with(
        201,
        vec![],
        json!({"number": 5, "html_url": format!("ftp://{TOKEN}")}).to_string(),
    );
    r.answer_with(200, vec![], json!({"state": TOKEN}).to_string());
    r.answer_with(301, vec![("location", echo)], String::new());
    let mut errors = Vec::new();
    for _ in 0..4 {
        errors.push(t.create(&draft()).await.unwrap_err());
    }
    errors.push(t.state(5).await.unwrap_err());
    errors.push(t.state(5).await.unwrap_err());
    assert!(matches!(
        errors[0],
        TicketError::Refused { status: 401, .. }
    ));
    assert!(matches!(
        errors[5],
        TicketError::Refused { status: 301, .. }
    ));
    for e in &errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("TESTTOKEN"), "{shown}");
    }
    let debug = format!("{t:?}");
    assert!(debug.contains(r#"token: "***""#), "{debug}");
    assert!(!debug.contains("TESTTOKEN"), "{debug}");
    let logged = logs.text();
    assert!(logged.contains("ticket not created"), "{logged}");
    assert!(!logged.contains("TESTTOKEN"), "{logged}");
    // The token did go out, in its header.
    assert_eq!(
        r.seen()[0].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
}

#[test]
fn issue_links_of_the_configured_repository_give_their_number() {
    let t = github("https://api.github.com");
    let n = |u: &str| t.number_from_url(u);
    assert_eq!(n("https://github.com/acme/platform/issues/12"), Some(12));
    assert_eq!(n("https://GitHub.com/Acme/Platform/issues/12/"), Some(12));
    assert_eq!(
        n("https://github.com/acme/platform/issues/12#issuecomment-99"),
        Some(12)
    );
    assert_eq!(
        n(" https://github.com/acme/platform/issues/12?x=1 "),
        Some(12)
    );
    for other in [
        "https://github.com/acme/other/issues/12",
        "https://github.com/acme/platform-old/issues/12",
        "https://github.com/evil/acme/platform/issues/12",
        "https://github.com/acme/platform/pull/12",
        "https://github.com/acme/platform/issues/0",
        "https://github.com/acme/platform/issues/12abc",
        "https://github.com/acme/platform/issues/12/../../other/issues/3",
        "https://github.com/acme/platform/issues/",
        "https://github.com/acme/platform/issues/99999999999999999999",
        "https://github.com.evil.example/acme/platform/issues/12",
        "https://github.com@evil.example/acme/platform/issues/12",
        "https://evil.example/github.com/acme/platform/issues/12",
        "https://api.github.com/repos/acme/platform/issues/12",
        "http://github.com/acme/platform/issues/12",
        "acme/platform#12",
        "",
    ] {
        assert_eq!(n(other), None, "{other}");
    }

    let enterprise = github("https://github.example/api/v3");
    assert_eq!(
        enterprise.number_from_url("https://github.example/acme/platform/issues/4"),
        Some(4)
    );

    let t = gitlab("https://gitlab.example/api/v4");
    let n = |u: &str| t.number_from_url(u);
    assert_eq!(
        n("https://gitlab.example/platform/infra/olympus/-/issues/7"),
        Some(7)
    );
    for other in [
        "https://gitlab.example/platform/infra/other/-/issues/7",
        "https://gitlab.example/platform/olympus/-/issues/7",
        "https://gitlab.example/platform/infra/olympus/-/merge_requests/7",
        "https://gitlab.example/platform/infra/olympus/-/issues/7/designs",
        "https://gitlab.example.evil/platform/infra/olympus/-/issues/7",
        "https://evil.example/gitlab.example/platform/infra/olympus/-/issues/7",
        "https://gitlab.example/api/v4/platform/infra/olympus/-/issues/7",
        "https://github.com/platform/infra/olympus/-/issues/7",
    ] {
        assert_eq!(n(other), None, "{other}");
    }
}

#[test]
fn a_missing_or_empty_token_variable_is_named_without_a_value() {
    let settings = TicketSettings {
        repository: "acme/platform".into(),
        token_env: "OLYMPUS_TICKETS".into(),
        ..TicketSettings::default()
    };
    for value in [None, Some(String::new()), Some(" \n".to_string())] {
        let e = Tickets::new(&settings, |_| value.clone()).unwrap_err();
        assert!(e.to_string().contains("OLYMPUS_TICKETS"), "{e}");
    }
    let e = Tickets::new(&settings, |_| Some(format!("{TOKEN}\u{7f}"))).unwrap_err();
    assert!(e.to_string().contains("OLYMPUS_TICKETS"), "{e}");
    assert!(!format!("{e} {e:?}").contains("TESTTOKEN"), "{e:?}");
    // Read under the configured name only.
    let t = Tickets::new(&settings, |k| {
        (k == "OLYMPUS_TICKETS").then(|| format!("{TOKEN}\n"))
    })
    .unwrap();
    assert_eq!(&*t.token, TOKEN);
    assert_eq!(t.api(), TicketApi::Github);
    assert_eq!(t.repository(), "acme/platform");
}

#[test]
fn settings_are_checked_key_by_key() {
    let ok = |s: TicketSettings| s.check();
    let base = TicketSettings {
        repository: "acme/platform".into(),
        ..TicketSettings::default()
    };
    assert_eq!(ok(base.clone()), Ok(()));
    let key_of = |s: TicketSettings| s.check().unwrap_err().0;
    for repo in [
        "",
        "acme",
        "acme/platform/extra",
        "acme/../platform",
        "acme/..",
        "acme//platform",
        "/acme/platform",
        "acme/plat form",
        "acme/platform?x",
        "acme/platform%2F..",
    ] {
        let s = TicketSettings {
            repository: repo.into(),
            ..base.clone()
        };
        assert_eq!(key_of(s), "repository", "{repo}");
    }
    let gl = TicketSettings {
        api: TicketApi::Gitlab,
        api_url: "https://gitlab.example/api/v4".into(),
        repository: "platform/infra/olympus".into(),
        ..base.clone()
    };
    assert_eq!(ok(gl.clone()), Ok(()));
    assert_eq!(
        key_of(TicketSettings {
            repository: "olympus".into(),
            ..gl.clone()
        }),
        "repository"
    );
    // GitLab left on GitHub's default URL.
    assert_eq!(
        key_of(TicketSettings {
            api_url: TicketSettings::default().api_url,
            ..gl
        }),
        "api_url"
    );
    for url in [
        "api.github.com",
        "ftp://api.github.com",
        "https://user:pw@github.example/api/v3",
        "https://github.example/api?x=1",
    ] {
        let s = TicketSettings {
            api_url: url.into(),
            ..base.clone()
        };
        assert_eq!(key_of(s), "api_url", "{url}");
    }
    for name in ["", "ghp_not a name", "1TOKEN", "TOKEN=x"] {
        let s = TicketSettings {
            token_env: name.into(),
            ..base.clone()
        };
        assert_eq!(key_of(s), "token_env", "{name}");
    }
    let s = TicketSettings {
        labels: vec!["ok".into(), "a,b".into()],
        ..base.clone()
    };
    assert_eq!(key_of(s), "labels[1]");
    let s = TicketSettings {
        timeout_secs: 0,
        ..base
    };
    assert_eq!(key_of(s), "timeout_secs");
}

#[test]
fn the_tickets_section_is_read_and_checked_with_the_config() {
    let file = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aegis.toml");
        std::fs::write(&path, format!("[ssh]\nhost = \"prod.example\"\n{text}")).unwrap();
        (dir, path)
    };
    let (_d, path) = file("");
    let s = crate::config::Settings::load_with_env(Some(&path), []).unwrap();
    assert_eq!(s.tickets, None);

    let (_d, path) = file(
        "[tickets]\napi = \"gitlab\"\napi_url = \"https://gitlab.example/api/v4/\"\nrepository = \"platform/olympus\"\n",
    );
    let s = crate::config::Settings::load_with_env(Some(&path), []).unwrap();
    let t = s.tickets.unwrap();
    assert_eq!(t.api, TicketApi::Gitlab);
    assert_eq!(t.token_env, "AEGIS_TICKETS_TOKEN");
    assert_eq!(t.labels, ["incident-follow-up"]);
    assert_eq!(t.timeout_secs, 10);

    let (_d, path) = file("[tickets]\nrepository = \"acme/../admin\"\n");
    let e = crate::config::Settings::load_with_env(Some(&path), []).unwrap_err();
    assert!(
        matches!(&e, crate::config::ConfigError::Invalid { key, .. } if key == "tickets.repository"),
        "{e}"
    );

    // The token has no place in the file.
    let (_d, path) = file("[tickets]\nrepository = \"acme/platform\"\ntoken = \"x\"\n");
    assert!(crate::config::Settings::load_with_env(Some(&path), []).is_err());
}
