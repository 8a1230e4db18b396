//! Tickets: retrospective action items become issues in the platform repository (the on-call spec:
//! "action items become tickets in the platform repo"), on GitHub or GitLab.
//!
//! One call is one HTTP request over rustls, without redirects (a 301 for a renamed repository is a
//! refusal to fix in the config, not something to follow with the token attached), bounded by
//! `timeout_secs`. Failures are sorted the way the webhook's are: a 4xx will not get better by
//! waiting ([`TicketError::Refused`]); a 5xx, a 429, a rate-limit 403, a timeout or a network error
//! may ([`TicketError::Unavailable`]); a 2xx the API does not document is [`TicketError::BadAnswer`].
//!
//! The token is a credential to the repository. It is read from the environment, sent in a header
//! marked sensitive, and stripped (with everything else that looks like a secret) from every error
//! text and log line, since a tracker may echo what it was sent.

pub mod settings;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::mask::{mask_secrets, MASK};
pub use settings::{TicketApi, TicketSettings};

/// Longest error text kept from a tracker's answer, in characters.
const ERROR_CHARS: usize = 300;
/// Most of an answer that is read: an issue is a few kilobytes of JSON.
const MAX_ANSWER: usize = 1 << 20;

/// An issue to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDraft {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Labels besides the configured ones.
    pub labels: Vec<String>,
}

/// An issue the tracker opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The issue's web page (GitHub `html_url`, GitLab `web_url`), for responders to follow.
    pub url: String,
    /// The number shown in the tracker (GitHub `number`, GitLab `iid`).
    pub number: u64,
}

/// Whether an issue is still open in the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    Open,
    Closed,
}

/// Why a call to the tracker failed. Every text is masked and carries no token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// The tracker refused (a 4xx: 401/403 bad token, 404 no such repository, 410 issues turned
    /// off, 422 validation): not worth retrying unchanged. Carries the tracker's own message.
    #[error("the tracker refused (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// 5xx, 429, a rate-limit 403, timeout, network error: worth retrying later.
    #[error("the tracker is unavailable: {0}")]
    Unavailable(String),
    /// A 2xx whose body is not what the API documents.
    #[error("the tracker's answer is not understood: {0}")]
    BadAnswer(String),
}

impl TicketError {
    /// Whether the same call may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(self, TicketError::Unavailable(_))
    }
}

/// A client for the configured tracker and repository. Cheap to clone.
#[derive(Clone)]
pub struct Tickets {
    client: reqwest::Client,
    api: TicketApi,
    /// Without a trailing slash.
    api_url: String,
    /// Where the tracker's web pages live (`https://github.com`), for recognising issue links.
    web_url: String,
    repository: String,
    labels: Vec<String>,
    token: Arc<str>,
}

impl std::fmt::Debug for Tickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tickets")
            .field("api", &self.api)
            .field("api_url", &self.api_url)
            .field("repository", &self.repository)
            .field("labels", &self.labels)
            .field("token", &"***")
            .finish()
    }
}

impl Tickets {
    /// Reads the token from `env(token_env)`; a missing or empty variable is an error that names
    /// the variable (never a value). `env` is `|k| std::env::var(k).ok()` outside tests.
    pub fn new(
        settings: &TicketSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Tickets> {
        settings
            .check()
            .map_err(|(key, m)| anyhow::anyhow!("tickets.{key}: {m}"))?;
        let var = &settings.token_env;
        // A token read from a secrets file often ends in a newline.
        let token = env(var).map(|t| t.trim().to_string()).unwrap_or_default();
        if token.is_empty() {
            anyhow::bail!(
                "the ticket token: environment variable {var} (tickets.token_env) is not set or empty"
            );
        }
        if HeaderValue::from_str(&token).is_err() {
            anyhow::bail!(
                "the ticket token: environment variable {var} holds characters an HTTP header cannot carry"
            );
        }
        let timeout = Duration::from_secs(settings.timeout_secs);
        let client = crate::outbound::builder(timeout).build()?;
        let api_url = settings.api_url.trim_end_matches('/').to_string();
        Ok(Tickets {
            client,
            api: settings.api,
            web_url: web_url(settings.api, &api_url),
            api_url,
            repository: settings.repository.clone(),
            labels: settings.labels.clone(),
            token: token.into(),
        })
    }

    pub fn api(&self) -> TicketApi {
        self.api
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// Opens an issue with the configured labels and the draft's.
    pub async fn create(&self, draft: &TicketDraft) -> Result<Ticket, TicketError> {
        let mut labels: Vec<&str> = Vec::new();
        for l in self.labels.iter().chain(&draft.labels).map(|l| l.trim()) {
            if !l.is_empty() && !labels.contains(&l) {
                labels.push(l);
            }
        }
        let body = match self.api {
            TicketApi::Github => {
                json!({ "title": draft.title, "body": draft.body, "labels": labels })
            }
            // GitLab takes labels as one comma-separated string.
            TicketApi::Gitlab => {
                json!({ "title": draft.title, "description": draft.body, "labels": labels.join(",") })
            }
        };
        let answer = self
            .call(Method::POST, &self.issues_path(None), Some(body))
            .await
            .and_then(|answer| self.ticket_from(answer));
        match &answer {
            Ok(t) => {
                tracing::info!(repository = %self.repository, number = t.number, url = %t.url, "ticket created");
                if self.number_from_url(&t.url) != Some(t.number) {
                    tracing::warn!(url = %t.url, web = %self.web_url, "the tracker's issue links do not match tickets.api_url and tickets.repository; links pasted into the console will not be recognised");
                }
            }
            Err(e) => {
                tracing::warn!(repository = %self.repository, error = %e, "ticket not created")
            }
        }
        answer
    }

    /// Whether issue `number` is open or closed now.
    pub async fn state(&self, number: u64) -> Result<TicketState, TicketError> {
        let answer =
            self.call(Method::GET, &self.issues_path(Some(number)), None)
                .await
                .and_then(|answer| {
                    #[derive(Deserialize)]
                    struct Issue {
                        state: String,
                    }
                    let issue: Issue = self.parse(answer)?;
                    // GitLab says `opened`; old GitLab versions also `reopened`.
                    match (self.api, issue.state.as_str()) {
                        (TicketApi::Github, "open")
                        | (TicketApi::Gitlab, "opened" | "reopened") => Ok(TicketState::Open),
                        (_, "closed") => Ok(TicketState::Closed),
                        (_, other) => Err(TicketError::BadAnswer(
                            self.clean(&format!("unknown issue state `{other}`")),
                        )),
                    }
                });
        if let Err(e) = &answer {
            tracing::warn!(repository = %self.repository, number, error = %e, "cannot read a ticket's state");
        }
        answer
    }

    /// The issue number of a web URL that belongs to the configured repository
    /// (`https://github.com/o/r/issues/12` → 12; GitLab `…/group/project/-/issues/7` → 7); None for
    /// anything else: another repository, a pull request, another host. Scheme, host and
    /// repository compare case-insensitively (both trackers treat paths that way).
    pub fn number_from_url(&self, url: &str) -> Option<u64> {
        let url = url.trim().to_ascii_lowercase();
        let marker = match self.api {
            TicketApi::Github => "/issues/",
            TicketApi::Gitlab => "/-/issues/",
        };
        let prefix = format!("{}/{}{marker}", self.web_url, self.repository).to_ascii_lowercase();
        let rest = url.strip_prefix(&prefix)?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (digits, tail) = rest.split_at(end);
        // `…/issues/12`, `…/12/`, `…/12?x`, `…/12#issuecomment-1`; not `…/12/anything`.
        if !(tail.is_empty() || tail == "/" || tail.starts_with(['?', '#'])) {
            return None;
        }
        if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0)
    }

    /// `/repos/{owner}/{repo}/issues[/{n}]` or `/projects/{url-encoded path}/issues[/{iid}]`.
    fn issues_path(&self, number: Option<u64>) -> String {
        let base = match self.api {
            TicketApi::Github => format!("/repos/{}/issues", self.repository),
            // The settings allow only `[A-Za-z0-9._-]` and `/`, so `/` is all there is to encode.
            TicketApi::Gitlab => {
                format!("/projects/{}/issues", self.repository.replace('/', "%2F"))
            }
        };
        match number {
            Some(n) => format!("{base}/{n}"),
            None => base,
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut secret = |name, value: String| {
            // `new` checked that the token fits in a header.
            if let Ok(mut v) = HeaderValue::from_str(&value) {
                v.set_sensitive(true);
                headers.insert(name, v);
            }
        };
        match self.api {
            TicketApi::Github => {
                secret(AUTHORIZATION, format!("Bearer {}", self.token));
                headers.insert(
                    ACCEPT,
                    HeaderValue::from_static("application/vnd.github+json"),
                );
                headers.insert(
                    "x-github-api-version",
                    HeaderValue::from_static("2022-11-28"),
                );
            }
            TicketApi::Gitlab => {
                secret(
                    reqwest::header::HeaderName::from_static("private-token"),
                    self.token.to_string(),
                );
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            }
        }
        headers
    }

    /// One request; the JSON of a 2xx answer.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, TicketError> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.api_url))
            .headers(self.headers());
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| TicketError::Unavailable(self.clean(&crate::outbound::describe(e))))?;
        let status = response.status();
        let rate_limited = status == StatusCode::FORBIDDEN && {
            // GitHub answers an exhausted rate limit with a 403 that says when to come back.
            let h = response.headers();
            h.contains_key("retry-after")
                || h.get("x-ratelimit-remaining")
                    .is_some_and(|v| v.as_bytes() == b"0")
        };
        let mut bytes = Vec::new();
        let mut cut = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_ANSWER {
                        bytes.extend_from_slice(&chunk[..MAX_ANSWER - bytes.len()]);
                        cut = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(TicketError::Unavailable(
                        self.clean(&crate::outbound::describe(e)),
                    ))
                }
            }
        }
        if status.is_success() {
            if cut {
                return Err(TicketError::BadAnswer(format!(
                    "HTTP {}: the answer is longer than {MAX_ANSWER} bytes",
                    status.as_u16()
                )));
            }
            return serde_json::from_slice(&bytes).map_err(|e| {
                TicketError::BadAnswer(
                    self.clean(&format!("HTTP {}: not JSON: {e}", status.as_u16())),
                )
            });
        }
        let mut message = self.clean(&tracker_message(&bytes));
        if message.is_empty() {
            message = status
                .canonical_reason()
                .unwrap_or("no reason given")
                .into();
        }
        if status.is_redirection() {
            if let Some(to) = response.headers().get(reqwest::header::LOCATION) {
                let to = String::from_utf8_lossy(to.as_bytes());
                message = self.clean(&format!(
                    "moved to {to} (check tickets.api_url and tickets.repository); {message}"
                ));
            }
        }
        let code = status.as_u16();
        if crate::outbound::retryable(status) || rate_limited {
            Err(TicketError::Unavailable(format!("HTTP {code}: {message}")))
        } else {
            Err(TicketError::Refused {
                status: code,
                message,
            })
        }
    }

    /// The issue a create call answered with.
    fn ticket_from(&self, answer: Value) -> Result<Ticket, TicketError> {
        let (url, number) = match self.api {
            TicketApi::Github => {
                #[derive(Deserialize)]
                struct Issue {
                    number: u64,
                    html_url: String,
                }
                let i: Issue = self.parse(answer)?;
                (i.html_url, i.number)
            }
            TicketApi::Gitlab => {
                #[derive(Deserialize)]
                struct Issue {
                    iid: u64,
                    web_url: String,
                }
                let i: Issue = self.parse(answer)?;
                (i.web_url, i.iid)
            }
        };
        // The URL is stored on the item as its ticket link: the same rule as a typed one.
        if !crate::retro::items::is_ticket_link(&url) {
            return Err(TicketError::BadAnswer(
                self.clean(&format!("the issue's URL `{url}` is not a web page")),
            ));
        }
        if number == 0 {
            return Err(TicketError::BadAnswer("the issue's number is 0".into()));
        }
        Ok(Ticket { url, number })
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, answer: Value) -> Result<T, TicketError> {
        serde_json::from_value(answer)
            .map_err(|e| TicketError::BadAnswer(self.clean(&e.to_string())))
    }

    /// Removes the token itself (a tracker may echo it), then everything else that looks secret;
    /// then cuts the text short (after masking, so no cut hides half a secret from the masks).
    fn clean(&self, text: &str) -> String {
        short(&mask_secrets(&text.replace(&*self.token, MASK)))
    }
}

/// Where issue pages live, from the API's base URL: `api.github.com` → `github.com` (likewise
/// `api.<name>.ghe.com`), GitHub Enterprise Server's `/api/v3` and GitLab's `/api/v4` dropped.
/// Any other URL (a proxy, a test server) is taken to serve both.
fn web_url(api: TicketApi, api_url: &str) -> String {
    let (scheme, rest) = api_url.split_once("://").unwrap_or(("https", api_url));
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let lower = host.to_ascii_lowercase();
    match api {
        TicketApi::Github
            if path.is_empty()
                && (lower == "api.github.com"
                    || (lower.starts_with("api.") && lower.ends_with(".ghe.com"))) =>
        {
            format!("{scheme}://{}", &host[4..])
        }
        TicketApi::Github => format!("{scheme}://{host}{}", strip_suffix(path, "/api/v3")),
        TicketApi::Gitlab => format!("{scheme}://{host}{}", strip_suffix(path, "/api/v4")),
    }
}

fn strip_suffix<'a>(path: &'a str, suffix: &str) -> &'a str {
    match path.len().checked_sub(suffix.len()) {
        Some(at) if path[at..].eq_ignore_ascii_case(suffix) => &path[..at],
        _ => path,
    }
}

/// The tracker's explanation in an error answer: GitHub's `message` and `errors`, GitLab's
/// `message` (a string, or field → messages) and `error`/`error_description`; otherwise the body.
fn tracker_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Ok(Value::Object(answer)) = serde_json::from_str::<Value>(&text) else {
        return one_line(&text);
    };
    let mut parts: Vec<String> = Vec::new();
    for key in ["message", "error", "error_description"] {
        match answer.get(key) {
            Some(Value::String(s)) => parts.push(s.clone()),
            Some(Value::Object(fields)) => {
                for (field, why) in fields {
                    parts.push(format!("{field} {}", flat(why)));
                }
            }
            Some(v @ Value::Array(_)) => parts.push(flat(v)),
            _ => {}
        }
    }
    if let Some(Value::Array(errors)) = answer.get("errors") {
        for e in errors {
            match e {
                Value::Object(o) => {
                    if let Some(Value::String(m)) = o.get("message") {
                        parts.push(m.clone());
                    } else {
                        // `{"resource":"Issue","field":"title","code":"missing_field"}`
                        let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
                        let what = [s("resource"), s("field")]
                            .into_iter()
                            .filter(|p| !p.is_empty())
                            .collect::<Vec<_>>()
                            .join(".");
                        parts.push(format!("{what} {}", s("code")).trim().to_string());
                    }
                }
                other => parts.push(flat(other)),
            }
        }
    }
    parts.retain(|p| !p.trim().is_empty());
    if parts.is_empty() {
        one_line(&text)
    } else {
        one_line(&parts.join(": "))
    }
}

/// A JSON value as plain words: strings unquoted, arrays comma-separated.
fn flat(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most [`ERROR_CHARS`] characters, on one line.
fn short(s: &str) -> String {
    let s = one_line(s);
    if s.chars().count() <= ERROR_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(ERROR_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
