//! One error type for HTTP handlers: a JSON body that says what happened and what to do, with
//! internals logged rather than sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("login failed")]
    LoginFailed,
    #[error("rate limited for {0} s")]
    RateLimited(u64),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("gone: {0}")]
    Gone(String),
    /// The session already holds as many live sockets as it may.
    #[error("too many sockets")]
    TooManySockets(usize),
    /// An action ran too recently to run again: 429 with when it may.
    #[error("too soon: {0}")]
    TooSoon(String),
    /// The host could not be asked what an action would touch: 502.
    #[error("host: {0}")]
    Host(String),
    /// The plan a request names is not the plan now: 409 with the new plan to review.
    #[error("plan changed: {}", .0.message)]
    PlanChanged(Box<wire::PlanChanged>),
    /// The body is larger than any route takes.
    #[error("request body too large")]
    TooLarge,
    /// Something failed inside the gateway; the message is logged, not sent.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::PlanChanged(changed) = &self {
            return (
                StatusCode::CONFLICT,
                Json(serde_json::json!({
                    "error": "plan_changed",
                    "message": changed.message,
                    "plan": changed.plan,
                })),
            )
                .into_response();
        }
        let (status, code, message) = match &self {
            AppError::TooSoon(m) => (StatusCode::TOO_MANY_REQUESTS, "too_soon", m.clone()),
            AppError::Host(m) => (StatusCode::BAD_GATEWAY, "host", m.clone()),
            AppError::PlanChanged(c) => (StatusCode::CONFLICT, "plan_changed", c.message.clone()),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            AppError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} does not exist"),
            ),
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "you are not signed in, or your session ended; sign in again".to_string(),
            ),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                "this request lacks the session's CSRF token; reload the console and try again"
                    .to_string(),
            ),
            // One message whether or not the account exists.
            AppError::LoginFailed => (
                StatusCode::UNAUTHORIZED,
                "login_failed",
                "wrong name or password".to_string(),
            ),
            AppError::RateLimited(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many sign-in attempts; try again in {secs} s"),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            AppError::Gone(m) => (StatusCode::GONE, "gone", m.clone()),
            AppError::TooManySockets(n) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_sockets",
                format!("this session already has {n} live connections; close other tabs of the console and reload"),
            ),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "the request is larger than any form of the console sends ({} KiB; a \
                     retrospective's sections {} KiB together); shorten it",
                    crate::http::MAX_JSON_BODY / 1024,
                    crate::http::MAX_RETRO_BODY / 1024
                ),
            ),
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the gateway hit an internal error; it is logged on the gateway".to_string(),
                )
            }
        };
        let mut resp = (
            status,
            Json(wire::ApiError {
                error: code.to_string(),
                message,
            }),
        )
            .into_response();
        if let AppError::RateLimited(secs) = self {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        AppError::Internal(e.into())
    }
}
