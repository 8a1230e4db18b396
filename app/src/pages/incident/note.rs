//! "Add note": the responders' working space on the timeline (stakeholders never see notes).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::NewNote;

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::incident_forms::require;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn NoteForm(session: Session, live: Live, id: i64) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let note = match require(&text.get_untracked(), "Write the note first.") {
            Ok(text) => NewNote { text },
            Err(e) => return form.refuse(e),
        };
        let request = async move { api::add_note(&session.csrf(), id, &note).await };
        form.send(session, request, move |written| {
            live.incidents.update(|s| s.apply_written(written));
            text.set(String::new());
            Some("Note added.".to_owned())
        });
    };
    view! {
        <form class="card form" novalidate on:submit=on_submit aria-labelledby="note-title">
            <h3 id="note-title" class="card-title">
                "Note"
            </h3>
            <div class="field">
                <label class="field-label" for="note-text">
                    "Add a note for responders"
                </label>
                <textarea
                    id="note-text"
                    rows="2"
                    required
                    aria-describedby="note-hint"
                    data-testid="note-text"
                    bind:value=text
                ></textarea>
                <span class="field-hint" id="note-hint">
                    "Stakeholders do not see notes."
                </span>
            </div>
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Add note" busy_label="Adding…" testid="note-submit" />
        </form>
    }
}
