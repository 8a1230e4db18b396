//! The detail page's two big countdowns, ticking every second on the gateway's clock: first
//! response (until acknowledged) and the next status update. Overdue is loud: red, "OVERDUE by
//! m:ss", and announced once to screen readers (the ticking text itself is not a live region,
//! or it would be read out every second).

use leptos::prelude::*;
use wire::IncidentSummary;

use crate::components::local_time::local_time;
use crate::model::adapters::deadlines::{response_deadline, update_deadline, Deadline};
use crate::net::live::Live;

#[component]
pub fn Deadlines(live: Live, incident: Memo<Option<IncidentSummary>>) -> impl IntoView {
    let response = move || {
        let now = live.server_now();
        incident.with(|i| {
            i.as_ref()
                .map(|i| response_deadline(i, now, |ms| local_time(ms, false)))
        })
    };
    let update = move || {
        let now = live.server_now();
        incident.with(|i| i.as_ref().map(|i| update_deadline(i, now)))
    };
    // Changes only when a deadline flips to overdue (or back), not every second.
    let alarm = Memo::new(move |_| {
        let now = live.server_now();
        incident.with(|i| {
            let Some(i) = i else {
                return String::new();
            };
            let mut parts = Vec::new();
            if i.response_overdue(now) {
                parts.push(format!("{}: first response is overdue.", i.reference()));
            }
            if i.update_overdue(now) {
                parts.push(format!("{}: status update is overdue.", i.reference()));
            }
            parts.join(" ")
        })
    });
    view! {
        <div class="deadlines">
            <Clock test_id="response-countdown" deadline=Signal::derive(response) />
            <Clock test_id="update-countdown" deadline=Signal::derive(update) />
            <p class="sr-only" role="alert" aria-live="assertive">
                {move || alarm.get()}
            </p>
        </div>
    }
}

#[component]
fn Clock(test_id: &'static str, deadline: Signal<Option<Deadline>>) -> impl IntoView {
    let overdue = move || deadline.with(|d| d.as_ref().is_some_and(|d| d.overdue));
    view! {
        <p
            class="deadline"
            class:overdue=overdue
            data-testid=test_id
            data-overdue=move || overdue().to_string()
        >
            <span class="deadline-text">
                {move || deadline.with(|d| d.as_ref().map(|d| d.text.clone()))}
            </span>
        </p>
    }
}
