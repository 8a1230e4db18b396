//! The background life of an Ory stand-in, which real Kratos and Hydra show in their logs without
//! any request: Kratos's courier worker ("Courier worker started." at start, "Failed to run courier
//! worker." when `courier-stuck` stops it; while it runs it sends the queue, ten messages a
//! second), and under `db-tls` the persister's failed database pings, every second. Healthy
//! requests log nothing, so the worker's start stays in the log's tail.

use crate::courier::{Courier, WORKER_STARTED};
use crate::fault::{self, HttpFault};
use crate::flavour::Flavour;
use crate::listener::FAULT_POLL;
use crate::{clock, logrus, playbook};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// How often the failed database ping is logged while `db-tls` holds.
const PING_RETRY: Duration = Duration::from_secs(1);

/// Starts the worker thread for Kratos and Hydra (apps have none). `started`: when this process
/// began (a `courier-stuck` fault written before it is ignored).
pub fn spawn(
    flavour: Flavour,
    fault_path: PathBuf,
    courier: Option<Arc<Mutex<Courier>>>,
    started: SystemTime,
) {
    if !matches!(flavour, Flavour::Kratos | Flavour::Hydra) {
        return;
    }
    let spawned = thread::Builder::new()
        .name("worker".into())
        .spawn(move || run(flavour, &fault_path, courier.as_deref(), started));
    if let Err(e) = spawned {
        say!("standin: cannot start the worker thread: {e}");
    }
}

fn run(
    flavour: Flavour,
    fault_path: &std::path::Path,
    courier: Option<&Mutex<Courier>>,
    started: SystemTime,
) {
    if courier.is_some() {
        if fault::current::<HttpFault>(fault_path) == HttpFault::CourierStuck
            && !fault::courier_stuck(fault_path, started)
        {
            say!(
                "standin: the courier-stuck fault in {} was set before this process started: ignored, the worker runs (a restart revives a stopped worker)",
                fault_path.display()
            );
        }
        say!("{}", logrus::line("info", WORKER_STARTED, &[]));
    }
    let mut last_ping: Option<Instant> = None;
    loop {
        let fault = fault::current::<HttpFault>(fault_path);
        if let Some(courier) = courier {
            let mut c = courier.lock().unwrap_or_else(|e| e.into_inner());
            let now = clock::now();
            if let Some(line) = c.sync(fault::courier_stuck(fault_path, started), now) {
                say!("{line}");
            }
            c.tick(now);
        }
        if fault == HttpFault::DbTls {
            if last_ping.is_none_or(|t| t.elapsed() >= PING_RETRY) {
                say!("{}", playbook::db_ping_failed(flavour));
                last_ping = Some(Instant::now());
            }
        } else {
            last_ping = None;
        }
        thread::sleep(FAULT_POLL);
    }
}
