//! The gateway's HTTP API (same origin): `GET /api/health` and `POST /api/sweep`.
//!
//! Errors come back as one human line ("HTTP 503 Service Unavailable: sweeper stopped") because the
//! only thing the SPA does with them is show them to a responder.

use gloo_net::http::{Request, Response};
use wire::{HealthSnapshot, SweepAccepted, HEALTH_PATH, SWEEP_PATH};

/// A snapshot, plus the gateway's clock from the `Date` header (Unix ms) when it sent one.
pub struct Health {
    pub snapshot: HealthSnapshot,
    pub server_date_ms: Option<f64>,
}

/// `GET /api/health`: the board for the first paint, before the websocket delivers its snapshot.
pub async fn health() -> Result<Health, String> {
    let response = Request::get(HEALTH_PATH)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(network)?;
    let response = ok(response).await?;
    let server_date_ms = response
        .headers()
        .get("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let snapshot = response
        .json::<HealthSnapshot>()
        .await
        .map_err(|e| format!("Unexpected health response: {e}"))?;
    Ok(Health {
        snapshot,
        server_date_ms,
    })
}

/// `POST /api/sweep`: ask for a sweep now. Its results arrive over the websocket.
pub async fn sweep() -> Result<SweepAccepted, String> {
    let response = Request::post(SWEEP_PATH)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(network)?;
    let response = ok(response).await?;
    response
        .json::<SweepAccepted>()
        .await
        .map_err(|e| format!("Unexpected sweep response: {e}"))
}

fn network(e: gloo_net::Error) -> String {
    format!("Cannot reach the gateway: {e}")
}

/// Passes 2xx through; turns anything else into "HTTP 503 Service Unavailable: <first body line>".
async fn ok(response: Response) -> Result<Response, String> {
    if response.ok() {
        return Ok(response);
    }
    let mut line = format!("HTTP {}", response.status());
    let reason = response.status_text();
    if !reason.is_empty() {
        line.push(' ');
        line.push_str(&reason);
    }
    let body = response.text().await.unwrap_or_default();
    if let Some(first) = body.lines().map(str::trim).find(|l| !l.is_empty()) {
        line.push_str(": ");
        line.extend(first.chars().take(160));
    }
    Err(line)
}
