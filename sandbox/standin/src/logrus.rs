//! Log lines in the shape Ory's servers write them (logrus's JSON formatter: one object per line,
//! `level`, `msg`, the fields, `time`), on stderr so `podman logs` shows them.

use crate::clock;
use std::io::Write;

/// A field's value: a string (escaped and quoted here) or JSON written as is.
pub enum Value<'a> {
    Str(&'a str),
    Raw(&'a str),
}

/// One JSON log line stamped with the current time.
pub fn line(level: &str, msg: &str, fields: &[(&str, Value<'_>)]) -> String {
    line_at(clock::now(), level, msg, fields)
}

/// One JSON log line stamped with `unix` (seconds).
pub fn line_at(unix: i64, level: &str, msg: &str, fields: &[(&str, Value<'_>)]) -> String {
    let mut out = format!(r#"{{"level":"{}","msg":"{}""#, escape(level), escape(msg));
    for (name, value) in fields {
        match value {
            Value::Str(s) => out.push_str(&format!(r#","{}":"{}""#, escape(name), escape(s))),
            Value::Raw(j) => out.push_str(&format!(r#","{}":{j}"#, escape(name))),
        }
    }
    out.push_str(&format!(r#","time":"{}"}}"#, clock::rfc3339(unix)));
    out
}

/// Writes `line` and a newline to stderr in a single `write` (see `say!` in main.rs).
pub fn emit(line: &str) {
    let mut buf = String::with_capacity(line.len() + 1);
    buf.push_str(line);
    buf.push('\n');
    let _ = std::io::stderr().lock().write_all(buf.as_bytes());
}

/// Escapes a string for a JSON string literal.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logrus_shape() {
        assert_eq!(
            line_at(1_796_205_600, "info", "Courier worker started.", &[]),
            r#"{"level":"info","msg":"Courier worker started.","time":"2026-12-02T10:00:00Z"}"#
        );
        assert_eq!(
            line_at(
                0,
                "error",
                "a \"b\"",
                &[("error", Value::Str("x\ny")), ("n", Value::Raw("{\"k\":1}"))]
            ),
            r#"{"level":"error","msg":"a \"b\"","error":"x\ny","n":{"k":1},"time":"1970-01-01T00:00:00Z"}"#
                .replace("x\ny", "x\\ny")
        );
    }
}
