//! The health board's data: one result per check, grouped by scope.

use serde::{Deserialize, Serialize};

/// Where a check belongs, following the playbook's step 3 ("one service, one domain, both domains? Is
/// the database affected, or just the apps?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Scope {
    Ciam,
    Iam,
    Database,
    Edge,
    Host,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Ciam,
        Scope::Iam,
        Scope::Database,
        Scope::Edge,
        Scope::Host,
    ];

    /// The wire name ("ciam", "database", ...), as serde writes it: for ids and test hooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ciam => "ciam",
            Scope::Iam => "iam",
            Scope::Database => "database",
            Scope::Edge => "edge",
            Scope::Host => "host",
        }
    }

    /// A short human label for headings.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Ciam => "CIAM",
            Scope::Iam => "IAM",
            Scope::Database => "Database",
            Scope::Edge => "Edge (Caddy)",
            Scope::Host => "Host",
        }
    }
}

/// The outcome of one check. Ordered from worst to best so that sorting puts trouble first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Status {
    Down,
    Degraded,
    Unknown,
    Up,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Down, Status::Degraded, Status::Unknown, Status::Up];

    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        self.label()
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Up => "up",
            Status::Degraded => "degraded",
            Status::Down => "down",
            Status::Unknown => "unknown",
        }
    }
}

/// One check's latest result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable id from the catalog, e.g. `health.ciam-kratos` or `containers`.
    pub id: String,
    /// Human name, e.g. "ciam-kratos /health/alive".
    pub name: String,
    pub scope: Scope,
    pub status: Status,
    /// One line a responder can act on: "HTTP 503", "connection refused", "timed out after 5 s".
    pub detail: String,
    /// How long the check took, when it ran at all.
    pub latency_ms: Option<u64>,
    /// When the result was produced (gateway clock, Unix ms).
    pub checked_at_ms: i64,
    /// When the status last changed (gateway clock, Unix ms): "down for 4 min".
    pub since_ms: i64,
}

/// Can the gateway reach the production host at all?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostState {
    pub target: String,
    pub reachable: bool,
    /// "connected", or why not: "host key mismatch", "connection refused", ...
    pub detail: String,
}

/// Everything the board shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSnapshot {
    pub host: HostState,
    /// Sorted worst first, then by scope and id.
    pub checks: Vec<CheckResult>,
    /// Increments with every completed sweep.
    pub sweep_seq: u64,
    /// When the last sweep completed (Unix ms), 0 before the first.
    pub swept_at_ms: i64,
    /// The sweep interval, so that clients can tell a stale board.
    pub interval_ms: u64,
    /// Whether a sweep is running right now.
    pub sweeping: bool,
}

impl CheckResult {
    /// The board's order, on both sides of the wire: worst first (`Status`'s order), then by
    /// scope, then by id, so the order is stable between sweeps.
    pub fn board_order(a: &CheckResult, b: &CheckResult) -> std::cmp::Ordering {
        (a.status, a.scope, &a.id).cmp(&(b.status, b.scope, &b.id))
    }
}

impl HealthSnapshot {
    /// Results whose status is not `Up`.
    pub fn problems(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.status != Status::Up)
    }

    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}

crate::named::read_by_name!(Scope, "scope");
crate::named::read_by_name!(Status, "status");
