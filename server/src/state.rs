//! What every handler can reach. Cheap to clone: everything is behind an `Arc` or a pool.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::limiter::LoginLimiter;
use crate::auth::Backend;
use crate::config::Settings;
use crate::hub::Hub;
use crate::incidents::Incidents;
use crate::store::Store;
use crate::sweeper::SweepTrigger;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub hub: Arc<Hub>,
    pub incidents: Incidents,
    pub sweep: SweepTrigger,
    pub store: Store,
    pub backend: Backend,
    /// Signals long-lived connections to re-check their session.
    pub access: crate::auth::changes::AccessChanges,
    /// Accounts: validation, hashing, the last-commander rule.
    pub accounts: crate::accounts::Accounts,
    pub limiter: LoginLimiter,
    /// Live websockets per session.
    pub sockets: crate::sockets::SocketSlots,
    /// How often sockets get a heartbeat.
    pub heartbeat: Duration,
    /// The guided playbooks, checked at start-up.
    pub playbooks: Arc<crate::playbooks::Catalog>,
    /// The production host, for walkthrough probes (the sweeper has its own handle).
    pub host: Arc<dyn crate::remote::RemoteHost>,
    /// Keys the environment fingerprints walkthrough probes show.
    pub fingerprint_key: Arc<[u8]>,
    /// What was run on the host or asked of it, hash-chained.
    pub audit: crate::audit::AuditLog,
    /// Actions on the host: plans, requests, approvals, runs.
    pub actions: crate::actions::Actions,
    /// Retrospectives and action items.
    pub retros: crate::retro::Retros,
}
