//! The header every page shares: title, who is signed in (and sign-out), the nav (Board and
//! Incidents with the open count; Users and Share links for commanders), the connection indicator,
//! the production host, the last sweep, the "Sweep now" button and, for responders, the banner of
//! overdue incidents.
//!
//! It sits outside the routes because the connection and the host matter on every page of an
//! incident console. Signed out (the login page, a dead share link) it shows the title only: the
//! feed is not running and there is no one to name.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::incidents::OverdueBanner;
use crate::model::access::Access;
use crate::model::adapters::header::{sweep_age, sweep_overdue};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// The product and the environment it watches.
pub const TITLE: &str = "Aegis — Olympus";

#[component]
pub fn Header(live: Live, session: Session) -> impl IntoView {
    // A memo, so that a refreshed `Me` with the same role does not rebuild the header.
    let access = Memo::new(move |_| session.access());
    let access = move || access.get();
    view! {
        <header class="top">
            <div class="top-row">
                <h1 class="title">
                    <span class="title-mark" aria-hidden="true"></span>
                    {TITLE}
                </h1>
                <Show when=move || access().is_some()>
                    <ConnIndicator live=live />
                </Show>
            </div>
            {move || {
                access()
                    .map(|access| {
                        view! {
                            <HostLine live=live full_board=access.full_board() />
                            {if access.can_sweep() {
                                view! { <SweepBar live=live session=session /> }.into_any()
                            } else {
                                view! { <ReadOnlyBar live=live /> }.into_any()
                            }}
                            <Account session=session live=live access=access />
                            {access.can_respond().then(|| view! { <OverdueBanner live=live /> })}
                        }
                    })
            }}
        </header>
    }
}

/// "ann COMMANDER  Sign out" (or "Read-only link" for a share session), then the nav.
#[component]
fn Account(session: Session, live: Live, access: Access) -> impl IntoView {
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
            <A href="/" exact=true attr:data-testid="nav-board">
                "Board"
            </A>
            <A href="/incidents" attr:data-testid="nav-incidents">
                "Incidents"
                <OpenCount live=live />
            </A>
            {access
                .can_administer()
                .then(|| {
                    view! {
                        <A href="/users" attr:data-testid="nav-users">
                            "Users"
                        </A>
                        <A href="/share-links" attr:data-testid="nav-share-links">
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
    let open = Memo::new(move |_| live.incidents.with(|s| s.open_count()));
    move || {
        let n = open.get();
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
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let on_click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::logout(&session.csrf()).await;
            busy.set(false);
            match result {
                Ok(()) => {}
                Err(e) if e.signed_out() => {}
                Err(e) => return failure.set(Some(format!("Sign-out failed — {e}"))),
            }
            session.end(false);
            navigate("/login", NavigateOptions::default());
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

/// "Live", "Reconnecting in 4 s", "Offline". Not an aria-live region on purpose: a countdown would
/// be read out every second; the board's stale banner announces the loss once.
#[component]
fn ConnIndicator(live: Live) -> impl IntoView {
    view! {
        <p class="conn" data-testid="conn" data-state=move || live.conn.get().hook()>
            <span class="conn-dot" aria-hidden="true"></span>
            <span class="conn-label">{move || live.conn.get().label(live.now_ms.get())}</span>
        </p>
    }
}

/// Which host the gateway watches and whether it can reach it at all; the detail is a tooltip here
/// (the board prints it in full when the host is unreachable). Read-only viewers get no detail: the
/// gateway's projection has none worth showing.
#[component]
fn HostLine(live: Live, full_board: bool) -> impl IntoView {
    let host = move || live.board.with(|b| b.host.clone());
    let reachable = move || host().is_none_or(|h| h.reachable);
    view! {
        <p class="host" data-reachable=move || reachable().to_string()>
            {move || match host() {
                None => view! { <span class="host-target">"Host …"</span> }.into_any(),
                Some(h) => {
                    // The reason for "unreachable" is in the board's banner, in full.
                    let state = if h.reachable { "✓ reachable" } else { "✕ unreachable" };
                    let title = full_board.then_some(h.detail);
                    view! {
                        <span class="host-target">"Host " <strong>{h.target}</strong></span>
                        <span class="host-state" title=title>{state}</span>
                    }
                        .into_any()
                }
            }}
        </p>
    }
}

/// What stakeholders and share viewers get instead of the sweep button: the sweep's age and a note
/// saying why there are no controls.
#[component]
fn ReadOnlyBar(live: Live) -> impl IntoView {
    let age = move || {
        let at = live.board.with(|b| b.swept_at_ms);
        sweep_age(at, live.server_now())
    };
    view! {
        <div class="sweep">
            <p class="sweep-age">{age}</p>
            <p class="readonly" data-testid="readonly">
                "Read-only view"
            </p>
        </div>
    }
}

/// Age of the last sweep, and the button that asks for one now (`POST /api/sweep`).
#[component]
fn SweepBar(live: Live, session: Session) -> impl IntoView {
    let requesting = RwSignal::new(false);
    // Ok: a note ("already running"); Err: a failure. Cleared by the next click.
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // A stale board cannot know whether the gateway is still sweeping.
    let sweeping = move || !live.stale() && live.board.with(|b| b.sweeping);
    let busy = move || requesting.get() || sweeping();

    let age = move || {
        let (at, _) = live.board.with(|b| (b.swept_at_ms, b.interval_ms));
        sweep_age(at, live.server_now())
    };
    let overdue = move || {
        let (at, interval) = live.board.with(|b| (b.swept_at_ms, b.interval_ms));
        sweep_overdue(at, interval, live.server_now())
    };

    let on_click = move |_| {
        if requesting.get_untracked() {
            return;
        }
        requesting.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::sweep(&session.csrf()).await);
            requesting.set(false);
            outcome.set(match result {
                Ok(accepted) if !accepted.started => Some(Ok(
                    "A sweep was already running; its results are on the way.".to_owned(),
                )),
                Ok(_) => None,
                Err(e) => Some(Err(format!("Sweep request failed — {e}"))),
            });
        });
    };

    view! {
        <div class="sweep">
            <p class="sweep-age" data-overdue=move || overdue().to_string()>
                {age}
                {move || overdue().then_some(" — overdue")}
            </p>
            <button
                type="button"
                class="sweep-btn"
                data-testid="sweep-now"
                data-sweeping=move || sweeping().to_string()
                aria-busy=move || busy().to_string()
                disabled=busy
                on:click=on_click
            >
                <span class="sweep-spin" aria-hidden="true"></span>
                {move || {
                    if sweeping() {
                        "Sweeping…"
                    } else if requesting.get() {
                        "Requesting…"
                    } else {
                        "Sweep now"
                    }
                }}
            </button>
        </div>
        {move || {
            outcome
                .get()
                .map(|o| match o {
                    Ok(note) => view! { <p class="note" role="status">{note}</p> }.into_any(),
                    Err(e) => {
                        view! {
                            <p class="error" role="alert" data-testid="sweep-error">
                                {e}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
    }
}
