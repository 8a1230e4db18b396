//! The routes loaded on demand: the incident pages, the accounts page and the share-link
//! management page. Each is a [`LazyRoute`] whose view is a split point, so `cargo xtask build-web`
//! moves the page's code into a wasm chunk fetched the first time the route is shown; the login
//! page and the board stay in the main module (the first screen).
//!
//! A lazy route is built without arguments, so the shell's session and live feed reach it as a
//! context ([`Shell`], provided by `App`).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

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

impl Shell {
    fn get() -> Self {
        expect_context::<Shell>()
    }
}

/// `/incidents`.
pub struct IncidentsRoute(Shell);

#[lazy_route]
impl LazyRoute for IncidentsRoute {
    fn data() -> Self {
        Self(Shell::get())
    }

    fn view(this: Self) -> AnyView {
        let Shell { session, live } = this.0;
        view! { <IncidentsPage session=session live=live /> }.into_any()
    }
}

/// `/incidents/new`.
pub struct DeclareRoute(Shell);

#[lazy_route]
impl LazyRoute for DeclareRoute {
    fn data() -> Self {
        Self(Shell::get())
    }

    fn view(this: Self) -> AnyView {
        let Shell { session, live } = this.0;
        view! { <DeclarePage session=session live=live /> }.into_any()
    }
}

/// `/incidents/:id`.
pub struct IncidentRoute(Shell);

#[lazy_route]
impl LazyRoute for IncidentRoute {
    fn data() -> Self {
        Self(Shell::get())
    }

    fn view(this: Self) -> AnyView {
        let Shell { session, live } = this.0;
        view! { <IncidentPage session=session live=live /> }.into_any()
    }
}

/// `/users`.
pub struct UsersRoute(Shell);

#[lazy_route]
impl LazyRoute for UsersRoute {
    fn data() -> Self {
        Self(Shell::get())
    }

    fn view(this: Self) -> AnyView {
        view! { <Users session=this.0.session /> }.into_any()
    }
}

/// `/share-links`.
pub struct ShareLinksRoute(Shell);

#[lazy_route]
impl LazyRoute for ShareLinksRoute {
    fn data() -> Self {
        Self(Shell::get())
    }

    fn view(this: Self) -> AnyView {
        let Shell { session, live } = this.0;
        view! { <ShareLinks session=session live=live /> }.into_any()
    }
}
