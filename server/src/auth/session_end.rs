//! When a long-lived connection's session is over: the websocket closes the moment a request with
//! the same cookie would be refused.

use std::time::Duration;

use axum_login::{AuthUser, AuthnBackend};

use super::{Backend, Principal};

/// Resolves when the socket's session stops being valid, that is when a request with its cookie
/// would be refused: it was signed out, went unused past its idle expiry, the account was disabled
/// or its role or password changed, the share link was revoked or expired, or the absolute
/// lifetime ran out. Each wake-up (an access change, or the earliest of those deadlines) re-reads
/// the session, since requests on the same cookie keep moving its idle expiry.
pub async fn session_ended(
    backend: Backend,
    user: Principal,
    session_id: Option<String>,
    mut changes: tokio::sync::watch::Receiver<u64>,
    absolute: Duration,
) {
    let absolute_end = tokio::time::Instant::now() + absolute;
    loop {
        // Milliseconds left before each deadline, each judged by the clock it was written with: a
        // share link's expiry by the store's (the gateway's one clock), a session's idle expiry by
        // the wall clock tower-sessions writes it in.
        let link_left = user
            .expires_at_ms
            .map(|at| at.saturating_sub(backend.store().now_ms()));
        let mut session_left = None;
        if let Some(id) = &session_id {
            match backend.store().session_expires_at_ms(id).await {
                Ok(Some(at)) => {
                    session_left = Some(at.saturating_sub(crate::store::sessions::wall_clock_ms()))
                }
                Ok(None) => return,
                // A database hiccup is not a sign-out; the next wake-up looks again.
                Err(e) => tracing::warn!(error = %e, "reading a socket's session"),
            }
        }
        match backend.get_user(&user.id()).await {
            Ok(Some(now))
                if now.session_auth_hash() == user.session_auth_hash() && now.role == user.role => {
            }
            _ => return,
        }
        let mut until = absolute_end;
        for left in [link_left, session_left].into_iter().flatten() {
            if left <= 0 {
                return;
            }
            let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
            until = until.min(tokio::time::Instant::now() + left);
        }
        if tokio::time::Instant::now() >= absolute_end {
            return;
        }
        tokio::select! {
            // Past a deadline: loop and look again (the idle expiry may have moved meanwhile).
            _ = tokio::time::sleep_until(until) => {}
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}
