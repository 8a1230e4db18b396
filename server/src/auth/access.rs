//! The access rule of every route, enforced by one middleware.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use wire::Role;

use super::{AuthSession, CSRF_KEY};
use crate::error::AppError;
use crate::hub::Audience;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the SPA's files, login, opening a share link, liveness).
    Public,
    /// Any session: accounts of every role and share-link viewers.
    Viewer,
    /// Responders and commanders.
    Responder,
    /// Commanders only.
    Commander,
}

impl Access {
    pub fn admits(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::Viewer, Some(_)) => true,
            (Access::Responder, Some(r)) => r.at_least(Role::Responder),
            (Access::Commander, Some(r)) => r.at_least(Role::Commander),
        }
    }
}

/// What one viewer may see and do, by role: responders and commanders see everything, the
/// others the public projection. Every route and socket that shows the board or incidents asks this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub role: Role,
    pub audience: Audience,
}

impl Viewer {
    pub fn of(role: Role) -> Viewer {
        let audience = if role.at_least(Role::Responder) {
            Audience::Full
        } else {
            Audience::Public
        };
        Viewer { role, audience }
    }

    pub fn can_sweep(self) -> bool {
        self.role.at_least(Role::Responder)
    }
}

/// Whether a request comes from the console's own pages: browsers send `Origin` on POST and on
/// websocket handshakes, and only the console's own origin (or none, for scripts) is accepted, so
/// another site's page cannot ride a responder's cookie.
pub fn from_own_origin(allowed: &[String], headers: &axum::http::HeaderMap) -> bool {
    match headers.get(axum::http::header::ORIGIN) {
        None => true,
        Some(origin) => {
            let origin = origin.to_str().unwrap_or("");
            allowed.iter().any(|o| o == origin)
        }
    }
}

/// A route's rule: who, and whether a state change must carry the session's CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub access: Access,
    pub csrf: bool,
}

/// Checks `rule` for the request; the signed-in principal rides along in the request's extensions.
pub async fn enforce(
    State((state, rule)): State<(AppState, Rule)>,
    mut auth: AuthSession,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if rule.access == Access::Public {
        return next.run(req).await;
    }
    let Some(user) = auth.user.clone() else {
        return AppError::Unauthenticated.into_response();
    };
    if super::time_left(&session, &state.settings.auth, state.hub.now_ms())
        .await
        .is_zero()
    {
        let _ = auth.logout().await;
        return AppError::Unauthenticated.into_response();
    }
    if !rule.access.admits(Some(user.role)) {
        return AppError::Forbidden(format!(
            "your role ({}) cannot do this; ask an incident commander",
            user.role.as_str()
        ))
        .into_response();
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if rule.csrf && changes_state {
        let expected: Option<String> = session.get(CSRF_KEY).await.ok().flatten();
        let given = req
            .headers()
            .get(wire::CSRF_HEADER)
            .and_then(|v| v.to_str().ok());
        let matches = matches!((&expected, given), (Some(e), Some(g)) if !e.is_empty() && constant_time_eq(e.as_bytes(), g.as_bytes()));
        if !matches {
            return AppError::Csrf.into_response();
        }
    }
    req.extensions_mut().insert(user);
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
