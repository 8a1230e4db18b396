//! The websocket's state as the header shows it, and the reconnect delays.
//!
//! Plain data, unit-tested natively; `net/live.rs` drives both from the socket and the clock.

/// The websocket's state as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conn {
    /// The page's first socket is opening. The board (if `GET /api/health` already filled it) is
    /// fresh, so it is not marked stale; this avoids a "stale" flash on every page load.
    Starting,
    /// A later socket is opening after one was lost; the board is stale until it delivers.
    Connecting,
    /// Messages are arriving.
    Live,
    /// The last socket died; the next attempt starts at `retry_at_ms` (browser clock).
    Waiting { retry_at_ms: f64 },
    /// The browser says it has no network (`navigator.onLine` is false); retrying is pointless until
    /// it fires `online`.
    Offline,
}

impl Conn {
    /// The `data-state` test hook: `live`, `reconnecting` or `offline`.
    pub fn hook(self) -> &'static str {
        match self {
            Conn::Live => "live",
            Conn::Starting | Conn::Connecting | Conn::Waiting { .. } => "reconnecting",
            Conn::Offline => "offline",
        }
    }

    /// Whether the board shows a last known state rather than a live (or just loaded) one.
    pub fn stale(self) -> bool {
        !matches!(self, Conn::Live | Conn::Starting)
    }

    /// The indicator's text at browser time `now_ms`.
    pub fn label(self, now_ms: f64) -> String {
        match self {
            Conn::Live => "Live".to_owned(),
            Conn::Starting | Conn::Connecting => "Connecting…".to_owned(),
            Conn::Waiting { retry_at_ms } => {
                match crate::model::time::seconds_until(retry_at_ms, now_ms) {
                    0 => "Reconnecting…".to_owned(),
                    n => format!("Reconnecting in {n} s"),
                }
            }
            Conn::Offline => "Offline".to_owned(),
        }
    }
}

/// Reconnect delays: 1 s, doubling to at most 30 s; back to 1 s once a connection delivered data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Backoff {
    pub const FIRST_MS: u32 = 1_000;
    pub const MAX_MS: u32 = 30_000;

    pub fn new() -> Self {
        Backoff {
            next_ms: Self::FIRST_MS,
        }
    }

    /// The delay before the next attempt; each call doubles the one after.
    pub fn next_delay(&mut self) -> u32 {
        let delay = self.next_ms;
        self.next_ms = delay.saturating_mul(2).min(Self::MAX_MS);
        delay
    }

    pub fn reset(&mut self) {
        self.next_ms = Self::FIRST_MS;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_thirty_seconds_and_resets() {
        let mut backoff = Backoff::new();
        let delays: Vec<u32> = (0..8).map(|_| backoff.next_delay()).collect();
        assert_eq!(
            delays,
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        backoff.reset();
        assert_eq!(backoff.next_delay(), 1_000);
    }

    #[test]
    fn connection_hooks_and_labels() {
        assert_eq!(Conn::Live.hook(), "live");
        assert_eq!(Conn::Connecting.hook(), "reconnecting");
        assert_eq!(Conn::Starting.hook(), "reconnecting");
        assert!(!Conn::Live.stale() && !Conn::Starting.stale());
        assert!(Conn::Connecting.stale() && Conn::Offline.stale());
        assert_eq!(Conn::Offline.hook(), "offline");
        let waiting = Conn::Waiting {
            retry_at_ms: 10_000.0,
        };
        assert_eq!(waiting.hook(), "reconnecting");
        assert_eq!(waiting.label(6_500.0), "Reconnecting in 4 s");
        assert_eq!(waiting.label(10_000.0), "Reconnecting…");
    }
}
