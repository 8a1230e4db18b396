//! Actions on the host: typed, planned, previewed, confirmed, approved by a second commander where
//! the blast radius demands it, run with live masked output, and audited.
//!
//! The flow, in one place:
//! 1. **Plan** (`plan`): the values are checked against strict types and the config (`target`),
//!    the commands are built exactly as they will be sent (`procs`), a read-only preflight measures
//!    the blast radius, and the whole plan is hashed. The gateway keeps the plans it showed.
//! 2. **Request** (`request`): names the plan by its hash. A plan the gateway did not show, or
//!    whose commands or target no longer match the config, is refused with a fresh plan. A
//!    destructive action needs its target's name typed. Rate limits and "already running" are
//!    judged here. Without an approval rule it runs at once.
//! 3. **Approve** (`approve`): a second commander, with their password, for the exact plan hash
//!    the request stored, before it expires; never the requester (except break-glass, when the
//!    config allows it, loudly).
//! 4. **Run** (`run`): in its own task (a closed browser does not stop it), every command through
//!    a recording host (the audit log gets the argv, exit, duration and output digest), output
//!    masked and streamed to responders, progress and a resume cursor stored, the result on the
//!    timeline and, from a walkthrough, the step completed.

mod kinds;
mod ops;
mod procs;
pub mod settings;
mod target;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use wire::{
    ActionInfo, ActionPlan, ActionRequestInfo, ActionResult, ApproveAction, AuditKind, EntryKind,
    PlanAction, PlanChanged, ReportedOutcome, RequestAction, RequestAnswer, RequestState, Role,
    StepReport,
};

pub use kinds::Kind;
pub use procs::{read_block_list, render_block_list, CAPTCHA_FLAG};

use crate::audit::{AuditLog, Recording};
use crate::config::Settings;
use crate::hub::Hub;
use crate::incidents::Incidents;
use crate::remote::RemoteHost;
use crate::store::actions::StoredRequest;
use crate::store::{Store, StoreError};
use ops::{Failed, Ops, Report};
use target::Target;

/// Why an action request was refused, and what the responder can do.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    NotFound(String),
    /// A value does not fit its type, or the confirmation is wrong: 400.
    #[error("{0}")]
    Invalid(String),
    /// Not this person's to do (a stakeholder, self-approval, a wrong password): 403.
    #[error("{0}")]
    Forbidden(String),
    /// The state does not allow it (resolved incident, already running, expired): 409.
    #[error("{0}")]
    Conflict(String),
    /// Too soon after the last run: 429 with when it may run again.
    #[error("{0}")]
    TooSoon(String),
    /// The plan reviewed is not the plan now: 409 with the new plan.
    #[error("{}", .0.message)]
    PlanChanged(Box<PlanChanged>),
    /// The host could not be asked (the preflight failed): 502 with why.
    #[error("{0}")]
    Host(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Timeline(#[from] crate::incidents::IncidentError),
}

/// Plans the gateway showed, by hash, for as long as a request may name them.
#[derive(Default)]
struct Shown {
    plans: HashMap<String, (ActionPlan, i64)>,
}

/// The actions service. Cheap to clone.
#[derive(Clone)]
pub struct Actions {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Arc<Settings>,
    store: Store,
    audit: AuditLog,
    hub: Arc<Hub>,
    incidents: Incidents,
    host: Arc<dyn RemoteHost>,
    playbooks: Arc<crate::playbooks::Catalog>,
    shown: Mutex<Shown>,
    /// One state change of a request at a time (approve, withdraw, expire, start).
    changes: tokio::sync::Mutex<()>,
}

/// How long a shown plan can be requested.
const PLAN_VALID_MS: i64 = 10 * 60 * 1000;

impl Actions {
    pub fn new(
        settings: Arc<Settings>,
        store: Store,
        audit: AuditLog,
        hub: Arc<Hub>,
        incidents: Incidents,
        host: Arc<dyn RemoteHost>,
        playbooks: Arc<crate::playbooks::Catalog>,
    ) -> Actions {
        Actions {
            inner: Arc::new(Inner {
                settings,
                store,
                audit,
                hub,
                incidents,
                host,
                playbooks,
                shown: Mutex::default(),
                changes: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Every action, with the config's choices.
    pub fn catalog(&self) -> Vec<ActionInfo> {
        let s = &self.inner.settings;
        Kind::ALL
            .iter()
            .map(|k| k.info(|p, kind| target::choices(s, p, kind)))
            .collect()
    }

    fn ops<'a>(&self, host: &'a dyn RemoteHost, report: &'a dyn Report) -> Ops<'a> {
        Ops::new(
            host,
            report,
            self.inner.settings.actions.command_timeout(),
            self.inner.settings.sweep.http_timeout(),
        )
    }

    fn kind(id: &str) -> Result<Kind, ActionError> {
        Kind::by_id(id).ok_or_else(|| {
            ActionError::NotFound(format!(
                "no action `{}` (GET /api/actions lists them)",
                crate::playbooks::short(id)
            ))
        })
    }

    async fn open_incident(&self, id: i64) -> Result<wire::IncidentSummary, ActionError> {
        let i = self
            .inner
            .store
            .incident(id)
            .await?
            .ok_or_else(|| ActionError::NotFound(format!("incident INC-{id}")))?;
        if !i.phase.is_open() {
            return Err(ActionError::Conflict(format!(
                "INC-{id} is resolved: actions belong to open incidents"
            )));
        }
        Ok(i)
    }

    fn allowed(kind: Kind, role: Role) -> Result<(), ActionError> {
        if !role.at_least(Role::Responder) {
            return Err(ActionError::Forbidden(
                "stakeholders can follow actions, not request them".into(),
            ));
        }
        if kind.meta().commanders_only && !role.at_least(Role::Commander) {
            return Err(ActionError::Forbidden(format!(
                "only a commander may request “{}”",
                kind.meta().title
            )));
        }
        Ok(())
    }

    /// The values as the plan shows them: trimmed, plus what the preflight resolved.
    fn shown_params(
        params: &BTreeMap<String, String>,
        resolved: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.clone(), v.trim().to_owned()))
            .collect();
        out.extend(resolved.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// The part of a plan that the config and the values decide (no preflight): what a request
    /// and a run check again against the plan that was shown and approved.
    fn fixed_part(
        &self,
        kind: Kind,
        params: &BTreeMap<String, String>,
    ) -> Result<(Target, Vec<wire::PlannedCommand>), ActionError> {
        let target = target::resolve(&self.inner.settings, kind, params)
            .map_err(|e| ActionError::Invalid(e.0))?;
        let quiet = Quiet;
        let ops = self.ops(self.inner.host.as_ref(), &quiet);
        let commands =
            procs::commands(kind, &target, &ops).map_err(|Failed(m)| ActionError::Invalid(m))?;
        Ok((target, commands))
    }

    /// Checks the values, builds the commands, runs the read-only preflight and hashes the plan.
    pub async fn plan(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        body: &PlanAction,
    ) -> Result<ActionPlan, ActionError> {
        self.open_incident(incident_id).await?;
        let kind = Self::kind(&body.action)?;
        Self::allowed(kind, role)?;
        let user_params = body.params.clone();
        let (target, commands) = self.fixed_part(kind, &user_params)?;
        let recording = Recording::new(self.inner.host.clone());
        let quiet = Quiet;
        let ops = self.ops(&recording, &quiet);
        let preflight = procs::preflight(kind, &target, &ops).await;
        let meta = kind.meta();
        let detail = match &preflight {
            Ok(p) => p.blast_radius.clone(),
            Err(Failed(m)) => format!("preflight failed: {m}"),
        };
        self.inner
            .audit
            .append(
                who,
                Some(incident_id),
                AuditKind::Probe,
                format!("preflight {} on {}", meta.id, target.name()),
                detail,
                recording.take(),
            )
            .await?;
        let preflight = preflight.map_err(|Failed(m)| {
            ActionError::Host(format!(
                "the preflight could not measure what this would touch: {m}. Nothing was changed; try again, or check the host."
            ))
        })?;
        let mut plan = ActionPlan {
            action: meta.id.to_owned(),
            title: meta.title.to_owned(),
            host: self.inner.host.target(),
            target: target.name(),
            params: Self::shown_params(&user_params, &preflight.resolved),
            commands,
            blast_radius: preflight.blast_radius,
            destructive: meta.destructive,
            needs_approval: meta.needs_approval,
            confirm: meta.destructive.then(|| target.name()),
            hash: String::new(),
        };
        plan.hash = plan_hash(&plan);
        let now = self.inner.store.now_ms();
        let mut shown = self.inner.shown.lock().unwrap_or_else(|e| e.into_inner());
        shown.plans.retain(|_, (_, at)| now - *at < PLAN_VALID_MS);
        shown.plans.insert(plan.hash.clone(), (plan.clone(), now));
        Ok(plan)
    }

    /// The plan shown under `hash`, if it still matches the values and the config.
    async fn reviewed(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        body: &RequestAction,
    ) -> Result<(Kind, ActionPlan), ActionError> {
        let kind = Self::kind(&body.action)?;
        let user_params = body.params.clone();
        let (target, commands) = self.fixed_part(kind, &user_params)?;
        let shown = {
            let s = self.inner.shown.lock().unwrap_or_else(|e| e.into_inner());
            s.plans.get(body.plan_hash.trim()).map(|(p, _)| p.clone())
        };
        let why = match &shown {
            None => Some("the plan you reviewed is no longer known (it is over 10 minutes old, or the gateway restarted)"),
            Some(p) if p.action != kind.meta().id || p.target != target.name() || p.commands != commands => {
                Some("the plan changed since you reviewed it (its commands or target are not the same)")
            }
            Some(p) if user_params.iter().any(|(k, v)| p.params.get(k) != Some(&v.trim().to_owned())) => {
                Some("the values changed since you reviewed the plan")
            }
            Some(_) => None,
        };
        if let Some(why) = why {
            let fresh = self
                .plan(
                    who,
                    role,
                    incident_id,
                    &PlanAction {
                        action: body.action.clone(),
                        params: body.params.clone(),
                        step: body.step.clone(),
                    },
                )
                .await?;
            return Err(ActionError::PlanChanged(Box::new(PlanChanged {
                message: format!("{why}: review this plan and confirm again; nothing ran"),
                plan: fresh,
            })));
        }
        Ok((kind, shown.unwrap_or_else(|| unreachable!("checked above"))))
    }

    /// Refuses a run too soon after the last one, or while one runs or waits for approval.
    async fn not_too_soon(&self, kind: Kind, target: &str) -> Result<(), ActionError> {
        let meta = kind.meta();
        let now = self.inner.store.now_ms();
        for r in self
            .inner
            .store
            .latest_action_request(meta.id, target)
            .await?
        {
            if matches!(
                r.state,
                RequestState::Pending | RequestState::Running | RequestState::Interrupted
            ) && !self.expired(&r, now)
            {
                return Err(ActionError::Conflict(format!(
                    "“{}” on {target} is already {} (requested by {} on INC-{}): wait for it",
                    meta.title,
                    r.state.label(),
                    r.requested_by,
                    r.incident_id
                )));
            }
            let started = r.started_at_ms.unwrap_or(r.requested_at_ms);
            let window = i64::from(meta.rate_limit_minutes) * 60_000;
            if r.state != RequestState::Pending && window > 0 && now - started < window {
                let again = (started + window - now + 59_999) / 60_000;
                return Err(ActionError::TooSoon(format!(
                    "“{}” on {target} ran {} min ago (requested by {}); it may run once per {} min: again in {again} min",
                    meta.title,
                    (now - started) / 60_000,
                    r.requested_by,
                    meta.rate_limit_minutes
                )));
            }
        }
        Ok(())
    }

    fn expired(&self, r: &StoredRequest, now: i64) -> bool {
        r.state == RequestState::Pending && r.expires_at_ms.is_some_and(|e| now >= e)
    }

    async fn refuse(
        &self,
        who: &str,
        incident_id: i64,
        subject: String,
        e: ActionError,
    ) -> ActionError {
        if let Err(store) = self
            .inner
            .audit
            .append(
                who,
                Some(incident_id),
                AuditKind::Refusal,
                subject,
                e.to_string(),
                Vec::new(),
            )
            .await
        {
            return store.into();
        }
        e
    }

    /// Asks for the reviewed plan to run: at once, or once a second commander approves it.
    pub async fn request(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        body: &RequestAction,
    ) -> Result<RequestAnswer, ActionError> {
        let subject = format!("request {}", crate::playbooks::short(&body.action));
        match self.try_request(who, role, incident_id, body).await {
            Ok(a) => Ok(a),
            Err(e @ (ActionError::Store(_) | ActionError::Timeline(_))) => Err(e),
            Err(e) => Err(self.refuse(who, incident_id, subject, e).await),
        }
    }

    async fn try_request(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        body: &RequestAction,
    ) -> Result<RequestAnswer, ActionError> {
        self.open_incident(incident_id).await?;
        if let Some(kind) = Kind::by_id(&body.action) {
            Self::allowed(kind, role)?;
        }
        let (kind, plan) = self.reviewed(who, role, incident_id, body).await?;
        if let Some(expected) = &plan.confirm {
            let typed = body.confirm.as_deref().map(str::trim).unwrap_or("");
            if typed != expected {
                return Err(ActionError::Invalid(format!(
                    "type `{expected}` to confirm: this action changes it"
                )));
            }
        }
        if let Some(step) = &body.step {
            self.check_step(incident_id, step).await?;
        }
        let _one = self.inner.changes.lock().await;
        self.not_too_soon(kind, &plan.target).await?;
        let now = self.inner.store.now_ms();
        let meta = kind.meta();
        let pending = meta.needs_approval;
        let stored = self
            .inner
            .store
            .insert_action_request(&StoredRequest {
                id: 0,
                incident_id,
                action: meta.id.to_owned(),
                target: plan.target.clone(),
                plan: plan.clone(),
                step: body.step.clone(),
                state: if pending {
                    RequestState::Pending
                } else {
                    RequestState::Running
                },
                requested_by: who.to_owned(),
                requested_at_ms: now,
                expires_at_ms: pending.then(|| {
                    now + i64::from(self.inner.settings.actions.approval_minutes) * 60_000
                }),
                approved_by: None,
                approved_at_ms: None,
                break_glass: None,
                started_at_ms: (!pending).then_some(now),
                progress: None,
                cursor: None,
                result: None,
                version: 1,
            })
            .await?;
        drop(_one);
        self.inner
            .audit
            .append(
                who,
                Some(incident_id),
                AuditKind::Request,
                format!("request #{} {} on {}", stored.id, meta.id, plan.target),
                format!("plan {}: {}", plan.hash, plan.blast_radius),
                Vec::new(),
            )
            .await?;
        self.timeline(
            who,
            &stored,
            if pending {
                format!(
                    "requested; waiting for a second commander until {}",
                    clock(stored.expires_at_ms.unwrap_or(now))
                )
            } else {
                "started".to_owned()
            },
            None,
        )
        .await?;
        self.publish(&stored);
        if pending {
            return Ok(RequestAnswer {
                request: info(&stored),
                shown_once: None,
            });
        }
        let (done, shown_once) = self.spawn_run(stored, who.to_owned()).await?;
        Ok(RequestAnswer {
            request: info(&done),
            shown_once,
        })
    }

    async fn check_step(&self, incident_id: i64, step: &wire::StepRef) -> Result<(), ActionError> {
        let runs = self.inner.store.runs(incident_id).await?;
        if !runs.iter().any(|r| r.id == step.run) {
            return Err(ActionError::NotFound(format!(
                "walkthrough {} of INC-{incident_id}",
                step.run
            )));
        }
        Ok(())
    }

    /// A second commander approves a pending request, with their password, for the exact plan.
    pub async fn approve(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        request_id: i64,
        body: &ApproveAction,
    ) -> Result<ActionRequestInfo, ActionError> {
        let subject = format!("approve request #{request_id}");
        match self
            .try_approve(who, role, incident_id, request_id, body)
            .await
        {
            Ok(a) => Ok(a),
            Err(e @ (ActionError::Store(_) | ActionError::Timeline(_))) => Err(e),
            Err(e) => Err(self.refuse(who, incident_id, subject, e).await),
        }
    }

    async fn load(&self, incident_id: i64, id: i64) -> Result<StoredRequest, ActionError> {
        self.inner
            .store
            .action_request(id)
            .await?
            .filter(|r| r.incident_id == incident_id)
            .ok_or_else(|| {
                ActionError::NotFound(format!("action request {id} of INC-{incident_id}"))
            })
    }

    async fn try_approve(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        request_id: i64,
        body: &ApproveAction,
    ) -> Result<ActionRequestInfo, ActionError> {
        if !role.at_least(Role::Commander) {
            return Err(ActionError::Forbidden(
                "only an incident commander can approve an action".into(),
            ));
        }
        let r = self.load(incident_id, request_id).await?;
        let now = self.inner.store.now_ms();
        if r.state != RequestState::Pending {
            return Err(ActionError::Conflict(format!(
                "request {request_id} is {}: there is nothing to approve",
                r.state.label()
            )));
        }
        if self.expired(&r, now) {
            self.expire(r).await?;
            return Err(ActionError::Conflict(format!(
                "request {request_id} expired: nobody approved it within {} min; request it again",
                self.inner.settings.actions.approval_minutes
            )));
        }
        let break_glass = if r.requested_by == who {
            if !self.inner.settings.actions.allow_self_approval_with_reason {
                return Err(ActionError::Forbidden(
                    "you requested this: a second commander must approve it".into(),
                ));
            }
            let reason = body.reason.as_deref().map(str::trim).unwrap_or("");
            if reason.chars().count() < 10 {
                return Err(ActionError::Invalid(
                    "break-glass: approving your own request needs a reason (10 characters or more); it is posted to the incident channel"
                        .into(),
                ));
            }
            Some(
                crate::incidents::lifecycle::text::text("the reason", reason, 500, true)
                    .map_err(|e| ActionError::Invalid(e.to_string()))?,
            )
        } else {
            None
        };
        if !self.password_ok(who, &body.password).await? {
            return Err(ActionError::Forbidden(
                "wrong password: an approval needs your password again".into(),
            ));
        }
        if body.plan_hash.trim() != r.plan.hash {
            return Err(ActionError::Conflict(
                "this is not the plan the request holds (it changed since your screen showed it): reload it and review it again"
                    .into(),
            ));
        }
        let kind = Self::kind(&r.action)?;
        let (target, commands) = self.fixed_part(kind, &given(&r.plan.params))?;
        if target.name() != r.plan.target || commands != r.plan.commands {
            let _one = self.inner.changes.lock().await;
            let mut void = r.clone();
            void.state = RequestState::Withdrawn;
            void.result = Some(failed_result(
                "voided: the config changed since it was requested; request it again",
            ));
            if let Some(v) = self.inner.store.update_action_request(&void).await? {
                self.publish(&v);
            }
            return Err(ActionError::Conflict(
                "the plan no longer matches the config (commands or target changed): the request is void; request it again"
                    .into(),
            ));
        }
        let started = {
            let _one = self.inner.changes.lock().await;
            let mut next = r.clone();
            next.state = RequestState::Running;
            next.approved_by = Some(who.to_owned());
            next.approved_at_ms = Some(now);
            next.started_at_ms = Some(now);
            next.break_glass = break_glass.clone();
            self.inner
                .store
                .update_action_request(&next)
                .await?
                .ok_or_else(|| {
                    ActionError::Conflict(
                        "someone else approved or withdrew it a moment ago".into(),
                    )
                })?
        };
        self.inner
            .audit
            .append(
                who,
                Some(incident_id),
                AuditKind::Approval,
                format!("approve request #{} {} on {}", r.id, r.action, r.target),
                match &break_glass {
                    Some(why) => {
                        format!("BREAK-GLASS self-approval of plan {}: {why}", r.plan.hash)
                    }
                    None => format!(
                        "approved plan {} requested by {}",
                        r.plan.hash, r.requested_by
                    ),
                },
                Vec::new(),
            )
            .await?;
        let did = match &break_glass {
            Some(_) => "approved by its own requester (break-glass)".to_owned(),
            None => format!("approved by {who}"),
        };
        self.timeline(who, &started, did, break_glass).await?;
        self.publish(&started);
        let this = self.clone();
        let who = who.to_owned();
        // The run continues when the approver's request ends.
        tokio::spawn(async move {
            if let Err(e) = this.run(started, who).await {
                tracing::error!(error = %e, "an approved action could not record its run");
            }
        });
        Ok(info(&self.load(incident_id, request_id).await?))
    }

    async fn password_ok(&self, who: &str, password: &str) -> Result<bool, ActionError> {
        let found = self.inner.store.credentials(who).await?;
        Ok(match found {
            Some(c) if !c.info.disabled => {
                crate::accounts::verify(password.to_owned(), c.password_hash).await
            }
            _ => false,
        })
    }

    /// The requester withdraws a pending request (or a commander declines it).
    pub async fn withdraw(
        &self,
        who: &str,
        role: Role,
        incident_id: i64,
        request_id: i64,
    ) -> Result<ActionRequestInfo, ActionError> {
        let r = self.load(incident_id, request_id).await?;
        if r.requested_by != who && !role.at_least(Role::Commander) {
            return Err(ActionError::Forbidden(
                "only its requester or a commander can withdraw a request".into(),
            ));
        }
        if r.state != RequestState::Pending {
            return Err(ActionError::Conflict(format!(
                "request {request_id} is {}: only a waiting request can be withdrawn",
                r.state.label()
            )));
        }
        let _one = self.inner.changes.lock().await;
        let mut next = r.clone();
        next.state = RequestState::Withdrawn;
        let next = self
            .inner
            .store
            .update_action_request(&next)
            .await?
            .ok_or_else(|| ActionError::Conflict("it changed a moment ago".into()))?;
        drop(_one);
        self.inner
            .audit
            .append(
                who,
                Some(incident_id),
                AuditKind::Refusal,
                format!("withdraw request #{request_id}"),
                if who == r.requested_by {
                    "withdrawn by its requester"
                } else {
                    "declined by a commander"
                },
                Vec::new(),
            )
            .await?;
        self.timeline(who, &next, format!("withdrawn by {who}"), None)
            .await?;
        self.publish(&next);
        Ok(info(&next))
    }

    async fn expire(&self, r: StoredRequest) -> Result<(), ActionError> {
        let _one = self.inner.changes.lock().await;
        let mut next = r.clone();
        next.state = RequestState::Expired;
        if let Some(next) = self.inner.store.update_action_request(&next).await? {
            drop(_one);
            self.inner
                .audit
                .append(
                    wire::SYSTEM_ACTOR,
                    Some(r.incident_id),
                    AuditKind::Refusal,
                    format!("expire request #{}", r.id),
                    "nobody approved it in time",
                    Vec::new(),
                )
                .await?;
            self.timeline(
                wire::SYSTEM_ACTOR,
                &next,
                "expired: nobody approved it in time".into(),
                None,
            )
            .await?;
            self.publish(&next);
        }
        Ok(())
    }

    /// Expires every pending request past its time (the sweeper calls this).
    pub async fn expire_due(&self) -> Result<(), ActionError> {
        let now = self.inner.store.now_ms();
        for r in self.inner.store.pending_action_requests().await? {
            if self.expired(&r, now) {
                self.expire(r).await?;
            }
        }
        Ok(())
    }

    /// Expires waiting requests when their time is up, so every screen shows it, until `stop`.
    pub fn spawn_expiry(&self, stop: crate::shutdown::CancelToken) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tick.tick() => {
                        if let Err(e) = this.expire_due().await {
                            tracing::warn!(error = %e, "could not expire waiting action requests");
                        }
                    }
                }
            }
        });
    }

    /// An incident's requests, newest first.
    pub async fn list(&self, incident_id: i64) -> Result<Vec<ActionRequestInfo>, ActionError> {
        if self.inner.store.incident(incident_id).await?.is_none() {
            return Err(ActionError::NotFound(format!("incident INC-{incident_id}")));
        }
        let now = self.inner.store.now_ms();
        let mut out = Vec::new();
        for r in self
            .inner
            .store
            .action_requests(incident_id)
            .await?
            .into_iter()
            .rev()
        {
            if self.expired(&r, now) {
                self.expire(r.clone()).await?;
                if let Some(fresh) = self.inner.store.action_request(r.id).await? {
                    out.push(info(&fresh));
                }
            } else {
                out.push(info(&r));
            }
        }
        Ok(out)
    }

    /// Whether the captcha is off on some service because of this incident (the last captcha
    /// action on it turned it off): the incident cannot be resolved until it is back on.
    pub async fn mitigations(&self, incident_id: i64) -> Result<Vec<wire::Mitigation>, StoreError> {
        Ok(in_place(&self.inner.store, incident_id)
            .await?
            .into_iter()
            .map(|service| wire::Mitigation {
                words: format!("{CAPTCHA_FLAG}=true on {service}"),
                undo: PlanAction {
                    action: Kind::CaptchaOn.meta().id.to_owned(),
                    params: BTreeMap::from([("service".to_owned(), service)]),
                    step: None,
                },
            })
            .collect())
    }

    /// Runs resumed at start-up: every request a stopped gateway left running.
    pub async fn resume(&self) -> Result<usize, ActionError> {
        let unfinished = self.inner.store.unfinished_action_requests().await?;
        let n = unfinished.len();
        for r in unfinished {
            // Only the mass revocations keep a cursor and are safe to take up again; redoing a
            // restart, a redeploy or a recovery code nobody asked for again would be worse than
            // saying it was cut short.
            let resumable = matches!(
                Kind::by_id(&r.action),
                Some(Kind::RevokeSessions | Kind::RevokeTokens)
            );
            if !resumable {
                let mut failed = r.clone();
                failed.state = RequestState::Failed;
                failed.result = Some(failed_result(
                    "interrupted: the gateway stopped while it ran; check the host and request it again",
                ));
                if let Some(f) = self.inner.store.update_action_request(&failed).await? {
                    self.inner
                        .audit
                        .append(
                            wire::SYSTEM_ACTOR,
                            Some(r.incident_id),
                            AuditKind::Run,
                            format!("run request #{} {} on {}", r.id, r.action, r.target),
                            "interrupted by a gateway stop; not run again",
                            Vec::new(),
                        )
                        .await?;
                    self.timeline(
                        wire::SYSTEM_ACTOR,
                        &f,
                        "interrupted when the gateway stopped: check the host and request it again"
                            .into(),
                        None,
                    )
                    .await?;
                    self.publish(&f);
                }
                continue;
            }
            let mut next = r.clone();
            next.state = RequestState::Interrupted;
            let Some(next) = self.inner.store.update_action_request(&next).await? else {
                continue;
            };
            self.publish(&next);
            tracing::warn!(request = r.id, action = %r.action, "resuming an action the gateway stopped during");
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.run(next, wire::SYSTEM_ACTOR.to_owned()).await {
                    tracing::error!(error = %e, "a resumed action could not record its run");
                }
            });
        }
        Ok(n)
    }

    /// Runs in its own task and waits for it: a closed browser does not cut a run short.
    async fn spawn_run(
        &self,
        r: StoredRequest,
        who: String,
    ) -> Result<(StoredRequest, Option<String>), ActionError> {
        let this = self.clone();
        match tokio::spawn(async move { this.run(r, who).await }).await {
            Ok(result) => result,
            Err(e) => Err(ActionError::Host(format!("the run stopped: {e}"))),
        }
    }

    /// Runs a request that is running (or resuming), and records how it ended.
    async fn run(
        &self,
        r: StoredRequest,
        who: String,
    ) -> Result<(StoredRequest, Option<String>), ActionError> {
        let kind = Self::kind(&r.action)?;
        let report = RunReport {
            actions: self.clone(),
            request: Mutex::new(r.clone()),
        };
        let recording = Recording::new(self.inner.host.clone());
        let ops = self.ops(&recording, &report);
        let started = Instant::now();
        let resumed = r.state == RequestState::Interrupted;
        if resumed {
            let mut running = r.clone();
            running.state = RequestState::Running;
            report.store(running).await;
        }
        let outcome = match self.fixed_part(kind, &given(&r.plan.params)) {
            Ok((target, commands)) if target.name() == r.plan.target && commands == r.plan.commands => {
                procs::run(
                    kind,
                    &target,
                    &ops,
                    &r.plan.params,
                    r.cursor.clone(),
                    self.inner.store.now_ms(),
                )
                .await
            }
            Ok(_) => Err(Failed(
                "the config changed since the plan was approved (its commands or target differ): nothing ran; request it again".into(),
            )),
            Err(e) => Err(Failed(e.to_string())),
        };
        let commands = recording.take();
        let exit = commands.last().and_then(|c| c.exit);
        let duration_ms = started.elapsed().as_millis() as u64;
        let (ok, summary, shown_once) = match outcome {
            Ok(done) => (true, done.summary, done.shown_once),
            Err(Failed(why)) => (false, ops.mask(&why), None),
        };
        let result = ActionResult {
            ok,
            summary: summary.clone(),
            exit,
            duration_ms,
            output: ops.said(),
        };
        let finished = report
            .finish(
                if ok {
                    RequestState::Done
                } else {
                    RequestState::Failed
                },
                result,
            )
            .await?;
        self.inner
            .audit
            .append(
                &who,
                Some(r.incident_id),
                AuditKind::Run,
                format!("run request #{} {} on {}", r.id, r.action, r.target),
                format!(
                    "{}{} in {:.1} s: {summary}",
                    if resumed { "resumed; " } else { "" },
                    if ok { "done" } else { "failed" },
                    duration_ms as f64 / 1000.0
                ),
                commands,
            )
            .await?;
        self.timeline(
            &who,
            &finished,
            format!(
                "{} in {:.1} s: {summary}",
                if ok { "done" } else { "FAILED" },
                duration_ms as f64 / 1000.0
            ),
            None,
        )
        .await?;
        if let (true, Some(step)) = (ok, &finished.step) {
            self.complete_step(&finished, step, &summary).await;
        }
        self.publish(&finished);
        Ok((finished, shown_once))
    }

    /// A walkthrough step carried out by this action is done, with the result as its note.
    async fn complete_step(&self, r: &StoredRequest, step: &wire::StepRef, summary: &str) {
        let note: String = summary
            .chars()
            .take(crate::playbooks::runs::MAX_NOTE)
            .collect();
        let report = StepReport {
            step: step.step.clone(),
            outcome: ReportedOutcome::Done,
            note: Some(note),
        };
        if let Err(e) = crate::playbooks::runs::report(
            &self.inner.store,
            &self.inner.incidents,
            &self.inner.playbooks,
            r.incident_id,
            step.run,
            &report,
            &r.requested_by,
        )
        .await
        {
            // The walkthrough moved on by hand meanwhile: the action's result is on the timeline.
            tracing::warn!(error = %e, "the action's walkthrough step was not completed");
        }
    }

    async fn timeline(
        &self,
        who: &str,
        r: &StoredRequest,
        did: String,
        break_glass: Option<String>,
    ) -> Result<(), ActionError> {
        self.inner
            .incidents
            .record(
                who,
                r.incident_id,
                EntryKind::Action {
                    title: r.plan.title.clone(),
                    target: r.target.clone(),
                    did,
                    reason: break_glass,
                },
            )
            .await?;
        Ok(())
    }

    fn publish(&self, r: &StoredRequest) {
        self.inner.hub.publish_action(&info(r));
    }
}

/// The mitigations an incident left in place: a service whose last captcha action on this incident
/// turned the captcha off. Resolving checks this too (`Incidents::resolve`).
pub async fn mitigations(store: &Store, incident_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(in_place(store, incident_id)
        .await?
        .into_iter()
        .map(|service| format!("{CAPTCHA_FLAG}=true on {service}"))
        .collect())
}

/// The services whose captcha this incident turned off and not back on.
async fn in_place(store: &Store, incident_id: i64) -> Result<Vec<String>, StoreError> {
    let off = Kind::CaptchaOff.meta().id;
    let on = Kind::CaptchaOn.meta().id;
    let mut last: BTreeMap<String, bool> = BTreeMap::new();
    for r in store.action_requests(incident_id).await? {
        if r.state == RequestState::Done && (r.action == off || r.action == on) {
            if let Some(service) = r.plan.params.get("service") {
                last.insert(service.clone(), r.action == off);
            }
        }
    }
    Ok(last
        .into_iter()
        .filter(|(_, is_off)| *is_off)
        .map(|(service, _)| service)
        .collect())
}

/// Keys the preflight adds to a plan's values (not the responder's to give).
const RESOLVED: [&str; 1] = ["identity_id"];

/// A stored plan's values without what the preflight resolved: what the responder gave.
fn given(all: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    all.iter()
        .filter(|(k, _)| !RESOLVED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn failed_result(summary: &str) -> ActionResult {
    ActionResult {
        ok: false,
        summary: summary.to_owned(),
        exit: None,
        duration_ms: 0,
        output: Vec::new(),
    }
}

/// SHA-256 over the plan's canonical JSON (its hash field empty).
fn plan_hash(plan: &ActionPlan) -> String {
    let unhashed = ActionPlan {
        hash: String::new(),
        ..plan.clone()
    };
    let json = serde_json::to_string(&unhashed).unwrap_or_default();
    crate::audit::chain::hex(&Sha256::digest(json.as_bytes()))
}

fn clock(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn info(r: &StoredRequest) -> ActionRequestInfo {
    ActionRequestInfo {
        id: r.id,
        incident_id: r.incident_id,
        title: r.plan.title.clone(),
        target: r.target.clone(),
        plan: Some(r.plan.clone()),
        state: r.state,
        requested_by: r.requested_by.clone(),
        requested_at_ms: r.requested_at_ms,
        expires_at_ms: r.expires_at_ms,
        approved_by: r.approved_by.clone(),
        break_glass: r.break_glass.clone(),
        progress: r.progress.clone(),
        result: r.result.clone(),
        version: r.version,
    }
}

/// A preflight's or plan's report: nobody is watching.
struct Quiet;

#[async_trait]
impl Report for Quiet {
    fn line(&self, _line: String) {}
    async fn progress(&self, _words: String, _cursor: Option<String>) {}
}

/// A run's report: lines to responders' sockets, progress and the cursor into the request row.
struct RunReport {
    actions: Actions,
    request: Mutex<StoredRequest>,
}

impl RunReport {
    fn current(&self) -> StoredRequest {
        self.request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stores `next` (the run is the only writer of a running request) and publishes it.
    async fn store(&self, next: StoredRequest) -> Option<StoredRequest> {
        match self.actions.inner.store.update_action_request(&next).await {
            Ok(Some(saved)) => {
                self.actions.publish(&saved);
                *self.request.lock().unwrap_or_else(|e| e.into_inner()) = saved.clone();
                Some(saved)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "could not store an action's progress");
                None
            }
        }
    }

    async fn finish(
        &self,
        state: RequestState,
        result: ActionResult,
    ) -> Result<StoredRequest, ActionError> {
        let mut next = self.current();
        next.state = state;
        next.result = Some(result);
        next.progress = None;
        match self
            .actions
            .inner
            .store
            .update_action_request(&next)
            .await?
        {
            Some(saved) => Ok(saved),
            None => Err(ActionError::Conflict(
                "the request changed while it ran".into(),
            )),
        }
    }
}

#[async_trait]
impl Report for RunReport {
    fn line(&self, line: String) {
        let id = self.request.lock().unwrap_or_else(|e| e.into_inner()).id;
        self.actions.inner.hub.publish_action_output(id, line);
    }

    async fn progress(&self, words: String, cursor: Option<String>) {
        let mut next = self.current();
        next.progress = Some(words);
        if cursor.is_some() {
            next.cursor = cursor;
        }
        self.store(next).await;
    }
}
