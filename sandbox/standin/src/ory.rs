//! Error bodies and small formats shared by the Kratos and Hydra admin stand-ins.
//!
//! Kratos writes errors with herodot: `{"error":{"code":..,"status":..,"reason":..,"message":..}}`
//! (`reason` only when set). Hydra passes them through fosite's RFC 6749 form:
//! `{"error":"invalid_request","error_description":"..."}`.

use crate::http;
use crate::json::quote;
use crate::playbook::Answer;
use crate::seed::Micros;

/// herodot's default message for a status (`ErrBadRequest`, `ErrNotFound`, ...).
pub fn default_message(code: u16) -> &'static str {
    match code {
        400 => "The request was malformed or contained invalid parameters",
        404 => "The requested resource could not be found",
        409 => "The resource could not be created due to a conflict",
        413 => "The request body is too large",
        501 => "The Olympus sandbox stand-in does not implement this endpoint",
        _ => "An internal server error occurred, please contact the system administrator",
    }
}

/// A herodot error: `reason` if any, `message` (or the status's default).
pub fn herodot(code: u16, reason: Option<&str>, message: Option<&str>) -> Answer {
    let reason = reason
        .map(|r| format!(r#","reason":{}"#, quote(r)))
        .unwrap_or_default();
    let body = format!(
        r#"{{"error":{{"code":{code},"status":"{}"{reason},"message":{}}}}}"#,
        http::reason(code),
        quote(message.unwrap_or(default_message(code)))
    );
    Answer::json(code, body)
}

/// `sqlcon.ErrNoRows`: Kratos's 404 for a row that is not there.
pub fn not_found() -> Answer {
    herodot(404, None, Some("Unable to locate the resource"))
}

/// `fosite.ErrInvalidRequest.WithHint(hint)` as Hydra's admin API writes it.
pub fn invalid_request(hint: &str) -> Answer {
    let description = format!(
        "The request is missing a required parameter, includes an invalid parameter value, \
         includes a parameter more than once, or is otherwise malformed. {hint}"
    )
    .replace('"', "'");
    Answer::json(
        400,
        format!(
            r#"{{"error":"invalid_request","error_description":{}}}"#,
            quote(&description)
        ),
    )
}

/// gofrs/uuid's complaint about a malformed UUID (Kratos puts it in the message).
pub fn uuid_error(s: &str) -> String {
    let lengths = [32, 36, 38, 41, 45];
    if !lengths.contains(&s.len()) {
        format!(
            "uuid: incorrect UUID length {} in string {}",
            s.len(),
            quote(s)
        )
    } else {
        format!("uuid: incorrect UUID format in string {}", quote(s))
    }
}

/// Go's `time.Time` in JSON (RFC 3339 with up to nanoseconds, trailing zeros dropped), from
/// microseconds.
pub fn time(us: Micros) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let base = crate::clock::rfc3339(secs);
    if frac == 0 {
        return base;
    }
    let digits = format!("{frac:06}");
    format!(
        "{}.{}Z",
        base.trim_end_matches('Z'),
        digits.trim_end_matches('0')
    )
}

/// Go's `Time.Format("2006-01-02 15:04:05.99999")`: Kratos's page-token time (fraction cut to
/// five digits, trailing zeros dropped).
pub fn token_time(us: Micros) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac5 = us.rem_euclid(1_000_000) / 10;
    let base = crate::clock::rfc3339(secs)
        .trim_end_matches('Z')
        .replace('T', " ");
    if frac5 == 0 {
        return base;
    }
    let digits = format!("{frac5:05}");
    format!("{base}.{}", digits.trim_end_matches('0'))
}

/// The inverse of `token_time` (also accepts no fraction), as microseconds.
pub fn parse_token_time(s: &str) -> Option<Micros> {
    let (date, time) = s.split_once(' ')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, dd) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, b),
        None => (time, ""),
    };
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (t.next()??, t.next()??, t.next()??);
    if frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let micros = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}")[..6].parse::<i64>().ok()?
    };
    let days = days_from_civil(y, m, dd);
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec) * 1_000_000) + micros)
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Go's `time.ParseDuration`, in microseconds (nanosecond parts are cut). `None` when Go would
/// refuse the text.
pub fn parse_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ns_per = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total_ns += value * ns_per;
    }
    if total_ns > 9.2e18 {
        return None;
    }
    let us = (total_ns / 1e3) as i128;
    Some(if neg { -us } else { us })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn herodot_shapes() {
        let a = not_found();
        assert_eq!(a.status, 404);
        assert_eq!(
            a.body,
            r#"{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}"#
        );
        let b = herodot(400, Some("bad \"x\""), None);
        assert_eq!(
            b.body,
            r#"{"error":{"code":400,"status":"Bad Request","reason":"bad \"x\"","message":"The request was malformed or contained invalid parameters"}}"#
        );
    }

    #[test]
    fn fosite_shape() {
        let a = invalid_request("Query parameter 'subject' is not defined but should have been.");
        assert_eq!(a.status, 400);
        assert_eq!(
            a.body,
            r#"{"error":"invalid_request","error_description":"The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Query parameter 'subject' is not defined but should have been."}"#
        );
    }

    #[test]
    fn times() {
        let t = 1_796_205_600 * 1_000_000;
        assert_eq!(time(t), "2026-12-02T10:00:00Z");
        assert_eq!(time(t + 123_450), "2026-12-02T10:00:00.12345Z");
        assert_eq!(token_time(t + 123_456), "2026-12-02 10:00:00.12345");
        assert_eq!(token_time(t + 100_000), "2026-12-02 10:00:00.1");
        assert_eq!(token_time(t), "2026-12-02 10:00:00");
        assert_eq!(
            parse_token_time("2026-12-02 10:00:00.12345"),
            Some(t + 123_450)
        );
        assert_eq!(parse_token_time("2026-12-02 10:00:00"), Some(t));
        assert_eq!(
            parse_token_time("2200-12-31 23:59:59").map(|v| v / 1_000_000),
            Some(7_289_654_399)
        );
        assert_eq!(parse_token_time("nope"), None);
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(parse_duration("1h"), Some(3_600_000_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("-5m"), Some(-300_000_000));
        assert_eq!(parse_duration("15"), None, "a unit is required");
        assert_eq!(parse_duration("1d"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn uuid_errors() {
        assert_eq!(
            uuid_error("abc"),
            r#"uuid: incorrect UUID length 3 in string "abc""#
        );
        assert!(uuid_error(&"z".repeat(36)).contains("incorrect UUID format"));
    }
}
