//! One helper for every form that asks the gateway something: the request in flight (a second tap
//! is ignored), and the outcome line under the form, which says what was done or gives the
//! gateway's message word for word.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::net::api::ApiFailure;
use crate::net::session::Session;

/// A note under a form: done (`Ok`), or the gateway's message (`Err`), shown as is.
pub type Outcome = Option<Result<String, String>>;

/// One form's request in flight and its outcome line.
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

/// The outcome line under a form; notes carry the `form-note` test hook, errors `form-error`.
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

/// A form's submit button: disabled while its request is in flight (a second tap does nothing),
/// marked `aria-busy` then, and saying what it is doing ("Adding…") instead of what it does.
#[component]
pub fn SubmitButton(
    busy: RwSignal<bool>,
    /// What it does: "Add note".
    label: &'static str,
    /// What it says while the request is in flight: "Adding…".
    busy_label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    /// The form's main action (`btn-primary`).
    #[prop(optional)]
    primary: bool,
    /// A large tap target, for the one action a page is about (`btn-big`).
    #[prop(optional)]
    big: bool,
) -> impl IntoView {
    let class = match (primary, big) {
        (false, _) => "btn",
        (true, false) => "btn btn-primary",
        (true, true) => "btn btn-primary btn-big",
    };
    view! {
        <button
            type="submit"
            class=class
            data-testid=testid
            disabled=move || busy.get()
            aria-busy=move || busy.get().to_string()
        >
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}
