//! The incident channel's webhook URL: a credential (Slack's carry their secret in the path), so it
//! is checked once at load and never shown, not even in a debug print.

use super::HttpUrl;

#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// HTTPS, or plain HTTP to a loopback address (a local relay, the tests' receiver). Credentials
    /// in the path are fine; `user:pass@` is not. Errors never quote the URL.
    pub fn parse(url: &str) -> Result<WebhookUrl, String> {
        let parsed = HttpUrl::parse(url).map_err(|m| m.replace(url, "the webhook URL"))?;
        let loopback = matches!(parsed.host(), "127.0.0.1" | "localhost" | "[::1]");
        if !url.starts_with("https://") && !loopback {
            return Err("must be https:// (plain http:// only to 127.0.0.1 or localhost)".into());
        }
        Ok(WebhookUrl(url.to_string()))
    }

    /// The URL itself, for the one place that posts to it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookUrl(<secret>)")
    }
}

impl TryFrom<String> for WebhookUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        WebhookUrl::parse(&s)
    }
}

deserialize_by_parse!(WebhookUrl);

#[cfg(test)]
mod tests {
    use super::WebhookUrl;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/xyz").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook").is_ok());
        let e = WebhookUrl::parse("http://hooks.example/services/secret").unwrap_err();
        assert!(e.contains("https://"), "{e}");
        let e = WebhookUrl::parse("ftp://x/secretpath").unwrap_err();
        assert!(!e.contains("secretpath"), "the URL is a secret: {e}");
    }

    #[test]
    fn never_shown_in_a_debug_print() {
        let url = WebhookUrl::parse("https://hooks.slack.com/services/T/B/SECRET").unwrap();
        assert!(!format!("{url:?}").contains("SECRET"));
    }
}
