//! Actions on the host over HTTP: the catalog, an incident's requests, planning, requesting,
//! approving and withdrawing. Roles are checked twice: by the route table, and by the actions
//! service for what depends on the request (the requester cannot approve their own).

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use wire::{
    ActionInfo, ActionPlan, ActionRequestInfo, ApproveAction, IncidentActions, PlanAction,
    RequestAction, RequestAnswer,
};

use crate::actions::ActionError;
use crate::auth::Principal;
use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound(m) => AppError::NotFound(m),
            ActionError::Invalid(m) => AppError::BadRequest(m),
            ActionError::Forbidden(m) => AppError::Forbidden(m),
            ActionError::Conflict(m) => AppError::Conflict(m),
            ActionError::TooSoon(m) => AppError::TooSoon(m),
            ActionError::PlanChanged(c) => AppError::PlanChanged(c),
            ActionError::Host(m) => AppError::Host(m),
            ActionError::Store(s) => AppError::Internal(s.into()),
            ActionError::Timeline(t) => t.into(),
        }
    }
}

/// `GET /api/actions`: what the console can do on this host.
pub async fn catalog(State(state): State<AppState>) -> Json<Vec<ActionInfo>> {
    Json(state.actions.catalog())
}

/// `GET /api/incidents/{id}/actions`: the incident's requests (stakeholders: without plans or
/// output) and the mitigations still in place.
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<IncidentActions>, AppError> {
    let mut requests = state.actions.list(id).await?;
    if !user.role.at_least(wire::Role::Responder) {
        requests = requests
            .iter()
            .map(crate::hub::projection::action_request)
            .collect();
    }
    Ok(Json(IncidentActions {
        requests,
        mitigations: state.actions.mitigations(id).await?,
    }))
}

/// `POST /api/incidents/{id}/actions/plan`: the plan to review (nothing runs but the preflight).
pub async fn plan(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PlanAction>,
) -> Result<Json<ActionPlan>, AppError> {
    Ok(Json(
        state.actions.plan(&user.name, user.role, id, &body).await?,
    ))
}

/// `POST /api/incidents/{id}/actions`: run the reviewed plan, or ask a second commander.
pub async fn request(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RequestAction>,
) -> Result<(StatusCode, Json<RequestAnswer>), AppError> {
    let answer = state
        .actions
        .request(&user.name, user.role, id, &body)
        .await?;
    tracing::info!(incident = id, request = answer.request.id, action = %body.action, by = %user.name, state = ?answer.request.state, "action requested");
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/incidents/{id}/actions/{request}/approve`: a second commander's approval.
pub async fn approve(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, request)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<ApproveAction>,
) -> Result<Json<ActionRequestInfo>, AppError> {
    let approved = state
        .actions
        .approve(&user.name, user.role, id, request, &body)
        .await?;
    tracing::info!(incident = id, request, by = %user.name, "action approved");
    Ok(Json(approved))
}

/// `POST /api/incidents/{id}/actions/{request}/withdraw`: the requester (or a commander) drops it.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, request)): ApiPath<(i64, i64)>,
) -> Result<Json<ActionRequestInfo>, AppError> {
    Ok(Json(
        state
            .actions
            .withdraw(&user.name, user.role, id, request)
            .await?,
    ))
}
