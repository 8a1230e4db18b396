//! The header's sweep line: how old the last sweep is, and whether it is overdue.

use crate::model::time;

/// The header's sweep line: "Last sweep 12 s ago", or "No sweep yet".
pub fn sweep_age(swept_at_ms: i64, server_now_ms: i64) -> String {
    if swept_at_ms <= 0 {
        "No sweep yet".to_owned()
    } else {
        format!("Last sweep {}", time::ago(server_now_ms - swept_at_ms))
    }
}

/// Whether the last sweep is overdue: more than two intervals (plus slack for a slow sweep) ago.
/// The gateway's sweeper may be stuck even while the socket is live.
pub fn sweep_overdue(swept_at_ms: i64, interval_ms: u64, server_now_ms: i64) -> bool {
    if swept_at_ms <= 0 || interval_ms == 0 {
        return false;
    }
    let limit = i64::try_from(interval_ms)
        .unwrap_or(i64::MAX / 4)
        .saturating_mul(2)
        .saturating_add(15_000);
    server_now_ms - swept_at_ms > limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_line_and_overdue() {
        assert_eq!(sweep_age(0, 5_000), "No sweep yet");
        assert_eq!(sweep_age(5_000, 17_000), "Last sweep 12 s ago");
        assert!(!sweep_overdue(0, 30_000, 1_000_000));
        assert!(!sweep_overdue(100_000, 30_000, 100_000 + 75_000));
        assert!(sweep_overdue(100_000, 30_000, 100_000 + 75_001));
    }
}
