//! Wraps a page that needs a session (and, for admin pages, a commander).
//!
//! While `/api/me` is pending it says so; signed out it renders nothing, because the shell's
//! redirect effect is already on its way to `/login`. A signed-in user without the role sees why,
//! instead of a page of 403s (the gateway refuses the calls anyway).

use leptos::prelude::*;

use crate::model::access::{Access, Auth};
use crate::net::session::Session;

#[component]
pub fn Gate(
    session: Session,
    /// Only commanders (with an account, not a share link) may see the children.
    #[prop(optional)]
    commander: bool,
    children: ChildrenFn,
) -> impl IntoView {
    move || match session.auth.get() {
        Auth::Unknown => view! {
            <p class="note" role="status" data-testid="session-loading">
                "Checking your session…"
            </p>
            {move || {
                session
                    .unreachable
                    .get()
                    .map(|e| view! { <p class="error" role="alert">{e} " Retrying…"</p> })
            }}
        }
        .into_any(),
        Auth::SignedOut { .. } => ().into_any(),
        Auth::SignedIn(me) if commander && !Access::of(&me).can_administer() => view! {
            <p class="error" role="alert" data-testid="forbidden">
                "Only an incident commander can open this page."
            </p>
            <p>
                <a href="/">"Back to the health board"</a>
            </p>
        }
        .into_any(),
        Auth::SignedIn(_) => children().into_any(),
    }
}
