//! Which playbooks a board points to: each playbook's `[suggest]` rule, matched against the
//! latest sweep, so a failing tile can offer "Database TLS: every Kratos and Hydra is failing".

use wire::{CheckResult, HealthSnapshot, Status};

use super::{Catalog, Suggestion};

/// A playbook the board points to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggested {
    pub playbook: String,
    pub title: String,
    pub because: String,
    /// The failing checks that matched.
    pub checks: Vec<String>,
}

impl Catalog {
    /// The playbooks whose rule the board meets, in catalog order.
    pub fn suggest(&self, board: &HealthSnapshot) -> Vec<Suggested> {
        self.playbooks
            .iter()
            .filter_map(|p| {
                let rule = p.suggest.as_ref()?;
                let checks = matches(rule, &board.checks)?;
                Some(Suggested {
                    playbook: p.id.clone(),
                    title: p.title.clone(),
                    because: rule.because.clone(),
                    checks,
                })
            })
            .collect()
    }
}

fn failing(c: &CheckResult) -> bool {
    matches!(c.status, Status::Down | Status::Degraded)
}

/// The failing checks the rule names, if it holds: every `checks_failing` pattern names at least
/// one check and all that it names are failing; some check that `any_failing` names is failing;
/// and, when the rule lists words, one of their details says one.
fn matches(rule: &Suggestion, checks: &[CheckResult]) -> Option<Vec<String>> {
    let mut named = Vec::new();
    for pattern in &rule.checks_failing {
        let hits: Vec<&CheckResult> = checks.iter().filter(|c| glob(pattern, &c.id)).collect();
        if hits.is_empty() || !hits.iter().all(|c| failing(c)) {
            return None;
        }
        named.extend(hits);
    }
    if !rule.any_failing.is_empty() {
        let hits: Vec<&CheckResult> = checks
            .iter()
            .filter(|c| failing(c) && rule.any_failing.iter().any(|p| glob(p, &c.id)))
            .collect();
        if hits.is_empty() {
            return None;
        }
        named.extend(hits);
    }
    if !rule.detail_mentions.is_empty() {
        let said = named.iter().any(|c| {
            let detail = c.detail.to_lowercase();
            rule.detail_mentions
                .iter()
                .any(|w| detail.contains(&w.to_lowercase()))
        });
        if !said {
            return None;
        }
    }
    let mut ids: Vec<String> = named.iter().map(|c| c.id.clone()).collect();
    ids.dedup();
    Some(ids)
}

/// `*` matches any run of characters (none included); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{HostState, Scope};

    fn check(id: &str, status: Status, detail: &str) -> CheckResult {
        CheckResult {
            id: id.into(),
            name: id.into(),
            scope: Scope::Ciam,
            status,
            detail: detail.into(),
            latency_ms: None,
            checked_at_ms: 0,
            since_ms: 0,
        }
    }

    fn board(checks: Vec<CheckResult>) -> HealthSnapshot {
        HealthSnapshot {
            host: HostState {
                target: "t".into(),
                reachable: true,
                detail: String::new(),
            },
            checks,
            sweep_seq: 1,
            swept_at_ms: 0,
            interval_ms: 10_000,
            sweeping: false,
        }
    }

    fn ory(kratos: Status, hydra: Status) -> Vec<CheckResult> {
        vec![
            check("health.ciam-kratos", kratos, "HTTP 500"),
            check("health.iam-kratos", kratos, "HTTP 500"),
            check("health.ciam-hydra", hydra, "HTTP 500"),
            check("health.iam-hydra", hydra, "HTTP 500"),
            check("health.ciam-athena", Status::Up, "HTTP 200"),
            check("edge.ciam", Status::Up, "HTTP 200"),
        ]
    }

    fn suggested(board: &HealthSnapshot) -> Vec<String> {
        crate::playbooks::tests::shipped()
            .suggest(board)
            .into_iter()
            .map(|s| s.playbook)
            .collect()
    }

    #[test]
    fn every_kratos_and_hydra_down_points_to_database_tls() {
        let all_down = board(ory(Status::Down, Status::Down));
        assert_eq!(suggested(&all_down), ["database-tls"]);
        let s = &crate::playbooks::tests::shipped().suggest(&all_down)[0];
        assert!(s.because.contains("share the database"), "{}", s.because);
        assert_eq!(s.checks.len(), 4);
        // One Hydra still up: not the shared database.
        let mut partly = ory(Status::Down, Status::Down);
        partly[3].status = Status::Up;
        assert!(suggested(&board(partly)).is_empty());
        assert!(suggested(&board(ory(Status::Up, Status::Up))).is_empty());
    }

    #[test]
    fn an_edge_failing_on_its_certificate_points_to_caddy() {
        let mut checks = ory(Status::Up, Status::Up);
        checks[5] = check(
            "edge.ciam",
            Status::Down,
            "TLS: the certificate expired 2 days ago",
        );
        checks.push(check("edge.iam", Status::Down, "certificate not trusted"));
        assert_eq!(suggested(&board(checks.clone())), ["caddy-certificate"]);
        // Down for another reason: no certificate playbook.
        checks[5].detail = "connection refused".into();
        checks[6].detail = "connection refused".into();
        assert!(suggested(&board(checks)).is_empty());
    }

    #[test]
    fn one_failing_athena_of_two_points_to_the_athena_playbook() {
        let mut checks = ory(Status::Up, Status::Up);
        checks[4] = check("health.ciam-athena", Status::Down, "HTTP 500");
        checks.push(check("health.iam-athena", Status::Up, ""));
        assert_eq!(suggested(&board(checks.clone())), ["athena-500s"]);
        let s = &crate::playbooks::tests::shipped().suggest(&board(checks.clone()))[0];
        assert_eq!(s.checks, ["health.ciam-athena"]);
        checks[4].status = Status::Up;
        assert!(suggested(&board(checks)).is_empty());
    }

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob("health.*kratos", "health.ciam-kratos"));
        assert!(glob("edge.*", "edge.iam"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "a-x-c-y-b"));
        assert!(!glob("health.*kratos", "health.ciam-hydra"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("exact", "exact") && !glob("exact", "exactly"));
    }
}
