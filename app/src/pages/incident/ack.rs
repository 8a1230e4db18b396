//! "Acknowledge": meets the first-response deadline. For a Sev 1 or Sev 2 the gateway answers with
//! the playbook's first post, which goes into the composer ready to send (it is not sent here).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::composer::Draft;
use crate::components::form::{FormOutcome, Submission};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn AckButton(session: Session, live: Live, id: i64, draft: Draft) -> impl IntoView {
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let on_click = move |_| {
        if form.in_flight() {
            return;
        }
        let request = async move { api::acknowledge(&session.csrf(), id).await };
        form.send(session, request, move |ack| {
            if let Some(update) = &ack.proposed_update {
                draft.propose(update);
            }
            let proposed = ack.proposed_update.is_some();
            live.incidents.update(|s| {
                s.upsert(ack.incident);
                s.merge_entry(ack.entry);
            });
            if proposed {
                focus_post_button();
            }
            None
        });
    };
    view! {
        <div class="ack">
            <button
                type="button"
                class="btn btn-primary btn-big"
                data-testid="ack-button"
                disabled=move || busy.get()
                aria-busy=move || busy.get().to_string()
                on:click=on_click
            >
                {move || if busy.get() { "Acknowledging…" } else { "Acknowledge" }}
            </button>
            <FormOutcome outcome=outcome />
        </div>
    }
}

/// Brings the composer's "Post update" button into view and focus: one tap sends the proposal.
fn focus_post_button() {
    let button = document()
        .get_element_by_id("update-submit")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}
