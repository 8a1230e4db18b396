//! The pages loaded on demand: the incident pages, the accounts page, the share-link management
//! page, opening a share link (a stakeholder's first visit) and "page not found". Each page's view is a split point, so `cargo xtask build-web` moves its code
//! into a wasm chunk fetched the first time the page is shown (or a link to it is pointed at); the
//! login page and the board stay in the main module (the first screen).
//!
//! The shell's session and live feed reach them as a context ([`Shell`], provided by `App`).
//!
//! The split points are declared `fallible` (rather than with Leptos's `#[lazy]`, whose split
//! points panic, which aborts the whole app): a chunk that cannot be fetched (a phone losing
//! its signal, a redeploy mid-session) shows [`NotLoaded`] in place of the page, and the next visit
//! to the route tries again.

use std::future::Future;

use futures::FutureExt;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

use crate::model::route::Page;
use crate::net::live::Live;
use crate::net::session::Session;
use crate::pages::board::follow_ups::FollowUps;
use crate::pages::board::suggestions::Suggestions;
use crate::pages::incident::IncidentPage;
use crate::pages::incidents::IncidentsPage;
use crate::pages::not_found::NotFound;
use crate::pages::retro::RetroPage;
use crate::pages::share_links::ShareLinks;
use crate::pages::share_open::ShareOpen;
use crate::pages::users::Users;

/// What every page receives from the shell.
#[derive(Clone, Copy)]
pub struct Shell {
    pub session: Session,
    pub live: Live,
}

/// A page whose code could not be fetched.
#[derive(Debug)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Shown in place of a page whose code could not be fetched.
fn not_loaded(_: NotLoaded) -> AnyView {
    view! {
        <section class="not-found" data-testid="page-not-loaded" role="alert">
            <h2>"This page did not load"</h2>
            <p>"Its code could not be fetched; the connection may have dropped."</p>
            <p>
                <button
                    type="button"
                    class="btn"
                    on:click=|_| {
                        let _ = window().location().reload();
                    }
                >
                    "Try again"
                </button>
            </p>
        </section>
    }
    .into_any()
}

/// Nothing until `fetch` (a split point's preload) is done, then `show`'s page, or [`NotLoaded`]
/// when the fetch failed. Once fetched, the split point's own future is ready at its first poll,
/// so `show` needs no executor (and the page no `Suspend`, which is heavier in the first screen).
fn lazy_view<F, S>(fetch: impl FnOnce() -> F + 'static, show: S) -> AnyView
where
    F: Future<Output = Result<(), SplitLoaderError>> + 'static,
    S: Fn() -> Option<Result<AnyView, NotLoaded>> + Send + Sync + 'static,
{
    let fetched = RwSignal::new(None::<bool>);
    leptos::task::spawn_local(async move {
        let ok = fetch().await.is_ok();
        // The page may have been left before its code arrived.
        let _ = fetched.try_set(Some(ok));
    });
    (move || {
        fetched.get().map(|ok| {
            let page = if ok { show() } else { None };
            page.unwrap_or(Err(NotLoaded)).unwrap_or_else(not_loaded)
        })
    })
    .into_any()
}

/// One page loaded on demand: `$split` (a unique name) moves `$page`'s view into its own chunk;
/// `$view` shows it once fetched; `$preload` fetches it.
macro_rules! lazy_page {
    ($view:ident, $split:ident, $preload:ident, |$shell:ident| $page:expr) => {
        #[wasm_split($split, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))]
        fn $split($shell: Shell) -> Result<AnyView, NotLoaded> {
            Ok($page.into_any())
        }

        #[doc = concat!("The page in `", stringify!($split), "`, shown once its code is here.")]
        pub fn $view() -> AnyView {
            let shell = expect_context::<Shell>();
            lazy_view($preload, move || $split(shell).now_or_never())
        }
    };
}

lazy_page!(
    incidents_page,
    aegis_incidents_page,
    preload_incidents_page,
    |shell| view! { <IncidentsPage session=shell.session live=shell.live /> }
);
lazy_page!(
    incident_page,
    aegis_incident_page,
    preload_incident_page,
    |shell| view! { <IncidentPage session=shell.session live=shell.live /> }
);
// The commanders' two pages share one chunk: each split point costs the first screen its loader.
lazy_page!(
    admin_page,
    aegis_admin_pages,
    preload_admin_pages,
    |shell| view! { <AdminPages session=shell.session live=shell.live /> }
);

/// `/users` or `/share-links`, whichever the location shows.
#[component]
fn AdminPages(session: Session, live: Live) -> impl IntoView {
    let location = crate::components::router::use_location();
    let users = Memo::new(move |_| location.page.with(|p| *p == Page::Users));
    move || {
        if users.get() {
            view! { <Users session=session /> }.into_any()
        } else {
            view! { <ShareLinks session=session live=live /> }.into_any()
        }
    }
}

lazy_page!(
    board_suggestions,
    aegis_board_suggestions,
    preload_board_suggestions,
    |shell| view! {
        <Suggestions session=shell.session live=shell.live />
        <FollowUps session=shell.session live=shell.live />
    }
);
// Reached from inside the incident page's chunk (`/incidents/{id}/retrospective`).
lazy_page!(
    retro_page,
    aegis_retro_page,
    preload_retro_page,
    |shell| view! { <RetroPage session=shell.session live=shell.live /> }
);
// Opening a share link and "page not found" are both rare first visits: one chunk, since each
// split point costs the first screen its loader.
lazy_page!(
    rare_page,
    aegis_rare_pages,
    preload_rare_pages,
    |shell| view! { <RarePages session=shell.session live=shell.live /> }
);

/// `/share/{token}`, or "page not found" for anything else.
#[component]
fn RarePages(session: Session, live: Live) -> impl IntoView {
    let location = crate::components::router::use_location();
    let share = Memo::new(move |_| location.page.with(|p| matches!(p, Page::Share(_))));
    move || {
        if share.get() {
            view! { <ShareOpen session=session live=live /> }.into_any()
        } else {
            view! { <NotFound /> }.into_any()
        }
    }
}

/// Fetches `page`'s code if it is loaded on demand (a link was pointed at). A failure shows when
/// the page is opened.
pub fn preload(page: &Page) {
    let page = page.without_parameters();
    leptos::task::spawn_local(async move {
        let _ = match page {
            Page::Incidents | Page::Declare => preload_incidents_page().await,
            Page::Incident(_) => preload_incident_page().await,
            Page::Users | Page::ShareLinks => preload_admin_pages().await,
            Page::Share(_) | Page::NotFound => preload_rare_pages().await,
            Page::Board | Page::Login => Ok(()),
        };
    });
}
