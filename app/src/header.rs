//! The header every page shares: title, connection indicator, the production host, the last sweep
//! and the "Sweep now" button.
//!
//! It sits outside the routes because the connection and the host matter on every page of an
//! incident console.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::adapters::{sweep_age, sweep_overdue};
use crate::api;
use crate::live::Live;

/// The product and the environment it watches.
pub const TITLE: &str = "Aegis — Olympus";

#[component]
pub fn Header(live: Live) -> impl IntoView {
    view! {
        <header class="top">
            <div class="top-row">
                <h1 class="title">
                    <span class="title-mark" aria-hidden="true"></span>
                    {TITLE}
                </h1>
                <ConnIndicator live=live />
            </div>
            <HostLine live=live />
            <SweepBar live=live />
        </header>
    }
}

/// "Live", "Reconnecting in 4 s", "Offline". Not an aria-live region on purpose: a countdown would
/// be read out every second; the board's stale banner announces the loss once.
#[component]
fn ConnIndicator(live: Live) -> impl IntoView {
    view! {
        <p class="conn" data-testid="conn" data-state=move || live.conn.get().hook()>
            <span class="conn-dot" aria-hidden="true"></span>
            <span class="conn-label">{move || live.conn.get().label(live.now_ms.get())}</span>
        </p>
    }
}

/// Which host the gateway watches and whether it can reach it at all; the detail is a tooltip here
/// (the board prints it in full when the host is unreachable).
#[component]
fn HostLine(live: Live) -> impl IntoView {
    let host = move || live.board.with(|b| b.host.clone());
    let reachable = move || host().is_none_or(|h| h.reachable);
    view! {
        <p class="host" data-reachable=move || reachable().to_string()>
            {move || match host() {
                None => view! { <span class="host-target">"Host …"</span> }.into_any(),
                Some(h) => {
                    // The reason for "unreachable" is in the board's banner, in full.
                    let state = if h.reachable { "✓ reachable" } else { "✕ unreachable" };
                    view! {
                        <span class="host-target">"Host " <strong>{h.target}</strong></span>
                        <span class="host-state" title=h.detail>{state}</span>
                    }
                        .into_any()
                }
            }}
        </p>
    }
}

/// Age of the last sweep, and the button that asks for one now (`POST /api/sweep`).
#[component]
fn SweepBar(live: Live) -> impl IntoView {
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
            let result = api::sweep().await;
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
