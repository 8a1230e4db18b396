//! The playbook's step 3 as checkboxes: which domains, the database or just the apps, and which
//! services. Shared by the declare form and the incident page's scope editor.

use leptos::prelude::*;
use wire::{Domain, IncidentScope};

use crate::model::adapters::incident_forms::{set_domain, set_service};

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
