//! The one way the gateway builds an HTTP client for a service it was configured to call (the
//! edge probes, the incident channel, the ticket API): rustls, one timeout for connecting and for
//! the whole call, Aegis's user agent, and no redirects followed. A redirect is never followed
//! because it could carry a webhook URL or a token to a host nobody configured, and because a
//! health answer is the page itself: a redirect is a finding. A failed call is told the same way
//! for all of them ([`describe`], [`retryable`]).

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

/// A builder with those settings; callers add what is theirs (a CA bundle) and build it.
pub fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("aegis/", env!("CARGO_PKG_VERSION")))
}

/// What a failed call was, in words and without its URL (which may be a credential): the kind
/// ("timed out", "could not connect", "request failed") and every cause below reqwest's own
/// "error sending request", on one line.
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut parts: Vec<String> = Vec::new();
    for cause in causes(&e) {
        let text = cause.to_string();
        // Wrappers often repeat their source's text.
        if parts.last() != Some(&text) {
            parts.push(text);
        }
    }
    let mut text = format!("{kind}: {}", parts.join(": "));
    text.retain(|c| !c.is_control());
    text
}

/// An answer worth trying again later: the server failed (5xx), or asked to be called again
/// (429 Too Many Requests, 408 Request Timeout).
pub fn retryable(status: reqwest::StatusCode) -> bool {
    status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408
}

/// Every error in the chain, outermost first. `io::Error::source()` skips the error it wraps (it
/// returns that error's own source), and the wrapped one is where hyper-rustls puts the rustls
/// error (inside a second `io::Error`, in reqwest 0.12), so wrapped errors are visited explicitly.
pub(crate) fn causes<'e>(e: &'e (dyn StdError + 'static)) -> Vec<&'e (dyn StdError + 'static)> {
    let mut out: Vec<&'e (dyn StdError + 'static)> = Vec::new();
    let mut cur = Some(e);
    // Bounded: a cyclic or absurdly deep chain must not hang a probe.
    while let Some(c) = cur.filter(|_| out.len() < 32) {
        out.push(c);
        cur = match c.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(wrapped) => Some(wrapped as &(dyn StdError + 'static)),
            None => c.source(),
        };
    }
    out
}
