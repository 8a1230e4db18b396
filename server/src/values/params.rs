//! Values a responder types into an action's form. Each is checked against a strict type before
//! anything is planned: what passes is one inert word on the remote side (never a shell line,
//! never option-like), and what does not is refused with what the value must look like.

use std::net::IpAddr;

/// Why a typed value was refused, in words for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

/// The longest value any parameter takes (an email address is at most 254).
const MAX_LEN: usize = 254;

/// Surrounding spaces are forgiven (a pasted value); anything else that cannot be part of the
/// value is refused, saying what.
fn plain<'a>(label: &str, raw: &'a str) -> Result<&'a str, ParamError> {
    let v = raw.trim_matches(|c: char| c == ' ' || c == '\t');
    if v.is_empty() {
        return Err(ParamError(format!("{label} is required")));
    }
    if v.len() > MAX_LEN {
        return Err(ParamError(format!(
            "{label} is longer than {MAX_LEN} characters"
        )));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(ParamError(format!(
            "{label} contains a control character (a line break, NUL, tab); type the value alone"
        )));
    }
    if v.starts_with('-') {
        return Err(ParamError(format!(
            "{label} starts with `-`, which a command would read as an option"
        )));
    }
    Ok(v)
}

/// An IPv4/IPv6 address or CIDR range, in canonical form (`2001:db8::/32`). Ranges wider than a
/// /16 (IPv4) or /32 (IPv6) are refused: that blocks a country, not an attacker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    ip: IpAddr,
    prefix: Option<u8>,
}

impl Address {
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        let v = plain("the address", raw)?;
        let bad = || {
            ParamError(format!(
                "`{}` is not an IP address or CIDR range (e.g. 203.0.113.7, 198.51.100.0/24, 2001:db8::/48)",
                v.escape_default()
            ))
        };
        let (ip, prefix) = match v.split_once('/') {
            Some((ip, len)) => {
                if !len.bytes().all(|b| b.is_ascii_digit()) || len.is_empty() || len.len() > 3 {
                    return Err(bad());
                }
                (ip, Some(len.parse::<u8>().map_err(|_| bad())?))
            }
            None => (v, None),
        };
        let ip: IpAddr = ip.parse().map_err(|_| bad())?;
        let (max, widest) = match ip {
            IpAddr::V4(_) => (32, 16),
            IpAddr::V6(_) => (128, 32),
        };
        match prefix {
            Some(p) if p > max => Err(bad()),
            Some(p) if p < widest => Err(ParamError(format!(
                "`{v}` is wider than a /{widest}: it would block far more than an attacker; give a narrower range"
            ))),
            _ if ip.is_unspecified() => Err(ParamError(format!(
                "`{v}` is the unspecified address; give the attacker's address"
            ))),
            // A full-length prefix is the address itself.
            Some(p) if p == max => Ok(Address { ip, prefix: None }),
            _ => Ok(Address { ip, prefix }),
        }
    }

    pub fn text(&self) -> String {
        match self.prefix {
            Some(p) => format!("{}/{p}", self.ip),
            None => self.ip.to_string(),
        }
    }

    /// As Caddy's `remote_ip` matcher takes it: always a range.
    pub fn cidr(&self) -> String {
        let full = if self.ip.is_ipv4() { 32 } else { 128 };
        format!("{}/{}", self.ip, self.prefix.unwrap_or(full))
    }
}

/// A Kratos identity id: a UUID, lower-case, hyphenated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityId(String);

impl IdentityId {
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        let v = plain("the identity id", raw)?;
        let groups: Vec<&str> = v.split('-').collect();
        let ok = groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
        if ok {
            Ok(IdentityId(v.to_ascii_lowercase()))
        } else {
            Err(ParamError(format!(
                "`{}` is not an identity id (a UUID like 3f2b5c1e-8d4a-4b7e-9c2d-1a2b3c4d5e6f)",
                v.escape_default()
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address as Kratos stores identifiers: `local@domain`, plain characters only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        let v = plain("the email address", raw)?;
        let bad = || {
            ParamError(format!(
                "`{}` is not an email address (name@example.com)",
                v.escape_default()
            ))
        };
        let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Email(v.to_ascii_lowercase()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For a URL's query: every byte but letters, digits and `.-_` percent-encoded.
    pub fn query_value(&self) -> String {
        self.0
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_ranges_in_canonical_form() {
        assert_eq!(
            Address::parse(" 203.0.113.7 ").unwrap().text(),
            "203.0.113.7"
        );
        assert_eq!(
            Address::parse("203.0.113.7").unwrap().cidr(),
            "203.0.113.7/32"
        );
        assert_eq!(
            Address::parse("198.51.100.0/24").unwrap().cidr(),
            "198.51.100.0/24"
        );
        assert_eq!(
            Address::parse("2001:DB8::/48").unwrap().text(),
            "2001:db8::/48"
        );
        assert_eq!(Address::parse("10.0.0.1/32").unwrap().text(), "10.0.0.1");
        for bad in [
            "",
            "0.0.0.0",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.0/8",
            "1.2.3.4/33",
            "1.2.3.4/-1",
            "1.2.3",
            "1.2.3.4; rm -rf /",
            "$(id)",
            "--all",
            "1.2.3.4\n5.6.7.8",
            "1.2.3.4/ 24",
            "localhost",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn identity_ids_are_uuids() {
        assert_eq!(
            IdentityId::parse("3F2B5C1E-8D4A-4B7E-9C2D-1A2B3C4D5E6F")
                .unwrap()
                .as_str(),
            "3f2b5c1e-8d4a-4b7e-9c2d-1a2b3c4d5e6f"
        );
        for bad in [
            "3f2b5c1e8d4a4b7e9c2d1a2b3c4d5e6f",
            "3f2b5c1e-8d4a-4b7e-9c2d-1a2b3c4d5e6g",
            "../../admin",
            "-rf",
        ] {
            assert!(IdentityId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails_are_plain_and_encoded_for_a_query() {
        let e = Email::parse("Ana.Lopez+ops@Example.com").unwrap();
        assert_eq!(e.as_str(), "ana.lopez+ops@example.com");
        assert_eq!(e.query_value(), "ana.lopez%2Bops%40example.com");
        for bad in [
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "$(id)@x.com",
            "a@x.com&all=true",
            "-a@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
