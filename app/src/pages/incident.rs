//! `/incidents/:id`: one incident. Its summary comes from the shared store (so it follows the
//! websocket); `GET /api/incidents/{id}` adds the timeline, the deliveries and the board at
//! declaration, and is asked again after every reconnect since entries may have been missed.
//!
//! Responders get the actions while the incident is open; commanders also re-grade and may
//! override the all-up rule when resolving. Stakeholders see the same page without forms.

mod ack;
mod actions;
mod audit;
mod composer;
mod deadlines;
mod follow_ups;
mod note;
mod regrade;
mod resolve;
mod scope_editor;
mod timeline;
mod walkthrough;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{HealthSnapshot, IncidentSummary, Phase, Severity};

use crate::components::gate::Gate;
use crate::components::incident_meta::{cadence_memo, ensure_meta, services_memo};
use crate::components::local_time::local_time;
use crate::components::router::{use_location, A};
use crate::components::severity_badge::SeverityBadge;
use crate::model::access::Access;
use crate::model::adapters::incident_forms::not_up_lines;
use crate::model::route::{Page, RETROSPECTIVE};
use crate::model::time;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;
use ack::AckButton;
use actions::{Actions, Draft};
use audit::AuditLog;
use composer::{Composer, Draft as UpdateDraft};
use deadlines::Deadlines;
use follow_ups::{RelatedItems, RetroCard};
use note::NoteForm;
use regrade::RegradeForm;
use resolve::ResolveForm;
use scope_editor::ScopeEditor;
use timeline::Timeline;
use walkthrough::Walkthroughs;

#[component]
pub fn IncidentPage(session: Session, live: Live) -> impl IntoView {
    let location = use_location();
    // `/incidents/{id}/retrospective` comes through this chunk and loads its own.
    let retrospective = Memo::new(move |_| {
        location
            .page
            .with(|p| matches!(p, Page::Incident(id) if id.ends_with(RETROSPECTIVE)))
    });
    move || {
        if retrospective.get() {
            crate::lazy_routes::retro_page()
        } else {
            view! { <IncidentOnly session=session live=live /> }.into_any()
        }
    }
}

#[component]
fn IncidentOnly(session: Session, live: Live) -> impl IntoView {
    let location = use_location();
    let id = Memo::new(move |_| {
        location.page.with(|p| match p {
            Page::Incident(id) => id.trim().parse::<i64>().ok(),
            _ => None,
        })
    });
    view! {
        <Gate session=session>
            {move || match id.get() {
                Some(id) => view! { <Detail session=session live=live id=id /> }.into_any(),
                None => {
                    view! {
                        <section class="page">
                            <p class="error" role="alert" data-testid="form-error">
                                "That is not an incident number."
                            </p>
                            <p>
                                <a href="/incidents">"All incidents"</a>
                            </p>
                        </section>
                    }
                        .into_any()
                }
            }}
        </Gate>
    }
}

#[component]
fn Detail(session: Session, live: Live, id: i64) -> impl IntoView {
    let board_at = RwSignal::new(None::<HealthSnapshot>);
    // The fetched summary, for an old incident the socket's list does not carry (it is dropped
    // from the store at the next reconnect, and fetched again).
    let fetched = RwSignal::new(None::<IncidentSummary>);
    let load_error = RwSignal::new(None::<String>);
    let meta_error = RwSignal::new(None::<String>);
    ensure_meta(live, session, meta_error);

    let epoch = Memo::new(move |_| live.incidents.with(|s| s.epoch));
    Effect::new(move |_| {
        // Read, not only tracked: a memo nobody reads is never computed, so it never changes.
        let _ = epoch.get();
        spawn_local(async move {
            match session.check(api::incident(id).await) {
                Ok(detail) => {
                    load_error.set(None);
                    fetched.set(Some(detail.incident.clone()));
                    let board = live.incidents.try_update(|s| s.apply_detail(detail));
                    board_at.set(board);
                }
                Err(e) if e.signed_out() => {}
                Err(e) => load_error.set(Some(e.message)),
            }
        });
    });

    let incident = Memo::new(move |_| {
        let held = live.incidents.with(|s| s.get(id).cloned());
        match (held, fetched.get()) {
            (Some(a), Some(b)) if b.version > a.version => Some(b),
            (a, b) => a.or(b),
        }
    });
    let present = Memo::new(move |_| incident.with(Option::is_some));

    view! {
        <article class="page incident" data-testid="incident-page">
            <p class="back">
                <A href="/incidents">"← All incidents"</A>
            </p>
            {move || {
                load_error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })
            }}
            {move || {
                (!present.get() && load_error.with(Option::is_none))
                    .then(|| view! { <p class="note" role="status">{format!("Loading INC-{id}…")}</p> })
            }}
            <Show when=move || present.get()>
                <Loaded session=session live=live id=id incident=incident board_at=board_at />
            </Show>
            {move || meta_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </article>
    }
}

#[component]
fn Loaded(
    session: Session,
    live: Live,
    id: i64,
    incident: Memo<Option<IncidentSummary>>,
    board_at: RwSignal<Option<HealthSnapshot>>,
) -> impl IntoView {
    let access = Memo::new(move |_| session.access());
    let can_respond = move || access.get().is_some_and(Access::can_respond);
    let can_command = move || access.get().is_some_and(Access::can_command);
    // For props fixed at creation (the page re-renders on sign-in as someone else anyway).
    let (responder, commander) = access.with_untracked(|a| {
        (
            a.is_some_and(Access::can_respond),
            a.is_some_and(Access::can_command),
        )
    });
    let phase =
        Memo::new(move |_| incident.with(|i| i.as_ref().map_or(Phase::Resolved, |i| i.phase)));
    let open = move || phase.get().is_open();
    let severity = Signal::derive(move || {
        incident.with(|i| i.as_ref().map_or(Severity::Sev4, |i| i.severity))
    });
    let text = move |f: fn(&IncidentSummary) -> String| {
        incident.with(|i| i.as_ref().map(f).unwrap_or_default())
    };
    let draft = UpdateDraft::new();
    // An action being prepared, from the actions list, a mitigation or a walkthrough step.
    let action_draft = RwSignal::new(None::<Draft>);
    let services = services_memo(live);
    let cadence = cadence_memo(live);

    view! {
        <header class="incident-head" data-phase=move || phase.get().as_str()>
            <p class="incident-ref">{move || text(IncidentSummary::reference)}</p>
            <h2 class="page-title">{move || text(|i| i.title.clone())}</h2>
            <p class="incident-tags">
                <SeverityBadge severity=severity test_id="incident-severity" />
                <span
                    class="phase-label"
                    data-testid="incident-phase"
                    data-phase=move || phase.get().as_str()
                >
                    {move || phase.get().label()}
                </span>
                {move || {
                    incident
                        .with(|i| i.as_ref().is_some_and(|i| i.compromise))
                        .then(|| view! { <span class="compromise-tag">"Confirmed compromise"</span> })
                }}
            </p>
        </header>
        <Deadlines live=live incident=incident />
        <RetroCard live=live id=id incident=incident responder=responder />
        <Show when=move || can_respond() && open()>
            <RelatedItems session=session id=id />
        </Show>
        <Facts live=live incident=incident responder=responder />
        <Show when=move || can_respond() && open()>
            <Show when=move || phase.get() == Phase::Declared>
                <AckButton session=session live=live id=id draft=draft />
            </Show>
            <Walkthroughs session=session live=live id=id action_draft=action_draft />
            <Actions session=session live=live id=id draft=action_draft responder=true commander=commander />
            <Composer session=session live=live id=id draft=draft cadence=cadence />
            <NoteForm session=session live=live id=id />
        </Show>
        <Show when=move || !can_respond()>
            <Actions session=session live=live id=id draft=action_draft responder=false commander=false />
        </Show>
        <Timeline session=session live=live id=id can_retry=responder />
        <Show when=move || can_respond() && open()>
            <ScopeEditor session=session live=live id=id services=services />
            <Show when=can_command>
                <RegradeForm session=session live=live id=id />
            </Show>
            <ResolveForm session=session live=live id=id commander=commander />
        </Show>
        <BoardAtDeclaration board_at=board_at />
        <Show when=can_command>
            <AuditLog session=session id=id />
        </Show>
    }
}

/// What is broken, the scope, who declared, the latest update and, once resolved, the outcome.
#[component]
fn Facts(
    live: Live,
    incident: Memo<Option<IncidentSummary>>,
    /// Failed channel messages are the responders' to retry.
    responder: bool,
) -> impl IntoView {
    let text = move |f: fn(&IncidentSummary) -> String| {
        incident.with(|i| i.as_ref().map(f).unwrap_or_default())
    };
    let declared = move || {
        let now = live.server_now();
        incident.with(|i| {
            i.as_ref()
                .map(|i| {
                    format!(
                        "by {} at {} ({})",
                        i.declared_by,
                        local_time(i.declared_at_ms, false),
                        time::ago(now - i.declared_at_ms)
                    )
                })
                .unwrap_or_default()
        })
    };
    let resolved = move || {
        incident.with(|i| {
            let i = i.as_ref()?;
            let at = i.resolved_at_ms?;
            let by = i
                .resolved_by
                .clone()
                .unwrap_or_else(|| "someone".to_owned());
            Some((
                format!("by {by} at {}", local_time(at, false)),
                i.impact.clone(),
            ))
        })
    };
    // While it is due, the retrospective card above counts it down (one countdown per page).
    let retrospective = move || {
        incident.with(|i| {
            let at = i.as_ref()?.retrospective_finished_ms?;
            Some(format!("finished at {}", local_time(at, false)))
        })
    };
    let failed = move || incident.with(|i| i.as_ref().map_or(0, |i| i.failed_deliveries));
    view! {
        <dl class="facts">
            <div class="fact">
                <dt>"What is broken"</dt>
                <dd>{move || text(|i| i.broken.clone())}</dd>
            </div>
            <div class="fact">
                <dt>"Scope"</dt>
                <dd data-testid="incident-scope">{move || text(|i| i.scope.summary())}</dd>
            </div>
            <div class="fact">
                <dt>"Declared"</dt>
                <dd>{declared}</dd>
            </div>
            <div class="fact">
                <dt>"Latest update"</dt>
                <dd data-testid="incident-last-update">
                    {move || {
                        incident
                            .with(|i| i.as_ref().and_then(|i| i.last_update.clone()))
                            .unwrap_or_else(|| "None yet".to_owned())
                    }}
                </dd>
            </div>
            {move || {
                resolved()
                    .map(|(when, impact)| {
                        view! {
                            <div class="fact">
                                <dt>"Resolved"</dt>
                                <dd>{when}</dd>
                            </div>
                            {impact
                                .map(|impact| {
                                    view! {
                                        <div class="fact">
                                            <dt>"Impact"</dt>
                                            <dd data-testid="incident-impact">{impact}</dd>
                                        </div>
                                    }
                                })}
                        }
                    })
            }}
            {move || {
                retrospective()
                    .map(|r| {
                        view! {
                            <div class="fact">
                                <dt>"Retrospective"</dt>
                                <dd>{r}</dd>
                            </div>
                        }
                    })
            }}
        </dl>
        {move || {
            (responder && failed() > 0)
                .then(|| {
                    view! {
                        <p class="error" role="alert" data-testid="failed-deliveries">
                            {format!(
                                "{} message(s) did not reach the incident channel. Retry below, or post by hand.",
                                failed(),
                            )}
                        </p>
                    }
                })
        }}
    }
}

/// The board when the incident was declared, folded: the checks that were not up.
#[component]
fn BoardAtDeclaration(board_at: RwSignal<Option<HealthSnapshot>>) -> impl IntoView {
    move || {
        board_at.get().map(|board| {
            let lines = not_up_lines(&board.checks);
            let summary = match lines.len() {
                0 => "Board at declaration: all up".to_owned(),
                n => format!("Board at declaration: {n} not up"),
            };
            view! {
                <details class="card board-at" data-testid="board-at-declaration">
                    <summary>{summary}</summary>
                    {if lines.is_empty() {
                        view! { <p class="hint">"Every check was up when it was declared."</p> }
                            .into_any()
                    } else {
                        view! {
                            <ul class="board-at-list">
                                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </details>
            }
        })
    }
}
