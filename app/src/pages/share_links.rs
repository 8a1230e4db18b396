//! `/share-links` (commander): read-only links for stakeholders without an account (executives,
//! support leads, a vendor), with an expiry, and a revoke button.
//!
//! The gateway stores only a hash of each token, so a new link's URL is shown exactly once, right
//! after it is created, with a copy button and a warning.

mod created_url;
mod row;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::clipboard::origin;
use leptos::task::spawn_local;
use wire::{NewShareLink, ShareLinkInfo};

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::components::gate::Gate;
use crate::model::adapters::share_links::{parse_hours, share_url};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;
use created_url::CreatedUrl;
use row::LinkRow;

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
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let created = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let expires_in_hours = match parse_hours(&hours.get_untracked()) {
            Ok(h) => h,
            Err(e) => return form.refuse(e),
        };
        let new = NewShareLink {
            label: label.get_untracked().trim().to_owned(),
            expires_in_hours,
        };
        created.set(None);
        let request = async move { api::create_share_link(&session.csrf(), &new).await };
        form.send(session, request, move |made| {
            created.set(Some(share_url(&origin(), &made.path)));
            links.update(|l| l.get_or_insert_with(Vec::new).push(made.link));
            label.set(String::new());
            None
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
            <FormOutcome outcome=outcome />
            <SubmitButton busy=busy label="Create link" busy_label="Creating…" testid="share-create" primary=true />
            {move || created.get().map(|url| view! { <CreatedUrl url=url /> })}
        </form>
    }
}
