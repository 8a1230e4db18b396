//! The incident list's settings (services, cadence), which the declare form and the incident page
//! both need, read from the shared store or fetched once when the store has none yet.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::net::api;
use crate::net::live::Live;
use crate::net::session::Session;

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
