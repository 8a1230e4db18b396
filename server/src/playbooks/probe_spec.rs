//! The diagnostics a playbook step may run, with their parameters checked against strict types and
//! the fields their typed result carries (which decisions branch on).
//!
//! Every command is built in code from these values: nothing a playbook file says reaches the host
//! as text. A service is one named in the config (`[[service]]`), an edge one of its `[[edge]]`s, an environment prefix or a log pattern a short plain word list.

use serde::Deserialize;

/// A probe as a step declares it (`[step.probe]`), before its names are checked.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Raw {
    Board,
    Containers,
    DatabaseCertificate,
    ServedCertificate {
        edge: String,
    },
    ContainerEnv {
        service: String,
        prefixes: Vec<String>,
        #[serde(default)]
        required: Vec<String>,
    },
    ContainerLogs {
        service: String,
        #[serde(default = "default_lines")]
        lines: u32,
        #[serde(default)]
        since_minutes: Option<u32>,
        patterns: Vec<String>,
    },
    CourierQueue {
        service: String,
    },
    AdminRoutes {
        service: String,
        routes: Vec<String>,
    },
}

fn default_lines() -> u32 {
    200
}

/// The most log lines a probe reads.
pub const MAX_LOG_LINES: u32 = 2_000;

/// The longest look back a log probe takes: a day.
pub const MAX_LOG_MINUTES: u32 = 1_440;

/// A diagnostic a step runs, its names checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeSpec {
    /// The gateway's latest sweep: which checks are down, which scopes.
    Board,
    /// `podman ps`: which expected containers are not running.
    Containers,
    /// The PostgreSQL server certificate (`openssl s_client -starttls postgres` from the host).
    DatabaseCertificate,
    /// The certificate the edge (`[[edge]]` by name) serves for its public name.
    ServedCertificate { edge: String },
    /// A container's environment, filtered by prefixes; values masked, fingerprinted.
    ContainerEnv {
        service: String,
        prefixes: Vec<String>,
        required: Vec<String>,
    },
    /// A container's last log lines (of the last `since_minutes`, when given: old errors linger
    /// in a log that healthy requests do not write to), masked, with matches counted.
    ContainerLogs {
        service: String,
        lines: u32,
        since_minutes: Option<u32>,
        patterns: Vec<String>,
    },
    /// The Kratos courier queue through its admin API.
    CourierQueue { service: String },
    /// The HTTP status of admin routes of a service.
    AdminRoutes {
        service: String,
        routes: Vec<String>,
    },
}

/// What a result field holds, for checking decisions against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Flag,
    Number,
}

impl ProbeSpec {
    /// The probe's name as files write it.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeSpec::Board => "board",
            ProbeSpec::Containers => "containers",
            ProbeSpec::DatabaseCertificate => "database_certificate",
            ProbeSpec::ServedCertificate { .. } => "served_certificate",
            ProbeSpec::ContainerEnv { .. } => "container_env",
            ProbeSpec::ContainerLogs { .. } => "container_logs",
            ProbeSpec::CourierQueue { .. } => "courier_queue",
            ProbeSpec::AdminRoutes { .. } => "admin_routes",
        }
    }

    /// The typed fields its result carries that a decision may test.
    pub fn fields(&self) -> &'static [(&'static str, FieldType)] {
        use FieldType::{Flag, Number};
        match self {
            ProbeSpec::Board => &[
                ("all_up", Flag),
                ("down", Number),
                ("degraded", Number),
                ("database_down", Flag),
                ("edges_down", Number),
            ],
            ProbeSpec::Containers => &[("all_running", Flag), ("missing", Number)],
            ProbeSpec::DatabaseCertificate | ProbeSpec::ServedCertificate { .. } => &[
                ("reachable", Flag),
                ("expired", Flag),
                ("days_left", Number),
                ("matches_name", Flag),
                ("trusted", Flag),
            ],
            ProbeSpec::ContainerEnv { .. } => &[
                ("found", Number),
                ("missing_required", Number),
                ("changed_since_last", Flag),
            ],
            ProbeSpec::ContainerLogs { .. } => &[("matches", Number), ("read", Number)],
            ProbeSpec::CourierQueue { .. } => &[
                ("queued", Number),
                ("processing", Number),
                ("abandoned", Number),
                ("oldest_queued_minutes", Number),
                ("growing", Flag),
                ("worker_running", Flag),
            ],
            ProbeSpec::AdminRoutes { .. } => &[("failing", Number), ("all_failing", Flag)],
        }
    }

    /// The `[[service]]` it names, if any.
    pub fn service(&self) -> Option<&str> {
        match self {
            ProbeSpec::ContainerEnv { service, .. }
            | ProbeSpec::ContainerLogs { service, .. }
            | ProbeSpec::CourierQueue { service }
            | ProbeSpec::AdminRoutes { service, .. } => Some(service),
            _ => None,
        }
    }

    /// The `[[edge]]` it names, if any.
    pub fn edge(&self) -> Option<&str> {
        match self {
            ProbeSpec::ServedCertificate { edge } => Some(edge),
            _ => None,
        }
    }
}

/// Checks a raw probe's names and values; the error says which and why. Whether a named service
/// or edge exists in this installation's config is [`Catalog::unknown_names`](super::Catalog)'s
/// business: the shipped catalog must load on hosts whose services are named otherwise.
pub(super) fn check(raw: Raw) -> Result<ProbeSpec, String> {
    let service = |s: String| {
        if config_name(&s) {
            Ok(s)
        } else {
            Err(format!(
                "`{}` is not a service name (letters, digits, `-`, `_`, `.`)",
                short(&s)
            ))
        }
    };
    Ok(match raw {
        Raw::Board => ProbeSpec::Board,
        Raw::Containers => ProbeSpec::Containers,
        Raw::DatabaseCertificate => ProbeSpec::DatabaseCertificate,
        Raw::ServedCertificate { edge } => {
            if !config_name(&edge) {
                return Err(format!(
                    "`{}` is not an edge name (letters, digits, `-`, `_`, `.`)",
                    short(&edge)
                ));
            }
            ProbeSpec::ServedCertificate { edge }
        }
        Raw::ContainerEnv {
            service: s,
            prefixes,
            required,
        } => ProbeSpec::ContainerEnv {
            service: service(s)?,
            prefixes: words("prefixes", prefixes, env_word)?,
            required: if required.is_empty() {
                required
            } else {
                words("required", required, env_word)?
            },
        },
        Raw::ContainerLogs {
            service: s,
            lines,
            since_minutes,
            patterns,
        } => {
            if lines == 0 || lines > MAX_LOG_LINES {
                return Err(format!("`lines` must be 1 to {MAX_LOG_LINES}, not {lines}"));
            }
            if let Some(m) = since_minutes.filter(|m| *m == 0 || *m > MAX_LOG_MINUTES) {
                return Err(format!(
                    "`since_minutes` must be 1 to {MAX_LOG_MINUTES}, not {m}"
                ));
            }
            ProbeSpec::ContainerLogs {
                service: service(s)?,
                lines,
                since_minutes,
                patterns: words("patterns", patterns, log_pattern)?,
            }
        }
        Raw::CourierQueue { service: s } => ProbeSpec::CourierQueue {
            service: service(s)?,
        },
        Raw::AdminRoutes { service: s, routes } => ProbeSpec::AdminRoutes {
            service: service(s)?,
            routes: words("routes", routes, route)?,
        },
    })
}

/// A service or edge name as the config spells them.
fn config_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// At least one, each passing `ok`.
fn words(what: &str, list: Vec<String>, ok: fn(&str) -> bool) -> Result<Vec<String>, String> {
    if list.is_empty() {
        return Err(format!("`{what}` needs at least one entry"));
    }
    match list.iter().find(|w| !ok(w)) {
        Some(bad) => Err(format!("`{what}` cannot hold `{}`", short(bad))),
        None => Ok(list),
    }
}

/// `COOKIE`, `SECRETS_`, `ENCRYPTION_KEY`: an environment variable's name or its start.
fn env_word(w: &str) -> bool {
    (1..=64).contains(&w.len())
        && w.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Printable text without quotes or control characters, matched as is (never a regex or a shell
/// word): `TLS handshake failed`, `security_csrf_violation`, `" 500 "`.
fn log_pattern(w: &str) -> bool {
    (1..=80).contains(&w.len())
        && w.chars()
            .all(|c| c == ' ' || (c.is_ascii_graphic() && !matches!(c, '\'' | '"' | '\\' | '`')))
}

/// An absolute path without query, fragment or `..`: `/api/users`.
fn route(w: &str) -> bool {
    w.starts_with('/')
        && w.len() <= 200
        && !w.contains("..")
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
}

/// A name cut short for an error message.
pub(crate) fn short(s: &str) -> String {
    s.chars().take(64).collect()
}
