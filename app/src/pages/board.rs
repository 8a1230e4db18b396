//! The health board (route `/`, and `/share/:token` for share viewers): the summary, then one
//! section per scope, trouble first.
//!
//! Stakeholders and share viewers get the gateway's projection (no latency, details reduced to the
//! status word, no host internals); the board leaves those parts out instead of printing blanks.

pub(crate) mod follow_ups;
pub(crate) mod suggestions;
mod tile;

use leptos::prelude::*;
use wire::Scope;

use crate::model::access::Access;
use crate::model::adapters::board::{group_order, status_icon, tiles_in, Counts};
use crate::net::live::Live;
use crate::net::session::Session;
use tile::Tile;

#[component]
pub fn Board(live: Live, session: Session) -> impl IntoView {
    let full_board = Signal::derive(move || session.access().is_some_and(Access::full_board));
    let loaded = move || live.board.with(|b| b.loaded);
    // Groups are rebuilt only when their order changes (a group's worst status changed). The same
    // memo says whether anything is failing (one memo is lighter in the first screen than two).
    let order = Memo::new(move |_| {
        live.board.with(|b| {
            let trouble = b.checks.iter().any(|c| c.status != wire::Status::Up);
            (group_order(&b.checks), trouble)
        })
    });
    // After an incident: a retrospective counting down, or action items this account owns (the
    // gateway says so at sign-in: counting here would cost the first screen).
    let follow_ups = move || session.auth.with(|a| a.me().is_some_and(|m| m.follow_ups));
    view! {
        <div
            class="board"
            data-testid="board"
            data-stale=move || live.stale().to_string()
        >
            <StaleBanner live=live />
            <HostBanner live=live full_board=full_board />
            <Summary live=live />
            // For responders: while checks fail, the playbooks they point to; after incidents,
            // the retrospectives due and their own action items. Their code is fetched the first
            // time there is one of them (the first screen itself needs no chunk).
            {move || {
                (full_board.get() && (order.with(|o| o.1) || follow_ups()))
                    .then(crate::lazy_routes::board_suggestions)
            }}
            {move || {
                live.server_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })
            }}
            <div class="groups">
                {move || {
                    order
                        .get()
                        .0
                        .into_iter()
                        .map(|scope| view! { <Group live=live scope=scope full_board=full_board /> })
                        .collect_view()
                }}
            </div>
            {move || {
                (loaded() && live.board.with(|b| b.checks.is_empty()))
                    .then(|| view! { <p class="empty">"The gateway reports no checks."</p> })
            }}
        </div>
    }
}

/// Shown while the socket is down and there is a board to distrust.
#[component]
fn StaleBanner(live: Live) -> impl IntoView {
    let show = move || live.stale() && live.board.with(|b| b.loaded);
    move || {
        show().then(|| {
            view! {
                <p class="stale-banner" role="status">
                    <strong>"Stale"</strong>
                    " — last known state. Not live until the connection is back."
                </p>
            }
        })
    }
}

/// If the gateway cannot reach the host, every check is moot: say so above everything else. The
/// reason (SSH errors, host keys) is for responders only.
#[component]
fn HostBanner(live: Live, full_board: Signal<bool>) -> impl IntoView {
    let unreachable = move || {
        live.board.with(|b| {
            b.host
                .as_ref()
                .filter(|h| !h.reachable)
                .map(|h| (h.target.clone(), h.detail.clone()))
        })
    };
    move || {
        unreachable().map(|(target, detail)| {
            if !full_board.get() {
                return view! {
                    <p class="host-banner" role="alert">
                        <strong>"Cannot reach " {target}</strong>
                        ". Checks that need it cannot run until it is back."
                    </p>
                }
                .into_any();
            }
            view! {
                <p class="host-banner" role="alert">
                    <strong>"Cannot reach " {target}</strong>
                    ": "
                    {detail}
                    ". Checks that need the host cannot run."
                </p>
            }
            .into_any()
        })
    }
}

/// The one-glance line. An aria-live region, so a screen reader announces "2 down, 1 degraded" the
/// moment it changes.
#[component]
fn Summary(live: Live) -> impl IntoView {
    let counts = move || live.board.with(|b| Counts::of(&b.checks));
    let loaded = move || live.board.with(|b| b.loaded);
    let worst = move || {
        if loaded() {
            counts().worst().map_or("none", |s| s.label())
        } else {
            "loading"
        }
    };
    let icon = move || {
        counts()
            .worst()
            .filter(|_| loaded())
            .map_or("…", status_icon)
    };
    let headline = move || {
        if loaded() {
            counts().headline()
        } else if live.server_error.with(Option::is_some) {
            "Board unavailable".to_owned()
        } else {
            "Loading health…".to_owned()
        }
    };
    let sub = move || {
        let c = counts();
        (loaded() && c.up() != c.total).then(|| c.up_of_total())
    };
    view! {
        <section class="summary" data-worst=worst aria-live="polite" aria-atomic="true">
            <span class="summary-icon" aria-hidden="true">{icon}</span>
            <div class="summary-text">
                <p class="headline" data-testid="summary">{headline}</p>
                {move || sub().map(|s| view! { <p class="sub">{s}</p> })}
            </div>
        </section>
    }
}

/// One scope: heading with its counts, then its tiles, worst first.
#[component]
fn Group(live: Live, scope: Scope, full_board: Signal<bool>) -> impl IntoView {
    let tiles = move || {
        let full = full_board.get();
        live.board.with(|b| tiles_in(&b.checks, scope, full))
    };
    let counts = move || {
        live.board
            .with(|b| Counts::of(b.checks.iter().filter(|c| c.scope == scope)))
    };
    let worst = move || counts().worst().map_or("none", |s| s.label());
    // The heading's id doubles as the section's test hook: `group-ciam`, `group-database`, ...
    let heading = format!("group-{}", scope.as_str());
    let (labelled_by, test_id) = (heading.clone(), heading.clone());
    view! {
        <section class="group" aria-labelledby=labelled_by data-testid=test_id data-worst=worst>
            <h2 class="group-title" id=heading>
                <span class="group-name">{scope.label()}</span>
                <span class="group-note">{move || counts().brief()}</span>
            </h2>
            <ul class="tiles">
                {move || {
                    tiles()
                        .into_iter()
                        .map(|tile| view! { <Tile live=live tile=tile /> })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}
