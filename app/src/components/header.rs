//! The header every page shares: title, who is signed in (and sign-out), the nav (Board and
//! Incidents with the open count; Users and Share links for commanders), the connection indicator,
//! the production host, the last sweep, the "Sweep now" button and, for responders, the banner of
//! overdue incidents.
//!
//! It sits outside the routes because the connection and the host matter on every page of an
//! incident console. Signed out (the login page, a dead share link) it shows the title only: the
//! feed is not running and there is no one to name.

mod account;
mod sweep;

use leptos::prelude::*;

use crate::components::overdue_banner::OverdueBanner;
use crate::net::live::Live;
use crate::net::session::Session;
use account::Account;
use sweep::{ReadOnlyBar, SweepBar};

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
                {move || access().is_some().then(|| view! { <ConnIndicator live=live /> })}
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
