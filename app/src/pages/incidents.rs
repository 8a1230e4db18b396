//! `/incidents`: open incidents first (most severe first), then resolved ones; filters on state,
//! severity and title; the "Declare incident" button for responders.
//!
//! Rows come from the shared store, so they follow the websocket. State and severity are also
//! asked of the gateway (`GET /api/incidents?state=…&severity=…`), which can list older resolved
//! incidents than the socket's list carries; the answer is merged into the store and the same
//! filters are applied locally.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{IncidentSummary, Phase, Severity};

use crate::components::gate::Gate;
use crate::components::router::A;
use crate::components::severity_badge::SeverityBadge;
use crate::model::access::Access;
use crate::model::adapters::incident_list::{
    list_order, list_query, row_deadline, ListFilter, StateFilter,
};
use crate::model::route::Page;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn IncidentsPage(session: Session, live: Live) -> impl IntoView {
    // Declaring (`/incidents/new`) and `/actions` live in this chunk: a split point of their own
    // would cost the first screen its loader.
    let location = crate::components::router::use_location();
    let page = Memo::new(move |_| {
        location.page.with(|p| match p {
            Page::Declare => 1,
            _ if location
                .pathname
                .with(|p| p.trim_end_matches('/') == "/actions") =>
            {
                2
            }
            _ => 0,
        })
    });
    move || match page.get() {
        1 => view! { <crate::pages::declare::DeclarePage session=session live=live /> }.into_any(),
        2 => view! { <crate::pages::action_items::ActionItemsPage session=session /> }.into_any(),
        _ => view! {
            <Gate session=session>
                <IncidentList session=session live=live />
            </Gate>
        }
        .into_any(),
    }
}

#[component]
fn IncidentList(session: Session, live: Live) -> impl IntoView {
    let state = RwSignal::new(StateFilter::default());
    let severity = RwSignal::new(None::<Severity>);
    let text = RwSignal::new(String::new());
    let load_error = RwSignal::new(None::<String>);
    let can_respond = move || session.access().is_some_and(Access::can_respond);

    // Refetch when a server-side filter changes, and after a reconnect.
    let epoch = Memo::new(move |_| live.incidents.with(|s| s.epoch));
    Effect::new(move |_| {
        let query = list_query(state.get(), severity.get());
        // Read, not only tracked: a memo nobody reads is never computed, so it never changes.
        let _ = epoch.get();
        spawn_local(async move {
            match session.check(api::incidents(&query).await) {
                Ok(list) => {
                    load_error.set(None);
                    live.incidents.update(|s| s.apply_list(list));
                }
                Err(e) if e.signed_out() => {}
                Err(e) => load_error.set(Some(e.message)),
            }
        });
    });

    let ids = Memo::new(move |_| {
        let filter = ListFilter {
            state: state.get(),
            severity: severity.get(),
            text: text.get(),
        };
        live.incidents
            .with(|s| list_order(s.incidents.values(), &filter))
    });
    let loaded = move || live.incidents.with(|s| s.loaded);

    view! {
        <section class="page incidents" aria-labelledby="incidents-title">
            <div class="page-head">
                <h2 id="incidents-title" class="page-title">
                    "Incidents"
                </h2>
                <Show when=can_respond>
                    <A
                        href="/incidents/new"
                        class="btn btn-primary"
                        testid="declare-button"
                    >
                        "Declare incident"
                    </A>
                </Show>
            </div>
            <Filters state=state severity=severity text=text />
            {move || {
                load_error
                    .get()
                    .map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })
            }}
            {move || {
                (!loaded() && load_error.with(Option::is_none))
                    .then(|| view! { <p class="note">"Loading incidents…"</p> })
            }}
            {move || {
                (loaded() && ids.with(Vec::is_empty))
                    .then(|| {
                        view! {
                            <p class="empty" data-testid="incidents-empty">
                                "No incidents match."
                            </p>
                        }
                    })
            }}
            <ul class="rows" data-testid="incidents">
                <For each=move || ids.get() key=|id| *id let(id)>
                    <IncidentRow live=live id=id />
                </For>
            </ul>
        </section>
    }
}

/// State, severity and a title filter.
#[component]
fn Filters(
    state: RwSignal<StateFilter>,
    severity: RwSignal<Option<Severity>>,
    text: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="filters" role="search" aria-label="Filter incidents">
            <label class="field">
                <span class="field-label">"Show"</span>
                <select
                    data-testid="filter-state"
                    prop:value=move || state.get().as_str()
                    on:change=move |ev| {
                        if let Some(f) = StateFilter::parse(&event_target_value(&ev)) {
                            state.set(f);
                        }
                    }
                >
                    {StateFilter::ALL
                        .into_iter()
                        .map(|f| {
                            view! {
                                <option value=f.as_str() selected=move || state.get() == f>
                                    {f.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Severity"</span>
                <select
                    data-testid="filter-severity"
                    prop:value=move || severity.get().map_or("", Severity::as_str)
                    on:change=move |ev| severity.set(Severity::parse(&event_target_value(&ev)))
                >
                    <option value="" selected=move || severity.get().is_none()>
                        "Any severity"
                    </option>
                    {Severity::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || severity.get() == Some(s)>
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="field filter-text">
                <span class="field-label">"Title"</span>
                <input
                    type="search"
                    placeholder="Filter by title"
                    autocomplete="off"
                    data-testid="filter-text"
                    bind:value=text
                />
            </label>
        </div>
    }
}

/// One incident: the whole row links to its page.
#[component]
fn IncidentRow(live: Live, id: i64) -> impl IntoView {
    let incident = incident_memo(live, id);
    let field = move |f: fn(&IncidentSummary) -> String| {
        incident.with(|i| i.as_ref().map(f).unwrap_or_default())
    };
    let phase = move || incident.with(|i| i.as_ref().map(|i| i.phase));
    let severity = Signal::derive(move || {
        incident.with(|i| i.as_ref().map_or(Severity::Sev4, |i| i.severity))
    });
    let deadline = move || {
        let now = live.server_now();
        incident.with(|i| i.as_ref().map(|i| row_deadline(i, now)))
    };
    let overdue = move || deadline().is_some_and(|d| d.overdue);
    view! {
        <li
            class="row incident-row"
            data-testid=format!("incident-row-{id}")
            data-phase=move || phase().map(Phase::as_str)
            data-severity=move || severity.get().as_str()
        >
            <A href=format!("/incidents/{id}") class="row-link">
                <span class="row-head">
                    <span class="row-name">
                        <span class="incident-ref">{move || field(|i| i.reference())}</span>
                        " "
                        {move || field(|i| i.title.clone())}
                    </span>
                    <SeverityBadge severity=severity />
                </span>
                <span class="row-meta">
                    <span class="phase-label" data-phase=move || phase().map(Phase::as_str)>
                        {move || phase().map(|p| p.label())}
                    </span>
                    <span>"Scope: " {move || field(|i| i.scope.summary())}</span>
                </span>
                <span class="row-deadline" class:overdue=overdue data-overdue=move || overdue().to_string()>
                    {move || deadline().map(|d| d.text)}
                </span>
            </A>
        </li>
    }
}

/// One incident from the store, as a memo (so a view updates only when it changed).
pub fn incident_memo(live: Live, id: i64) -> Memo<Option<IncidentSummary>> {
    Memo::new(move |_| live.incidents.with(|s| s.get(id).cloned()))
}
