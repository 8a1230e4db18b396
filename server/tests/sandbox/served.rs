//! A real `aegis serve` child on the sandbox's config (its own data directory, a free port), the
//! `aegis` commands an operator runs beside it, and the SSH masters a stopped gateway may leave.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::console::PASSWORD;
use super::support::Sandbox;

/// An `aegis` command on the sandbox's config, with its own data directory and a free port.
pub fn aegis(sb: &Sandbox, data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis"));
    c.env("AEGIS_CONFIG", sb.dir.join("aegis.toml"))
        .env("AEGIS_DATA_DIR", data)
        .env("AEGIS_SITE_DIR", data.join("no-site"))
        .env("AEGIS_LISTEN", "127.0.0.1:0")
        .env("AEGIS_LOG", "info")
        .env("NO_COLOR", "1");
    c
}

pub fn add_user(sb: &Sandbox, data: &Path, name: &str, role: &str) {
    let mut child = aegis(sb, data)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
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

/// `aegis audit ARGS` on the data directory: exit code and stdout.
pub fn audit_cli(sb: &Sandbox, data: &Path, args: &[&str]) -> (i32, String) {
    let out = aegis(sb, data).arg("audit").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A running `aegis serve`; killed (SIGKILL) if the test ends without stopping it.
pub struct Served {
    pub child: Child,
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
    data: PathBuf,
    /// Stopped by [`Served::stop`]: what it left behind is the test's to look at.
    stopped: bool,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.stopped {
            close_orphaned_masters(&self.data);
        }
    }
}

impl Served {
    pub fn start(sb: &Sandbox, data: &Path) -> Served {
        let mut child = aegis(sb, data)
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let lines = log.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or("");
                    let _ = tx.send(url.trim_end_matches('/').to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the gateway says where it listens");
        Served {
            child,
            base,
            log,
            data: data.to_path_buf(),
            stopped: false,
        }
    }

    /// SIGTERM, as systemd stops it, and waits for it to exit with 0.
    pub fn stop(mut self) {
        self.stopped = true;
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "aegis serve exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aegis serve did not stop within 15 s of SIGTERM");
    }

    /// Waits until the gateway logged a line containing `needle`.
    pub fn wait_log(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no `{needle}` in the gateway's log within {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// Closes the SSH masters a stopped gateway left behind (`ssh -M` runs on after its parent is
/// gone), through their control sockets; how many were still running.
pub fn close_orphaned_masters(data: &Path) -> usize {
    let Ok(dirs) = std::fs::read_dir(data.join("ssh")) else {
        return 0;
    };
    let mut running = 0;
    for d in dirs.flatten() {
        let socket = d.path().join("master");
        if !socket.exists() {
            continue;
        }
        let ctl = |op: &str| {
            Command::new("ssh")
                .args(["-F", "/dev/null", "-S"])
                .arg(&socket)
                .args(["-O", op, "olympus"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if ctl("check") {
            running += 1;
            ctl("exit");
        }
    }
    running
}
