//! `/share-links` (commander): read-only links for stakeholders without an account (executives,
//! support leads, a vendor), with an expiry, and a revoke button.
//!
//! The gateway stores only a hash of each token, so a new link's URL is shown exactly once, right
//! after it is created, with a copy button and a warning.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wire::{NewShareLink, ShareLinkInfo};

use crate::components::gate::Gate;
use crate::model::adapters::share_links::{link_expiry, parse_hours, share_url, LinkState};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;
use crate::pages::users::OutcomeLine;

#[component]
pub fn ShareLinks(session: Session, live: Live) -> impl IntoView {
    view! {
        <Gate session=session commander=true>
            <ShareAdmin session=session live=live />
        </Gate>
    }
}

#[component]
fn ShareAdmin(session: Session, live: Live) -> impl IntoView {
    let links = RwSignal::new(None::<Vec<ShareLinkInfo>>);
    let load_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match session.check(api::share_links().await) {
            Ok(list) => links.set(Some(list)),
            Err(e) => load_error.set(Some(e.message)),
        }
    });
    // Newest first: the one just created is the one being talked about.
    let ids = Memo::new(move |_| {
        links.with(|l| {
            let mut list: Vec<_> = l
                .iter()
                .flatten()
                .map(|l| (l.created_at_ms, l.id))
                .collect();
            list.sort_unstable_by(|a, b| b.cmp(a));
            list.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        })
    });

    view! {
        <section class="page" aria-labelledby="share-title">
            <h2 id="share-title" class="page-title">
                "Share links"
            </h2>
            <p class="hint">
                "A share link opens a read-only board (statuses only, no internals) without an account."
            </p>
            <CreateLink session=session links=links />
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                (links.with(Option::is_none) && load_error.with(Option::is_none))
                    .then(|| view! { <p class="note">"Loading links…"</p> })
            }}
            {move || {
                (ids.with(Vec::is_empty) && links.with(Option::is_some))
                    .then(|| view! { <p class="empty">"No share links yet."</p> })
            }}
            <ul class="rows" data-testid="share-links">
                <For each=move || ids.get() key=|id| *id let(id)>
                    <LinkRow session=session live=live links=links id=id />
                </For>
            </ul>
        </section>
    }
}

/// `POST /api/share-links`, then the one-time URL.
#[component]
fn CreateLink(session: Session, links: RwSignal<Option<Vec<ShareLinkInfo>>>) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let hours = RwSignal::new("24".to_owned());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let created = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let expires_in_hours = match parse_hours(&hours.get_untracked()) {
            Ok(h) => h,
            Err(e) => return outcome.set(Some(Err(e))),
        };
        let new = NewShareLink {
            label: label.get_untracked().trim().to_owned(),
            expires_in_hours,
        };
        busy.set(true);
        outcome.set(None);
        created.set(None);
        spawn_local(async move {
            let result = session.check(api::create_share_link(&session.csrf(), &new).await);
            busy.set(false);
            match result {
                Ok(made) => {
                    created.set(Some(share_url(&origin(), &made.path)));
                    links.update(|l| l.get_or_insert_with(Vec::new).push(made.link));
                    label.set(String::new());
                }
                Err(e) => outcome.set(Some(Err(e.message))),
            }
        });
    };

    view! {
        <form class="form card" on:submit=on_submit aria-labelledby="new-link-title">
            <h3 id="new-link-title" class="card-title">
                "New link"
            </h3>
            <label class="field">
                <span class="field-label">"Who it is for"</span>
                <input
                    type="text"
                    required
                    maxlength="80"
                    placeholder="e.g. Support leads"
                    data-testid="share-label"
                    bind:value=label
                />
            </label>
            <label class="field">
                <span class="field-label">"Expires after (hours)"</span>
                <input
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="720"
                    step="1"
                    required
                    data-testid="share-hours"
                    bind:value=hours
                />
            </label>
            <OutcomeLine outcome=outcome />
            <button
                type="submit"
                class="btn btn-primary"
                data-testid="share-create"
                disabled=move || busy.get()
            >
                {move || if busy.get() { "Creating…" } else { "Create link" }}
            </button>
            {move || created.get().map(|url| view! { <CreatedUrl url=url /> })}
        </form>
    }
}

/// The new link's URL, once: a read-only field (easy to select by hand), a copy button and the
/// warning that it cannot be shown again.
#[component]
fn CreatedUrl(url: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let field = NodeRef::<leptos::html::Input>::new();
    let on_copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            spawn_local(async move {
                let ok = copy_text(&url).await;
                if !ok {
                    // No clipboard (plain http, old browser): select it so a long-press copies.
                    if let Some(input) = field.get_untracked() {
                        input.select();
                    }
                }
                copied.set(Some(ok));
            });
        }
    };
    view! {
        <div class="created" role="status">
            <p class="created-warning">
                <strong>"Copy this link now."</strong>
                " It will not be shown again; if it is lost, revoke it and create a new one."
            </p>
            <input
                class="created-url"
                type="text"
                readonly
                aria-label="Share link"
                data-testid="share-url"
                node_ref=field
                prop:value=url.clone()
                on:focus=move |_| {
                    if let Some(input) = field.get_untracked() {
                        input.select();
                    }
                }
            />
            <button type="button" class="btn" data-testid="share-copy" on:click=on_copy>
                {move || match copied.get() {
                    Some(true) => "Copied ✓",
                    _ => "Copy link",
                }}
            </button>
            {move || {
                (copied.get() == Some(false))
                    .then(|| {
                        view! {
                            <p class="note">"Copying is blocked here; the link is selected, copy it by hand."</p>
                        }
                    })
            }}
        </div>
    }
}

/// One link: label, who made it, its expiry or state, and revoke while it still works.
#[component]
fn LinkRow(
    session: Session,
    live: Live,
    links: RwSignal<Option<Vec<ShareLinkInfo>>>,
    id: i64,
) -> impl IntoView {
    let link = Memo::new(move |_| links.with(|l| l.iter().flatten().find(|l| l.id == id).cloned()));
    let state = move || {
        let now = live.server_now();
        link.with(|l| {
            l.as_ref()
                .map_or(LinkState::Revoked, |l| LinkState::of(l, now))
        })
    };
    let expiry = move || {
        let now = live.server_now();
        link.with(|l| l.as_ref().map(|l| link_expiry(l, now)).unwrap_or_default())
    };
    let label = move || link.with(|l| l.as_ref().map(|l| l.label.clone()).unwrap_or_default());
    let by = move || {
        link.with(|l| {
            l.as_ref()
                .map(|l| format!("by {}", l.created_by))
                .unwrap_or_default()
        })
    };
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let on_revoke = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = session.check(api::revoke_share_link(&session.csrf(), id).await);
            busy.set(false);
            match result {
                Ok(()) => {
                    links.update(|l| {
                        if let Some(slot) = l.iter_mut().flatten().find(|l| l.id == id) {
                            slot.revoked = true;
                        }
                    });
                    outcome.set(Some(Ok("Revoked: the link no longer opens.".to_owned())));
                }
                Err(e) => outcome.set(Some(Err(e.message))),
            }
        });
    };

    view! {
        <li class="row" data-testid=format!("share-link-{id}") data-state=move || state().hook()>
            <div class="row-head">
                <p class="row-name">{label}</p>
                <span class="state-badge" data-state=move || state().hook()>
                    {move || match state() {
                        LinkState::Active => "Active",
                        LinkState::Expired => "Expired",
                        LinkState::Revoked => "Revoked",
                    }}
                </span>
            </div>
            <p class="row-meta">
                <span>{by}</span>
                <span>{expiry}</span>
            </p>
            <Show when=move || state() == LinkState::Active>
                <div class="row-controls">
                    <button
                        type="button"
                        class="btn btn-danger"
                        data-testid=format!("revoke-{id}")
                        disabled=move || busy.get()
                        on:click=on_revoke
                    >
                        {move || if busy.get() { "Revoking…" } else { "Revoke" }}
                    </button>
                </div>
            </Show>
            <OutcomeLine outcome=outcome />
        </li>
    }
}

/// `location.origin`, e.g. `https://aegis.example`.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// `navigator.clipboard.writeText`. False when the browser has no clipboard API here (it exists
/// only on https and localhost) or refused.
async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    // Checked first: calling a method of an undefined `navigator.clipboard` would throw.
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}
