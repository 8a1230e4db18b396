//! Settings: built-in defaults, then the TOML file, then `AEGIS_*` environment variables.
//!
//! A bad value stops start-up with the key and the file named, because a console that starts with a
//! half-understood config would show a healthy board for the wrong host.

mod env;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use wire::Scope;

/// Why the settings could not be loaded. Each variant names where the bad value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {file}: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {file}: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("{origin}: key `{key}`: {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
    },
}

/// The gateway's settings, fully resolved.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the gateway listens.
    pub listen: SocketAddr,
    /// Where the gateway keeps its state: `aegis.db` (accounts, sessions, incidents) and the SSH
    /// control socket.
    pub data_dir: PathBuf,
    /// The built SPA (`cargo xtask build-web` writes it).
    pub site_dir: PathBuf,
    /// The console's address as browsers reach it (`https://aegis.example`): websocket handshakes
    /// and logins must come from this origin. Defaults to `http://<listen>`.
    pub public_url: Option<String>,
    pub auth: AuthSettings,
    pub sweep: SweepSettings,
    pub ssh: SshSettings,
    pub host: HostSettings,
    #[serde(rename = "service")]
    pub services: Vec<ServiceSettings>,
    pub database: Option<DatabaseSettings>,
    #[serde(rename = "edge")]
    pub edges: Vec<EdgeSettings>,
    pub incidents: IncidentSettings,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentSettings {
    /// Minutes between status updates (the playbook says 15).
    pub cadence_minutes: u32,
    /// IANA time zone that "next business day" (Sev 4's first response) is counted in.
    pub time_zone: String,
    /// When a business day starts there, `HH:MM`.
    pub business_day_start: String,
    /// Slack-compatible incoming-webhook URL of the incident channel. It is a secret: it never
    /// leaves the gateway and is masked in errors. Unset: updates stay in the console.
    pub webhook_url: Option<String>,
    /// The channel's name as responders know it (`#inc-olympus`), shown in the console.
    pub channel: Option<String>,
    /// Attempts per message before it is shown as failed.
    pub webhook_attempts: u32,
    /// Wait before the first retry; doubled for each one after.
    pub webhook_backoff_ms: u64,
    /// Seconds one attempt may take.
    pub webhook_timeout_secs: u64,
    /// Resolved incidents sent to browsers besides the open ones (and per page of the list).
    pub recent_resolved: u32,
    /// Incidents open at once. Every open incident gets every health change on its timeline and
    /// is sent to every browser, so their number is bounded; a declaration past it is refused
    /// with the reason. Olympus is one platform: a handful at a time is already a bad night.
    pub max_open: u32,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        IncidentSettings {
            cadence_minutes: 15,
            time_zone: "UTC".into(),
            business_day_start: "09:00".into(),
            webhook_url: None,
            channel: None,
            webhook_attempts: 5,
            webhook_backoff_ms: 2_000,
            webhook_timeout_secs: 10,
            recent_resolved: 20,
            max_open: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// Mark the session cookie `Secure` (sent over HTTPS only). On except for a loopback demo.
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub idle_timeout_secs: u64,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout_secs: u64,
    /// Login attempts per minute for one account name from one source address (tight: one
    /// machine guessing one password).
    pub attempts_per_account_per_minute: u32,
    /// Login attempts per minute for one account name from all addresses together (loose: a
    /// stranger who knows the name cannot lock its owner out from another address).
    pub attempts_per_account_all_addresses_per_minute: u32,
    /// Login attempts per minute from one source address, and wrong share-link tokens.
    pub attempts_per_address_per_minute: u32,
    /// Reverse proxies in front of the console (Caddy, say). From these peers the client address
    /// for the per-address limit is read from `X-Forwarded-For`; from any other peer that header is
    /// ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            secure_cookies: true,
            idle_timeout_secs: 8 * 3600,
            absolute_timeout_secs: 24 * 3600,
            attempts_per_account_per_minute: 5,
            attempts_per_account_all_addresses_per_minute: 30,
            attempts_per_address_per_minute: 20,
            trusted_proxies: Vec::new(),
        }
    }
}

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

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SshSettings {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Private key. It stays on the gateway.
    pub identity: Option<PathBuf>,
    /// known_hosts checked strictly: an unknown or changed host key refuses the connection.
    pub known_hosts: Option<PathBuf>,
    pub connect_timeout_secs: u64,
    pub keepalive_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostSettings {
    /// Containers that must run besides the services and the database (Caddy, for example).
    pub extra_containers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    /// Short name, e.g. `ciam-kratos`; the check id is `health.<name>`.
    pub name: String,
    pub scope: Scope,
    pub container: String,
    /// The health URL as seen from the host, e.g. `http://127.0.0.1:4433/health/alive`.
    pub health_url: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub container: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSettings {
    /// `ciam` or `iam`; the check id is `edge.<name>`.
    pub name: String,
    /// The public healthz URL, checked from the gateway itself.
    pub url: String,
    /// Connect to this address instead of resolving the URL's host name (TLS still checks the name).
    #[serde(default)]
    pub resolve: Option<IpAddr>,
    /// PEM file of CA certificates to trust instead of the system's.
    #[serde(default)]
    pub ca_bundle: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(".data"),
            site_dir: PathBuf::from("target/site"),
            public_url: None,
            auth: AuthSettings::default(),
            sweep: SweepSettings::default(),
            ssh: SshSettings::default(),
            host: HostSettings::default(),
            services: Vec::new(),
            database: None,
            edges: Vec::new(),
            incidents: IncidentSettings::default(),
        }
    }
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

impl Default for SshSettings {
    fn default() -> Self {
        SshSettings {
            host: String::new(),
            port: 22,
            user: "root".into(),
            identity: None,
            known_hosts: None,
            connect_timeout_secs: 5,
            keepalive_secs: 5,
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

impl Settings {
    /// Defaults, then `file` (if any), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_with_env(file, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given (tests pass their own).
    pub fn load_with_env(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut settings = match file {
            Some(path) => Self::from_file(path)?,
            None => Settings::default(),
        };
        env::apply(&mut settings, vars)?;
        let origin = file.map_or_else(
            || "built-in defaults".to_string(),
            |f| f.display().to_string(),
        );
        settings.validate(&origin)?;
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        let mut settings: Settings = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            file: path.to_path_buf(),
            message: one_line(&e.to_string()),
        })?;
        // Relative paths in a file are relative to that file, so a config works from any directory.
        if let Some(base) = path.parent() {
            settings.resolve_paths(base);
        }
        Ok(settings)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.data_dir);
        fix(&mut self.site_dir);
        if let Some(p) = self.ssh.identity.as_mut() {
            fix(p);
        }
        if let Some(p) = self.ssh.known_hosts.as_mut() {
            fix(p);
        }
        for edge in &mut self.edges {
            if let Some(p) = edge.ca_bundle.as_mut() {
                fix(p);
            }
        }
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let bad = |key: &str, message: &str| ConfigError::Invalid {
            origin: origin.to_string(),
            key: key.to_string(),
            message: message.to_string(),
        };
        if self.ssh.host.trim().is_empty() {
            return Err(bad(
                "ssh.host",
                "is required: the production host to reach over SSH",
            ));
        }
        if self.ssh.user.trim().is_empty() {
            return Err(bad("ssh.user", "must not be empty"));
        }
        if let Some(url) = &self.public_url {
            let parsed = crate::probes::HttpUrl::parse(url).map_err(|m| bad("public_url", &m))?;
            if parsed.as_str().trim_end_matches('/') != self.public_origin()
                || parsed.host().is_empty()
            {
                return Err(bad(
                    "public_url",
                    "must be an origin only: scheme, host and port, no path",
                ));
            }
        }
        if self.auth.idle_timeout_secs == 0
            || self.auth.absolute_timeout_secs < self.auth.idle_timeout_secs
        {
            return Err(bad(
                "auth.absolute_timeout_secs",
                "timeouts must be at least 1 s, and the absolute one at least the idle one",
            ));
        }
        if self.auth.attempts_per_account_per_minute == 0
            || self.auth.attempts_per_account_all_addresses_per_minute == 0
            || self.auth.attempts_per_address_per_minute == 0
        {
            return Err(bad(
                "auth.attempts_per_account_per_minute",
                "login rate limits must be at least 1",
            ));
        }
        if self.sweep.interval_secs == 0 {
            return Err(bad("sweep.interval_secs", "must be at least 1"));
        }
        if self.sweep.command_timeout_secs == 0 || self.sweep.http_timeout_secs == 0 {
            return Err(bad(
                "sweep.command_timeout_secs",
                "timeouts must be at least 1 second",
            ));
        }
        if self.sweep.http_timeout_secs >= self.sweep.command_timeout_secs {
            return Err(bad(
                "sweep.http_timeout_secs",
                "must be shorter than sweep.command_timeout_secs, so curl reports its own timeout",
            ));
        }
        if !(1..=9).contains(&self.sweep.max_concurrent) {
            return Err(bad(
                "sweep.max_concurrent",
                "must be 1 to 9 (sshd's MaxSessions is 10 by default)",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, s) in self.services.iter().enumerate() {
            let key = |k: &str| format!("service[{i}].{k}");
            if !is_simple_name(&s.name) {
                return Err(bad(&key("name"), "use letters, digits, '-', '_' or '.'"));
            }
            if !names.insert(s.name.clone()) {
                return Err(bad(&key("name"), &format!("`{}` is listed twice", s.name)));
            }
            crate::probes::ContainerName::parse(&s.container)
                .map_err(|m| bad(&key("container"), &m))?;
            crate::probes::HttpUrl::parse(&s.health_url)
                .map_err(|m| bad(&key("health_url"), &m))?;
        }
        if let Some(db) = &self.database {
            crate::probes::ContainerName::parse(&db.container)
                .map_err(|m| bad("database.container", &m))?;
        }
        for (i, c) in self.host.extra_containers.iter().enumerate() {
            crate::probes::ContainerName::parse(c)
                .map_err(|m| bad(&format!("host.extra_containers[{i}]"), &m))?;
        }
        for (i, e) in self.edges.iter().enumerate() {
            let key = |k: &str| format!("edge[{i}].{k}");
            if !is_simple_name(&e.name) {
                return Err(bad(&key("name"), "use letters, digits, '-', '_' or '.'"));
            }
            let url = crate::probes::HttpUrl::parse(&e.url).map_err(|m| bad(&key("url"), &m))?;
            if url.host().is_empty() {
                return Err(bad(&key("url"), "has no host"));
            }
            if let Some(ca) = &e.ca_bundle {
                if !ca.is_file() {
                    return Err(bad(
                        &key("ca_bundle"),
                        &format!("{} is not a readable file", ca.display()),
                    ));
                }
            }
        }
        self.incidents.validate(&bad)?;
        Ok(())
    }

    /// The containers the host must be running, in config order, without duplicates.
    pub fn expected_containers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let all = self
            .services
            .iter()
            .map(|s| s.container.clone())
            .chain(self.database.iter().map(|d| d.container.clone()))
            .chain(self.host.extra_containers.iter().cloned());
        for c in all {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The console's origin as browsers see it, without a trailing slash.
    pub fn public_origin(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Origins a browser may use for this console: the public one, and for a loopback console the
    /// same port under `localhost` and `127.0.0.1` alike.
    pub fn allowed_origins(&self) -> Vec<String> {
        let origin = self.public_origin();
        let mut out = vec![origin.clone()];
        for (a, b) in [
            ("://127.0.0.1:", "://localhost:"),
            ("://localhost:", "://127.0.0.1:"),
        ] {
            if origin.contains(a) {
                out.push(origin.replace(a, b));
            }
        }
        out
    }

    /// How the host is named on the board: `user@host:port`.
    pub fn target_label(&self) -> String {
        format!("{}@{}:{}", self.ssh.user, self.ssh.host, self.ssh.port)
    }
}

impl IncidentSettings {
    fn validate(&self, bad: &dyn Fn(&str, &str) -> ConfigError) -> Result<(), ConfigError> {
        if !(1..=240).contains(&self.cadence_minutes) {
            return Err(bad("incidents.cadence_minutes", "must be 1 to 240"));
        }
        crate::incidents::timers::BusinessHours::new(&self.time_zone, &self.business_day_start)
            .map_err(|(key, m)| bad(&format!("incidents.{key}"), &m))?;
        if let Some(url) = &self.webhook_url {
            crate::incidents::webhook::validate_url(url)
                .map_err(|m| bad("incidents.webhook_url", &m))?;
        }
        if self.webhook_attempts == 0 || self.webhook_attempts > 20 {
            return Err(bad("incidents.webhook_attempts", "must be 1 to 20"));
        }
        if self.webhook_timeout_secs == 0 {
            return Err(bad("incidents.webhook_timeout_secs", "must be at least 1"));
        }
        if !(1..=1000).contains(&self.max_open) {
            return Err(bad("incidents.max_open", "must be 1 to 1000"));
        }
        if !(1..=500).contains(&self.recent_resolved) {
            return Err(bad("incidents.recent_resolved", "must be 1 to 500"));
        }
        Ok(())
    }
}

fn is_simple_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
