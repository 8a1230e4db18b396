//! The incidents API (`/api/incidents`): list, declare, detail and the actions on one incident.
//!
//! Same rules as the rest of `api`: state-changing calls carry the CSRF header, and failures are
//! [`ApiFailure`]s holding the gateway's message (a 409 says why a transition was refused).

use gloo_net::http::Request;
use wire::{
    Acknowledged, Delivery, IncidentDetail, IncidentList, IncidentScope, NewIncident, NewNote,
    NewStatusUpdate, Regrade, Resolve, Written, INCIDENTS_PATH,
};

use super::{get, guarded, into_json, json, send, ApiFailure};

/// `GET /api/incidents{query}`; `query` is empty or starts with `?` (see
/// `model::adapters::incident_list::list_query`).
pub async fn incidents(query: &str) -> Result<IncidentList, ApiFailure> {
    let response = send(get(&format!("{INCIDENTS_PATH}{query}"))).await?;
    into_json(response, "incidents").await
}

/// `GET /api/incidents/{id}`: the incident, its timeline, the board at declaration, deliveries.
pub async fn incident(id: i64) -> Result<IncidentDetail, ApiFailure> {
    let response = send(get(&format!("{INCIDENTS_PATH}/{id}"))).await?;
    into_json(response, "incident").await
}

/// `POST /api/incidents` (responder+): 201 with the incident and its `declared` entry.
pub async fn declare(csrf: &str, new: &NewIncident) -> Result<Written, ApiFailure> {
    let response = send(json(guarded(Request::post(INCIDENTS_PATH), csrf), new)).await?;
    into_json(response, "incident").await
}

/// `POST /api/incidents/{id}/ack` (responder+), with an empty JSON object as its body.
pub async fn acknowledge(csrf: &str, id: i64) -> Result<Acknowledged, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/ack");
    let body = serde_json::Map::new();
    let response = send(json(guarded(Request::post(&url), csrf), &body)).await?;
    into_json(response, "acknowledgement").await
}

/// `POST /api/incidents/{id}/updates` (responder+).
pub async fn post_update(
    csrf: &str,
    id: i64,
    update: &NewStatusUpdate,
) -> Result<Written, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/updates");
    into_json(
        send(json(guarded(Request::post(&url), csrf), update)).await?,
        "incident",
    )
    .await
}

/// `POST /api/incidents/{id}/notes` (responder+).
pub async fn add_note(csrf: &str, id: i64, note: &NewNote) -> Result<Written, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/notes");
    into_json(
        send(json(guarded(Request::post(&url), csrf), note)).await?,
        "incident",
    )
    .await
}

/// `PUT /api/incidents/{id}/scope` (responder+).
pub async fn set_scope(csrf: &str, id: i64, scope: &IncidentScope) -> Result<Written, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/scope");
    into_json(
        send(json(guarded(Request::put(&url), csrf), scope)).await?,
        "incident",
    )
    .await
}

/// `POST /api/incidents/{id}/severity` (commander).
pub async fn regrade(csrf: &str, id: i64, regrade: &Regrade) -> Result<Written, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/severity");
    into_json(
        send(json(guarded(Request::post(&url), csrf), regrade)).await?,
        "incident",
    )
    .await
}

/// `POST /api/incidents/{id}/resolve` (responder+; the override is the commander's).
pub async fn resolve(csrf: &str, id: i64, resolve: &Resolve) -> Result<Written, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/resolve");
    into_json(
        send(json(guarded(Request::post(&url), csrf), resolve)).await?,
        "incident",
    )
    .await
}

/// `POST /api/incidents/{id}/deliveries/{delivery_id}/retry` (responder+): re-sends a failed
/// channel message; the delivery as it now is.
pub async fn retry_delivery(csrf: &str, id: i64, delivery_id: i64) -> Result<Delivery, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/deliveries/{delivery_id}/retry");
    let response = send(guarded(Request::post(&url), csrf).build()).await?;
    into_json(response, "delivery").await
}
