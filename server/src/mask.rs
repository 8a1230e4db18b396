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

mod names;
mod secret_names;
use names::mask_named_values;
#[cfg(test)]
use secret_names::secret_name;

#[cfg(test)]
mod tests;
