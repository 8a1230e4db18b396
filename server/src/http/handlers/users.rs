//! Accounts, for commanders. The rules live in [`crate::accounts`]; this maps them to HTTP.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use wire::{NewUser, UserInfo, UserPatch};

use crate::accounts::AccountError;
use crate::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::BadName | AccountError::WeakPassword | AccountError::NothingToChange => {
                AppError::BadRequest(e.to_string())
            }
            AccountError::Exists(_) | AccountError::LastCommander(_) => {
                AppError::Conflict(e.to_string())
            }
            AccountError::NoSuchUser(n) => AppError::NotFound(format!("user `{n}`")),
            AccountError::Unavailable(m) => AppError::Internal(anyhow::anyhow!(m)),
            AccountError::Store(s) => AppError::Internal(s.into()),
        }
    }
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserInfo>>, AppError> {
    Ok(Json(state.accounts.list().await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserInfo>), AppError> {
    let user = state
        .accounts
        .create(new.name.trim(), new.role, &new.password)
        .await?;
    tracing::info!(user = %user.name, role = user.role.as_str(), "account created");
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<UserInfo>, AppError> {
    let updated = state.accounts.update(&name, &patch).await?;
    tracing::info!(user = %name, "account changed");
    Ok(Json(updated))
}
