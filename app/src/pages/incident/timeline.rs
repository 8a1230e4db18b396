//! The timeline, oldest first (newest last, like a log): time, actor and the entry in words, and
//! under any entry carried to the incident channel, that message's fate with a Retry button when
//! it failed. Responders star the entries a retrospective should lead with, and mark the one
//! where the bleeding stopped.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{ActionMsg, Delivery, DeliveryState, Marks};

use crate::components::form::{FormOutcome, Submission};
use crate::components::local_time::local_time;
use crate::model::adapters::timeline::{delivery_text, entry_text};
use crate::model::incident_store::Source;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn Timeline(session: Session, live: Live, id: i64, can_retry: bool) -> impl IntoView {
    // Responders may retry deliveries and mark entries; stakeholders see neither.
    let marks = RwSignal::new(Marks::default());
    if can_retry {
        live_marks(session, live, id, marks);
    }
    let seqs = Memo::new(move |_| {
        live.incidents
            .with(|s| s.timeline(id).iter().map(|e| e.seq).collect::<Vec<_>>())
    });
    view! {
        <section class="timeline-section" aria-labelledby="timeline-title">
            <h3 id="timeline-title" class="section-title">
                "Timeline"
            </h3>
            {move || {
                seqs.with(Vec::is_empty)
                    .then(|| view! { <p class="empty">"No entries yet."</p> })
            }}
            <ol class="timeline" data-testid="timeline">
                <For each=move || seqs.get() key=|seq| *seq let(seq)>
                    <Entry session=session live=live id=id seq=seq can_retry=can_retry marks=marks />
                </For>
            </ol>
        </section>
    }
}

/// Keeps `marks` as every responder sets them: fetched whenever the socket (re)connects (a mark
/// made while it was down is not lost), then replaced by each `action_marks` frame for this
/// incident.
fn live_marks(session: Session, live: Live, id: i64, marks: RwSignal<Marks>) {
    let epoch = Memo::new(move |_| live.incidents.with(|s| s.epoch));
    Effect::new(move |_| {
        let _ = epoch.get();
        spawn_local(async move {
            if let Ok(m) = session.check(api::marks(id).await) {
                let _ = marks.try_set(m);
            }
        });
    });
    let seen = StoredValue::new(0usize);
    Effect::new(move |_| {
        live.incidents.with(|store| {
            let frames = &store.action_frames;
            // The list starts over when it is full; the frames before are then already applied.
            let from = if frames.len() < seen.get_value() {
                0
            } else {
                seen.get_value()
            };
            // Only marks frames are decoded here (the tag is written first), not output lines.
            let newest = frames[from..]
                .iter()
                .rev()
                .filter(|text| text.starts_with(wire::MARKS_FRAME_PREFIX))
                .find_map(|text| match serde_json::from_str::<ActionMsg>(text) {
                    Ok(ActionMsg::ActionMarks { incident_id, marks }) if incident_id == id => {
                        Some(marks)
                    }
                    _ => None,
                });
            if let Some(m) = newest {
                marks.set(m);
            }
            seen.set_value(frames.len());
        });
    });
}

/// One entry. Entries never change once written, so it is read once; only its delivery is live.
#[component]
fn Entry(
    session: Session,
    live: Live,
    id: i64,
    seq: i64,
    can_retry: bool,
    marks: RwSignal<Marks>,
) -> impl IntoView {
    let Some(entry) = live
        .incidents
        .with_untracked(|s| s.timeline(id).iter().find(|e| e.seq == seq).cloned())
    else {
        return ().into_any();
    };
    let kind = entry.kind.tag();
    let text = entry_text(&entry.kind);
    let delivery = Memo::new(move |_| live.incidents.with(|s| s.delivery_for(id, seq).cloned()));
    let starred = move || marks.with(|m| m.starred.contains(&seq));
    let mitigation = move || marks.with(|m| m.mitigation == Some(seq));
    view! {
        <li
            class="entry"
            data-testid="timeline-entry"
            data-kind=kind
            data-seq=seq.to_string()
            class:starred=starred
            class:mitigation=mitigation
        >
            <p class="entry-meta">
                <span class="entry-time">{local_time(entry.at_ms, true)}</span>
                <span class="entry-actor">{entry.actor}</span>
                {can_retry.then(|| view! { <MarkButtons session=session id=id seq=seq marks=marks /> })}
            </p>
            <p class="entry-headline">{text.headline}</p>
            {text
                .lines
                .into_iter()
                .map(|(label, line)| {
                    view! {
                        <p class="entry-line">
                            {(!label.is_empty())
                                .then(|| view! { <span class="entry-label">{label} ": "</span> })}
                            {line}
                        </p>
                    }
                })
                .collect_view()}
            {move || {
                delivery
                    .get()
                    .map(|d| {
                        view! { <DeliveryLine session=session live=live delivery=d can_retry=can_retry /> }
                    })
            }}
        </li>
    }
    .into_any()
}

/// "sent to #inc-olympus", "retrying (attempt 2)…", or a loud "NOT delivered" with Retry.
#[component]
fn DeliveryLine(
    session: Session,
    live: Live,
    delivery: Delivery,
    can_retry: bool,
) -> impl IntoView {
    let channel = live
        .incidents
        .with_untracked(|s| s.meta.as_ref().and_then(|m| m.channel.clone()));
    let text = delivery_text(&delivery, channel.as_deref());
    let state = delivery.state;
    let (incident_id, delivery_id) = (delivery.incident_id, delivery.id);
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let on_retry = move |_| {
        if form.in_flight() {
            return;
        }
        let request =
            async move { api::retry_delivery(&session.csrf(), incident_id, delivery_id).await };
        form.send(session, request, move |d| {
            live.incidents.update(|s| {
                s.upsert_delivery(d, Source::Socket);
            });
            None
        });
    };
    let icon = match state {
        DeliveryState::Delivered => "✓",
        DeliveryState::Pending => "…",
        DeliveryState::Failed => "✕",
    };
    view! {
        <div class="delivery" data-testid="delivery-state" data-state=state.as_str()>
            <span class="delivery-icon" aria-hidden="true">{icon}</span>
            <span class="delivery-text">{text}</span>
            {(state == DeliveryState::Failed && can_retry)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-danger btn-small"
                            data-testid="delivery-retry"
                            disabled=move || busy.get()
                            on:click=on_retry
                        >
                            {move || if busy.get() { "Retrying…" } else { "Retry" }}
                        </button>
                    }
                })}
        </div>
        <FormOutcome outcome=outcome />
    }
}

/// A star (the retrospective leads with starred entries) and "the bleeding stopped here" (the
/// time to mitigation is counted to it; one per incident).
#[component]
fn MarkButtons(session: Session, id: i64, seq: i64, marks: RwSignal<Marks>) -> impl IntoView {
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let starred = move || marks.with(|m| m.starred.contains(&seq));
    let mitigation = move || marks.with(|m| m.mitigation == Some(seq));
    // A refused mark (the incident gone, the session's role changed) says why under the entry.
    let toggle = move |what: &'static str, on: bool| {
        if form.in_flight() {
            return;
        }
        let request = async move { api::mark(&session.csrf(), id, seq, what, on).await };
        form.send(session, request, move |m| {
            marks.set(m);
            None
        });
    };
    view! {
        <span class="entry-marks">
            <button
                type="button"
                class="btn btn-small btn-mark"
                data-testid="entry-star"
                aria-pressed=move || starred().to_string()
                title="Star: the retrospective's timeline leads with starred entries"
                disabled=move || busy.get()
                on:click=move |_| toggle("star", !starred())
            >
                {move || if starred() { "★ Starred" } else { "☆ Star" }}
            </button>
            <button
                type="button"
                class="btn btn-small btn-mark"
                data-testid="entry-mitigation"
                aria-pressed=move || mitigation().to_string()
                title="The bleeding stopped here: the time to mitigation counts to this entry"
                disabled=move || busy.get()
                on:click=move |_| toggle("mitigation", !mitigation())
            >
                {move || if mitigation() { "✓ Mitigated here" } else { "Mitigated here?" }}
            </button>
        </span>
        <FormOutcome outcome=outcome />
    }
}
