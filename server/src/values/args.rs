//! Strict types for the arguments that reach a remote command line (container names, URLs).
//! Config values are checked against these at start-up, so a typo or an injection attempt stops
//! the gateway instead of reaching the host.

/// A podman container name: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, as podman itself accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContainerName(String);

impl ContainerName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if first_ok && rest_ok && s.len() <= 128 {
            Ok(ContainerName(s.to_string()))
        } else {
            Err(format!("`{s}` is not a valid container name (letters, digits, '_', '.', '-'; starts with a letter or digit)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ContainerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An `http://` or `https://` URL with a host, no credentials, no whitespace and no shell or curl
/// globbing characters, so that it is one harmless word on the remote side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    url: String,
    host_start: usize,
    host_end: usize,
}

impl HttpUrl {
    pub fn parse(s: &str) -> Result<Self, String> {
        let rest = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("https://"))
            .ok_or_else(|| format!("`{s}` must start with http:// or https://"))?;
        if s.len() > 2048 {
            return Err("URL is longer than 2048 characters".into());
        }
        if let Some(bad) = s
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || "{}[]\\`'\"<>|;$".contains(*c))
        {
            return Err(format!(
                "`{s}` contains `{bad}`, which a health URL never needs"
            ));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.contains('@') {
            return Err("credentials in a health URL would be logged and shown; remove the user:password@ part".into());
        }
        let host = match authority.rsplit_once(':') {
            Some((h, port)) => {
                port.parse::<u16>()
                    .map_err(|_| format!("`{port}` is not a port number"))?;
                h
            }
            None => authority,
        };
        if host.is_empty() {
            return Err(format!("`{s}` has no host"));
        }
        let host_start = s.len() - rest.len();
        Ok(HttpUrl {
            url: s.to_string(),
            host_start,
            host_end: host_start + host.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.url[self.host_start..self.host_end]
    }

    /// Port given in the URL, or the scheme's default.
    pub fn port(&self) -> u16 {
        let after_host = &self.url[self.host_end..];
        after_host
            .strip_prefix(':')
            .and_then(|p| p.split(['/', '?', '#']).next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(if self.url.starts_with("https://") {
                443
            } else {
                80
            })
    }
}

impl std::fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

// Both deserialize from a string and refuse what `parse` refuses, so a config holding a bad one
// does not load (the error names the key).
deserialize_by_parse!(ContainerName);
deserialize_by_parse!(HttpUrl);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names() {
        assert!(ContainerName::parse("olympus-ciam-kratos").is_ok());
        assert!(ContainerName::parse("olympus_athena.1").is_ok());
        for bad in ["", "-x", "a b", "x;rm", "$(id)", "a/b", "ä"] {
            assert!(ContainerName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_keep_host_and_port() {
        let u = HttpUrl::parse("https://ciam.olympus.test:42443/healthz").unwrap();
        assert_eq!(u.host(), "ciam.olympus.test");
        assert_eq!(u.port(), 42443);
        let u = HttpUrl::parse("http://127.0.0.1/health/alive").unwrap();
        assert_eq!((u.host(), u.port()), ("127.0.0.1", 80));
        assert_eq!(HttpUrl::parse("https://x.test").unwrap().port(), 443);
    }

    #[test]
    fn urls_refuse_what_a_shell_or_curl_would_interpret() {
        for bad in [
            "ftp://x/",
            "http://x/ a",
            "http://x/$(id)",
            "http://x/;id",
            "http://x/{a,b}",
            "http://u:p@x/",
            "http://:80/",
            "http://x:99999/",
            "http://x/`id`",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
