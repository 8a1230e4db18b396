//! The playbook's step 3 as checkboxes: which domains, the database or just the apps, and which
//! services. [`ScopePicker`] is shared by the declare form and the detail page's [`ScopeEditor`].

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::{Domain, IncidentScope};

use super::{FormOutcome, Submission};
use crate::model::adapters::incident_forms::{normalized, set_domain, set_service};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// Edits `scope` in place.
#[component]
pub fn ScopePicker(scope: RwSignal<IncidentScope>, services: Memo<Vec<String>>) -> impl IntoView {
    let domain_box = move |domain: Domain, label: &'static str| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=format!("scope-domain-{}", domain.as_str())
                    prop:checked=move || scope.with(|s| s.domains.contains(&domain))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        scope.update(|s| set_domain(s, domain, on));
                    }
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset class="scope-picker" data-testid="scope-editor">
            <legend class="field-label">"Scope: what is affected"</legend>
            <div class="checks">
                {domain_box(Domain::Ciam, "CIAM domain (ciam)")}
                {domain_box(Domain::Iam, "IAM domain (iam)")}
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="scope-database"
                        prop:checked=move || scope.with(|s| s.database)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            scope.update(|s| s.database = on);
                        }
                    />
                    <span>"Database"</span>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="scope-apps"
                        prop:checked=move || scope.with(|s| s.apps)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            scope.update(|s| s.apps = on);
                        }
                    />
                    <span>"Apps"</span>
                </label>
            </div>
            <Show when=move || !services.with(Vec::is_empty)>
                <p class="checks-title">"Services"</p>
                <div class="checks services">
                    <For each=move || services.get() key=|name| name.clone() let(name)>
                        <ServiceBox scope=scope name=name />
                    </For>
                </div>
            </Show>
            <p class="field-hint" data-testid="scope-summary">
                {move || scope.with(IncidentScope::summary)}
            </p>
        </fieldset>
    }
}

#[component]
fn ServiceBox(scope: RwSignal<IncidentScope>, name: String) -> impl IntoView {
    let test_id = format!("scope-service-{name}");
    let checked = {
        let name = name.clone();
        move || scope.with(|s| s.services.contains(&name))
    };
    let on_change = {
        let name = name.clone();
        move |ev| {
            let on = event_target_checked(&ev);
            scope.update(|s| set_service(s, &name, on));
        }
    };
    view! {
        <label class="check">
            <input type="checkbox" data-testid=test_id prop:checked=checked on:change=on_change />
            <code>{name}</code>
        </label>
    }
}

/// The detail page's scope card: the picker over a copy of the incident's scope, and Save
/// (`PUT /api/incidents/{id}/scope`). A change made elsewhere replaces the copy unless it has
/// unsaved edits.
#[component]
pub fn ScopeEditor(
    session: Session,
    live: Live,
    id: i64,
    services: Memo<Vec<String>>,
) -> impl IntoView {
    let current = Memo::new(move |_| {
        live.incidents
            .with(|s| s.get(id).map(|i| normalized(&i.scope)))
            .unwrap_or_default()
    });
    let draft = RwSignal::new(current.get_untracked());
    Effect::new(move |previous: Option<IncidentScope>| {
        let now = current.get();
        if previous.is_some_and(|p| draft.with_untracked(|d| *d == p)) {
            draft.set(now.clone());
        }
        now
    });
    let dirty = move || draft.with(normalized) != current.get();
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let scope = draft.with_untracked(normalized);
        let request = async move { api::set_scope(&session.csrf(), id, &scope).await };
        form.send(session, request, move |written| {
            live.incidents.update(|s| s.apply_written(written));
            Some("Scope saved.".to_owned())
        });
    };

    view! {
        <form class="card form" novalidate on:submit=on_submit aria-labelledby="scope-title">
            <h3 id="scope-title" class="card-title">
                "Scope"
            </h3>
            <ScopePicker scope=draft services=services />
            <FormOutcome outcome=outcome />
            <button
                type="submit"
                class="btn"
                data-testid="scope-submit"
                data-dirty=move || dirty().to_string()
                disabled=move || busy.get()
            >
                {move || if busy.get() { "Saving…" } else { "Save scope" }}
            </button>
        </form>
    }
}
