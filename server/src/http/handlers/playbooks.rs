//! `GET /api/playbooks`: the guided playbooks, and those the latest sweep points to.

use axum::extract::State;
use axum::Json;
use wire::PlaybookCatalog;

use crate::state::AppState;

/// Responders and commanders: the steps show commands and the host's layout.
pub async fn catalog(State(state): State<AppState>) -> Json<PlaybookCatalog> {
    let board = state.hub.snapshot_for(crate::hub::Audience::Full);
    Json(
        state
            .playbooks
            .info(&board, &state.settings.playbooks.links),
    )
}
