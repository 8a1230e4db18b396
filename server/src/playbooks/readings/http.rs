//! An HTTP answer as `curl -sS -i` prints it: the status line, the headers, a blank line, the
//! body. Probes that read an admin API from the host need the status (a 307 from Kratos's admin
//! port means the URL lacks `/admin`) and a header (`X-Total-Count`) besides the body.

use super::Unreadable;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpAnswer {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads curl's `-i` output. Interim answers (`100 Continue`) are skipped.
pub fn read(output: &str) -> Result<HttpAnswer, Unreadable> {
    let mut rest = output;
    loop {
        let (head, body) = rest
            .split_once("\r\n\r\n")
            .or_else(|| rest.split_once("\n\n"))
            .unwrap_or((rest, ""));
        let mut lines = head.lines();
        let status_line = lines.next().unwrap_or("");
        let status = status_line
            .strip_prefix("HTTP/")
            .and_then(|r| r.split_whitespace().nth(1))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| {
                Unreadable(format!(
                    "no HTTP answer (got `{}`)",
                    status_line.chars().take(60).collect::<String>()
                ))
            })?;
        if (100..200).contains(&status) {
            rest = body;
            continue;
        }
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        return Ok(HttpAnswer {
            status,
            headers,
            body: body.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_headers_and_body() {
        let out =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-total-count: 12\r\n\r\n[]";
        let a = read(out).unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.header("X-Total-Count"), Some("12"));
        assert_eq!(a.body, "[]");
    }

    #[test]
    fn kratos_admin_redirect_and_interim_answers() {
        let out = "HTTP/1.1 307 Temporary Redirect\r\nLocation: /admin/courier/messages?status=queued\r\nContent-Length: 0\r\n\r\n";
        let a = read(out).unwrap();
        assert_eq!(a.status, 307);
        assert_eq!(
            a.header("location"),
            Some("/admin/courier/messages?status=queued")
        );
        let a = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/2 204 \r\n\r\n").unwrap();
        assert_eq!(a.status, 204);
    }

    #[test]
    fn output_that_is_not_http_is_refused() {
        assert!(read("").unwrap_err().0.contains("no HTTP answer"));
        assert!(read("curl: (7) Failed to connect").is_err());
    }
}
