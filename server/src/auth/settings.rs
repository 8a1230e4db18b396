//! `[auth]`: sessions and sign-in limits.

use std::net::IpAddr;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Mark the session cookie `Secure` (sent over HTTPS only). On except for a loopback demo.
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub idle_timeout_secs: u64,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout_secs: u64,
    /// Login attempts per minute for one account name from one source address (tight: one
    /// machine guessing one password).
    pub attempts_per_account_per_minute: u32,
    /// Login attempts per minute for one account name from all addresses together (loose: a
    /// stranger who knows the name cannot lock its owner out from another address).
    pub attempts_per_account_all_addresses_per_minute: u32,
    /// Login attempts per minute from one source address, and wrong share-link tokens.
    pub attempts_per_address_per_minute: u32,
    /// Reverse proxies in front of the console (Caddy, say). From these peers the client address
    /// for the per-address limit is read from `X-Forwarded-For`; from any other peer that header is
    /// ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            secure_cookies: true,
            idle_timeout_secs: 8 * 3600,
            absolute_timeout_secs: 24 * 3600,
            attempts_per_account_per_minute: 5,
            attempts_per_account_all_addresses_per_minute: 30,
            attempts_per_address_per_minute: 20,
            trusted_proxies: Vec::new(),
        }
    }
}
