//! A severity as the incident pages show it: its label, coloured by `data-severity`.

use leptos::prelude::*;
use wire::Severity;

/// "Sev 1" in the severity's colour.
#[component]
pub fn SeverityBadge(
    #[prop(into)] severity: Signal<Severity>,
    #[prop(optional)] test_id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class="sev-badge" data-testid=test_id data-severity=move || severity.get().as_str()>
            {move || severity.get().label()}
        </span>
    }
}
