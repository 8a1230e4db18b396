//! The signed-in session as app state: one [`Session`] for the whole app, like [`crate::net::live::Live`].
//!
//! It holds the [`Me`] from `GET /api/me`, login or a share link (with the CSRF token every
//! state-changing call needs), and is the one place that reacts to a 401: the session is over, and
//! the shell's redirect effect takes the user to `/login`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::Me;

use crate::model::access::{Access, Auth};
use crate::net::api::{self, ApiFailure};

#[derive(Clone, Copy)]
pub struct Session {
    pub auth: RwSignal<Auth>,
    /// Why `GET /api/me` has not answered yet (gateway down, no network), while it keeps trying.
    pub unreachable: RwSignal<Option<String>>,
}

impl Session {
    /// Starts as [`Auth::Unknown`]; call [`Session::load`] unless a share link will sign in.
    pub fn new() -> Self {
        Session {
            auth: RwSignal::new(Auth::Unknown),
            unreachable: RwSignal::new(None),
        }
    }

    /// `GET /api/me` in the background: signed in, or signed out on 401. Any other failure (the
    /// gateway restarting, no network) is retried, because sending a signed-in responder to the
    /// login page over a blip would cost them their place.
    pub fn load(self) {
        spawn_local(async move {
            let mut delay = 1_000;
            loop {
                let result = api::me().await;
                self.unreachable.set(
                    result
                        .as_ref()
                        .err()
                        .filter(|f| !f.signed_out())
                        .map(|f| f.message.clone()),
                );
                match result {
                    Ok(me) => return self.sign_in(me),
                    Err(f) if f.signed_out() => return self.end(false),
                    Err(_) => {}
                }
                gloo_timers::future::TimeoutFuture::new(delay).await;
                delay = (delay * 2).min(30_000);
            }
        });
    }

    /// Who is signed in (reactive).
    pub fn me(self) -> Option<Me> {
        self.auth.with(|a| a.me().cloned())
    }

    /// What the UI offers this session (reactive); `None` when not signed in.
    pub fn access(self) -> Option<Access> {
        self.auth.with(|a| a.me().map(Access::of))
    }

    /// The CSRF token for a state-changing call (not reactive: read at the moment of the call).
    pub fn csrf(self) -> String {
        self.auth
            .with_untracked(|a| a.me().map(|me| me.csrf_token.clone()))
            .unwrap_or_default()
    }

    /// Records a login, a share link or a refreshed `Me`; a no-op when nothing changed, so that a
    /// refresh does not wake every view.
    pub fn sign_in(self, me: Me) {
        if self.auth.with_untracked(|a| a.me() != Some(&me)) {
            self.auth.set(Auth::SignedIn(me));
        }
    }

    /// No session any more. `ended`: there was one and the gateway ended it (vs. never signed in,
    /// or signed out on purpose).
    pub fn end(self, ended: bool) {
        self.auth.set(Auth::SignedOut { ended });
    }

    /// Passes a result through, ending the session first when the gateway answered 401. Every
    /// API call made on behalf of a signed-in user goes through this.
    pub fn check<T>(self, result: Result<T, ApiFailure>) -> Result<T, ApiFailure> {
        if let Err(f) = &result {
            if f.signed_out()
                && self
                    .auth
                    .with_untracked(|a| !matches!(a, Auth::SignedOut { .. }))
            {
                self.end(true);
            }
        }
        result
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}
