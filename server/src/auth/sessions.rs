//! Sessions in the gateway's SQLite file (keyed by a hash of the id), so they survive a restart;
//! the cookie is HttpOnly, SameSite=Strict, Secure when configured, and ends after an idle period.

use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::settings::AuthSettings;
use super::Backend;
use crate::shutdown::CancelToken;
use crate::store::sessions::HashedSessions;
use crate::store::Store;

/// The cookie's name.
pub const COOKIE: &str = "aegis_session";

pub type AuthLayer = AuthManagerLayer<Backend, HashedSessions>;

/// Builds the session and authentication layers, and starts a task that deletes expired sessions.
pub async fn layer(
    store: &Store,
    settings: &AuthSettings,
    stop: CancelToken,
) -> anyhow::Result<AuthLayer> {
    let sessions = HashedSessions::new(store.clone());
    let cleaner = sessions.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = every.tick() => {
                    use tower_sessions::ExpiredDeletion;
                    if let Err(e) = cleaner.delete_expired().await {
                        tracing::warn!(error = %e, "deleting expired sessions");
                    }
                }
            }
        }
    });
    let idle =
        CookieDuration::seconds(i64::try_from(settings.idle_timeout_secs).unwrap_or(i64::MAX));
    let manager = SessionManagerLayer::new(sessions)
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(settings.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        // Every answered request moves the idle expiry (record and cookie): a session ends after
        // `idle_timeout_secs` unused, not that long after sign-in however busy it is.
        .with_always_save(true);
    Ok(AuthManagerLayerBuilder::new(Backend::new(store.clone()), manager).build())
}
