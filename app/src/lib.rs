//! Aegis in the browser: a Leptos client-side app, built to wasm by `cargo xtask build-web` and
//! served by the gateway from `target/site`.
//!
//! Four layers, each a folder; a layer uses only those listed before it:
//! - `model`: pure logic (ages, merging server messages, what a role may see, where sign-in leads,
//!   incidents' merge rules, and in `model::adapters` each page's wording). No Leptos and no
//!   browser, so all of it is unit-tested natively with `cargo test -p app`;
//! - `net`: `api` (HTTP) and `live` (websocket, reconnects, clock), the only code that talks to the
//!   gateway, and `session`, which holds who is signed in and turns any 401 into "signed out";
//! - `components`: pieces several pages share (header, session gate, the form helper, the router);
//! - `pages`: one module per route of `model::route::Page`, wired up below; every page but the
//!   login form and the board through `lazy_routes`, so that its code loads on demand and the
//!   first screen (login and board) stays within its 200 KB budget (`cargo xtask build-web`).
//!
//! Rules the gateway enforces too (paths, limits, enum names) come from `wire`, never retyped here.

pub(crate) mod components;
mod lazy_routes;
pub(crate) mod model;
pub(crate) mod net;
pub(crate) mod pages;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::gate::Gate;
use crate::components::header::{Header, TITLE};
use crate::components::router::{provide_location, History, Location};
use crate::lazy_routes::Shell;
use crate::model::access::{is_public, login_redirect, Auth};
use crate::model::adapters::board::Counts;
use crate::model::route::Page;
use crate::net::live::Live;
use crate::net::session::Session;
use crate::pages::board::Board;
use crate::pages::login::Login;

/// The whole app: the session and the live feed are created once here and shared by every page.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    let live = Live::create();
    let location = provide_location(lazy_routes::preload);
    // A share link signs in by itself; asking `/api/me` first would only race it.
    if !matches!(location.page.get_untracked(), Page::Share(_)) {
        session.load();
    }
    follow_session(session, live);
    tab_title(live);
    sign_in_redirect(session, location);
    // For the pages loaded on demand (`lazy_routes`), which are built without arguments.
    provide_context(Shell { session, live });
    // Which page, without its parameters: moving from one incident to another keeps the page,
    // which follows the id itself.
    let shown = Memo::new(move |_| location.page.with(Page::without_parameters));
    view! {
        <Header live=live session=session />
        <main id="main" class="main">
            {move || match shown.get() {
                Page::Board => {
                    view! {
                        <Gate session=session>
                            <Board live=live session=session />
                        </Gate>
                    }
                        .into_any()
                }
                Page::Incidents | Page::Declare => lazy_routes::incidents_page(),
                Page::Incident(_) => lazy_routes::incident_page(),
                Page::Login => view! { <Login session=session /> }.into_any(),
                Page::Users | Page::ShareLinks => lazy_routes::admin_page(),
                Page::Share(_) | Page::NotFound => lazy_routes::rare_page(),
            }}
        </main>
    }
}

/// Runs the live feed exactly while someone is signed in, and restarts it when that someone (or
/// their role, hence the gateway's projection) changes.
fn follow_session(session: Session, live: Live) {
    Effect::new(
        move |previous: Option<Option<(String, wire::Role, bool)>>| {
            let identity = session.auth.with(Auth::identity);
            if previous.as_ref() != Some(&identity) {
                match identity {
                    Some(_) => live.start(session),
                    None => live.stop(),
                }
            }
            identity
        },
    );
}

/// Sends a signed-out visitor of a page that needs a session to `/login?next=<that page>`.
fn sign_in_redirect(session: Session, location: Location) {
    Effect::new(move |_| {
        let signed_out = session.auth.with(|a| matches!(a, Auth::SignedOut { .. }));
        let path = location.pathname.get();
        if !signed_out || is_public(&path) {
            return;
        }
        let search = location.search.get_untracked();
        if let Some(href) = login_redirect(&path, search.trim_start_matches('?')) {
            location.navigate(&href, History::Replace);
        }
    });
}

/// Puts trouble in the tab title ("(2 down) Aegis — Olympus") for a responder with many tabs open.
fn tab_title(live: Live) {
    Effect::new(move |_| {
        let counts = live.board.with(|b| Counts::of(&b.checks));
        let title = if counts.up() == counts.total {
            TITLE.to_owned()
        } else {
            format!("({}) {TITLE}", counts.problems())
        };
        document().set_title(&title);
    });
}

/// Entry point, called by the wasm-bindgen glue once the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(App);
}
