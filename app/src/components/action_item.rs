//! One action item, as the retrospective and `/actions` show it: what, who, by when, what closes
//! it, its ticket; and for responders the edit form, "Mark done", "Create ticket" (or "Copy as
//! Markdown" without a tracker) and reading the ticket's state back.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{ActionItem, ItemFields, ItemStatus};

use crate::components::clipboard::{copy_text, origin};
use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::model::adapters::retro::{due_text, item_markdown, owner_text};
use crate::net::api;
use crate::net::session::Session;

/// What the item card needs besides the item.
#[derive(Clone, PartialEq)]
pub struct ItemContext {
    pub owners: Vec<String>,
    /// A ticket tracker is configured.
    pub tickets: bool,
    /// `YYYY-MM-DD` in the console's time zone.
    pub today: String,
    /// Responders and commanders change items; stakeholders read.
    pub editable: bool,
}

#[component]
pub fn ItemCard(
    session: Session,
    item: ActionItem,
    context: ItemContext,
    /// The item as saved, for the list it is in.
    on_change: Callback<ActionItem>,
    /// Shown above the title (`/actions` names the incident).
    #[prop(optional, into)]
    origin_line: Option<AnyView>,
) -> impl IntoView {
    let item = RwSignal::new(item);
    let editing = RwSignal::new(false);
    let closed_elsewhere = RwSignal::new(false);
    let copied = RwSignal::new(None::<bool>);
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let ItemContext {
        owners,
        tickets,
        today,
        editable,
    } = context;
    let saved = move |i: ActionItem| {
        item.set(i.clone());
        on_change.run(i);
    };
    let set_status = move |status: ItemStatus| {
        if form.in_flight() {
            return;
        }
        let current = item.get_untracked();
        let fields = ItemFields {
            status,
            ..current.fields.clone()
        };
        let request = async move {
            api::update_item(&session.csrf(), current.id, current.version, &fields).await
        };
        form.send(session, request, move |i| {
            closed_elsewhere.set(false);
            saved(i);
            Some(match status {
                ItemStatus::Done => "Marked done.".to_owned(),
                ItemStatus::Open => "Open again.".to_owned(),
            })
        });
    };
    let ticket = move |state: bool| {
        if form.in_flight() {
            return;
        }
        let id = item.get_untracked().id;
        let request = async move { api::ticket(&session.csrf(), id, state).await };
        form.send(session, request, move |answer| {
            closed_elsewhere.set(answer.closed_elsewhere);
            let words = match (state, answer.item.ticket_state.as_deref()) {
                (false, _) => "Ticket created.".to_owned(),
                (true, Some(s)) => format!("The ticket is {s}."),
                (true, None) => "Ticket read.".to_owned(),
            };
            saved(answer.item);
            Some(words)
        });
    };
    let copy = move |_| {
        let i = item.get_untracked();
        let text = item_markdown(
            &i,
            &format!("{}/incidents/{}/retrospective", origin(), i.incident_id),
        );
        spawn_local(async move {
            let ok = copy_text(&text).await;
            let _ = copied.try_set(Some(ok));
        });
    };
    let today = StoredValue::new(today);
    let due = move || today.with_value(|t| due_text(&item.get(), t));
    let owners_for_form = owners.clone();
    view! {
        <li
            class="card item-card"
            data-testid="action-item"
            data-status=move || item.with(|i| i.fields.status.as_str())
            class:overdue=move || due().1
        >
            {origin_line}
            <p class="item-title">
                <strong data-testid="item-title">{move || item.with(|i| i.fields.title.clone())}</strong>
                {move || {
                    (item.with(|i| i.fields.status) == ItemStatus::Done)
                        .then(|| view! { <span class="item-done">" ✓ done"</span> })
                }}
            </p>
            <p class="item-meta">
                <span data-testid="item-owner">{move || item.with(owner_text)}</span>
                " · "
                <span data-testid="item-due" class:overdue=move || due().1>{move || due().0}</span>
            </p>
            {move || {
                item.with(|i| {
                    (!i.fields.done_when.is_empty())
                        .then(|| {
                            view! {
                                <p class="item-done-when">
                                    <span class="entry-label">"Done when: "</span>
                                    {i.fields.done_when.clone()}
                                </p>
                            }
                        })
                })
            }}
            {move || {
                item.with(|i| {
                    (!i.fields.ticket_url.is_empty())
                        .then(|| {
                            let state = i
                                .ticket_state
                                .clone()
                                .map(|s| format!(" ({s})"))
                                .unwrap_or_default();
                            view! {
                                <p class="item-ticket">
                                    "Ticket: "
                                    <a
                                        href=i.fields.ticket_url.clone()
                                        target="_blank"
                                        rel="noopener noreferrer"
                                        data-testid="item-ticket"
                                    >
                                        {i.fields.ticket_url.clone()}
                                    </a>
                                    {state}
                                </p>
                            }
                        })
                })
            }}
            {editable
                .then(|| {
                    view! {
                        <div class="item-actions">
                            {move || {
                                match item.with(|i| i.fields.status) {
                                    ItemStatus::Open => {
                                        view! {
                                            <button
                                                type="button"
                                                class="btn btn-small"
                                                data-testid="item-mark-done"
                                                disabled=move || busy.get()
                                                on:click=move |_| set_status(ItemStatus::Done)
                                            >
                                                "Mark done"
                                            </button>
                                        }
                                            .into_any()
                                    }
                                    ItemStatus::Done => {
                                        view! {
                                            <button
                                                type="button"
                                                class="btn btn-small"
                                                disabled=move || busy.get()
                                                on:click=move |_| set_status(ItemStatus::Open)
                                            >
                                                "Open again"
                                            </button>
                                        }
                                            .into_any()
                                    }
                                }
                            }}
                            <button
                                type="button"
                                class="btn btn-small"
                                data-testid="item-edit"
                                aria-expanded=move || editing.get().to_string()
                                on:click=move |_| editing.update(|e| *e = !*e)
                            >
                                {move || if editing.get() { "Close" } else { "Edit" }}
                            </button>
                            {move || {
                                let has_ticket = item.with(|i| !i.fields.ticket_url.is_empty());
                                if tickets && !has_ticket {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            data-testid="item-create-ticket"
                                            disabled=move || busy.get()
                                            on:click=move |_| ticket(false)
                                        >
                                            "Create ticket"
                                        </button>
                                    }
                                        .into_any()
                                } else if tickets {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            data-testid="item-check-ticket"
                                            disabled=move || busy.get()
                                            on:click=move |_| ticket(true)
                                        >
                                            "Check ticket"
                                        </button>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            data-testid="item-copy-markdown"
                                            on:click=copy
                                        >
                                            "Copy as Markdown"
                                        </button>
                                    }
                                        .into_any()
                                }
                            }}
                        </div>
                    }
                })}
            {move || {
                copied
                    .get()
                    .map(|ok| {
                        let words = if ok {
                            "Copied: paste it into a ticket."
                        } else {
                            "Copying is blocked here (it needs https); select the text from the export instead."
                        };
                        view! { <p class="note" role="status">{words}</p> }
                    })
            }}
            <Show when=move || closed_elsewhere.get()>
                <div class="item-confirm" role="alert" data-testid="item-ticket-closed">
                    <p>"Its ticket is closed. Mark this item done?"</p>
                    <button
                        type="button"
                        class="btn btn-primary btn-small"
                        data-testid="item-confirm-done"
                        on:click=move |_| set_status(ItemStatus::Done)
                    >
                        "Mark done"
                    </button>
                    <button
                        type="button"
                        class="btn btn-small"
                        on:click=move |_| closed_elsewhere.set(false)
                    >
                        "Not yet"
                    </button>
                </div>
            </Show>
            <FormOutcome outcome=outcome />
            {
                let owners = owners_for_form.clone();
                move || {
                    editing
                        .get()
                        .then(|| {
                            view! {
                                <ItemForm
                                    owners=owners.clone()
                                    start=item.get_untracked().fields
                                    label="Save item"
                                    busy_label="Saving…"
                                    send=Callback::new(move |(fields, form): (ItemFields, Submission)| {
                                        let current = item.get_untracked();
                                        let request = async move {
                                            api::update_item(
                                                    &session.csrf(),
                                                    current.id,
                                                    current.version,
                                                    &fields,
                                                )
                                                .await
                                        };
                                        form.send(
                                            session,
                                            request,
                                            move |i| {
                                                saved(i);
                                                editing.set(false);
                                                Some("Saved.".to_owned())
                                            },
                                        );
                                    })
                                />
                            }
                        })
                }
            }
        </li>
    }
}

/// The fields of an item, to add one or change one. `send` gets the fields and the form's
/// submission (busy, outcome) and makes the request.
#[component]
pub fn ItemForm(
    owners: Vec<String>,
    start: ItemFields,
    label: &'static str,
    busy_label: &'static str,
    send: Callback<(ItemFields, Submission)>,
) -> impl IntoView {
    let title = RwSignal::new(start.title.clone());
    let owner = RwSignal::new(start.owner.clone());
    let due = RwSignal::new(start.due.clone());
    let done_when = RwSignal::new(start.done_when.clone());
    let ticket_url = RwSignal::new(start.ticket_url.clone());
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        if title.get_untracked().trim().is_empty() {
            return form.refuse("Say what is to be done (the title).".to_owned());
        }
        let fields = ItemFields {
            title: title.get_untracked(),
            owner: owner.get_untracked(),
            due: due.get_untracked(),
            done_when: done_when.get_untracked(),
            status: start.status,
            ticket_url: ticket_url.get_untracked(),
            finding: start.finding.clone(),
        };
        send.run((fields, form));
    };
    let owner_options = owners.clone();
    view! {
        <form class="form item-form" novalidate on:submit=on_submit>
            <label class="field">
                <span class="field-label">"What is to be done"</span>
                <input type="text" maxlength="200" data-testid="item-form-title" bind:value=title />
            </label>
            <label class="field">
                <span class="field-label">"Owner"</span>
                <select
                    data-testid="item-form-owner"
                    prop:value=move || owner.get()
                    on:change=move |ev| owner.set(event_target_value(&ev))
                >
                    <option value="" selected=move || owner.with(String::is_empty)>
                        "Nobody yet"
                    </option>
                    {owner_options
                        .into_iter()
                        .map(|name| {
                            let value = name.clone();
                            let selected = name.clone();
                            view! {
                                <option value=value selected=move || owner.with(|o| *o == selected)>
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Due"</span>
                <input type="date" data-testid="item-form-due" bind:value=due />
            </label>
            <label class="field">
                <span class="field-label">"Done when"</span>
                <textarea rows="2" maxlength="1000" data-testid="item-form-done-when" bind:value=done_when></textarea>
                <span class="field-hint">"The condition that closes it, checkable by someone else."</span>
            </label>
            <label class="field">
                <span class="field-label">"Ticket link (optional)"</span>
                <input type="url" inputmode="url" data-testid="item-form-ticket" bind:value=ticket_url />
            </label>
            <SubmitButton busy=busy label=label busy_label=busy_label testid="item-form-save" primary=true />
            <FormOutcome outcome=outcome />
        </form>
    }
}
