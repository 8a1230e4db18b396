//! `[ssh]`: how the gateway reaches the host.

use std::path::PathBuf;

use serde::Deserialize;

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

impl SshSettings {
    /// `user@host:port`, as the board names the host to responders.
    pub fn target_label(&self) -> String {
        format!("{}@{}:{}", self.user, self.host, self.port)
    }
}
