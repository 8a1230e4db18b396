//! The public edge (Caddy's `/healthz`), fetched from the gateway itself with TLS verified, as the
//! playbook's `curl -sI https://ciam.<domain>/healthz` does from the responder's machine.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use wire::Status;

use super::settings::EdgeSettings;
use super::{Finding, HttpUrl};

/// An HTTPS client for one edge URL: its own trust roots and, optionally, a pinned address.
#[derive(Debug)]
pub struct EdgeClient {
    url: HttpUrl,
    client: reqwest::Client,
    timeout: Duration,
}

impl EdgeClient {
    pub fn new(settings: &EdgeSettings, timeout: Duration) -> anyhow::Result<Self> {
        let url = settings.url.clone();
        let mut builder = crate::outbound::builder(timeout);
        if let Some(ca) = &settings.ca_bundle {
            let pem = std::fs::read(ca).map_err(|e| {
                anyhow::anyhow!(
                    "edge `{}`: cannot read ca_bundle {}: {e}",
                    settings.name,
                    ca.display()
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                anyhow::anyhow!(
                    "edge `{}`: ca_bundle {} is not PEM: {e}",
                    settings.name,
                    ca.display()
                )
            })?;
            if certs.is_empty() {
                anyhow::bail!(
                    "edge `{}`: ca_bundle {} holds no certificate",
                    settings.name,
                    ca.display()
                );
            }
            // A configured bundle replaces the system's roots: trust exactly what the operator named.
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(ip) = settings.resolve {
            builder = builder.resolve(url.host(), SocketAddr::new(ip, url.port()));
        }
        Ok(EdgeClient {
            client: builder.build()?,
            url,
            timeout,
        })
    }

    /// "/healthz" or the URL's path, for the check's name.
    pub fn url_path_label(&self) -> String {
        let s = self.url.as_str();
        let after_scheme = s.split_once("://").map_or(s, |(_, r)| r);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".into(),
        }
    }

    pub async fn probe(&self) -> Finding {
        let started = Instant::now();
        let result = self.client.get(self.url.as_str()).send().await;
        let took = started.elapsed();
        let finding = match result {
            Ok(resp) => {
                let code = resp.status().as_u16();
                match code {
                    200..=299 => Finding::new(Status::Up, format!("HTTP {code}")),
                    300..=399 => Finding::new(
                        Status::Degraded,
                        format!("HTTP {code}: redirected, not a health answer"),
                    ),
                    _ => Finding::new(Status::Down, format!("HTTP {code}")),
                }
            }
            Err(e) => Finding::new(Status::Down, describe(&e, self.timeout, &self.url)),
        };
        finding.with_latency(took)
    }
}

/// One sentence from a reqwest error, for the responder who reads the board.
///
/// The outer layers only say "error sending request"; the innermost causes say what happened, but
/// in rustls's and webpki's Debug spelling (`invalid peer certificate: Other(OtherError(
/// CaUsedAsEndEntity))`). The cause is therefore found by type and put into words here, and
/// anything unforeseen falls back to words built from its name, never to Debug output.
fn describe(e: &reqwest::Error, timeout: Duration, url: &HttpUrl) -> String {
    if e.is_timeout() {
        return format!("timed out after {} s with no answer", timeout.as_secs());
    }
    describe_cause(e, url)
}

mod words;
use words::*;

#[cfg(test)]
mod tests;
