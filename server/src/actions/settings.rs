//! `[actions]` and `[caddy]`: how actions run, who may approve them, and where Caddy's block list is.

use serde::Deserialize;

use crate::values::{ContainerName, HostPath, HostPort};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionSettings {
    /// A team of one: the requester may approve their own mass action, with a reason, loudly
    /// (recorded, posted to the incident channel, marked on the incident). Off by default.
    pub allow_self_approval_with_reason: bool,
    /// Minutes a request waits for a second commander before it expires.
    pub approval_minutes: u32,
    /// Seconds one command of an action may run before the host's `timeout` kills it.
    pub command_timeout_secs: u64,
}

impl Default for ActionSettings {
    fn default() -> Self {
        ActionSettings {
            allow_self_approval_with_reason: false,
            approval_minutes: 10,
            command_timeout_secs: 60,
        }
    }
}

impl ActionSettings {
    pub fn command_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.command_timeout_secs.max(1))
    }

    /// Values that cannot work, said in config terms.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=240).contains(&self.approval_minutes) {
            return Err("[actions] approval_minutes must be between 1 and 240".into());
        }
        if !(5..=3600).contains(&self.command_timeout_secs) {
            return Err("[actions] command_timeout_secs must be between 5 and 3600".into());
        }
        Ok(())
    }
}

/// Caddy at the edge: its block list file (imported by the Caddyfile) and how to reload it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaddySettings {
    pub container: ContainerName,
    /// The block list on the host, imported inside each site block of the Caddyfile
    /// (`import /etc/caddy/aegis/blocked.caddy`); the SSH user must be able to write it.
    pub block_list: HostPath,
    /// The Caddyfile as the container sees it, for `caddy reload --config`.
    pub caddyfile: HostPath,
    /// Caddy's admin endpoint as the host reaches it (`127.0.0.1:2019`): reload goes there, and
    /// the loaded config is read back from it to check the block took effect.
    pub admin_address: HostPort,
}
