//! Retrospectives and action items (`/api/incidents/{id}/retrospective…`, `/api/action-items…`),
//! and the stars and mitigation mark on a timeline.

use gloo_net::http::Request;
use wire::{
    ActionItem, ItemFields, ItemList, Mark, Marks, RetroVersion, Retrospective, SaveRetro,
    TicketAnswer, ACTION_ITEMS_PATH, INCIDENTS_PATH,
};

use super::{get, guarded, into_json, json, send, ApiFailure};

fn retro_url(id: i64) -> String {
    format!("{INCIDENTS_PATH}/{id}/retrospective")
}

/// `GET /api/incidents/{id}/retrospective`.
pub async fn retrospective(id: i64) -> Result<Retrospective, ApiFailure> {
    into_json(send(get(&retro_url(id))).await?, "retrospective").await
}

/// `GET …/retrospective/versions/{version}`.
pub async fn retro_version(id: i64, version: u32) -> Result<RetroVersion, ApiFailure> {
    let url = format!("{}/versions/{version}", retro_url(id));
    into_json(send(get(&url)).await?, "retrospective version").await
}

/// `PUT /api/incidents/{id}/retrospective`: a new version.
pub async fn save_retro(
    csrf: &str,
    id: i64,
    body: &SaveRetro,
) -> Result<Retrospective, ApiFailure> {
    into_json(
        send(json(guarded(Request::put(&retro_url(id)), csrf), body)).await?,
        "retrospective",
    )
    .await
}

/// `POST …/retrospective/finish` or `…/reopen`.
pub async fn retro_step(csrf: &str, id: i64, step: &str) -> Result<Retrospective, ApiFailure> {
    let url = format!("{}/{step}", retro_url(id));
    into_json(
        send(json(
            guarded(Request::post(&url), csrf),
            &serde_json::json!({}),
        ))
        .await?,
        "retrospective",
    )
    .await
}

/// Where the Markdown export downloads from.
pub fn retro_markdown_url(id: i64) -> String {
    format!("{}.md", retro_url(id))
}

/// `POST …/retrospective/items`.
pub async fn add_item(csrf: &str, id: i64, body: &ItemFields) -> Result<ActionItem, ApiFailure> {
    let url = format!("{}/items", retro_url(id));
    into_json(
        send(json(guarded(Request::post(&url), csrf), body)).await?,
        "action item",
    )
    .await
}

/// `PUT /api/action-items/{item}?version=N`.
pub async fn update_item(
    csrf: &str,
    item: i64,
    version: i64,
    body: &ItemFields,
) -> Result<ActionItem, ApiFailure> {
    let url = format!("{ACTION_ITEMS_PATH}/{item}?version={version}");
    into_json(
        send(json(guarded(Request::put(&url), csrf), body)).await?,
        "action item",
    )
    .await
}

/// `POST /api/action-items/{item}/ticket` (`state`: `…/ticket/state`).
pub async fn ticket(csrf: &str, item: i64, state: bool) -> Result<TicketAnswer, ApiFailure> {
    let url = format!(
        "{ACTION_ITEMS_PATH}/{item}/ticket{}",
        if state { "/state" } else { "" }
    );
    into_json(
        send(json(
            guarded(Request::post(&url), csrf),
            &serde_json::json!({}),
        ))
        .await?,
        "ticket",
    )
    .await
}

/// `GET /api/action-items`: `mine` narrows to the caller's, `all` adds done ones.
pub async fn action_items(owner: Option<&str>, all: bool) -> Result<ItemList, ApiFailure> {
    let mut url = format!(
        "{ACTION_ITEMS_PATH}?state={}",
        if all { "all" } else { "open" }
    );
    if let Some(owner) = owner {
        url.push_str("&owner=");
        url.push_str(&String::from(js_sys::encode_uri_component(owner)));
    }
    into_json(send(get(&url)).await?, "action items").await
}

/// `GET /api/incidents/{id}/related-items`.
pub async fn related_items(id: i64) -> Result<ItemList, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/related-items");
    into_json(send(get(&url)).await?, "action items").await
}

/// `GET /api/incidents/{id}/marks`.
pub async fn marks(id: i64) -> Result<Marks, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/marks");
    into_json(send(get(&url)).await?, "marks").await
}

/// `PUT /api/incidents/{id}/timeline/{seq}/{what}` (`star` or `mitigation`).
pub async fn mark(
    csrf: &str,
    id: i64,
    seq: i64,
    what: &str,
    on: bool,
) -> Result<Marks, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/timeline/{seq}/{what}");
    into_json(
        send(json(guarded(Request::put(&url), csrf), &Mark { on })).await?,
        "marks",
    )
    .await
}
