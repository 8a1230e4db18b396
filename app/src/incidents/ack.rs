//! "Acknowledge": meets the first-response deadline. For a Sev 1 or Sev 2 the gateway answers with
//! the playbook's first post, which goes into the composer ready to send (it is not sent here).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::composer::Draft;
use super::{FormOutcome, Outcome};
use crate::api;
use crate::live::Live;
use crate::session::Session;

#[component]
pub fn AckButton(session: Session, live: Live, id: i64, draft: Draft) -> impl IntoView {
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let on_click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::acknowledge(&session.csrf(), id).await);
            busy.set(false);
            match result {
                Ok(ack) => {
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
                }
                Err(e) => outcome.set(Some(Err(e.message))),
            }
        });
    };
    let outcome: RwSignal<Outcome> = outcome;
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
