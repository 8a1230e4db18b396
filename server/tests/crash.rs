//! A real `aegis serve` child takes a burst of timeline writes, is killed with SIGKILL in the middle
//! of it, and is started again on the same data directory: every write a client saw acknowledged
//! is there, and the database opened without repair.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wire::{EntryKind, IncidentDetail};

const PASSWORD: &str = "crash test password 1";

/// Kills the child when the test ends, however it ends.
struct Gateway {
    child: Child,
    base: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aegis(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis"));
    c.env("AEGIS_DATA_DIR", data)
        .env("AEGIS_SITE_DIR", data.join("no-site"))
        // Nothing listens on port 1: sweeps fail fast, which this test does not care about.
        .env("AEGIS_SSH_HOST", "127.0.0.1")
        .env("AEGIS_SSH_PORT", "1")
        .env("AEGIS_LISTEN", "127.0.0.1:0")
        .env("AEGIS_SECURE_COOKIES", "false")
        .env("AEGIS_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("AEGIS_CONFIG");
    c
}

fn add_responder(data: &std::path::Path) {
    let mut child = aegis(data)
        .args([
            "user",
            "add",
            "responder",
            "--role",
            "responder",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Starts `aegis serve` and waits for the line that says where it listens.
fn start(data: &std::path::Path) -> Gateway {
    let mut child = aegis(data)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or("");
                    let base = url.trim_end_matches('/').to_string();
                    let _ = tx.send(base);
                    sent = true;
                }
            }
        }
    });
    let base = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the gateway says where it listens");
    Gateway { child, base }
}

async fn sign_in(g: &Gateway) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = c
        // No Origin: a script, not a browser (the console's origin is unknown with port 0).
        .post(format!("{}/api/login", g.base))
        .json(&json!({"name": "responder", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    (c, me["csrf_token"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    add_responder(dir.path());
    let mut g = start(dir.path());
    let (client, csrf) = sign_in(&g).await;
    let resp = client
        .post(format!("{}/api/incidents", g.base))
        .header(wire::CSRF_HEADER, &csrf)
        .json(&json!({"title": "crash test", "broken": "nothing", "severity": "sev3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.unwrap()["incident"]["id"]
        .as_i64()
        .unwrap();

    // Four writers post notes as fast as the gateway acknowledges them.
    let burst = std::time::Instant::now();
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let (progress, mut seen) = tokio::sync::watch::channel(0usize);
    let progress = Arc::new(progress);
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, csrf, base) = (client.clone(), csrf.clone(), g.base.clone());
        let (acked, progress) = (acked.clone(), progress.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let text = format!("writer {w} note {n}");
                let sent = client
                    .post(format!("{base}/api/incidents/{id}/notes"))
                    .header(wire::CSRF_HEADER, &csrf)
                    .json(&json!({ "text": text }))
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if resp.status() != 201 {
                    break;
                }
                let Ok(body) = resp.json::<Value>().await else {
                    break;
                };
                let seq = body["entry"]["seq"].as_i64().unwrap();
                let mut list = acked.lock().unwrap();
                list.push((seq, text));
                progress.send_replace(list.len());
            }
        }));
    }
    // Kill it mid-burst, once a good number of writes were acknowledged.
    seen.wait_for(|n| *n >= 150).await.unwrap();
    let elapsed = burst.elapsed();
    g.child.kill().unwrap();
    g.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150);

    // Same data directory, no repair step: everything acknowledged is there.
    drop(g);
    let g = start(dir.path());
    let (client, _) = sign_in(&g).await;
    let resp = client
        .get(format!("{}/api/incidents/{id}", g.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let detail: IncidentDetail = resp.json().await.unwrap();
    let stored: std::collections::HashMap<i64, String> = detail
        .timeline
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Note { text } => Some((e.seq, text.clone())),
            _ => None,
        })
        .collect();
    let missing: Vec<_> = acked
        .iter()
        .filter(|(seq, text)| stored.get(seq) != Some(text))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes lost: {missing:?}",
        missing.len(),
        acked.len()
    );
    println!(
        "{} acknowledged writes before SIGKILL ({} in {:.0} ms: {:.0} durable writes/s from 4 writers), {} notes on disk after restart",
        acked.len(),
        150,
        elapsed.as_secs_f64() * 1000.0,
        150.0 / elapsed.as_secs_f64(),
        stored.len()
    );
}
