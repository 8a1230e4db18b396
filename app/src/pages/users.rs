//! `/users` (commander): the accounts, an add-user form, and per account: role, disable/enable and
//! a new password.
//!
//! Every change goes to the gateway and the row shows what it answered (the account as it is now,
//! or its message); nothing is changed locally first, so the list never shows a change the gateway
//! refused.

mod role_select;
mod row;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{NewUser, Role, UserInfo, MIN_PASSWORD};

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::components::gate::Gate;
use crate::model::adapters::users::password_problem;
use crate::net::api;
use crate::net::session::Session;
use role_select::RoleSelect;
use row::UserRow;

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
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let new = NewUser {
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        if let Some(problem) = password_problem(&new.password) {
            return form.refuse(problem);
        }
        let request = async move { api::add_user(&session.csrf(), &new).await };
        form.send(session, request, move |user| {
            let done = format!(
                "Added {} as {}.",
                user.name,
                user.role.label().to_lowercase()
            );
            users.update(|u| u.get_or_insert_with(Vec::new).push(user));
            name.set(String::new());
            password.set(String::new());
            Some(done)
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
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Add user" busy_label="Adding…" testid="new-user-submit" primary=true />
        </form>
    }
}
