//! What an incident affects: the playbook's step 3 (one service, one domain, both; the database or
//! just the apps).

use serde::{Deserialize, Serialize};

/// The two identity domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Domain {
    Ciam,
    Iam,
}

impl Domain {
    pub const ALL: [Domain; 2] = [Domain::Ciam, Domain::Iam];
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Ciam => "ciam",
            Domain::Iam => "iam",
        }
    }
}

crate::named::read_by_name!(Domain, "domain");

/// The playbook's step 3: one service, one domain, both domains; the database or just the apps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentScope {
    /// Affected services by name, e.g. `ciam-kratos`, `caddy`, `postgres`; the gateway accepts only
    /// names from its catalog ([`IncidentList::services`](super::IncidentList::services)).
    pub services: Vec<String>,
    pub domains: Vec<Domain>,
    pub database: bool,
    pub apps: bool,
}

impl IncidentScope {
    /// The scope in canonical order (services by name, domains in `Domain` order, no repeats), as
    /// the gateway stores it; an edited copy compares equal to the stored one when it means the
    /// same.
    pub fn normalised(&self) -> IncidentScope {
        let mut scope = self.clone();
        scope.domains.sort();
        scope.domains.dedup();
        scope.services.sort();
        scope.services.dedup();
        scope
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.domains.is_empty() && !self.database && !self.apps
    }

    /// One line for lists and the incident channel.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "not yet identified".into();
        }
        let mut parts = Vec::new();
        match self.domains.as_slice() {
            [] => {}
            [d] => parts.push(format!("{} domain", d.as_str())),
            _ => parts.push("both domains".into()),
        }
        match (self.database, self.apps) {
            (true, true) => parts.push("database and apps".into()),
            (true, false) => parts.push("database".into()),
            (false, true) => parts.push("apps only".into()),
            (false, false) => {}
        }
        if !self.services.is_empty() {
            parts.push(self.services.join(", "));
        }
        parts.join("; ")
    }
}
