//! The certificate probes: what the database and each public name present, read with the host's
//! `openssl` (`s_client` for the handshake and its verdict, `x509` for the dates and names).
//!
//! A CA bundle configured on the gateway is handed to `s_client` on its stdin
//! (`-CAfile /dev/stdin`): it is read before the connection opens, the file never has to exist on
//! the host, and `s_client` then sees the end of its input and closes after the handshake.

use std::path::Path;

use wire::{FieldValue, ProbeResult};

use super::{fields, log_tail, run_both, ProbeContext};
use crate::playbooks::readings::certificate::{self, CertificateReading};
use crate::remote::RemoteCommand;

/// `[database] tls_address`'s certificate, through PostgreSQL's STARTTLS.
pub(super) async fn database(cx: &ProbeContext<'_>) -> Result<ProbeResult, String> {
    let db = cx
        .config
        .database
        .ok_or("this config has no [database]: the database certificate cannot be checked here")?;
    let at = db.tls_address.as_ref().ok_or(
        "set [database] tls_address (where the host reaches PostgreSQL, e.g. \"127.0.0.1:5432\") to check its certificate",
    )?;
    let reading = fetch(
        cx,
        &at.to_string(),
        None,
        Some("postgres"),
        db.ca_bundle.as_deref(),
    )
    .await?;
    let name = at.host().trim_start_matches('[').trim_end_matches(']');
    Ok(result(
        &reading,
        name,
        &format!("the database at {at}"),
        Vec::new(),
    ))
}

/// The certificate the edge named `edge` serves for its public name, and what its web server
/// last logged about ACME and TLS.
pub(super) async fn served(cx: &ProbeContext<'_>, edge: &str) -> Result<ProbeResult, String> {
    let e = cx
        .config
        .edges
        .iter()
        .find(|e| e.name == edge)
        .ok_or_else(|| format!("this config has no [[edge]] `{edge}`: the step cannot run here"))?;
    let name = e.url.host();
    let target = match e.resolve {
        Some(std::net::IpAddr::V6(ip)) => format!("[{ip}]:{}", e.url.port()),
        Some(ip) => format!("{ip}:{}", e.url.port()),
        None => format!("{name}:{}", e.url.port()),
    };
    let reading = fetch(cx, &target, Some(name), None, e.ca_bundle.as_deref()).await?;
    let mut extra = Vec::new();
    if let Some(container) = &e.container {
        match run_both(cx, &log_tail(cx, container.as_str(), 300, None)).await {
            Ok(out) => {
                let tls_lines = acme_or_tls(&out);
                if tls_lines.is_empty() {
                    extra.push(format!("{container}: no recent log line about ACME or TLS"));
                }
                extra.extend(tls_lines.into_iter().map(|l| format!("{container}: {l}")));
            }
            Err(why) => extra.push(format!("{container}'s log could not be read: {why}")),
        }
    }
    Ok(result(&reading, name, &format!("https://{name}"), extra))
}

/// The typed result every certificate probe gives.
fn result(r: &CertificateReading, name: &str, what: &str, extra: Vec<String>) -> ProbeResult {
    let until = jiff::Timestamp::from_millisecond(r.not_after_ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let when = if r.expired {
        match -r.days_left - 1 {
            0 => format!("expired less than a day ago ({until})"),
            1 => format!("expired 1 day ago ({until})"),
            d => format!("expired {d} days ago ({until})"),
        }
    } else {
        match r.days_left {
            0 => format!("expires within a day ({until})"),
            1 => format!("expires in 1 day ({until})"),
            d => format!("valid for {d} more days ({until})"),
        }
    };
    let trust = match &r.verified {
        Ok(()) => "trusted".to_owned(),
        Err(why) => format!("not trusted: {why}"),
    };
    let matches = r.covers(name);
    let mut summary = format!("{what}: {when}; issued by {}; {trust}", r.issuer);
    if !matches {
        summary.push_str(&format!("; does not cover {name}"));
    }
    let mut details = vec![
        format!("subject: {}", r.subject),
        format!("issuer: {}", r.issuer),
        format!("not after: {until}"),
        format!("names: {}", r.names.join(", ")),
        format!("verification: {trust}"),
    ];
    details.extend(extra);
    ProbeResult {
        fields: fields([
            ("reachable", FieldValue::Flag(true)),
            ("expired", FieldValue::Flag(r.expired)),
            ("days_left", FieldValue::Number(r.days_left)),
            ("matches_name", FieldValue::Flag(matches)),
            ("trusted", FieldValue::Flag(r.verified.is_ok())),
        ]),
        summary,
        details,
    }
}

/// Runs `openssl s_client` against `target`, then `openssl x509` on the certificate it showed.
async fn fetch(
    cx: &ProbeContext<'_>,
    target: &str,
    server_name: Option<&str>,
    starttls: Option<&str>,
    ca_bundle: Option<&Path>,
) -> Result<CertificateReading, String> {
    let mut hello = RemoteCommand::new("openssl", cx.command_timeout())
        .arg("s_client")
        .arg("-connect")
        .arg(target)
        .arg("-showcerts");
    if let Some(name) = server_name {
        hello = hello.arg("-servername").arg(name);
    }
    if let Some(protocol) = starttls {
        hello = hello.arg("-starttls").arg(protocol);
    }
    if let Some(path) = ca_bundle {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "the CA bundle {} cannot be read on the gateway: {e}",
                path.display()
            )
        })?;
        hello = hello.arg("-CAfile").arg("/dev/stdin").stdin(pem);
    }
    let out = cx.host.run(&hello).await.map_err(|e| e.to_string())?;
    let Some(pem) = first_pem(&out.stdout) else {
        return Err(format!(
            "no TLS certificate from {target} (openssl s_client exited with {}): {}",
            out.code,
            no_certificate_why(&out.stderr)
        ));
    };
    let x509 = RemoteCommand::new("openssl", cx.command_timeout())
        .arg("x509")
        .arg("-noout")
        .arg("-enddate")
        .arg("-issuer")
        .arg("-subject")
        .arg("-ext")
        .arg("subjectAltName")
        .stdin(pem);
    let details = super::run_on_host(cx, &x509).await?;
    certificate::read(&format!("{}\n{details}", verdict(&out.stdout)), cx.now_ms)
        .map_err(|e| e.to_string())
}

/// Why `s_client` got no certificate, from its stderr, in words.
fn no_certificate_why(stderr: &str) -> String {
    if stderr.contains("Connection refused") || stderr.contains("errno=111") {
        return "connection refused: nothing listens there".into();
    }
    if stderr.contains("Name or service not known") || stderr.contains("getaddrinfo") {
        return "the host name does not resolve on the host".into();
    }
    if stderr.contains("Didn't find STARTTLS") || stderr.contains("wrong version number") {
        return "the server does not offer TLS there".into();
    }
    let last = stderr
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("no certificate in the answer");
    last.chars().take(200).collect()
}

/// The first certificate `s_client -showcerts` printed: the server's own.
fn first_pem(out: &str) -> Option<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = out.find(BEGIN)?;
    let end = out[start..].find(END)? + start + END.len();
    Some(format!("{}\n", &out[start..end]))
}

/// `s_client`'s "Verify return code" line, the only part of its output the reader needs besides
/// what `x509` prints (its own issuer and subject lines would be read first otherwise).
fn verdict(out: &str) -> String {
    out.lines()
        .rfind(|l| l.trim_start().starts_with("Verify return code:"))
        .unwrap_or("")
        .to_owned()
}

/// The last log lines that mention ACME or TLS (certificate management), masked, at most 8.
fn acme_or_tls(log: &str) -> Vec<String> {
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            lower.contains("acme") || lower.contains("tls")
        })
        .collect();
    lines[lines.len().saturating_sub(8)..]
        .iter()
        .map(|l| crate::mask::mask_secrets(&l.chars().take(400).collect::<String>()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_certificate_is_the_first_one_shown() {
        let out = "CONNECTED(00000003)\n---\nCertificate chain\n 0 s:CN = a\n-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n 1 s:CN = ca\n-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n---\nVerify return code: 0 (ok)\n";
        assert_eq!(
            first_pem(out).unwrap(),
            "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(verdict(out), "Verify return code: 0 (ok)");
        assert_eq!(first_pem("connect:errno=111"), None);
    }

    #[test]
    fn only_acme_and_tls_lines_of_the_web_server_are_kept() {
        let log = "{\"level\":\"info\",\"logger\":\"tls.obtain\",\"msg\":\"acquiring lock\"}\n{\"level\":\"info\",\"msg\":\"serving initial configuration\"}\n{\"level\":\"error\",\"logger\":\"http.acme_client\",\"msg\":\"challenge failed\"}\n";
        let kept = acme_or_tls(log);
        assert_eq!(kept.len(), 2);
        assert!(kept[1].contains("challenge failed"));
    }
}
