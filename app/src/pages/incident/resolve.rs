//! Resolve: the user-visible impact in words. The gateway resolves only when its current sweep is
//! all up (409 with what is not, otherwise); a commander may override that with a reason. The form
//! explains the board's state before the tap, from the live board.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::Resolve;

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::incident_forms::{not_up_lines, require};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn ResolveForm(session: Session, live: Live, id: i64, commander: bool) -> impl IntoView {
    let impact = RwSignal::new(String::new());
    let override_reason = RwSignal::new(String::new());
    // The gateway refused because its sweep is not all up (the local board may lag behind it).
    let refused = RwSignal::new(false);
    let not_up = Memo::new(move |_| live.board.with(|b| not_up_lines(&b.checks)));
    let loaded = move || live.board.with(|b| b.loaded);
    let all_up = move || loaded() && not_up.with(Vec::is_empty);
    let offer_override = move || commander && (!not_up.with(Vec::is_empty) || refused.get());
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let impact = match require(
            &impact.get_untracked(),
            "Describe the user-visible impact (\"none\" is an answer).",
        ) {
            Ok(impact) => impact,
            Err(e) => return form.refuse(e),
        };
        let reason = override_reason.get_untracked().trim().to_owned();
        let resolve = Resolve {
            impact,
            override_reason: (commander && !reason.is_empty()).then_some(reason),
        };
        let request = async move { api::resolve(&session.csrf(), id, &resolve).await };
        form.send_or(
            session,
            request,
            move |written| {
                // The page turns read-only; the timeline shows the resolution.
                live.incidents.update(|s| s.apply_written(written));
                None
            },
            move |e| {
                if e.status == 409 {
                    refused.set(true);
                }
            },
        );
    };
    let who_may_override = if commander {
        "As commander you may resolve anyway: say why below."
    } else {
        "Wait until every check is up, or ask a commander to resolve with an override."
    };

    view! {
        <form class="card form resolve" novalidate on:submit=on_submit aria-labelledby="resolve-title">
            <h3 id="resolve-title" class="card-title">
                "Resolve"
            </h3>
            {move || {
                if all_up() {
                    view! {
                        <p class="note" data-testid="resolve-board" data-all-up="true">
                            "The current sweep is all up."
                        </p>
                    }
                        .into_any()
                } else if loaded() {
                    view! {
                        <div class="resolve-warning" data-testid="resolve-board" data-all-up="false">
                            <p>
                                <strong>"The current sweep is not all up."</strong>
                                " The gateway resolves only when every check is up. "
                                {who_may_override}
                            </p>
                            <ul>
                                {not_up
                                    .get()
                                    .into_iter()
                                    .map(|line| view! { <li>{line}</li> })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
            <div class="field">
                <label class="field-label" for="resolve-impact">
                    "User-visible impact"
                </label>
                <textarea
                    id="resolve-impact"
                    rows="2"
                    required
                    aria-describedby="resolve-impact-hint"
                    data-testid="resolve-impact"
                    bind:value=impact
                ></textarea>
                <span class="field-hint" id="resolve-impact-hint">
                    "What users saw, and for how long. \"none\" is an answer."
                </span>
            </div>
            <Show when=offer_override>
                <div class="field">
                    <label class="field-label" for="resolve-override">
                        "Override: why resolve although not all up"
                    </label>
                    <textarea
                        id="resolve-override"
                        rows="2"
                        data-testid="resolve-override"
                        bind:value=override_reason
                    ></textarea>
                </div>
            </Show>
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Resolve incident" busy_label="Resolving…" testid="resolve-submit" primary=true />
        </form>
    }
}
