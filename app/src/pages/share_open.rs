//! `/share/:token`: a stakeholder opens a link a commander sent them.
//!
//! `POST /api/share/{token}` turns the link into a read-only session; the board then shows right
//! here, so the URL they were given keeps working on reload (it re-opens the session) for as long
//! as the link does. An expired or revoked link gets a page that says so and what to do, instead of
//! a login form they have no account for.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::router::use_location;
use crate::model::access::Auth;
use crate::model::route::Page;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;
use crate::pages::board::Board;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Opening {
    Pending,
    Open,
    Gone,
    Failed(String),
}

#[component]
pub fn ShareOpen(session: Session, live: Live) -> impl IntoView {
    let location = use_location();
    let state = RwSignal::new(Opening::Pending);

    let open = move || {
        let token = location.page.with_untracked(|p| match p {
            Page::Share(token) => token.clone(),
            _ => String::new(),
        });
        state.set(Opening::Pending);
        spawn_local(async move {
            state.set(match api::open_share(&token).await {
                Ok(me) => {
                    session.sign_in(me);
                    Opening::Open
                }
                Err(e) if e.gone() => {
                    session.end(false);
                    Opening::Gone
                }
                Err(e) => Opening::Failed(e.message),
            });
        });
    };
    open();

    // The session ended while the board was up (the link was revoked or expired mid-incident):
    // ask again, which lands on the "expired or revoked" page, or carries on if it still works.
    Effect::new(move |_| {
        let ended = session.auth.with(|a| matches!(a, Auth::SignedOut { .. }));
        if ended && state.get_untracked() == Opening::Open {
            open();
        }
    });

    move || {
        match state.get() {
        Opening::Pending => view! {
            <p class="note" role="status" data-testid="share-opening">
                "Opening the shared board…"
            </p>
        }
        .into_any(),
        Opening::Open => view! { <Board live=live session=session /> }.into_any(),
        Opening::Gone => view! {
            <section class="page gone" data-testid="share-gone">
                <h2 class="page-title">"This link no longer works"</h2>
                <p>
                    "This link has expired or was revoked; ask the incident commander for a new one."
                </p>
            </section>
        }
        .into_any(),
        Opening::Failed(message) => view! {
            <section class="page">
                <p class="error" role="alert" data-testid="share-error">
                    {message}
                </p>
                <button type="button" class="btn" on:click=move |_| open()>
                    "Try again"
                </button>
            </section>
        }
        .into_any(),
    }
    }
}
