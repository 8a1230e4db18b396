//! Deadline arithmetic: first response by severity, the next-business-day rule, the update cadence.
//!
//! Pure functions of instants (Unix ms) and the configured business hours, so tests drive them with
//! any clock. Time-zone rules come from `jiff`'s bundled tz database, so a host without `tzdata`
//! computes the same deadlines.

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use wire::{Severity, MINUTE_MS};

/// Where and when business days start: Sev 4's first response is due at the next one.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    tz: TimeZone,
    tz_name: String,
    start: Time,
}

impl BusinessHours {
    /// `time_zone` is an IANA name (`Europe/Berlin`, `UTC`); `start` is `HH:MM`. The error names
    /// the offending key and why.
    pub fn new(time_zone: &str, start: &str) -> Result<BusinessHours, (&'static str, String)> {
        let tz = TimeZone::get(time_zone).map_err(|e| {
            (
                "time_zone",
                format!("`{time_zone}` is not a known IANA time zone ({e}); for example Europe/Berlin or UTC"),
            )
        })?;
        let start = parse_hh_mm(start).ok_or((
            "business_day_start",
            format!("`{start}` is not a time of day as HH:MM, for example 09:00"),
        ))?;
        Ok(BusinessHours {
            tz,
            tz_name: time_zone.to_string(),
            start,
        })
    }

    pub fn time_zone(&self) -> &str {
        &self.tz_name
    }

    /// The start of the first business day (Monday to Friday) after the local date of `now_ms`.
    /// A Friday-evening or weekend page is due Monday morning. Public holidays are not known.
    pub fn next_business_day_start(&self, now_ms: i64) -> i64 {
        let now = Timestamp::from_millisecond(now_ms).unwrap_or(Timestamp::UNIX_EPOCH);
        let mut day = now.to_zoned_datetime(self.tz.clone()).date();
        loop {
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => return now_ms,
            };
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                break;
            }
        }
        // A start time that falls in a DST gap moves forward, as clocks do.
        match day
            .to_datetime(self.start)
            .to_zoned_datetime(self.tz.clone())
        {
            Ok(z) => z.timestamp().as_millisecond(),
            Err(_) => now_ms,
        }
    }

    /// When the first response to an incident of `severity` declared at `declared_ms` is due.
    pub fn response_due(&self, severity: Severity, declared_ms: i64) -> i64 {
        match severity.first_response_ms() {
            Some(ms) => declared_ms + ms,
            None => self.next_business_day_start(declared_ms),
        }
    }

    /// `ms` as local `YYYY-MM-DD HH:MM` in the business time zone, for channel messages.
    pub fn local_text(&self, ms: i64) -> String {
        match Timestamp::from_millisecond(ms) {
            Ok(t) => t
                .to_zoned_datetime(self.tz.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string(),
            Err(_) => ms.to_string(),
        }
    }
}

/// When the next status update is due after one at `at_ms` that promised `eta_minutes`.
pub fn update_due(at_ms: i64, eta_minutes: u32) -> i64 {
    at_ms + i64::from(eta_minutes) * MINUTE_MS
}

fn parse_hh_mm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

#[cfg(test)]
mod tests;
