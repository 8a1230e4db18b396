//! Aegis in the browser: a Leptos client-side app, built to wasm by `cargo xtask build-web` and
//! served by the gateway from `target/site`.
//!
//! Layout of the crate, so new pages (`/login`, `/incidents`) slot in beside the board:
//! - `time`, `state`, `adapters`: pure logic (ages, merging server messages, wording), unit-tested
//!   natively with `cargo test -p app`;
//! - `api` (HTTP) and `live` (websocket, reconnects, clock): the only code that talks to the gateway;
//! - `header`, `board`, `not_found`: views, one module per page or shared piece.

pub mod adapters;
pub mod api;
pub mod board;
pub mod header;
pub mod live;
pub mod not_found;
pub mod state;
pub mod time;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::adapters::Counts;
use crate::board::Board;
use crate::header::{Header, TITLE};
use crate::live::Live;
use crate::not_found::NotFound;

/// The whole app: the live feed is started once here and shared by every route.
#[component]
pub fn App() -> impl IntoView {
    let live = live::start();
    tab_title(live);
    view! {
        <Router>
            <Header live=live />
            <main id="main" class="main">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=move || view! { <Board live=live /> } />
                </Routes>
            </main>
        </Router>
    }
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
