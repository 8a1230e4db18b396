//! Who is asking: accounts and share links as axum-login principals, sessions kept in SQLite,
//! per-route access rules, CSRF proof, and login rate limits.
//!
//! Every route and websocket message is authorised here, on the gateway; the SPA hiding a button is
//! a convenience, never the check.

pub(crate) mod access;
pub(crate) mod backend;
pub mod changes;
pub(crate) mod client_ip;
pub(crate) mod limiter;
pub(crate) mod session_end;
pub(crate) mod sessions;
pub(crate) mod settings;

pub use access::{Access, Rule, Viewer};
pub use backend::{Backend, LoginCredentials, Principal};

/// The axum-login session type used by every handler.
pub type AuthSession = axum_login::AuthSession<Backend>;

/// Session keys. Nothing secret beyond the CSRF token lives in a session.
pub const CSRF_KEY: &str = "aegis.csrf";
pub const LOGIN_AT_KEY: &str = "aegis.login_at_ms";

/// A fresh CSRF token: 32 random bytes, base64url; `None` without an OS random source (a constant
/// token would be worse than refusing to sign in).
pub fn new_csrf_token() -> Option<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// How long the session in `session` has left before its absolute lifetime runs out (zero when it
/// has, or when it never recorded a sign-in).
pub async fn time_left(
    session: &tower_sessions::Session,
    settings: &settings::AuthSettings,
    now_ms: i64,
) -> std::time::Duration {
    let login_at: Option<i64> = session.get(LOGIN_AT_KEY).await.ok().flatten();
    let lifetime_ms =
        i64::try_from(settings.absolute_timeout_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let left = login_at.map_or(0, |at| {
        at.saturating_add(lifetime_ms).saturating_sub(now_ms)
    });
    std::time::Duration::from_millis(u64::try_from(left).unwrap_or(0))
}
