//! The playbook's first-response probes (step 2 of "Sev 1 / Sev 2 first response"), as data.
//!
//! The checks come from the config (a catalog of services, the database, the edge), not from code
//! paths per incident type. Each probe kind knows how to build its typed command and how to read the
//! answer; the sweep runs them all concurrently.

mod catalog;
pub(crate) mod curl;
mod edge;
mod pg;
pub(crate) mod podman;
pub(crate) mod settings;
mod sweep;

pub use crate::values::{ContainerName, HttpUrl};
pub use catalog::{Catalog, CheckSpec, ProbeKind};
pub use edge::EdgeClient;
pub use sweep::{sweep, Outcome};

use std::time::Duration;

use wire::Status;

/// What one probe found, before it is stamped with id, scope and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: Status,
    pub detail: String,
    pub latency: Option<Duration>,
}

impl Finding {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Finding {
            status,
            detail: detail.into(),
            latency: None,
        }
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }
}
