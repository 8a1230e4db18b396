//! The list of checks a sweep runs, built once from the settings.

use std::sync::Arc;
use std::time::Duration;

use wire::Scope;

use super::settings::CatalogSettings;
use super::{ContainerName, EdgeClient, HttpUrl};

/// How one check finds its answer.
#[derive(Debug, Clone)]
pub enum ProbeKind {
    /// The SSH connection itself (`host.ssh`): every other host check depends on it.
    Ssh,
    /// `podman ps -a --format json`: every expected container present and running.
    Containers { expected: Vec<ContainerName> },
    /// `curl` on the host against a service's health URL.
    HttpFromHost {
        url: HttpUrl,
        container: ContainerName,
    },
    /// `podman exec CONTAINER pg_isready` on the host.
    PgIsReady { container: ContainerName },
    /// HTTPS from the gateway itself, as a user's browser would see the edge.
    Edge { client: Arc<EdgeClient> },
}

impl ProbeKind {
    /// True when the probe runs over SSH, so that an unreachable host makes it unknown.
    pub fn needs_host(&self) -> bool {
        !matches!(self, ProbeKind::Edge { .. })
    }
}

/// One check on the board.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub kind: ProbeKind,
}

/// Every check, with the time limits they run under.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub checks: Vec<CheckSpec>,
    pub command_timeout: Duration,
    pub http_timeout: Duration,
}

impl Catalog {
    /// The services an incident's scope may name: each configured service, `postgres` when there
    /// is a database, and `caddy` (the edge) when edges are checked.
    pub fn service_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.checks {
            match (&c.kind, c.id.split_once('.')) {
                (ProbeKind::HttpFromHost { .. }, Some((_, name))) => out.push(name.to_string()),
                (ProbeKind::PgIsReady { .. }, _) => out.push("postgres".to_string()),
                (ProbeKind::Edge { .. }, _) if !out.iter().any(|s| s == "caddy") => {
                    out.push("caddy".to_string())
                }
                _ => {}
            }
        }
        out
    }

    /// Builds the catalog; the settings were validated, so names and URLs parse.
    pub fn from_settings(settings: &CatalogSettings<'_>) -> anyhow::Result<Catalog> {
        let mut checks = vec![CheckSpec {
            id: "host.ssh".into(),
            name: format!("SSH to {}", settings.ssh_host),
            scope: Scope::Host,
            kind: ProbeKind::Ssh,
        }];
        let expected = settings.expected_containers();
        if !expected.is_empty() {
            checks.push(CheckSpec {
                id: "host.containers".into(),
                name: "Containers running".into(),
                scope: Scope::Host,
                kind: ProbeKind::Containers { expected },
            });
        }
        for s in settings.services {
            checks.push(CheckSpec {
                id: format!("health.{}", s.name),
                name: format!("{} /health/alive", s.name),
                scope: s.scope,
                kind: ProbeKind::HttpFromHost {
                    url: s.health_url.clone(),
                    container: s.container.clone(),
                },
            });
        }
        if let Some(db) = settings.database {
            checks.push(CheckSpec {
                id: "database.pg_isready".into(),
                name: "PostgreSQL pg_isready".into(),
                scope: Scope::Database,
                kind: ProbeKind::PgIsReady {
                    container: db.container.clone(),
                },
            });
        }
        for e in settings.edges {
            let client = EdgeClient::new(e, settings.sweep.http_timeout())?;
            checks.push(CheckSpec {
                id: format!("edge.{}", e.name),
                name: format!("{} {}", e.name, client.url_path_label()),
                scope: Scope::Edge,
                kind: ProbeKind::Edge {
                    client: Arc::new(client),
                },
            });
        }
        Ok(Catalog {
            checks,
            command_timeout: settings.sweep.command_timeout(),
            http_timeout: settings.sweep.http_timeout(),
        })
    }
}
