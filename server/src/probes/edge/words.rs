//! Edge failures in words: the cause of a failed HTTPS check, found by type in the error chain
//! (rustls, webpki, io) and said as a sentence a responder can act on.

use std::error::Error as StdError;
use std::io;

use super::HttpUrl;
use crate::outbound::causes;

/// [`describe`] without reqwest: any error chain, which is what the unit tests build.
pub(super) fn describe_cause(e: &(dyn StdError + 'static), url: &HttpUrl) -> String {
    let chain = causes(e);
    if let Some(tls) = chain.iter().find_map(|c| c.downcast_ref::<rustls::Error>()) {
        return tls_sentence(tls);
    }
    // The innermost specific kind: outer `io::Error`s wrapping it are often just `Other`.
    let io_kind = chain
        .iter()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .map(io::Error::kind)
        .rfind(|k| *k != io::ErrorKind::Other);
    let (host, port) = (url.host(), url.port());
    match io_kind {
        Some(io::ErrorKind::ConnectionRefused) => {
            return format!("connection refused: nothing listens on {host} port {port}")
        }
        Some(io::ErrorKind::ConnectionReset) => {
            return "connection reset by the edge before it answered".into()
        }
        Some(io::ErrorKind::ConnectionAborted) => return "connection aborted".into(),
        Some(io::ErrorKind::TimedOut) => {
            return format!("timed out connecting to {host} port {port}")
        }
        Some(io::ErrorKind::HostUnreachable) => return format!("host {host} is unreachable"),
        Some(io::ErrorKind::NetworkUnreachable) => {
            return format!("network unreachable: no route to {host}")
        }
        Some(io::ErrorKind::UnexpectedEof) => {
            return "the edge closed the connection before answering".into()
        }
        _ => {}
    }
    let all = chain
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .to_ascii_lowercase();
    if [
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
        "nodename nor servname",
    ]
    .iter()
    .any(|s| all.contains(s))
    {
        format!("host name {host} does not resolve (DNS lookup failed)")
    } else if all.contains("connection refused") {
        format!("connection refused: nothing listens on {host} port {port}")
    } else if all.contains("connection closed before message completed")
        || all.contains("incomplete message")
    {
        "the edge closed the connection before answering".into()
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        "TLS handshake failed".into()
    } else {
        match chain.last().map(|c| c.to_string()) {
            Some(last) if !looks_like_debug(&last) => last,
            _ => "request to the edge failed".into(),
        }
    }
}

/// A rustls failure in words.
pub(super) fn tls_sentence(e: &rustls::Error) -> String {
    use rustls::{Error, InvalidMessage};
    match e {
        Error::InvalidCertificate(c) => certificate_sentence(c),
        Error::NoCertificatesPresented => {
            "TLS handshake failed: the edge presented no certificate".into()
        }
        Error::AlertReceived(alert) => alert_sentence(*alert),
        Error::InvalidMessage(InvalidMessage::InvalidContentType)
        | Error::InvalidMessage(InvalidMessage::UnknownProtocolVersion) => {
            "TLS handshake failed: the edge did not answer in TLS (plain HTTP on an HTTPS port?)"
                .into()
        }
        Error::InvalidMessage(_) => {
            "TLS handshake failed: the edge sent a malformed TLS message".into()
        }
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            "TLS handshake failed: the edge sent an unexpected TLS message".into()
        }
        Error::PeerIncompatible(_) => {
            "TLS handshake failed: the edge and the gateway share no TLS version, cipher suite or key exchange".into()
        }
        Error::PeerMisbehaved(_) => "TLS handshake failed: the edge broke the TLS protocol".into(),
        Error::DecryptError => "TLS failed: the edge's data did not decrypt".into(),
        Error::PeerSentOversizedRecord => {
            "TLS failed: the edge sent a record larger than TLS allows".into()
        }
        Error::NoApplicationProtocol => {
            "TLS handshake failed: no HTTP version in common with the edge".into()
        }
        Error::InvalidCertRevocationList(_) => {
            "certificate not checked: a certificate revocation list is invalid".into()
        }
        Error::FailedToGetCurrentTime => {
            "certificate not checked: the gateway cannot read its clock".into()
        }
        other => format!("TLS handshake failed: {}", words_of(&format!("{other:?}"))),
    }
}

/// A certificate the gateway refused, in words. "certificate not trusted" leads every case where
/// the chain does not lead to a trusted CA, so a responder (and a test) can tell trust problems
/// from dates and names at a glance.
pub(super) fn certificate_sentence(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    #[allow(deprecated)] // UnsupportedSignatureAlgorithm: still produced by older verifiers.
    match c {
        C::Expired => "certificate expired".into(),
        C::ExpiredContext { not_after, .. } => {
            format!("certificate expired on {}", date(not_after.as_secs()))
        }
        C::NotValidYet => "certificate not valid yet (check the clocks)".into(),
        C::NotValidYetContext { not_before, .. } => format!(
            "certificate not valid yet: it starts on {} (check the clocks)",
            date(not_before.as_secs())
        ),
        C::NotValidForName => "certificate is for another host name".into(),
        C::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names: Vec<String> = presented.iter().filter_map(|p| presented_name(p)).collect();
            if names.is_empty() {
                format!(
                    "certificate is for another host name: it names no host, not {}",
                    expected.to_str()
                )
            } else {
                format!(
                    "certificate is for another host name: it covers {}, not {}",
                    names.join(", "),
                    expected.to_str()
                )
            }
        }
        C::UnknownIssuer => {
            "certificate not trusted: issued by an unknown CA or self-signed".into()
        }
        C::BadSignature => {
            "certificate not trusted: its signature does not match its issuer's key".into()
        }
        C::Revoked => "certificate revoked by its CA".into(),
        C::UnknownRevocationStatus => {
            "certificate not trusted: its revocation status is unknown".into()
        }
        C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => {
            "certificate not trusted: its CA's revocation list has expired".into()
        }
        C::BadEncoding => "certificate not trusted: it is malformed".into(),
        C::UnhandledCriticalExtension => {
            "certificate not trusted: it has a critical extension the gateway does not know".into()
        }
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "certificate not trusted: signed with an algorithm the gateway does not support".into()
        }
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "certificate not trusted: it is not issued for TLS servers".into()
        }
        C::InvalidOcspResponse => {
            "certificate not trusted: the edge stapled an invalid OCSP response".into()
        }
        C::ApplicationVerificationFailure => {
            "certificate rejected by the gateway's own checks".into()
        }
        C::Other(other) => webpki_sentence(&other.0.to_string()),
        other => format!(
            "certificate not trusted: {}",
            words_of(&format!("{other:?}"))
        ),
    }
}

/// webpki's rejections that rustls passes on as `CertificateError::Other`. webpki is not a direct
/// dependency (its version follows rustls), and its errors display as their variant name, so the
/// name is what is matched.
pub(super) fn webpki_sentence(shown: &str) -> String {
    let name = shown
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let why = match name {
        "CaUsedAsEndEntity" => {
            "the edge presents a CA certificate as its own (typically a self-signed one)"
        }
        "EndEntityUsedAsCa" => "its chain uses a server certificate as an issuer",
        "CertDistrusted" => "its issuer is distrusted",
        "PathLenConstraintViolated" => "its chain is longer than its CA allows",
        "NameConstraintViolation" => "its name is outside what its CA may certify",
        "MaximumPathDepthExceeded"
        | "MaximumPathBuildCallsExceeded"
        | "MaximumSignatureChecksExceeded"
        | "MaximumNameConstraintComparisonsExceeded" => "its chain is too long or tangled to check",
        "RequiredEkuNotFound" | "RequiredEkuNotFoundContext" | "EmptyEkuExtension" => {
            "it is not issued for TLS servers"
        }
        "UnsupportedCertVersion" => "its X.509 version is not supported",
        "UnsupportedCriticalExtension" => "it has a critical extension the gateway does not know",
        "SignatureAlgorithmMismatch" => "its signature algorithm does not match its key",
        "BadDer"
        | "BadDerTime"
        | "TrailingData"
        | "ExtensionValueInvalid"
        | "MalformedExtensions"
        | "MalformedDnsIdentifier"
        | "MalformedNameConstraint"
        | "InvalidSerialNumber"
        | "InvalidCertValidity" => "it is malformed",
        _ => return format!("certificate not trusted: {}", words_of(shown)),
    };
    format!("certificate not trusted: {why}")
}

/// A TLS alert from the edge: the edge, not the gateway, refused the handshake.
pub(super) fn alert_sentence(alert: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    let why = match alert {
        A::HandshakeFailure => "no cipher suite or key exchange in common",
        A::ProtocolVersion => "no TLS version in common",
        A::UnrecognisedName => "it has no certificate for this host name",
        A::CertificateRequired => "it wants a client certificate",
        A::BadCertificate
        | A::UnsupportedCertificate
        | A::CertificateUnknown
        | A::UnknownCA
        | A::CertificateExpired
        | A::CertificateRevoked => "it rejected the gateway's client certificate",
        A::InternalError => "it reported an internal error",
        A::AccessDenied => "access denied",
        A::InsufficientSecurity => "it requires stronger TLS settings",
        A::NoApplicationProtocol => "no HTTP version in common",
        other => {
            return format!(
                "TLS handshake refused by the edge: {} alert",
                words_of(&format!("{other:?}"))
            )
        }
    };
    format!("TLS handshake refused by the edge: {why}")
}

/// A name from webpki's list of the names a certificate presents (`DnsName("a.example")`,
/// `IpAddress(10.0.0.1)`), without its Debug dressing. Other kinds (directory names) say nothing
/// to a responder checking a host name.
pub(super) fn presented_name(p: &str) -> Option<String> {
    if let Some((_, rest)) = p.split_once('"') {
        return rest.rsplit_once('"').map(|(name, _)| name.to_string());
    }
    p.strip_prefix("IpAddress(")
        .and_then(|r| r.strip_suffix(')'))
        .map(str::to_string)
}

/// A certificate date, to the minute, in UTC.
pub(super) fn date(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(
            || "an unreadable date".into(),
            |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

/// Words from the leading identifier of a Debug-ish text: `ServerDoesNotSupportTls12Or13` becomes
/// "server does not support tls12 or13", `UnknownCA` "unknown CA". The last resort for variants
/// added after this was written: clumsy, but a sentence rather than `Other(OtherError(…))`.
pub(super) fn words_of(shown: &str) -> String {
    let name = shown
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = ch.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(ch);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let words: Vec<String> = words
        .into_iter()
        .map(|w| {
            if w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()) {
                w
            } else {
                w.to_ascii_lowercase()
            }
        })
        .collect();
    if words.is_empty() {
        "unknown reason".into()
    } else {
        words.join(" ")
    }
}

/// Whether a message reads like Rust Debug output rather than a sentence: a path (`a::b`) or a
/// CamelCase word (`HandshakeFailure`, `Other(OtherError(…))`), which no sentence needs.
pub(super) fn looks_like_debug(s: &str) -> bool {
    s.contains("::")
        || s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars
                    .skip_while(|c| !c.is_ascii_lowercase())
                    .any(|c| c.is_ascii_uppercase())
        })
}
