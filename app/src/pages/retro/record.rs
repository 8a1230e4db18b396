//! What the gateway knows: the record (starred entries first, the durations), the findings it
//! proposes (one tap makes one an action item), and the saved versions.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{ItemFields, ItemStatus, Retrospective};

use crate::components::form::{FormOutcome, Submission};
use crate::components::local_time::local_time;
use crate::components::markdown::Markdown;
use crate::model::time;
use crate::net::api;
use crate::net::session::Session;

#[component]
pub fn Record(retro: RwSignal<Option<Retrospective>>) -> impl IntoView {
    let record = move || retro.with(|r| r.as_ref().map(|r| r.record.clone()));
    move || {
        let rec = record()?;
        let took = |ms: Option<i64>, none: &str| ms.map_or_else(|| none.to_owned(), time::duration);
        let starred = rec.timeline.iter().filter(|l| l.starred).count();
        Some(view! {
            <section class="card retro-record" data-testid="retro-record">
                <h3 class="card-title">"The record"</h3>
                <dl class="facts">
                    <div class="fact">
                        <dt>"Time to first response"</dt>
                        <dd data-testid="retro-first-response">{took(rec.to_first_response_ms, "never acknowledged")}</dd>
                    </div>
                    <div class="fact">
                        <dt>"Time to mitigation"</dt>
                        <dd data-testid="retro-mitigation">
                            {took(rec.to_mitigation_ms, "not marked: mark the timeline entry where the bleeding stopped")}
                        </dd>
                    </div>
                    <div class="fact">
                        <dt>"Time to resolution"</dt>
                        <dd data-testid="retro-resolution">{took(rec.to_resolution_ms, "not resolved")}</dd>
                    </div>
                </dl>
                <details class="retro-timeline">
                    <summary>
                        {format!("Timeline: {} entries, {starred} starred", rec.timeline.len())}
                    </summary>
                    <ol class="timeline" data-testid="retro-timeline">
                        {rec
                            .timeline
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <li class="entry" class:starred=l.starred class:mitigation=l.mitigation data-seq=l.seq.to_string()>
                                        <p class="entry-meta">
                                            {l.starred.then_some("★ ")}
                                            <span class="entry-time">{local_time(l.at_ms, true)}</span>
                                            <span class="entry-actor">{l.actor}</span>
                                            {l.mitigation.then(|| view! { <span class="mitigation-tag">"bleeding stopped here"</span> })}
                                        </p>
                                        <p class="entry-headline">{l.text}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                </details>
            </section>
        })
    }
}

/// Findings from facts the console knows, each one tap from an action item.
#[component]
pub fn Findings(
    session: Session,
    retro: RwSignal<Option<Retrospective>>,
    /// Reads the retrospective again (the page's loader).
    reload: Callback<()>,
) -> impl IntoView {
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let finished = move || {
        retro.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.state == Some(wire::RetroState::Finished))
        })
    };
    let take = move |key: String, title: String, done_when: String| {
        if form.in_flight() {
            return;
        }
        let Some(id) = retro.with_untracked(|r| r.as_ref().map(|r| r.incident_id)) else {
            return;
        };
        let fields = ItemFields {
            title,
            owner: String::new(),
            due: String::new(),
            done_when,
            status: ItemStatus::Open,
            ticket_url: String::new(),
            finding: Some(key),
        };
        let request = async move { api::add_item(&session.csrf(), id, &fields).await };
        form.send(session, request, move |_| {
            // The list and the finding's "taken" come back with the retrospective.
            reload.run(());
            Some("Added as an action item: give it an owner and a due date below.".to_owned())
        });
    };
    move || {
        let findings = retro.with(|r| r.as_ref().map(|r| r.findings.clone()).unwrap_or_default());
        (!findings.is_empty()).then(|| {
            let locked = finished();
            view! {
                <section class="card retro-findings" data-testid="retro-findings">
                    <h3 class="card-title">"Proposed findings"</h3>
                    <p class="hint">"From what the console saw. Each can become an action item."</p>
                    <ul class="findings">
                        {findings
                            .into_iter()
                            .map(|f| {
                                let (key, title, done_when) = (f.key.clone(), f.title.clone(), f.done_when.clone());
                                view! {
                                    <li class="finding" data-testid="retro-finding" data-key=f.key.clone()>
                                        <p><strong>{f.title.clone()}</strong></p>
                                        <p class="hint">{f.detail.clone()}</p>
                                        {if f.taken {
                                            view! { <p class="note">"An action item carries it."</p> }.into_any()
                                        } else if locked {
                                            ().into_any()
                                        } else {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-small"
                                                    data-testid="retro-take-finding"
                                                    disabled=move || busy.get()
                                                    on:click=move |_| take(key.clone(), title.clone(), done_when.clone())
                                                >
                                                    "Make it an action item"
                                                </button>
                                            }
                                                .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <FormOutcome outcome=outcome />
                </section>
            }
        })
    }
}

/// Every saved version: who and when; a tap shows that version's text.
#[component]
pub fn Versions(retro: RwSignal<Option<Retrospective>>) -> impl IntoView {
    let shown = RwSignal::new(None::<(u32, String)>);
    let error = RwSignal::new(None::<String>);
    let open = move |version: u32| {
        let Some(id) = retro.with_untracked(|r| r.as_ref().map(|r| r.incident_id)) else {
            return;
        };
        spawn_local(async move {
            match api::retro_version(id, version).await {
                Ok(v) => {
                    let text = v
                        .sections
                        .headed()
                        .iter()
                        .map(|(h, t)| format!("## {h}\n\n{t}\n"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let _ = shown.try_set(Some((version, text)));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    move || {
        let versions = retro.with(|r| r.as_ref().map(|r| r.versions.clone()).unwrap_or_default());
        (!versions.is_empty()).then(|| {
            view! {
                <details class="card retro-versions" data-testid="retro-versions">
                    <summary>{format!("{} saved version(s)", versions.len())}</summary>
                    <ul>
                        {versions
                            .into_iter()
                            .map(|v| {
                                let n = v.version;
                                view! {
                                    <li>
                                        <button type="button" class="btn btn-small" on:click=move |_| open(n)>
                                            {format!("Version {n}")}
                                        </button>
                                        {format!(" {} by {} at {}", v.did, v.author, local_time(v.at_ms, false))}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    {move || {
                        shown
                            .get()
                            .map(|(n, text)| {
                                view! {
                                    <div class="md-preview" data-testid="retro-version-text">
                                        <p class="hint">{format!("Version {n}:")}</p>
                                        <Markdown source=Signal::derive(move || text.clone()) />
                                    </div>
                                }
                            })
                    }}
                </details>
            }
        })
    }
}
