//! `/users` (commander): the accounts, an add-user form, and per account: role, disable/enable and
//! a new password.
//!
//! Every change goes to the gateway and the row shows what it answered (the account as it is now,
//! or its message); nothing is changed locally first, so the list never shows a change the gateway
//! refused.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{NewUser, Role, UserInfo, UserPatch, MIN_PASSWORD};

use crate::components::gate::Gate;
use crate::model::adapters::users::password_problem;
use crate::net::api;
use crate::net::session::Session;

/// A note under a form or a row: done, or the gateway's message.
type Outcome = Option<Result<String, String>>;

#[component]
pub fn Users(session: Session) -> impl IntoView {
    view! {
        <Gate session=session commander=true>
            <UserAdmin session=session />
        </Gate>
    }
}

#[component]
fn UserAdmin(session: Session) -> impl IntoView {
    let users = RwSignal::new(None::<Vec<UserInfo>>);
    let load_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match session.check(api::users().await) {
            Ok(list) => users.set(Some(list)),
            Err(e) => load_error.set(Some(e.message)),
        }
    });
    let ids = Memo::new(move |_| {
        users.with(|u| {
            u.as_ref()
                .map(|u| u.iter().map(|u| u.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let me = move || session.me().map(|m| m.name).unwrap_or_default();

    view! {
        <section class="page" aria-labelledby="users-title">
            <h2 id="users-title" class="page-title">
                "Users"
            </h2>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                (users.with(Option::is_none) && load_error.with(Option::is_none))
                    .then(|| view! { <p class="note">"Loading accounts…"</p> })
            }}
            // The list first: mid-incident, the urgent job is disabling or demoting someone.
            <ul class="rows" data-testid="users">
                <For each=move || ids.get() key=|id| *id let(id)>
                    <UserRow session=session users=users id=id me=me() />
                </For>
            </ul>
            <AddUser session=session users=users />
        </section>
    }
}

/// `POST /api/users`; the new account joins the list.
#[component]
fn AddUser(session: Session, users: RwSignal<Option<Vec<UserInfo>>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Responder);
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let new = NewUser {
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        if let Some(problem) = password_problem(&new.password) {
            outcome.set(Some(Err(problem)));
            return;
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::add_user(&session.csrf(), &new).await);
            busy.set(false);
            match result {
                Ok(user) => {
                    outcome.set(Some(Ok(format!(
                        "Added {} as {}.",
                        user.name,
                        user.role.label().to_lowercase()
                    ))));
                    users.update(|u| u.get_or_insert_with(Vec::new).push(user));
                    name.set(String::new());
                    password.set(String::new());
                }
                Err(e) => outcome.set(Some(Err(e.message))),
            }
        });
    };

    view! {
        <form class="form card" on:submit=on_submit aria-labelledby="add-user-title">
            <h3 id="add-user-title" class="card-title">
                "Add a user"
            </h3>
            <label class="field">
                <span class="field-label">"Name"</span>
                <input
                    type="text"
                    autocomplete="off"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    data-testid="new-user-name"
                    bind:value=name
                />
            </label>
            <label class="field">
                <span class="field-label">"Role"</span>
                <RoleSelect
                    value=role.into()
                    on_pick=move |r| role.set(r)
                    test_id="new-user-role".to_owned()
                    disabled=Signal::derive(|| false)
                />
            </label>
            <label class="field">
                <span class="field-label">"Password"</span>
                <input
                    type="password"
                    autocomplete="new-password"
                    minlength=MIN_PASSWORD.to_string()
                    required
                    aria-describedby="new-user-password-hint"
                    data-testid="new-user-password"
                    bind:value=password
                />
                <span class="field-hint" id="new-user-password-hint">
                    {format!("At least {MIN_PASSWORD} characters. Hand it over in person or by phone.")}
                </span>
            </label>
            <OutcomeLine outcome=outcome />
            <button
                type="submit"
                class="btn btn-primary"
                data-testid="new-user-submit"
                disabled=move || busy.get()
            >
                {move || if busy.get() { "Adding…" } else { "Add user" }}
            </button>
        </form>
    }
}

/// One account. Reads itself from the list by id, so a PATCH's answer re-renders it in place
/// without losing the row's note.
#[component]
fn UserRow(
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
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let new_password = RwSignal::new(String::new());

    // Sends one change; `done` words the success from the account as it now is.
    let patch = move |change: UserPatch, done: fn(&UserInfo) -> String| {
        if busy.get_untracked() {
            return;
        }
        let target = name();
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::patch_user(&session.csrf(), &target, &change).await);
            busy.set(false);
            match result {
                Ok(updated) => {
                    outcome.set(Some(Ok(done(&updated))));
                    users.update(|u| {
                        if let Some(slot) = u.iter_mut().flatten().find(|u| u.id == updated.id) {
                            *slot = updated;
                        }
                    });
                }
                Err(e) => outcome.set(Some(Err(e.message))),
            }
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
            outcome.set(Some(Err(problem)));
            return;
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
                    <button type="submit" class="btn" disabled=move || busy.get()>
                        "Set"
                    </button>
                </form>
            </details>
            <OutcomeLine outcome=outcome />
        </li>
    }
}

/// A role `<select>`, strongest first.
#[component]
fn RoleSelect(
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
                disabled.track();
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

/// "Added ann." or the gateway's message.
#[component]
pub fn OutcomeLine(outcome: RwSignal<Outcome>) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Ok(note) => view! { <p class="note" role="status">{note}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        })
    }
}
