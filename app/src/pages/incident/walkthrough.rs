//! The incident's guided playbooks (responders): start the one the board suggests (or any), then
//! one step at a time — do it, run its check, or choose the next branch, the recommended one
//! first — with the spec's words, its command, and what works on real Ory. The history folds away.
//!
//! Runs live on the gateway: every device shows the same step, and a walkthrough resumes after a
//! reload. When the timeline shows another responder moving a walkthrough, the panel refetches.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{
    EntryKind, PlaybookCatalog, PlaybookInfo, ReportedOutcome, RunInfo, StepInfo, StepReport,
};

use crate::model::adapters::walkthrough::{current_step, finding, history_line, timer, Finding};
use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

#[component]
pub fn Walkthroughs(
    session: Session,
    live: Live,
    id: i64,
    /// Where a step's action goes to be planned (the actions panel).
    action_draft: RwSignal<Option<super::actions::Draft>>,
) -> impl IntoView {
    let catalog = RwSignal::new(None::<PlaybookCatalog>);
    let runs = RwSignal::new(Vec::<RunInfo>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let refresh = move || {
        spawn_local(async move {
            match session.check(api::runs(id).await) {
                Ok(r) => runs.set(r),
                Err(e) => failure.set(Some(e.message)),
            }
        });
    };
    spawn_local(async move {
        match session.check(api::playbooks().await) {
            Ok(c) => catalog.set(Some(c)),
            Err(e) => failure.set(Some(e.message)),
        }
    });
    // Any walkthrough line on this incident's timeline (from anyone): fetch the runs again.
    let moves = Memo::new(move |_| {
        live.incidents.with(|s| {
            s.timeline(id)
                .iter()
                .filter(|e| matches!(e.kind, EntryKind::Walkthrough { .. }))
                .count()
        })
    });
    Effect::new(move |_| {
        // Read, not only tracked: a memo that is never read is never computed, so it would
        // never change and the panel would miss every move made elsewhere.
        let _ = moves.get();
        refresh();
    });

    // Sends a request that answers with the run, and puts the answer in place.
    let send = move |request: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<RunInfo, api::ApiFailure>>>,
    >| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = session.check(request.await);
            busy.set(false);
            match result {
                Ok(run) => runs.update(|rs| match rs.iter_mut().find(|r| r.id == run.id) {
                    Some(slot) => *slot = run,
                    None => rs.push(run),
                }),
                Err(e) => failure.set(Some(e.message)),
            }
        });
    };
    let start = move |playbook: String| {
        send(Box::pin(async move {
            api::start_run(&session.csrf(), id, &playbook).await
        }))
    };
    let act = move |run: i64, report: StepReport| {
        send(Box::pin(async move {
            api::report_step(&session.csrf(), id, run, &report).await
        }))
    };
    let probe = move |run: i64, step: String| {
        send(Box::pin(async move {
            api::run_probe(&session.csrf(), id, run, &step).await
        }))
    };

    view! {
        <section class="card walkthroughs" data-testid="walkthroughs" aria-labelledby="walkthroughs-title">
            <h3 id="walkthroughs-title" class="card-title">"Playbooks"</h3>
            {move || failure.get().map(|e| view! { <p class="error" role="alert" data-testid="walkthrough-error">{e}</p> })}
            {move || {
                let Some(cat) = catalog.get() else {
                    return view! { <p class="note">"Loading the playbooks…"</p> }.into_any();
                };
                let list = runs.get();
                let active: Vec<RunInfo> = list.iter().filter(|r| r.current.is_some()).cloned().collect();
                if active.is_empty() {
                    return view! { <Starter catalog=cat runs=list start=start busy=busy /> }.into_any();
                }
                active
                    .into_iter()
                    .map(|run| {
                        let playbook = cat.playbooks.iter().find(|p| p.id == run.playbook).cloned();
                        match playbook {
                            Some(p) => view! {
                                <Run run=run playbook=p live=live busy=busy act=act probe=probe refresh=refresh action_draft=action_draft />
                            }
                            .into_any(),
                            None => ().into_any(),
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </section>
    }
}

/// No walkthrough under way: the board's suggestions first, then every playbook.
#[component]
fn Starter(
    catalog: PlaybookCatalog,
    runs: Vec<RunInfo>,
    start: impl Fn(String) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let finished: Vec<String> = runs.iter().map(|r| r.playbook.clone()).collect();
    let suggested = catalog.suggested.clone();
    let button = move |p: &PlaybookInfo, primary: bool| {
        let id = p.id.clone();
        let title = p.title.clone();
        let done = finished.contains(&p.id);
        view! {
            <li>
                <button
                    type="button"
                    class=if primary { "btn btn-primary btn-big" } else { "btn" }
                    data-testid=format!("start-{}", p.id)
                    disabled=move || busy.get()
                    on:click=move |_| start(id.clone())
                >
                    {title}
                    {done.then_some(" (walked before)")}
                </button>
            </li>
        }
    };
    view! {
        {(!suggested.is_empty())
            .then(|| {
                view! {
                    <div class="suggested" data-testid="suggested">
                        <p class="field-label">"The board points to"</p>
                        <ul class="plain">
                            {suggested
                                .iter()
                                .filter_map(|s| catalog.playbooks.iter().find(|p| p.id == s.playbook).map(|p| (s.because.clone(), p)))
                                .map(|(because, p)| view! { {button(p, true)} <p class="field-hint">{because}</p> })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })}
        {if suggested.is_empty() {
            view! {
                <ul class="plain all-playbooks">
                    {catalog.playbooks.iter().map(|p| button(p, false)).collect_view()}
                </ul>
            }
                .into_any()
        } else {
            view! {
                <details class="all-playbooks">
                    <summary>"Every playbook"</summary>
                    <ul class="plain">
                        {catalog.playbooks.iter().map(|p| button(p, false)).collect_view()}
                    </ul>
                </details>
            }
                .into_any()
        }}
    }
}

/// One walkthrough under way: its current step, large, and its history folded.
#[component]
fn Run(
    run: RunInfo,
    playbook: PlaybookInfo,
    live: Live,
    busy: RwSignal<bool>,
    act: impl Fn(i64, StepReport) + Copy + Send + Sync + 'static,
    probe: impl Fn(i64, String) + Copy + Send + Sync + 'static,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
    action_draft: RwSignal<Option<super::actions::Draft>>,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let step: Option<StepInfo> = current_step(&playbook, &run).cloned();
    let history: Vec<String> = run
        .records
        .iter()
        .map(|r| history_line(&playbook, r))
        .collect();
    let run_id = run.id;
    let report = move |step: String, outcome: ReportedOutcome| {
        let text = note.get_untracked();
        act(
            run_id,
            StepReport {
                step,
                outcome,
                note: (!text.trim().is_empty()).then_some(text),
            },
        );
        note.set(String::new());
    };
    let found = step.as_ref().and_then(|s| finding(&playbook, &run, s));
    view! {
        <article class="walkthrough" data-testid=format!("run-{}", playbook.id)>
            <h4 class="walkthrough-title">{playbook.title.clone()}</h4>
            {step.map(|s| {
                let id = s.id.clone();
                // The countdown runs over the steps after the one that started it; when it runs
                // out, the run is asked again: a decision may now recommend stopping the bleed.
                let timer_view = run.countdown.map(|c| {
                    let over = Memo::new(move |_| timer(c, live.server_now()).1);
                    Effect::new(move |was: Option<bool>| {
                        let now = over.get();
                        if was == Some(false) && now {
                            refresh();
                        }
                        now
                    });
                    view! {
                        <p class="walkthrough-timer" data-testid="step-timer" data-over=move || over.get().to_string()>
                            {move || timer(c, live.server_now()).0}
                        </p>
                    }
                });
                let controls = match s.kind.as_str() {
                    "decision" => {
                        let mut order: Vec<usize> = (0..s.branches.len()).collect();
                        if let Some(r) = run.recommended {
                            order.retain(|b| *b != r);
                            order.insert(0, r);
                        }
                        order
                            .into_iter()
                            .map(|b| {
                                let branch = &s.branches[b];
                                let recommended = run.recommended == Some(b);
                                let id = id.clone();
                                view! {
                                    <button
                                        type="button"
                                        class=if recommended { "btn btn-primary btn-big" } else { "btn btn-big" }
                                        data-testid=format!("branch-{b}")
                                        data-recommended=recommended.to_string()
                                        disabled=move || busy.get()
                                        on:click=move |_| report(id.clone(), ReportedOutcome::Chose(b))
                                    >
                                        {recommended.then_some("Recommended: ")}
                                        {branch.label.clone()}
                                    </button>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                    kind => {
                        let (main_label, main): (&'static str, Option<ReportedOutcome>) = match kind {
                            "probe" => ("Run the check", None),
                            "external" => ("Checked", Some(ReportedOutcome::Checked)),
                            _ => ("Done", Some(ReportedOutcome::Done)),
                        };
                        let (id_main, id_skip) = (id.clone(), id.clone());
                        let skip = move || view! {
                            <button
                                type="button"
                                class="btn"
                                data-testid="step-skip"
                                disabled=move || busy.get()
                                on:click=move |_| report(id_skip.clone(), ReportedOutcome::Skipped)
                            >
                                "Skip (say why below)"
                            </button>
                        };
                        match s.action.clone() {
                            // A step an action carries out: plan it (the run completes the step),
                            // or say it was done by hand. Its own view type, so that moving to a
                            // step without an action draws the next step afresh.
                            Some(a) => {
                                let step = id.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="btn btn-primary btn-big"
                                        data-testid="step-action"
                                        on:click=move |_| {
                                            action_draft.set(Some(super::actions::Draft {
                                                action: a.id.clone(),
                                                params: a.params.clone(),
                                                step: Some(wire::StepRef { run: run_id, step: step.clone() }),
                                            }));
                                            scroll_to("planner");
                                        }
                                    >
                                        {a.title.clone()}
                                    </button>
                                    <button
                                        type="button"
                                        class="btn"
                                        data-testid="step-main"
                                        disabled=move || busy.get()
                                        on:click=move |_| report(id_main.clone(), ReportedOutcome::Done)
                                    >
                                        {move || if busy.get() { "Working…" } else { "Done by hand" }}
                                    </button>
                                    {skip()}
                                }
                                .into_any()
                            }
                            None => view! {
                                <button
                                    type="button"
                                    class="btn btn-primary btn-big"
                                    data-testid="step-main"
                                    disabled=move || busy.get()
                                    on:click=move |_| match main {
                                        Some(outcome) => report(id_main.clone(), outcome),
                                        None => probe(run_id, id_main.clone()),
                                    }
                                >
                                    {move || if busy.get() { "Working…" } else { main_label }}
                                </button>
                                {skip()}
                            }
                            .into_any(),
                        }
                    }
                };
                view! {
                    <div class="step" data-testid="current-step" data-step=s.id.clone() data-kind=s.kind.clone()>
                        <p class="step-title">{s.title.clone()}</p>
                        {timer_view}
                        {s.says.clone().map(|t| view! { <p class="step-says">{t}</p> })}
                        {s.real_ory.clone().map(|t| view! { <p class="step-real"><strong>"On real Ory: "</strong>{t}</p> })}
                        {s.command.clone().map(|c| view! { <details class="step-command"><summary>"The playbook's command"</summary><pre>{c}</pre></details> })}
                        {(s.kind == "external").then(|| match (s.link.clone(), s.cites.clone()) {
                            (Some(url), cites) => {
                                let text = cites.unwrap_or_else(|| url.clone());
                                view! { <p><a href=url target="_blank" rel="noopener external">{text}</a></p> }.into_any()
                            }
                            (None, Some(cites)) => view! { <p class="field-hint">{format!("{cites} (no link configured for this installation)")}</p> }.into_any(),
                            (None, None) => ().into_any(),
                        })}
                        {found.clone().map(|Finding { step: again, title, at_ms, found }| {
                            let at = at_ms.to_string();
                            // The current step's own check has its main button already.
                            let rerun = (again != id).then(|| view! {
                                <button
                                    type="button"
                                    class="btn btn-small"
                                    data-testid="run-again"
                                    disabled=move || busy.get()
                                    on:click=move |_| probe(run_id, again.clone())
                                >
                                    "Run the check again"
                                </button>
                            });
                            match found {
                                Ok(result) => view! {
                                    <div class="step-result" data-testid="step-result" data-at=at>
                                        <p class="field-label">{format!("“{title}” found")}</p>
                                        <p>{result.summary}</p>
                                        {(!result.details.is_empty()).then(|| view! {
                                            <details><summary>"Details"</summary><pre>{result.details.join("\n")}</pre></details>
                                        })}
                                        {rerun}
                                    </div>
                                }
                                .into_any(),
                                Err(why) => view! {
                                    <div class="step-result step-failed" data-testid="step-failed" data-at=at role="alert">
                                        <p class="field-label">{format!("“{title}” could not run")}</p>
                                        <p>{why}</p>
                                        <p class="field-hint">"Run it again, or skip it with what you found by hand."</p>
                                        {rerun}
                                    </div>
                                }
                                .into_any(),
                            }
                        })}
                        <div class="step-controls">{controls}</div>
                        <label class="field">
                            <span class="field-label">
                                {if s.kind == "decision" { "Note" } else { "Note (needed to skip)" }}
                            </span>
                            <input type="text" data-testid="step-note" prop:value=note on:input=move |ev| note.set(event_target_value(&ev)) />
                        </label>
                    </div>
                }
            })}
            {(!history.is_empty()).then(|| view! {
                <details class="walkthrough-history" data-testid="run-history">
                    <summary>{format!("Done so far ({})", history.len())}</summary>
                    <ol>{history.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ol>
                </details>
            })}
        </article>
    }
}

/// Brings the element with `data-testid=<test_id>` into view once it is rendered.
fn scroll_to(test_id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .query_selector(&format!("[data-testid={test_id}]"))
            .ok()
            .flatten()
        {
            el.scroll_into_view();
        }
    });
}
