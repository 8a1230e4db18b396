//! The routes loaded on demand: the incident pages, the accounts page and the share-link
//! management page. Each is a [`LazyRoute`] whose view is a split point, so `cargo xtask build-web`
//! moves the page's code into a wasm chunk fetched the first time the route is shown; the login
//! page and the board stay in the main module (the first screen).
//!
//! A lazy route is built without arguments, so the shell's session and live feed reach it as a
//! context ([`Shell`], provided by `App`).
//!
//! The split points are declared `fallible` (rather than with Leptos's `#[lazy_route]`, whose
//! split points panic, which aborts the whole app): a chunk that cannot be fetched (a phone losing
//! its signal, a redeploy mid-session) shows [`NotLoaded`] in place of the page, and the next visit
//! to the route tries again.

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::LazyRoute;

use crate::net::live::Live;
use crate::net::session::Session;
use crate::pages::declare::DeclarePage;
use crate::pages::incident::IncidentPage;
use crate::pages::incidents::IncidentsPage;
use crate::pages::share_links::ShareLinks;
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

/// One lazily loaded route: `$route` shows `$page`'s view, which `$split` (a unique name) moves
/// into its own chunk.
macro_rules! lazy_page {
    ($route:ident, $split:ident, $preload:ident, |$shell:ident| $page:expr) => {
        #[doc = concat!("The route showing `", stringify!($split), "`.")]
        pub struct $route(Shell);

        #[wasm_split($split, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))]
        fn $split($shell: Shell) -> Result<AnyView, NotLoaded> {
            Ok($page.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                Self(expect_context::<Shell>())
            }

            async fn view(this: Self) -> AnyView {
                $split(this.0).await.unwrap_or_else(not_loaded)
            }

            async fn preload() {
                // A failure shows when the route is opened.
                let _ = $preload().await;
            }
        }
    };
}

lazy_page!(
    IncidentsRoute,
    aegis_incidents_page,
    preload_incidents_page,
    |shell| view! { <IncidentsPage session=shell.session live=shell.live /> }
);
lazy_page!(
    DeclareRoute,
    aegis_declare_page,
    preload_declare_page,
    |shell| view! { <DeclarePage session=shell.session live=shell.live /> }
);
lazy_page!(
    IncidentRoute,
    aegis_incident_page,
    preload_incident_page,
    |shell| view! { <IncidentPage session=shell.session live=shell.live /> }
);
lazy_page!(
    UsersRoute,
    aegis_users_page,
    preload_users_page,
    |shell| view! { <Users session=shell.session /> }
);
lazy_page!(
    ShareLinksRoute,
    aegis_share_links_page,
    preload_share_links_page,
    |shell| view! { <ShareLinks session=shell.session live=shell.live /> }
);
