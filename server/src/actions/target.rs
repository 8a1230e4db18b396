//! A request's values, checked: every parameter against its strict type and the config, into the
//! one thing the action will act on. Unknown parameters are refused, missing ones named.

use std::collections::BTreeMap;

use wire::{ParamKind, Scope};

use super::kinds::Kind;
use super::settings::CaddySettings;
use crate::config::Settings;
use crate::probes::settings::{DatabaseSettings, ServiceSettings};
use crate::values::{Address, ContainerName, Email, HostPath, IdentityId, ParamError};

/// Who an identity action is for: its id, or an email address the preflight turns into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Id(IdentityId),
    Email(Email),
}

/// What an action acts on, resolved against the config.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Container {
        container: ContainerName,
        /// The service it runs, when it runs one.
        serves: Option<ServiceSettings>,
    },
    /// A Kratos with its admin API (the courier).
    Kratos {
        service: ServiceSettings,
    },
    /// A service whose env toggles live in a flags file, and how to redeploy it.
    Flags {
        service: ServiceSettings,
    },
    Edge {
        caddy: CaddySettings,
        address: Address,
    },
    Identity {
        scope: Scope,
        kratos: ServiceSettings,
        hydra: Option<ServiceSettings>,
        who: Who,
    },
    Scope {
        scope: Scope,
        kratos: ServiceSettings,
        hydra: Option<ServiceSettings>,
    },
    Database {
        db: DatabaseSettings,
        dir: HostPath,
    },
}

impl Target {
    /// The name a destructive action's confirmation must type, and the plan's "target".
    pub fn name(&self) -> String {
        match self {
            Target::Container { container, .. } => container.to_string(),
            Target::Kratos { service } | Target::Flags { service } => service.container.to_string(),
            Target::Edge { address, .. } => address.text(),
            Target::Identity { who, .. } => match who {
                Who::Id(id) => id.as_str().to_owned(),
                Who::Email(e) => e.as_str().to_owned(),
            },
            Target::Scope { scope, .. } => scope_name(*scope).to_owned(),
            Target::Database { db, .. } => db.container.to_string(),
        }
    }
}

pub fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::Ciam => "ciam",
        Scope::Iam => "iam",
        _ => "host",
    }
}

fn flavour_is(s: &ServiceSettings, word: &str) -> bool {
    s.name.split(['-', '_', '.']).any(|w| w == word)
}

/// The values a parameter may take in this config (for the form's choices).
pub fn choices(settings: &Settings, kind: ParamKind, action: Kind) -> Vec<String> {
    match kind {
        ParamKind::Container => settings
            .catalog()
            .expected_containers()
            .iter()
            .map(ToString::to_string)
            .collect(),
        ParamKind::Service => settings
            .services
            .iter()
            .filter(|s| service_fits(s, action).is_ok())
            .map(|s| s.name.clone())
            .collect(),
        ParamKind::Scope => [Scope::Ciam, Scope::Iam]
            .into_iter()
            .filter(|sc| kratos_of(settings, *sc).is_ok())
            .map(|sc| scope_name(sc).to_owned())
            .collect(),
        ParamKind::Address | ParamKind::Identity => Vec::new(),
    }
}

/// Whether a service can be this action's target, and if not, what its config lacks.
fn service_fits(s: &ServiceSettings, action: Kind) -> Result<(), String> {
    match action {
        Kind::FlushCourier => {
            if !flavour_is(s, "kratos") {
                return Err(format!("`{}` is not a Kratos", s.name));
            }
            if s.admin_url.is_none() {
                return Err(format!(
                    "set admin_url for [[service]] `{}` to read its courier queue",
                    s.name
                ));
            }
            Ok(())
        }
        Kind::CaptchaOff | Kind::CaptchaOn => match (&s.flags_env_file, &s.redeploy) {
            (Some(_), Some(_)) => Ok(()),
            _ => Err(format!(
                "[[service]] `{}` needs flags_env_file and redeploy in the config to change its env",
                s.name
            )),
        },
        _ => Ok(()),
    }
}

fn kratos_of(settings: &Settings, scope: Scope) -> Result<ServiceSettings, String> {
    settings
        .services
        .iter()
        .find(|s| s.scope == scope && flavour_is(s, "kratos") && s.admin_url.is_some())
        .cloned()
        .ok_or_else(|| {
            format!(
                "the config has no {} Kratos with an admin_url",
                scope_name(scope)
            )
        })
}

fn hydra_of(settings: &Settings, scope: Scope) -> Option<ServiceSettings> {
    settings
        .services
        .iter()
        .find(|s| s.scope == scope && flavour_is(s, "hydra") && s.admin_url.is_some())
        .cloned()
}

/// Checks `params` for `action` and resolves them against the config.
pub fn resolve(
    settings: &Settings,
    action: Kind,
    params: &BTreeMap<String, String>,
) -> Result<Target, ParamError> {
    let meta = action.meta();
    for name in params.keys() {
        if !meta.params.iter().any(|(n, _, _)| n == name) {
            return Err(ParamError(format!(
                "`{}` is not a value {} takes",
                crate::playbooks::short(name),
                meta.id
            )));
        }
    }
    let value = |name: &str| -> Result<&str, ParamError> {
        params
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ParamError(format!("{name} is required")))
    };
    let scope = || -> Result<Scope, ParamError> {
        match value("scope")?.trim() {
            "ciam" => Ok(Scope::Ciam),
            "iam" => Ok(Scope::Iam),
            other => Err(ParamError(format!(
                "`{}` is not a scope: ciam or iam",
                crate::playbooks::short(other)
            ))),
        }
    };
    let service = || -> Result<ServiceSettings, ParamError> {
        let name = value("service")?.trim();
        let s = settings
            .services
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| {
                ParamError(format!(
                    "`{}` is not a service in the config ({})",
                    crate::playbooks::short(name),
                    choices(settings, ParamKind::Service, action).join(", ")
                ))
            })?;
        service_fits(s, action).map_err(ParamError)?;
        Ok(s.clone())
    };
    match action {
        Kind::RestartContainer => {
            let raw = value("container")?.trim();
            let expected = settings.catalog().expected_containers();
            let container = expected
                .iter()
                .find(|c| c.as_str() == raw)
                .cloned()
                .ok_or_else(|| {
                    ParamError(format!(
                        "`{}` is not a container in the config ({})",
                        crate::playbooks::short(raw),
                        expected
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            let serves = settings
                .services
                .iter()
                .find(|s| s.container == container)
                .cloned();
            Ok(Target::Container { container, serves })
        }
        Kind::FlushCourier => Ok(Target::Kratos {
            service: service()?,
        }),
        Kind::CaptchaOff | Kind::CaptchaOn => Ok(Target::Flags {
            service: service()?,
        }),
        Kind::BlockAddress | Kind::UnblockAddress => {
            let address = Address::parse(value("address")?)?;
            let caddy = settings.caddy.clone().ok_or_else(|| {
                ParamError(
                    "the config has no [caddy] table (container, block_list, caddyfile, admin_address): the block list is not set up"
                        .into(),
                )
            })?;
            Ok(Target::Edge { caddy, address })
        }
        Kind::LockIdentity | Kind::UnlockIdentity | Kind::RecoveryCode => {
            let scope = scope()?;
            let raw = value("identity")?;
            let who = if raw.contains('@') {
                Who::Email(Email::parse(raw)?)
            } else {
                Who::Id(IdentityId::parse(raw)?)
            };
            Ok(Target::Identity {
                scope,
                kratos: kratos_of(settings, scope).map_err(ParamError)?,
                hydra: hydra_of(settings, scope),
                who,
            })
        }
        Kind::RevokeSessions => {
            let scope = scope()?;
            Ok(Target::Scope {
                scope,
                kratos: kratos_of(settings, scope).map_err(ParamError)?,
                hydra: hydra_of(settings, scope),
            })
        }
        Kind::RevokeTokens => {
            let scope = scope()?;
            let hydra = hydra_of(settings, scope).ok_or_else(|| {
                ParamError(format!(
                    "the config has no {} Hydra with an admin_url",
                    scope_name(scope)
                ))
            })?;
            Ok(Target::Scope {
                scope,
                kratos: kratos_of(settings, scope).map_err(ParamError)?,
                hydra: Some(hydra),
            })
        }
        Kind::Snapshot => {
            let db = settings.database.clone().ok_or_else(|| {
                ParamError("the config has no [database]: there is nothing to snapshot".into())
            })?;
            let dir = db.snapshot_dir.clone().ok_or_else(|| {
                ParamError(
                    "set [database] snapshot_dir (a directory on the host outside the live data directory) to take snapshots"
                        .into(),
                )
            })?;
            Ok(Target::Database { db, dir })
        }
    }
}
