//! The status-update composer, with the playbook's three fields. Acknowledging a Sev 1 or Sev 2
//! fills it with the playbook's first post (see `ack.rs`); nothing is sent until the responder
//! taps "Post update".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::NewStatusUpdate;

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::incident_forms::{parse_eta, require};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// The composer's fields, owned by the detail page so that the acknowledge button can fill them.
#[derive(Clone, Copy)]
pub struct Draft {
    pub known: RwSignal<String>,
    pub trying: RwSignal<String>,
    pub eta: RwSignal<String>,
    /// Filled with the playbook's proposal and not sent yet.
    pub proposed: RwSignal<bool>,
}

impl Draft {
    pub fn new() -> Self {
        Draft {
            known: RwSignal::new(String::new()),
            trying: RwSignal::new(String::new()),
            eta: RwSignal::new(String::new()),
            proposed: RwSignal::new(false),
        }
    }

    /// Puts the gateway's proposed update in the fields.
    pub fn propose(self, update: &NewStatusUpdate) {
        self.known.set(update.known.clone());
        self.trying.set(update.trying.clone());
        self.eta.set(update.eta_minutes.to_string());
        self.proposed.set(true);
    }

    /// Empties the fields after a post; the ETA goes back to the cadence.
    fn clear(self, cadence: Option<u32>) {
        self.known.set(String::new());
        self.trying.set(String::new());
        self.eta
            .set(cadence.map(|c| c.to_string()).unwrap_or_default());
        self.proposed.set(false);
    }
}

impl Default for Draft {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn Composer(
    session: Session,
    live: Live,
    id: i64,
    draft: Draft,
    cadence: Memo<Option<u32>>,
) -> impl IntoView {
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    // The ETA starts at the cadence as soon as it is known.
    Effect::new(move |_| {
        if let Some(c) = cadence.get() {
            if draft.eta.with_untracked(String::is_empty) {
                draft.eta.set(c.to_string());
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let checked = (|| {
            let known = require(
                &draft.known.get_untracked(),
                "Fill in \"What we know\": it is the heart of the update.",
            )?;
            let eta_minutes = parse_eta(&draft.eta.get_untracked(), cadence.get_untracked())?;
            Ok::<_, String>(NewStatusUpdate {
                known,
                trying: draft.trying.get_untracked().trim().to_owned(),
                eta_minutes,
            })
        })();
        let update = match checked {
            Ok(update) => update,
            Err(e) => return form.refuse(e),
        };
        let request = async move { api::post_update(&session.csrf(), id, &update).await };
        form.send(session, request, move |written| {
            live.incidents.update(|s| s.apply_written(written));
            draft.clear(cadence.get_untracked());
            Some("Status update posted.".to_owned())
        });
    };
    let eta_hint = move || match cadence.get() {
        Some(c) => format!("1 to {c} minutes: updates are due every {c} minutes."),
        None => "Minutes until the next update.".to_owned(),
    };

    view! {
        <form
            class="card form composer"
            novalidate
            on:submit=on_submit
            aria-labelledby="composer-title"
            data-proposed=move || draft.proposed.get().to_string()
        >
            <h3 id="composer-title" class="card-title">
                "Status update"
            </h3>
            <Show when=move || draft.proposed.get()>
                <p class="note proposal" role="status" data-testid="update-proposed">
                    "The playbook's first post is ready. Check it, then post it."
                </p>
            </Show>
            <div class="field">
                <label class="field-label" for="update-known">
                    "What we know"
                </label>
                <textarea
                    id="update-known"
                    rows="3"
                    required
                    data-testid="update-known"
                    bind:value=draft.known
                ></textarea>
            </div>
            <div class="field">
                <label class="field-label" for="update-trying">
                    "What we're trying"
                </label>
                <textarea
                    id="update-trying"
                    rows="2"
                    data-testid="update-trying"
                    bind:value=draft.trying
                ></textarea>
            </div>
            <div class="field">
                <label class="field-label" for="update-eta">
                    "ETA on next update (minutes)"
                </label>
                <input
                    id="update-eta"
                    class="eta"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max=move || cadence.get().map(|c| c.to_string())
                    step="1"
                    required
                    aria-describedby="update-eta-hint"
                    data-testid="update-eta"
                    bind:value=draft.eta
                />
                <span class="field-hint" id="update-eta-hint">
                    {eta_hint}
                </span>
            </div>
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Post update" busy_label="Posting…" testid="update-submit" primary=true big=true attr:id="update-submit" />
        </form>
    }
}
