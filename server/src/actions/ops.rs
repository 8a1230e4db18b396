//! What an action's procedure can do on the host: run a command (recorded for the audit log by the
//! host it is given), call an admin API with `curl` from the host, and say what it is doing. Every
//! line it says is masked before it leaves: the usual secret shapes, and the values the gateway
//! itself knows are secret (a recovery code it just created).

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use crate::mask::mask_secrets;
use crate::playbooks::readings::http::{self, HttpAnswer};
use crate::remote::{RemoteCommand, RemoteHost, RemoteOutput};
use crate::values::HttpUrl;

/// Where a procedure reports: lines of output, progress in words, and a cursor to resume from.
#[async_trait]
pub trait Report: Send + Sync {
    /// One line of output (already masked).
    fn line(&self, line: String);
    /// "4,100 of 12,350 identities", and where to resume from: stored before this returns.
    async fn progress(&self, words: String, cursor: Option<String>);
}

/// A procedure's view of the host.
pub struct Ops<'a> {
    pub host: &'a dyn RemoteHost,
    pub report: &'a dyn Report,
    pub command_timeout: Duration,
    pub http_timeout: Duration,
    /// Values to mask wherever they appear (a recovery code), besides the usual shapes.
    known: Mutex<Vec<String>>,
    /// Everything said, masked, for the result.
    said: Mutex<Vec<String>>,
}

/// Why a procedure stopped, in words for the responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed(pub String);

impl<T: std::fmt::Display> From<T> for Failed {
    fn from(e: T) -> Self {
        Failed(e.to_string())
    }
}

/// The most output lines a result keeps (the audit log has the digest of all of it).
const KEEP_LINES: usize = 400;

impl<'a> Ops<'a> {
    pub fn new(
        host: &'a dyn RemoteHost,
        report: &'a dyn Report,
        command_timeout: Duration,
        http_timeout: Duration,
    ) -> Ops<'a> {
        Ops {
            host,
            report,
            command_timeout,
            http_timeout,
            known: Mutex::default(),
            said: Mutex::default(),
        }
    }

    /// From now on, `value` is masked in everything said.
    pub fn secret(&self, value: &str) {
        if value.len() >= 4 {
            self.known
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(value.to_owned());
        }
    }

    /// Masks a text as it must be before it leaves the gateway.
    pub fn mask(&self, text: &str) -> String {
        let mut out = mask_secrets(text);
        for k in self.known.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            out = out.replace(k.as_str(), crate::mask::MASK);
        }
        out
    }

    /// Says a line (masked) to everyone watching, and keeps it for the result.
    pub fn say(&self, line: impl AsRef<str>) {
        for l in line.as_ref().lines() {
            let masked = self.mask(l);
            let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner());
            if said.len() < KEEP_LINES {
                said.push(masked.clone());
            }
            drop(said);
            self.report.line(masked);
        }
    }

    pub fn said(&self) -> Vec<String> {
        self.said.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A command under the actions' timeout.
    pub fn command(&self, program: &str) -> RemoteCommand {
        RemoteCommand::new(program, self.command_timeout)
    }

    /// Runs `cmd`, saying what it runs; a non-zero exit or a timeout is a failure with its reason.
    pub async fn run(&self, cmd: &RemoteCommand) -> Result<RemoteOutput, Failed> {
        self.say(format!("$ {}", cmd.display()));
        let out = self.host.run(cmd).await?;
        if out.code == 124 || out.code == 137 {
            return Err(Failed(format!(
                "{} did not finish within {} s and was killed on the host",
                cmd.program(),
                cmd.timeout().as_secs()
            )));
        }
        if out.code != 0 {
            return Err(Failed(format!(
                "{} exited with {}: {}",
                cmd.program(),
                out.code,
                self.mask(out.stderr_line())
            )));
        }
        Ok(out)
    }

    /// `curl` from the host to an admin API: `-i` so the status and headers can be read, a JSON
    /// body (if any) on stdin, never in argv.
    pub fn api_command(&self, method: &str, url: &HttpUrl, body: Option<&str>) -> RemoteCommand {
        let mut cmd = self
            .command("curl")
            .arg("-sS")
            .arg("-i")
            .arg("--max-time")
            .arg(self.http_timeout.as_secs().max(1).to_string())
            .arg("--globoff")
            .arg("-X")
            .arg(method)
            .arg("-H")
            .arg("Accept: application/json");
        if let Some(b) = body {
            cmd = cmd
                .arg("-H")
                .arg("Content-Type: application/json")
                .arg("--data-binary")
                .arg("@-")
                .stdin(b);
        }
        cmd.arg("--").arg(url.as_str())
    }

    /// Calls an admin API; the answer whatever its status (callers judge it).
    pub async fn api(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
    ) -> Result<HttpAnswer, Failed> {
        let url = HttpUrl::parse(url).map_err(Failed)?;
        let cmd = self.api_command(method, &url, body);
        let out = self.host.run(&cmd).await?;
        if out.code != 0 {
            return Err(Failed(format!(
                "curl {method} {url} failed (exit {}): {}",
                out.code,
                self.mask(out.stderr_line())
            )));
        }
        http::read(&out.stdout).map_err(|e| Failed(format!("{method} {url}: {e}")))
    }

    /// Like [`Ops::api`], but anything outside `ok` is a failure quoting the answer.
    pub async fn api_ok(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
        ok: &[u16],
    ) -> Result<HttpAnswer, Failed> {
        let answer = self.api(method, url, body).await?;
        if ok.contains(&answer.status) {
            Ok(answer)
        } else {
            Err(Failed(format!(
                "{method} {} answered {}: {}",
                url,
                answer.status,
                self.mask(&answer.body.chars().take(200).collect::<String>())
            )))
        }
    }
}

/// A number with thousands separators: 12,350.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The origin of a configured URL (`http://127.0.0.1:4434`), without a trailing slash.
pub fn origin(url: &HttpUrl) -> String {
    let s = url.as_str();
    let after_scheme = s.find("://").map_or(0, |i| i + 3);
    match s[after_scheme..].find('/') {
        Some(i) => s[..after_scheme + i].to_owned(),
        None => s.to_owned(),
    }
}

/// The `page_token` of the `rel="next"` link in a `Link` header, if any.
pub fn next_page_token(answer: &HttpAnswer) -> Option<String> {
    let link = answer.header("link")?;
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let url = part.split(['<', '>']).nth(1)?;
            let query = url.split_once('?')?.1;
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page_token="))
                .map(str::to_owned)
        })
        .filter(|t| {
            !t.is_empty()
                && t.len() <= 512
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%=".contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12_350), "12,350");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn the_next_page_comes_from_the_link_header_and_only_a_plain_token_is_taken() {
        let answer = http::read(
            "HTTP/1.1 200 OK\r\nLink: </admin/identities?page_size=250&page_token=abc-123>; rel=\"first\",</admin/identities?page_size=250&page_token=eyJpZCI6IjEifQ%3D%3D>; rel=\"next\"\r\n\r\n[]",
        )
        .unwrap();
        assert_eq!(
            next_page_token(&answer).as_deref(),
            Some("eyJpZCI6IjEifQ%3D%3D")
        );
        let evil = http::read(
            "HTTP/1.1 200 OK\r\nLink: </x?page_token=a;rm%20-rf>; rel=\"next\"\r\n\r\n[]",
        )
        .unwrap();
        assert_eq!(next_page_token(&evil), None);
        let last = http::read("HTTP/1.1 200 OK\r\n\r\n[]").unwrap();
        assert_eq!(next_page_token(&last), None);
    }
}
