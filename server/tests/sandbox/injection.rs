//! Injection, with a canary: every parameter of every action (as `GET /api/actions` lists them),
//! and the parameter names and action ids themselves, get hostile values (shell metacharacters,
//! line breaks, NUL, option-looking words, over-long values, invalid UTF-8 as raw bytes in the
//! body, valid-looking values that carry a payload), each naming the same canary file as
//! `touch <canary>`, sent to the plan endpoint and to the request endpoint of a gateway on the
//! sandbox. Each is refused with a message, or, if its type takes it, passed to the host as one
//! inert word (the audit log shows the argv as sent). Afterwards the canary exists nowhere: not on
//! the host (as root, and as the gateway's SSH login), not in any container; and the host's state
//! did not move.

use std::collections::BTreeMap;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use wire::{ActionInfo, AuditKind, ParamKind};

use super::console::{admin_get, admin_origin, call_raw, counts, over_ssh, Console, RESPONDER};
use super::support::Sandbox;

/// `/tmp/aegis-canary-<random>`: a name no one else uses.
fn canary() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("/tmp/aegis-canary-{:x}{:x}", nanos, std::process::id())
}

/// Hostile values for a parameter whose valid value is `valid`; every payload touches `canary`.
fn hostile(valid: &str, canary: &str) -> Vec<(&'static str, String)> {
    let name = canary.trim_start_matches("/tmp/");
    let t = format!("touch {canary}");
    vec![
        ("semicolon", format!("; {t}")),
        ("valid;payload", format!("{valid};{t}")),
        ("valid ; payload", format!("{valid} ; {t}")),
        ("$()", format!("$({t})")),
        ("valid$()", format!("{valid}$({t})")),
        ("backticks", format!("`{t}`")),
        ("valid`backticks`", format!("{valid}`{t}`")),
        ("pipe", format!("| {t}")),
        ("valid|pipe", format!("{valid}|{t}")),
        ("&&", format!("&& {t}")),
        ("valid && payload", format!("{valid} && {t}")),
        ("valid || payload", format!("{valid} || {t}")),
        ("valid & background", format!("{valid} & {t}")),
        ("newline", format!("{valid}\n{t}")),
        ("carriage return", format!("{valid}\r{t}")),
        ("tab", format!("{valid}\t;{t}")),
        ("NUL", format!("{valid}\0;{t}")),
        ("--all", "--all".into()),
        ("-rf", "-rf".into()),
        ("--output=canary", format!("--output={canary}")),
        ("-o canary", format!("-o{canary}")),
        ("valid --all", format!("{valid} --all")),
        ("valid > canary", format!("{valid} > {canary}")),
        ("single quote", format!("{valid}'; {t}; '")),
        ("double quote", format!("{valid}\"; {t}; \"")),
        ("${IFS}", format!("{valid};touch${{IFS}}{canary}")),
        (
            "url-encoded newline",
            format!("{valid}%0a{}", t.replace(' ', "%20")),
        ),
        ("glob", "olympus-*".into()),
        ("path traversal", "../../../../etc/passwd".into()),
        ("over-long", format!("{}{t}", "a".repeat(10_000))),
        ("over-long valid", format!("{valid} {}", "x".repeat(10_000))),
        ("bidi override", format!("\u{202e}{valid}")),
        ("fullwidth semicolon", format!("{valid}\u{ff1b}{t}")),
        ("email-shaped $()", format!("$({t})@example.com")),
        // Valid email addresses by the letter, carrying an encoded payload or a quote.
        (
            "email with an encoded payload",
            format!("x%0Atouch%20%2Ftmp%2F{name}@example.com"),
        ),
        ("email with a quote", format!("o'{name}@example.com")),
        ("blank", "   ".into()),
        ("empty", String::new()),
    ]
}

/// A valid value for each parameter (the others' values while one is hostile).
fn valid(action: &ActionInfo, kind: ParamKind, identity: &str) -> String {
    match kind {
        ParamKind::Container => "olympus-ciam-athena".into(),
        ParamKind::Service => {
            if action.id == "flush-courier" {
                "ciam-kratos".into()
            } else {
                "ciam-hera".into()
            }
        }
        ParamKind::Address => "203.0.113.7".into(),
        ParamKind::Identity => identity.into(),
        ParamKind::Scope => "ciam".into(),
    }
}

/// One case: what was sent where, and how it was answered.
struct Case {
    label: String,
    status: StatusCode,
    body: Value,
}

/// A JSON string's inside for raw bytes: quotes and backslashes escaped, nothing else touched.
fn raw_json_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in bytes {
        if *b == b'"' || *b == b'\\' {
            out.push(b'\\');
        }
        out.push(*b);
    }
    out
}

/// The state that an action would change: counts, the block list, the flags, the containers.
fn host_state(sb: &Sandbox) -> String {
    let ps = Command::new("podman")
        .args(["ps", "-a", "--format", "{{.Names}} {{.StartedAt}}"])
        .output()
        .unwrap();
    let mut files = String::new();
    for f in [
        "caddy/etc/aegis/blocked.caddy",
        "flags/ciam-hera.env",
        "flags/ciam-kratos.env",
        "ory/ciam-hydra/counts",
    ] {
        files.push_str(&std::fs::read_to_string(sb.dir.join(f)).unwrap_or_default());
    }
    format!(
        "{}\n{files}\n{:?}",
        String::from_utf8_lossy(&ps.stdout),
        counts(sb, "ciam-kratos")
    )
}

#[tokio::test]
async fn hostile_values_in_every_parameter_run_nothing_on_the_host() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let incident = c.declare(&ana, "injection").await;
    let canary = canary();
    let (_, _, page) = admin_get(
        &admin_origin(&sb, "ciam-kratos"),
        "/admin/identities?page_size=1",
    )
    .await;
    let identity = page[0]["id"].as_str().unwrap().to_owned();
    let before = host_state(&sb);
    let started = std::time::Instant::now();

    let catalog: Vec<ActionInfo> = c.get(&ana, wire::ACTIONS_PATH).await;
    assert_eq!(catalog.len(), 12, "{catalog:?}");
    let plan_path = format!("/api/incidents/{incident}/actions/plan");
    let request_path = format!("/api/incidents/{incident}/actions");
    let mut cases: Vec<Case> = Vec::new();
    // Accepted values, to look for in the audit log: (case, the value as given).
    let mut accepted: Vec<(String, String)> = Vec::new();

    for action in &catalog {
        for param in &action.params {
            for (what, value) in hostile(&valid(action, param.kind, &identity), &canary) {
                let mut params: BTreeMap<String, String> = action
                    .params
                    .iter()
                    .map(|p| (p.name.clone(), valid(action, p.kind, &identity)))
                    .collect();
                params.insert(param.name.clone(), value.clone());
                let label = format!("{} {}={what}", action.id, param.name);
                let (status, body) = c
                    .call(
                        &ana,
                        Method::POST,
                        &plan_path,
                        Some(json!({"action": action.id, "params": params})),
                    )
                    .await;
                if status != StatusCode::BAD_REQUEST {
                    accepted.push((label.clone(), value.clone()));
                }
                cases.push(Case {
                    label: format!("plan {label}"),
                    status,
                    body,
                });
                let (status, body) = c
                    .call(
                        &ana,
                        Method::POST,
                        &request_path,
                        Some(json!({
                            "action": action.id,
                            "params": params,
                            "plan_hash": "0".repeat(64),
                            "confirm": value,
                        })),
                    )
                    .await;
                cases.push(Case {
                    label: format!("request {label}"),
                    status,
                    body,
                });
            }
            // Invalid UTF-8 and what no JSON writer produces, as raw bytes in the body.
            let good = valid(action, param.kind, &identity);
            let t = format!("touch {canary}");
            for (what, bytes) in [
                (
                    "invalid UTF-8",
                    [good.as_bytes(), b"\xff\xfe;", t.as_bytes()].concat(),
                ),
                (
                    "overlong `;`",
                    [good.as_bytes(), b"\xc0\xbb", t.as_bytes()].concat(),
                ),
                (
                    "UTF-16 surrogate as UTF-8",
                    [good.as_bytes(), b"\xed\xa0\x80;", t.as_bytes()].concat(),
                ),
                (
                    "raw NUL",
                    [good.as_bytes(), b"\x00;", t.as_bytes()].concat(),
                ),
                (
                    "raw newline",
                    [good.as_bytes(), b"\n", t.as_bytes()].concat(),
                ),
                (
                    "lone surrogate escape",
                    [good.as_bytes(), b"\\ud800;", t.as_bytes()].concat(),
                ),
            ] {
                let mut body = format!("{{\"action\":\"{}\",\"params\":{{", action.id).into_bytes();
                let mut first = true;
                for p in &action.params {
                    if !first {
                        body.push(b',');
                    }
                    first = false;
                    body.extend_from_slice(format!("\"{}\":\"", p.name).as_bytes());
                    if p.name == param.name {
                        // The escape stays an escape: it is what is being tried.
                        if what == "lone surrogate escape" {
                            body.extend_from_slice(&bytes);
                        } else {
                            body.extend_from_slice(&raw_json_string(&bytes));
                        }
                    } else {
                        body.extend_from_slice(valid(action, p.kind, &identity).as_bytes());
                    }
                    body.push(b'"');
                }
                body.extend_from_slice(b"}}");
                let (status, answer) = call_raw(&c.base, &ana, &plan_path, body).await;
                cases.push(Case {
                    label: format!("plan {} {} {what} (raw bytes)", action.id, param.name),
                    status,
                    body: answer,
                });
            }
        }
        // The names of the values, and the action ids, are not a way in either (db-snapshot
        // takes no values: its way in would be one).
        for key in [
            format!("; touch {canary}"),
            format!("$(touch {canary})"),
            "--all".to_owned(),
            format!("container\ntouch {canary}"),
            format!(
                "{}`touch {canary}`",
                action.params.first().map_or("x", |p| p.name.as_str())
            ),
        ] {
            let (status, body) = c
                .call(
                    &ana,
                    Method::POST,
                    &plan_path,
                    Some(json!({"action": action.id, "params": {key.clone(): "x"}})),
                )
                .await;
            cases.push(Case {
                label: format!("plan {} with a value named {key:?}", action.id),
                status,
                body,
            });
        }
        for id in [
            format!("{};touch {canary}", action.id),
            format!("{} --all", action.id),
            format!("$(touch {canary})"),
        ] {
            let (status, body) = c
                .call(
                    &ana,
                    Method::POST,
                    &plan_path,
                    Some(json!({"action": id, "params": {}})),
                )
                .await;
            // An action that does not exist is 404, with a message.
            let status = if status == StatusCode::NOT_FOUND {
                StatusCode::BAD_REQUEST
            } else {
                status
            };
            cases.push(Case {
                label: format!("plan action {id:?}"),
                status,
                body,
            });
        }
    }
    let took = started.elapsed();

    // Each refused with a message, or accepted: then only as an identity the host looked up
    // (and did not find: the preflight says so, 502).
    let mut refused = 0;
    for case in &cases {
        let message = case.body["message"].as_str().unwrap_or("");
        match case.status {
            StatusCode::BAD_REQUEST => {
                assert!(
                    !message.trim().is_empty(),
                    "{}: no message: {}",
                    case.label,
                    case.body
                );
                refused += 1;
            }
            StatusCode::BAD_GATEWAY | StatusCode::OK => assert!(
                case.label.contains("identity=email with")
                    && (case.status == StatusCode::OK
                        || message.contains("no identity that signs in as")),
                "{}: {} {}",
                case.label,
                case.status,
                case.body
            ),
            other => panic!("{}: {other} {}", case.label, case.body),
        }
    }
    assert!(cases.len() >= 200, "{} cases", cases.len());

    // What the accepted ones sent: a word in a URL after `--`, never a word of its own.
    let mut audit = Vec::new();
    c.gw.state
        .audit
        .export(Some(incident), |e| {
            audit.push(e.clone());
            Ok(())
        })
        .await
        .unwrap();
    let name = canary.trim_start_matches("/tmp/");
    for e in audit.iter().filter(|e| e.record.kind == AuditKind::Probe) {
        for cmd in &e.record.commands {
            for (i, arg) in cmd.argv.iter().enumerate() {
                if arg.contains(name) || arg.contains("touch") || arg.contains('\'') {
                    assert!(
                        arg.starts_with("http://")
                            && i > 0
                            && cmd.argv[i - 1] == "--"
                            && !arg.contains('\'')
                            && !arg.contains(' ')
                            && !arg.to_ascii_lowercase().contains("%0a"),
                        "{arg:?} was sent as is: {:?}",
                        cmd.argv
                    );
                }
            }
        }
    }
    for (label, value) in &accepted {
        assert!(
            audit.iter().any(|e| e.record.kind == AuditKind::Probe
                && e.record.commands.iter().any(|cmd| cmd
                    .argv
                    .iter()
                    .any(|a| a.starts_with("http://") && a.contains(name)))),
            "{label} ({value:?}) was accepted but no preflight shows how it was sent"
        );
    }

    // The canary exists nowhere.
    assert!(
        !std::path::Path::new(&canary).exists(),
        "{canary} exists on the host: something ran"
    );
    let look = over_ssh(
        &sb,
        &format!("test -e {canary} && echo present || echo absent"),
    );
    assert_eq!(
        String::from_utf8_lossy(&look.stdout).trim(),
        "absent",
        "over ssh: {look:?}"
    );
    let containers = c.gw.state.settings.catalog().expected_containers();
    let handles: Vec<_> = containers
        .iter()
        .map(|ct| {
            let (ct, canary) = (ct.to_string(), canary.clone());
            std::thread::spawn(move || {
                let st = Command::new("podman")
                    .args(["exec", &ct, "test", "-e", &canary])
                    .status()
                    .unwrap();
                (ct, st.code())
            })
        })
        .collect();
    for h in handles {
        let (ct, code) = h.join().unwrap();
        assert_eq!(code, Some(1), "{canary} in {ct}: exit {code:?}");
    }
    // The look works: a file the SSH login does create is seen from here.
    let control = format!("{canary}-control");
    let made = over_ssh(&sb, &format!("touch {control} && echo made"));
    assert_eq!(
        String::from_utf8_lossy(&made.stdout).trim(),
        "made",
        "{made:?}"
    );
    assert!(std::path::Path::new(&control).exists());
    std::fs::remove_file(&control).unwrap();

    assert_eq!(host_state(&sb), before, "the host's state moved");
    println!(
        "{} hostile cases ({refused} refused with a message, {} accepted as inert words) in {:.1} s; canary {canary} nowhere",
        cases.len(),
        cases.len() - refused,
        took.as_secs_f64()
    );
}
