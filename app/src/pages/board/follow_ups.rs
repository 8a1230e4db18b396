//! After the incident: on the board, for responders and commanders, the retrospectives still due
//! (the 48-hour countdown) and the action items the signed-in account owns (what they see on
//! sign-in). Loaded with the board's suggestions, outside the first screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::ItemList;

use crate::components::router::A;
use crate::model::adapters::deadlines::retro_deadline;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn FollowUps(session: Session, live: Live) -> impl IntoView {
    // The list changes when an incident does; only each row's countdown follows the clock.
    let due = Memo::new(move |_| {
        live.incidents.with(|s| {
            let mut rows: Vec<(i64, i64, String)> = s
                .incidents
                .values()
                .filter_map(|i| Some((i.retrospective_pending()?, i.id, i.title.clone())))
                .collect();
            rows.sort();
            rows
        })
    });
    let mine = RwSignal::new(None::<ItemList>);
    spawn_local(async move {
        // A hint only: a failure leaves the board as it is.
        if let Ok(list) = session.check(api::action_items(Some("me"), false).await) {
            let _ = mine.try_set(Some(list));
        }
    });
    view! {
        {move || {
            let rows = due.get();
            (!rows.is_empty())
                .then(|| {
                    view! {
                        <section class="card follow-ups" data-testid="retros-due">
                            <h3 class="card-title">"Retrospectives due"</h3>
                            <ul>
                                {rows
                                    .into_iter()
                                    .map(|(_, id, title)| {
                                        let deadline = move || {
                                            let now = live.server_now();
                                            live.incidents.with(|s| s.get(id).and_then(|i| retro_deadline(i, now)))
                                        };
                                        let overdue = move || deadline().is_some_and(|d| d.overdue);
                                        view! {
                                            <li class:overdue=overdue>
                                                <A href=format!("/incidents/{id}/retrospective")>
                                                    {format!("INC-{id}: {title}")}
                                                </A>
                                                " · "
                                                <span data-testid="retro-due-countdown" data-overdue=move || overdue().to_string()>
                                                    {move || deadline().map(|d| d.text)}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
        }}
        {move || {
            mine.with(|l| {
                let l = l.as_ref()?;
                if l.items.is_empty() {
                    return None;
                }
                let overdue = l.items.iter().filter(|r| r.item.overdue(&l.today)).count();
                let late = overdue > 0;
                let first: Vec<(i64, String, String)> = l
                    .items
                    .iter()
                    .take(3)
                    .map(|r| (r.item.incident_id, r.item.fields.title.clone(), r.item.fields.due.clone()))
                    .collect();
                Some(view! {
                    <section class="card follow-ups" data-testid="my-items" class:overdue=late>
                        <h3 class="card-title">
                            {format!("You own {} open action item(s), {overdue} overdue", l.items.len())}
                        </h3>
                        <ul>
                            {first
                                .into_iter()
                                .map(|(incident, title, due)| {
                                    let due = if due.is_empty() { String::new() } else { format!(" · due {due}") };
                                    view! { <li>{title} {format!(" (INC-{incident}){due}")}</li> }
                                })
                                .collect_view()}
                        </ul>
                        <A href="/actions?owner=me">"All your action items"</A>
                    </section>
                })
            })
        }}
    }
}
