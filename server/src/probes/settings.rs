//! `[sweep]`, `[host]`, `[[service]]`, `[database]` and `[[edge]]`: what the probes check and how
//! long they may take. URLs and container names arrive parsed ([`crate::values`]).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use wire::Scope;

use crate::values::{ConfiguredCommand, ContainerName, DbRole, HostPath, HostPort, HttpUrl};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepSettings {
    /// Seconds between sweeps.
    pub interval_secs: u64,
    /// Seconds a remote command may run before the host's `timeout` kills it.
    pub command_timeout_secs: u64,
    /// Seconds an HTTP health check may take (curl `--max-time`, and the gateway's own requests).
    pub http_timeout_secs: u64,
    /// Commands in flight at once on the one SSH connection; sshd refuses the 11th by default.
    pub max_concurrent: usize,
}

impl Default for SweepSettings {
    fn default() -> Self {
        SweepSettings {
            interval_secs: 10,
            command_timeout_secs: 8,
            http_timeout_secs: 4,
            max_concurrent: 8,
        }
    }
}

impl SweepSettings {
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs)
    }
    pub fn command_timeout(&self) -> Duration {
        Duration::from_secs(self.command_timeout_secs)
    }
    pub fn http_timeout(&self) -> Duration {
        Duration::from_secs(self.http_timeout_secs)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostSettings {
    /// Containers that must run besides the services and the database (Caddy, for example).
    pub extra_containers: Vec<ContainerName>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    /// Short name, e.g. `ciam-kratos`; the check id is `health.<name>`.
    pub name: String,
    pub scope: Scope,
    pub container: ContainerName,
    /// The health URL as seen from the host, e.g. `http://127.0.0.1:4433/health/alive`.
    pub health_url: HttpUrl,
    /// Where its admin API is, as seen from the host (Kratos `http://127.0.0.1:4434`, Hydra
    /// `http://127.0.0.1:4445`): the walkthroughs read the courier queue there.
    #[serde(default)]
    pub admin_url: Option<HttpUrl>,
    /// A file on the host of `NAME=VALUE` toggles the container's env includes (no secrets):
    /// the captcha mitigation sets `TURNSTILE_DISABLED=true` there, then runs `redeploy`.
    #[serde(default)]
    pub flags_env_file: Option<HostPath>,
    /// The command on the host that recreates the container with its env files
    /// (`["systemctl", "restart", "olympus-ciam-hera"]` under Quadlet).
    #[serde(default)]
    pub redeploy: Option<ConfiguredCommand>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub container: ContainerName,
    /// Where PostgreSQL listens as seen from the host (`127.0.0.1:5432`): the walkthroughs read
    /// its certificate there with `openssl s_client -starttls postgres`.
    #[serde(default)]
    pub tls_address: Option<HostPort>,
    /// PEM file (on the gateway) of the CA that issued the database's certificate, so that the
    /// certificate check says whether it is trusted. Without it, the host's system CAs.
    #[serde(default)]
    pub ca_bundle: Option<PathBuf>,
    /// A directory on the host, outside the live data directory, for forensic snapshots
    /// (`pg_dumpall` through `podman exec`), writable by the SSH user.
    #[serde(default)]
    pub snapshot_dir: Option<HostPath>,
    /// The role `pg_dumpall -U` connects as (default `postgres`).
    #[serde(default)]
    pub dump_user: Option<DbRole>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSettings {
    /// `ciam` or `iam`; the check id is `edge.<name>`.
    pub name: String,
    /// The public healthz URL, checked from the gateway itself.
    pub url: HttpUrl,
    /// Connect to this address instead of resolving the URL's host name (TLS still checks the name).
    #[serde(default)]
    pub resolve: Option<IpAddr>,
    /// PEM file of CA certificates to trust instead of the system's.
    #[serde(default)]
    pub ca_bundle: Option<PathBuf>,
    /// The container that serves it (Caddy): the certificate walkthrough shows its last log
    /// lines about ACME and TLS.
    #[serde(default)]
    pub container: Option<ContainerName>,
}

/// What the catalog is built from: the parts of the config that name checks.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSettings<'a> {
    /// The host's name, for the SSH check's label.
    pub ssh_host: &'a str,
    pub services: &'a [ServiceSettings],
    pub database: Option<&'a DatabaseSettings>,
    /// Containers that must run besides the services and the database.
    pub extra_containers: &'a [ContainerName],
    pub edges: &'a [EdgeSettings],
    pub sweep: &'a SweepSettings,
}

impl CatalogSettings<'_> {
    /// The containers the host must be running, in config order, without duplicates.
    pub fn expected_containers(&self) -> Vec<ContainerName> {
        let mut out: Vec<ContainerName> = Vec::new();
        let all = self
            .services
            .iter()
            .map(|s| &s.container)
            .chain(self.database.map(|d| &d.container))
            .chain(self.extra_containers);
        for c in all {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }
}
