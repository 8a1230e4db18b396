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

/// `host:port` as a command on the host connects to it (`openssl s_client -connect`): an IP
/// address (IPv6 in brackets) or a DNS name, and a port. Nothing else: no scheme, no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    host: String,
    port: u16,
}

impl HostPort {
    pub fn parse(s: &str) -> Result<Self, String> {
        let shown: String = s.chars().take(80).collect();
        let (host, port) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("`{shown}` needs a port: host:port, e.g. 127.0.0.1:5432"))?;
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("`{shown}`: the port must be 1 to 65535"))?;
        let ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            v6.parse::<std::net::Ipv6Addr>().is_ok()
        } else {
            host.parse::<std::net::Ipv4Addr>().is_ok() || dns_name(host)
        };
        if !ok {
            return Err(format!(
                "`{shown}` is not host:port (an IPv4 address, [IPv6] or a DNS name, then a port)"
            ));
        }
        Ok(HostPort {
            host: host.to_owned(),
            port,
        })
    }

    /// The host as written (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Labels of letters, digits and inner hyphens, dot-separated: never an option (`-x`) or a path.
fn dns_name(h: &str) -> bool {
    (1..=253).contains(&h.len())
        && h.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

// Both deserialize from a string and refuse what `parse` refuses, so a config holding a bad one
// does not load (the error names the key).
deserialize_by_parse!(ContainerName);
deserialize_by_parse!(HttpUrl);
deserialize_by_parse!(HostPort);

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
    fn host_ports() {
        let a = HostPort::parse("127.0.0.1:5432").unwrap();
        assert_eq!((a.host(), a.port()), ("127.0.0.1", 5432));
        assert_eq!(a.to_string(), "127.0.0.1:5432");
        assert_eq!(
            HostPort::parse("[::1]:5432").unwrap().to_string(),
            "[::1]:5432"
        );
        assert!(HostPort::parse("db.olympus.internal:5432").is_ok());
        for bad in [
            "",
            "127.0.0.1",
            "db:0",
            "db:99999",
            "-connect:5432",
            "a b:1",
            "db;id:5432",
            "::1:5432",
            "[nope]:1",
            "http://db:5432",
            "db..x:1",
        ] {
            assert!(HostPort::parse(bad).is_err(), "{bad}");
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
