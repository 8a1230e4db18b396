//! `GET /api/health` (the board as JSON, for the SPA, scripts and monitors) and `POST /api/sweep`.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use wire::{HealthSnapshot, SweepAccepted};

use crate::error::AppError;
use crate::state::AppState;

/// Responders see everything; stakeholders and share-link viewers see components only.
pub async fn get_health(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<crate::auth::Principal>,
) -> Json<HealthSnapshot> {
    Json(
        state
            .hub
            .snapshot_for(crate::auth::Viewer::of(user.role).audience),
    )
}

/// Starts a sweep now; 202 either way, `started: false` when one was already running.
pub async fn post_sweep(State(state): State<AppState>) -> (StatusCode, Json<SweepAccepted>) {
    let started = state.sweep.request();
    (StatusCode::ACCEPTED, Json(SweepAccepted { started }))
}

/// The gateway's own liveness, for a process supervisor.
pub async fn ping() -> &'static str {
    "ok"
}

/// An unknown API path is a JSON 404, not the SPA's index page.
pub async fn no_such_api(uri: Uri) -> AppError {
    AppError::NotFound(format!("API route {}", uri.path()))
}
