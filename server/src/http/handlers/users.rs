//! Accounts, for commanders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use wire::{NewUser, Role, UserInfo, UserPatch};

use crate::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::store::users::UserError;

impl From<UserError> for AppError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::BadName | UserError::WeakPassword => AppError::BadRequest(e.to_string()),
            UserError::Exists(_) => AppError::Conflict(e.to_string()),
            UserError::NoSuchUser(n) => AppError::NotFound(format!("user `{n}`")),
            UserError::Store(s) => AppError::Internal(s.into()),
        }
    }
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserInfo>>, AppError> {
    Ok(Json(state.store.list_users().await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserInfo>), AppError> {
    let user = state
        .store
        .add_user(new.name.trim(), new.role, &new.password)
        .await?;
    tracing::info!(user = %user.name, role = user.role.as_str(), "account created");
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<UserInfo>, AppError> {
    if patch.role.is_none() && patch.disabled.is_none() && patch.password.is_none() {
        return Err(AppError::BadRequest(
            "nothing to change: give role, disabled or password".into(),
        ));
    }
    let Some(current) = state.store.credentials(&name).await? else {
        return Err(UserError::NoSuchUser(name).into());
    };
    let demotes = patch.role.is_some_and(|r| r != Role::Commander) || patch.disabled == Some(true);
    if current.info.role == Role::Commander && !current.info.disabled && demotes {
        let commanders = state
            .store
            .list_users()
            .await?
            .iter()
            .filter(|u| u.role == Role::Commander && !u.disabled)
            .count();
        if commanders <= 1 {
            return Err(AppError::Conflict(
                "this is the last active commander; make someone else commander first".into(),
            ));
        }
    }
    if let Some(p) = &patch.password {
        state.store.set_password(&name, p).await?;
    }
    if let Some(role) = patch.role {
        state.store.set_role(&name, role).await?;
    }
    match patch.disabled {
        Some(true) => state.store.disable_user(&name).await?,
        Some(false) => state.store.enable_user(&name).await?,
        None => {}
    }
    tracing::info!(user = %name, "account changed");
    let updated = state
        .store
        .credentials(&name)
        .await?
        .ok_or_else(|| UserError::NoSuchUser(name.clone()))?;
    Ok(Json(updated.info))
}
