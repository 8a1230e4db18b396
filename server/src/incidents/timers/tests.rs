use jiff::Timestamp;
use wire::Severity;

use super::*;

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
}

fn hours(tz: &str) -> BusinessHours {
    BusinessHours::new(tz, "09:00").unwrap()
}

#[test]
fn every_severity_has_its_first_response_time() {
    let h = hours("UTC");
    let t = ms("2026-11-25T14:00:00Z"); // a Wednesday
    assert_eq!(
        h.response_due(Severity::Sev1, t),
        ms("2026-11-25T14:15:00Z")
    );
    assert_eq!(
        h.response_due(Severity::Sev2, t),
        ms("2026-11-25T14:30:00Z")
    );
    assert_eq!(
        h.response_due(Severity::Sev3, t),
        ms("2026-11-25T16:00:00Z")
    );
    assert_eq!(
        h.response_due(Severity::Sev4, t),
        ms("2026-11-26T09:00:00Z")
    );
}

#[test]
fn next_business_day_skips_the_weekend() {
    let h = hours("UTC");
    let monday = ms("2026-11-30T09:00:00Z");
    for declared in [
        "2026-11-27T17:30:00Z", // Friday evening
        "2026-11-28T10:00:00Z", // Saturday
        "2026-11-29T23:59:59Z", // Sunday, last second
    ] {
        assert_eq!(
            h.response_due(Severity::Sev4, ms(declared)),
            monday,
            "{declared}"
        );
    }
    // Early on a weekday it is still the next day, not the same morning.
    assert_eq!(
        h.response_due(Severity::Sev4, ms("2026-11-30T08:00:00Z")),
        ms("2026-12-01T09:00:00Z")
    );
}

#[test]
fn the_local_date_decides_not_the_utc_date() {
    // Thursday 20:00 UTC is already Friday 05:00 in Tokyo: due Monday 09:00 JST, which is 00:00 UTC.
    let h = hours("Asia/Tokyo");
    assert_eq!(
        h.response_due(Severity::Sev4, ms("2026-11-26T20:00:00Z")),
        ms("2026-11-30T00:00:00Z")
    );
    // The same instant counted in UTC would be due Friday 09:00 UTC.
    assert_eq!(
        hours("UTC").response_due(Severity::Sev4, ms("2026-11-26T20:00:00Z")),
        ms("2026-11-27T09:00:00Z")
    );
}

#[test]
fn a_weekend_offset_change_moves_the_utc_instant() {
    // Europe/Berlin switches to summer time on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    let h = hours("Europe/Berlin");
    assert_eq!(
        h.next_business_day_start(ms("2026-03-27T16:00:00Z")),
        ms("2026-03-30T07:00:00Z")
    );
    // New York falls back on Sunday 1 November 2026: Friday night EDT, Monday 09:00 EST = 14:00 UTC.
    let ny = hours("America/New_York");
    assert_eq!(
        ny.next_business_day_start(ms("2026-10-31T02:00:00Z")), // Friday 22:00 EDT
        ms("2026-11-02T14:00:00Z")
    );
}

#[test]
fn business_day_start_is_configurable() {
    let h = BusinessHours::new("UTC", "08:30").unwrap();
    assert_eq!(
        h.next_business_day_start(ms("2026-11-25T12:00:00Z")),
        ms("2026-11-26T08:30:00Z")
    );
}

#[test]
fn bad_business_hours_name_the_key() {
    let e = BusinessHours::new("Mars/Olympus_Mons", "09:00").unwrap_err();
    assert_eq!(e.0, "time_zone");
    assert!(e.1.contains("Mars/Olympus_Mons"), "{}", e.1);
    for bad in ["9", "25:00", "09:60", "nine"] {
        assert_eq!(
            BusinessHours::new("UTC", bad).unwrap_err().0,
            "business_day_start"
        );
    }
}

#[test]
fn cadence_restarts_from_each_update() {
    let t = ms("2026-11-25T14:00:00Z");
    assert_eq!(update_due(t, 15), ms("2026-11-25T14:15:00Z"));
    assert_eq!(
        update_due(t + 7 * MINUTE_MS, 15),
        ms("2026-11-25T14:22:00Z")
    );
    assert_eq!(update_due(t, 5), ms("2026-11-25T14:05:00Z"));
}
