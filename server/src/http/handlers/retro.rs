//! Retrospectives, their action items, and the stars and mitigation mark responders put on the
//! timeline. The route table admits the role; the retrospectives service decides what depends on
//! the state (stakeholders read finished retrospectives only, commanders reopen).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use wire::{
    ActionItem, ItemFields, ItemList, Mark, Marks, RetroVersion, Retrospective, SaveRetro,
    TicketAnswer,
};

use super::incidents::actor;
use crate::auth::Principal;
use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::retro::RetroError;
use crate::state::AppState;

impl From<RetroError> for AppError {
    fn from(e: RetroError) -> Self {
        match e {
            RetroError::NotFound(m) => AppError::NotFound(m),
            RetroError::Invalid(m) => AppError::BadRequest(m),
            RetroError::Conflict(m) => AppError::Conflict(m),
            RetroError::Forbidden(m) => AppError::Forbidden(m),
            RetroError::Tracker(m) => AppError::Host(m),
            RetroError::Store(s) => AppError::Internal(s.into()),
            RetroError::Incident(i) => i.into(),
        }
    }
}

/// `GET /api/incidents/{id}/retrospective`.
pub async fn get(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Retrospective>, AppError> {
    Ok(Json(state.retros.get(id, user.role).await?))
}

/// `PUT /api/incidents/{id}/retrospective`: a new version.
pub async fn save(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SaveRetro>,
) -> Result<Json<Retrospective>, AppError> {
    Ok(Json(state.retros.save(&actor(&user), id, &body).await?))
}

/// `GET /api/incidents/{id}/retrospective/versions/{version}`.
pub async fn version(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, version)): ApiPath<(i64, u32)>,
) -> Result<Json<RetroVersion>, AppError> {
    Ok(Json(state.retros.version(id, version, user.role).await?))
}

/// `POST /api/incidents/{id}/retrospective/finish`.
pub async fn finish(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Retrospective>, AppError> {
    Ok(Json(state.retros.finish(&actor(&user), id).await?))
}

/// `POST /api/incidents/{id}/retrospective/reopen` (commanders).
pub async fn reopen(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Retrospective>, AppError> {
    Ok(Json(state.retros.reopen(&actor(&user), id).await?))
}

/// `GET /api/incidents/{id}/retrospective.md`: the retrospective as a Markdown file.
pub async fn markdown(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let text = state.retros.markdown(id, user.role).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"INC-{id}-retrospective.md\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// `POST /api/incidents/{id}/retrospective/items`.
pub async fn add_item(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ItemFields>,
) -> Result<(StatusCode, Json<ActionItem>), AppError> {
    let item = state.retros.add_item(&actor(&user), id, &body).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemVersion {
    /// The version the editor read; a change made since is not overwritten.
    version: Option<i64>,
}

/// `PUT /api/action-items/{item}?version=N`.
pub async fn update_item(
    State(state): State<AppState>,
    ApiPath(item): ApiPath<i64>,
    Query(q): Query<ItemVersion>,
    ApiJson(body): ApiJson<ItemFields>,
) -> Result<Json<ActionItem>, AppError> {
    Ok(Json(
        state.retros.update_item(item, q.version, &body).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemsQuery {
    /// One account's items.
    owner: Option<String>,
    /// `all`: done ones too; otherwise the open ones.
    state: Option<String>,
}

/// `GET /api/action-items`: open items across incidents, overdue first.
pub async fn list_items(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(q): Query<ItemsQuery>,
) -> Result<Json<ItemList>, AppError> {
    let all = match q.state.as_deref() {
        None | Some("open") => false,
        Some("all") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "state `{}` is neither `open` nor `all`",
                other.chars().take(20).collect::<String>()
            )))
        }
    };
    // `me` is the caller: the SPA's "mine" without knowing its own name first.
    let owner = match q.owner.as_deref().map(str::trim) {
        Some("me") => Some(user.name.clone()),
        Some("") | None => None,
        Some(o) => Some(o.to_owned()),
    };
    Ok(Json(state.retros.list_items(all, owner.as_deref()).await?))
}

/// `GET /api/incidents/{id}/related-items`: what past incidents on its services left open.
pub async fn related_items(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ItemList>, AppError> {
    Ok(Json(state.retros.related_items(id).await?))
}

/// `GET /api/incidents/{id}/marks`.
pub async fn marks(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Marks>, AppError> {
    Ok(Json(state.retros.marks(id).await?))
}

/// `PUT /api/incidents/{id}/timeline/{seq}/star`.
pub async fn star(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, seq)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<Mark>,
) -> Result<Json<Marks>, AppError> {
    Ok(Json(
        state.retros.star(&actor(&user), id, seq, body.on).await?,
    ))
}

/// `PUT /api/incidents/{id}/timeline/{seq}/mitigation`.
pub async fn mitigation(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, seq)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<Mark>,
) -> Result<Json<Marks>, AppError> {
    Ok(Json(
        state
            .retros
            .mark_mitigation(&actor(&user), id, seq, body.on)
            .await?,
    ))
}

/// `POST /api/action-items/{item}/ticket`: opens an issue in the platform repository.
pub async fn create_ticket(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(item): ApiPath<i64>,
) -> Result<(StatusCode, Json<TicketAnswer>), AppError> {
    let answer = state.retros.create_ticket(&actor(&user), item).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/action-items/{item}/ticket/state`: reads the ticket's state back.
pub async fn ticket_state(
    State(state): State<AppState>,
    ApiPath(item): ApiPath<i64>,
) -> Result<Json<TicketAnswer>, AppError> {
    Ok(Json(state.retros.ticket_state(item).await?))
}

/// `GET /api/incidents/{id}/bundle` (commanders): the whole incident as one JSON file, as
/// `aegis incident export` writes it (docs/incident-bundle.md), to archive or move it.
pub async fn bundle(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let now = state.incidents.now_ms();
    let bundle = crate::bundle::export(&state.store, id, now)
        .await
        .map_err(|e| match e {
            crate::bundle::BundleError::NoSuchIncident(_) => {
                AppError::NotFound(format!("incident INC-{id}"))
            }
            other => AppError::Internal(other.into()),
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"INC-{id}-bundle.json\""),
            ),
        ],
        bundle.to_json(),
    )
        .into_response())
}
