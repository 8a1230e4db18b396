//! The header's account line and nav: who is signed in (and sign-out, or "Read-only link" for a
//! share session), then Board, Incidents with the open count and, for commanders, the admin pages.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::router::{use_location, History, A};
use crate::model::access::Access;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// "ann COMMANDER  Sign out" (or "Read-only link" for a share session), then the nav.
#[component]
pub fn Account(session: Session, live: Live, access: Access) -> impl IntoView {
    let name = move || session.me().map(|me| me.name).unwrap_or_default();
    let role = access.role;
    view! {
        <div class="account">
            <p class="whoami" data-testid="whoami" data-role=role.as_str()>
                <span class="whoami-name">{name}</span>
                <span class="role-badge" data-role=role.as_str()>
                    {role.label()}
                </span>
            </p>
            {if access.can_sign_out() {
                view! { <SignOut session=session /> }.into_any()
            } else {
                view! { <span class="share-note" data-testid="share-session">"Read-only link"</span> }
                    .into_any()
            }}
        </div>
        <nav class="nav" aria-label="Console">
            <A href="/" exact=true testid="nav-board">
                "Board"
            </A>
            <A href="/incidents" testid="nav-incidents">
                "Incidents"
                <OpenCount live=live />
            </A>
            {access
                .can_administer()
                .then(|| {
                    view! {
                        <A href="/users" testid="nav-users">
                            "Users"
                        </A>
                        <A href="/share-links" testid="nav-share-links">
                            "Share links"
                        </A>
                    }
                })}
        </nav>
    }
}

/// The number of open incidents beside "Incidents" (nothing when there are none).
#[component]
fn OpenCount(live: Live) -> impl IntoView {
    move || {
        let n = live.incidents.with(|s| s.open_count());
        (n > 0).then(|| {
            view! {
                <span class="nav-count" data-testid="nav-incidents-count">
                    <span class="sr-only">" ("</span>
                    {n.to_string()}
                    <span class="sr-only">" open)"</span>
                </span>
            }
        })
    }
}

/// `POST /api/logout`, then the login page. A 401 means the session was already gone: same result.
#[component]
fn SignOut(session: Session) -> impl IntoView {
    let location = use_location();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let on_click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = api::logout(&session.csrf()).await;
            busy.set(false);
            match result {
                Ok(()) => {}
                Err(e) if e.signed_out() => {}
                Err(e) => return failure.set(Some(format!("Sign-out failed — {e}"))),
            }
            session.end(false);
            location.navigate("/login", History::Push);
        });
    };
    view! {
        <button
            type="button"
            class="link-btn"
            data-testid="logout"
            disabled=move || busy.get()
            on:click=on_click
        >
            {move || if busy.get() { "Signing out…" } else { "Sign out" }}
        </button>
        {move || {
            failure.get().map(|e| view! { <p class="error account-error" role="alert">{e}</p> })
        }}
    }
}
