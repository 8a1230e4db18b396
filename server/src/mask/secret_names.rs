//! Which names say their value is secret (`SMTP_PASS`, `client_secret`, `SECRETS_COOKIE`), and
//! which only talk about one (`TOKEN_ENDPOINT`, `PASSWORD_MIN_LENGTH`): judged by whole words.

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
pub(super) fn words(name: &str) -> Vec<String> {
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
