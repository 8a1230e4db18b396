//! The header's overdue banner, on every page for responders and commanders: each open incident
//! that missed its first response or its status update, linking to it. It reads the live clock,
//! so it appears (and counts up) without a reload.

use leptos::prelude::*;

use crate::components::router::A;
use crate::model::adapters::deadlines::overdue_lines;
use crate::net::live::Live;

#[component]
pub fn OverdueBanner(live: Live) -> impl IntoView {
    let lines = Memo::new(move |_| {
        let now = live.server_now();
        live.incidents
            .with(|s| overdue_lines(s.incidents.values(), now))
    });
    let ids = Memo::new(move |_| lines.with(|ls| ls.iter().map(|l| l.id).collect::<Vec<_>>()));
    // Announced when the set of late incidents changes, not at every tick.
    let announcement = move || {
        ids.with(|ids| {
            if ids.is_empty() {
                String::new()
            } else {
                let refs: Vec<String> = ids.iter().map(|id| format!("INC-{id}")).collect();
                format!("Overdue: {}", refs.join(", "))
            }
        })
    };
    view! {
        <p class="sr-only" role="alert">
            {announcement}
        </p>
        // Rebuilt when the set of late incidents changes; the texts tick in place.
        {move || {
            let late = ids.get();
            (!late.is_empty())
                .then(|| {
                    let links = late
                        .into_iter()
                        .map(|id| {
                            let text = move || {
                                lines
                                    .with(|ls| {
                                        ls.iter().find(|l| l.id == id).map(|l| l.text.clone())
                                    })
                            };
                            view! {
                                <A href=format!("/incidents/{id}") testid=format!("overdue-link-{id}")>
                                    {text}
                                </A>
                            }
                        })
                        .collect_view();
                    view! {
                        <div
                            class="overdue-banner"
                            data-testid="overdue-banner"
                            role="region"
                            aria-label="Overdue incidents"
                        >
                            {links}
                        </div>
                    }
                })
        }}
    }
}
