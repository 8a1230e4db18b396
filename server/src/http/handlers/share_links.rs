//! Read-only share links, for commanders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use wire::{CreatedShareLink, NewShareLink, ShareLinkInfo};

use crate::auth::Principal;
use crate::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::store::share_links::ShareError;

impl From<ShareError> for AppError {
    fn from(e: ShareError) -> Self {
        match e {
            ShareError::BadExpiry | ShareError::BadLabel => AppError::BadRequest(e.to_string()),
            ShareError::NoSuchLink(id) => AppError::NotFound(format!("share link {id}")),
            ShareError::Store(s) => AppError::Internal(s.into()),
            e @ ShareError::NoRandomness(_) => AppError::Internal(anyhow::anyhow!("{e}")),
        }
    }
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ShareLinkInfo>>, AppError> {
    Ok(Json(state.store.list_share_links().await?))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiJson(new): ApiJson<NewShareLink>,
) -> Result<(StatusCode, Json<CreatedShareLink>), AppError> {
    let (link, token) = state
        .store
        .create_share_link(&new.label, new.expires_in_hours, &user.name)
        .await?;
    tracing::info!(link = link.id, by = %user.name, "share link created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedShareLink {
            link,
            path: format!("/share/{token}"),
        }),
    ))
}

pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.store.revoke_share_link(id).await?;
    // Its viewers' open sockets re-check and close.
    state.access.changed();
    tracing::info!(link = id, "share link revoked");
    Ok(StatusCode::NO_CONTENT)
}
