//! The README's two commands (`demo`, `test`) and the benchmarks.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Result};

use crate::deps::{self, run, Need};
use crate::{sandbox, web};

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Sandbox up, SPA built, gateway running against the sandbox on http://127.0.0.1:8080/, with a
/// commander, a responder and a stakeholder whose fresh passwords are printed.
pub fn demo(root: &Path) -> Result<()> {
    deps::ensure(
        root,
        Need {
            sandbox: true,
            wasm: true,
            browser: false,
        },
    )?;
    web::build(root, true)?;
    sandbox::run(root, &["up".to_string()])?;
    let config = root.join(".sandbox/aegis.toml");
    run(
        cargo()
            .current_dir(root)
            .args(["build", "-q", "-p", "server", "--bin", "aegis"]),
        "building the gateway",
    )?;
    let aegis = root.join("target/debug/aegis");
    let mut accounts = Vec::new();
    for role in ["commander", "responder", "stakeholder"] {
        let password = demo_account(&aegis, &config, role)?;
        accounts.push((role, password));
    }
    println!();
    println!("Aegis demo: the console runs against the sandbox Olympus host.");
    println!("  open        http://127.0.0.1:8080/  (AEGIS_LISTEN=... to change)");
    println!("  sign in as  (passwords are new at every demo start)");
    for (role, password) in &accounts {
        println!("              {role:<12} {password}");
    }
    println!("  incidents   http://127.0.0.1:8080/incidents  (declare one as the responder, then break something: it lands on the timeline)");
    println!("  break it    cargo xtask sandbox fault 503 ciam-kratos   (stop|refuse|503|hang|ok <service>, pg-down, pg-hang, ...)");
    println!("  mend it     cargo xtask sandbox reset");
    println!(
        "  stop        Ctrl-C (the sandbox keeps running; `cargo xtask sandbox down` stops it)"
    );
    println!();
    run(
        Command::new(&aegis)
            .args(["serve", "--config"])
            .arg(&config),
        "the gateway",
    )
}

/// Creates the demo account `role` (named after its role), or gives it a new password; returns it.
fn demo_account(aegis: &Path, config: &Path, role: &str) -> Result<String> {
    let add = Command::new(aegis)
        .args(["user", "add", role, "--role", role, "--config"])
        .arg(config)
        .output()?;
    let out = if add.status.success() {
        add
    } else {
        Command::new(aegis)
            .args(["user", "passwd", role, "--config"])
            .arg(config)
            .output()?
    };
    let text = String::from_utf8_lossy(&out.stdout);
    match text.lines().find_map(|l| l.strip_prefix("password: ")) {
        Some(p) if out.status.success() => Ok(p.trim().to_string()),
        _ => bail!(
            "creating the demo account {role} failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Every test: unit, integration against the sandbox over real SSH, and end to end in Chromium.
pub fn test(root: &Path, args: &[String]) -> Result<()> {
    let started = Instant::now();
    deps::ensure(root, Need::all())?;
    let site = web::build(root, true)?;
    sandbox::run(root, &["up".to_string()])?;
    let mut failures = Vec::new();
    if let Some(why) = site.over_budget() {
        eprintln!("xtask test: {why}");
        failures.push("the first screen's wasm budget");
    }

    let cargo_ok = cargo()
        .current_dir(root)
        .args(["test", "--workspace"])
        .args(args)
        .status()?
        .success();
    if !cargo_ok {
        failures.push("cargo test --workspace");
    }
    // The end-to-end suite starts its own gateway against the sandbox.
    let built = cargo()
        .current_dir(root)
        .args(["build", "-q", "-p", "server", "--bin", "aegis"])
        .status()?
        .success();
    let e2e_ok = built
        && Command::new("npx")
            .current_dir(root.join("end2end"))
            .args(["playwright", "test"])
            .env("E2E_ROOT", root)
            .status()?
            .success();
    if !e2e_ok {
        failures.push("end2end (playwright)");
    }
    // Leave the host healthy for whoever uses it next.
    let _ = sandbox::run(root, &["reset".to_string()]);
    println!(
        "xtask test: finished in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("failed: {}", failures.join(", "))
    }
}

/// The benchmarks: the sweep against the playbook's loop, 1,000 websocket viewers, what
/// strangers cost before sign-in (`abuse`), and each walkthrough probe from its button to its
/// result on a phone's screen (`probes`, in Chromium).
pub fn bench(root: &Path, args: &[String]) -> Result<()> {
    let which: Vec<&str> = if args.is_empty() {
        vec!["sweep", "viewers", "abuse", "probes"]
    } else {
        args.iter().map(String::as_str).collect()
    };
    let browser = which.contains(&"probes");
    deps::ensure(
        root,
        Need {
            sandbox: true,
            wasm: browser,
            browser,
        },
    )?;
    if browser {
        web::build(root, true)?;
    }
    sandbox::run(root, &["up".to_string()])?;
    for bench in which {
        if bench == "probes" {
            run(
                cargo()
                    .current_dir(root)
                    .args(["build", "-q", "-p", "server", "--bin", "aegis"]),
                "build the gateway",
            )?;
            run(
                Command::new("npx")
                    .current_dir(root.join("end2end"))
                    .args(["playwright", "test", "tests/probe-timing.spec.mjs"])
                    .env("E2E_ROOT", root),
                "bench probes",
            )?;
            continue;
        }
        run(
            cargo()
                .current_dir(root)
                .args(["bench", "-q", "-p", "server", "--bench", bench]),
            &format!("bench {bench}"),
        )?;
    }
    let _ = sandbox::run(root, &["reset".to_string()]);
    Ok(())
}
