//! A cancellation signal shared by the server's background tasks.

use tokio::sync::watch;

/// Cloneable; `cancel` on any clone stops every task waiting on `cancelled`.
#[derive(Clone)]
pub struct CancelToken {
    tx: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for CancelToken {
    fn default() -> Self {
        CancelToken {
            tx: std::sync::Arc::new(watch::channel(false).0),
        }
    }
}

impl CancelToken {
    pub fn cancel(&self) {
        self.tx.send_replace(true);
    }

    pub async fn cancelled(&self) {
        let mut rx = self.tx.subscribe();
        // Err means the sender is gone, which cannot happen while `self` holds it.
        let _ = rx.wait_for(|c| *c).await;
    }
}
