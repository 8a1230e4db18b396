//! Ages, durations and the server clock, as pure functions of Unix milliseconds.
//!
//! Everything here is deterministic so that `cargo test -p app` checks it natively; the only clock
//! reads (`js_sys::Date::now`) happen in `net/live.rs`. Ages are measured on the *gateway's* clock: a
//! phone whose clock is two minutes off must still say "12 s ago" for a check that ran 12 s ago.

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A compact duration for a tile: "42 s", "3 min", "1 h 5 min", "2 d 4 h".
///
/// Precision drops as the duration grows: a responder needs "12 s" versus "50 s" to judge whether a
/// result is fresh, but "3 h 12 min 5 s" would only be noise. Negative input (clock skew) is 0.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < MINUTE {
        format!("{} s", ms / SECOND)
    } else if ms < HOUR {
        format!("{} min", ms / MINUTE)
    } else if ms < DAY {
        let (h, m) = (ms / HOUR, (ms % HOUR) / MINUTE);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else {
        let (d, h) = (ms / DAY, (ms % DAY) / HOUR);
        if h == 0 {
            format!("{d} d")
        } else {
            format!("{d} d {h} h")
        }
    }
}

/// "12 s ago"; anything under a second (or in the future, from skew) is "just now".
pub fn ago(ms: i64) -> String {
    if ms < SECOND {
        "just now".to_owned()
    } else {
        format!("{} ago", duration(ms))
    }
}

/// A check's latency: "42 ms" below a second, "1.2 s" above, so the unit is always readable.
pub fn latency(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        // Tenths of a second, rounded, without going through floats.
        let tenths = (ms + 50) / 100;
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

/// Whole seconds until `deadline_ms`, rounded up, so a countdown reads 3, 2, 1 and never 0 while
/// still waiting.
pub fn seconds_until(deadline_ms: f64, now_ms: f64) -> u64 {
    let left = (deadline_ms - now_ms) / 1_000.0;
    if left.is_finite() && left > 0.0 {
        left.ceil() as u64
    } else {
        0
    }
}

/// How far the gateway's clock is ahead of this browser's, in ms.
///
/// Heartbeats carry the gateway's clock to the millisecond and win. Before the first heartbeat (or
/// when the websocket cannot connect) the HTTP `Date` header of `GET /api/health` gives a coarse
/// estimate, good to about a second, which is still far better than trusting a skewed phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockSync {
    pub offset_ms: i64,
    pub from_heartbeat: bool,
}

impl ClockSync {
    /// A heartbeat's `server_now_ms`, received when this browser's clock read `client_now_ms`.
    pub fn on_heartbeat(&mut self, server_now_ms: i64, client_now_ms: f64) {
        self.offset_ms = server_now_ms - client_now_ms as i64;
        self.from_heartbeat = true;
    }

    /// An HTTP `Date` header (whole seconds, truncated), received at `client_now_ms`. Ignored once
    /// a heartbeat has given a precise offset.
    pub fn on_http_date(&mut self, server_date_ms: f64, client_now_ms: f64) {
        if self.from_heartbeat || !server_date_ms.is_finite() {
            return;
        }
        // The header drops the milliseconds: on average the true time is half a second later.
        self.offset_ms = (server_date_ms + 500.0 - client_now_ms) as i64;
    }

    /// The gateway's clock now, given this browser's clock.
    pub fn server_now(&self, client_now_ms: f64) -> i64 {
        client_now_ms as i64 + self.offset_ms
    }
}

/// "03:12" or "03:12:09" for a Unix-ms instant, `utc_offset_min` minutes east of UTC.
pub fn time_of_day(ms: i64, utc_offset_min: i64, seconds: bool) -> String {
    let local = ms + utc_offset_min * MINUTE;
    let secs = local.div_euclid(1_000).rem_euclid(86_400);
    let (h, m, s) = (secs / 3_600, (secs / 60) % 60, secs % 60);
    if seconds {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_lose_precision_as_they_grow() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(999), "0 s");
        assert_eq!(duration(12_400), "12 s");
        assert_eq!(duration(59_999), "59 s");
        assert_eq!(duration(60_000), "1 min");
        assert_eq!(duration(3 * MINUTE + 59 * SECOND), "3 min");
        assert_eq!(duration(HOUR), "1 h");
        assert_eq!(duration(HOUR + 5 * MINUTE + 30 * SECOND), "1 h 5 min");
        assert_eq!(duration(DAY), "1 d");
        assert_eq!(duration(2 * DAY + 4 * HOUR + 7 * MINUTE), "2 d 4 h");
    }

    #[test]
    fn negative_durations_from_clock_skew_are_zero() {
        assert_eq!(duration(-5_000), "0 s");
        assert_eq!(ago(-5_000), "just now");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(999), "just now");
        assert_eq!(ago(1_000), "1 s ago");
        assert_eq!(ago(12_000), "12 s ago");
        assert_eq!(ago(3 * MINUTE), "3 min ago");
    }

    #[test]
    fn latency_keeps_a_readable_unit() {
        assert_eq!(latency(0), "0 ms");
        assert_eq!(latency(42), "42 ms");
        assert_eq!(latency(999), "999 ms");
        assert_eq!(latency(1_000), "1.0 s");
        assert_eq!(latency(1_249), "1.2 s");
        assert_eq!(latency(1_250), "1.3 s");
        assert_eq!(latency(5_000), "5.0 s");
    }

    #[test]
    fn countdown_rounds_up_and_stops_at_zero() {
        assert_eq!(seconds_until(10_000.0, 7_500.0), 3);
        assert_eq!(seconds_until(10_000.0, 9_999.0), 1);
        assert_eq!(seconds_until(10_000.0, 10_000.0), 0);
        assert_eq!(seconds_until(10_000.0, 12_000.0), 0);
        assert_eq!(seconds_until(f64::NAN, 0.0), 0);
    }

    #[test]
    fn heartbeat_offset_corrects_a_skewed_client() {
        let mut clock = ClockSync::default();
        // The phone is two minutes behind the gateway.
        clock.on_heartbeat(1_000_000 + 2 * MINUTE, 1_000_000.0);
        assert_eq!(clock.offset_ms, 2 * MINUTE);
        assert_eq!(clock.server_now(1_005_000.0), 1_005_000 + 2 * MINUTE);
    }

    #[test]
    fn http_date_is_used_only_until_a_heartbeat_arrives() {
        let mut clock = ClockSync::default();
        clock.on_http_date(100_000.0, 40_000.0);
        assert_eq!(clock.offset_ms, 60_500);
        assert!(!clock.from_heartbeat);

        clock.on_heartbeat(50_000, 40_000.0);
        clock.on_http_date(100_000.0, 40_000.0);
        assert_eq!(clock.offset_ms, 10_000);

        let mut fresh = ClockSync::default();
        fresh.on_http_date(f64::NAN, 40_000.0);
        assert_eq!(fresh.offset_ms, 0);
    }

    #[test]
    fn times_of_day_in_the_viewers_zone() {
        let t = 3 * 3_600_000 + 4 * MINUTE + 9_000;
        assert_eq!(time_of_day(t, 0, false), "03:04");
        assert_eq!(time_of_day(t, 0, true), "03:04:09");
        assert_eq!(time_of_day(t, 120, false), "05:04");
        assert_eq!(
            time_of_day(t, -240, true),
            "23:04:09",
            "wraps to the day before"
        );
        assert_eq!(time_of_day(-1_000, 0, true), "23:59:59");
    }
}
