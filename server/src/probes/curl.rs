//! A service's health endpoint, fetched with `curl` on the host.
//!
//! The playbook's `curl -s URL | head -1 || echo DOWN` never prints DOWN: the pipe's status is
//! `head`'s. Here curl runs alone, prints the status code and timing, and its exit code is read:
//! a refused connection, an HTTP error and a timeout are each "down" with the reason.

use std::time::Duration;

use wire::Status;

use super::{Finding, HttpUrl};
use crate::remote::{RemoteCommand, RemoteOutput};

/// `curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time N URL`.
pub fn command(url: &HttpUrl, http_timeout: Duration, command_timeout: Duration) -> RemoteCommand {
    RemoteCommand::new("curl", command_timeout)
        .arg("-sS")
        .arg("-o")
        .arg("/dev/null")
        .arg("-w")
        .arg("%{http_code} %{time_total}")
        .arg("--max-time")
        .arg(http_timeout.as_secs().max(1).to_string())
        // A health URL is literal: no [] or {} globbing.
        .arg("--globoff")
        .arg("--")
        .arg(url.as_str())
}

/// Above this a 2xx answer is "degraded": the playbook's Sev 2 names latency as a symptom.
pub const SLOW: Duration = Duration::from_millis(1000);

/// Reads curl's exit code and `-w` output.
pub fn judge(out: &RemoteOutput, http_timeout: Duration) -> Finding {
    let mut fields = out.stdout.split_whitespace();
    let code: Option<u16> = fields.next().and_then(|c| c.parse().ok());
    let took: Option<Duration> = fields
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map(Duration::from_secs_f64);
    let with_took = |f: Finding| match took {
        Some(t) => f.with_latency(t),
        None => f,
    };
    let finding = match out.code {
        0 => match code {
            Some(c @ 200..=299) => match took {
                Some(t) if t > SLOW => Finding::new(
                    Status::Degraded,
                    format!("HTTP {c}, slow (over {} ms)", SLOW.as_millis()),
                ),
                _ => Finding::new(Status::Up, format!("HTTP {c}")),
            },
            Some(c @ 300..=399) => Finding::new(
                Status::Degraded,
                format!("HTTP {c}: redirected, not a health answer"),
            ),
            Some(0) | None => Finding::new(
                Status::Unknown,
                format!("curl gave no status code: {:?}", out.stdout.trim()),
            ),
            Some(c) => Finding::new(Status::Down, format!("HTTP {c}")),
        },
        6 => Finding::new(Status::Down, "host name does not resolve on the host"),
        7 => Finding::new(Status::Down, "connection refused"),
        28 => Finding::new(
            Status::Down,
            format!(
                "timed out after {} s with no answer",
                http_timeout.as_secs()
            ),
        ),
        35 => Finding::new(
            Status::Down,
            format!("TLS handshake failed: {}", out.stderr_line()),
        ),
        52 => Finding::new(Status::Down, "empty reply from server"),
        56 => Finding::new(Status::Down, "connection reset while reading the answer"),
        60 => Finding::new(
            Status::Down,
            format!("certificate not trusted: {}", out.stderr_line()),
        ),
        n => Finding::new(
            Status::Down,
            format!("curl exit {n}: {}", out.stderr_line()),
        ),
    };
    with_took(finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stdout: &str, stderr: &str) -> RemoteOutput {
        RemoteOutput {
            code,
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }
    const T: Duration = Duration::from_secs(4);

    #[test]
    fn command_is_separate_words_with_the_url_last() {
        let url = HttpUrl::parse("http://127.0.0.1:4434/health/alive").unwrap();
        let cmd = command(&url, T, Duration::from_secs(8));
        assert_eq!(cmd.program(), "curl");
        assert_eq!(
            cmd.args().last().unwrap(),
            "http://127.0.0.1:4434/health/alive"
        );
        assert!(cmd.args().contains(&"--max-time".to_string()));
    }

    #[test]
    fn ok_answer_is_up_with_curls_timing() {
        let f = judge(&out(0, "200 0.003120", ""), T);
        assert_eq!(f.status, Status::Up);
        assert_eq!(f.detail, "HTTP 200");
        assert_eq!(f.latency, Some(Duration::from_micros(3120)));
    }

    #[test]
    fn http_error_is_down_with_the_code() {
        let f = judge(&out(0, "503 0.001", ""), T);
        assert_eq!((f.status, f.detail.as_str()), (Status::Down, "HTTP 503"));
    }

    #[test]
    fn refused_and_timeout_are_down_with_the_reason() {
        let f = judge(&out(7, "000 0.000211", "curl: (7) Failed to connect to 127.0.0.1 port 42103 after 0 ms: Couldn't connect to server"), T);
        assert_eq!(
            (f.status, f.detail.as_str()),
            (Status::Down, "connection refused")
        );
        let f = judge(
            &out(
                28,
                "000 4.001",
                "curl: (28) Operation timed out after 4001 milliseconds with 0 bytes received",
            ),
            T,
        );
        assert_eq!(
            (f.status, f.detail.as_str()),
            (Status::Down, "timed out after 4 s with no answer")
        );
    }

    #[test]
    fn slow_answer_is_degraded() {
        let f = judge(&out(0, "200 2.5", ""), T);
        assert_eq!(f.status, Status::Degraded);
    }

    #[test]
    fn malformed_output_is_unknown_not_up() {
        for s in ["", "garbage", "000 0.1"] {
            assert_eq!(judge(&out(0, s, ""), T).status, Status::Unknown, "{s:?}");
        }
    }

    #[test]
    fn other_exit_codes_keep_curls_message() {
        let f = judge(
            &out(
                3,
                "000 0",
                "curl: (3) URL using bad/illegal format or missing URL\n",
            ),
            T,
        );
        assert_eq!(
            f.detail,
            "curl exit 3: curl: (3) URL using bad/illegal format or missing URL"
        );
    }
}
