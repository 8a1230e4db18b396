//! Deadline arithmetic: first response by severity, the next-business-day rule, the update cadence.
//!
//! Pure functions of instants (Unix ms) and the configured business hours, so tests drive them with
//! any clock. Time-zone rules come from `jiff`'s bundled tz database, so a host without `tzdata`
//! computes the same deadlines.

use wire::MINUTE_MS;

/// Business hours are a configured value, parsed once at load; the deadline rules live with them.
pub use crate::values::BusinessHours;

/// When the next status update is due after one at `at_ms` that promised `eta_minutes`.
pub fn update_due(at_ms: i64, eta_minutes: u32) -> i64 {
    at_ms + i64::from(eta_minutes) * MINUTE_MS
}

#[cfg(test)]
mod tests;
