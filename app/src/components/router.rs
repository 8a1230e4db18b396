//! The app's router: the location as signals, links and Back followed without reloading, and the
//! `A` link that marks the page it points at.
//!
//! Why not `leptos_router`: see `model::route`, which holds the route table. This module is the
//! browser half: it reads `window.location`, writes `history`, and listens for `popstate` and for
//! clicks on same-origin links anywhere in the page (so a plain `<a href="/">` navigates in place,
//! as it did with the router).

use leptos::ev::{self, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlAnchorElement;

use crate::model::route::{query_value, Page};

/// Where the app is. `Copy`; provided once by [`provide_location`].
#[derive(Clone, Copy)]
pub struct Location {
    /// `location.pathname`, e.g. `/incidents/7`.
    pub pathname: ReadSignal<String>,
    /// `location.search`, with its `?` (empty when there is none).
    pub search: ReadSignal<String>,
    /// The page the path shows (its parameters included).
    pub page: Memo<Page>,
    set_pathname: WriteSignal<String>,
    set_search: WriteSignal<String>,
    /// Fetches a page's code ahead of time (the shell's `lazy_routes::preload`).
    preload: fn(&Page),
}

/// How [`Location::navigate`] changes the history.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// A new entry: Back returns to the page before.
    Push,
    /// Replace the current entry (a redirect: Back should not return to it).
    Replace,
}

impl Location {
    /// The first value of `name` in the query string, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.search.with(|s| query_value(s, name))
    }

    /// Goes to `href` (a same-origin path, with its query) without reloading the page. A new entry
    /// starts at the top of the page, as a followed link does.
    pub fn navigate(&self, href: &str, how: History) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let written = window.history().and_then(|h| match how {
            History::Push => h.push_state_with_url(&JsValue::NULL, "", Some(href)),
            History::Replace => h.replace_state_with_url(&JsValue::NULL, "", Some(href)),
        });
        if written.is_err() {
            // A path the history refuses (another origin): let the browser go there.
            let _ = window.location().assign(href);
            return;
        }
        self.sync();
        if how == History::Push && !href.contains('#') {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// Reads `window.location` into the signals (after `history` changed it).
    fn sync(&self) {
        let (path, search) = current();
        if self.pathname.with_untracked(|p| *p != path) {
            self.set_pathname.set(path);
        }
        if self.search.with_untracked(|s| *s != search) {
            self.set_search.set(search);
        }
    }
}

/// `location.pathname` and `location.search` now.
fn current() -> (String, String) {
    web_sys::window()
        .map(|w| w.location())
        .map(|l| {
            (
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default(),
            )
        })
        .unwrap_or_default()
}

/// Creates the location, follows Back/Forward and same-origin link clicks for the life of the
/// page, and provides it as a context for [`use_location`]. `preload` is what pointing at an [`A`]
/// does with its page.
pub fn provide_location(preload: fn(&Page)) -> Location {
    let (path, search) = current();
    let (pathname, set_pathname) = signal(path);
    let (search, set_search) = signal(search);
    let page = Memo::new(move |_| pathname.with(|p| Page::of(p)));
    let location = Location {
        pathname,
        search,
        page,
        set_pathname,
        set_search,
        preload,
    };
    provide_context(location);
    // The handles are dropped on purpose: the listeners live as long as the page.
    let _ = window_event_listener(ev::popstate, move |_| location.sync());
    let _ = window_event_listener(ev::click, move |ev| {
        if let Some(href) = followed_here(&ev) {
            ev.prevent_default();
            location.navigate(&href, History::Push);
        }
    });
    location
}

/// The location provided by `App`.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// The path (with query and fragment) a click should open in place: a plain left click on a link
/// to this origin that does not ask for a download, another window or a fragment of this page.
/// `None` leaves the click to the browser.
fn followed_here(ev: &MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.ctrl_key()
        || ev.shift_key()
        || ev.alt_key()
    {
        return None;
    }
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let anchor: HtmlAnchorElement = target.closest("a[href]").ok()??.dyn_into().ok()?;
    let target_attr = anchor.target();
    if anchor.has_attribute("download")
        || !(target_attr.is_empty() || target_attr == "_self")
        || anchor.rel().split_whitespace().any(|r| r == "external")
    {
        return None;
    }
    let here = web_sys::window()?.location();
    if anchor.origin() != here.origin().ok()? {
        return None;
    }
    let (path, search, hash) = (anchor.pathname(), anchor.search(), anchor.hash());
    let same_page = here.pathname().ok()? == path && here.search().ok()? == search;
    if same_page && !hash.is_empty() {
        return None;
    }
    Some(format!("{path}{search}{hash}"))
}

/// A link within the app. It is marked `aria-current="page"` while its page (or, unless `exact`,
/// a page below it) is shown; pointing at it fetches its page's code ahead of the click.
#[component]
pub fn A(
    #[prop(into)] href: String,
    #[prop(optional)] exact: bool,
    #[prop(optional, into)] testid: Option<String>,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let current = {
        let href = href.clone();
        move || {
            location
                .pathname
                .with(|p| Page::link_is_current(&href, p, exact))
                .then_some("page")
        }
    };
    let page = Page::of(&href);
    view! {
        <a
            href=href
            class=class
            data-testid=testid
            aria-current=current
            on:pointerenter=move |_| (location.preload)(&page)
        >
            {children()}
        </a>
    }
}
