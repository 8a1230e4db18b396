//! Re-grade (commanders): a new severity and the reason, which goes on the timeline. The gateway
//! refuses to take a confirmed compromise below Sev 1; its message is shown as is.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::{Regrade, Severity, COMPROMISE_RULE};

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::incident_forms::require;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn RegradeForm(session: Session, live: Live, id: i64) -> impl IntoView {
    let current = Memo::new(move |_| {
        live.incidents
            .with(|s| s.get(id).map(|i| (i.severity, i.compromise)))
    });
    let current_severity = move || current.get().map_or(Severity::Sev4, |(s, _)| s);
    let compromise = move || current.get().is_some_and(|(_, c)| c);
    let picked = RwSignal::new(None::<Severity>);
    let chosen = move || picked.get().unwrap_or_else(current_severity);
    let reason = RwSignal::new(String::new());
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let severity = picked
            .get_untracked()
            .unwrap_or_else(|| current.get_untracked().map_or(Severity::Sev4, |(s, _)| s));
        let regrade = match require(&reason.get_untracked(), "Give a reason for the change.") {
            Ok(reason) => Regrade { severity, reason },
            Err(e) => return form.refuse(e),
        };
        let request = async move { api::regrade(&session.csrf(), id, &regrade).await };
        form.send(session, request, move |written| {
            let now = written.incident.severity;
            live.incidents.update(|s| s.apply_written(written));
            reason.set(String::new());
            picked.set(None);
            Some(format!("Now {}.", now.label()))
        });
    };

    view! {
        <form class="card form" novalidate on:submit=on_submit aria-labelledby="regrade-title">
            <h3 id="regrade-title" class="card-title">
                "Re-grade"
            </h3>
            <p class="field-hint">
                "Commander only. Currently " {move || current_severity().label()} "."
                {move || compromise().then(|| view! { " " {COMPROMISE_RULE} })}
            </p>
            <div class="field">
                <label class="field-label" for="regrade-severity">
                    "New severity"
                </label>
                <select
                    id="regrade-severity"
                    data-testid="regrade-severity"
                    prop:value=move || chosen().as_str()
                    on:change=move |ev| picked.set(Severity::parse(&event_target_value(&ev)))
                >
                    {Severity::ALL
                        .into_iter()
                        .map(|sev| {
                            view! {
                                <option value=sev.as_str() selected=move || chosen() == sev>
                                    {format!("{} — first response {}", sev.label(), sev.first_response())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="field-label" for="regrade-reason">
                    "Reason"
                </label>
                <textarea
                    id="regrade-reason"
                    rows="2"
                    required
                    data-testid="regrade-reason"
                    bind:value=reason
                ></textarea>
            </div>
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Change severity" busy_label="Changing…" testid="regrade-submit" />
        </form>
    }
}
