//! The incident forms' checks before sending (required text, the ETA), the board's problems as
//! the resolve form and the board at declaration list them, and scope edits kept canonical.

use wire::{CheckResult, Domain, IncidentScope, Status};

/// The composer's "ETA on next update (minutes)": whole minutes from 1 to the cadence (any
/// positive number while the cadence is not known yet; the gateway checks again).
pub fn parse_eta(input: &str, cadence_minutes: Option<u32>) -> Result<u32, String> {
    let minutes = input.trim().parse::<u32>().ok().filter(|m| *m >= 1);
    match (minutes, cadence_minutes) {
        (Some(m), Some(cadence)) if m <= cadence => Ok(m),
        (Some(m), None) => Ok(m),
        (_, Some(cadence)) => Err(format!(
            "ETA on next update must be a whole number of minutes from 1 to {cadence}."
        )),
        (None, None) => {
            Err("ETA on next update must be a whole number of minutes, at least 1.".to_owned())
        }
    }
}

/// A required text field, trimmed; `Err(message)` when it is blank.
pub fn require(text: &str, message: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err(message.to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// The checks that are not up, as "name: down — detail" lines (detail left out when it only
/// repeats the status word), worst first as the board sorts them.
pub fn not_up_lines(checks: &[CheckResult]) -> Vec<String> {
    let mut problems: Vec<&CheckResult> =
        checks.iter().filter(|c| c.status != Status::Up).collect();
    problems.sort_by(|a, b| CheckResult::board_order(a, b));
    problems
        .into_iter()
        .map(|c| {
            let detail = c.detail.trim();
            if detail.is_empty() || detail.eq_ignore_ascii_case(c.status.label()) {
                format!("{}: {}", c.name, c.status.label())
            } else {
                format!("{}: {} — {detail}", c.name, c.status.label())
            }
        })
        .collect()
}

/// Turns a domain on or off in a scope (kept in `Domain` order, so equal scopes compare equal).
pub fn set_domain(scope: &mut IncidentScope, domain: Domain, on: bool) {
    scope.domains.retain(|d| *d != domain);
    if on {
        scope.domains.push(domain);
        scope.domains.sort();
    }
}

/// Turns a service on or off in a scope (kept sorted by name).
pub fn set_service(scope: &mut IncidentScope, service: &str, on: bool) {
    scope.services.retain(|s| s != service);
    if on {
        scope.services.push(service.to_owned());
        scope.services.sort();
    }
}

/// A scope in canonical order, for comparing an edited copy with the incident's.
pub fn normalized(scope: &IncidentScope) -> IncidentScope {
    scope.normalised()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::adapters::timeline::channel_name;
    use crate::model::fixtures::check;
    use wire::Scope;

    #[test]
    fn form_checks() {
        assert_eq!(parse_eta(" 15 ", Some(30)), Ok(15));
        assert_eq!(parse_eta("30", Some(30)), Ok(30));
        let e = parse_eta("31", Some(30)).unwrap_err();
        assert_eq!(
            e,
            "ETA on next update must be a whole number of minutes from 1 to 30."
        );
        assert!(parse_eta("0", Some(30)).is_err());
        assert!(parse_eta("", Some(30)).is_err());
        assert!(parse_eta("2.5", Some(30)).is_err());
        assert_eq!(parse_eta("90", None), Ok(90));
        assert!(parse_eta("0", None).is_err());
        assert_eq!(require("  x ", "m"), Ok("x".to_owned()));
        assert_eq!(require(" ", "m"), Err("m".to_owned()));
    }

    #[test]
    fn board_problems_as_lines() {
        let mut down = check("health.ciam-kratos", Scope::Ciam, Status::Down);
        down.name = "ciam-kratos".to_owned();
        down.detail = "HTTP 503".to_owned();
        let mut degraded = check("pg", Scope::Database, Status::Degraded);
        degraded.name = "postgres".to_owned();
        degraded.detail = "degraded".to_owned();
        let up = check("caddy", Scope::Edge, Status::Up);
        assert_eq!(
            not_up_lines(&[up.clone(), degraded, down]),
            ["ciam-kratos: down — HTTP 503", "postgres: degraded"]
        );
        assert!(not_up_lines(&[up]).is_empty());
    }

    #[test]
    fn scope_edits_stay_canonical() {
        let mut scope = IncidentScope::default();
        set_domain(&mut scope, Domain::Iam, true);
        set_domain(&mut scope, Domain::Ciam, true);
        set_domain(&mut scope, Domain::Ciam, true);
        assert_eq!(scope.domains, [Domain::Ciam, Domain::Iam]);
        set_service(&mut scope, "postgres", true);
        set_service(&mut scope, "caddy", true);
        assert_eq!(scope.services, ["caddy", "postgres"]);
        set_service(&mut scope, "caddy", false);
        set_domain(&mut scope, Domain::Iam, false);
        assert_eq!(scope.services, ["postgres"]);
        assert_eq!(scope.domains, [Domain::Ciam]);
        let messy = IncidentScope {
            services: vec!["b".into(), "a".into(), "a".into()],
            domains: vec![Domain::Iam, Domain::Ciam],
            database: true,
            apps: false,
        };
        let tidy = normalized(&messy);
        assert_eq!(tidy.services, ["a", "b"]);
        assert_eq!(tidy.domains, [Domain::Ciam, Domain::Iam]);
        assert_eq!(channel_name(Some("  ")), "the incident channel");
    }
}
