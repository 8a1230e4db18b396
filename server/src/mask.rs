//! Masks secrets in text that came from the host before it leaves the gateway.
//!
//! Command output reaches responders' browsers (and, later, the audit log and retrospectives). A
//! container's environment, a URL with credentials or a key pasted into an error message must not
//! travel with it. The patterns are deliberately broad: a masked non-secret costs a responder a
//! glance, a leaked secret costs a rotation.

use std::sync::LazyLock;

use regex::Regex;

static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rules = [
        // PEM blocks: private keys and certificates' key material.
        (
            r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
            "-----PRIVATE KEY ••••••-----",
        ),
        // user:password@ in URLs and DSNs.
        (
            r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*):[^\s@/]+@",
            "$1:••••••@",
        ),
        // Authorization headers and bearer tokens.
        (r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}", "$1 ••••••"),
        // NAME=value and NAME: value where NAME says it is secret (env dumps, config echoes, JSON).
        (
            r#"(?i)\b([a-z0-9_.-]*(?:secret|password|passwd|pwd|token|api[_-]?key|private[_-]?key|encryption[_-]?key|signing[_-]?key|cookie|credential|dsn)[a-z0-9_.-]*)("?\s*[:=]\s*"?)([^\s",;]+)"#,
            "$1$2••••••",
        ),
    ];
    rules
        .into_iter()
        .map(|(pattern, replacement)| {
            (
                Regex::new(pattern).unwrap_or_else(|e| panic!("mask rule {pattern}: {e}")),
                replacement,
            )
        })
        .collect()
});

/// `text` with every secret-looking value replaced by a mask.
pub fn mask_secrets(text: &str) -> String {
    let mut out = text.to_string();
    for (re, replacement) in RULES.iter() {
        if re.is_match(&out) {
            out = re.replace_all(&out, *replacement).into_owned();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask_secrets;

    #[test]
    fn masks_env_style_secrets_and_keeps_the_names() {
        let env = "SECRETS_COOKIE=abc123def\nKRATOS_DSN=postgres://kratos:hunter2@db:5432/kratos\nLOG_LEVEL=debug\nENCRYPTION_KEY=0123456789abcdef";
        let m = mask_secrets(env);
        assert!(
            !m.contains("abc123def") && !m.contains("hunter2") && !m.contains("0123456789abcdef"),
            "{m}"
        );
        assert!(
            m.contains("SECRETS_COOKIE=")
                && m.contains("ENCRYPTION_KEY=")
                && m.contains("LOG_LEVEL=debug"),
            "{m}"
        );
    }

    #[test]
    fn masks_url_credentials_bearer_tokens_json_and_pem() {
        let m = mask_secrets("curl: (7) Failed to connect to https://admin:s3cr3t@10.0.0.1/");
        assert!(!m.contains("s3cr3t") && m.contains("https://admin:"), "{m}");
        let m = mask_secrets("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc");
        assert!(!m.contains("eyJhbGci"), "{m}");
        let m = mask_secrets(r#"{"client_secret": "topsecretvalue", "id": "x"}"#);
        assert!(
            !m.contains("topsecretvalue") && m.contains(r#""id": "x""#),
            "{m}"
        );
        let m = mask_secrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----");
        assert!(!m.contains("b3BlbnNzaC1rZXk"), "{m}");
    }

    #[test]
    fn leaves_ordinary_details_alone() {
        for s in [
            "HTTP 503",
            "connection refused; container olympus-ciam-kratos is exited",
            "9/10 running: olympus-x exited (exit 137)",
        ] {
            assert_eq!(mask_secrets(s), s);
        }
    }
}
