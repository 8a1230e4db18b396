//! Pagination as Ory's Go servers write it, from `github.com/ory/x`: the query string a `Link`
//! header carries (Go's `url.Values.Encode`: keys sorted, `QueryEscape`d), keyset links (`first`
//! and `next`: Kratos's identities and sessions), offset links with `X-Total-Count` (Hydra's
//! clients and consent sessions, Kratos's sessions of one identity), and the base64 forms their
//! page tokens use.

use crate::courier::parse_query;

/// A request's query as pairs, decoded once (Go's `url.ParseQuery`).
pub type Query = Vec<(String, String)>;

/// The first value of `key` (Go's `Values.Get`).
pub fn first<'a>(q: &'a Query, key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// True when `key` is present at all, even empty (Go's `Values.Has`).
pub fn has(q: &Query, key: &str) -> bool {
    q.iter().any(|(k, _)| k == key)
}

pub fn query(raw: Option<&str>) -> Query {
    parse_query(raw.unwrap_or(""))
}

/// Go's `url.QueryUnescape`: `%XX` and `+`; `None` for a malformed escape.
pub fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| (c as char).to_digit(16);
                let hi = hex(*b.get(i + 1)?)?;
                let lo = hex(*b.get(i + 2)?)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The first non-empty value of `key` (ory/x's `stringsx.Coalesce(q[key]...)`).
pub fn coalesce<'a>(q: &'a Query, key: &str) -> Option<&'a str> {
    q.iter()
        .filter(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
        .next()
}

/// `Values.Set`: replaces every value of `key` with one.
fn set(q: &mut Query, key: &str, value: String) {
    q.retain(|(k, _)| k != key);
    q.push((key.to_string(), value));
}

/// Go's `url.QueryEscape`: unreserved bytes as they are, space as `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `url.Values.Encode`: sorted by key (values of one key in their order).
pub fn encode(q: &Query) -> String {
    let mut pairs: Vec<&(String, String)> = q.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn link(path: &str, q: &Query, rel: &str) -> String {
    format!("<{path}?{}>; rel=\"{rel}\"", encode(q))
}

/// `keysetpagination.Header`: the first page's link and, unless this page is the last, the
/// next one's, comma-joined in one header; both keep the request's other parameters.
pub fn keyset_link(
    path: &str,
    request: &Query,
    size: usize,
    first_token: &str,
    next_token: Option<&str>,
) -> String {
    let rel = |rel: &str, token: &str| {
        let mut q = request.clone();
        set(&mut q, "page_token", token.to_string());
        set(&mut q, "page_size", size.to_string());
        link(path, &q, rel)
    };
    let mut out = vec![rel("first", first_token)];
    if let Some(next) = next_token {
        out.push(rel("next", next));
    }
    out.join(",")
}

/// Which parameters an offset link sets (the formatter `HeaderWithFormatter` is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetStyle {
    /// `tokenpagination`: `page_size` and `page_token` (Hydra).
    Token,
    /// `migrationpagination`: those and `per_page` and `page` too (Kratos's sessions of one
    /// identity).
    Migration,
    /// `pagepagination`: `per_page` and `page` (Kratos's legacy identity pages).
    Page,
}

/// `{"offset":"N","v":2}` in unpadded URL-safe base64: `tokenpagination`'s page token.
pub fn offset_token(offset: i64) -> String {
    base64_encode(
        format!(r#"{{"offset":"{offset}","v":2}}"#).as_bytes(),
        URL_SAFE,
        false,
    )
}

/// The offset a token carries; anything unreadable is offset 0, as `tokenpagination` ignores
/// its decoding error.
pub fn offset_of(token: &str) -> i64 {
    let Some(bytes) = base64_decode(token, URL_SAFE) else {
        return 0;
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(rest) = text.split(r#""offset":"#).nth(1) else {
        return 0;
    };
    let digits: String = rest
        .trim_start_matches('"')
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().unwrap_or(0)
}

/// `tokenpagination.ParsePagination` (Hydra, and Kratos's `migrationpagination` when `page_size`
/// or `page_token` is given): (page, items per page), default 250, at most 1000.
pub fn token_pagination(q: &Query) -> (i64, i64) {
    let offset = first(q, "page_token")
        .filter(|t| !t.is_empty())
        .map_or(0, offset_of);
    let mut per = first(q, "page_size")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(250);
    per = per.clamp(1, 1000);
    let page = if offset > 0 { (offset / per).max(0) } else { 0 };
    (page, per)
}

/// `pagepagination.PagePaginator.ParsePagination` (Kratos's `page` and `per_page`): page from 0,
/// 250 per page, at most `max`.
pub fn page_pagination(q: &Query, max: i64) -> (i64, i64) {
    let page = first(q, "page")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let per = first(q, "per_page")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(250)
        .clamp(1, max);
    (page, per)
}

/// `pagination.HeaderWithFormatter`: `X-Total-Count` and the `Link` header for an offset page,
/// quirks included (a single page names only `first`, with the total as its size; an empty
/// collection gets first/next/prev).
pub fn offset_headers(
    path: &str,
    request: &Query,
    total: i64,
    page: i64,
    items_per_page: i64,
    style: OffsetStyle,
) -> Vec<(&'static str, String)> {
    let per = if items_per_page <= 0 {
        1
    } else {
        items_per_page
    };
    let offset = page * per;
    let last_offset = if total % per == 0 {
        total - per
    } else {
        (total / per) * per
    };
    let f = |rel: &str, size: i64, offset: i64| {
        let mut q = request.clone();
        if style != OffsetStyle::Page {
            set(&mut q, "page_size", size.to_string());
            set(&mut q, "page_token", offset_token(offset));
        }
        if style != OffsetStyle::Token {
            set(&mut q, "per_page", size.to_string());
            set(&mut q, "page", (offset / size.max(1)).to_string());
        }
        link(path, &q, rel)
    };
    let links: Vec<String> = if offset >= last_offset {
        if total == 0 {
            vec![
                f("first", per, 0),
                f("next", per, ((offset / per) + 1) * per),
                f("prev", per, ((offset / per) - 1) * per),
            ]
        } else if total <= per {
            vec![f("first", total, 0)]
        } else {
            vec![f("first", per, 0), f("prev", per, last_offset - per)]
        }
    } else if offset < per {
        vec![f("next", per, per), f("last", per, last_offset)]
    } else {
        vec![
            f("first", per, 0),
            f("next", per, ((offset / per) + 1) * per),
            f("prev", per, ((offset / per) - 1) * per),
            f("last", per, last_offset),
        ]
    };
    vec![
        ("X-Total-Count", total.to_string()),
        ("Link", links.join(",")),
    ]
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const STANDARD: &[u8; 64] = STD;

pub fn base64_encode(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Unpadded base64 in `alphabet` (Go's `Raw*Encoding.DecodeString`, which skips `\r` and `\n`
/// and refuses anything else outside the alphabet, `=` included).
pub fn base64_decode(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut count = 0usize;
    for c in text.bytes() {
        if c == b'\r' || c == b'\n' {
            continue;
        }
        let v = alphabet.iter().position(|&a| a == c)? as u32;
        count += 1;
        bits = (bits << 6) | v;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    if count % 4 == 1 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> Query {
        query(Some(raw))
    }

    #[test]
    fn encodes_like_go() {
        assert_eq!(query_escape("a b+c/é"), "a+b%2Bc%2F%C3%A9");
        assert_eq!(
            encode(&q("page_token=x&active=true&page_size=2")),
            "active=true&page_size=2&page_token=x"
        );
    }

    #[test]
    fn unescape_like_go() {
        assert_eq!(query_unescape("a+b%2B").as_deref(), Some("a b+"));
        assert_eq!(query_unescape("%zz"), None);
        assert_eq!(query_unescape("%4"), None);
        assert_eq!(coalesce(&q("t=&t=x&t=y"), "t"), Some("x"));
    }

    #[test]
    fn keyset_links_name_first_and_next() {
        let l = keyset_link(
            "/admin/identities",
            &q("page_size=2"),
            2,
            "nil",
            Some("abc"),
        );
        assert_eq!(
            l,
            "</admin/identities?page_size=2&page_token=nil>; rel=\"first\",\
             </admin/identities?page_size=2&page_token=abc>; rel=\"next\""
        );
        let last = keyset_link("/admin/sessions", &q("active=true"), 250, "t", None);
        assert_eq!(
            last,
            "</admin/sessions?active=true&page_size=250&page_token=t>; rel=\"first\""
        );
    }

    #[test]
    fn offset_tokens_round_trip() {
        assert_eq!(offset_token(250), "eyJvZmZzZXQiOiIyNTAiLCJ2IjoyfQ");
        assert_eq!(offset_of(&offset_token(500)), 500);
        assert_eq!(offset_of("!!"), 0);
        assert_eq!(
            token_pagination(&q("page_size=2&page_token=eyJvZmZzZXQiOiI0IiwidiI6Mn0")),
            (2, 2)
        );
        assert_eq!(token_pagination(&q("page_size=5000")), (0, 1000));
        assert_eq!(page_pagination(&q("page=3&per_page=10"), 500), (3, 10));
        assert_eq!(page_pagination(&q("per_page=900"), 500), (0, 500));
    }

    #[test]
    fn offset_headers_follow_ory_x() {
        let h = offset_headers("/admin/clients", &Query::new(), 5, 0, 2, OffsetStyle::Token);
        assert_eq!(h[0], ("X-Total-Count", "5".to_string()));
        assert!(h[1]
            .1
            .starts_with("</admin/clients?page_size=2&page_token="));
        assert!(h[1].1.contains("rel=\"next\""));
        assert!(h[1].1.ends_with("rel=\"last\""));
        let single = offset_headers("/x", &Query::new(), 3, 0, 250, OffsetStyle::Token);
        assert_eq!(
            single[1].1,
            format!(
                "</x?page_size=3&page_token={}>; rel=\"first\"",
                offset_token(0)
            )
        );
        let empty = offset_headers("/x", &Query::new(), 0, 0, 250, OffsetStyle::Migration);
        assert_eq!(empty[1].1.matches("rel=").count(), 3);
        assert!(empty[1].1.contains("per_page=250"));
    }

    #[test]
    fn base64_both_ways() {
        for (plain, std, url) in [
            ("", "", ""),
            ("f", "Zg", "Zg"),
            ("fo", "Zm8", "Zm8"),
            ("foo", "Zm9v", "Zm9v"),
            ("\u{fb}\u{ff}", "w7vDvw", "w7vDvw"),
            ("??>", "Pz8+", "Pz8-"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes(), STANDARD, false), std);
            assert_eq!(base64_encode(plain.as_bytes(), URL_SAFE, false), url);
            assert_eq!(
                base64_decode(std, STANDARD).as_deref(),
                Some(plain.as_bytes())
            );
        }
        assert_eq!(base64_encode(b"f", STANDARD, true), "Zg==");
        assert_eq!(
            base64_decode("Zm9v ", STANDARD),
            None,
            "space is not base64"
        );
        assert_eq!(base64_decode("Zg==", STANDARD), None, "raw: no padding");
    }
}
