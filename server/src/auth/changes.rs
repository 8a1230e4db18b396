//! A signal that access may have changed (an account changed, a share link was revoked, someone
//! signed out), so that long-lived connections re-check their session at once instead of on a
//! timer.

use std::sync::Arc;

use tokio::sync::watch;

/// Cheap to clone; every clone signals the same watchers.
#[derive(Clone, Debug)]
pub struct AccessChanges {
    tx: Arc<watch::Sender<u64>>,
}

impl Default for AccessChanges {
    fn default() -> Self {
        AccessChanges {
            tx: Arc::new(watch::channel(0).0),
        }
    }
}

impl AccessChanges {
    /// Wakes at every change after this call.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// Tells every watcher to look again.
    pub fn changed(&self) {
        self.tx.send_modify(|n| *n += 1);
    }
}
