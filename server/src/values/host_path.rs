//! Paths on the host and command lines the operator configures for actions: checked at start-up so
//! that each is one harmless word (or a list of them) on the remote side.

/// An absolute path on the host: `/` then `[A-Za-z0-9._@+-]` segments, no `..`, at most 1024 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPath(String);

impl HostPath {
    pub fn parse(s: &str) -> Result<Self, String> {
        let Some(rest) = s.strip_prefix('/') else {
            return Err(format!(
                "`{s}` must be an absolute path on the host (start with /)"
            ));
        };
        if s.len() > 1024 {
            return Err("the path is longer than 1024 bytes".into());
        }
        for seg in rest.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." {
                return Err(format!(
                    "`{s}` has an empty, `.` or `..` part; write the path plainly"
                ));
            }
            if let Some(bad) = seg
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || "._@+-".contains(*c)))
            {
                return Err(format!(
                    "`{s}` contains `{}`: a host path here may hold letters, digits and . _ @ + - only",
                    bad.escape_default()
                ));
            }
        }
        Ok(HostPath(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The directory holding it (`/` for a file at the root).
    pub fn parent(&self) -> &str {
        match self.0.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &self.0[..i],
        }
    }
}

impl std::fmt::Display for HostPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command the operator configures (`redeploy = ["systemctl", "restart", "olympus-ciam-hera"]`):
/// at least a program, each word printable without control characters, the program not
/// option-like. It runs as given, with no user value in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredCommand(Vec<String>);

impl ConfiguredCommand {
    pub fn parse(words: Vec<String>) -> Result<Self, String> {
        let Some(program) = words.first() else {
            return Err("the command is empty; give at least the program".into());
        };
        if program.is_empty() || program.starts_with('-') {
            return Err(format!("`{program}` is not a program"));
        }
        if words.len() > 64 {
            return Err("the command has more than 64 words".into());
        }
        for w in &words {
            if w.len() > 1024 || w.chars().any(char::is_control) {
                return Err(format!(
                    "`{}` has control characters or is over 1024 bytes",
                    w.escape_default()
                ));
            }
        }
        Ok(ConfiguredCommand(words))
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for ConfiguredCommand {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let words = Vec::<String>::deserialize(d)?;
        ConfiguredCommand::parse(words).map_err(serde::de::Error::custom)
    }
}

/// A PostgreSQL role name for `pg_dumpall -U`: `[a-z_][a-z0-9_]*`, at most 63 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbRole(String);

impl DbRole {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && s.len() <= 63;
        if ok {
            Ok(DbRole(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a database role name (lower-case letters, digits, _)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

deserialize_by_parse!(HostPath);
deserialize_by_parse!(DbRole);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_are_plain_absolute_paths() {
        for ok in [
            "/etc/caddy/aegis/blocked.caddy",
            "/var/lib/aegis-sandbox/flags/ciam-hera.env",
        ] {
            assert_eq!(HostPath::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "etc/x",
            "/etc/../shadow",
            "/etc//x",
            "/tmp/a b",
            "/tmp/$(id)",
            "/tmp/a;b",
            "/tmp/a\nb",
            "/tmp/`x`",
            "/",
        ] {
            assert!(HostPath::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(HostPath::parse("/a/b/c").unwrap().parent(), "/a/b");
        assert_eq!(HostPath::parse("/a").unwrap().parent(), "/");
    }

    #[test]
    fn configured_commands_have_a_program_and_no_control_characters() {
        assert!(ConfiguredCommand::parse(vec![]).is_err());
        assert!(ConfiguredCommand::parse(vec!["--all".into()]).is_err());
        assert!(ConfiguredCommand::parse(vec!["x".into(), "a\nb".into()]).is_err());
        let c = ConfiguredCommand::parse(vec!["systemctl".into(), "restart".into(), "x".into()])
            .unwrap();
        assert_eq!(c.words().len(), 3);
    }

    #[test]
    fn database_roles_are_identifiers() {
        assert!(DbRole::parse("postgres").is_ok());
        for bad in ["", "-U", "Postgres", "a b", "a;b", &"a".repeat(64)] {
            assert!(DbRole::parse(bad).is_err(), "{bad:?}");
        }
    }
}
