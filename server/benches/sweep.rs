//! The full first-response sweep through the gateway (one multiplexed SSH connection, checks run
//! concurrently) against the playbook's own loop (a fresh `ssh` per command, one after another),
//! on the same sandbox host in the same run. Prints both and their ratio.
//!
//! Run with `cargo xtask bench sweep` (it starts the sandbox).

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use server::config::Settings;
use server::probes::{sweep, Catalog};
use server::remote::{RemoteHost, SshHost};
use support::{ms, quantile, sandbox_config};

const ROUNDS: usize = 10;

fn main() {
    let settings = Settings::load_with_env(Some(&sandbox_config()), []).expect("sandbox config");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let data = tempfile::tempdir().expect("tempdir");

    // Gateway: connect once, then sweep ROUNDS times.
    let (first, gateway) = rt.block_on(async {
        let catalog = Catalog::from_settings(&settings.catalog()).expect("catalog");
        let host = Arc::new(SshHost::new(
            settings.ssh.clone(),
            data.path().join("ssh"),
            settings.sweep.max_concurrent,
        ));
        let t = Instant::now();
        let out = sweep(&catalog, host.as_ref()).await;
        let first = t.elapsed();
        assert!(
            out.host.reachable,
            "sandbox unreachable: {}",
            out.host.detail
        );
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let out = sweep(&catalog, host.as_ref()).await;
            times.push(t.elapsed());
            let bad: Vec<_> = out
                .findings
                .iter()
                .filter(|f| f.status != wire::Status::Up)
                .collect();
            assert!(bad.is_empty(), "the sandbox is not healthy: {bad:?}");
        }
        host.close().await;
        times.sort();
        (first, times)
    });

    // The playbook: `ssh prod '...'` per command, in sequence, then curl to the edge from here.
    let mut playbook = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        playbook_loop(&settings);
        playbook.push(t.elapsed());
    }
    playbook.sort();

    let g50 = quantile(&gateway, 0.5);
    let p50 = quantile(&playbook, 0.5);
    println!(
        "sweep benchmark: {} checks on the sandbox host ({})",
        Catalog::from_settings(&settings.catalog())
            .map(|c| c.checks.len())
            .unwrap_or(0),
        settings.target_label()
    );
    println!(
        "  gateway sweep, first (includes SSH connect): {}",
        ms(first)
    );
    println!(
        "  gateway sweep, connected, median of {ROUNDS}:      {}  (min {}, max {})",
        ms(g50),
        ms(gateway[0]),
        ms(gateway[gateway.len() - 1])
    );
    println!(
        "  playbook loop, ssh per command, median of 3: {}  (min {}, max {})",
        ms(p50),
        ms(playbook[0]),
        ms(playbook[playbook.len() - 1])
    );
    println!(
        "  ratio playbook / gateway: {:.1}x",
        p50.as_secs_f64() / g50.as_secs_f64().max(1e-9)
    );
}

/// The playbook's step 2, literally: 1 + 8 + 1 commands over fresh `ssh` connections, 2 local curls.
fn playbook_loop(settings: &Settings) {
    let ssh = |remote: &str| {
        let mut c = Command::new("ssh");
        c.args([
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
        ])
        .arg("-o")
        .arg(format!(
            "UserKnownHostsFile={}",
            settings
                .ssh
                .known_hosts
                .as_ref()
                .expect("known_hosts")
                .display()
        ))
        .arg("-i")
        .arg(settings.ssh.identity.as_ref().expect("identity"))
        .args([
            "-p",
            &settings.ssh.port.to_string(),
            "-l",
            &settings.ssh.user,
            &settings.ssh.host,
        ])
        .arg(remote)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        c
    };
    let _ = ssh("podman ps").status();
    for s in &settings.services {
        let _ = ssh(&format!("curl -s {} | head -1", s.health_url)).status();
    }
    for e in &settings.edges {
        let mut c = Command::new("curl");
        c.args(["-sI", "--max-time", "4"]);
        if let (Some(ip), Some(rest)) = (e.resolve, e.url.as_str().strip_prefix("https://")) {
            let hostport = rest.split('/').next().unwrap_or(rest);
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "443"));
            c.arg("--resolve").arg(format!("{host}:{port}:{ip}"));
        }
        if let Some(ca) = &e.ca_bundle {
            c.arg("--cacert").arg(ca);
        }
        let _ = c
            .arg(e.url.as_str())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    if let Some(db) = &settings.database {
        let _ = ssh(&format!("podman exec {} pg_isready", db.container)).status();
    }
}
