//! A container's environment (`podman exec <container> env`), filtered to the variables a step
//! asks about. Values never leave the gateway: each is replaced by a fingerprint, a short keyed
//! hash, so that "the cookie secret changed since the last look" shows without showing it.

use sha2::{Digest, Sha256};

use super::Unreadable;

/// One variable: its name and the fingerprint of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// 8 hex digits of SHA-256 over the gateway's key and the value; empty values read `empty`.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvReading {
    /// The variables whose names start with one of the prefixes, sorted by name.
    pub variables: Vec<Variable>,
    /// Required variables that are absent or empty.
    pub missing_required: Vec<String>,
}

impl EnvReading {
    /// Whether any variable appeared, vanished or changed value since `earlier`.
    pub fn changed_since(&self, earlier: &EnvReading) -> bool {
        self.variables != earlier.variables
    }
}

/// Reads `env` output. `key` keys the fingerprints (the gateway's own secret, so that a
/// fingerprint cannot be checked against guesses elsewhere).
pub fn read(
    output: &str,
    prefixes: &[String],
    required: &[String],
    key: &[u8],
) -> Result<EnvReading, Unreadable> {
    let mut seen = Vec::new();
    for line in output.lines().filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once('=') else {
            // A value with a newline continues on the next line: it belongs to the variable above.
            continue;
        };
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') || name.is_empty() {
            continue;
        }
        seen.push((name.to_owned(), value.to_owned()));
    }
    if seen.is_empty() && !output.trim().is_empty() {
        return Err(Unreadable(
            "the answer is not an environment listing (NAME=value lines)".to_owned(),
        ));
    }
    let mut variables: Vec<Variable> = seen
        .iter()
        .filter(|(name, _)| prefixes.iter().any(|p| name.starts_with(p.as_str())))
        .map(|(name, value)| Variable {
            name: name.clone(),
            fingerprint: fingerprint(value, key),
        })
        .collect();
    variables.sort_by(|a, b| a.name.cmp(&b.name));
    variables.dedup_by(|a, b| a.name == b.name);
    let missing_required = required
        .iter()
        .filter(|r| !seen.iter().any(|(n, v)| n == *r && !v.is_empty()))
        .cloned()
        .collect();
    Ok(EnvReading {
        variables,
        missing_required,
    })
}

fn fingerprint(value: &str, key: &[u8]) -> String {
    if value.is_empty() {
        return "empty".to_owned();
    }
    let digest = Sha256::new()
        .chain_update((key.len() as u64).to_be_bytes())
        .chain_update(key)
        .chain_update(value.as_bytes())
        .finalize();
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"gateway key";

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    /// `podman exec olympus-ciam-kratos env`, as Kratos's image prints it (values invented).
    const KRATOS: &str = "\
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOSTNAME=ciam-kratos
DSN=postgres://kratos:hunter2-db-password@olympus-postgres:5432/kratos?sslmode=verify-full
SECRETS_COOKIE=PLEASE-CHANGE-ME-I-AM-VERY-INSECURE-new,PLEASE-CHANGE-ME-old
SECRETS_CIPHER=32-long-secret-not-secure-AT-ALL
COOKIE_DOMAIN=olympus.example
HOME=/home/ory
";

    #[test]
    fn values_become_fingerprints_and_never_appear() {
        let r = read(KRATOS, &words(&["SECRETS_", "COOKIE"]), &[], KEY).unwrap();
        let names: Vec<&str> = r.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["COOKIE_DOMAIN", "SECRETS_CIPHER", "SECRETS_COOKIE"]);
        let shown = format!("{r:?}");
        for secret in [
            "PLEASE-CHANGE-ME",
            "32-long-secret",
            "olympus.example",
            "hunter2",
        ] {
            assert!(!shown.contains(secret), "`{secret}` leaked: {shown}");
        }
        assert!(r.variables.iter().all(|v| v.fingerprint.len() == 8));
    }

    #[test]
    fn a_rotated_secret_changes_its_fingerprint_and_only_its_own() {
        let before = read(KRATOS, &words(&["SECRETS_"]), &[], KEY).unwrap();
        let rotated = KRATOS.replace("-new,", "-newer,");
        let after = read(&rotated, &words(&["SECRETS_"]), &[], KEY).unwrap();
        assert!(after.changed_since(&before));
        assert_ne!(
            before.variables[1].fingerprint,
            after.variables[1].fingerprint
        );
        assert_eq!(
            before.variables[0], after.variables[0],
            "the cipher secret did not change"
        );
        assert!(!read(KRATOS, &words(&["SECRETS_"]), &[], KEY)
            .unwrap()
            .changed_since(&before));
        // Another gateway's key gives other fingerprints: they cannot be compared with guesses.
        let other = read(KRATOS, &words(&["SECRETS_"]), &[], b"other key").unwrap();
        assert_ne!(other.variables, before.variables);
    }

    #[test]
    fn missing_and_empty_required_variables_are_named() {
        let athena = "ENCRYPTION_KEY=\nPORT=3001\n";
        let r = read(
            athena,
            &words(&["ENCRYPTION_KEY", "SESSION_SIGNING_KEY"]),
            &words(&["ENCRYPTION_KEY", "SESSION_SIGNING_KEY"]),
            KEY,
        )
        .unwrap();
        assert_eq!(
            r.missing_required,
            ["ENCRYPTION_KEY", "SESSION_SIGNING_KEY"]
        );
        assert_eq!(r.variables[0].fingerprint, "empty");
    }

    #[test]
    fn an_answer_that_is_not_an_env_listing_is_refused() {
        let err = read(
            "Error: no container with name or ID \"x\" found\n",
            &words(&["A"]),
            &[],
            KEY,
        )
        .unwrap_err();
        assert!(err.0.contains("not an environment listing"), "{err}");
        assert!(read("", &words(&["A"]), &[], KEY)
            .unwrap()
            .variables
            .is_empty());
    }
}
