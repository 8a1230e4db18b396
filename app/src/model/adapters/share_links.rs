//! The share links page's wording: a link's state and expiry, the form's hours, the URL to hand out.

use wire::{ShareLinkInfo, MAX_SHARE_HOURS};

use crate::model::time;

/// A share link's lifetime, from the gateway's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Active,
    Expired,
    Revoked,
}

impl LinkState {
    pub fn of(link: &ShareLinkInfo, server_now_ms: i64) -> Self {
        if link.revoked {
            LinkState::Revoked
        } else if link.expires_at_ms <= server_now_ms {
            LinkState::Expired
        } else {
            LinkState::Active
        }
    }

    /// The `data-state` hook and CSS selector.
    pub fn hook(self) -> &'static str {
        match self {
            LinkState::Active => "active",
            LinkState::Expired => "expired",
            LinkState::Revoked => "revoked",
        }
    }
}

/// "Expires in 23 h", "Expired 2 h ago", "Revoked".
pub fn link_expiry(link: &ShareLinkInfo, server_now_ms: i64) -> String {
    match LinkState::of(link, server_now_ms) {
        LinkState::Revoked => "Revoked".to_owned(),
        LinkState::Expired => format!("Expired {}", time::ago(server_now_ms - link.expires_at_ms)),
        LinkState::Active => format!(
            "Expires in {}",
            time::duration(link.expires_at_ms - server_now_ms)
        ),
    }
}

/// The share form's "expires in hours" field: a whole number from 1 to [`MAX_SHARE_HOURS`] (30
/// days), the gateway's limit.
pub fn parse_hours(input: &str) -> Result<u32, String> {
    match input.trim().parse::<u32>() {
        Ok(h) if (1..=MAX_SHARE_HOURS).contains(&h) => Ok(h),
        _ => Err(format!(
            "Expiry must be a whole number of hours from 1 to {MAX_SHARE_HOURS}."
        )),
    }
}

/// The full URL to hand out: this console's origin plus the path the gateway returned.
pub fn share_url(origin: &str, path: &str) -> String {
    let origin = origin.trim_end_matches('/');
    if path.starts_with('/') {
        format!("{origin}{path}")
    } else {
        format!("{origin}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::Role;

    fn link(revoked: bool, expires_at_ms: i64) -> ShareLinkInfo {
        ShareLinkInfo {
            id: 7,
            label: "Support leads".to_owned(),
            created_by: "ann".to_owned(),
            created_at_ms: 0,
            expires_at_ms,
            revoked,
        }
    }

    #[test]
    fn share_link_states_and_wording() {
        let hour = 3_600_000;
        let now = 100 * hour;
        assert_eq!(
            LinkState::of(&link(false, now + hour), now),
            LinkState::Active
        );
        assert_eq!(
            link_expiry(&link(false, now + 23 * hour), now),
            "Expires in 23 h"
        );
        assert_eq!(LinkState::of(&link(false, now), now), LinkState::Expired);
        assert_eq!(
            link_expiry(&link(false, now - 2 * hour), now),
            "Expired 2 h ago"
        );
        assert_eq!(
            LinkState::of(&link(true, now + hour), now),
            LinkState::Revoked
        );
        assert_eq!(link_expiry(&link(true, now - hour), now), "Revoked");
        assert_eq!(LinkState::Expired.hook(), "expired");
    }

    #[test]
    fn expiry_hours_and_share_urls() {
        assert_eq!(parse_hours(" 24 "), Ok(24));
        assert_eq!(parse_hours("720"), Ok(720));
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("721").is_err());
        assert!(parse_hours("1.5").is_err());
        assert!(parse_hours("").is_err());
        assert_eq!(
            share_url("https://aegis.example/", "/share/abc"),
            "https://aegis.example/share/abc"
        );
        assert_eq!(
            share_url("http://h:8080", "share/abc"),
            "http://h:8080/share/abc"
        );
        assert_eq!(Role::Stakeholder.label(), "Stakeholder");
    }
}
