//! The gateway's HTTP API (same origin): the one place that builds requests.
//!
//! Every state-changing call takes the session's CSRF token and sends it as [`wire::CSRF_HEADER`]
//! (login and opening a share link are the exceptions: there is no session yet). Failures come back
//! as an [`ApiFailure`] carrying the gateway's `ApiError` message, which the views show as is; a 401
//! from any call means the session is over, which `session.rs` turns into a trip to `/login`.
//!
//! Paths come from `wire`, the gateway's half of the same contract. Each group of calls has its own
//! file below this one; this one holds what they share: building, sending, reading JSON.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use wire::CSRF_HEADER;

mod accounts;
mod actions;
mod failure;
mod health;
mod incidents;
mod playbooks;
mod retro;

pub use accounts::*;
pub use actions::*;
pub use failure::ApiFailure;
pub use health::*;
pub use incidents::*;
pub use playbooks::*;
pub use retro::*;

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

/// Reads a 2xx answer's JSON body; one that does not parse as `T` is an "Unexpected {what}
/// response" failure (a gateway speaking another version, a proxy's page).
async fn into_json<T: DeserializeOwned>(response: Response, what: &str) -> Result<T, ApiFailure> {
    response
        .json::<T>()
        .await
        .map_err(|e| ApiFailure::unexpected(what, e))
}
