//! The board's calls: the first snapshot over HTTP, and asking for a sweep now.

use gloo_net::http::Request;
use wire::{HealthSnapshot, SweepAccepted, HEALTH_PATH, SWEEP_PATH};

use super::{get, guarded, into_json, send, ApiFailure};

/// A snapshot, plus the gateway's clock from the `Date` header (Unix ms) when it sent one.
pub struct Health {
    pub snapshot: HealthSnapshot,
    pub server_date_ms: Option<f64>,
}

/// `GET /api/health`: the board for the first paint, before the websocket delivers its snapshot.
pub async fn health() -> Result<Health, ApiFailure> {
    let response = send(get(HEALTH_PATH)).await?;
    let server_date_ms = response
        .headers()
        .get("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let snapshot = into_json(response, "health").await?;
    Ok(Health {
        snapshot,
        server_date_ms,
    })
}

/// `POST /api/sweep` (responder+): ask for a sweep now. Its results arrive over the websocket.
pub async fn sweep(csrf: &str) -> Result<SweepAccepted, ApiFailure> {
    let response = send(guarded(Request::post(SWEEP_PATH), csrf).build()).await?;
    into_json(response, "sweep").await
}
