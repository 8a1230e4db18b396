//! Aegis gateway: the only holder of the production host's SSH credentials. It runs the playbook's
//! probes over one multiplexed SSH connection and streams the board to every browser.

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod auth;
pub mod bundle;
pub mod clock;
pub mod config;
pub(crate) mod error;
pub mod http;
pub mod hub;
pub mod incidents;
pub(crate) mod mask;
pub(crate) mod outbound;
pub mod playbooks;
pub mod probes;
pub mod remote;
pub mod retro;
pub mod shutdown;
pub(crate) mod sockets;
pub mod state;
pub mod store;
pub(crate) mod sweeper;
pub mod tickets;
pub mod values;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::auth::limiter::{LoginBudgets, LoginLimiter};
use crate::auth::Backend;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::hub::Hub;
use crate::incidents::Incidents;
use crate::probes::Catalog;
use crate::remote::{RemoteHost, SshHost};
use crate::shutdown::CancelToken;
use crate::state::AppState;
use crate::store::Store;

/// How often each socket gets a heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// How often the retrospective deadlines are checked for a channel reminder.
const RETRO_REMINDER_TICK: Duration = Duration::from_secs(60);

/// The pieces a running gateway is made of; tests build it with their own host or clock.
pub struct Gateway {
    pub state: AppState,
    pub stop: CancelToken,
    auth_layer: auth::sessions::AuthLayer,
}

impl Gateway {
    /// Builds the gateway with the real SSH host and clock.
    pub async fn new(settings: Settings) -> anyhow::Result<Gateway> {
        let control_dir = settings.data_dir.join("ssh");
        let host = SshHost::new(
            settings.ssh.clone(),
            control_dir,
            settings.sweep.max_concurrent,
        );
        Self::with_parts(settings, Arc::new(host), Arc::new(SystemClock)).await
    }

    /// Builds the gateway around any host and clock, opens the database and starts the sweep loop.
    pub async fn with_parts(
        settings: Settings,
        host: Arc<dyn RemoteHost>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Gateway> {
        Self::with_parts_env(settings, host, clock, |name| std::env::var(name).ok()).await
    }

    /// As [`Gateway::with_parts`], with the environment that secrets named by the config (the
    /// ticket tracker's token) are read from given: tests pass their own.
    pub async fn with_parts_env(
        settings: Settings,
        host: Arc<dyn RemoteHost>,
        clock: Arc<dyn Clock>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Gateway> {
        let store = Store::open(&settings.data_dir)
            .await?
            .with_clock(clock.clone());
        let catalog = Arc::new(Catalog::from_settings(&settings.catalog())?);
        // A catalog that does not hold together stops start-up, like a bad config value.
        let (playbooks, unknown) = playbook_catalog(&settings)?;
        for step in &unknown {
            tracing::warn!("{step}: the step cannot run here and shows as an instruction");
        }
        let playbooks = Arc::new(playbooks);
        let fingerprint_key: Arc<[u8]> = playbooks::key::load_or_create(&settings.data_dir)
            .map_err(|e| {
                anyhow::anyhow!(
                    "the fingerprint key in {}: {e}",
                    settings.data_dir.display()
                )
            })?
            .into();
        let interval = settings.sweep.interval();
        let hub = Arc::new(Hub::new(
            host.target(),
            &catalog,
            interval.as_millis() as u64,
            clock.clone(),
        ));
        let stop = CancelToken::default();
        let auth_layer = auth::sessions::layer(&store, &settings.auth, stop.clone()).await?;
        let incidents = Incidents::start(
            &settings.incidents,
            catalog.service_names(),
            store.clone(),
            hub.clone(),
            clock,
            stop.clone(),
        )
        .await?;
        let sweep = sweeper::spawn(
            catalog,
            host.clone(),
            hub.clone(),
            Some(incidents.clone()),
            interval,
            stop.clone(),
        );
        let limiter = LoginLimiter::new(LoginBudgets {
            per_address: settings.auth.attempts_per_address_per_minute,
            per_account_and_address: settings.auth.attempts_per_account_per_minute,
            per_account: settings.auth.attempts_per_account_all_addresses_per_minute,
        });
        limiter.spawn_forgetting(stop.clone());
        let access = auth::changes::AccessChanges::default();
        let settings = Arc::new(settings);
        let audit = audit::AuditLog::new(store.clone());
        let actions = actions::Actions::new(
            settings.clone(),
            store.clone(),
            audit.clone(),
            hub.clone(),
            incidents.clone(),
            host.clone(),
            playbooks.clone(),
        );
        // Runs a stopped gateway cut short pick up where they were.
        let resumed = actions.resume().await?;
        if resumed > 0 {
            tracing::warn!(
                resumed,
                "resumed actions that were running when the gateway stopped"
            );
        }
        actions.spawn_expiry(stop.clone());
        let retros = retro::Retros::new(
            store.clone(),
            incidents.clone(),
            playbooks.clone(),
            settings.public_origin(),
            match &settings.tickets {
                Some(t) => Some(tickets::Tickets::new(t, env)?),
                None => None,
            },
        );
        retros.spawn_reminders(stop.clone(), RETRO_REMINDER_TICK);
        let state = AppState {
            retros,
            settings,
            hub,
            incidents,
            sweep,
            backend: Backend::new(store.clone()),
            accounts: accounts::Accounts::new(store.clone(), access.clone()),
            access,
            audit,
            actions,
            store,
            limiter,
            sockets: sockets::SocketSlots::default(),
            heartbeat: HEARTBEAT,
            playbooks,
            host: host.clone(),
            fingerprint_key,
        };
        Ok(Gateway {
            state,
            stop,
            auth_layer,
        })
    }
}

/// The guided playbooks for this config (the shipped catalog or `[playbooks] dir`), and its probe
/// steps that name a service or edge the config lacks (they cannot run here).
pub fn playbook_catalog(
    settings: &Settings,
) -> Result<(playbooks::Catalog, Vec<String>), playbooks::CatalogError> {
    let catalog = playbooks::Catalog::load(&settings.playbooks)?;
    let services: Vec<String> = settings.services.iter().map(|s| s.name.clone()).collect();
    let edges: Vec<String> = settings.edges.iter().map(|e| e.name.clone()).collect();
    let unknown = catalog.unknown_names(&services, &edges);
    Ok((catalog, unknown))
}

/// Serves the gateway on `listener` until `shutdown` resolves. Tests bind port 0 and pass it here.
pub async fn launch_with_tcp_listener(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let gateway = Gateway::new(settings).await?;
    serve(gateway, listener, shutdown).await
}

/// Serves an already built gateway.
pub async fn serve(
    gateway: Gateway,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = http::router(gateway.state.clone(), gateway.auth_layer.clone());
    let stop = gateway.stop.clone();
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        stop.cancel();
    })
    .await;
    gateway.stop.cancel();
    // Close the SSH master here too: the process may exit before the sweeper's own close runs,
    // and an `ssh -M` left behind stays logged in to the host.
    gateway.state.host.close().await;
    result.map_err(Into::into)
}
