//! What the board points to (responders and commanders): when checks fail, the playbooks whose
//! suggestion rules they match, each with why and a way in: the open incident's page, whose
//! Playbooks panel offers it first, or "Declare and walk it" (the declaration with that playbook
//! ready to start).
//!
//! Loaded on demand (`lazy_routes::board_suggestions`) the first time the board shows trouble, so
//! a healthy first screen carries none of it. The rules are the gateway's (`GET /api/playbooks`);
//! they are asked again whenever the set of failing checks changes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{Status, Suggestion};

use crate::components::router::A;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn Suggestions(session: Session, live: Live) -> impl IntoView {
    let found = RwSignal::new(Vec::<Suggestion>::new());
    let failing = Memo::new(move |_| {
        live.board.with(|b| {
            b.checks
                .iter()
                .filter(|c| c.status != Status::Up)
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        // Read, not only tracked: a memo nobody reads is never computed, so it never changes.
        if failing.with(Vec::is_empty) {
            found.set(Vec::new());
            return;
        }
        spawn_local(async move {
            // A failure here only costs the hint; the board itself says what is down.
            if let Ok(catalog) = session.check(api::playbooks().await) {
                let _ = found.try_set(catalog.suggested);
            }
        });
    });
    // With an incident already open, the way in is that incident's Playbooks panel (a second
    // declaration would split the record); declaring stays one tap away.
    let latest_open = move || {
        live.incidents.with(|store| {
            store
                .incidents
                .values()
                .filter(|i| i.phase.is_open())
                .max_by_key(|i| i.id)
                .map(|i| (i.id, i.title.clone()))
        })
    };
    move || {
        let open = latest_open();
        found
            .get()
            .into_iter()
            .map(|s| {
                let declare = format!("/incidents/new?playbook={}", s.playbook);
                let ways = match open.clone() {
                    Some((id, title)) => view! {
                        <A href=format!("/incidents/{id}") class="btn btn-primary" testid="walk-on-open">
                            {format!("Walk it on #{id}: {title}")}
                        </A>
                        <A href=declare class="btn" testid="walk-suggested">"Declare a new incident"</A>
                    }
                    .into_any(),
                    None => view! {
                        <A href=declare class="btn btn-primary" testid="walk-suggested">"Declare and walk it"</A>
                    }
                    .into_any(),
                };
                let checks = s
                    .checks
                    .iter()
                    .map(|c| c.trim_start_matches("health.").to_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <aside class="card board-suggestion" data-testid="board-suggestion" data-playbook=s.playbook.clone()>
                        <p class="field-label">"Playbook for this"</p>
                        <p><strong>{s.title}</strong></p>
                        <p class="field-hint">{s.because}</p>
                        {(!checks.is_empty()).then(|| view! { <p class="field-hint">"Matches: " {checks}</p> })}
                        {ways}
                    </aside>
                }
            })
            .collect_view()
    }
}
