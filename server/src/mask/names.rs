//! The name rule: values whose *name* says they are secret (`SMTP_PASS=…`, `"client_secret": …`,
//! `secrets:` in YAML), read the way their syntax delimits them (quotes, JSON arrays, comma lists,
//! YAML blocks), moving forward only, so a large log is masked in one pass.

use std::sync::LazyLock;

use regex::Regex;

use super::secret_names::{secret_name, words};
use super::{rule, MASK};

/// A name that may be secret, then its separator: `NAME=`, `NAME: `, `"name": `, `'name' => `,
/// `\"name\":` (JSON inside a JSON string), or `--name ` (a command-line flag). Whether the name
/// really is secret is decided by [`secret_name`]; the regex only finds candidates cheaply.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r#"(?i)([A-Za-z0-9_.-]*(?:secret|pass|pw|token|key|cookie|credential|dsn)[A-Za-z0-9_.-]*)(?:(\\?["'])?[ \t]*(=>|[:=])[ \t]*|([ \t]+))"#,
    )
});

/// How far a JSON array or object value is followed before giving up on its closing bracket: far
/// enough for any pretty-printed secrets list, short enough that an unclosed `[` cannot make the
/// scan revisit megabytes.
const BRACKET_SCAN_LIMIT: usize = 64 * 1024;

/// Output being rebuilt from `text`: unchanged stretches are copied, masked spans replaced.
struct Rebuild<'t> {
    text: &'t str,
    out: String,
    copied: usize,
}

impl Rebuild<'_> {
    /// Replaces `text[start..end]` (which lies after everything replaced so far) by `with`.
    fn replace(&mut self, start: usize, end: usize, with: &str) {
        debug_assert!(self.copied <= start && start <= end);
        self.out.push_str(&self.text[self.copied..start]);
        self.out.push_str(with);
        self.copied = end;
    }
}

/// The name rule: every `NAME<sep>value` whose name is secret gets its value masked, the value
/// delimited by its own syntax.
pub(super) fn mask_named_values(text: &str) -> String {
    let mut r = Rebuild {
        text,
        out: String::new(),
        copied: 0,
    };
    let mut pos = 0;
    // Start of the line holding `pos`, found incrementally: looking back from every match would
    // be quadratic on a long line.
    let (mut line_start, mut line_scanned) = (0, 0);
    // Likewise the end of that line: many candidates on one long line share it.
    let mut line_end = 0;
    while pos < text.len() {
        let Some(c) = NAMED.captures_at(text, pos) else {
            break;
        };
        let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else {
            break;
        };
        pos = whole.end();
        let flag = c.get(4).is_some();
        if (flag && !name.as_str().starts_with("--")) || !secret_name(name.as_str()) {
            continue;
        }
        if let Some(i) = text[line_scanned..name.start()].rfind('\n') {
            line_start = line_scanned + i + 1;
        }
        line_scanned = name.start();
        let ctx = Context {
            opening_quote: text[..name.start()]
                .bytes()
                .next_back()
                .filter(|b| matches!(b, b'"' | b'\''))
                .filter(|_| c.get(2).is_none()),
            query: text[..name.start()].ends_with(['?', '&']),
            line_start: starts_line(&text[line_start..name.start()]),
            yaml: c.get(3).is_some_and(|s| s.as_str() == ":"),
            column: name.start() - line_start,
            whole_block: words(name.as_str()).iter().any(|w| w.contains("secret")),
            dsn: words(name.as_str()).iter().any(|w| w.contains("dsn")),
        };
        if flag && text[pos..].starts_with('-') {
            continue;
        }
        if line_end < pos {
            line_end = pos + text[pos..].find(['\n', '\r']).unwrap_or(text.len() - pos);
        }
        pos = mask_value(&mut r, pos, line_end, &ctx).max(pos);
    }
    if r.copied == 0 {
        return text.to_string();
    }
    r.out.push_str(&text[r.copied..]);
    r.out
}

/// Where a secret name stands, which decides where its value ends.
struct Context {
    /// The name is the start of a quoted string (`"PASSWORD=a b"` in a JSON env list): the value
    /// runs to that string's closing quote.
    opening_quote: Option<u8>,
    /// The name is a URL query parameter: the value stops at `&` and `#`.
    query: bool,
    /// The name opens its line (env files, `env` output, YAML, headers): an unquoted value is the
    /// rest of the line, spaces included.
    line_start: bool,
    /// `name:` — an empty value may open a YAML block below.
    yaml: bool,
    /// The name's column, for YAML indentation.
    column: usize,
    /// A `secrets` name: nested objects and YAML mappings under it are masked whole, since their
    /// keys (`default`, `cipher`) do not say they are secret.
    whole_block: bool,
    /// A DSN name: a URL value whose credentials the URL rule already masked stays readable.
    dsn: bool,
}

/// Whether what precedes a name on its line leaves the name at the start of a statement:
/// indentation, `export`, a YAML list dash, a commented-out line, curl's `>`/`<` header marks.
fn starts_line(prefix: &str) -> bool {
    if prefix.len() > 64 {
        return false;
    }
    let p = prefix.trim();
    p.is_empty()
        || matches!(p, "export" | "set" | "ENV" | "declare -x")
        || p.bytes().all(|b| b"-<>*#\"' \t".contains(&b))
}

/// Masks the value starting at `at` (just after the separator, on the line ending at
/// `line_end`); returns where scanning resumes.
fn mask_value(r: &mut Rebuild, at: usize, line_end: usize, ctx: &Context) -> usize {
    let text = r.text;
    let rest = &text[at..];
    let line = &text[at..line_end];
    // JSON inside a JSON string: \"value\".
    if let Some(inner) = line.strip_prefix("\\\"") {
        let end = inner.find("\\\"").map_or(line_end, |i| at + 2 + i);
        mask_span(r, at + 2, end);
        return end;
    }
    match rest.bytes().next() {
        Some(q @ (b'"' | b'\'')) => {
            let end = closing_quote(line, q).map_or(line_end, |i| at + i);
            mask_span(r, at + 1, end);
            end
        }
        Some(b'[') => mask_bracketed(r, at),
        Some(b'{') if ctx.whole_block => mask_bracketed(r, at),
        Some(b'{') => at,
        _ => mask_bare(r, at, line_end, ctx),
    }
}

/// Replaces `start..end` by the mask unless it is empty (an empty secret is worth seeing).
fn mask_span(r: &mut Rebuild, start: usize, end: usize) {
    if end > start && r.copied <= start {
        r.replace(start, end, MASK);
    }
}

/// Index of the quote closing a string that opens at `s[0]`, honouring backslash escapes.
fn closing_quote(s: &str, quote: u8) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A JSON array or object value: masked whole (`[••••••]`), across lines, quotes respected. An
/// unclosed one is masked to the end of the line where the scan gave up.
fn mask_bracketed(r: &mut Rebuild, at: usize) -> usize {
    let text = r.text;
    let b = text.as_bytes();
    let limit = (at + BRACKET_SCAN_LIMIT).min(b.len());
    let mut depth = 0usize;
    let mut i = at;
    let mut close = None;
    while i < limit {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            q @ (b'"' | b'\'') => {
                // A quote inside a string value never closes the bracket.
                let mut j = i + 1;
                while j < limit && b[j] != q && b[j] != b'\n' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    match close {
        Some(end) => {
            if text[at + 1..end].trim().is_empty() {
                return end + 1;
            }
            let (open, shut) = (&text[at..at + 1], &text[end..end + 1]);
            r.replace(at, end + 1, &format!("{open}{MASK}{shut}"));
            end + 1
        }
        None => {
            // Bytes, not `str::find`: the scan may have stopped inside a multi-byte character.
            let from = i.min(b.len());
            let end = b[from..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| from + n);
            mask_span(r, at + 1, end);
            end
        }
    }
}

/// An unquoted value: a YAML block below an empty `name:`, the rest of the line when the name
/// opens it, or else one token (comma lists included: `SECRETS_COOKIE=new,old`).
fn mask_bare(r: &mut Rebuild, at: usize, line_end: usize, ctx: &Context) -> usize {
    let text = r.text;
    let line = &text[at..line_end];
    let trimmed = line.trim_end();
    if ctx.yaml && (trimmed.is_empty() || trimmed.starts_with('#')) {
        return mask_yaml_block(r, line_end, ctx, false);
    }
    if ctx.yaml && is_block_scalar(trimmed) {
        return mask_yaml_block(r, line_end, ctx, true);
    }
    let end = if let Some(q) = ctx.opening_quote {
        line.bytes()
            .position(|b| b == q)
            .map_or(line_end, |i| at + i)
    } else if ctx.line_start && !ctx.query {
        let t = trimmed.strip_suffix(',').unwrap_or(trimmed);
        at + t.len()
    } else {
        at + token_len(line, ctx.query)
    };
    let value = &text[at..end];
    if matches!(value, "null" | "~" | "nil" | "<nil>" | "None") {
        return end;
    }
    if ctx.dsn && url_without_clear_password(value) {
        // Keep scanning inside: a `?password=` parameter is still a name of its own.
        return at;
    }
    mask_span(r, at, end);
    end
}

/// Length of one unquoted token: it ends at whitespace, quotes, `;`, a comma that separates
/// (followed by a space or the end) and, in a URL query, `&` or `#`.
fn token_len(line: &str, query: bool) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'"' | b'\'' | b'`' | b';' | b'<' | b'>' => break,
            b'&' | b'#' if query => break,
            b',' if b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => break,
            _ => i += 1,
        }
    }
    i
}

/// A URL with no password left in clear: none at all, or one the URL rule already masked.
fn url_without_clear_password(value: &str) -> bool {
    let Some((_, after_scheme)) = value.split_once("://") else {
        return false;
    };
    // Any `@` the URL rule did not mask (a password with a `/` in it) hides the whole value.
    !after_scheme.contains('@') || after_scheme.contains(&format!(":{MASK}@"))
}

/// `|`, `>-`, `|+2` …: a YAML block scalar whose text is on the following lines.
fn is_block_scalar(v: &str) -> bool {
    let v = v.split('#').next().unwrap_or_default().trim();
    v.starts_with(['|', '>'])
        && v[1..]
            .bytes()
            .all(|b| b == b'-' || b == b'+' || b.is_ascii_digit())
}

/// The YAML lines nested under a secret `name:` with no inline value (starting at `from`, the end
/// of the name's line). A block scalar or a `secrets` mapping is masked whole (keys stay visible);
/// under other names only a list of scalars is masked, since a nested mapping's keys get judged
/// on their own (`cookie:` → `domain:`, `same_site:` are not secret).
fn mask_yaml_block(r: &mut Rebuild, from: usize, ctx: &Context, scalar: bool) -> usize {
    let text = r.text;
    let mut pos = from;
    let mut end = from;
    let mut first = true;
    while pos < text.len() {
        // `pos` is at a line break; the next line starts after it.
        let start = pos
            + if text[pos..].starts_with("\r\n") {
                2
            } else {
                1
            };
        if start > text.len() {
            break;
        }
        let line_len = text[start..].find('\n').unwrap_or(text.len() - start);
        let line = text[start..start + line_len].trim_end_matches('\r');
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if content.trim().is_empty() {
            pos = start + line_len;
            continue;
        }
        let item = content == "-" || content.starts_with("- ");
        let mapping = !item && (content.contains(": ") || content.trim_end().ends_with(':'));
        if !(indent > ctx.column || (item && indent == ctx.column && !scalar)) {
            break;
        }
        if first && !scalar && !ctx.whole_block && mapping {
            // A nested mapping under e.g. `cookie:` — its keys speak for themselves.
            return from;
        }
        first = false;
        let value_at = if scalar || !(item || mapping) {
            start + indent
        } else if item {
            start + indent + content.len().min(2)
        } else if let Some(i) = content.find(": ") {
            start + indent + i + 2
        } else {
            start + line.len()
        };
        let value_end = start + line.len();
        let value = text[value_at..value_end].trim_end();
        // Under a name that is not `secrets`, a nested key with a value ends the list: it is a
        // mapping whose keys the name rule judges on their own.
        let masks_all = ctx.whole_block || scalar || !mapping;
        if !value.is_empty() && !masks_all {
            break;
        }
        if !value.is_empty() && value != MASK {
            mask_span(r, value_at, value_at + value.len());
        }
        pos = start + line_len;
        end = pos;
    }
    end
}
