//! The actions the console offers, in one table: what each is called, which typed values it takes,
//! whether it is destructive, who may ask for it, whether a second commander must approve it, and
//! how often it may run. Playbook steps name them by id (`action = "flush-courier"`).

use wire::{ActionInfo, ParamInfo, ParamKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    RestartContainer,
    FlushCourier,
    CaptchaOff,
    CaptchaOn,
    BlockAddress,
    UnblockAddress,
    LockIdentity,
    UnlockIdentity,
    RecoveryCode,
    RevokeSessions,
    RevokeTokens,
    Snapshot,
}

/// What the table says about one action.
pub struct Meta {
    pub id: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub params: &'static [(&'static str, &'static str, ParamKind)],
    pub destructive: bool,
    pub needs_approval: bool,
    pub commanders_only: bool,
    pub rate_limit_minutes: u32,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::RestartContainer,
        Kind::FlushCourier,
        Kind::CaptchaOff,
        Kind::CaptchaOn,
        Kind::BlockAddress,
        Kind::UnblockAddress,
        Kind::LockIdentity,
        Kind::UnlockIdentity,
        Kind::RecoveryCode,
        Kind::RevokeSessions,
        Kind::RevokeTokens,
        Kind::Snapshot,
    ];

    pub fn by_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.meta().id == id.trim())
    }

    pub fn meta(self) -> Meta {
        const CONTAINER: (&str, &str, ParamKind) = ("container", "Container", ParamKind::Container);
        const KRATOS: (&str, &str, ParamKind) = ("service", "Kratos", ParamKind::Service);
        const APP: (&str, &str, ParamKind) = ("service", "Service", ParamKind::Service);
        const ADDRESS: (&str, &str, ParamKind) = ("address", "Source address", ParamKind::Address);
        const SCOPE: (&str, &str, ParamKind) = ("scope", "Scope", ParamKind::Scope);
        const IDENTITY: (&str, &str, ParamKind) = ("identity", "Identity", ParamKind::Identity);
        match self {
            Kind::RestartContainer => Meta {
                id: "restart-container",
                title: "Restart a container",
                explains: "podman restart: the service is down for the seconds it takes to start again.",
                params: &[CONTAINER],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 1,
            },
            Kind::FlushCourier => Meta {
                id: "flush-courier",
                title: "Flush the courier (restart its worker)",
                explains: "Kratos has no `courier flush`: this checks whether the courier worker runs, restarts the Kratos container that runs it, and shows the queue before and after. Abandoned messages are not resent: Kratos never retries them.",
                params: &[KRATOS],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 1,
            },
            Kind::CaptchaOff => Meta {
                id: "captcha-off",
                title: "Turn the captcha off (TURNSTILE_DISABLED=true)",
                explains: "The spec's mitigation while Turnstile is broken: sets TURNSTILE_DISABLED=true in the service's env and redeploys it. It removes your bot-mitigation layer: the incident cannot be resolved until it is turned back on (or a commander overrides with a reason).",
                params: &[APP],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 1,
            },
            Kind::CaptchaOn => Meta {
                id: "captcha-on",
                title: "Turn the captcha back on",
                explains: "Removes TURNSTILE_DISABLED from the service's env and redeploys it.",
                params: &[APP],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 1,
            },
            Kind::BlockAddress => Meta {
                id: "block-address",
                title: "Block a source address at the edge",
                explains: "Adds the address to Caddy's block list (403 for every request from it), reloads Caddy and checks the loaded config has it.",
                params: &[ADDRESS],
                destructive: false,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 0,
            },
            Kind::UnblockAddress => Meta {
                id: "unblock-address",
                title: "Unblock a source address",
                explains: "Removes the address from Caddy's block list and reloads Caddy.",
                params: &[ADDRESS],
                destructive: false,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 0,
            },
            Kind::LockIdentity => Meta {
                id: "lock-identity",
                title: "Lock an identity",
                explains: "Sets the identity's state to inactive (it cannot sign in), revokes its Kratos sessions and its Hydra consent and login sessions.",
                params: &[SCOPE, IDENTITY],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 0,
            },
            Kind::UnlockIdentity => Meta {
                id: "unlock-identity",
                title: "Unlock an identity",
                explains: "Sets the identity's state back to active.",
                params: &[SCOPE, IDENTITY],
                destructive: false,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 0,
            },
            Kind::RecoveryCode => Meta {
                id: "recovery-code",
                title: "Force a new password (recovery code)",
                explains: "Kratos has no needs_password_reset state: this revokes the identity's sessions and creates an admin recovery code, shown once to you. Kratos does not send it: deliver it to the identity's known-good address.",
                params: &[SCOPE, IDENTITY],
                destructive: true,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 0,
            },
            Kind::RevokeSessions => Meta {
                id: "revoke-sessions",
                title: "Revoke every session of a scope",
                explains: "The spec's `kratos sessions revoke --all`, which real Kratos lacks: pages through every identity and revokes its sessions. Everyone signs in again. Resumes where it was after an interruption.",
                params: &[SCOPE],
                destructive: true,
                needs_approval: true,
                commanders_only: false,
                rate_limit_minutes: 10,
            },
            Kind::RevokeTokens => Meta {
                id: "revoke-tokens",
                title: "Revoke every Hydra token of a scope",
                explains: "The spec's `hydra revoke token --all`, which real Hydra lacks: revokes every subject's consent sessions (refresh and access tokens) and every client's access tokens. Every app signs in again.",
                params: &[SCOPE],
                destructive: true,
                needs_approval: true,
                commanders_only: false,
                rate_limit_minutes: 10,
            },
            Kind::Snapshot => Meta {
                id: "db-snapshot",
                title: "Forensic snapshot of the database",
                explains: "pg_dumpall into a timestamped file outside the live data directory, before any cleanup; its size and SHA-256 go on the incident.",
                params: &[],
                destructive: false,
                needs_approval: false,
                commanders_only: false,
                rate_limit_minutes: 5,
            },
        }
    }

    /// The action as the console offers it, with the config's choices filled in.
    pub fn info(self, choices: impl Fn(ParamKind, Kind) -> Vec<String>) -> ActionInfo {
        let m = self.meta();
        ActionInfo {
            id: m.id.to_owned(),
            title: m.title.to_owned(),
            explains: m.explains.to_owned(),
            params: m
                .params
                .iter()
                .map(|(name, label, kind)| ParamInfo {
                    name: (*name).to_owned(),
                    label: (*label).to_owned(),
                    kind: *kind,
                    choices: choices(*kind, self),
                })
                .collect(),
            destructive: m.destructive,
            needs_approval: m.needs_approval,
            commanders_only: m.commanders_only,
            rate_limit_minutes: m.rate_limit_minutes,
        }
    }
}
