//! The probes' commands and readings against a scripted host (outputs captured from OpenSSL 3.0,
//! curl and Kratos v1.3); the same probes run against the sandbox over SSH in
//! `server/tests/sandbox/walkthroughs.rs`.

use std::sync::{Arc, Mutex};

use wire::{FieldValue, HealthSnapshot, ProbeResult, StepOutcome};

use super::{origin, run, ProbeContext};
use crate::config::{DatabaseSettings, ServiceSettings, Settings};
use crate::playbooks::ProbeSpec;
use crate::remote::fake::{exit, ok, FakeHost};
use crate::remote::RemoteCommand;
use crate::values::{ContainerName, HostPort, HttpUrl};

const NOW: i64 = 1_796_216_400_000; // 2026-12-02 13:00:00 UTC

/// `openssl s_client -connect … -starttls postgres -showcerts` (trimmed) against an expired one.
const HELLO: &str = "CONNECTED(00000003)
---
Certificate chain
 0 s:CN = olympus-postgres
   i:CN = Olympus Database CA
   a:PKEY: id-ecPublicKey, 256 (bit); sigalg: ecdsa-with-SHA256
   v:NotBefore: Oct 28 12:00:00 2025 GMT; NotAfter: Nov 30 12:00:00 2026 GMT
-----BEGIN CERTIFICATE-----
MIIBjDCCATKgAwIBAgIUBdg0UWe5F1f2f2cmpc6X3rjNfpcwCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----
---
Server certificate
subject=CN = olympus-postgres
issuer=CN = Olympus Database CA
---
Verification error: certificate has expired
---
Verify return code: 10 (certificate has expired)
---
";

const X509: &str = "notAfter=Nov 30 12:00:00 2026 GMT
issuer=CN = Olympus Database CA
subject=CN = olympus-postgres
X509v3 Subject Alternative Name: 
    DNS:olympus-postgres, DNS:localhost, IP Address:127.0.0.1
";

fn settings(ca: Option<std::path::PathBuf>) -> Settings {
    let mut s = Settings::default();
    s.services.push(ServiceSettings {
        name: "ciam-kratos".into(),
        scope: wire::Scope::Ciam,
        container: ContainerName::parse("olympus-ciam-kratos").unwrap(),
        health_url: HttpUrl::parse("http://127.0.0.1:4433/health/alive").unwrap(),
        admin_url: Some(HttpUrl::parse("http://127.0.0.1:4434").unwrap()),
        flags_env_file: None,
        redeploy: None,
    });
    s.database = Some(DatabaseSettings {
        container: ContainerName::parse("olympus-postgres").unwrap(),
        tls_address: Some(HostPort::parse("127.0.0.1:5432").unwrap()),
        ca_bundle: ca,
        snapshot_dir: None,
        dump_user: None,
    });
    s
}

async fn probe(
    s: &Settings,
    host: &FakeHost,
    spec: &ProbeSpec,
    previous: Option<&ProbeResult>,
) -> StepOutcome {
    let cx = ProbeContext {
        host,
        board: HealthSnapshot {
            host: wire::HostState {
                target: "t".into(),
                reachable: true,
                detail: String::new(),
            },
            checks: Vec::new(),
            sweep_seq: 1,
            swept_at_ms: 0,
            interval_ms: 10_000,
            sweeping: false,
        },
        config: s.catalog(),
        now_ms: NOW,
        fingerprint_key: b"k",
        previous,
    };
    run(spec, &cx).await
}

fn probed(o: StepOutcome) -> ProbeResult {
    match o {
        StepOutcome::Probed(r) => r,
        other => panic!("expected a result, got {other:?}"),
    }
}

fn flag(r: &ProbeResult, k: &str) -> bool {
    match r.fields.get(k) {
        Some(FieldValue::Flag(b)) => *b,
        other => panic!("{k}: {other:?}"),
    }
}

fn number(r: &ProbeResult, k: &str) -> i64 {
    match r.fields.get(k) {
        Some(FieldValue::Number(n)) => *n,
        other => panic!("{k}: {other:?}"),
    }
}

#[tokio::test]
async fn the_database_certificate_is_read_through_starttls_with_the_ca_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let s = settings(Some(ca));
    let host = FakeHost::new(
        |cmd: &RemoteCommand| match cmd.args().first().map(String::as_str) {
            Some("s_client") => ok(HELLO),
            Some("x509") => ok(X509),
            _ => exit(1, "", "unexpected"),
        },
    );
    let r = probed(probe(&s, &host, &ProbeSpec::DatabaseCertificate, None).await);
    assert!(flag(&r, "expired") && !flag(&r, "trusted") && flag(&r, "matches_name"));
    assert_eq!(number(&r, "days_left"), -3);
    assert!(
        r.summary
            .starts_with("the database at 127.0.0.1:5432: expired 2 days ago"),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("issued by CN = Olympus Database CA"),
        "{}",
        r.summary
    );

    let ran = host.ran();
    assert_eq!(
        ran[0].args(),
        [
            "s_client",
            "-connect",
            "127.0.0.1:5432",
            "-showcerts",
            "-starttls",
            "postgres",
            "-CAfile",
            "/dev/stdin"
        ]
    );
    assert!(
        ran[0].input().unwrap().contains("\nCA\n"),
        "the CA goes on stdin"
    );
    assert_eq!(ran[1].args()[0], "x509");
    assert!(
        ran[1]
            .input()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----\nMIIB"),
        "the server's certificate goes on stdin, never in argv"
    );
    assert!(ran
        .iter()
        .all(|c| c.args().iter().all(|a| !a.contains("BEGIN"))));
}

#[tokio::test]
async fn a_database_without_tls_or_without_an_address_says_what_to_do() {
    let host = FakeHost::new(|_: &RemoteCommand| {
        exit(
            1,
            "CONNECTED(00000003)\n",
            "Didn't find STARTTLS in server response, trying anyway...\n40D7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number\n",
        )
    });
    let s = settings(None);
    let StepOutcome::ProbeFailed(why) =
        probe(&s, &host, &ProbeSpec::DatabaseCertificate, None).await
    else {
        panic!("expected a failure")
    };
    assert!(why.contains("does not offer TLS"), "{why}");
    assert!(
        host.ran()[0].input().is_none(),
        "no CA configured: nothing on stdin"
    );

    let mut s = settings(None);
    s.database.as_mut().unwrap().tls_address = None;
    let StepOutcome::ProbeFailed(why) =
        probe(&s, &host, &ProbeSpec::DatabaseCertificate, None).await
    else {
        panic!("expected a failure")
    };
    assert!(why.contains("set [database] tls_address"), "{why}");

    let s = settings(Some("/nonexistent/ca.pem".into()));
    let StepOutcome::ProbeFailed(why) =
        probe(&s, &host, &ProbeSpec::DatabaseCertificate, None).await
    else {
        panic!("expected a failure")
    };
    assert!(why.contains("cannot be read on the gateway"), "{why}");
}

/// Kratos v1.3's admin API, one queued message older each time the list is read (as a stuck
/// queue with new sign-ups looks), and a worker that failed.
fn stuck_kratos(reads: Arc<Mutex<usize>>) -> FakeHost {
    FakeHost::new(move |cmd: &RemoteCommand| {
        let url = cmd.args().last().cloned().unwrap_or_default();
        match cmd.program() {
            "curl" if url.contains("status=queued") => {
                let mut n = reads.lock().unwrap();
                *n += 1;
                let items: Vec<String> = (0..(2 + *n))
                    .map(|i| format!(r#"{{"id":"0b9f3c7e-1a2b-4c3d-8e9f-00112233445{i}","status":"queued","created_at":"2026-12-02T12:{:02}:00Z","send_count":1}}"#, 50 - i))
                    .collect();
                ok(&format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Total-Count: {}\r\n\r\n[{}]",
                    items.len(),
                    items.join(",")
                ))
            }
            "curl" if url.contains("status=abandoned") => ok(
                "HTTP/1.1 200 OK\r\n\r\n[{\"id\":\"x\",\"status\":\"abandoned\",\"created_at\":\"2026-12-02T11:00:00Z\",\"send_count\":5}]",
            ),
            "curl" if url.contains("status=") => ok("HTTP/1.1 200 OK\r\n\r\n[]"),
            "curl" => ok(
                "HTTP/1.1 200 OK\r\n\r\n{\"dispatches\":[{\"created_at\":\"2026-12-02T12:59:00Z\",\"error\":{\"message\":\"dial tcp 10.0.0.25:587: connect: connection refused\"}}]}",
            ),
            "podman" => exit(
                0,
                "",
                "{\"level\":\"info\",\"msg\":\"Courier worker started.\"}\n{\"level\":\"error\",\"msg\":\"Failed to run courier worker.\"}\n",
            ),
            _ => exit(1, "", "unexpected"),
        }
    })
}

#[tokio::test]
async fn the_courier_queue_is_counted_aged_and_seen_growing() {
    let s = settings(None);
    let host = stuck_kratos(Arc::default());
    let spec = ProbeSpec::CourierQueue {
        service: "ciam-kratos".into(),
    };
    let first = probed(probe(&s, &host, &spec, None).await);
    assert_eq!(number(&first, "queued"), 3);
    assert_eq!(number(&first, "abandoned"), 1);
    assert_eq!(number(&first, "oldest_queued_minutes"), 12);
    assert!(!flag(&first, "growing"), "one look cannot tell");
    assert!(!flag(&first, "worker_running"));
    assert!(first.summary.contains("run it again"), "{}", first.summary);
    assert!(
        first.summary.contains("courier worker FAILED"),
        "{}",
        first.summary
    );
    assert!(first
        .details
        .iter()
        .any(|d| d == "last dispatch error: dial tcp 10.0.0.25:587: connect: connection refused"));
    assert!(first.details.iter().any(|d| d.contains("never sent again")));

    let second = probed(probe(&s, &host, &spec, Some(&first)).await);
    assert_eq!(number(&second, "queued"), 4);
    assert!(flag(&second, "growing"), "{}", second.summary);

    let urls: Vec<String> = host
        .ran()
        .iter()
        .filter(|c| c.program() == "curl")
        .map(|c| c.args().last().unwrap().clone())
        .collect();
    assert_eq!(
        urls[0],
        "http://127.0.0.1:4434/admin/courier/messages?status=queued&page_size=1000"
    );
    assert!(urls.contains(
        &"http://127.0.0.1:4434/admin/courier/messages/0b9f3c7e-1a2b-4c3d-8e9f-001122334450"
            .to_owned()
    ));
}

#[tokio::test]
async fn an_admin_url_without_the_admin_port_is_said_plainly() {
    let host = FakeHost::new(|_: &RemoteCommand| {
        ok("HTTP/1.1 307 Temporary Redirect\r\nLocation: /admin/admin/courier/messages?status=queued\r\n\r\n")
    });
    let s = settings(None);
    let spec = ProbeSpec::CourierQueue {
        service: "ciam-kratos".into(),
    };
    let StepOutcome::ProbeFailed(why) = probe(&s, &host, &spec, None).await else {
        panic!("expected a failure")
    };
    assert!(
        why.contains("admin_url must be the admin port's origin"),
        "{why}"
    );

    let mut s = settings(None);
    s.services[0].admin_url = None;
    let StepOutcome::ProbeFailed(why) = probe(&s, &host, &spec, None).await else {
        panic!("expected a failure")
    };
    assert!(
        why.contains("set admin_url for [[service]] `ciam-kratos`"),
        "{why}"
    );
}

#[tokio::test]
async fn containers_that_are_not_running_are_named() {
    let s = settings(None);
    let host = FakeHost::new(|_: &RemoteCommand| {
        ok(
            r#"[{"Names":["olympus-ciam-kratos"],"State":"exited","Status":"Exited (137)","ExitCode":137}]"#,
        )
    });
    let r = probed(probe(&s, &host, &ProbeSpec::Containers, None).await);
    assert!(!flag(&r, "all_running"));
    assert_eq!(number(&r, "missing"), 2);
    assert_eq!(
        r.details,
        ["olympus-ciam-kratos: exited", "olympus-postgres: missing"]
    );
}

#[test]
fn a_services_routes_are_at_its_health_urls_origin() {
    assert_eq!(
        origin("http://127.0.0.1:3001/health/alive"),
        "http://127.0.0.1:3001"
    );
    assert_eq!(origin("https://athena.example"), "https://athena.example");
    assert_eq!(origin("http://h:1/"), "http://h:1");
}
