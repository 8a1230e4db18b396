use std::time::{Duration, Instant};

use super::{mask_secrets, secret_name, MASK};

#[test]
fn masks_env_style_secrets_and_keeps_the_names() {
    let env = "SECRETS_COOKIE=abc123def\nKRATOS_DSN=postgres://kratos:hunter2@db:5432/kratos\nLOG_LEVEL=debug\nENCRYPTION_KEY=0123456789abcdef";
    let m = mask_secrets(env);
    assert!(
        !m.contains("abc123def") && !m.contains("hunter2") && !m.contains("0123456789abcdef"),
        "{m}"
    );
    assert!(
        m.contains("SECRETS_COOKIE=")
            && m.contains("ENCRYPTION_KEY=")
            && m.contains("LOG_LEVEL=debug"),
        "{m}"
    );
}

#[test]
fn masks_url_credentials_bearer_tokens_json_and_pem() {
    let m = mask_secrets("curl: (7) Failed to connect to https://admin:s3cr3t@10.0.0.1/");
    assert!(!m.contains("s3cr3t") && m.contains("https://admin:"), "{m}");
    let m = mask_secrets("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc");
    assert!(!m.contains("eyJhbGci"), "{m}");
    let m = mask_secrets(r#"{"client_secret": "topsecretvalue", "id": "x"}"#);
    assert!(
        !m.contains("topsecretvalue") && m.contains(r#""id": "x""#),
        "{m}"
    );
    let m = mask_secrets(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
    );
    assert!(!m.contains("b3BlbnNzaC1rZXk"), "{m}");
}

#[test]
fn leaves_ordinary_details_alone() {
    for s in [
        "HTTP 503",
        "connection refused; container olympus-ciam-kratos is exited",
        "9/10 running: olympus-x exited (exit 137)",
    ] {
        assert_eq!(mask_secrets(s), s);
    }
}

/// One real-looking input: what must be gone after masking, and what must still be there.
struct Case {
    input: &'static str,
    gone: &'static [&'static str],
    kept: &'static [&'static str],
}

const fn case(
    input: &'static str,
    gone: &'static [&'static str],
    kept: &'static [&'static str],
) -> Case {
    Case { input, gone, kept }
}

const CASES: &[Case] = &[
    // Password-ish names.
    case("SMTP_PASS=Tr0ub4dor&3", &["Tr0ub4dor", "&3"], &["SMTP_PASS=••••••"]),
    case("DB_PASSWD=hunter2\nLOG_LEVEL=debug", &["hunter2"], &["DB_PASSWD=", "LOG_LEVEL=debug"]),
    case("LDAP_BIND_PW=s3cr3t-bind", &["s3cr3t-bind"], &["LDAP_BIND_PW="]),
    case("export PGPASSWORD=pg-very-secret", &["pg-very-secret"], &["export PGPASSWORD="]),
    case("MYSQL_ROOT_PASSWORD: rootpw123", &["rootpw123"], &["MYSQL_ROOT_PASSWORD:"]),
    case(r#"{"smtpPass":"mailpass99","port":587}"#, &["mailpass99"], &[r#""smtpPass":"#, r#""port":587"#]),
    case(
        "courier:\n  smtp:\n    password: correct horse battery staple\n    from_address: no-reply@example.org",
        &["correct", "horse", "staple"],
        &["password:", "from_address: no-reply@example.org"],
    ),
    // Comma lists and JSON arrays of secrets.
    case("SECRETS_COOKIE=new-cookie-secret,old-cookie-secret", &["new-cookie-secret", "old-cookie-secret"], &["SECRETS_COOKIE="]),
    case(
        r#"env: ["PATH=/usr/bin", "SECRETS_COOKIE=newer,older", "LOG_LEVEL=trace"]"#,
        &["newer", "older"],
        &["PATH=/usr/bin", "LOG_LEVEL=trace", "SECRETS_COOKIE="],
    ),
    case(r#"{"secrets": ["first-secret-aaaa","second-secret-bbbb"], "log": {"level": "debug"}}"#, &["first-secret", "second-secret"], &[r#""secrets": "#, r#""level": "debug""#]),
    case(r#"SECRETS_SYSTEM=["sys-one-123","sys-two-456"]"#, &["sys-one", "sys-two"], &["SECRETS_SYSTEM="]),
    case(
        "\"secrets\": {\n  \"cookie\": [\n    \"PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\"\n  ],\n  \"cipher\": [\"32-LONG-SECRET-NOT-SECURE-AT-ALL\"]\n},\n\"serve\": {}",
        &["PLEASE-CHANGE-ME", "32-LONG-SECRET"],
        &["\"secrets\":", "\"serve\": {}"],
    ),
    case(
        "secrets:\n  cookie:\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n  cipher:\n    - 32-LONG-SECRET-NOT-SECURE-AT-ALL\nserve:\n  public:\n    base_url: https://ciam.example.org/",
        &["PLEASE-CHANGE-ME", "32-LONG-SECRET"],
        &["secrets:", "cookie:", "cipher:", "base_url: https://ciam.example.org/"],
    ),
    case(
        "session:\n  cookie:\n    domain: example.org\n    same_site: Lax\n",
        &[],
        &["domain: example.org", "same_site: Lax"],
    ),
    case("cookie:\n  - cookie-secret-one\n  - cookie-secret-two\nlog: debug", &["cookie-secret-one", "cookie-secret-two"], &["cookie:", "log: debug"]),
    case("smtp:\n  password:\n    plain-scalar-on-next-line\n  port: 587", &["plain-scalar-on-next-line"], &["password:", "port: 587"]),
    case("private_key: |\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n  bm90LWEtcmVhbC1rZXk=\nport: 443", &["MIIEvQIBADAN", "bm90LWEtcmVh"], &["private_key: |", "port: 443"]),
    // Quoted multi-word passwords.
    case(r#"PASSWORD="correct horse battery staple""#, &["correct", "horse", "battery", "staple"], &[r#"PASSWORD=""#]),
    case("PASSWORD='correct horse battery staple' USER=bob", &["correct", "staple"], &["PASSWORD='"]),
    case(r#"db_password = "it's \"quoted\" here""#, &["quoted", "here"], &["db_password = \""]),
    case(
        r#"{"body": "{\"password\":\"inner secret\",\"user\":\"ann\"}"}"#,
        &["inner secret"],
        &[r#"\"user\":\"ann\""#],
    ),
    // URLs and DSNs.
    case("DATABASE_URL=postgres://kratos:p@ss@db:5432/kratos?sslmode=disable", &["p@ss", "ss@db"], &["postgres://kratos:", "@db:5432/kratos"]),
    case("dial tcp: postgres://app:pa:ss@w0rd@10.0.0.5:5432/app failed", &["pa:ss", "w0rd"], &["postgres://app:", "@10.0.0.5:5432/app failed"]),
    case("redis://:redis-secret@cache:6379/0", &["redis-secret"], &["@cache:6379/0"]),
    case("KRATOS_DSN=postgres://kratos:hunter2@db:5432/kratos", &["hunter2"], &["KRATOS_DSN="]),
    case("DSN=kratos:mysqlpw@tcp(db:3306)/kratos", &["mysqlpw"], &["DSN="]),
    case("GET https://ciam.example.org/self-service/login/browser 303", &[], &["https://ciam.example.org/self-service/login/browser 303"]),
    case("courier: smtps://mailer:m%40ilpw@smtp.example.org:465/?skip_ssl_verify=false", &["m%40ilpw"], &["smtps://mailer:", "@smtp.example.org:465"]),
    // Authorization headers, any scheme.
    case("> Authorization: Token 9f8e7d6c5b4a39281706", &["9f8e7d6c5b4a"], &["Authorization: Token"]),
    case("Authorization: Basic YWRtaW46c3VwZXJzZWNyZXQ=", &["YWRtaW46c3VwZXJzZWNyZXQ="], &["Authorization: Basic"]),
    case(r#"curl -H "Authorization: Bearer abc.def-ghi_jkl" https://x"#, &["abc.def-ghi_jkl"], &["Authorization: Bearer", "https://x"]),
    case("Authorization: Digest username=\"ann\", realm=\"x\", nonce=\"dcd98b\", response=\"6629fae49393a05397450978507c4ef1\"", &["6629fae4", "dcd98b"], &["Authorization: Digest"]),
    case("Proxy-Authorization: Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg", &["YIIBhwYGKwYB"], &["Proxy-Authorization: Negotiate"]),
    case(r#"{"headers": {"Authorization": "Bearer t0k3n-value-xyz", "Accept": "*/*"}}"#, &["t0k3n-value-xyz"], &[r#""Accept": "*/*""#]),
    case("headers=map[authorization:[Bearer abcdef123456] accept:[*/*]]", &["abcdef123456"], &["accept:[*/*]"]),
    case("X-Api-Key: 8a7b6c5d4e3f2a1b", &["8a7b6c5d4e3f2a1b"], &["X-Api-Key:"]),
    // Tokens by their shape.
    case(
        "id_token eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl-_x issued",
        &["eyJhbGciOiJSUzI1NiIs", "eyJzdWIiOiIxMjMifQ", "c2lnbmF0dXJl"],
        &["id_token", "issued"],
    ),
    case("session ory_st_hS4EJvOgPj7WmfPxmwlD3Zs5n9w1bTe8 revoked", &["hS4EJvOgPj7W"], &["ory_st_", "revoked"]),
    case("got ory_at_vFZsG4U5hvOsnIJW1qd.Xk3Y8Ri2mVgE-pC4 and ory_rt_abcdefGHIJ0123", &["vFZsG4U5", "Xk3Y8Ri2", "abcdefGHIJ0123"], &["ory_at_", "ory_rt_"]),
    case("ory_ht_Z2FsbGVyeWhhc2hlZDEyMw ory_pat_0123456789abcdef ory_apikey_zyxwvut98765", &["Z2FsbGVyeWhh", "0123456789abcdef", "zyxwvut98765"], &["ory_ht_", "ory_pat_", "ory_apikey_"]),
    case("Cookie: ory_kratos_session=MTY5OTk5OTk5OXxEdi1CQkFFQ180SUFBUkFCRUFB; csrf_token_abc=Zm9vYmFy", &["MTY5OTk5OTk5", "Zm9vYmFy"], &["Cookie:"]),
    case("< Set-Cookie: ory_kratos_session=MTcwMDAwMDAwMHxnb2Jsb2I; Path=/; HttpOnly", &["MTcwMDAwMDAwMHxnb2Jsb2I"], &["Set-Cookie:"]),
    case("GET /callback?code=abc&access_token=qwertyuiop123&state=xyz HTTP/1.1", &["qwertyuiop123"], &["access_token=", "&state=xyz HTTP/1.1"]),
    case("psql --password hunter22 --host db", &["hunter22"], &["--password", "--host db"]),
    // Key blocks.
    case(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGVYzM0BCAC5pgp\n=x8Ab\n-----END PGP PRIVATE KEY BLOCK-----\ndone",
        &["lQOYBGVYzM0BCAC5pgp", "=x8Ab"],
        &["PGP PRIVATE KEY BLOCK", "done"],
    ),
    case(
        "cat id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nAAAAC3NzaC1lZDI1NTE5\n-----END OPENSSH PRIVATE KEY-----\n$",
        &["b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", "AAAAC3NzaC1lZDI1NTE5"],
        &["cat id_ed25519", "OPENSSH PRIVATE KEY"],
    ),
    case(
        r#"{"key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n", "kid": "k1"}"#,
        &["MIIEowIBAAKCAQEA"],
        &[r#""kid": "k1""#],
    ),
    case("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIcut-short", &["MHcCAQEEIIcut"], &["EC PRIVATE KEY"]),
    // Things that are not secrets stay as they were.
    case("LOG_LEVEL=debug\nSERVE_PUBLIC_BASE_URL=https://ciam.example.org/", &[], &["LOG_LEVEL=debug", "SERVE_PUBLIC_BASE_URL=https://ciam.example.org/"]),
    case(r#"{"error": {"id": "security_csrf_violation", "reason": "kratos_csrf_violation: the CSRF token is missing"}}"#, &[], &["kratos_csrf_violation", "the CSRF token is missing"]),
    case("token_endpoint: https://hydra.example.org/oauth2/token", &[], &["https://hydra.example.org/oauth2/token"]),
    case("PASSWORD_MIN_LENGTH=12 SECRETS_FILE=/run/secrets/kratos TOKEN_TTL=1h", &[], &["PASSWORD_MIN_LENGTH=12", "SECRETS_FILE=/run/secrets/kratos", "TOKEN_TTL=1h"]),
    case("PWD=/home/ops\nOLDPWD=/root\nBYPASS_CACHE=1\nTESTS_PASSED: 12", &[], &["PWD=/home/ops", "OLDPWD=/root", "BYPASS_CACHE=1", "TESTS_PASSED: 12"]),
    case("olympus-ciam-kratos   Up 3 hours (healthy)   0.0.0.0:4433->4433/tcp", &[], &["olympus-ciam-kratos   Up 3 hours (healthy)   0.0.0.0:4433->4433/tcp"]),
    case("Bearer authentication failed for user ann", &[], &["Bearer authentication failed for user ann"]),
    case(r#"{"access_token": null, "token_type": "bearer", "expires_in": 3600}"#, &[], &[r#""access_token": null"#, r#""token_type": "bearer""#, r#""expires_in": 3600"#]),
];

#[test]
fn masks_the_common_secret_shapes_and_keeps_the_rest() {
    assert!(CASES.len() >= 40);
    let mut failures = Vec::new();
    for c in CASES {
        let m = mask_secrets(c.input);
        for g in c.gone {
            if m.contains(g) {
                failures.push(format!("leaked {g:?}\n  in:  {}\n  out: {m}", c.input));
            }
        }
        for k in c.kept {
            if !m.contains(k) {
                failures.push(format!("lost {k:?}\n  in:  {}\n  out: {m}", c.input));
            }
        }
        if !c.gone.is_empty() && !m.contains(MASK) {
            failures.push(format!("no mask\n  in:  {}\n  out: {m}", c.input));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn masking_masked_text_changes_nothing() {
    for c in CASES {
        let once = mask_secrets(c.input);
        let twice = mask_secrets(&once);
        assert_eq!(twice, once, "input: {}", c.input);
    }
}

#[test]
fn names_are_judged_by_whole_words() {
    for secret in [
        "SMTP_PASS",
        "smtpPass",
        "REDIS_PW",
        "db-pwd",
        "x-api-key",
        "apiKey",
        "STRIPE_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "client_secret",
        "SECRETS_DEFAULT",
        "Set-Cookie",
        "--password",
        "hashed_password",
        "PASSPHRASE",
    ] {
        assert!(secret_name(secret), "{secret} should be secret");
    }
    for plain in [
        "PWD",
        "OLDPWD",
        "BYPASS",
        "TESTS_PASSED",
        "compass",
        "monkey",
        "key",
        "primary_key",
        "token_endpoint",
        "TOKEN_TTL",
        "cookie.same_site",
        "PASSWORD_MIN_LENGTH",
        "SECRETS_FILE",
        "AWS_ACCESS_KEY_ID",
    ] {
        assert!(!secret_name(plain), "{plain} should not be secret");
    }
}

/// Five megabytes of mixed output (env dumps, JSON logs, URLs, prose, one long line, unclosed
/// brackets and quotes) masks in one go: no rule may go quadratic on a big `podman logs`. No time
/// bound beyond a generous one: debug builds on a busy machine vary too much to pin.
#[test]
fn a_large_mixed_text_is_masked_in_reasonable_time() {
    let chunk = concat!(
        "time=2024-05-01T10:00:00Z level=info msg=\"request handled\" path=/self-service/login status=200\n",
        "SECRETS_COOKIE=aaaa-secret-1,bbbb-secret-2\nLOG_LEVEL=debug\n",
        "{\"password\": \"pw-in-json\", \"id\": 7, \"headers\": {\"Authorization\": \"Bearer tok3n-abcdef\"}}\n",
        "connect postgres://kratos:p@ss@db:5432/kratos failed; retry in 5s - key token pass secret: \n",
        "plain prose about tokens, passwords and keys that mentions nothing secret at all é ü — •\n",
        "secrets:\n  cookie:\n    - yaml-secret-1\n",
    );
    let mut big = String::with_capacity(5 << 20);
    while big.len() < 4 << 20 {
        big.push_str(chunk);
    }
    // One long line without breaks, full of candidate names, for the line bookkeeping.
    while big.len() < (4 << 20) + (512 << 10) {
        big.push_str("a_key=b token c:d passed=1 \"password\": \"x ");
    }
    big.push('\n');
    // Brackets and quotes that never close.
    while big.len() < 5 << 20 {
        big.push_str("secrets: [ unclosed and a quote \" that never ends\n");
    }
    let started = Instant::now();
    let m = mask_secrets(&big);
    let took = started.elapsed();
    for gone in [
        "aaaa-secret-1",
        "pw-in-json",
        "p@ss",
        "tok3n-abcdef",
        "yaml-secret-1",
    ] {
        assert!(!m.contains(gone), "{gone} leaked");
    }
    let last_chunk = &m[..m.find("a_key=").unwrap()];
    let last_chunk = &last_chunk[last_chunk.rfind("time=").unwrap()..];
    for kept in [
        "LOG_LEVEL=debug",
        "path=/self-service/login",
        "@db:5432/kratos",
    ] {
        assert!(last_chunk.contains(kept), "{kept} lost: {last_chunk}");
    }
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

/// Every case, as the detail a check's probe reported and as the text of an incident, on the way
/// to a browser: the board's frames (both audiences, live and on connect) and the timeline entry
/// carry none of the secrets.
#[test]
fn no_case_reaches_a_browser() {
    use crate::clock::ManualClock;
    use crate::hub::tests::{catalog, outcome};
    use crate::hub::{Audience, Hub};
    use crate::probes::Finding;
    use wire::Status;

    let cat = catalog();
    let hub = Hub::new(
        "t".into(),
        &cat,
        10_000,
        std::sync::Arc::new(ManualClock::at(1)),
    );
    let (_, mut frames) = hub.subscribe();
    for chunk in CASES.chunks(cat.checks.len()) {
        let mut out = outcome(&cat, &[]);
        for (finding, c) in out.findings.iter_mut().zip(chunk) {
            // A status change each time, so the live frame carries every detail.
            let status = if finding.status == Status::Down {
                Status::Degraded
            } else {
                Status::Down
            };
            *finding = Finding::new(status, c.input);
        }
        hub.apply(&cat, out);
        let live = frames.try_recv().expect("a changes frame");
        let mut texts = vec![
            serde_json::to_string(&hub.snapshot_for(Audience::Full)).unwrap(),
            serde_json::to_string(&hub.snapshot_for(Audience::Public)).unwrap(),
        ];
        for audience in [Audience::Full, Audience::Public] {
            if let Some(f) = live.for_audience(audience) {
                texts.push(f.as_str().to_string());
            }
        }
        for c in chunk {
            for text in &texts {
                for gone in c.gone {
                    assert!(
                        !text.contains(gone),
                        "`{gone}` of {:?} reached a browser: {text}",
                        c.input
                    );
                }
            }
        }
        while frames.try_recv().is_ok() {}
    }
    // Incident text (what is broken, updates, notes) is masked before it is stored or sent.
    for c in CASES {
        let new = wire::NewIncident {
            title: "Secrets in output".into(),
            broken: c.input.chars().take(2000).collect(),
            severity: wire::Severity::Sev3,
            compromise: false,
            scope: wire::IncidentScope::default(),
        };
        let hours = crate::incidents::timers::BusinessHours::new("UTC", "09:00").unwrap();
        let rules = crate::incidents::lifecycle::Rules {
            hours: &hours,
            cadence_minutes: 15,
            services: &[],
        };
        // A case the lifecycle refuses outright (a control character) reaches no one either.
        if let Ok(declaration) = crate::incidents::lifecycle::declare(&new, "ana", 0, &rules) {
            let text = serde_json::to_string(&declaration.entry()).unwrap();
            for gone in c.gone {
                assert!(
                    !text.contains(gone),
                    "`{gone}` of {:?} is in a timeline entry: {text}",
                    c.input
                );
            }
        }
    }
}
