//! Where and when business days start, and the deadlines that follow from them (Sev 4's first
//! response is due at the next business day's start). Parsed once, when the config is loaded.
//! Time-zone rules come from `jiff`'s bundled tz database, so a host without `tzdata` computes the
//! same deadlines.

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use wire::Severity;

/// Where and when business days start: Sev 4's first response is due at the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    tz: TimeZone,
    tz_name: String,
    start: Time,
}

/// An IANA time zone (`Europe/Berlin`, `UTC`), known to the bundled tz database.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeZoneName {
    tz: TimeZone,
    name: String,
}

impl TimeZoneName {
    pub fn parse(name: &str) -> Result<TimeZoneName, String> {
        let tz = TimeZone::get(name).map_err(|e| {
            format!(
                "`{name}` is not a known IANA time zone ({e}); for example Europe/Berlin or UTC"
            )
        })?;
        Ok(TimeZoneName {
            tz,
            name: name.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// A time of day, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeOfDay(Time);

impl TimeOfDay {
    pub fn parse(s: &str) -> Result<TimeOfDay, String> {
        parse_hh_mm(s)
            .map(TimeOfDay)
            .ok_or_else(|| format!("`{s}` is not a time of day as HH:MM, for example 09:00"))
    }
}

deserialize_by_parse!(TimeZoneName);
deserialize_by_parse!(TimeOfDay);

impl BusinessHours {
    /// Business days in `zone`, starting at `start`.
    pub fn of(zone: TimeZoneName, start: TimeOfDay) -> BusinessHours {
        BusinessHours {
            tz: zone.tz,
            tz_name: zone.name,
            start: start.0,
        }
    }

    /// Both parsed from text; the error names the offending key (`time_zone` or
    /// `business_day_start`) and why.
    pub fn new(time_zone: &str, start: &str) -> Result<BusinessHours, (&'static str, String)> {
        let zone = TimeZoneName::parse(time_zone).map_err(|m| ("time_zone", m))?;
        let start = TimeOfDay::parse(start).map_err(|m| ("business_day_start", m))?;
        Ok(BusinessHours::of(zone, start))
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

    /// The local date of `ms` (`YYYY-MM-DD`) in the business time zone: action items fall due on
    /// dates, and "overdue" starts the day after.
    pub fn local_date(&self, ms: i64) -> String {
        match Timestamp::from_millisecond(ms) {
            Ok(t) => t
                .to_zoned_datetime(self.tz.clone())
                .strftime("%Y-%m-%d")
                .to_string(),
            Err(_) => String::new(),
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

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName {
            tz: TimeZone::UTC,
            name: "UTC".into(),
        }
    }
}

impl Default for TimeOfDay {
    /// 09:00.
    fn default() -> Self {
        TimeOfDay(Time::constant(9, 0, 0, 0))
    }
}

fn parse_hh_mm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}
