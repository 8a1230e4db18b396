//! Accounts as the SPA sees them.

use serde::{Deserialize, Serialize};

/// What a signed-in person may do. Ordered by power, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read-only: health at component level, incident status and updates.
    Stakeholder,
    /// Sees everything, runs probes and actions.
    Responder,
    /// A responder who also declares, re-grades and closes incidents, approves the most
    /// destructive actions and manages users.
    Commander,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Commander, Role::Responder, Role::Stakeholder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Responder => "responder",
            Role::Stakeholder => "stakeholder",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One account, without anything secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at_ms: i64,
}
