//! The router's fallback: any path the SPA does not know (the gateway serves `index.html` for all
//! of them).

use crate::components::router::use_location;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <section class="not-found" data-testid="not-found">
            <h2>"Page not found"</h2>
            <p>"Nothing lives at " <code>{move || location.pathname.get()}</code> "."</p>
            <p>
                <a href="/">"Back to the health board"</a>
            </p>
        </section>
    }
}
