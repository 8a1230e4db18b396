//! Masks secrets in text that came from the host before it leaves the gateway.
//!
//! Command output reaches responders' browsers (and, later, the audit log and retrospectives). A
//! container's environment, a URL with credentials or a key pasted into an error message must not
//! travel with it. The patterns are deliberately broad: a masked non-secret costs a responder a
//! glance, a leaked secret costs a rotation.
//!
//! Two kinds of rules run in turn. Shape rules (regexes) catch secrets that look like secrets
//! wherever they stand: private key blocks, credentials in URLs, `Authorization` headers, bearer
//! tokens, JWTs and Ory's prefixed tokens. The name rule catches values whose *name* says they are
//! secret (`SMTP_PASS=…`, `"client_secret": "…"`, `secrets:` in YAML) and reads the value the way
//! its syntax delimits it (quotes, JSON arrays, comma lists, YAML blocks), which a single regex
//! cannot do without either leaking the tail of a value or swallowing the rest of the line.
//!
//! Every rule keeps what it masked recognisable (names, schemes, the URL's host) so a responder can
//! still tell *which* setting is wrong, and every rule maps its own output to itself, so masking
//! twice (the hub masks details that the incident text may quote again) changes nothing. The regex
//! crate matches in linear time and the name rule only moves forward, so a multi-megabyte log is
//! masked in one pass per rule.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What a secret becomes: visibly a mask (not an empty value, which would mean something else).
pub const MASK: &str = "••••••";

fn rule(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("mask rule {pattern}: {e}"))
}

/// PEM and PGP private key blocks, up to their END line (or the end of the text when the output
/// was cut short: half a key is still a key).
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?s)-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
    )
});

/// `scheme://user:password@host`. The password runs to the *last* `@` of the authority, because
/// DSNs in the wild carry unencoded `@`s in passwords (`postgres://app:p@ss@db/x`); stopping at
/// the first one would print the rest of the password as if it were the host.
static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| rule(r#"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/"'<>]*):[^\s/"'<>]+@"#));

/// `Authorization:` (and `Proxy-Authorization:`) with any scheme. Parameter schemes (Digest,
/// AWS SigV4, OAuth 1, Hawk) spread their secret over the rest of the line; the others carry one
/// credential after the scheme word, or no scheme at all.
static AUTHORIZATION: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r#"(?i)((?:proxy-)?authorization(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["']|\[)?)(?:(digest|aws4-hmac-sha256|oauth|hawk|signature)[ \t]+[^\r\n]*|(?:([a-z][a-z-]{0,19})[ \t]+)?[^\s"'\\,;\]]+)"#,
    )
});

/// `Bearer …` / `Basic …` outside a header (logs, curl command lines). Only credential-looking
/// words count (a digit, or long), so "Bearer authentication failed" stays prose.
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?i)(?-u:\b)(bearer|basic)[ \t]+([A-Za-z0-9._~+/-]*[0-9][A-Za-z0-9._~+/=-]*|[A-Za-z0-9._~+/=-]{20,})",
    )
});

/// A bare JWT (or JWE): base64url JSON header `eyJ…`, then two or more base64url segments. An
/// unsigned token (empty signature) still counts when its payload is JSON too.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?-u:\b)eyJ[A-Za-z0-9_-]{4,}\.(?:eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(?:\.[A-Za-z0-9_-]+){0,2}",
    )
});

/// Ory's prefixed tokens: session (`ory_st_`), access, refresh and ID-token hint (`ory_at_`,
/// `ory_rt_`, `ory_ht_`), authorization code (`ory_ac_`), personal access tokens and API keys. The prefix stays, since it tells the responder what kind of token
/// leaked.
static ORY_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"(?-u:\b)ory_(st|at|rt|ht|ac|pat|apikey)_[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]+)*")
});

/// A name that may be secret, then its separator: `NAME=`, `NAME: `, `"name": `, `'name' => `,
/// `\"name\":` (JSON inside a JSON string), or `--name ` (a command-line flag). Whether the name
/// really is secret is decided by [`secret_name`]; the regex only finds candidates cheaply.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r#"(?i)([A-Za-z0-9_.-]*(?:secret|pass|pw|token|key|cookie|credential|dsn)[A-Za-z0-9_.-]*)(?:(\\?["'])?[ \t]*(=>|[:=])[ \t]*|([ \t]+))"#,
    )
});

/// `text` with every secret-looking value replaced by [`MASK`].
pub fn mask_secrets(text: &str) -> String {
    let text = Cow::Borrowed(text);
    let text = apply(text, &PRIVATE_KEY, |c: &Captures| {
        // JSON-escaped PEM (`\n` as two characters) stays one JSON string line.
        let nl = if c[0].contains('\n') || !c[0].contains("\\n") {
            "\n"
        } else {
            "\\n"
        };
        format!(
            "-----BEGIN {k}-----{nl}{MASK}{nl}-----END {k}-----",
            k = &c[1]
        )
    });
    let text = apply(text, &URL_PASSWORD, |c: &Captures| {
        format!("{}:{MASK}@", &c[1])
    });
    let text = apply(text, &AUTHORIZATION, |c: &Captures| {
        match c.get(2).or_else(|| c.get(3)) {
            Some(scheme) => format!("{}{} {MASK}", &c[1], scheme.as_str()),
            None => format!("{}{MASK}", &c[1]),
        }
    });
    let text = apply(text, &BEARER, |c: &Captures| {
        if c[2].len() >= 8 {
            format!("{} {MASK}", &c[1])
        } else {
            c[0].to_string()
        }
    });
    let text = apply(text, &JWT, |_: &Captures| MASK.to_string());
    let text = apply(text, &ORY_TOKEN, |c: &Captures| {
        format!("ory_{}_{MASK}", &c[1])
    });
    mask_named_values(&text)
}

/// One rule over `text`, keeping the borrow when nothing matched (the common case: most output
/// holds no secret, and a 5 MB log should not be copied seven times for nothing).
fn apply<'t>(text: Cow<'t, str>, re: &Regex, rep: impl FnMut(&Captures) -> String) -> Cow<'t, str> {
    let replaced = match re.replace_all(&text, rep) {
        Cow::Owned(s) => Some(s),
        Cow::Borrowed(_) => None,
    };
    match replaced {
        Some(s) => Cow::Owned(s),
        None => text,
    }
}

/// The last word of a name that says the value is *about* a secret, not the secret itself:
/// `TOKEN_ENDPOINT`, `SECRETS_FILE`, `cookie.same_site`, `PASSWORD_MIN_LENGTH`.
const NOT_SECRET_LAST: &[&str] = &[
    "endpoint",
    "url",
    "uri",
    "ttl",
    "lifespan",
    "type",
    "path",
    "file",
    "dir",
    "name",
    "len",
    "length",
    "expiry",
    "expires",
    "expiration",
    "at",
    "age",
    "site",
    "domain",
    "id",
    "header",
    "policy",
    "version",
    "count",
    "size",
    "timeout",
    "algorithm",
    "alg",
    "format",
    "kind",
    "mode",
    "method",
    "enabled",
    "disabled",
    "required",
    "min",
    "max",
    "limit",
    "strategy",
    "hint",
    "source",
    "location",
    "prefix",
    "suffix",
    "field",
    "secure",
    "persistent",
    "httponly",
];

/// Words that make a `…_KEY` a database or cache key rather than a credential.
const KEY_NOT_SECRET_AFTER: &[&str] = &[
    "public",
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "idempotency",
    "routing",
    "group",
    "ssh",
];

/// Whether a name (env variable, JSON/YAML key, header, flag) says its value is secret.
///
/// Names are split into words (`SMTP_PASS`, `smtpPass`, `x-api-key`) so that short words only count
/// as whole words: `pass` and `pw` would otherwise hit `PASSED`, `bypass` and `compass`, and `key`
/// would hit every `monkey`. The shell's `PWD`/`OLDPWD` are directories, not passwords.
pub(crate) fn secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_LAST.contains(&last.as_str()) {
        return false;
    }
    let joined = words.concat();
    if joined == "pwd" || joined == "oldpwd" {
        return false;
    }
    const STRONG: &[&str] = &[
        "secret",
        "password",
        "passwd",
        "passphrase",
        "token",
        "cookie",
        "credential",
        "apikey",
        "privatekey",
        "dsn",
    ];
    const KEY_OWNERS: &[&str] = &[
        "api",
        "private",
        "access",
        "signing",
        "encryption",
        "master",
        "license",
        "client",
        "session",
        "hmac",
    ];
    words.iter().enumerate().any(|(i, w)| {
        STRONG.iter().any(|s| w.contains(s))
            || matches!(w.as_str(), "pass" | "pw" | "pwd")
            || (w == "key" && i > 0 && !KEY_NOT_SECRET_AFTER.contains(&words[i - 1].as_str()))
            || w.strip_suffix("key")
                .is_some_and(|owner| KEY_OWNERS.contains(&owner))
    })
}

/// Lower-case words of a name: split at anything not alphanumeric and where camelCase turns
/// upper-case.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

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
fn mask_named_values(text: &str) -> String {
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

#[cfg(test)]
mod tests;
