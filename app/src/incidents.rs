//! The incident pages and the pieces they share.
//!
//! - `list`: `/incidents`, filters and one row per incident;
//! - `declare`: `/incidents/new`, the severity matrix as the choice;
//! - `detail`: `/incidents/:id`, countdowns, facts and the responder's actions, built from
//!   `deadlines`, `ack`, `composer`, `note`, `scope`, `regrade`, `resolve` and `timeline`;
//! - `banner`: the header's overdue banner, on every page.
//!
//! All of them read the one [`crate::model::incident_store::IncidentStore`] in [`Live`]; wording and
//! ordering come from `incident_adapters`. Stakeholders (and share viewers) get the same pages
//! without forms; the gateway refuses their writes anyway.

mod ack;
mod banner;
mod composer;
mod deadlines;
mod declare;
mod detail;
mod list;
mod note;
mod regrade;
mod resolve;
mod scope;
mod timeline;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wire::{IncidentSummary, Severity};

use crate::model::time::time_of_day;
use crate::net::api::{self, ApiFailure};
use crate::net::live::Live;
use crate::net::session::Session;

pub use banner::OverdueBanner;
pub use declare::DeclarePage;
pub use detail::IncidentPage;
pub use list::IncidentsPage;

/// A note under a form: done (`Ok`), or the gateway's message (`Err`), shown as is.
pub type Outcome = Option<Result<String, String>>;

/// One form's request in flight and its outcome line, shared by every incident action.
#[derive(Clone, Copy, Default)]
pub struct Submission {
    pub busy: RwSignal<bool>,
    pub outcome: RwSignal<Outcome>,
}

impl Submission {
    /// True while a request is in flight: a second tap is ignored.
    pub fn in_flight(self) -> bool {
        self.busy.get_untracked()
    }

    /// Shows a problem found before sending.
    pub fn refuse(self, message: String) {
        self.outcome.set(Some(Err(message)));
    }

    /// Sends `request`: busy while in flight, the last outcome cleared; then `done`'s words on
    /// success (`None` says nothing), or the gateway's message word for word on failure.
    pub fn send<T: 'static>(
        self,
        session: Session,
        request: impl Future<Output = Result<T, ApiFailure>> + 'static,
        done: impl FnOnce(T) -> Option<String> + 'static,
    ) {
        self.send_or(session, request, done, |_| {});
    }

    /// As [`Submission::send`], with `failed` seeing a failure before its message is shown.
    pub fn send_or<T: 'static>(
        self,
        session: Session,
        request: impl Future<Output = Result<T, ApiFailure>> + 'static,
        done: impl FnOnce(T) -> Option<String> + 'static,
        failed: impl FnOnce(&ApiFailure) + 'static,
    ) {
        self.busy.set(true);
        self.outcome.set(None);
        spawn_local(async move {
            let result = session.check(request.await);
            self.busy.set(false);
            match result {
                Ok(value) => {
                    if let Some(words) = done(value) {
                        self.outcome.set(Some(Ok(words)));
                    }
                }
                Err(e) => {
                    failed(&e);
                    self.outcome.set(Some(Err(e.message)));
                }
            }
        });
    }
}

/// The outcome line of incident forms; errors carry the `form-error` test hook.
#[component]
pub fn FormOutcome(outcome: RwSignal<Outcome>) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Ok(note) => view! { <p class="note" role="status" data-testid="form-note">{note}</p> }
                .into_any(),
            Err(e) => {
                view! { <p class="error" role="alert" data-testid="form-error">{e}</p> }.into_any()
            }
        })
    }
}

/// "Sev 1" in the severity's colour.
#[component]
pub fn SeverityBadge(
    #[prop(into)] severity: Signal<Severity>,
    #[prop(optional)] test_id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class="sev-badge" data-testid=test_id data-severity=move || severity.get().as_str()>
            {move || severity.get().label()}
        </span>
    }
}

/// An incident's time of day in the viewer's time zone: "03:12", or "03:12:09" with `seconds`.
pub fn local_time(ms: i64, seconds: bool) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    // `getTimezoneOffset` is UTC minus local, in minutes.
    let offset = -(date.get_timezone_offset() as i64);
    time_of_day(ms, offset, seconds)
}

/// One incident from the store, as a memo (so a view updates only when it changed).
pub fn incident_memo(live: Live, id: i64) -> Memo<Option<IncidentSummary>> {
    Memo::new(move |_| live.incidents.with(|s| s.get(id).cloned()))
}

/// The services a scope may name (empty until a list has been loaded).
pub fn services_memo(live: Live) -> Memo<Vec<String>> {
    Memo::new(move |_| {
        live.incidents.with(|s| {
            s.meta
                .as_ref()
                .map(|m| m.services.clone())
                .unwrap_or_default()
        })
    })
}

/// The status-update cadence in minutes, once known.
pub fn cadence_memo(live: Live) -> Memo<Option<u32>> {
    Memo::new(move |_| {
        live.incidents
            .with(|s| s.meta.as_ref().map(|m| m.cadence_minutes))
    })
}

/// Loads `GET /api/incidents` for its settings (services, cadence, channel) unless a list was
/// already loaded (normally by `net/live.rs` at sign-in). A failure lands in `error`.
pub fn ensure_meta(live: Live, session: Session, error: RwSignal<Option<String>>) {
    if live.incidents.with_untracked(|s| s.meta.is_some()) {
        return;
    }
    spawn_local(async move {
        match session.check(api::incidents("").await) {
            Ok(list) => {
                live.incidents.update(|s| s.apply_list(list));
                error.set(None);
            }
            Err(e) if e.signed_out() => {}
            Err(e) => error.set(Some(e.message)),
        }
    });
}
