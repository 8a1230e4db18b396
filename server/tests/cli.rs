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
