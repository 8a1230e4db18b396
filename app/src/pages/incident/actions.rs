//! Actions on the host for one incident. What needs someone now comes first: a code shown once,
//! a mitigation to undo, a request waiting for a second commander, a run in progress with its live
//! output, the plan being reviewed. The list of actions and the finished ones fold away.
//!
//! The gateway plans (the exact commands, the blast radius from a read-only preflight), the
//! responder reviews and confirms, and the gateway runs it or waits for a second commander; the
//! websocket's action frames (decoded here, not on the first screen) keep every device current.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{
    ActionInfo, ActionMsg, ActionPlan, ActionRequestInfo, ApproveAction, EntryKind, Mitigation,
    PlanAction, RequestAction, RequestState, StepRef,
};

use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// An action being prepared: which, the values so far, and the walkthrough step it carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub action: String,
    pub params: BTreeMap<String, String>,
    pub step: Option<StepRef>,
}

/// Lines of a run's output kept on screen.
const TAIL: usize = 30;

#[component]
pub fn Actions(
    session: Session,
    live: Live,
    id: i64,
    draft: RwSignal<Option<Draft>>,
    /// Responders and commanders act; stakeholders follow.
    responder: bool,
    commander: bool,
) -> impl IntoView {
    let catalog = RwSignal::new(Vec::<ActionInfo>::new());
    let requests = RwSignal::new(Vec::<ActionRequestInfo>::new());
    let mitigations = RwSignal::new(Vec::<Mitigation>::new());
    let output = RwSignal::new(BTreeMap::<i64, Vec<String>>::new());
    let failure = RwSignal::new(None::<String>);
    let shown_once = RwSignal::new(None::<String>);
    let me = session.me().map(|m| m.name).unwrap_or_default();

    let refresh = move || {
        spawn_local(async move {
            match session.check(api::incident_actions(id).await) {
                Ok(a) => {
                    requests.set(a.requests);
                    mitigations.set(a.mitigations);
                }
                Err(e) if e.signed_out() => {}
                Err(e) => failure.set(Some(e.message)),
            }
        });
    };
    if responder {
        spawn_local(async move {
            if let Ok(c) = session.check(api::action_catalog().await) {
                catalog.set(c);
            }
        });
    }
    // Every action line on the timeline (a request, an approval, a result, from anyone).
    let moves = Memo::new(move |_| {
        live.incidents.with(|s| {
            s.timeline(id)
                .iter()
                .filter(|e| matches!(e.kind, EntryKind::Action { .. }))
                .count()
        })
    });
    Effect::new(move |_| {
        // Read, not only tracked: a memo nobody reads is never computed, so it never changes.
        let _ = moves.get();
        refresh();
    });
    // The socket's action frames since the last look.
    let seen = StoredValue::new(0usize);
    Effect::new(move |_| {
        live.incidents.with(|store| {
            let frames = &store.action_frames;
            if frames.len() < seen.get_value() {
                seen.set_value(0);
                refresh();
            }
            for text in &frames[seen.get_value()..] {
                match serde_json::from_str::<ActionMsg>(text) {
                    Ok(ActionMsg::Action { action }) if action.incident_id == id => {
                        requests.update(|rs| upsert(rs, action));
                    }
                    Ok(ActionMsg::ActionOutput { request_id, line }) => {
                        output.update(|o| {
                            let lines = o.entry(request_id).or_default();
                            lines.push(line);
                            if lines.len() > TAIL {
                                lines.remove(0);
                            }
                        });
                    }
                    _ => {}
                }
            }
            seen.set_value(frames.len());
        });
    });

    let waiting = move || {
        requests.with(|rs| {
            rs.iter()
                .filter(|r| r.state == RequestState::Pending)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let running = move || {
        requests.with(|rs| {
            rs.iter()
                .filter(|r| matches!(r.state, RequestState::Running | RequestState::Interrupted))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let finished = move || {
        requests.with(|rs| {
            rs.iter()
                .filter(|r| r.state.is_final())
                .cloned()
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section class="card actions" data-testid="actions" aria-labelledby="actions-title">
            <h3 id="actions-title" class="card-title">"Actions on the host"</h3>
            {move || failure.get().map(|e| view! { <p class="error" role="alert" data-testid="actions-error">{e}</p> })}
            {move || shown_once.get().map(|code| view! {
                <div class="shown-once" role="alert" data-testid="shown-once">
                    <p class="field-label">"Shown once: copy it now"</p>
                    <p class="mono">{code}</p>
                    <button type="button" class="btn btn-small" on:click=move |_| shown_once.set(None)>"I have delivered it"</button>
                </div>
            })}
            {move || {
                let list = mitigations.get();
                (!list.is_empty()).then(|| view! {
                    <div class="mitigations" data-testid="mitigations" role="status">
                        <p class="field-label">"Still in place (undo before resolving)"</p>
                        <ul class="plain">
                            {list.into_iter().map(|m| {
                                let undo = m.undo.clone();
                                view! {
                                    <li>
                                        {m.words}
                                        {responder.then(|| view! {
                                            <button type="button" class="btn btn-primary" data-testid="undo-mitigation"
                                                on:click=move |_| draft.set(Some(Draft { action: undo.action.clone(), params: undo.params.clone(), step: None }))>
                                                "Undo it"
                                            </button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            <For each=waiting key=|r| (r.id, r.version) let:r>
                <Waiting session=session id=id request=r me=me.clone() commander=commander failure=failure />
            </For>
            <For each=running key=|r| (r.id, r.version) let:r>
                <Running request=r output=output />
            </For>
            {move || (responder && draft.with(Option::is_some)).then(|| view! {
                <Planner session=session id=id draft=draft catalog=catalog shown_once=shown_once after=refresh />
            })}
            {responder.then(|| view! {
                <details class="action-list" data-testid="action-list">
                    <summary>"Act on the host"</summary>
                    <ul class="plain">
                        {move || catalog.get().into_iter().map(|a| {
                            let action = a.id.clone();
                            view! {
                                <li>
                                    <button type="button" class="btn" data-testid=format!("action-{}", a.id)
                                        on:click=move |_| draft.set(Some(Draft { action: action.clone(), params: BTreeMap::new(), step: None }))>
                                        {a.title.clone()}
                                        {a.needs_approval.then_some(" (second commander)")}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {move || {
                let done = finished();
                (!done.is_empty()).then(|| view! {
                    <details class="action-history" data-testid="action-history">
                        <summary>{format!("Done so far ({})", done.len())}</summary>
                        <ol>
                            {done.into_iter().rev().map(|r| view! {
                                <li data-testid="action-finished" data-state=state_name(r.state)>
                                    <strong>{format!("{} · {}", r.title, r.target)}</strong>
                                    " "{r.state.label()}
                                    {r.result.map(|res| view! { <p>{res.summary}</p> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    </details>
                })
            }}
        </section>
    }
}

fn upsert(rs: &mut Vec<ActionRequestInfo>, r: ActionRequestInfo) {
    match rs.iter_mut().find(|held| held.id == r.id) {
        Some(held) if held.version > r.version => {}
        Some(held) => *held = r,
        None => rs.insert(0, r),
    }
}

fn state_name(s: RequestState) -> &'static str {
    match s {
        RequestState::Pending => "pending",
        RequestState::Running => "running",
        RequestState::Done => "done",
        RequestState::Failed => "failed",
        RequestState::Interrupted => "interrupted",
        RequestState::Expired => "expired",
        RequestState::Withdrawn => "withdrawn",
    }
}

/// The plan as reviewed: where, what it touches, and every command as sent.
#[component]
fn PlanView(plan: ActionPlan) -> impl IntoView {
    view! {
        <div class="plan" data-testid="plan" data-hash=plan.hash.clone()>
            <p class="plan-blast" data-testid="blast-radius"><strong>"What it touches: "</strong>{plan.blast_radius.clone()}</p>
            <p class="field-hint">{format!("On {} · target {}", plan.host, plan.target)}</p>
            <details class="plan-commands" data-testid="plan-commands">
                <summary>{format!("The {} command(s) as sent", plan.commands.len())}</summary>
                {plan.commands.iter().map(|c| view! {
                    <pre>{c.argv.join(" ")}</pre>
                    {c.repeats.clone().map(|r| view! { <p class="field-hint">{r}</p> })}
                }).collect_view()}
            </details>
            <p class="field-hint mono">{format!("plan {}", &plan.hash[..plan.hash.len().min(16)])}</p>
        </div>
    }
}

/// A request waiting for a second commander: the plan, and the approval form for a commander
/// who did not ask for it (the requester may withdraw it).
#[component]
fn Waiting(
    session: Session,
    id: i64,
    request: ActionRequestInfo,
    me: String,
    commander: bool,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let mine = request.requested_by == me;
    let req = request.id;
    let hash = request
        .plan
        .as_ref()
        .map(|p| p.hash.clone())
        .unwrap_or_default();
    let approve = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = ApproveAction {
            plan_hash: hash.clone(),
            password: password.get_untracked(),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        spawn_local(async move {
            let result = session.check(api::approve_action(&session.csrf(), id, req, &body).await);
            busy.set(false);
            password.set(String::new());
            match result {
                Ok(_) => failure.set(None),
                Err(e) => failure.set(Some(e.message)),
            }
        });
    };
    let withdraw = move |_| {
        spawn_local(async move {
            if let Err(e) = session.check(api::withdraw_action(&session.csrf(), id, req).await) {
                failure.set(Some(e.message));
            }
        });
    };
    view! {
        <div class="action-waiting" data-testid="action-waiting" data-request=req.to_string()>
            <p class="field-label">{format!("Waiting for a second commander: {} · {}", request.title, request.target)}</p>
            <p class="field-hint">{format!("Requested by {}", request.requested_by)}</p>
            {request.plan.clone().map(|p| view! { <PlanView plan=p /> })}
            {commander.then(|| view! {
                <form class="approve" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); approve(()); }>
                    {mine.then(|| view! {
                        <p class="field-hint">"You asked for this: only a break-glass approval, with a reason, is possible (if the gateway allows it)."</p>
                        <label class="field">
                            <span class="field-label">"Why (posted to the incident channel)"</span>
                            <input type="text" data-testid="approve-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </label>
                    })}
                    <label class="field">
                        <span class="field-label">"Your password, to approve"</span>
                        <input type="password" autocomplete="current-password" data-testid="approve-password" prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="btn btn-primary btn-big" data-testid="approve" disabled=move || busy.get()>
                        {move || if busy.get() { "Approving…" } else { "Approve and run" }}
                    </button>
                </form>
            })}
            {mine.then(|| view! {
                <button type="button" class="btn" data-testid="withdraw" on:click=withdraw>"Withdraw"</button>
            })}
        </div>
    }
}

/// A run in progress: its progress and the last lines of its output.
#[component]
fn Running(
    request: ActionRequestInfo,
    output: RwSignal<BTreeMap<i64, Vec<String>>>,
) -> impl IntoView {
    let req = request.id;
    view! {
        <div class="action-running" data-testid="action-running" role="status">
            <p class="field-label">{format!("Running: {} · {}", request.title, request.target)}</p>
            {request.progress.clone().map(|p| view! { <p data-testid="action-progress">{p}</p> })}
            <pre class="action-output" data-testid="action-output">
                {move || output.with(|o| o.get(&req).map(|l| l.join("\n")).unwrap_or_default())}
            </pre>
        </div>
    }
}

/// Preparing an action: its values, then the plan to review, the confirmation, and the run.
#[component]
fn Planner(
    session: Session,
    id: i64,
    draft: RwSignal<Option<Draft>>,
    catalog: RwSignal<Vec<ActionInfo>>,
    shown_once: RwSignal<Option<String>>,
    after: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let plan = RwSignal::new(None::<ActionPlan>);
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<ActionRequestInfo>);
    let busy = RwSignal::new(false);
    let info = Memo::new(move |_| {
        let d = draft.get()?;
        catalog.with(|c| c.iter().find(|a| a.id == d.action).cloned())
    });
    // The values as typed, and for a list the first choice when none was picked.
    let body = move || {
        let d = draft.get_untracked()?;
        let mut params = d.params;
        if let Some(a) = info.get_untracked() {
            for p in &a.params {
                if let (false, Some(first)) = (params.contains_key(&p.name), p.choices.first()) {
                    params.insert(p.name.clone(), first.clone());
                }
            }
        }
        Some(PlanAction {
            action: d.action,
            params,
            step: d.step,
        })
    };
    let review = move || {
        let Some(b) = body() else { return };
        busy.set(true);
        error.set(None);
        result.set(None);
        spawn_local(async move {
            let answer = session.check(api::plan_action(&session.csrf(), id, &b).await);
            busy.set(false);
            match answer {
                Ok(p) => plan.set(Some(p)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let run = move || {
        let (Some(b), Some(p)) = (body(), plan.get_untracked()) else {
            return;
        };
        busy.set(true);
        error.set(None);
        let request = RequestAction {
            action: b.action,
            params: b.params,
            step: b.step,
            plan_hash: p.hash.clone(),
            confirm: Some(confirm.get_untracked()).filter(|c| !c.is_empty()),
        };
        spawn_local(async move {
            let answer = session.check(api::request_action(&session.csrf(), id, &request).await);
            busy.set(false);
            match answer {
                Ok(a) => {
                    shown_once.set(a.shown_once);
                    result.set(Some(a.request));
                    plan.set(None);
                    confirm.set(String::new());
                    after();
                }
                Err(e) if e.code == "plan_changed" => {
                    error.set(Some(e.message));
                    plan.set(None);
                    review();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let set_param = move |name: String, value: String| {
        draft.update(|d| {
            if let Some(d) = d {
                d.params.insert(name, value);
            }
        });
        plan.set(None);
    };
    view! {
        <div class="planner" data-testid="planner">
            {move || info.get().map(|a| {
                let fixed = draft.with_untracked(|d| d.as_ref().map(|d| d.params.clone()).unwrap_or_default());
                view! {
                    <p class="step-title">{a.title.clone()}</p>
                    <p class="field-hint">{a.explains.clone()}</p>
                    {a.params.iter().map(|p| {
                        let name = p.name.clone();
                        let given = fixed.get(&p.name).cloned();
                        let input = if p.choices.is_empty() {
                            let n = name.clone();
                            view! {
                                <input type="text" data-testid=format!("param-{}", p.name) placeholder=p.kind.hint()
                                    prop:value=given.clone().unwrap_or_default()
                                    on:change=move |ev| set_param(n.clone(), event_target_value(&ev)) />
                            }.into_any()
                        } else {
                            let n = name.clone();
                            let choices = p.choices.clone();
                            view! {
                                <select data-testid=format!("param-{}", p.name) on:change=move |ev| set_param(n.clone(), event_target_value(&ev))>
                                    {choices.into_iter().map(|c| {
                                        let selected = given.as_deref() == Some(c.as_str());
                                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            }.into_any()
                        };
                        view! {
                            <label class="field">
                                <span class="field-label">{p.label.clone()}</span>
                                {input}
                            </label>
                        }
                    }).collect_view()}
                }
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="plan-error">{e}</p> })}
            {move || match plan.get() {
                None => view! {
                    <div class="step-controls">
                        <button type="button" class="btn btn-primary btn-big" data-testid="review-plan" disabled=move || busy.get() on:click=move |_| review()>
                            {move || if busy.get() { "Looking…" } else { "Review what it will do" }}
                        </button>
                        <button type="button" class="btn" data-testid="cancel-plan" on:click=move |_| draft.set(None)>"Cancel"</button>
                    </div>
                }.into_any(),
                Some(p) => {
                    let approval = p.needs_approval;
                    let confirm_word = p.confirm.clone();
                    view! {
                        <PlanView plan=p />
                        {confirm_word.map(|w| view! {
                            <label class="field">
                                <span class="field-label">{format!("Type {w} to confirm")}</span>
                                <input type="text" autocapitalize="off" autocomplete="off" data-testid="confirm" prop:value=confirm on:input=move |ev| confirm.set(event_target_value(&ev)) />
                            </label>
                        })}
                        <div class="step-controls">
                            <button type="button" class="btn btn-primary btn-big" data-testid="run-action" disabled=move || busy.get() on:click=move |_| run()>
                                {move || match (busy.get(), approval) {
                                    (true, _) => "Working…",
                                    (false, true) => "Ask a second commander",
                                    (false, false) => "Run it",
                                }}
                            </button>
                            <button type="button" class="btn" data-testid="cancel-plan" on:click=move |_| { plan.set(None); draft.set(None); }>"Cancel"</button>
                        </div>
                    }.into_any()
                }
            }}
            {move || result.get().map(|r| {
                let ok = r.result.as_ref().is_some_and(|x| x.ok);
                view! {
                    <div class=if ok || r.state == RequestState::Pending { "step-result" } else { "step-result step-failed" }
                        data-testid="action-result" data-state=state_name(r.state)>
                        <p class="field-label">{format!("{} · {}: {}", r.title, r.target, r.state.label())}</p>
                        {r.result.map(|x| view! {
                            <p>{x.summary}</p>
                            <details><summary>"Output"</summary><pre>{x.output.join("\n")}</pre></details>
                        })}
                        <button type="button" class="btn btn-small" on:click=move |_| { result.set(None); draft.set(None); }>"Close"</button>
                    </div>
                }
            })}
        </div>
    }
}
