//! How a call to the gateway failed: its status, its stable code and one sentence for the user,
//! taken from the gateway's `ApiError` when the answer carries one.

use std::fmt;

use wire::ApiError;

/// Why a call failed, in a form the views can both branch on and print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The HTTP status; 0 when no answer arrived (network) or the answer was unreadable.
    pub status: u16,
    /// The gateway's stable code (`forbidden`, `gone`, ...), or `network` / `unexpected`.
    pub code: String,
    /// One sentence for the user.
    pub message: String,
}

impl ApiFailure {
    /// The session is over (logout elsewhere, expiry, account disabled).
    pub fn signed_out(&self) -> bool {
        self.status == 401
    }

    /// An expired or revoked share link (410), or one that never existed (404).
    pub fn gone(&self) -> bool {
        self.status == 410 || self.status == 404 || self.code == "gone"
    }

    /// Builds the failure for a non-2xx answer: the gateway's `ApiError` when the body is one,
    /// otherwise "HTTP 503 Service Unavailable: <first body line>" (a proxy's error page).
    pub fn from_answer(status: u16, reason: &str, body: &str) -> Self {
        if let Ok(ApiError { error, message }) = serde_json::from_str::<ApiError>(body) {
            return ApiFailure {
                status,
                code: error,
                message,
            };
        }
        let mut line = format!("HTTP {status}");
        if !reason.is_empty() {
            line.push(' ');
            line.push_str(reason);
        }
        if let Some(first) = body.lines().map(str::trim).find(|l| !l.is_empty()) {
            line.push_str(": ");
            line.extend(first.chars().take(160));
        }
        ApiFailure {
            status,
            code: "http".to_owned(),
            message: line,
        }
    }

    pub(super) fn network(e: gloo_net::Error) -> Self {
        ApiFailure {
            status: 0,
            code: "network".to_owned(),
            message: format!("Cannot reach the gateway: {e}"),
        }
    }

    pub(super) fn unexpected(what: &str, e: impl fmt::Display) -> Self {
        ApiFailure {
            status: 0,
            code: "unexpected".to_owned(),
            message: format!("Unexpected {what} response: {e}"),
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_the_gateways_message() {
        let body = r#"{"error":"rate_limited","message":"Too many attempts; try again in 5 min."}"#;
        let failure = ApiFailure::from_answer(429, "Too Many Requests", body);
        assert_eq!(failure.code, "rate_limited");
        assert_eq!(
            failure.to_string(),
            "Too many attempts; try again in 5 min."
        );
        assert!(!failure.signed_out());

        let gone = ApiFailure::from_answer(410, "Gone", r#"{"error":"gone","message":"x"}"#);
        assert!(gone.gone());
        assert!(ApiFailure::from_answer(401, "", "{}").signed_out());
    }

    #[test]
    fn other_errors_become_one_status_line() {
        let failure = ApiFailure::from_answer(502, "Bad Gateway", "\n  <html>proxy error\nmore");
        assert_eq!(failure.message, "HTTP 502 Bad Gateway: <html>proxy error");
        assert_eq!(failure.code, "http");
        assert_eq!(ApiFailure::from_answer(500, "", "").message, "HTTP 500");
    }
}
