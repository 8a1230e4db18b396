//! 1,000 websocket viewers on one gateway while a fault flips on the sandbox host.
//!
//! The gateway runs as its own process (the `aegis` binary) so that its peak RSS is its own. Each
//! viewer records when the `changes` frame for the fault arrived; the latency is from the probe's
//! result (the check's `checked_at_ms`, stamped by the gateway when the sweep's result lands) to
//! the viewer, on the same machine's clock. Run with `cargo xtask bench viewers`.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wire::{HealthSnapshot, ServerMsg, Status};

use support::{ms, quantile, sandbox_config, sandbox_script};

const VIEWERS: usize = 1000;
const CHECK: &str = "health.ciam-hera";

struct Gateway {
    child: Child,
    addr: String,
    /// The session cookie every viewer connects with.
    cookie: String,
    _data: tempfile::TempDir,
}

const PASSWORD: &str = "benchmark viewer password";

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_ms_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// VmRSS or VmHWM of a process, in KiB.
fn proc_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn start_gateway() -> Gateway {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let data = tempfile::tempdir().expect("tempdir");
    let mut add = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .args([
            "user",
            "add",
            "viewer",
            "--role",
            "responder",
            "--password-stdin",
            "--config",
        ])
        .arg(sandbox_config())
        .env("AEGIS_DATA_DIR", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("aegis user add");
    if let Some(mut stdin) = add.stdin.take() {
        use std::io::Write;
        let _ = writeln!(stdin, "{PASSWORD}");
    }
    assert!(
        add.wait().map(|s| s.success()).unwrap_or(false),
        "creating the viewer account failed"
    );
    let child = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .args(["serve", "--config"])
        .arg(sandbox_config())
        .env("AEGIS_LISTEN", format!("127.0.0.1:{port}"))
        .env("AEGIS_DATA_DIR", data.path())
        .env("AEGIS_SWEEP_INTERVAL_SECS", "1")
        .env("AEGIS_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start aegis");
    let mut gw = Gateway {
        child,
        addr: format!("127.0.0.1:{port}"),
        cookie: String::new(),
        _data: data,
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while gw.cookie.is_empty() {
        let login = client
            .post(format!("http://{}/api/login", gw.addr))
            .json(&wire::LoginRequest {
                name: "viewer".into(),
                password: PASSWORD.into(),
            })
            .send()
            .await;
        if let Ok(resp) = login {
            gw.cookie = resp
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("aegis_session="))
                .and_then(|v| v.split(';').next())
                .unwrap_or("")
                .to_string();
        }
        assert!(
            Instant::now() < deadline,
            "could not sign in to the gateway within 30 s"
        );
        if gw.cookie.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    loop {
        let health = client
            .get(format!("http://{}/api/health", gw.addr))
            .header("cookie", &gw.cookie)
            .send()
            .await;
        if let Ok(resp) = health {
            if let Ok(snap) = resp.json::<HealthSnapshot>().await {
                if snap.sweep_seq > 0 && snap.checks.iter().all(|c| c.status == Status::Up) {
                    return gw;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not show a healthy sandbox within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::main]
async fn main() {
    let _ = rlimit::increase_nofile_limit(4 * VIEWERS as u64 + 256);
    sandbox_script(&["reset"]);
    let gw = start_gateway().await;
    let pid = gw.child.id();
    let rss_idle = proc_kib(pid, "VmRSS:");

    // Connect every viewer and read its snapshot before the fault.
    let t = Instant::now();
    let mut sockets = Vec::with_capacity(VIEWERS);
    for chunk in 0..VIEWERS.div_ceil(100) {
        let batch = (0..100.min(VIEWERS - chunk * 100)).map(|_| async {
            let mut req = format!("ws://{}/ws", gw.addr)
                .into_client_request()
                .expect("request");
            req.headers_mut()
                .insert("cookie", gw.cookie.parse().expect("cookie header"));
            let (mut ws, _) = tokio_tungstenite::connect_async(req)
                .await
                .expect("connect");
            match ws.next().await {
                Some(Ok(Message::Text(t))) => assert!(matches!(
                    serde_json::from_str::<ServerMsg>(t.as_str()),
                    Ok(ServerMsg::Snapshot { .. })
                )),
                other => panic!("expected a snapshot, got {other:?}"),
            }
            ws
        });
        sockets.extend(futures::future::join_all(batch).await);
    }
    let connect_time = t.elapsed();
    let rss_connected = proc_kib(pid, "VmRSS:");

    // Every viewer waits for the fault's change.
    let waits = sockets.into_iter().map(|mut ws| {
        tokio::spawn(async move {
            while let Some(Ok(frame)) = ws.next().await {
                let Message::Text(text) = frame else { continue };
                if let Ok(ServerMsg::Changes { changed, .. }) =
                    serde_json::from_str::<ServerMsg>(text.as_str())
                {
                    if let Some(c) = changed
                        .iter()
                        .find(|c| c.id == CHECK && c.status == Status::Down)
                    {
                        let received = now_ms_f64();
                        return Some(Duration::from_secs_f64(
                            ((received - c.checked_at_ms as f64).max(0.0)) / 1000.0,
                        ));
                    }
                }
            }
            None
        })
    });
    let waits: Vec<_> = waits.collect();
    let fault_at = Instant::now();
    sandbox_script(&["fault", "503", "ciam-hera"]);
    let mut latencies = Vec::with_capacity(VIEWERS);
    for w in waits {
        if let Ok(Some(d)) = tokio::time::timeout(Duration::from_secs(60), w)
            .await
            .expect("viewer within 60 s")
        {
            latencies.push(d);
        }
    }
    let flip_to_last = fault_at.elapsed();
    let rss_peak = proc_kib(pid, "VmHWM:");
    sandbox_script(&["reset"]);
    latencies.sort();

    println!(
        "viewers benchmark: {VIEWERS} websocket viewers, fault `503 ciam-hera` on the sandbox host"
    );
    println!(
        "  viewers connected (snapshot received): {} in {}",
        VIEWERS,
        ms(connect_time)
    );
    println!(
        "  viewers that received the change:      {}",
        latencies.len()
    );
    println!(
        "  probe result -> viewer latency:        p50 {}  p99 {}  max {}  (ms clock resolution)",
        ms(quantile(&latencies, 0.5)),
        ms(quantile(&latencies, 0.99)),
        ms(quantile(&latencies, 1.0))
    );
    println!(
        "  fault injected -> last viewer:         {} (includes waiting for the next 1 s sweep)",
        ms(flip_to_last)
    );
    println!(
        "  gateway RSS: idle {:.1} MiB, {VIEWERS} viewers {:.1} MiB (x{:.1}), peak {:.1} MiB",
        rss_idle as f64 / 1024.0,
        rss_connected as f64 / 1024.0,
        rss_connected as f64 / rss_idle.max(1) as f64,
        rss_peak as f64 / 1024.0
    );
    assert_eq!(
        latencies.len(),
        VIEWERS,
        "every viewer must receive the change"
    );
}
