//! The catalog as the SPA receives it (`wire::PlaybookCatalog`): steps in words, decisions'
//! conditions spelled out, cited documents resolved to this installation's links.

use std::collections::BTreeMap;

use wire::{BranchInfo, HealthSnapshot, PlaybookCatalog, PlaybookInfo, StepInfo, Suggestion};

use super::settings::REFERENCES;
use super::{Catalog, Condition, Playbook, Step, StepKind};
use crate::values::HttpUrl;

impl Catalog {
    /// Every playbook, and those the board points to.
    pub fn info(
        &self,
        board: &HealthSnapshot,
        links: &BTreeMap<String, HttpUrl>,
    ) -> PlaybookCatalog {
        PlaybookCatalog {
            playbooks: self.playbooks.iter().map(|p| playbook(p, links)).collect(),
            suggested: self
                .suggest(board)
                .into_iter()
                .map(|s| Suggestion {
                    playbook: s.playbook,
                    title: s.title,
                    because: s.because,
                    checks: s.checks,
                })
                .collect(),
        }
    }
}

fn playbook(p: &Playbook, links: &BTreeMap<String, HttpUrl>) -> PlaybookInfo {
    PlaybookInfo {
        id: p.id.clone(),
        title: p.title.clone(),
        symptom: p.symptom.clone(),
        severity: p.severity,
        source: p.source.clone(),
        steps: p.steps.iter().map(|s| step(s, links)).collect(),
    }
}

fn step(s: &Step, links: &BTreeMap<String, HttpUrl>) -> StepInfo {
    let mut info = StepInfo {
        id: s.id.clone(),
        title: s.title.clone(),
        says: s.says.clone(),
        kind: s.kind.name().to_owned(),
        command: None,
        real_ory: None,
        probe: None,
        on: None,
        branches: Vec::new(),
        link: None,
        cites: None,
        timer_minutes: s.timer_minutes,
        next: s.next.clone(),
        action: None,
    };
    match &s.kind {
        StepKind::Instruction {
            command,
            real_ory,
            action,
        } => {
            info.command = command.clone();
            info.real_ory = real_ory.clone();
            info.action = action.as_ref().map(|a| wire::StepActionInfo {
                id: a.id.clone(),
                title: crate::actions::Kind::by_id(&a.id)
                    .map(|k| k.meta().title.to_owned())
                    .unwrap_or_default(),
                params: a.params.clone(),
            });
        }
        StepKind::Probe {
            probe,
            command,
            real_ory,
        } => {
            info.probe = Some(probe.kind().to_owned());
            info.command = command.clone();
            info.real_ory = real_ory.clone();
        }
        StepKind::Decision { on, branches } => {
            info.on = Some(on.clone());
            info.branches = branches
                .iter()
                .map(|b| BranchInfo {
                    label: b.label.clone(),
                    next: b.next.clone(),
                    when: b.when.as_ref().map(words),
                })
                .collect();
        }
        StepKind::External { url } => match REFERENCES.iter().find(|(name, _)| name == url) {
            Some((name, title)) => {
                info.cites = Some((*title).to_owned());
                info.link = links.get(*name).map(|u| u.as_str().to_owned());
            }
            None => info.link = Some(url.clone()),
        },
    }
    info
}

fn words(c: &Condition) -> String {
    match c {
        Condition::Is { field, value } => {
            format!("{field} is {}", if *value { "yes" } else { "no" })
        }
        Condition::Below { field, value } => format!("{field} below {value}"),
        Condition::AtLeast { field, value } => format!("{field} at least {value}"),
        Condition::CountdownOver => "the countdown has run out".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::HostState;

    #[test]
    fn cited_documents_link_where_the_installation_keeps_them() {
        let board = HealthSnapshot {
            host: HostState {
                target: "t".into(),
                reachable: true,
                detail: String::new(),
            },
            checks: Vec::new(),
            sweep_seq: 0,
            swept_at_ms: 0,
            interval_ms: 10_000,
            sweeping: false,
        };
        let catalog = crate::playbooks::tests::shipped();
        let step = |info: &PlaybookCatalog| {
            info.playbooks
                .iter()
                .find(|p| p.id == "database-tls")
                .and_then(|p| p.steps.iter().find(|s| s.id == "rotate"))
                .cloned()
                .unwrap()
        };
        let bare = step(&catalog.info(&board, &BTreeMap::new()));
        assert_eq!(bare.cites.as_deref(), Some("Operate, Cert Rotation"));
        assert_eq!(bare.link, None, "not configured: named, not linked");
        let mut links = BTreeMap::new();
        links.insert(
            "cert-rotation".to_owned(),
            HttpUrl::parse("https://wiki.example/cert-rotation").unwrap(),
        );
        let linked = step(&catalog.info(&board, &links));
        assert_eq!(
            linked.link.as_deref(),
            Some("https://wiki.example/cert-rotation")
        );

        let info = catalog.info(&board, &links);
        let expired = info.playbooks[1]
            .steps
            .iter()
            .find(|s| s.id == "expired")
            .unwrap();
        assert_eq!(expired.branches[0].when.as_deref(), Some("expired is yes"));
        assert_eq!(
            expired.branches[1].when.as_deref(),
            Some("days_left below 30")
        );
        assert_eq!(expired.branches[2].when, None);
        assert!(info.suggested.is_empty(), "an empty board points nowhere");
    }
}
