//! Shared harness: the sandbox's fault switch, a gateway on port 0, and waiting on board events.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use server::config::Settings;
use server::hub::Hub;
use server::Gateway;
use tokio::sync::{Mutex, MutexGuard};
use wire::{CheckResult, HealthSnapshot, Status};

static HOST: Mutex<()> = Mutex::const_new(());

/// Exclusive use of the sandbox host, reset to healthy.
pub struct Sandbox {
    _guard: MutexGuard<'static, ()>,
    pub root: PathBuf,
    pub dir: PathBuf,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repo root")
}

impl Sandbox {
    pub async fn claim() -> Sandbox {
        let guard = HOST.lock().await;
        let root = repo_root();
        let dir = std::env::var_os("AEGIS_SANDBOX_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".sandbox"));
        assert!(
            dir.join("aegis.toml").is_file(),
            "the sandbox host is not up ({} missing): run `cargo xtask sandbox up` first",
            dir.join("aegis.toml").display()
        );
        let sandbox = Sandbox {
            _guard: guard,
            root,
            dir,
        };
        sandbox.script(&["reset"]);
        sandbox
    }

    /// Runs `sandbox/sandbox.sh ARGS...` and fails the test if it fails.
    pub fn script(&self, args: &[&str]) {
        let out = Command::new("bash")
            .arg(self.root.join("sandbox/sandbox.sh"))
            .args(args)
            .output()
            .expect("run sandbox.sh");
        assert!(
            out.status.success(),
            "sandbox.sh {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn fault(&self, args: &[&str]) {
        let mut all = vec!["fault"];
        all.extend_from_slice(args);
        self.script(&all);
    }

    /// The sandbox's own gateway config, tightened for tests: 1 s sweeps, short timeouts.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::load_with_env(Some(&self.dir.join("aegis.toml")), [])
            .expect("sandbox config loads");
        s.sweep.interval_secs = 1;
        s.sweep.http_timeout_secs = 2;
        s.sweep.command_timeout_secs = 4;
        s
    }
}

/// A gateway serving on 127.0.0.1:0 until dropped.
pub struct TestGateway {
    pub addr: std::net::SocketAddr,
    pub hub: Arc<Hub>,
    pub state: server::state::AppState,
    stop: server::shutdown::CancelToken,
    _data: std::path::PathBuf,
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Gateways' data dirs live under target/ rather than /tmp and outlive the test body: the SSH
/// master's control socket is in there, and the session shuts the master down through it when the
/// runtime drops the gateway after the test returns.
fn data_dir() -> tempfile::TempDir {
    static CLEANED: std::sync::Once = std::sync::Once::new();
    let base = repo_root().join("target/sandbox-tests");
    CLEANED.call_once(|| {
        let _ = std::fs::remove_dir_all(&base);
    });
    std::fs::create_dir_all(&base).expect("create target/sandbox-tests");
    tempfile::Builder::new()
        .prefix("gw")
        .tempdir_in(&base)
        .expect("tempdir")
}

pub async fn gateway(mut settings: Settings) -> TestGateway {
    let data = data_dir();
    settings.data_dir = data.path().to_path_buf();
    settings.auth.secure_cookies = false;
    let gateway = Gateway::new(settings).await.expect("gateway builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("addr");
    let hub = gateway.state.hub.clone();
    let state = gateway.state.clone();
    let stop = gateway.stop.clone();
    let shutdown_on = stop.clone();
    tokio::spawn(server::serve(gateway, listener, async move {
        shutdown_on.cancelled().await
    }));
    TestGateway {
        addr,
        hub,
        state,
        stop,
        _data: data.keep(),
    }
}

/// Waits, event by event, until the board satisfies `pred`; panics with the board after `limit`.
pub async fn wait_for(
    hub: &Hub,
    what: &str,
    limit: Duration,
    pred: impl Fn(&HealthSnapshot) -> bool,
) -> HealthSnapshot {
    let (_, mut rx) = hub.subscribe();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let snap = hub.snapshot();
        if snap.sweep_seq > 0 && pred(&snap) {
            return snap;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(e)) => panic!("board closed while waiting for {what}: {e}"),
            Err(_) => panic!(
                "gave up after {limit:?} waiting for {what}; board:\n{}",
                describe(&hub.snapshot())
            ),
        }
    }
}

/// Waits for one check to reach `status` with a detail containing `needle`.
pub async fn wait_check(hub: &Hub, id: &str, status: Status, needle: &str) -> CheckResult {
    let what = format!("{id} {status:?} containing {needle:?}");
    let snap = wait_for(hub, &what, Duration::from_secs(45), |s| {
        s.check(id)
            .is_some_and(|c| c.status == status && c.detail.contains(needle))
    })
    .await;
    snap.check(id).cloned().expect("check present")
}

pub async fn wait_all_up(hub: &Hub) -> HealthSnapshot {
    wait_for(hub, "every check up", Duration::from_secs(60), |s| {
        s.checks.iter().all(|c| c.status == Status::Up)
    })
    .await
}

pub fn describe(s: &HealthSnapshot) -> String {
    s.checks
        .iter()
        .map(|c| format!("  {:<24} {:<8} {}\n", c.id, c.status.label(), c.detail))
        .collect()
}
