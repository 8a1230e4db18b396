//! Runs sweeps on the interval and on demand, one at a time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::shutdown::CancelToken;
use tokio::sync::Notify;

use crate::hub::Hub;
use crate::incidents::Incidents;
use crate::probes::{self, Catalog};
use crate::remote::RemoteHost;

/// Asks the sweep loop for an immediate sweep.
#[derive(Clone)]
pub struct SweepTrigger {
    inner: Arc<Shared>,
}

struct Shared {
    wake: Notify,
    running: AtomicBool,
}

impl SweepTrigger {
    /// Returns false when a sweep is already running: its results are on their way.
    pub fn request(&self) -> bool {
        if self.inner.running.load(Ordering::SeqCst) {
            return false;
        }
        self.inner.wake.notify_one();
        true
    }
}

/// Starts the sweep loop. It stops when `stop` is cancelled. Status changes go on the timeline of
/// every open incident.
pub fn spawn(
    catalog: Arc<Catalog>,
    host: Arc<dyn RemoteHost>,
    hub: Arc<Hub>,
    incidents: Option<Incidents>,
    interval: Duration,
    stop: CancelToken,
) -> SweepTrigger {
    let inner = Arc::new(Shared {
        wake: Notify::new(),
        running: AtomicBool::new(false),
    });
    let trigger = SweepTrigger {
        inner: inner.clone(),
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = ticker.tick() => {}
                _ = inner.wake.notified() => {}
            }
            inner.running.store(true, Ordering::SeqCst);
            hub.set_sweeping(true);
            let started = Instant::now();
            let outcome = probes::sweep(&catalog, host.as_ref()).await;
            let changed = hub.apply(&catalog, outcome);
            inner.running.store(false, Ordering::SeqCst);
            for (c, _) in &changed {
                tracing::info!(check = %c.id, status = c.status.label(), detail = %c.detail, "check changed");
            }
            if let Some(incidents) = &incidents {
                incidents.record_health(&changed).await;
            }
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                changed = changed.len(),
                "sweep done"
            );
            // The next scheduled sweep is a full interval after this one, however it was started.
            ticker.reset();
        }
        host.close().await;
    });
    trigger
}
