//! `/login`: name and password, then back to where the user was (`?next=`).
//!
//! A real `<form>` with `autocomplete` hints, so password managers fill it and Enter submits. The
//! gateway's message is shown as is: it never says whether the account exists, and a rate limit's
//! message says when to try again.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::LoginRequest;

use crate::components::router::{use_location, History};
use crate::model::access::{safe_next, Auth};
use crate::net::api;
use crate::net::session::Session;

#[component]
pub fn Login(session: Session) -> impl IntoView {
    let location = use_location();
    let next = move || safe_next(location.query("next").as_deref());

    // Signed in (just now, or already when the page opened): go on. Replace, so Back does not
    // return to a login form for a session that exists.
    Effect::new(move |_| {
        if session.auth.with(|a| matches!(a, Auth::SignedIn(_))) {
            location.navigate(&untrack(next), History::Replace);
        }
    });

    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitting = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let ended = move || {
        session
            .auth
            .with(|a| matches!(a, Auth::SignedOut { ended: true }))
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        let request = LoginRequest {
            name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        if request.name.is_empty() || request.password.is_empty() {
            failure.set(Some("Enter your name and password.".to_owned()));
            return;
        }
        submitting.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = api::login(&request).await;
            submitting.set(false);
            match result {
                // The effect above navigates.
                Ok(me) => session.sign_in(me),
                Err(e) => {
                    password.set(String::new());
                    failure.set(Some(e.message));
                }
            }
        });
    };

    view! {
        <section class="page login" aria-labelledby="login-title">
            <h2 id="login-title" class="page-title">
                "Sign in"
            </h2>
            {move || {
                ended()
                    .then(|| {
                        view! {
                            <p class="note" role="status">
                                "Your session ended. Sign in again to continue."
                            </p>
                        }
                    })
            }}
            <form class="form card" on:submit=on_submit>
                <label class="field">
                    <span class="field-label">"Name"</span>
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        data-testid="login-name"
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span class="field-label">"Password"</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        data-testid="login-password"
                        prop:value=password
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || {
                    failure
                        .get()
                        .map(|e| {
                            view! {
                                <p class="error" role="alert" data-testid="login-error">
                                    {e}
                                </p>
                            }
                        })
                }}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="login-submit"
                    disabled=move || submitting.get()
                    aria-busy=move || submitting.get().to_string()
                >
                    {move || if submitting.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <p class="hint">
                "Accounts are created by the incident commander. Stakeholders can also be sent a read-only link."
            </p>
        </section>
    }
}
