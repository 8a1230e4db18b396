//! One account's row: its state, a role picker, disable/enable and a new password. Each change is
//! a PATCH, and the row shows the account as the gateway answered.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::{Role, UserInfo, UserPatch, MIN_PASSWORD};

use super::role_select::RoleSelect;
use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::users::password_problem;
use crate::net::api;
use crate::net::session::Session;

/// One account. Reads itself from the list by id, so a PATCH's answer re-renders it in place
/// without losing the row's note.
#[component]
pub fn UserRow(
    session: Session,
    users: RwSignal<Option<Vec<UserInfo>>>,
    id: i64,
    /// The signed-in commander's name: their own row cannot be demoted or disabled from here, so
    /// that the last commander cannot lock everyone out by a slip of the finger.
    me: String,
) -> impl IntoView {
    let user = Memo::new(move |_| {
        users.with(|u| {
            u.as_ref()
                .and_then(|u| u.iter().find(|u| u.id == id).cloned())
        })
    });
    let name = move || user.with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let disabled = move || user.with(|u| u.as_ref().is_some_and(|u| u.disabled));
    let is_me = Signal::derive({
        let me = me.clone();
        move || user.with(|u| u.as_ref().is_some_and(|u| u.name == me))
    });
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let new_password = RwSignal::new(String::new());

    // Sends one change; `done` words the success from the account as it now is.
    let patch = move |change: UserPatch, done: fn(&UserInfo) -> String| {
        if form.in_flight() {
            return;
        }
        let target = name();
        let request = async move { api::patch_user(&session.csrf(), &target, &change).await };
        form.send(session, request, move |updated| {
            let words = done(&updated);
            users.update(|u| {
                if let Some(slot) = u.iter_mut().flatten().find(|u| u.id == updated.id) {
                    *slot = updated;
                }
            });
            Some(words)
        });
    };

    let on_role = move |role: Role| {
        patch(
            UserPatch {
                role: Some(role),
                ..Default::default()
            },
            |u| format!("Now {}.", u.role.label().to_lowercase()),
        )
    };
    let on_toggle = move |_| {
        patch(
            UserPatch {
                disabled: Some(!disabled()),
                ..Default::default()
            },
            |u| {
                if u.disabled {
                    "Disabled: signed out everywhere and cannot sign in.".to_owned()
                } else {
                    "Enabled: can sign in again.".to_owned()
                }
            },
        )
    };
    let on_password = move |ev: SubmitEvent| {
        ev.prevent_default();
        let password = new_password.get_untracked();
        if let Some(problem) = password_problem(&password) {
            return form.refuse(problem);
        }
        new_password.set(String::new());
        patch(
            UserPatch {
                password: Some(password),
                ..Default::default()
            },
            |_| "Password changed.".to_owned(),
        )
    };

    let test_id = move || format!("user-{}", name());
    let role =
        Signal::derive(move || user.with(|u| u.as_ref().map_or(Role::Stakeholder, |u| u.role)));
    let locked = Signal::derive(move || busy.get() || is_me.get());

    view! {
        <li class="row" data-testid=test_id data-disabled=move || disabled().to_string()>
            <div class="row-head">
                <p class="row-name">
                    {name}
                    {move || is_me.get().then_some(" (you)")}
                </p>
                <span class="state-badge" data-state=move || if disabled() { "disabled" } else { "active" }>
                    {move || if disabled() { "Disabled" } else { "Active" }}
                </span>
            </div>
            <div class="row-controls">
                <label class="inline-field">
                    <span class="field-label">"Role"</span>
                    <RoleSelect
                        value=role
                        on_pick=on_role
                        test_id=format!("role-{}", name())
                        disabled=locked
                    />
                </label>
                <button
                    type="button"
                    class="btn"
                    data-testid=move || format!("toggle-{}", name())
                    disabled=move || locked.get()
                    on:click=on_toggle
                >
                    {move || if disabled() { "Enable" } else { "Disable" }}
                </button>
            </div>
            <details class="row-more">
                <summary>"Set a new password"</summary>
                <form class="inline-form" on:submit=on_password>
                    <input
                        type="password"
                        autocomplete="new-password"
                        minlength=MIN_PASSWORD.to_string()
                        required
                        aria-label=move || format!("New password for {}", name())
                        placeholder=format!("At least {MIN_PASSWORD} characters")
                        data-testid=move || format!("password-{}", name())
                        bind:value=new_password
                    />
                    <SubmitButton busy=busy label="Set" busy_label="Setting…" />
                </form>
            </details>
            <FormOutcome outcome=outcome />
        </li>
    }
}
