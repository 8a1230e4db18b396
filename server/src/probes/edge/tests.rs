use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::Arc;

use rustls::pki_types::{ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, Error as TlsError, ExtendedKeyPurpose, InvalidMessage,
    OtherError, PeerIncompatible, PeerMisbehaved,
};
use tokio::io::AsyncWriteExt;

use super::*;

fn url() -> HttpUrl {
    HttpUrl::parse("https://ciam.example.org/healthz").unwrap()
}

fn at(unix_seconds: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(unix_seconds))
}

/// Stands in for a `webpki::Error` inside `CertificateError::Other`: webpki 0.103 displays its
/// errors as their variant name, and that name is all the mapping reads.
#[derive(Debug)]
struct WebpkiLike(&'static str);

impl fmt::Display for WebpkiLike {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for WebpkiLike {}

fn webpki(name: &'static str) -> CertificateError {
    CertificateError::Other(OtherError(Arc::new(WebpkiLike(name))))
}

/// reqwest's shape: an outer "error sending request" whose source is an `io::Error` wrapping an
/// `io::Error` wrapping the TLS error (which `io::Error::source()` does not return).
#[derive(Debug)]
struct Outer(io::Error);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error sending request for url (https://ciam.example.org/healthz)")
    }
}

impl StdError for Outer {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

fn through_reqwest_shape(e: TlsError) -> String {
    let inner = io::Error::new(io::ErrorKind::InvalidData, e);
    describe_cause(&Outer(io::Error::other(inner)), &url())
}

/// What a responder must never read: Rust's Debug spelling.
fn assert_words(detail: &str) {
    assert!(
        !looks_like_debug(detail)
            && !detail.contains("Other")
            && !detail.contains("Error")
            && !detail.contains('{'),
        "reads like Debug output: {detail}"
    );
}

#[test]
fn every_certificate_error_is_a_sentence() {
    #[allow(deprecated)]
    let cases: Vec<(CertificateError, &str)> = vec![
        (CertificateError::Expired, "certificate expired"),
        (
            CertificateError::ExpiredContext {
                time: at(1_700_100_000),
                not_after: at(1_700_000_000),
            },
            "certificate expired on 2023-11-14 22:13 UTC",
        ),
        (
            CertificateError::NotValidYet,
            "certificate not valid yet (check the clocks)",
        ),
        (
            CertificateError::NotValidYetContext {
                time: at(1_700_000_000),
                not_before: at(1_800_000_000),
            },
            "certificate not valid yet: it starts on 2027-01-15 08:00 UTC",
        ),
        (
            CertificateError::NotValidForName,
            "certificate is for another host name",
        ),
        (
            CertificateError::NotValidForNameContext {
                expected: ServerName::try_from("ciam.example.org").unwrap().to_owned(),
                presented: vec![
                    "DnsName(\"iam.example.org\")".into(),
                    "IpAddress(10.0.0.7)".into(),
                    "DirectoryName".into(),
                ],
            },
            "certificate is for another host name: it covers iam.example.org, 10.0.0.7, not ciam.example.org",
        ),
        (
            CertificateError::UnknownIssuer,
            "certificate not trusted: issued by an unknown CA or self-signed",
        ),
        (
            CertificateError::BadSignature,
            "certificate not trusted: its signature does not match its issuer's key",
        ),
        (CertificateError::Revoked, "certificate revoked by its CA"),
        (
            CertificateError::UnknownRevocationStatus,
            "certificate not trusted: its revocation status is unknown",
        ),
        (
            CertificateError::ExpiredRevocationList,
            "certificate not trusted: its CA's revocation list has expired",
        ),
        (
            CertificateError::ExpiredRevocationListContext {
                time: at(2),
                next_update: at(1),
            },
            "certificate not trusted: its CA's revocation list has expired",
        ),
        (
            CertificateError::BadEncoding,
            "certificate not trusted: it is malformed",
        ),
        (
            CertificateError::UnhandledCriticalExtension,
            "certificate not trusted: it has a critical extension",
        ),
        (
            CertificateError::UnsupportedSignatureAlgorithm,
            "certificate not trusted: signed with an algorithm the gateway does not support",
        ),
        (
            CertificateError::UnsupportedSignatureAlgorithmContext {
                signature_algorithm_id: vec![1, 2],
                supported_algorithms: vec![],
            },
            "signed with an algorithm the gateway does not support",
        ),
        (
            CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                signature_algorithm_id: vec![1],
                public_key_algorithm_id: vec![2],
            },
            "signed with an algorithm the gateway does not support",
        ),
        (
            CertificateError::InvalidPurpose,
            "certificate not trusted: it is not issued for TLS servers",
        ),
        (
            CertificateError::InvalidPurposeContext {
                required: ExtendedKeyPurpose::ServerAuth,
                presented: vec![ExtendedKeyPurpose::ClientAuth],
            },
            "it is not issued for TLS servers",
        ),
        (
            CertificateError::InvalidOcspResponse,
            "certificate not trusted: the edge stapled an invalid OCSP response",
        ),
        (
            CertificateError::ApplicationVerificationFailure,
            "certificate rejected by the gateway's own checks",
        ),
        (
            webpki("CaUsedAsEndEntity"),
            "certificate not trusted: the edge presents a CA certificate as its own",
        ),
        (
            webpki("EndEntityUsedAsCa"),
            "certificate not trusted: its chain uses a server certificate as an issuer",
        ),
        (
            webpki("CertDistrusted"),
            "certificate not trusted: its issuer is distrusted",
        ),
        (
            webpki("PathLenConstraintViolated"),
            "certificate not trusted: its chain is longer than its CA allows",
        ),
        (
            webpki("NameConstraintViolation"),
            "certificate not trusted: its name is outside what its CA may certify",
        ),
        (
            webpki("MaximumPathDepthExceeded"),
            "certificate not trusted: its chain is too long or tangled to check",
        ),
        (
            webpki("UnsupportedCertVersion"),
            "certificate not trusted: its X.509 version is not supported",
        ),
        (
            webpki("TrailingData(Certificate)"),
            "certificate not trusted: it is malformed",
        ),
        // A webpki error this mapping has never heard of still reads as words.
        (
            webpki("SomeFutureProblem(Detail)"),
            "certificate not trusted: some future problem",
        ),
    ];
    for (err, want) in cases {
        let shown = format!("{err:?}");
        let detail = through_reqwest_shape(TlsError::InvalidCertificate(err));
        assert!(
            detail.contains(want),
            "{shown}: got {detail:?}, want {want:?}"
        );
        assert_words(&detail);
    }
}

#[test]
fn the_reported_wrong_ca_case_reads_as_words() {
    // The example: `TLS: invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))`.
    let detail = through_reqwest_shape(TlsError::InvalidCertificate(webpki("CaUsedAsEndEntity")));
    assert_eq!(
        detail,
        "certificate not trusted: the edge presents a CA certificate as its own (typically a self-signed one)"
    );
}

#[test]
fn other_tls_failures_are_sentences() {
    let cases: Vec<(TlsError, &str)> = vec![
        (
            TlsError::NoCertificatesPresented,
            "TLS handshake failed: the edge presented no certificate",
        ),
        (
            TlsError::AlertReceived(AlertDescription::HandshakeFailure),
            "TLS handshake refused by the edge: no cipher suite or key exchange in common",
        ),
        (
            TlsError::AlertReceived(AlertDescription::ProtocolVersion),
            "TLS handshake refused by the edge: no TLS version in common",
        ),
        (
            TlsError::AlertReceived(AlertDescription::UnrecognisedName),
            "it has no certificate for this host name",
        ),
        (
            TlsError::AlertReceived(AlertDescription::CertificateRequired),
            "it wants a client certificate",
        ),
        (
            TlsError::AlertReceived(AlertDescription::UnknownCA),
            "it rejected the gateway's client certificate",
        ),
        (
            TlsError::AlertReceived(AlertDescription::DecodeError),
            "TLS handshake refused by the edge: decode error alert",
        ),
        (
            TlsError::InvalidMessage(InvalidMessage::InvalidContentType),
            "the edge did not answer in TLS",
        ),
        (
            TlsError::InvalidMessage(InvalidMessage::MessageTooShort),
            "the edge sent a malformed TLS message",
        ),
        (
            TlsError::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13),
            "share no TLS version, cipher suite or key exchange",
        ),
        (
            TlsError::PeerMisbehaved(PeerMisbehaved::IncorrectBinder),
            "the edge broke the TLS protocol",
        ),
        (
            TlsError::DecryptError,
            "TLS failed: the edge's data did not decrypt",
        ),
        (
            TlsError::FailedToGetCurrentTime,
            "the gateway cannot read its clock",
        ),
        (
            TlsError::General("something odd".into()),
            "TLS handshake failed: general",
        ),
        (
            TlsError::Other(OtherError(Arc::new(WebpkiLike("ProviderTrouble")))),
            "TLS handshake failed: other",
        ),
    ];
    for (err, want) in cases {
        let shown = format!("{err:?}");
        let detail = through_reqwest_shape(err);
        assert!(
            detail.contains(want),
            "{shown}: got {detail:?}, want {want:?}"
        );
        assert_words(&detail);
    }
}

#[derive(Debug)]
struct Message(&'static str);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Message {}

#[test]
fn network_failures_are_sentences() {
    let io_cases = [
        (
            io::ErrorKind::ConnectionRefused,
            "connection refused: nothing listens on ciam.example.org port 443",
        ),
        (
            io::ErrorKind::ConnectionReset,
            "connection reset by the edge before it answered",
        ),
        (
            io::ErrorKind::TimedOut,
            "timed out connecting to ciam.example.org port 443",
        ),
        (
            io::ErrorKind::HostUnreachable,
            "host ciam.example.org is unreachable",
        ),
        (
            io::ErrorKind::NetworkUnreachable,
            "network unreachable: no route to ciam.example.org",
        ),
        (
            io::ErrorKind::UnexpectedEof,
            "the edge closed the connection before answering",
        ),
    ];
    for (kind, want) in io_cases {
        let detail = describe_cause(&Outer(io::Error::other(io::Error::from(kind))), &url());
        assert_eq!(detail, want, "{kind:?}");
    }
    let text_cases = [
        (
            "dns error: failed to lookup address information: Name or service not known",
            "host name ciam.example.org does not resolve (DNS lookup failed)",
        ),
        (
            "connection closed before message completed",
            "the edge closed the connection before answering",
        ),
        ("invalid HTTP version parsed", "invalid HTTP version parsed"),
        ("Inner(Kind(SomethingNew))", "request to the edge failed"),
    ];
    for (message, want) in text_cases {
        let detail = describe_cause(&Outer(io::Error::other(Message(message))), &url());
        assert_eq!(detail, want, "{message}");
        assert_words(&detail);
    }
}

#[test]
fn fallback_words_come_from_the_name() {
    assert_eq!(words_of("UnknownCA"), "unknown CA");
    assert_eq!(words_of("CaUsedAsEndEntity"), "ca used as end entity");
    assert_eq!(
        words_of("ServerDoesNotSupportTls12Or13"),
        "server does not support tls12 or13"
    );
    assert_eq!(words_of("TrailingData(Certificate)"), "trailing data");
    assert!(looks_like_debug(
        "invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))"
    ));
    assert!(looks_like_debug("received fatal alert: HandshakeFailure"));
    assert!(!looks_like_debug(
        "TLS handshake failed: the edge sent no certificate"
    ));
}

fn client_for(port: u16) -> EdgeClient {
    let settings = EdgeSettings {
        name: "ciam".into(),
        url: crate::values::HttpUrl::parse(&format!("https://ciam.example.org:{port}/healthz"))
            .unwrap(),
        resolve: Some("127.0.0.1".parse().unwrap()),
        ca_bundle: None,
        container: None,
    };
    EdgeClient::new(&settings, Duration::from_secs(10)).unwrap()
}

#[tokio::test]
async fn a_closed_port_is_connection_refused_through_reqwest() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let finding = client_for(port).probe().await;
    assert_eq!(finding.status, Status::Down);
    assert_eq!(
        finding.detail,
        format!("connection refused: nothing listens on ciam.example.org port {port}")
    );
}

#[tokio::test]
async fn plain_http_on_the_https_port_is_named_through_reqwest() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let _ = conn
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        let _ = conn.shutdown().await;
    });
    let finding = client_for(port).probe().await;
    server.abort();
    assert_eq!(finding.status, Status::Down);
    assert!(
        finding.detail.contains("the edge did not answer in TLS"),
        "{}",
        finding.detail
    );
    assert_words(&finding.detail);
}
