//! Actions on the host (`/api/actions`, `/api/incidents/{id}/actions`): the catalog, an incident's
//! requests, planning, requesting, approving, withdrawing.

use gloo_net::http::Request;
use wire::{
    ActionInfo, ActionPlan, ActionRequestInfo, ApproveAction, IncidentActions, PlanAction,
    RequestAction, RequestAnswer, ACTIONS_PATH, INCIDENTS_PATH,
};

use super::{get, guarded, into_json, json, send, ApiFailure};

/// `GET /api/actions` (responder+).
pub async fn action_catalog() -> Result<Vec<ActionInfo>, ApiFailure> {
    into_json(send(get(ACTIONS_PATH)).await?, "actions").await
}

/// `GET /api/incidents/{id}/actions`.
pub async fn incident_actions(id: i64) -> Result<IncidentActions, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/actions");
    into_json(send(get(&url)).await?, "actions").await
}

/// `POST /api/incidents/{id}/actions/plan`: the plan to review (the preflight runs).
pub async fn plan_action(csrf: &str, id: i64, body: &PlanAction) -> Result<ActionPlan, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/actions/plan");
    into_json(
        send(json(guarded(Request::post(&url), csrf), body)).await?,
        "plan",
    )
    .await
}

/// `POST /api/incidents/{id}/actions`: runs the reviewed plan, or asks for approval.
pub async fn request_action(
    csrf: &str,
    id: i64,
    body: &RequestAction,
) -> Result<RequestAnswer, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/actions");
    into_json(
        send(json(guarded(Request::post(&url), csrf), body)).await?,
        "action",
    )
    .await
}

/// `POST /api/incidents/{id}/actions/{request}/approve` (commanders).
pub async fn approve_action(
    csrf: &str,
    id: i64,
    request: i64,
    body: &ApproveAction,
) -> Result<ActionRequestInfo, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/actions/{request}/approve");
    into_json(
        send(json(guarded(Request::post(&url), csrf), body)).await?,
        "action",
    )
    .await
}

/// `POST /api/incidents/{id}/actions/{request}/withdraw`.
pub async fn withdraw_action(
    csrf: &str,
    id: i64,
    request: i64,
) -> Result<ActionRequestInfo, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/actions/{request}/withdraw");
    let body = serde_json::Map::new();
    into_json(
        send(json(guarded(Request::post(&url), csrf), &body)).await?,
        "action",
    )
    .await
}

/// `GET /api/audit?...` (commanders): a page of the audit log; `url` is the path with its query.
pub async fn audit(url: &str) -> Result<wire::AuditPage, ApiFailure> {
    into_json(send(get(url)).await?, "audit log").await
}
