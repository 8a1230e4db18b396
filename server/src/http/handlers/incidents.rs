//! `/api/incidents`: declare, acknowledge, update, re-grade, scope, note, resolve; list and read.
//!
//! The route table gives the coarse rule (stakeholders read, responders write); the finer ones
//! (re-grade and resolution overrides are the commander's) live in the lifecycle, which sees the
//! caller's role.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::{Extension, Json};
use serde::Deserialize;
use wire::{
    Acknowledged, Delivery, IncidentDetail, IncidentList, IncidentScope, NewIncident, NewNote,
    NewStatusUpdate, Regrade, Resolve, Severity, StateFilter, Written,
};

use crate::auth::Principal;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::incidents::lifecycle::Refusal;
use crate::incidents::{Actor, IncidentError};
use crate::state::AppState;
use crate::store::incidents::ListFilter;

impl From<IncidentError> for AppError {
    fn from(e: IncidentError) -> Self {
        match e {
            IncidentError::NotFound(id) => AppError::NotFound(format!("incident INC-{id}")),
            e @ IncidentError::NoSuchDelivery { .. } => AppError::NotFound(e.to_string()),
            IncidentError::Refused(Refusal::Invalid(m)) => AppError::BadRequest(m),
            IncidentError::Refused(Refusal::Conflict(m)) => AppError::Conflict(m),
            IncidentError::Refused(Refusal::Forbidden(m)) => AppError::Forbidden(m),
            IncidentError::Store(s) => AppError::Internal(s.into()),
        }
    }
}

pub(crate) fn actor(user: &Principal) -> Actor {
    Actor {
        name: user.name.clone(),
        role: user.role,
    }
}

/// `?state=open|resolved|all&severity=sev1&page=N` (pages of resolved incidents, from 0).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    state: Option<String>,
    severity: Option<String>,
    page: Option<u32>,
}

/// `?before=SEQ`: the timeline page that ends before that entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    before: Option<i64>,
}

/// A `Link: <url>; rel="next"` header when more lies beyond this page (as GitHub's and Ory's
/// APIs page), so the JSON keeps its shape.
fn next_link(url: Option<String>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Some(v) = url.and_then(|u| HeaderValue::from_str(&format!("<{u}>; rel=\"next\"")).ok()) {
        h.insert(axum::http::header::LINK, v);
    }
    h
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(q): Query<ListQuery>,
) -> Result<(HeaderMap, Json<IncidentList>), AppError> {
    let wanted = match q.state.as_deref() {
        None => StateFilter::All,
        Some(s) => StateFilter::parse(s).ok_or_else(|| {
            AppError::BadRequest(format!(
                "state `{}` is not one of open, resolved, all",
                s.chars().take(20).collect::<String>()
            ))
        })?,
    };
    let open = match wanted {
        StateFilter::All => None,
        StateFilter::Open => Some(true),
        StateFilter::Resolved => Some(false),
    };
    let severity = match q.severity.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
            AppError::BadRequest("severity must be sev1, sev2, sev3 or sev4".into())
        })?),
    };
    let page = q.page.unwrap_or(0);
    if page > 10_000 {
        return Err(AppError::BadRequest("page must be 0 to 10000".into()));
    }
    let filter = ListFilter {
        open,
        severity,
        resolved_offset: page.saturating_mul(state.settings.incidents.recent_resolved),
        ..ListFilter::default()
    };
    let audience = Viewer::of(user.role).audience;
    let (list, more) = state.incidents.list(filter, audience).await?;
    let next = more.then(|| {
        let mut url = format!("{}?page={}", wire::INCIDENTS_PATH, page + 1);
        if q.state.is_some() {
            url.push_str(&format!("&state={}", wanted.as_str()));
        }
        if let Some(s) = severity {
            url.push_str(&format!("&severity={}", s.as_str()));
        }
        url
    });
    Ok((next_link(next), Json(list)))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<(HeaderMap, Json<IncidentDetail>), AppError> {
    let audience = Viewer::of(user.role).audience;
    let (detail, earlier) = state.incidents.detail(id, q.before, audience).await?;
    let next = earlier
        .then(|| detail.timeline.first().map(|e| e.seq))
        .flatten()
        .map(|seq| format!("{}/{id}?before={seq}", wire::INCIDENTS_PATH));
    Ok((next_link(next), Json(detail)))
}

pub async fn declare(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiJson(new): ApiJson<NewIncident>,
) -> Result<(StatusCode, Json<Written>), AppError> {
    let written = state.incidents.declare(&actor(&user), &new).await?;
    Ok((StatusCode::CREATED, Json(written)))
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Acknowledged>, AppError> {
    Ok(Json(state.incidents.acknowledge(&actor(&user), id).await?))
}

pub async fn post_update(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(update): ApiJson<NewStatusUpdate>,
) -> Result<(StatusCode, Json<Written>), AppError> {
    let written = state
        .incidents
        .post_update(&actor(&user), id, &update)
        .await?;
    Ok((StatusCode::CREATED, Json(written)))
}

pub async fn note(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(note): ApiJson<NewNote>,
) -> Result<(StatusCode, Json<Written>), AppError> {
    let written = state.incidents.note(&actor(&user), id, &note).await?;
    Ok((StatusCode::CREATED, Json(written)))
}

pub async fn set_scope(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(scope): ApiJson<IncidentScope>,
) -> Result<Json<Written>, AppError> {
    Ok(Json(
        state.incidents.set_scope(&actor(&user), id, &scope).await?,
    ))
}

pub async fn regrade(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Regrade>,
) -> Result<Json<Written>, AppError> {
    Ok(Json(state.incidents.regrade(&actor(&user), id, &r).await?))
}

pub async fn resolve(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Resolve>,
) -> Result<Json<Written>, AppError> {
    Ok(Json(state.incidents.resolve(&actor(&user), id, &r).await?))
}

pub async fn retry_delivery(
    State(state): State<AppState>,
    ApiPath((id, delivery)): ApiPath<(i64, i64)>,
) -> Result<Json<Delivery>, AppError> {
    Ok(Json(state.incidents.retry_delivery(id, delivery).await?))
}
