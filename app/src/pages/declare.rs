//! `/incidents/new`: declare an incident. The playbook's severity matrix is the choice itself (one
//! card per level with its definition and first-response time); a confirmed compromise forces and
//! locks Sev 1. On success the incident's page opens.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::{IncidentScope, NewIncident, Severity, COMPROMISE_RULE};

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::components::gate::Gate;
use crate::components::incident_meta::{ensure_meta, services_memo};
use crate::components::router::{use_location, History};
use crate::components::scope_picker::ScopePicker;
use crate::model::access::Access;
use crate::model::adapters::incident_forms::{normalized, require};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn DeclarePage(session: Session, live: Live) -> impl IntoView {
    let can_respond = move || session.access().is_some_and(Access::can_respond);
    view! {
        <Gate session=session>
            <Show
                when=can_respond
                fallback=|| {
                    view! {
                        <section class="page">
                            <p class="error" role="alert" data-testid="forbidden">
                                "Only responders and commanders can declare an incident."
                            </p>
                            <p>
                                <a href="/incidents">"Back to the incidents"</a>
                            </p>
                        </section>
                    }
                }
            >
                <DeclareForm session=session live=live />
            </Show>
        </Gate>
    }
}

#[component]
fn DeclareForm(session: Session, live: Live) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let broken = RwSignal::new(String::new());
    let severity = RwSignal::new(None::<Severity>);
    let compromise = RwSignal::new(false);
    let scope = RwSignal::new(IncidentScope::default());
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let meta_error = RwSignal::new(None::<String>);
    ensure_meta(live, session, meta_error);
    let services = services_memo(live);
    let location = use_location();

    // A link from alerting (`/incidents/new?playbook=database-tls&service=ciam-kratos`, e.g. as
    // Alertmanager's runbook_url): the playbook starts once the incident is declared, the service
    // is in the scope. Unknown names are said, not used.
    let wanted = location.query("playbook").filter(|p| !p.trim().is_empty());
    let playbook = RwSignal::new(None::<Result<(String, String), String>>);
    if let Some(id) = wanted {
        leptos::task::spawn_local(async move {
            let found = match session.check(api::playbooks().await) {
                Ok(catalog) => catalog
                    .playbooks
                    .into_iter()
                    .find(|p| p.id == id)
                    .map(|p| (p.id, p.title))
                    .ok_or_else(|| {
                        format!(
                            "There is no playbook “{id}”; declare, then pick one on the incident."
                        )
                    }),
                Err(e) => Err(e.message),
            };
            let _ = playbook.try_set(Some(found));
        });
    }
    if let Some(service) = location.query("service") {
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let known = services.with(|s| s.contains(&service));
            if known {
                scope.update(|sc| {
                    if !sc.services.contains(&service) {
                        sc.services.push(service.clone());
                    }
                });
            }
            known
        });
    }

    // A confirmed compromise is Sev 1 whatever was picked.
    let chosen = move || {
        if compromise.get() {
            Some(Severity::Sev1)
        } else {
            severity.get()
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let checked = (|| {
            let title = require(&title.get_untracked(), "Give the incident a title.")?;
            let broken = require(&broken.get_untracked(), "Say what is broken.")?;
            let compromise = compromise.get_untracked();
            let severity = if compromise {
                Severity::Sev1
            } else {
                severity
                    .get_untracked()
                    .ok_or_else(|| "Choose a severity from the matrix.".to_owned())?
            };
            Ok::<_, String>(NewIncident {
                title,
                broken,
                severity,
                compromise,
                scope: scope.with_untracked(normalized),
            })
        })();
        let new = match checked {
            Ok(new) => new,
            Err(e) => return form.refuse(e),
        };
        let request = async move { api::declare(&session.csrf(), &new).await };
        let start = playbook
            .get_untracked()
            .and_then(Result::ok)
            .map(|(id, _)| id);
        form.send(session, request, move |written| {
            let id = written.incident.id;
            live.incidents.update(|s| s.apply_written(written));
            match start {
                // The walkthrough panel offers every playbook should this fail.
                Some(playbook) => leptos::task::spawn_local(async move {
                    let _ = api::start_run(&session.csrf(), id, &playbook).await;
                    location.navigate(&format!("/incidents/{id}"), History::Push);
                }),
                None => location.navigate(&format!("/incidents/{id}"), History::Push),
            }
            None
        });
    };

    view! {
        <section class="page" aria-labelledby="declare-title">
            <p class="back">
                <a href="/incidents">"← All incidents"</a>
            </p>
            <h2 id="declare-title" class="page-title">
                "Declare an incident"
            </h2>
            {move || {
                playbook
                    .get()
                    .map(|p| match p {
                        Ok((_, title)) => view! {
                            <p class="note" data-testid="declare-playbook">
                                "Once declared, the walkthrough “" {title} "” starts."
                            </p>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p class="error" data-testid="declare-playbook">{e}</p>
                        }
                        .into_any(),
                    })
            }}
            <form class="form card" novalidate on:submit=on_submit>
                <div class="field">
                    <label class="field-label" for="declare-title-input">
                        "Title"
                    </label>
                    <input
                        id="declare-title-input"
                        type="text"
                        required
                        maxlength="200"
                        autocomplete="off"
                        placeholder="e.g. Customer logins failing"
                        data-testid="declare-title"
                        bind:value=title
                    />
                </div>
                <div class="field">
                    <label class="field-label" for="declare-broken">
                        "What is broken"
                    </label>
                    <textarea
                        id="declare-broken"
                        rows="3"
                        required
                        placeholder="What you see, in your own words"
                        data-testid="declare-broken"
                        bind:value=broken
                    ></textarea>
                </div>
                <label class="check-card" data-checked=move || compromise.get().to_string()>
                    <input
                        type="checkbox"
                        data-testid="compromise"
                        prop:checked=move || compromise.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            compromise.set(on);
                            if on {
                                severity.set(Some(Severity::Sev1));
                            }
                        }
                    />
                    <span class="check-card-body">
                        <strong>
                            "Confirmed compromise (credentials leaked, unauthorized admin access)"
                        </strong>
                        <span class="field-hint">{COMPROMISE_RULE}</span>
                    </span>
                </label>
                <fieldset class="sev-matrix">
                    <legend class="field-label">"Severity"</legend>
                    {Severity::ALL
                        .into_iter()
                        .map(|sev| {
                            let locked = move || compromise.get() && sev != Severity::Sev1;
                            view! {
                                <label
                                    class="sev-card"
                                    data-severity=sev.as_str()
                                    data-checked=move || (chosen() == Some(sev)).to_string()
                                    data-locked=move || locked().to_string()
                                >
                                    <input
                                        type="radio"
                                        name="severity"
                                        value=sev.as_str()
                                        data-testid=format!("severity-{}", sev.as_str())
                                        prop:checked=move || chosen() == Some(sev)
                                        disabled=locked
                                        on:change=move |_| severity.set(Some(sev))
                                    />
                                    <span class="sev-card-body">
                                        <span class="sev-card-head">
                                            <span class="sev-badge" data-severity=sev.as_str()>
                                                {sev.label()}
                                            </span>
                                            <span class="sev-response">
                                                "First response: " {sev.first_response()}
                                            </span>
                                        </span>
                                        <span class="sev-definition">{sev.definition()}</span>
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <ScopePicker scope=scope services=services />
                {move || meta_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <FormOutcome outcome=outcome />
                <SubmitButton busy=busy label="Declare incident" busy_label="Declaring…" testid="declare-submit" primary=true big=true />
            </form>
        </section>
    }
}
