//! The incident page's scope card: the shared [`ScopePicker`] over a copy of the incident's scope,
//! and Save.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::IncidentScope;

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::components::scope_picker::ScopePicker;
use crate::model::adapters::incident_forms::normalized;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// The detail page's scope card: the picker over a copy of the incident's scope, and Save
/// (`PUT /api/incidents/{id}/scope`). A change made elsewhere replaces the copy unless it has
/// unsaved edits.
#[component]
pub fn ScopeEditor(
    session: Session,
    live: Live,
    id: i64,
    services: Memo<Vec<String>>,
) -> impl IntoView {
    let current = Memo::new(move |_| {
        live.incidents
            .with(|s| s.get(id).map(|i| normalized(&i.scope)))
            .unwrap_or_default()
    });
    let draft = RwSignal::new(current.get_untracked());
    Effect::new(move |previous: Option<IncidentScope>| {
        let now = current.get();
        if previous.is_some_and(|p| draft.with_untracked(|d| *d == p)) {
            draft.set(now.clone());
        }
        now
    });
    let dirty = move || draft.with(normalized) != current.get();
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let scope = draft.with_untracked(normalized);
        let request = async move { api::set_scope(&session.csrf(), id, &scope).await };
        form.send(session, request, move |written| {
            live.incidents.update(|s| s.apply_written(written));
            Some("Scope saved.".to_owned())
        });
    };

    view! {
        <form class="card form" novalidate on:submit=on_submit aria-labelledby="scope-title">
            <h3 id="scope-title" class="card-title">
                "Scope"
            </h3>
            <ScopePicker scope=draft services=services />
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Save scope" busy_label="Saving…" testid="scope-submit" attr:data-dirty=move || dirty().to_string() />
        </form>
    }
}
