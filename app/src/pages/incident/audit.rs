//! The audit log for the incident commander, at the foot of the incident page: every probe run on
//! demand, action requested, approved, refused and run for this incident (or, unfiltered, for all),
//! with the exact commands sent, their exit status, duration and output digest, and each entry's
//! place in the hash chain. Read-only; loaded when opened.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::{AuditEntry, AuditPage, AUDIT_PATH};

use crate::components::local_time::local_time;
use crate::net::session::Session;

#[component]
pub fn AuditLog(session: Session, id: i64) -> impl IntoView {
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let head = RwSignal::new(None::<String>);
    let more = RwSignal::new(false);
    let every = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let load = move |before: Option<i64>| {
        let mut query = Vec::new();
        if !every.get_untracked() {
            query.push(format!("incident={id}"));
        }
        if let Some(b) = before {
            query.push(format!("before={b}"));
        }
        let url = format!("{AUDIT_PATH}?{}", query.join("&"));
        spawn_local(async move {
            match session.check(crate::net::api::audit(&url).await) {
                Ok(AuditPage {
                    entries: page,
                    head: h,
                    more: m,
                }) => {
                    if before.is_none() {
                        entries.set(page);
                    } else {
                        entries.update(|e| e.extend(page));
                    }
                    head.set(h.map(|h| h.text()));
                    more.set(m);
                    failure.set(None);
                }
                Err(e) => failure.set(Some(e.message)),
            }
        });
    };
    view! {
        <details class="card audit" data-testid="audit-log" on:toggle=move |_| load(None)>
            <summary>"Audit log"</summary>
            <label class="field-inline">
                <input type="checkbox" data-testid="audit-every" prop:checked=every
                    on:change=move |ev| { every.set(event_target_checked(&ev)); load(None); } />
                " Every incident's entries"
            </label>
            {move || head.get().map(|h| view! { <p class="field-hint mono" data-testid="audit-head">{format!("Chain head {h}")}</p> })}
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <ol class="audit-entries">
                {move || entries.get().into_iter().map(|e| {
                    let r = e.record;
                    view! {
                        <li data-testid="audit-entry" data-kind=r.kind.label()>
                            <p>
                                <strong>{format!("#{} {} · {}", e.seq, r.kind.label(), r.subject)}</strong>
                                {format!(" — {} at {}", r.actor, local_time(r.at_ms, true))}
                            </p>
                            <p>{r.detail}</p>
                            {(!r.commands.is_empty()).then(|| view! {
                                <details>
                                    <summary>{format!("{} command(s)", r.commands.len())}</summary>
                                    {r.commands.into_iter().map(|c| view! {
                                        <pre>{c.argv.join(" ")}</pre>
                                        <p class="field-hint mono">{format!(
                                            "exit {} · {} ms · output sha256 {}{}",
                                            c.exit.map_or("none".to_owned(), |x| x.to_string()),
                                            c.duration_ms,
                                            c.output_sha256.get(..16).unwrap_or(""),
                                            c.error.map(|e| format!(" · {e}")).unwrap_or_default()
                                        )}</p>
                                    }).collect_view()}
                                </details>
                            })}
                            <p class="field-hint mono">{format!("hash {}…", e.hash.get(..16).unwrap_or(""))}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {move || more.get().then(|| view! {
                <button type="button" class="btn" on:click=move |_| {
                    let oldest = entries.with_untracked(|e| e.last().map(|x| x.seq));
                    load(oldest);
                }>"Older entries"</button>
            })}
        </details>
    }
}
