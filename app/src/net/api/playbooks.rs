//! The guided playbooks (`/api/playbooks`) and an incident's walkthroughs
//! (`/api/incidents/{id}/playbooks`), responders only.

use gloo_net::http::Request;
use wire::{PlaybookCatalog, RunInfo, StartRun, StepReport, INCIDENTS_PATH, PLAYBOOKS_PATH};

use super::{get, guarded, into_json, json, send, ApiFailure};

/// `GET /api/playbooks`: every playbook, and those the board points to.
pub async fn playbooks() -> Result<PlaybookCatalog, ApiFailure> {
    into_json(send(get(PLAYBOOKS_PATH)).await?, "playbooks").await
}

/// `GET /api/incidents/{id}/playbooks`: the incident's walkthroughs, where each stands.
pub async fn runs(id: i64) -> Result<Vec<RunInfo>, ApiFailure> {
    into_json(
        send(get(&format!("{INCIDENTS_PATH}/{id}/playbooks"))).await?,
        "walkthroughs",
    )
    .await
}

/// `POST /api/incidents/{id}/playbooks`: starts a walkthrough.
pub async fn start_run(csrf: &str, id: i64, playbook: &str) -> Result<RunInfo, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/playbooks");
    let body = StartRun {
        playbook: playbook.to_owned(),
    };
    into_json(
        send(json(guarded(Request::post(&url), csrf), &body)).await?,
        "walkthrough",
    )
    .await
}

/// `POST /api/incidents/{id}/playbooks/{run}/steps`: what was done at the current step.
pub async fn report_step(
    csrf: &str,
    id: i64,
    run: i64,
    report: &StepReport,
) -> Result<RunInfo, ApiFailure> {
    let url = format!("{INCIDENTS_PATH}/{id}/playbooks/{run}/steps");
    into_json(
        send(json(guarded(Request::post(&url), csrf), report)).await?,
        "walkthrough",
    )
    .await
}

/// `POST /api/incidents/{id}/playbooks/{run}/steps/{step}/run`: runs a probe step on the host.
pub async fn run_probe(csrf: &str, id: i64, run: i64, step: &str) -> Result<RunInfo, ApiFailure> {
    let url = format!(
        "{INCIDENTS_PATH}/{id}/playbooks/{run}/steps/{}/run",
        crate::model::access::encode_component(step)
    );
    into_json(
        send(guarded(Request::post(&url), csrf).build()).await?,
        "walkthrough",
    )
    .await
}
