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
    /// A sweep is running: a request now is answered by its results.
    running: AtomicBool,
    /// A requested sweep waits for its turn: further requests join it.
    pending: AtomicBool,
}

/// On-demand sweeps start at most this often: a crowd of responders pressing "sweep now" (or a
/// script in a loop) costs production one sweep per gap, never one per press. A request that
/// comes sooner is kept and run when the gap has passed.
pub const MIN_ON_DEMAND_GAP: Duration = Duration::from_secs(2);

impl SweepTrigger {
    /// Asks for a sweep; false when the request joined one that is running or already waiting
    /// for its turn (its results answer this request too).
    pub fn request(&self) -> bool {
        if self.inner.running.load(Ordering::SeqCst)
            || self.inner.pending.swap(true, Ordering::SeqCst)
        {
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
        pending: AtomicBool::new(false),
    });
    let trigger = SweepTrigger {
        inner: inner.clone(),
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_done: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = ticker.tick() => {}
                _ = inner.wake.notified() => {
                    if let Some(done) = last_done {
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = tokio::time::sleep_until(done + MIN_ON_DEMAND_GAP) => {}
                        }
                    }
                }
            }
            inner.running.store(true, Ordering::SeqCst);
            // From here requests join this sweep; a later one waits for the next.
            inner.pending.store(false, Ordering::SeqCst);
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
            last_done = Some(tokio::time::Instant::now());
        }
        host.close().await;
    });
    trigger
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::hub::tests::catalog;
    use crate::remote::fake::{ok, FakeHost};

    async fn swept(hub: &Hub, n: u64) {
        while hub.snapshot().sweep_seq < n || hub.snapshot().sweeping {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_requests_costs_the_host_one_sweep_and_none_is_lost() {
        let cat = Arc::new(catalog());
        let hub = Arc::new(Hub::new(
            "t".into(),
            &cat,
            10_000,
            Arc::new(ManualClock::at(1)),
        ));
        let host = Arc::new(FakeHost::new(|_| ok("")));
        let trigger = spawn(
            cat,
            host,
            hub.clone(),
            None,
            Duration::from_secs(3600),
            CancelToken::default(),
        );
        // The first scheduled sweep runs at once.
        swept(&hub, 1).await;
        // Fifty presses of "sweep now" within half a second, right after it.
        let mut started = 0;
        for _ in 0..50 {
            if trigger.request() {
                started += 1;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(started, 1, "the rest joined the first request");
        assert_eq!(hub.snapshot().sweep_seq, 1, "nothing runs within the gap");
        // The requested sweep runs once the gap has passed.
        swept(&hub, 2).await;
        tokio::time::sleep(MIN_ON_DEMAND_GAP * 3).await;
        assert_eq!(hub.snapshot().sweep_seq, 2, "one sweep for fifty requests");
    }
}
