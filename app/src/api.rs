//! The gateway's HTTP API (same origin): the one place that builds requests.
//!
//! Every state-changing call takes the session's CSRF token and sends it as [`wire::CSRF_HEADER`]
//! (login and opening a share link are the exceptions: there is no session yet). Failures come back
//! as an [`ApiFailure`] carrying the gateway's `ApiError` message, which the views show as is; a 401
//! from any call means the session is over, which `session.rs` turns into a trip to `/login`.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use wire::{
    ApiError, CreatedShareLink, HealthSnapshot, LoginRequest, Me, NewShareLink, NewUser,
    ShareLinkInfo, SweepAccepted, UserInfo, UserPatch, CSRF_HEADER, HEALTH_PATH, SWEEP_PATH,
};

use crate::model::access::encode_component;

mod incidents;
pub use incidents::*;

const ME_PATH: &str = "/api/me";
const LOGIN_PATH: &str = "/api/login";
const LOGOUT_PATH: &str = "/api/logout";
const USERS_PATH: &str = "/api/users";
const SHARE_LINKS_PATH: &str = "/api/share-links";
const SHARE_OPEN_PATH: &str = "/api/share";

/// Why a call failed, in a form the views can both branch on and print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The HTTP status; 0 when no answer arrived (network) or the answer was unreadable.
    pub status: u16,
    /// The gateway's stable code (`forbidden`, `gone`, ...), or `network` / `unexpected`.
    pub code: String,
    /// One sentence for the user.
    pub message: String,
}

impl ApiFailure {
    /// The session is over (logout elsewhere, expiry, account disabled).
    pub fn signed_out(&self) -> bool {
        self.status == 401
    }

    /// An expired or revoked share link (410), or one that never existed (404).
    pub fn gone(&self) -> bool {
        self.status == 410 || self.status == 404 || self.code == "gone"
    }

    /// Builds the failure for a non-2xx answer: the gateway's `ApiError` when the body is one,
    /// otherwise "HTTP 503 Service Unavailable: <first body line>" (a proxy's error page).
    pub fn from_answer(status: u16, reason: &str, body: &str) -> Self {
        if let Ok(ApiError { error, message }) = serde_json::from_str::<ApiError>(body) {
            return ApiFailure {
                status,
                code: error,
                message,
            };
        }
        let mut line = format!("HTTP {status}");
        if !reason.is_empty() {
            line.push(' ');
            line.push_str(reason);
        }
        if let Some(first) = body.lines().map(str::trim).find(|l| !l.is_empty()) {
            line.push_str(": ");
            line.extend(first.chars().take(160));
        }
        ApiFailure {
            status,
            code: "http".to_owned(),
            message: line,
        }
    }

    fn network(e: gloo_net::Error) -> Self {
        ApiFailure {
            status: 0,
            code: "network".to_owned(),
            message: format!("Cannot reach the gateway: {e}"),
        }
    }

    fn unexpected(what: &str, e: impl fmt::Display) -> Self {
        ApiFailure {
            status: 0,
            code: "unexpected".to_owned(),
            message: format!("Unexpected {what} response: {e}"),
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A snapshot, plus the gateway's clock from the `Date` header (Unix ms) when it sent one.
pub struct Health {
    pub snapshot: HealthSnapshot,
    pub server_date_ms: Option<f64>,
}

/// `GET /api/me`: who this browser's session belongs to (401 when there is none).
pub async fn me() -> Result<Me, ApiFailure> {
    let response = send(get(ME_PATH)).await?;
    response
        .json::<Me>()
        .await
        .map_err(|e| ApiFailure::unexpected("session", e))
}

/// `POST /api/login`. No CSRF header: there is no session yet.
pub async fn login(request: &LoginRequest) -> Result<Me, ApiFailure> {
    let response = send(json(Request::post(LOGIN_PATH), request)).await?;
    response
        .json::<Me>()
        .await
        .map_err(|e| ApiFailure::unexpected("sign-in", e))
}

/// `POST /api/logout` (204).
pub async fn logout(csrf: &str) -> Result<(), ApiFailure> {
    send(guarded(Request::post(LOGOUT_PATH), csrf).build())
        .await
        .map(drop)
}

/// `GET /api/health`: the board for the first paint, before the websocket delivers its snapshot.
pub async fn health() -> Result<Health, ApiFailure> {
    let response = send(get(HEALTH_PATH)).await?;
    let server_date_ms = response
        .headers()
        .get("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let snapshot = response
        .json::<HealthSnapshot>()
        .await
        .map_err(|e| ApiFailure::unexpected("health", e))?;
    Ok(Health {
        snapshot,
        server_date_ms,
    })
}

/// `POST /api/sweep` (responder+): ask for a sweep now. Its results arrive over the websocket.
pub async fn sweep(csrf: &str) -> Result<SweepAccepted, ApiFailure> {
    let response = send(guarded(Request::post(SWEEP_PATH), csrf).build()).await?;
    response
        .json::<SweepAccepted>()
        .await
        .map_err(|e| ApiFailure::unexpected("sweep", e))
}

/// `GET /api/users` (commander).
pub async fn users() -> Result<Vec<UserInfo>, ApiFailure> {
    let response = send(get(USERS_PATH)).await?;
    response
        .json::<Vec<UserInfo>>()
        .await
        .map_err(|e| ApiFailure::unexpected("users", e))
}

/// `POST /api/users` (commander): 201 with the new account.
pub async fn add_user(csrf: &str, user: &NewUser) -> Result<UserInfo, ApiFailure> {
    let response = send(json(guarded(Request::post(USERS_PATH), csrf), user)).await?;
    response
        .json::<UserInfo>()
        .await
        .map_err(|e| ApiFailure::unexpected("new user", e))
}

/// `PATCH /api/users/{name}` (commander): the account as it is now.
pub async fn patch_user(csrf: &str, name: &str, patch: &UserPatch) -> Result<UserInfo, ApiFailure> {
    let url = format!("{USERS_PATH}/{}", encode_component(name));
    let response = send(json(guarded(Request::patch(&url), csrf), patch)).await?;
    response
        .json::<UserInfo>()
        .await
        .map_err(|e| ApiFailure::unexpected("user", e))
}

/// `GET /api/share-links` (commander).
pub async fn share_links() -> Result<Vec<ShareLinkInfo>, ApiFailure> {
    let response = send(get(SHARE_LINKS_PATH)).await?;
    response
        .json::<Vec<ShareLinkInfo>>()
        .await
        .map_err(|e| ApiFailure::unexpected("share links", e))
}

/// `POST /api/share-links` (commander): 201 with the only copy of the link's path.
pub async fn create_share_link(
    csrf: &str,
    link: &NewShareLink,
) -> Result<CreatedShareLink, ApiFailure> {
    let response = send(json(guarded(Request::post(SHARE_LINKS_PATH), csrf), link)).await?;
    response
        .json::<CreatedShareLink>()
        .await
        .map_err(|e| ApiFailure::unexpected("share link", e))
}

/// `DELETE /api/share-links/{id}` (commander, 204): revoke.
pub async fn revoke_share_link(csrf: &str, id: i64) -> Result<(), ApiFailure> {
    let url = format!("{SHARE_LINKS_PATH}/{id}");
    send(guarded(Request::delete(&url), csrf).build())
        .await
        .map(drop)
}

/// `POST /api/share/{token}`: turns a share link into a read-only session. No CSRF header (there
/// is no session yet) and no body. 410 when the link expired or was revoked.
pub async fn open_share(token: &str) -> Result<Me, ApiFailure> {
    let url = format!("{SHARE_OPEN_PATH}/{}", encode_component(token));
    let response = send(
        Request::post(&url)
            .header("Accept", "application/json")
            .build(),
    )
    .await?;
    response
        .json::<Me>()
        .await
        .map_err(|e| ApiFailure::unexpected("share link", e))
}

fn get(path: &str) -> Result<Request, gloo_net::Error> {
    Request::get(path)
        .header("Accept", "application/json")
        .build()
}

/// A state-changing request: JSON answers and the CSRF header.
fn guarded(builder: RequestBuilder, csrf: &str) -> RequestBuilder {
    builder
        .header("Accept", "application/json")
        .header(CSRF_HEADER, csrf)
}

/// Adds a JSON body (and its Content-Type).
fn json<T: serde::Serialize + ?Sized>(
    builder: RequestBuilder,
    body: &T,
) -> Result<Request, gloo_net::Error> {
    builder.header("Accept", "application/json").json(body)
}

/// Sends, and passes 2xx through; anything else becomes an [`ApiFailure`].
async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
    let response = request
        .map_err(ApiFailure::network)?
        .send()
        .await
        .map_err(ApiFailure::network)?;
    if response.ok() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    Err(ApiFailure::from_answer(
        response.status(),
        &response.status_text(),
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_the_gateways_message() {
        let body = r#"{"error":"rate_limited","message":"Too many attempts; try again in 5 min."}"#;
        let failure = ApiFailure::from_answer(429, "Too Many Requests", body);
        assert_eq!(failure.code, "rate_limited");
        assert_eq!(
            failure.to_string(),
            "Too many attempts; try again in 5 min."
        );
        assert!(!failure.signed_out());

        let gone = ApiFailure::from_answer(410, "Gone", r#"{"error":"gone","message":"x"}"#);
        assert!(gone.gone());
        assert!(ApiFailure::from_answer(401, "", "{}").signed_out());
    }

    #[test]
    fn other_errors_become_one_status_line() {
        let failure = ApiFailure::from_answer(502, "Bad Gateway", "\n  <html>proxy error\nmore");
        assert_eq!(failure.message, "HTTP 502 Bad Gateway: <html>proxy error");
        assert_eq!(failure.code, "http");
        assert_eq!(ApiFailure::from_answer(500, "", "").message, "HTTP 500");
    }
}
