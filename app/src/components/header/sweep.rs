//! The header's sweep line: the last sweep's age, and for responders the "Sweep now" button
//! (stakeholders and share viewers get a "Read-only view" note instead).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::model::adapters::header::{sweep_age, sweep_overdue};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// What stakeholders and share viewers get instead of the sweep button: the sweep's age and a note
/// saying why there are no controls.
#[component]
pub fn ReadOnlyBar(live: Live) -> impl IntoView {
    let age = move || {
        let at = live.board.with(|b| b.swept_at_ms);
        sweep_age(at, live.server_now())
    };
    view! {
        <div class="sweep">
            <p class="sweep-age">{age}</p>
            <p class="readonly" data-testid="readonly">
                "Read-only view"
            </p>
        </div>
    }
}

/// Age of the last sweep, and the button that asks for one now (`POST /api/sweep`).
#[component]
pub fn SweepBar(live: Live, session: Session) -> impl IntoView {
    let requesting = RwSignal::new(false);
    // Ok: a note ("already running"); Err: a failure. Cleared by the next click.
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // A stale board cannot know whether the gateway is still sweeping.
    let sweeping = move || !live.stale() && live.board.with(|b| b.sweeping);
    let busy = move || requesting.get() || sweeping();

    let age = move || {
        let (at, _) = live.board.with(|b| (b.swept_at_ms, b.interval_ms));
        sweep_age(at, live.server_now())
    };
    let overdue = move || {
        let (at, interval) = live.board.with(|b| (b.swept_at_ms, b.interval_ms));
        sweep_overdue(at, interval, live.server_now())
    };

    let on_click = move |_| {
        if requesting.get_untracked() {
            return;
        }
        requesting.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::sweep(&session.csrf()).await);
            requesting.set(false);
            outcome.set(match result {
                Ok(accepted) if !accepted.started => Some(Ok(
                    "A sweep was already running; its results are on the way.".to_owned(),
                )),
                Ok(_) => None,
                Err(e) => Some(Err(format!("Sweep request failed — {e}"))),
            });
        });
    };

    view! {
        <div class="sweep">
            <p class="sweep-age" data-overdue=move || overdue().to_string()>
                {age}
                {move || overdue().then_some(" — overdue")}
            </p>
            <button
                type="button"
                class="sweep-btn"
                data-testid="sweep-now"
                data-sweeping=move || sweeping().to_string()
                aria-busy=move || busy().to_string()
                disabled=busy
                on:click=on_click
            >
                <span class="sweep-spin" aria-hidden="true"></span>
                {move || {
                    if sweeping() {
                        "Sweeping…"
                    } else if requesting.get() {
                        "Requesting…"
                    } else {
                        "Sweep now"
                    }
                }}
            </button>
        </div>
        {move || {
            outcome
                .get()
                .map(|o| match o {
                    Ok(note) => view! { <p class="note" role="status">{note}</p> }.into_any(),
                    Err(e) => {
                        view! {
                            <p class="error" role="alert" data-testid="sweep-error">
                                {e}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
    }
}
