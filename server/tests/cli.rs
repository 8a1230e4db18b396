//! The `aegis` binary's account commands, as an operator runs them.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn aegis(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .args(args)
        .env("AEGIS_SSH_HOST", "prod.example")
        .env("AEGIS_DATA_DIR", data)
        .env_remove("AEGIS_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn accounts_are_created_listed_and_disabled_without_showing_hashes() {
    let data = tempfile::tempdir().unwrap();
    let out = aegis(
        data.path(),
        &["user", "add", "ada", "--role", "commander"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let generated = text(&out)
        .lines()
        .find_map(|l| l.strip_prefix("password: ").map(str::to_string))
        .unwrap();
    assert_eq!(generated.len(), 20);

    let out = aegis(
        data.path(),
        &[
            "user",
            "add",
            "bob",
            "--role",
            "stakeholder",
            "--password-stdin",
        ],
        Some("a long enough secret\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !text(&out).contains("a long enough secret"),
        "a typed password is never echoed"
    );

    let out = aegis(
        data.path(),
        &["user", "add", "BOB", "--role", "responder"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("already exists"), "{}", text(&out));

    let out = aegis(
        data.path(),
        &[
            "user",
            "add",
            "cy",
            "--role",
            "responder",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("at least 12"), "{}", text(&out));

    assert!(aegis(data.path(), &["user", "disable", "bob"], None)
        .status
        .success());
    let list = text(&aegis(data.path(), &["user", "list"], None));
    assert!(list.contains("ada") && list.contains("commander"), "{list}");
    assert!(
        list.lines()
            .any(|l| l.starts_with("bob") && l.contains("disabled")),
        "{list}"
    );
    assert!(!list.contains("argon2"), "{list}");

    let out = aegis(
        data.path(),
        &["user", "set-role", "nobody", "responder"],
        None,
    );
    assert!(
        text(&out).contains("no user named `nobody`"),
        "{}",
        text(&out)
    );
}

/// Logs read from a pipe or a file are plain text: no colour escape codes.
#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .arg("serve")
        .env("AEGIS_SSH_HOST", "127.0.0.1")
        .env("AEGIS_SSH_PORT", "1")
        .env("AEGIS_LISTEN", "127.0.0.1:0")
        .env("AEGIS_DATA_DIR", dir.path())
        .env("AEGIS_SITE_DIR", dir.path())
        .env_remove("AEGIS_CONFIG")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("listening on");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines.iter().any(|l| l.contains("listening on")),
        "the gateway logged where it listens: {lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains('\u{1b}')),
        "colour codes in piped logs: {lines:?}"
    );
}

/// The command line keeps the console's rule: the last active commander cannot be demoted or
/// disabled, and says what to do instead.
#[test]
fn the_last_commander_cannot_be_demoted_or_disabled_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let add = |name: &str, role: &str| {
        let out = aegis(
            data.path(),
            &["user", "add", name, "--role", role, "--password-stdin"],
            Some("a long enough secret\n"),
        );
        assert!(out.status.success(), "{}", text(&out));
    };
    add("ada", "commander");
    for args in [
        &["user", "set-role", "ada", "responder"][..],
        &["user", "disable", "ada"][..],
    ] {
        let out = aegis(data.path(), args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("last active commander"),
            "{}",
            text(&out)
        );
    }
    let list = text(&aegis(data.path(), &["user", "list"], None));
    assert!(
        list.lines()
            .any(|l| l.starts_with("ada") && l.contains("commander") && l.contains("active")),
        "{list}"
    );
    // With a second commander, the first may step down.
    add("ben", "commander");
    let out = aegis(data.path(), &["user", "set-role", "ada", "responder"], None);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn check_config_lists_the_playbooks_and_refuses_a_broken_one_by_file_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/olympus.example.toml"
    );
    let ok = aegis(dir.path(), &["check-config", "--config", example], None);
    let out = text(&ok);
    assert!(ok.status.success(), "{out}");
    assert!(
        out.contains("playbooks ok: 9 from the shipped catalog"),
        "{out}"
    );
    assert!(out.contains("database-tls"), "{out}");

    // An installation's own catalog, with a decision that leads nowhere.
    let playbooks = dir.path().join("playbooks");
    std::fs::create_dir(&playbooks).unwrap();
    std::fs::write(
        playbooks.join("mine.toml"),
        r#"id = "mine"
title = "Mine"
symptom = "s"
severity = "sev3"
source = "ours"

[[step]]
id = "look"
kind = "probe"
title = "Look"
probe = { kind = "containers" }

[[step]]
id = "choose"
kind = "decision"
title = "Choose"
on = "look"

[[step.branch]]
label = "Restart"
next = "restart"
when = { field = "all_running", is = false }

[[step.branch]]
label = "Fine"
next = "end"
"#,
    )
    .unwrap();
    let config = dir.path().join("aegis.toml");
    let example_text = std::fs::read_to_string(example).unwrap();
    // The example's own commented lines, switched on: they must work as written.
    let edited = example_text
        .replace("# dir = \"playbooks\"", "dir = \"playbooks\"")
        .replace("# links = {", "links = {");
    assert_ne!(
        edited, example_text,
        "the example documents [playbooks] dir and links"
    );
    std::fs::write(&config, edited).unwrap();
    let broken = aegis(
        dir.path(),
        &["check-config", "--config", config.to_str().unwrap()],
        None,
    );
    let out = text(&broken);
    assert_eq!(broken.status.code(), Some(2), "{out}");
    assert!(out.contains("mine.toml"), "{out}");
    assert!(
        out.contains("playbook `mine`: step `choose`: `next` points to `restart`"),
        "{out}"
    );
    assert!(out.contains("config/playbooks/README.md"), "{out}");
}

/// Builds a log of `n` entries in the data directory the way the gateway writes it.
fn audit_log(data: &std::path::Path, n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server::store::Store::open(data).await.unwrap();
        let log = server::audit::AuditLog::new(store);
        for i in 0..n {
            log.append(
                "ana",
                Some(1 + (i as i64 % 2)),
                wire::AuditKind::Probe,
                format!("probe step s{i}"),
                "checked",
                vec![],
            )
            .await
            .unwrap();
        }
    });
}

fn sqlite(data: &std::path::Path, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server::store::Store::open(data).await.unwrap();
        for s in [
            "DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete",
            sql,
        ] {
            sqlx::query(s).execute(store.pool()).await.unwrap();
        }
    });
}

#[test]
fn audit_verify_names_the_first_altered_entry_and_export_writes_json_lines() {
    let data = tempfile::tempdir().unwrap();
    audit_log(data.path(), 6);
    let out = aegis(data.path(), &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("intact: 6 entries, head #6 "), "{said}");
    let head = said
        .lines()
        .find_map(|l| l.split_once("head ").map(|(_, h)| h.trim().to_string()))
        .unwrap();

    let out = aegis(
        data.path(),
        &["audit", "export", "--incident", "INC-2"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [2, 4, 6]
    );
    assert!(lines
        .iter()
        .all(|l| l["hash"].as_str().unwrap().len() == 64));
    // To a file: the same lines, readable by its owner only (commands and who ran them), also
    // when the file existed with wider permissions.
    {
        use std::os::unix::fs::PermissionsExt;
        let file = data.path().join("audit.jsonl");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let to_file = aegis(
            data.path(),
            &[
                "audit",
                "export",
                "--incident",
                "INC-2",
                "--output",
                path_arg(&file),
            ],
            None,
        );
        assert!(to_file.status.success(), "{}", text(&to_file));
        assert_eq!(std::fs::read(&file).unwrap(), out.stdout);
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // The newest entry removed: only the head from the channel shows it.
    sqlite(data.path(), "DELETE FROM audit_log WHERE seq = 6");
    let out = aegis(data.path(), &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = aegis(data.path(), &["audit", "verify", "--head", &head], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("BROKEN at entry 6"), "{}", text(&out));

    sqlite(
        data.path(),
        "UPDATE audit_log SET record_json = replace(record_json, 'checked', 'skipped') WHERE seq = 3",
    );
    let out = aegis(data.path(), &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("BROKEN at entry 3: entry 3 was altered"),
        "{}",
        text(&out)
    );

    let out = aegis(
        data.path(),
        &["audit", "verify", "--head", "nonsense"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("#SEQ HASH"), "{}", text(&out));
}

// --- `aegis incident export|import`: one incident as one JSON bundle. ---

/// INC-1 with a row in every table that holds an incident's rows, INC-2 interleaved with it (the
/// bundle tests' fixture), written through the store as the gateway writes them.
fn rich_incident(data: &std::path::Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server::store::Store::open(data).await.unwrap();
        assert_eq!(server::bundle::fixture::rich(&store).await, 1);
    });
}

fn path_arg(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// `exported_at_ms` is the one field that depends on when: `--at-ms` pins it, so that two exports
/// are compared whole, byte for byte.
const AT: &str = "1700000000000";

#[test]
fn incident_bundle_exported_imported_and_exported_again_is_byte_identical() {
    use std::os::unix::fs::PermissionsExt;
    let source = tempfile::tempdir().unwrap();
    rich_incident(source.path());
    let files = tempfile::tempdir().unwrap();
    let (a, b) = (files.path().join("a.json"), files.path().join("b.json"));

    let out = aegis(
        source.path(),
        &[
            "incident",
            "export",
            "1",
            "--output",
            path_arg(&a),
            "--at-ms",
            AT,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let exported = std::fs::read(&a).unwrap();
    assert_eq!(
        std::fs::metadata(&a).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        exported.ends_with(b"}\n"),
        "pretty JSON, one trailing newline"
    );
    let stdout = aegis(
        source.path(),
        &["incident", "export", "INC-1", "--at-ms", AT],
        None,
    );
    assert!(stdout.status.success(), "{}", text(&stdout));
    assert_eq!(
        stdout.stdout, exported,
        "stdout and --output write the same"
    );

    // Into a data directory that does not exist yet.
    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("data");
    let out = aegis(&data, &["incident", "import", path_arg(&a)], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "imported INC-1: 3 timeline entries, 2 deliveries, 1 playbook run (2 records), \
         1 action request, 2 retrospective versions, 2 action items, 2 stars, \
         a mitigation mark, 2 reminders, 3 audit digests\n"
    );
    let out = aegis(
        &data,
        &[
            "incident",
            "export",
            "1",
            "--output",
            path_arg(&b),
            "--at-ms",
            AT,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        std::fs::read(&b).unwrap() == exported,
        "the re-export differs:\n{}",
        String::from_utf8_lossy(&std::fs::read(&b).unwrap())
    );

    // The digests are not in the live chain, which stays intact (and here, empty).
    let out = aegis(&data, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("the log is empty"), "{}", text(&out));

    let out = aegis(&data, &["incident", "import", path_arg(&a)], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("INC-1 already exists here"),
        "{}",
        text(&out)
    );

    // Work goes on on the imported incident: its new audit entries start this installation's
    // chain, which verifies, and its export carries the imported digests and then the new one.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server::store::Store::open(&data).await.unwrap();
        server::audit::AuditLog::new(store)
            .append(
                "bo",
                Some(1),
                wire::AuditKind::Probe,
                "probe x",
                "ok",
                vec![],
            )
            .await
            .unwrap();
    });
    let out = aegis(&data, &["audit", "verify"], None);
    assert!(
        text(&out).contains("audit chain intact: 1 entries"),
        "{}",
        text(&out)
    );
    let out = aegis(&data, &["incident", "export", "1"], None);
    let bundle: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seqs: Vec<i64> = bundle["audit_digests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 3, 5, 1]);
}

#[test]
fn incident_bundle_import_refuses_altered_digests_unknown_fields_and_other_formats() {
    let source = tempfile::tempdir().unwrap();
    rich_incident(source.path());
    let out = aegis(source.path(), &["incident", "export", "1"], None);
    assert!(out.status.success(), "{}", text(&out));
    let good: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let target = tempfile::tempdir().unwrap();
    let file = target.path().join("bundle.json");
    let data = target.path().join("data");
    let refused = |edit: &dyn Fn(&mut serde_json::Value), expected: &str| {
        let mut bundle = good.clone();
        edit(&mut bundle);
        std::fs::write(&file, serde_json::to_vec_pretty(&bundle).unwrap()).unwrap();
        let out = aegis(&data, &["incident", "import", path_arg(&file)], None);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(expected), "expected {expected:?} in: {said}");
    };

    // One digest's hash altered: refused, naming the entry.
    refused(
        &|b| {
            let hash = b["audit_digests"][1]["hash"].as_str().unwrap();
            let flipped = if hash.starts_with('0') { "1" } else { "0" };
            b["audit_digests"][1]["hash"] = format!("{flipped}{}", &hash[1..]).into();
        },
        "audit digest 3 was altered: its hash does not match its content",
    );
    refused(
        &|b| b["colour"] = "red".into(),
        "at `colour`: unknown field `colour`",
    );
    refused(
        &|b| b["incident"]["severity_label"] = "Sev 1".into(),
        "unknown field `severity_label`",
    );
    refused(
        &|b| b["format"] = "aegis-backup".into(),
        "its format is \"aegis-backup\", not \"aegis-incident-bundle\"",
    );
    refused(
        &|b| b["version"] = 2.into(),
        "an incident bundle of version 2",
    );
    // Nothing of any of them was written.
    let out = aegis(&data, &["incident", "export", "1"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("there is no INC-1"), "{}", text(&out));

    // Usage errors.
    for args in [
        &["incident", "export"][..],
        &["incident", "export", "seven"][..],
        &["incident", "import"][..],
    ] {
        let out = aegis(&data, args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
}
