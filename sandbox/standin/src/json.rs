//! A small JSON reader and writer for the admin APIs' request bodies (JSON Patch documents,
//! `POST /admin/recovery/code`) and for the metadata an identity stores. The stand-in stays
//! std-only: no serde.
//!
//! Numbers are kept as their source text (they are only stored and written back), objects keep
//! their members in order.

use std::fmt::Write as _;

/// Nesting deeper than this is refused (a request body cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written (validated).
    Number(String),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object (the last one if repeated, as Go's decoder keeps).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Go's name for the JSON type, as its decoder's errors say it ("number", "object", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::Str(s) => out.push_str(&quote(s)),
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string literal for `s`, escaped the way Go's encoder does (`<`, `>`, `&` too).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses one JSON value filling all of `text` (surrounding whitespace allowed). The error reads
/// like Go's `encoding/json` ("invalid character 'x' looking for beginning of value", "unexpected
/// end of JSON input").
pub fn parse(text: &[u8]) -> Result<Value, String> {
    let mut p = Parser { s: text, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            p.describe()
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn describe(&self) -> String {
        match self.s.get(self.i) {
            Some(&b) if b.is_ascii_graphic() || b == b' ' => format!("'{}'", b as char),
            Some(&b) => format!("'\\x{b:02x}'"),
            None => "EOF".into(),
        }
    }

    fn eof() -> String {
        "unexpected end of JSON input".into()
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("exceeded max depth".into());
        }
        match self.s.get(self.i) {
            None => Err(Self::eof()),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(format!(
                "invalid character {} looking for beginning of value",
                self.describe()
            )),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for expected in word.bytes() {
            match self.s.get(self.i) {
                None => return Err(Self::eof()),
                Some(&b) if b == expected => self.i += 1,
                Some(_) => {
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting '{}')",
                        self.describe(),
                        expected as char
                    ))
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        let digits = |p: &mut Parser<'_>| {
            let from = p.i;
            while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i > from
        };
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.s.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self) {
            return Err(match self.s.get(self.i) {
                None => Self::eof(),
                Some(_) => format!("invalid character {} in numeric literal", self.describe()),
            });
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(format!(
                    "invalid character {} after decimal point in numeric literal",
                    self.describe()
                ));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(format!(
                    "invalid character {} in exponent of numeric literal",
                    self.describe()
                ));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        Ok(Value::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = *self.s.get(self.i).ok_or_else(Self::eof)?;
            let d = (b as char).to_digit(16).ok_or_else(|| {
                format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    self.describe()
                )
            })?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let b = *self.s.get(self.i).ok_or_else(Self::eof)?;
            match b {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).map_err(|_| "invalid UTF-8 in string".into());
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.s.get(self.i).ok_or_else(Self::eof)?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.s.get(self.i) == Some(&b'\\')
                                && self.s.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    self.i = save;
                                    0xfffd
                                }
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => {
                            self.i -= 1;
                            return Err(format!(
                                "invalid character {} in string escape code",
                                self.describe()
                            ));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b if b < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        self.describe()
                    ))
                }
                b => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(Self::eof()),
                Some(_) => {
                    return Err(format!(
                        "invalid character {} after array element",
                        self.describe()
                    ))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'"') => {}
                None => return Err(Self::eof()),
                Some(_) => {
                    return Err(format!(
                        "invalid character {} looking for beginning of object key string",
                        self.describe()
                    ))
                }
            }
            let key = self.string()?;
            self.ws();
            match self.s.get(self.i) {
                Some(b':') => self.i += 1,
                None => return Err(Self::eof()),
                Some(_) => {
                    return Err(format!(
                        "invalid character {} after object key",
                        self.describe()
                    ))
                }
            }
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                None => return Err(Self::eof()),
                Some(_) => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        self.describe()
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in [
            r#"[{"op":"replace","path":"/state","value":"inactive"}]"#,
            r#"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d"}}"#,
            r#""\u00e9\n""#,
            "[]",
            "{}",
        ] {
            let v = parse(text.as_bytes()).expect(text);
            let again = parse(v.to_json().as_bytes()).expect("reparses");
            assert_eq!(v, again, "{text}");
        }
        assert_eq!(
            parse(br#" {"x" : [ 1 , 2 ] } "#).expect("ws").to_json(),
            r#"{"x":[1,2]}"#
        );
        assert_eq!(
            parse(br#""\ud83d\ude00""#).expect("pair"),
            Value::Str("\u{1f600}".into())
        );
    }

    #[test]
    fn members_and_kinds() {
        let v = parse(br#"{"identity_id":"x","expires_in":"1h","identity_id":"y"}"#).expect("ok");
        assert_eq!(v.get("identity_id").and_then(Value::as_str), Some("y"));
        assert_eq!(v.get("nope"), None);
        assert_eq!(Value::Number("1".into()).kind(), "number");
        assert_eq!(quote("<a&b>\"\u{1}"), r#""\u003ca\u0026b\u003e\"\u0001""#);
    }

    #[test]
    fn errors_read_like_gos() {
        assert_eq!(
            parse(b"x").unwrap_err(),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(parse(b"").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(parse(b"[1,").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            parse(b"[1] 2").unwrap_err(),
            "invalid character '2' after top-level value"
        );
        assert!(parse(b"{\"a\" 1}")
            .unwrap_err()
            .contains("after object key"));
        assert!(parse(b"01").is_err());
        assert!(parse(b"tru").is_err());
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(deep.as_bytes()).is_err(), "depth is bounded");
    }
}
