//! The retrospective's action items: each with its owner, due date, "done when" and ticket, and
//! the form that adds one (a Sev 1/2 retrospective cannot be finished without one that has an
//! owner and a due date).

use leptos::prelude::*;
use wire::{ItemFields, ItemStatus, RetroState, Retrospective};

use crate::components::action_item::{ItemCard, ItemContext, ItemForm};
use crate::components::form::Submission;
use crate::net::api;
use crate::net::session::Session;

#[component]
pub fn Items(
    session: Session,
    retro: RwSignal<Option<Retrospective>>,
    responder: bool,
    /// Reads the retrospective again (the page's loader).
    reload: Callback<()>,
) -> impl IntoView {
    let adding = RwSignal::new(false);
    // Memos: a save of the text or a new version of one item must not rebuild the other cards or
    // the new-item form (and lose what is typed there); only a change of what they show does.
    let context = Memo::new(move |_| {
        retro.with(|r| {
            r.as_ref().map(|r| ItemContext {
                owners: r.owners.clone(),
                tickets: r.tickets,
                today: r.today.clone(),
                editable: responder,
            })
        })
    });
    let finished = Memo::new(move |_| {
        retro.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.state == Some(RetroState::Finished))
        })
    });
    // An item changed: the retrospective's "missing" list may have changed with it.
    let refresh = move |_| reload.run(());
    let ids = Memo::new(move |_| {
        retro.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.items
                        .iter()
                        .map(|i| (i.id, i.version))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <section class="retro-items" data-testid="retro-items">
            <h3 class="section-title">"Action items"</h3>
            {move || {
                ids.with(Vec::is_empty)
                    .then(|| view! { <p class="empty">"None yet. Every Sev 1/2 retrospective needs one with an owner and a due date."</p> })
            }}
            <ul class="item-list">
                <For each=move || ids.get() key=|k| *k let((item_id, _version))>
                    {move || {
                        let item = retro.with_untracked(|r| r.as_ref().and_then(|r| r.items.iter().find(|i| i.id == item_id).cloned()))?;
                        let context = context.get()?;
                        Some(view! { <ItemCard session=session item=item context=context on_change=Callback::new(refresh) /> })
                    }}
                </For>
            </ul>
            {move || {
                (responder && !finished.get())
                    .then(|| {
                        let context = context.get()?;
                        let id = retro.with_untracked(|r| r.as_ref().map(|r| r.incident_id))?;
                        Some(if adding.get() {
                            view! {
                                <div class="card">
                                    <h4 class="card-title">"New action item"</h4>
                                    <ItemForm
                                        owners=context.owners
                                        start=ItemFields {
                                            title: String::new(),
                                            owner: String::new(),
                                            due: String::new(),
                                            done_when: String::new(),
                                            status: ItemStatus::Open,
                                            ticket_url: String::new(),
                                            finding: None,
                                        }
                                        label="Add item"
                                        busy_label="Adding…"
                                        send=Callback::new(move |(fields, form): (ItemFields, Submission)| {
                                            let request = async move { api::add_item(&session.csrf(), id, &fields).await };
                                            form.send(session, request, move |item| {
                                                adding.set(false);
                                                refresh(item);
                                                None
                                            });
                                        })
                                    />
                                </div>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button type="button" class="btn" data-testid="retro-add-item" on:click=move |_| adding.set(true)>
                                    "Add an action item"
                                </button>
                            }
                                .into_any()
                        })
                    })
                    .flatten()
            }}
        </section>
    }
}
