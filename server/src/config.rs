//! Settings: built-in defaults, then the TOML file, then `AEGIS_*` environment variables.
//!
//! A bad value stops start-up with the key and the file named, because a console that starts with a
//! half-understood config would show a healthy board for the wrong host.

mod env;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

// Each subsystem owns its settings; the config layers them (defaults, file, environment) and
// checks what spans several of them.
pub use crate::auth::settings::AuthSettings;
pub use crate::incidents::settings::IncidentSettings;
pub use crate::playbooks::settings::PlaybookSettings;
pub use crate::probes::settings::{
    CatalogSettings, DatabaseSettings, EdgeSettings, HostSettings, ServiceSettings, SweepSettings,
};
pub use crate::remote::settings::SshSettings;

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
    pub playbooks: PlaybookSettings,
    pub actions: crate::actions::settings::ActionSettings,
    pub caddy: Option<crate::actions::settings::CaddySettings>,
    pub tickets: Option<crate::tickets::settings::TicketSettings>,
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
            playbooks: PlaybookSettings::default(),
            actions: Default::default(),
            caddy: None,
            tickets: None,
        }
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
        // The path of the offending key (`service[0].container`) leads the message, so a value
        // refused by its type (a container name, a URL) is named like any other.
        let mut settings: Settings =
            serde_path_to_error::deserialize(toml::Deserializer::new(&text)).map_err(|e| {
                let key = e.path().to_string();
                ConfigError::Parse {
                    file: path.to_path_buf(),
                    message: one_line(&format!("{key}: {}", e.into_inner())),
                }
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
        if let Some(p) = self.playbooks.dir.as_mut() {
            fix(p);
        }
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
        }
        for (i, e) in self.edges.iter().enumerate() {
            let key = |k: &str| format!("edge[{i}].{k}");
            if !is_simple_name(&e.name) {
                return Err(bad(&key("name"), "use letters, digits, '-', '_' or '.'"));
            }
            if e.url.host().is_empty() {
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
        self.incidents
            .check()
            .map_err(|(key, m)| bad(&format!("incidents.{key}"), m))?;
        self.actions
            .check()
            .map_err(|m: String| bad("actions", &m))?;
        if let Some(tickets) = &self.tickets {
            tickets
                .check()
                .map_err(|(key, m)| bad(&format!("tickets.{key}"), &m))?;
        }
        Ok(())
    }

    /// The parts of the config the probe catalog is built from.
    pub fn catalog(&self) -> crate::probes::settings::CatalogSettings<'_> {
        crate::probes::settings::CatalogSettings {
            ssh_host: &self.ssh.host,
            services: &self.services,
            database: self.database.as_ref(),
            extra_containers: &self.host.extra_containers,
            edges: &self.edges,
            sweep: &self.sweep,
        }
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
        self.ssh.target_label()
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
