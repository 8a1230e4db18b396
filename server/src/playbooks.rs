//! The guided playbooks: each section of the on-call playbook as steps a responder walks through,
//! declared as data in TOML files (`config/playbooks/`, format in its README) and checked here once,
//! at start-up and by `aegis check-config`.
//!
//! The catalog that ships (the Olympus playbook) is built into the binary, so a new installation
//! has it with nothing to copy; `[playbooks] dir` points at an edited copy instead. A file that
//! does not hold together is refused with its name, the playbook, the step and the problem.
//!
//! Step kinds: an **instruction** (read, then done or skipped with a note; commands that would
//! change the host are shown, never run), a **probe** (a read-only diagnostic with a typed result,
//! [`ProbeSpec`]), a **decision** (the next step chosen from a probe's result, the recommended branch
//! first) and an **external** check (a link to look at by hand).

mod format;
mod info;
pub mod key;
pub mod probe_run;
mod probe_spec;
pub(crate) use probe_spec::short;
pub mod readings;
pub mod runs;
pub(crate) mod settings;
mod shipped;
mod suggest;
mod validate;
pub mod walk;

use std::path::Path;

use wire::Severity;

pub use probe_spec::{FieldType, ProbeSpec, MAX_LOG_LINES};
pub use settings::PlaybookSettings;
pub use suggest::Suggested;

/// Every playbook, in the order of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub playbooks: Vec<Playbook>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    /// `database-tls`: stable, used in links (`/incidents/new?playbook=database-tls`).
    pub id: String,
    pub title: String,
    pub symptom: String,
    /// The severity it suggests declaring.
    pub severity: Severity,
    /// Where it is in the spec.
    pub source: String,
    /// When the board suggests it.
    pub suggest: Option<Suggestion>,
    /// In the spec's order; the walkthrough starts at the first.
    pub steps: Vec<Step>,
    /// Findings its retrospective is offered once it was walked ("if you don't have a secondary
    /// provider, this is a finding").
    pub findings: Vec<PlaybookFinding>,
    /// The file it came from, for messages.
    pub file: String,
}

/// A finding a playbook proposes for the retrospective of an incident it was walked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookFinding {
    pub title: String,
    pub says: String,
    pub done_when: String,
}

/// A board state that points to a playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Check ids (or prefixes ending in `*`) that must all be failing.
    pub checks_failing: Vec<String>,
    /// Check ids (or patterns) of which at least one must be failing.
    pub any_failing: Vec<String>,
    /// Words of which at least one failing check's detail must mention one (empty: any detail).
    pub detail_mentions: Vec<String>,
    /// Why, in words.
    pub because: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The spec's guidance, word for word.
    pub says: Option<String>,
    /// A countdown from the moment the step is reached (the first response's five minutes).
    pub timer_minutes: Option<u32>,
    pub kind: StepKind,
    /// The step after this one; `None` ends the walkthrough.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// Read and do by hand; `command` is the spec's, shown as is; `real_ory` is what works on real
    /// Ory when the spec's command does not exist.
    Instruction {
        command: Option<String>,
        real_ory: Option<String>,
        /// The action that carries it out, with the values the playbook fixes; a successful run
        /// completes the step.
        action: Option<StepAction>,
    },
    /// Run `probe`; `command` is the spec's way of looking, shown for reference.
    Probe {
        probe: ProbeSpec,
        command: Option<String>,
        real_ory: Option<String>,
    },
    /// Choose the next step from the result of the probe step `on`.
    Decision { on: String, branches: Vec<Branch> },
    /// Look at `url` by hand and record what it said.
    External { url: String },
}

impl StepKind {
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Instruction { .. } => "instruction",
            StepKind::Probe { .. } => "probe",
            StepKind::Decision { .. } => "decision",
            StepKind::External { .. } => "external",
        }
    }
}

/// An action a step offers (`crate::actions`), with the values the playbook fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAction {
    pub id: String,
    pub params: std::collections::BTreeMap<String, String>,
}

/// One choice of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub label: String,
    /// A step id, or `None` to end the walkthrough.
    pub next: Option<String>,
    /// What recommends it; `None`: recommended when no other branch is.
    pub when: Option<Condition>,
}

/// A test on one field of a probe's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Is {
        field: String,
        value: bool,
    },
    Below {
        field: String,
        value: i64,
    },
    AtLeast {
        field: String,
        value: i64,
    },
    /// The walkthrough's countdown (an earlier step's `timer_minutes`) has run out.
    CountdownOver,
}

/// A file, playbook or step that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct CatalogError {
    pub file: String,
    /// "playbook `x`, step `y`: ..." as far as it is known.
    pub problem: String,
}

impl Catalog {
    /// The shipped catalog, or the files of `settings.dir`.
    pub fn load(settings: &PlaybookSettings) -> Result<Catalog, CatalogError> {
        let files = match &settings.dir {
            None => shipped::files(),
            Some(dir) => read_dir(dir)?,
        };
        validate::catalog(files, &settings.links)
    }

    /// Probe steps that name a service or an edge this config does not have: they cannot run
    /// here, and a walkthrough shows them as instructions. `aegis check-config` and start-up list
    /// them.
    pub fn unknown_names(&self, services: &[String], edges: &[String]) -> Vec<String> {
        let mut found = Vec::new();
        for p in &self.playbooks {
            for s in &p.steps {
                let StepKind::Probe { probe, .. } = &s.kind else {
                    continue;
                };
                if let Some(name) = probe.service().filter(|n| !services.iter().any(|s| s == n)) {
                    found.push(format!(
                        "{}: playbook `{}`, step `{}`: no service `{name}` in this config",
                        p.file, p.id, s.id
                    ));
                }
                if let Some(name) = probe.edge().filter(|n| !edges.iter().any(|e| e == n)) {
                    found.push(format!(
                        "{}: playbook `{}`, step `{}`: no edge `{name}` in this config",
                        p.file, p.id, s.id
                    ));
                }
            }
        }
        found
    }

    pub fn get(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.id == id)
    }
}

/// Every `*.toml` in `dir`, sorted by name, as (file name, text).
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, CatalogError> {
    let unreadable = |e: std::io::Error| CatalogError {
        file: dir.display().to_string(),
        problem: format!("cannot read the playbook directory: {e}"),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| CatalogError {
                file: path.display().to_string(),
                problem: format!("cannot read it: {e}"),
            })?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(CatalogError {
            file: dir.display().to_string(),
            problem: "holds no playbook (*.toml)".to_owned(),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests;
