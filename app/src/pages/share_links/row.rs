//! One share link's row: who it is for, who made it, its expiry or state, and Revoke while it
//! still works.

use leptos::prelude::*;
use wire::ShareLinkInfo;

use crate::components::form::{FormOutcome, Submission};
use crate::model::adapters::share_links::{link_expiry, LinkState};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

/// One link: label, who made it, its expiry or state, and revoke while it still works.
#[component]
pub fn LinkRow(
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
    let form = Submission::default();
    let Submission { busy, outcome } = form;

    let on_revoke = move |_| {
        if form.in_flight() {
            return;
        }
        let request = async move { api::revoke_share_link(&session.csrf(), id).await };
        form.send(session, request, move |()| {
            links.update(|l| {
                if let Some(slot) = l.iter_mut().flatten().find(|l| l.id == id) {
                    slot.revoked = true;
                }
            });
            Some("Revoked: the link no longer opens.".to_owned())
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
            <FormOutcome outcome=outcome />
        </li>
    }
}
