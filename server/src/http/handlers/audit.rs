//! `GET /api/audit`: the audit log for commanders, newest first, a page at a time, optionally one
//! incident's. Read-only: nothing in the console can change an entry.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use wire::AuditPage;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this incident's entries.
    incident: Option<i64>,
    /// Entries older than this one (the last page's oldest `seq`).
    before: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    Ok(Json(state.audit.page(q.incident, q.before).await?))
}
