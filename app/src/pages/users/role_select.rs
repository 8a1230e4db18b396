//! The role picker of the add-user form and of each account's row.

use leptos::prelude::*;
use wire::Role;

/// A role `<select>`, strongest first.
#[component]
pub fn RoleSelect(
    value: Signal<Role>,
    on_pick: impl Fn(Role) + 'static,
    test_id: String,
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <select
            data-testid=test_id
            // Also re-read after each request (`disabled` flips back), so that a change the gateway
            // refused snaps back to the role the account really has.
            prop:value=move || {
                let _ = disabled.get();
                value.get().as_str()
            }
            disabled=move || disabled.get()
            on:change=move |ev| {
                if let Some(role) = Role::parse(&event_target_value(&ev)) {
                    on_pick(role);
                }
            }
        >
            {Role::ALL
                .into_iter()
                .map(|r| {
                    view! {
                        <option value=r.as_str() selected=move || value.get() == r>
                            {r.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
