//! What comes after an incident, on its page: the retrospective (its 48-hour countdown and the way
//! in), and the action items past incidents on the same services left open ("this was supposed to
//! be fixed by …").

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{IncidentSummary, ItemRow, Phase};

use crate::components::router::A;
use crate::model::adapters::deadlines::retro_deadline;
use crate::model::adapters::retro::{due_text, owner_text};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// Once resolved: the retrospective's countdown and the link to write (or read) it.
#[component]
pub fn RetroCard(
    live: Live,
    id: i64,
    incident: Memo<Option<IncidentSummary>>,
    responder: bool,
) -> impl IntoView {
    let state = move || {
        let now = live.server_now();
        incident.with(|i| {
            let i = i.as_ref().filter(|i| i.phase == Phase::Resolved)?;
            let finished = i.retrospective_finished_ms.is_some();
            Some((
                retro_deadline(i, now),
                finished,
                i.severity.needs_retrospective(),
            ))
        })
    };
    move || {
        let (deadline, finished, required) = state()?;
        // Stakeholders read finished ones only.
        if !responder && !finished {
            return None;
        }
        let overdue = deadline.as_ref().is_some_and(|d| d.overdue);
        let text = match (&deadline, finished, required) {
            (Some(d), _, _) => d.text.clone(),
            (None, true, _) => "Retrospective finished".to_owned(),
            (None, false, true) => "Retrospective due".to_owned(),
            (None, false, false) => "A retrospective is optional for this severity".to_owned(),
        };
        let label = match (finished, responder) {
            (true, _) | (false, false) => "Read the retrospective",
            (false, true) => "Write the retrospective",
        };
        Some(view! {
            <section class="card retro-card" data-testid="retro-card" class:overdue=overdue>
                <p class="retro-due" data-testid="retro-due" data-overdue=overdue.to_string()>
                    {text}
                </p>
                <A href=format!("/incidents/{id}/retrospective") class="btn btn-primary btn-big">
                    {label}
                </A>
            </section>
        })
    }
}

/// Open action items of earlier incidents on this incident's services (responders).
#[component]
pub fn RelatedItems(session: Session, id: i64) -> impl IntoView {
    let rows = RwSignal::new(Vec::<ItemRow>::new());
    let today = RwSignal::new(String::new());
    spawn_local(async move {
        // Only a hint: a failure leaves the page as it was.
        if let Ok(list) = session.check(api::related_items(id).await) {
            let _ = today.try_set(list.today);
            let _ = rows.try_set(list.items);
        }
    });
    move || {
        let list = rows.get();
        (!list.is_empty()).then(|| {
            let today = today.get();
            view! {
                <details class="card related-items" data-testid="related-items" open>
                    <summary>
                        {format!(
                            "{} open follow-up(s) from past incidents on these services",
                            list.len(),
                        )}
                    </summary>
                    <ul class="item-rows">
                        {list
                            .into_iter()
                            .map(|r| {
                                let (due, overdue) = due_text(&r.item, &today);
                                let owner = owner_text(&r.item);
                                let f = &r.item.fields;
                                view! {
                                    <li class:overdue=overdue>
                                        <strong>{f.title.clone()}</strong>
                                        " · "
                                        <A href=format!(
                                            "/incidents/{}/retrospective",
                                            r.item.incident_id,
                                        )>{format!("INC-{}", r.item.incident_id)}</A>
                                        {format!(" · {owner} · {due}")}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <p>
                        <A href="/actions">"All open action items"</A>
                    </p>
                </details>
            }
        })
    }
}
