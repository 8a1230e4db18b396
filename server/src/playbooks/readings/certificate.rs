//! A certificate as `openssl` prints it: the end of `openssl s_client` (its verification result)
//! followed by `openssl x509 -noout -enddate -issuer -subject -ext subjectAltName`.

use jiff::Timestamp;

use super::Unreadable;

const DAY_MS: i64 = 86_400_000;

/// What the responder and the decision need to know about a served certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateReading {
    pub not_after_ms: i64,
    /// Whole days until it expires; negative once expired.
    pub days_left: i64,
    pub expired: bool,
    pub issuer: String,
    pub subject: String,
    /// The DNS names and IP addresses it covers (subjectAltName), for "matches the name".
    pub names: Vec<String>,
    /// `openssl s_client`'s verdict against the CA bundle it was given: `Ok`, or its reason.
    pub verified: Result<(), String>,
}

impl CertificateReading {
    /// Whether it covers `name` (exactly, or by a one-label wildcard).
    pub fn covers(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.names.iter().any(|n| {
            let n = n.to_ascii_lowercase();
            n == name
                || n.strip_prefix("*.").is_some_and(|base| {
                    name.split_once('.')
                        .is_some_and(|(label, rest)| !label.is_empty() && rest == base)
                })
        })
    }
}

/// Reads the output; `now_ms` is the gateway's clock.
pub fn read(output: &str, now_ms: i64) -> Result<CertificateReading, Unreadable> {
    let field = |key: &str| {
        output
            .lines()
            .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_owned()))
    };
    let not_after = field("notAfter=").ok_or_else(|| {
        Unreadable(
            "no certificate came back (no notAfter line): the server may not speak TLS there"
                .into(),
        )
    })?;
    let not_after_ms = parse_openssl_time(&not_after)
        .ok_or_else(|| Unreadable(format!("unreadable expiry `{}`", short(&not_after))))?;
    let verified = match field("Verify return code:") {
        Some(v) if v.starts_with("0 ") || v == "0" => Ok(()),
        Some(v) => Err(v),
        None => Err("not verified (no verification result)".to_owned()),
    };
    let names = output
        .lines()
        .skip_while(|l| !l.contains("X509v3 Subject Alternative Name"))
        .nth(1)
        .map(|l| {
            l.split(',')
                .filter_map(|n| {
                    let n = n.trim();
                    n.strip_prefix("DNS:")
                        .or_else(|| n.strip_prefix("IP Address:"))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let left = not_after_ms - now_ms;
    Ok(CertificateReading {
        not_after_ms,
        days_left: left.div_euclid(DAY_MS),
        expired: left <= 0,
        issuer: field("issuer=").unwrap_or_default(),
        subject: field("subject=").unwrap_or_default(),
        names,
        verified,
    })
}

/// `Dec  2 17:00:00 2027 GMT`, as `openssl x509 -enddate` prints it.
fn parse_openssl_time(s: &str) -> Option<i64> {
    let squeezed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let ts: Timestamp = jiff::fmt::strtime::parse("%b %d %H:%M:%S %Y GMT", &squeezed)
        .ok()?
        .to_datetime()
        .ok()?
        .in_tz("UTC")
        .ok()?
        .timestamp();
    Some(ts.as_millisecond())
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `echo | openssl s_client -connect db:5432 -starttls postgres -CAfile ca.pem 2>/dev/null`
    /// (its tail) then `openssl x509 -noout -enddate -issuer -subject -ext subjectAltName`, from
    /// OpenSSL 3.0 on Debian 12.
    const EXPIRED: &str = "\
---
SSL handshake has read 1466 bytes and written 434 bytes
Verification error: certificate has expired
---
New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
Server public key is 2048 bit
Verify return code: 10 (certificate has expired)
---
notAfter=Nov 30 12:00:00 2026 GMT
issuer=CN = Olympus Database CA
subject=CN = olympus-postgres
X509v3 Subject Alternative Name: 
    DNS:olympus-postgres, DNS:localhost, IP Address:127.0.0.1
";

    const NOW: i64 = 1_796_216_400_000; // 2026-12-02 13:00:00 UTC

    #[test]
    fn an_expired_database_certificate() {
        let r = read(EXPIRED, NOW).unwrap();
        assert!(r.expired);
        assert_eq!(r.days_left, -3, "expired two days and a bit ago");
        assert_eq!(r.issuer, "CN = Olympus Database CA");
        assert_eq!(r.subject, "CN = olympus-postgres");
        assert_eq!(r.names, ["olympus-postgres", "localhost", "127.0.0.1"]);
        assert!(r.covers("127.0.0.1") && !r.covers("127.0.0.2"));
        assert_eq!(r.verified, Err("10 (certificate has expired)".into()));
        assert!(r.covers("olympus-postgres") && !r.covers("db.example"));
    }

    #[test]
    fn a_valid_one_counts_its_days_and_wildcards_cover_one_label() {
        let out = "Verify return code: 0 (ok)\nnotAfter=Jan 15 00:00:00 2027 GMT\nissuer=C = US, O = Let's Encrypt, CN = R11\nsubject=CN = *.olympus.example\nX509v3 Subject Alternative Name: \n    DNS:*.olympus.example, DNS:olympus.example\n";
        let r = read(out, NOW).unwrap();
        assert!(!r.expired);
        assert_eq!(r.days_left, 43);
        assert_eq!(r.verified, Ok(()));
        assert!(r.covers("ciam.olympus.example"));
        assert!(r.covers("olympus.example"));
        assert!(!r.covers("a.b.olympus.example"));
        assert!(!r.covers(".olympus.example"));
    }

    #[test]
    fn output_without_a_certificate_is_refused_in_words() {
        let err = read("", NOW).unwrap_err();
        assert!(err.0.contains("no certificate came back"), "{err}");
        let err = read("notAfter=someday\n", NOW).unwrap_err();
        assert!(err.0.contains("unreadable expiry `someday`"), "{err}");
        // No verification line: not trusted, but still read.
        let r = read("notAfter=Jan 15 00:00:00 2027 GMT\n", NOW).unwrap();
        assert!(r.verified.is_err() && r.names.is_empty());
    }
}
