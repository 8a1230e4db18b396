//! `GET /api/playbooks` (the guided playbooks, and those the latest sweep points to) and an
//! incident's walkthroughs (`/api/incidents/{id}/playbooks`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use wire::{AuditKind, PlaybookCatalog, RunInfo, StartRun, StepReport};

use crate::audit::Recording;
use crate::auth::Principal;
use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::playbooks::runs::{self as run_ops, RunError};
use crate::state::AppState;

/// Responders and commanders: the steps show commands and the host's layout.
pub async fn catalog(State(state): State<AppState>) -> Json<PlaybookCatalog> {
    let board = state.hub.snapshot_for(crate::hub::Audience::Full);
    Json(
        state
            .playbooks
            .info(&board, &state.settings.playbooks.links),
    )
}

impl From<RunError> for AppError {
    fn from(e: RunError) -> Self {
        match e {
            e @ (RunError::NoIncident(_) | RunError::NoRun(_) | RunError::NoPlaybook(_)) => {
                AppError::NotFound(e.to_string())
            }
            RunError::Conflict(m) => AppError::Conflict(m),
            RunError::Invalid(m) => AppError::BadRequest(m),
            RunError::Store(s) => AppError::Internal(s.into()),
            RunError::Timeline(e) => e.into(),
        }
    }
}

/// `GET /api/incidents/{id}/playbooks`: the incident's walkthroughs, where each is.
pub async fn runs(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<RunInfo>>, AppError> {
    Ok(Json(
        run_ops::list(&state.store, &state.playbooks, id).await?,
    ))
}

/// `POST /api/incidents/{id}/playbooks`: starts a walkthrough.
pub async fn start(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StartRun>,
) -> Result<(StatusCode, Json<RunInfo>), AppError> {
    let run = run_ops::start(
        &state.store,
        &state.incidents,
        &state.playbooks,
        id,
        &body.playbook,
        &user.name,
    )
    .await?;
    tracing::info!(incident = id, run = run.id, playbook = %run.playbook, by = %user.name, "walkthrough started");
    Ok((StatusCode::CREATED, Json(run)))
}

/// `POST /api/incidents/{id}/playbooks/{run}/steps/{step}/run`: runs a probe step on the host.
/// The audit log gets the commands as sent, or the refusal.
pub async fn run_probe(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, run, step)): ApiPath<(i64, i64, String)>,
) -> Result<Json<RunInfo>, AppError> {
    let recording = Recording::new(state.host.clone());
    let cx = crate::playbooks::probe_run::ProbeContext {
        host: &recording,
        board: state.hub.snapshot_for(crate::hub::Audience::Full),
        config: state.settings.catalog(),
        now_ms: state.store.now_ms(),
        fingerprint_key: &state.fingerprint_key,
        previous: None,
    };
    let result = run_ops::run_probe(
        &state.store,
        &state.incidents,
        &state.playbooks,
        (id, run, &step),
        cx,
        &user.name,
    )
    .await;
    let step = crate::playbooks::short(&step);
    let (kind, detail) = match &result {
        Ok(info) => (
            AuditKind::Probe,
            info.records
                .last()
                .map(|r| r.outcome.words(|_| None))
                .unwrap_or_default(),
        ),
        Err(e) => (AuditKind::Refusal, e.to_string()),
    };
    state
        .audit
        .append(
            &user.name,
            Some(id),
            kind,
            format!("probe step {step} (walkthrough {run})"),
            detail,
            recording.take(),
        )
        .await?;
    Ok(Json(result?))
}

/// `POST /api/incidents/{id}/playbooks/{run}/steps`: what was done at the current step.
pub async fn step(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ApiPath((id, run)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<StepReport>,
) -> Result<Json<RunInfo>, AppError> {
    Ok(Json(
        run_ops::report(
            &state.store,
            &state.incidents,
            &state.playbooks,
            id,
            run,
            &body,
            &user.name,
        )
        .await?,
    ))
}
