//! The sections as text boxes with a live Markdown preview, and Save. A save names the version it
//! started from: when someone saved meanwhile, the gateway refuses and the text stays here.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wire::{RetroSections, Retrospective, SaveRetro};

use crate::components::form::{FormOutcome, Submission, SubmitButton};
use crate::components::markdown::Markdown;
use crate::net::api;
use crate::net::session::Session;

/// Each section's key (for test hooks and ids), heading and hint.
const SECTIONS: [(&str, &str, &str); 5] = [
    ("summary", "Summary", "What happened, in a few sentences."),
    (
        "impact",
        "Impact",
        "What users saw, for how long; the times are the record's.",
    ),
    ("root_cause", "Root cause", "Why it happened, not who."),
    ("went_well", "What went well", ""),
    ("went_badly", "What didn't", ""),
];

fn get(s: &RetroSections, key: &str) -> String {
    match key {
        "summary" => s.summary.clone(),
        "impact" => s.impact.clone(),
        "root_cause" => s.root_cause.clone(),
        "went_well" => s.went_well.clone(),
        _ => s.went_badly.clone(),
    }
}

#[component]
pub fn Editor(session: Session, retro: RwSignal<Option<Retrospective>>) -> impl IntoView {
    let start = retro.with_untracked(|r| {
        r.as_ref()
            .map(|r| (r.sections.clone(), r.version, r.incident_id))
    });
    let Some((sections, version, id)) = start else {
        return ().into_any();
    };
    let texts: Vec<RwSignal<String>> = SECTIONS
        .iter()
        .map(|(key, _, _)| RwSignal::new(get(&sections, key)))
        .collect();
    // The version this text started from.
    let base = RwSignal::new(version);
    let saved_text = RwSignal::new(sections);
    let preview = RwSignal::new(true);
    let form = Submission::default();
    let Submission { busy, outcome } = form;
    let current = {
        let texts = texts.clone();
        move || RetroSections {
            summary: texts[0].get(),
            impact: texts[1].get(),
            root_cause: texts[2].get(),
            went_well: texts[3].get(),
            went_badly: texts[4].get(),
        }
    };
    let current_untracked = {
        let texts = texts.clone();
        move || RetroSections {
            summary: texts[0].get_untracked(),
            impact: texts[1].get_untracked(),
            root_cause: texts[2].get_untracked(),
            went_well: texts[3].get_untracked(),
            went_badly: texts[4].get_untracked(),
        }
    };
    let dirty = {
        let current = current.clone();
        move || base.get() == 0 || saved_text.with(|s| *s != current())
    };
    // Someone else saved since this text started.
    let behind = move || retro.with(|r| r.as_ref().is_some_and(|r| r.version > base.get()));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.in_flight() {
            return;
        }
        let body = SaveRetro {
            sections: current_untracked(),
            base: base.get_untracked(),
        };
        let request = async move { api::save_retro(&session.csrf(), id, &body).await };
        form.send(session, request, move |r: Retrospective| {
            base.set(r.version);
            saved_text.set(r.sections.clone());
            let words = format!("Saved as version {}.", r.version);
            retro.set(Some(r));
            Some(words)
        });
    };
    let take_theirs = {
        let texts = texts.clone();
        move |_| {
            retro.with_untracked(|r| {
                if let Some(r) = r {
                    for ((key, _, _), t) in SECTIONS.iter().zip(&texts) {
                        t.set(get(&r.sections, key));
                    }
                    base.set(r.version);
                    saved_text.set(r.sections.clone());
                }
            });
        }
    };
    view! {
        <form class="retro-editor" novalidate on:submit=on_submit data-testid="retro-editor">
            <label class="check preview-toggle">
                <input type="checkbox" bind:checked=preview />
                " Show the preview"
            </label>
            {SECTIONS
                .iter()
                .zip(texts)
                .map(|((key, heading, hint), text)| {
                    let field_id = format!("retro-{key}");
                    view! {
                        <section class="retro-section">
                            <label class="section-title" for=field_id.clone()>{*heading}</label>
                            {(!hint.is_empty()).then(|| view! { <p class="field-hint">{*hint}</p> })}
                            <textarea
                                id=field_id
                                rows="6"
                                data-testid=format!("retro-{key}")
                                bind:value=text
                            ></textarea>
                            <Show when=move || preview.get()>
                                <div class="md-preview" aria-label=format!("{heading}, as it will read")>
                                    <Markdown source=Signal::derive(move || text.get()) />
                                </div>
                            </Show>
                        </section>
                    }
                })
                .collect_view()}
            <div class="retro-save">
                <Show when=behind>
                    <div class="error" role="alert" data-testid="retro-behind">
                        <p>"Someone saved a newer version since you started: your save would be refused. Your text is kept here."</p>
                        <button type="button" class="btn btn-small" on:click=take_theirs.clone()>
                            "Replace my text with theirs"
                        </button>
                    </div>
                </Show>
                <p class="hint" data-testid="retro-dirty">
                    {move || if dirty() { "Unsaved changes." } else { "Everything is saved." }}
                </p>
                <SubmitButton busy=busy label="Save" busy_label="Saving…" testid="retro-save" primary=true />
                <FormOutcome outcome=outcome />
            </div>
        </form>
    }
    .into_any()
}
