//! What strangers cost the gateway before sign-in, and whether they lock anyone out, measured on a
//! real `aegis serve` process (its RSS is its own):
//!
//! - 200 anonymous sign-ins with 500 KB names, then 200 with 60 KB names (under the body limit):
//!   the gateway's RSS before, after, and the ratio;
//! - a stranger guessing share-link tokens from one address, then ten stakeholders opening the
//!   real link in the same moment from ten addresses (one of them the stranger's): their statuses.
//!
//! Run with `cargo xtask bench abuse` (it needs no sandbox host: the gateway's SSH target is a
//! closed port, which the board reports and nothing here depends on).

#![allow(clippy::unwrap_used)] // a benchmark may panic: that is how it fails

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

struct Gateway {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aegis(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis"));
    c.env("AEGIS_SSH_HOST", "127.0.0.1")
        .env("AEGIS_SSH_PORT", "1")
        .env("AEGIS_DATA_DIR", data)
        .env("AEGIS_SITE_DIR", data)
        .env("AEGIS_TRUSTED_PROXIES", "127.0.0.1")
        .env("AEGIS_LOG", "warn")
        .env_remove("AEGIS_CONFIG");
    c
}

async fn start() -> Gateway {
    let data = tempfile::tempdir().unwrap();
    let mut add = aegis(data.path())
        .args([
            "user",
            "add",
            "commander",
            "--role",
            "commander",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = aegis(data.path())
        .arg("serve")
        .env("AEGIS_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}/api/ping")).await.is_err() {
        assert!(Instant::now() < deadline, "the gateway did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Gateway {
        child,
        base,
        _data: data,
    }
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// `n` anonymous sign-ins with names of `len` bytes, 20 at a time, from 200 addresses; the
/// statuses seen and how often.
async fn long_names(g: &Gateway, n: usize, len: usize) -> Vec<(u16, usize)> {
    let client = reqwest::Client::new();
    let mut statuses = std::collections::BTreeMap::new();
    for batch in (0..n).collect::<Vec<_>>().chunks(20) {
        let sent = futures::future::join_all(batch.iter().map(|i| {
            let name = format!("{i}{}", "x".repeat(len));
            client
                .post(format!("{}/api/login", g.base))
                .header("x-forwarded-for", format!("198.51.100.{}", i % 200))
                .json(&wire::LoginRequest {
                    name,
                    password: "whatever".into(),
                })
                .send()
        }))
        .await;
        for r in sent {
            let code = r.map(|r| r.status().as_u16()).unwrap_or(0);
            *statuses.entry(code).or_insert(0) += 1;
        }
    }
    statuses.into_iter().collect()
}

async fn share_link(g: &Gateway) -> String {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let me: wire::Me = c
        .post(format!("{}/api/login", g.base))
        .json(&wire::LoginRequest {
            name: "commander".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: wire::CreatedShareLink = c
        .post(format!("{}/api/share-links", g.base))
        .header(wire::CSRF_HEADER, me.csrf_token)
        .json(&wire::NewShareLink {
            label: "Support leads".into(),
            expires_in_hours: 24,
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created.path
}

async fn open(g: &Gateway, path: &str, from: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api{path}", g.base))
        .header("x-forwarded-for", from)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let g = start().await;
    let pid = g.child.id();
    // Let start-up settle (the first sweep fails fast against the closed port).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mib(pid);
    let big = long_names(&g, 200, 500_000).await;
    let after_big = rss_mib(pid);
    let under = long_names(&g, 200, 60_000).await;
    let after_under = rss_mib(pid);
    println!("sign-in with long names, gateway RSS (baseline: idle, same process)");
    println!("  idle                          {idle:6.1} MiB");
    println!(
        "  after 200 × 500 KB names      {after_big:6.1} MiB  ({:.2}× idle)  statuses {big:?}",
        after_big / idle
    );
    println!(
        "  after 200 × 60 KB names       {after_under:6.1} MiB  ({:.2}× idle)  statuses {under:?}",
        after_under / idle
    );

    let path = share_link(&g).await;
    let mut guesses = std::collections::BTreeMap::new();
    for i in 0..25 {
        let code = open(&g, &format!("/share/guess{i}"), "203.0.113.66").await;
        *guesses.entry(code).or_insert(0) += 1;
    }
    let started = Instant::now();
    let crowd = futures::future::join_all((0..10).map(|n| {
        let from = if n == 0 {
            "203.0.113.66".to_string()
        } else {
            format!("198.51.100.{n}")
        };
        let (g, path) = (&g, path.clone());
        async move { open(g, &path, &from).await }
    }))
    .await;
    let took = started.elapsed();
    let admitted = crowd.iter().filter(|c| **c == 200).count();
    println!("share link: a stranger's 25 wrong tokens from one address: {guesses:?}");
    println!(
        "share link: ten stakeholders open the real link at once (one from the stranger's address): {admitted} of 10 admitted, statuses {crowd:?}, {:.1} ms",
        took.as_secs_f64() * 1000.0
    );
}
