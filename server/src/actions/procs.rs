//! Each action's procedure: the commands its plan shows (built by the same functions that build
//! the commands it runs, so the preview is what is sent), its read-only preflight (the blast
//! radius), and the run itself.

mod block_list;
mod flags;
mod identity;
mod restart;
mod revoke;
mod snapshot;

use std::collections::BTreeMap;

use wire::PlannedCommand;

use super::kinds::Kind;
use super::ops::{Failed, Ops};
use super::target::Target;

pub use block_list::{read as read_block_list, render as render_block_list};
pub use flags::FLAG as CAPTCHA_FLAG;

/// What a finished run says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Done {
    pub summary: String,
    /// Shown once to the requester (a recovery code), never stored or broadcast.
    pub shown_once: Option<String>,
}

impl Done {
    pub fn summary(s: impl Into<String>) -> Done {
        Done {
            summary: s.into(),
            shown_once: None,
        }
    }
}

/// What the preflight found: the blast radius in words, and values it resolved (an email
/// address's identity id) that the plan shows and the run uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preflight {
    pub blast_radius: String,
    pub resolved: BTreeMap<String, String>,
}

impl From<String> for Preflight {
    fn from(blast_radius: String) -> Self {
        Preflight {
            blast_radius,
            resolved: BTreeMap::new(),
        }
    }
}

/// The commands the plan shows.
pub fn commands(kind: Kind, target: &Target, ops: &Ops<'_>) -> Result<Vec<PlannedCommand>, Failed> {
    Ok(match (kind, target) {
        (Kind::RestartContainer, Target::Container { container, .. }) => {
            restart::commands(ops, container)
        }
        (Kind::FlushCourier, Target::Kratos { service }) => {
            restart::courier_commands(ops, service)?
        }
        (Kind::CaptchaOff | Kind::CaptchaOn, Target::Flags { service }) => {
            flags::commands(ops, service, kind == Kind::CaptchaOff)?
        }
        (Kind::BlockAddress | Kind::UnblockAddress, Target::Edge { caddy, .. }) => {
            block_list::commands(ops, caddy)
        }
        (
            Kind::LockIdentity | Kind::UnlockIdentity | Kind::RecoveryCode,
            t @ Target::Identity { .. },
        ) => identity::commands(ops, kind, t)?,
        (Kind::RevokeSessions | Kind::RevokeTokens, t @ Target::Scope { .. }) => {
            revoke::commands(ops, kind, t)?
        }
        (Kind::Snapshot, Target::Database { db, dir }) => {
            snapshot::commands(ops, db, dir, "<timestamp>")
        }
        _ => return Err(Failed("the action and its target do not match".into())),
    })
}

/// The read-only look before anything runs.
pub async fn preflight(kind: Kind, target: &Target, ops: &Ops<'_>) -> Result<Preflight, Failed> {
    Ok(match (kind, target) {
        (Kind::RestartContainer, Target::Container { container, serves }) => {
            restart::preflight(ops, container, serves.as_ref())
                .await?
                .into()
        }
        (Kind::FlushCourier, Target::Kratos { service }) => {
            restart::courier_preflight(ops, service).await?.into()
        }
        (Kind::CaptchaOff | Kind::CaptchaOn, Target::Flags { service }) => {
            flags::preflight(ops, service, kind == Kind::CaptchaOff)
                .await?
                .into()
        }
        (Kind::BlockAddress | Kind::UnblockAddress, Target::Edge { caddy, address }) => {
            block_list::preflight(ops, caddy, address, kind == Kind::BlockAddress)
                .await?
                .into()
        }
        (
            Kind::LockIdentity | Kind::UnlockIdentity | Kind::RecoveryCode,
            t @ Target::Identity { .. },
        ) => identity::preflight(ops, kind, t).await?,
        (Kind::RevokeSessions | Kind::RevokeTokens, t @ Target::Scope { .. }) => {
            revoke::preflight(ops, kind, t).await?.into()
        }
        (Kind::Snapshot, Target::Database { db, dir }) => {
            snapshot::preflight(ops, db, dir).await?.into()
        }
        _ => return Err(Failed("the action and its target do not match".into())),
    })
}

/// Runs the action. `resolved` is what the preflight resolved; `cursor` where an interrupted
/// run was (mass revocations resume from it); `now_ms` names a snapshot.
pub async fn run(
    kind: Kind,
    target: &Target,
    ops: &Ops<'_>,
    resolved: &BTreeMap<String, String>,
    cursor: Option<String>,
    now_ms: i64,
) -> Result<Done, Failed> {
    match (kind, target) {
        (Kind::RestartContainer, Target::Container { container, .. }) => {
            restart::run(ops, container).await
        }
        (Kind::FlushCourier, Target::Kratos { service }) => {
            restart::courier_run(ops, service).await
        }
        (Kind::CaptchaOff | Kind::CaptchaOn, Target::Flags { service }) => {
            flags::run(ops, service, kind == Kind::CaptchaOff).await
        }
        (Kind::BlockAddress | Kind::UnblockAddress, Target::Edge { caddy, address }) => {
            block_list::run(ops, caddy, address, kind == Kind::BlockAddress).await
        }
        (
            Kind::LockIdentity | Kind::UnlockIdentity | Kind::RecoveryCode,
            t @ Target::Identity { .. },
        ) => identity::run(ops, kind, t, resolved).await,
        (Kind::RevokeSessions | Kind::RevokeTokens, t @ Target::Scope { .. }) => {
            revoke::run(ops, kind, t, cursor).await
        }
        (Kind::Snapshot, Target::Database { db, dir }) => snapshot::run(ops, db, dir, now_ms).await,
        _ => Err(Failed("the action and its target do not match".into())),
    }
}
