//! The incident channel: Slack-compatible incoming-webhook posts over rustls.
//!
//! One attempt is one POST of `{"text": …}`. A 2xx is delivered. A 429, a 5xx, a timeout or a
//! network error is worth retrying; any other status (a 404 for a deleted webhook, a 400 for a bad
//! payload) will not get better by waiting and fails the delivery at once. The webhook URL is a
//! credential: it is never logged, never sent to browsers, and stripped from every error.

use std::time::Duration;

use crate::mask::mask_secrets;
use crate::values::WebhookUrl;

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Try again later; the reason, masked.
    Retry(String),
    /// Give up; the reason, masked.
    Fatal(String),
}

/// Escapes text for Slack's `mrkdwn`: `&`, `<` and `>` would otherwise let a title mention
/// `<!channel>` or forge a link.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON body of a post.
pub fn payload(text: &str) -> String {
    serde_json::json!({ "text": text }).to_string()
}

/// Posts to one webhook.
#[derive(Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: String,
}

impl Webhook {
    pub fn new(url: &WebhookUrl, timeout: Duration) -> anyhow::Result<Webhook> {
        let client = crate::outbound::builder(timeout).build()?;
        Ok(Webhook {
            client,
            url: url.expose().to_string(),
        })
    }

    pub async fn post(&self, body: &str) -> Attempt {
        let sent = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(self.clean(&crate::outbound::describe(e))),
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Delivered;
        }
        let text = response.text().await.unwrap_or_default();
        let short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = short.chars().take(160).collect();
        let reason = self.clean(&format!("HTTP {}: {short}", status.as_u16()));
        if crate::outbound::retryable(status) {
            Attempt::Retry(reason)
        } else {
            Attempt::Fatal(reason)
        }
    }

    /// Masks secrets and removes the webhook URL (and its path, which is the credential).
    fn clean(&self, text: &str) -> String {
        let mut out = text.replace(&self.url, "<webhook>");
        if let Some(path_start) = self.url.find("://").and_then(|i| {
            self.url[i + 3..]
                .find('/')
                .map(|p| i + 3 + p)
                .filter(|p| self.url.len() - p > 1)
        }) {
            out = out.replace(&self.url[path_start..], "/<webhook path>");
        }
        mask_secrets(out.trim())
    }
}

/// The wait before retry `n` (1-based): `base`, doubled each time, at most five minutes.
pub fn backoff(base: Duration, n: u32) -> Duration {
    let factor = 1u32 << n.saturating_sub(1).min(16);
    (base * factor).min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_control_sequences_are_escaped() {
        assert_eq!(
            escape("<!channel> & <http://x|y>"),
            "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
        );
        assert_eq!(payload("a\"b"), r#"{"text":"a\"b"}"#);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Duration::from_millis(100);
        assert_eq!(backoff(b, 1), b);
        assert_eq!(backoff(b, 3), b * 4);
        assert_eq!(backoff(b, 40), Duration::from_secs(300));
    }

    #[test]
    fn errors_never_carry_the_url() {
        let url = WebhookUrl::parse("http://127.0.0.1:9/services/T000/B000/SECRETPART").unwrap();
        let w = Webhook::new(&url, Duration::from_secs(1)).unwrap();
        let cleaned = w.clean("error sending request for url (http://127.0.0.1:9/services/T000/B000/SECRETPART) and /services/T000/B000/SECRETPART");
        assert!(!cleaned.contains("SECRETPART"), "{cleaned}");
    }
}
