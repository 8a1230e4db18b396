//! Deadlines as both sides show them: time left or overdue, as `m:ss` text.

/// How far a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    /// Milliseconds left.
    Left(i64),
    /// Milliseconds past due.
    Overdue(i64),
}

/// Milliseconds left until `due_ms`, or how long past it. Exactly at the deadline is not yet overdue.
pub fn countdown(now_ms: i64, due_ms: i64) -> Countdown {
    if now_ms > due_ms {
        Countdown::Overdue(now_ms - due_ms)
    } else {
        Countdown::Left(due_ms - now_ms)
    }
}

/// `m:ss` or `h:mm:ss`, for countdowns. Partial seconds round up, so a deadline a moment past
/// reads "OVERDUE by 0:01", never "by 0:00", and a fresh 15-minute timer reads 15:00.
pub fn clock_text(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}
