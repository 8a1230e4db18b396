//! `/incidents/:id/retrospective`: the retrospective, written from the record.
//!
//! On a phone the next thing to do sits at the top (the countdown and what finishing still
//! needs), then the sections (each a text box with its Markdown preview), the findings the console
//! proposes, the action items, and the record folded at the foot. Stakeholders read a finished
//! one; responders and commanders edit a draft; a commander reopens a finished one.

mod editor;
mod items;
mod record;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{RetroState, Retrospective};

use crate::components::form::{FormOutcome, Submission};
use crate::components::gate::Gate;
use crate::components::local_time::local_time;
use crate::components::markdown::Markdown;
use crate::components::router::{use_location, A};
use crate::model::access::Access;
use crate::model::route::{Page, RETROSPECTIVE};
use crate::model::time;
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;
use editor::Editor;
use items::Items;
use record::{Findings, Record, Versions};

#[component]
pub fn RetroPage(session: Session, live: Live) -> impl IntoView {
    let location = use_location();
    let id = Memo::new(move |_| {
        location.page.with(|p| match p {
            Page::Incident(id) => id
                .strip_suffix(RETROSPECTIVE)
                .and_then(|id| id.strip_suffix('/'))
                .and_then(|id| id.trim().parse::<i64>().ok()),
            _ => None,
        })
    });
    view! {
        <Gate session=session>
            {move || match id.get() {
                Some(id) => view! { <Retro session=session live=live id=id /> }.into_any(),
                None => {
                    view! {
                        <section class="page">
                            <p class="error" role="alert" data-testid="form-error">
                                "That is not an incident number."
                            </p>
                        </section>
                    }
                        .into_any()
                }
            }}
        </Gate>
    }
}

#[component]
fn Retro(session: Session, live: Live, id: i64) -> impl IntoView {
    let retro = RwSignal::new(None::<Retrospective>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            match session.check(api::retrospective(id).await) {
                Ok(r) => {
                    let _ = error.try_set(None);
                    let _ = retro.try_set(Some(r));
                }
                Err(e) if e.signed_out() => {}
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    load();
    // The items and findings change the retrospective (its "missing" list, a finding taken): they
    // read it again through this one loader.
    let reload = Callback::new(move |()| load());
    // Someone else saved, finished or reopened it: the incident's version moved (the editor keeps
    // its text and says so).
    let version = Memo::new(move |_| live.incidents.with(|s| s.get(id).map(|i| i.version)));
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = version.get();
        if previous.is_some_and(|p| p.is_some() && p != now) {
            load();
        }
        now
    });
    let access = session.access();
    let responder = access.is_some_and(Access::can_respond);
    let commander = access.is_some_and(Access::can_command);
    let loaded = Memo::new(move |_| retro.with(Option::is_some));
    let editing = Memo::new(move |_| {
        retro.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.state != Some(RetroState::Finished))
        })
    });

    view! {
        <article class="page retro" data-testid="retro-page">
            <p class="back">
                <A href=format!("/incidents/{id}")>{format!("← INC-{id}")}</A>
            </p>
            {move || {
                error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })
            }}
            {move || {
                (!loaded.get() && error.with(Option::is_none))
                    .then(|| view! { <p class="note" role="status">"Loading the retrospective…"</p> })
            }}
            <Show when=move || loaded.get()>
                <Head live=live retro=retro />
                <Next session=session retro=retro responder=responder commander=commander />
                {move || {
                    // On the state alone: a save must not rebuild the editor (and lose its note).
                    if responder && editing.get() {
                        view! { <Editor session=session retro=retro /> }.into_any()
                    } else {
                        view! { <ReadOnly retro=retro /> }.into_any()
                    }
                }}
                <Show when=move || responder>
                    <Findings session=session retro=retro reload=reload />
                </Show>
                <Items session=session retro=retro responder=responder reload=reload />
                <Record retro=retro />
                <Versions retro=retro />
                <p class="retro-export">
                    <a
                        href=api::retro_markdown_url(id)
                        download=format!("INC-{id}-retrospective.md")
                        class="btn"
                        data-testid="retro-export"
                    >
                        "Export as Markdown"
                    </a>
                </p>
            </Show>
        </article>
    }
}

/// The incident, the state and the 48-hour countdown.
#[component]
fn Head(live: Live, retro: RwSignal<Option<Retrospective>>) -> impl IntoView {
    let field = move |f: fn(&Retrospective) -> String| {
        retro.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let state = move || {
        retro.with(|r| {
            let r = r.as_ref()?;
            Some(match (r.state, r.versions.first()) {
                (Some(RetroState::Finished), Some(v)) => {
                    format!("Finished by {} at {}", v.author, local_time(v.at_ms, false))
                }
                (Some(RetroState::Draft), Some(v)) => format!(
                    "Draft, version {} saved by {} at {}",
                    v.version,
                    v.author,
                    local_time(v.at_ms, false)
                ),
                _ => "Not started: the text below is pre-filled from the record".to_owned(),
            })
        })
    };
    let countdown = move || {
        let now = live.server_now();
        retro.with(|r| {
            let r = r.as_ref()?;
            if r.state == Some(RetroState::Finished) {
                return None;
            }
            let due = r.due_ms?;
            Some(if now > due {
                (format!("OVERDUE by {}", time::duration(now - due)), true)
            } else {
                (
                    format!(
                        "Due in {} (48 hours after resolution)",
                        time::duration(due - now)
                    ),
                    false,
                )
            })
        })
    };
    view! {
        <header class="incident-head">
            <p class="incident-ref">{move || field(|r| format!("INC-{} · {}", r.incident_id, r.severity.label()))}</p>
            <h2 class="page-title">"Retrospective: " {move || field(|r| r.title.clone())}</h2>
            <p class="retro-state" data-testid="retro-state">{state}</p>
            {move || {
                countdown()
                    .map(|(text, overdue)| {
                        view! {
                            <p class="retro-due" class:overdue=overdue data-testid="retro-countdown" data-overdue=overdue.to_string()>
                                {text}
                            </p>
                        }
                    })
            }}
        </header>
    }
}

/// What to do next: what finishing still needs, the Finish button, or a commander's Reopen.
#[component]
fn Next(
    session: Session,
    retro: RwSignal<Option<Retrospective>>,
    responder: bool,
    commander: bool,
) -> impl IntoView {
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let step = move |which: &'static str| {
        if form.in_flight() {
            return;
        }
        let Some(id) = retro.with_untracked(|r| r.as_ref().map(|r| r.incident_id)) else {
            return;
        };
        let request = async move { api::retro_step(&session.csrf(), id, which).await };
        form.send(session, request, move |r| {
            retro.set(Some(r));
            Some(match which {
                "finish" => {
                    "Finished: it is read-only now, and stakeholders can read it.".to_owned()
                }
                _ => "Reopened for editing.".to_owned(),
            })
        });
    };
    let view_state =
        move || retro.with(|r| r.as_ref().map(|r| (r.state, r.missing.clone(), r.version)));
    view! {
        <section class="card retro-next" data-testid="retro-next">
            {move || {
                let (state, missing, version) = view_state()?;
                Some(match state {
                    Some(RetroState::Finished) if commander => {
                        view! {
                            <button
                                type="button"
                                class="btn"
                                data-testid="retro-reopen"
                                disabled=move || busy.get()
                                on:click=move |_| step("reopen")
                            >
                                "Reopen for editing"
                            </button>
                        }
                            .into_any()
                    }
                    Some(RetroState::Finished) => {
                        view! { <p class="note">"Finished and read-only; a commander can reopen it."</p> }
                            .into_any()
                    }
                    _ if !responder => {
                        view! { <p class="note">"Being written."</p> }.into_any()
                    }
                    _ if version == 0 => {
                        view! {
                            <p class="note" data-testid="retro-missing">
                                "Save the pre-filled draft below to start it; its link goes to the incident channel."
                            </p>
                        }
                            .into_any()
                    }
                    _ if !missing.is_empty() => {
                        view! {
                            <div data-testid="retro-missing">
                                <p>"To finish it, it still needs:"</p>
                                <ul>{missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                            </div>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <button
                                type="button"
                                class="btn btn-primary btn-big"
                                data-testid="retro-finish"
                                disabled=move || busy.get()
                                on:click=move |_| step("finish")
                            >
                                {move || if busy.get() { "Finishing…" } else { "Finish the retrospective" }}
                            </button>
                        }
                            .into_any()
                    }
                })
            }}
            <FormOutcome outcome=outcome />
        </section>
    }
}

/// The sections as written, rendered (a finished retrospective, or any for stakeholders).
#[component]
fn ReadOnly(retro: RwSignal<Option<Retrospective>>) -> impl IntoView {
    let sections =
        move || retro.with(|r| r.as_ref().map(|r| r.sections.clone()).unwrap_or_default());
    view! {
        <section class="retro-sections" data-testid="retro-read">
            {move || {
                sections()
                    .headed()
                    .into_iter()
                    .map(|(heading, text)| {
                        let text = text.to_owned();
                        let empty = text.trim().is_empty();
                        view! {
                            <section class="retro-section">
                                <h3 class="section-title">{heading}</h3>
                                {if empty {
                                    view! { <p class="hint">"Not written."</p> }.into_any()
                                } else {
                                    view! { <Markdown source=Signal::derive(move || text.clone()) /> }.into_any()
                                }}
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </section>
    }
}
