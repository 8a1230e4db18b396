//! `/actions`: every open action item across incidents, overdue first, filterable by owner
//! (`?owner=me` is the signed-in account's, what the board links to).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::ItemList;

use crate::components::action_item::{ItemCard, ItemContext};
use crate::components::gate::Gate;
use crate::components::router::{use_location, History, A};
use crate::model::access::Access;
use crate::net::api;
use crate::net::session::Session;

#[component]
pub fn ActionItemsPage(session: Session) -> impl IntoView {
    view! {
        <Gate session=session>
            <ItemsList session=session />
        </Gate>
    }
}

#[component]
fn ItemsList(session: Session) -> impl IntoView {
    let location = use_location();
    let owner = Memo::new(move |_| location.query("owner").unwrap_or_default());
    let show_done = RwSignal::new(false);
    let list = RwSignal::new(None::<ItemList>);
    let error = RwSignal::new(None::<String>);
    let editable = session.access().is_some_and(Access::can_respond);
    Effect::new(move |_| {
        let owner = owner.get();
        let all = show_done.get();
        spawn_local(async move {
            let who = (!owner.is_empty()).then_some(owner);
            match session.check(api::action_items(who.as_deref(), all).await) {
                Ok(l) => {
                    let _ = error.try_set(None);
                    let _ = list.try_set(Some(l));
                }
                Err(e) if e.signed_out() => {}
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    });
    let set_owner = move |value: String| {
        let href = if value.is_empty() {
            "/actions".to_owned()
        } else {
            format!(
                "/actions?owner={}",
                String::from(js_sys::encode_uri_component(&value))
            )
        };
        location.navigate(&href, History::Replace);
    };
    let overdue = move || {
        list.with(|l| {
            l.as_ref().map_or(0, |l| {
                l.items.iter().filter(|r| r.item.overdue(&l.today)).count()
            })
        })
    };
    view! {
        <section class="page action-items" data-testid="action-items-page">
            <h2 class="page-title">"Action items"</h2>
            <p class="sub">
                {move || {
                    list.with(|l| {
                        l.as_ref()
                            .map(|l| {
                                format!(
                                    "{} {}, {} overdue. Overdue first.",
                                    l.items.len(),
                                    if show_done.get() { "in all" } else { "open" },
                                    overdue(),
                                )
                            })
                    })
                }}
            </p>
            <div class="filters">
                <label class="field">
                    <span class="field-label">"Owner"</span>
                    <select
                        data-testid="items-owner"
                        prop:value=move || owner.get()
                        on:change=move |ev| set_owner(event_target_value(&ev))
                    >
                        <option value="" selected=move || owner.with(String::is_empty)>"Everyone"</option>
                        <option value="me" selected=move || owner.with(|o| o == "me")>"Mine"</option>
                        {move || {
                            list.with(|l| l.as_ref().map(|l| l.owners.clone()).unwrap_or_default())
                                .into_iter()
                                .map(|name| {
                                    let selected = name.clone();
                                    let value = name.clone();
                                    view! {
                                        <option value=value selected=move || owner.with(|o| *o == selected)>
                                            {name}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="items-show-done" bind:checked=show_done />
                    " Show done ones too"
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })}
            {move || {
                let l = list.get()?;
                if l.items.is_empty() {
                    return Some(view! { <p class="empty" data-testid="items-empty">"No open action items."</p> }.into_any());
                }
                let context = ItemContext {
                    owners: l.owners.clone(),
                    tickets: l.tickets,
                    today: l.today.clone(),
                    editable,
                };
                Some(
                    view! {
                        <ul class="item-list" data-testid="items-list">
                            {l
                                .items
                                .into_iter()
                                .map(|row| {
                                    let incident = row.item.incident_id;
                                    let services = row.services.join(", ");
                                    let origin = view! {
                                        <p class="item-origin">
                                            <A href=format!("/incidents/{incident}/retrospective")>
                                                {format!("INC-{incident}: {}", row.incident_title)}
                                            </A>
                                            {(!services.is_empty()).then(|| format!(" · {services}"))}
                                        </p>
                                    }
                                        .into_any();
                                    view! {
                                        <ItemCard
                                            session=session
                                            item=row.item
                                            context=context.clone()
                                            on_change=Callback::new(|_| {})
                                            origin_line=origin
                                        />
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any(),
                )
            }}
        </section>
    }
}
