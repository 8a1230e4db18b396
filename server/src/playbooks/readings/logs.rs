//! A container's last log lines (`podman logs --tail N`), masked, with the lines that say one of
//! the step's patterns counted, and the reasons Kratos gives for CSRF rejections gathered.

use crate::mask::mask_secrets;

/// At most this many matching lines are kept to show.
pub const SHOWN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReading {
    /// Lines read.
    pub read: usize,
    /// Lines that contain at least one pattern.
    pub matches: usize,
    /// Per pattern, how many lines contain it, in the step's order.
    pub per_pattern: Vec<(String, usize)>,
    /// The last matching lines, masked, oldest first.
    pub shown: Vec<String>,
    /// Distinct `reject_reason` values Kratos logged (its anti-CSRF check says why: cookie
    /// domain, base URL, SameSite, HTTPS), in order of first appearance.
    pub reject_reasons: Vec<String>,
}

/// Reads the output; patterns match as plain text, case-sensitively (as `grep -F` would).
pub fn read(output: &str, patterns: &[String]) -> LogReading {
    let mut per_pattern: Vec<(String, usize)> = patterns.iter().map(|p| (p.clone(), 0)).collect();
    let mut matching = Vec::new();
    let mut reject_reasons: Vec<String> = Vec::new();
    let mut read = 0;
    for line in output.lines() {
        read += 1;
        let mut hit = false;
        for (pattern, count) in &mut per_pattern {
            if line.contains(pattern.as_str()) {
                *count += 1;
                hit = true;
            }
        }
        if let Some(reason) = reject_reason(line) {
            let reason = mask_secrets(&reason);
            if !reject_reasons.contains(&reason) {
                reject_reasons.push(reason);
            }
        }
        if hit {
            matching.push(line);
        }
    }
    let matches = matching.len();
    let shown = matching[matches.saturating_sub(SHOWN)..]
        .iter()
        .map(|l| mask_secrets(&l.chars().take(500).collect::<String>()))
        .collect();
    LogReading {
        read,
        matches,
        per_pattern,
        shown,
        reject_reasons,
    }
}

/// Kratos logs JSON; the rejection's reason is a string field `reject_reason`.
fn reject_reason(line: &str) -> Option<String> {
    let at = line.find("\"reject_reason\"")?;
    let rest = line[at + "\"reject_reason\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    let reason = &rest[..end];
    (!reason.is_empty()).then(|| reason.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Kratos v1.3 logs JSON lines (trimmed); one carries a DSN with a password.
    const KRATOS: &str = r#"{"level":"info","msg":"Courier worker started.","time":"2026-12-02T10:00:00Z"}
{"level":"error","msg":"unable to connect","error":"failed to connect to `host=olympus-postgres user=kratos database=kratos`: TLS handshake failed: certificate verify failed","dsn":"postgres://kratos:hunter2@olympus-postgres:5432/kratos"}
{"level":"info","audience":"audit","msg":"A request failed due to a missing or invalid csrf_token value","reject_reason":"The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.","http_request":{"method":"POST","path":"/self-service/login"}}
{"level":"info","audience":"audit","msg":"A request failed due to a missing or invalid csrf_token value","reject_reason":"The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow."}
{"level":"error","msg":"TLS handshake failed: certificate verify failed"}
"#;

    #[test]
    fn matching_lines_are_counted_per_pattern_and_shown_masked() {
        let r = read(
            KRATOS,
            &words(&["TLS handshake failed", "certificate verify failed"]),
        );
        assert_eq!(r.read, 5);
        assert_eq!(r.matches, 2);
        assert_eq!(
            r.per_pattern,
            [
                ("TLS handshake failed".to_owned(), 2),
                ("certificate verify failed".to_owned(), 2)
            ]
        );
        assert!(
            r.shown.iter().all(|l| !l.contains("hunter2")),
            "{:?}",
            r.shown
        );
    }

    #[test]
    fn csrf_rejections_say_why() {
        let r = read(KRATOS, &words(&["security_csrf_violation"]));
        assert_eq!(r.matches, 0);
        assert_eq!(r.reject_reasons.len(), 1, "one distinct reason");
        assert!(r.reject_reasons[0].starts_with("The HTTP Cookie Header was set"));
    }

    #[test]
    fn only_the_last_matching_lines_are_kept() {
        let many: String = (0..100).map(|n| format!("line {n} 500\n")).collect();
        let r = read(&many, &words(&[" 500"]));
        assert_eq!((r.read, r.matches, r.shown.len()), (100, 100, SHOWN));
        assert_eq!(r.shown.last().map(String::as_str), Some("line 99 500"));
        assert_eq!(read("", &words(&["x"])).read, 0);
    }
}
