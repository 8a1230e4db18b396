//! The one way the gateway builds an HTTP client for a service it was configured to call (the
//! edge probes, the incident channel, the ticket API): rustls, one timeout for connecting and for
//! the whole call, Aegis's user agent, and no redirects followed. A redirect is never followed
//! because it could carry a webhook URL or a token to a host nobody configured, and because a
//! health answer is the page itself: a redirect is a finding.

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
