//! `podman ps -a --format json`: which expected containers are missing or not running.

use serde::Deserialize;
use wire::Status;

use super::{ContainerName, Finding};

/// The fields of one `podman ps --format json` entry that the check reads.
#[derive(Debug, Deserialize)]
struct PsEntry {
    #[serde(rename = "Names", default)]
    names: Vec<String>,
    #[serde(rename = "State", default)]
    state: String,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "ExitCode", default)]
    exit_code: Option<i32>,
}

/// The state of each container, by name, as podman reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    pub name: String,
    pub state: String,
    pub status: String,
    pub exit_code: Option<i32>,
}

/// Parses podman's JSON array. Anything else is an error with a short excerpt.
pub fn parse_ps(json: &str) -> Result<Vec<ContainerState>, String> {
    let entries: Vec<PsEntry> = serde_json::from_str(json.trim()).map_err(|e| {
        let excerpt: String = json.trim().chars().take(60).collect();
        format!("unreadable `podman ps` output ({e}): {excerpt:?}")
    })?;
    Ok(entries
        .into_iter()
        .flat_map(|e| {
            e.names.into_iter().map(move |name| ContainerState {
                name,
                state: e.state.clone(),
                status: e.status.clone(),
                exit_code: e.exit_code,
            })
        })
        .collect())
}

/// Judges the expected containers against what podman reported.
pub fn judge(expected: &[ContainerName], found: &[ContainerState]) -> Finding {
    let mut down = Vec::new();
    let mut degraded = Vec::new();
    for want in expected {
        match found.iter().find(|c| c.name == want.as_str()) {
            None => down.push(format!("{want} missing")),
            Some(c) if c.state != "running" => {
                let code = match (c.state.as_str(), c.exit_code) {
                    ("exited" | "stopped", Some(code)) => format!(" (exit {code})"),
                    _ => String::new(),
                };
                down.push(format!("{want} {}{code}", c.state));
            }
            Some(c) if c.status.contains("unhealthy") => degraded.push(format!("{want} unhealthy")),
            Some(_) => {}
        }
    }
    let running = expected.len() - down.len();
    if !down.is_empty() {
        let mut parts = down;
        parts.extend(degraded);
        Finding::new(
            Status::Down,
            format!("{running}/{} running: {}", expected.len(), parts.join(", ")),
        )
    } else if !degraded.is_empty() {
        Finding::new(
            Status::Degraded,
            format!("all {} running; {}", expected.len(), degraded.join(", ")),
        )
    } else {
        Finding::new(Status::Up, format!("all {} running", expected.len()))
    }
}

/// The state podman reported for `name`, when it is not running ("exited", "missing").
pub fn not_running(found: &[ContainerState], name: &ContainerName) -> Option<String> {
    match found.iter().find(|c| c.name == name.as_str()) {
        None => Some("missing".into()),
        Some(c) if c.state != "running" => Some(c.state.clone()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PS: &str = r#"[
      {"AutoRemove":false,"Command":["standin"],"CreatedAt":"2 minutes ago","Exited":false,"ExitedAt":-62135596800,
       "ExitCode":0,"Id":"a1","Image":"localhost/olympus-standin:latest","Names":["olympus-ciam-kratos"],
       "Pid":1234,"Ports":null,"StartedAt":1764350000,"State":"running","Status":"Up 2 minutes ago","Created":1764349990},
      {"ExitCode":137,"Names":["olympus-ciam-hydra"],"State":"exited","Status":"Exited (137) 5 seconds ago"},
      {"ExitCode":0,"Names":["olympus-postgres"],"State":"running","Status":"Up 1 minute ago (unhealthy)"}
    ]"#;

    fn names(v: &[&str]) -> Vec<ContainerName> {
        v.iter().map(|n| ContainerName::parse(n).unwrap()).collect()
    }

    #[test]
    fn parses_real_podman_json() {
        let found = parse_ps(PS).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].state, "exited");
        assert_eq!(found[1].exit_code, Some(137));
    }

    #[test]
    fn all_running_is_up() {
        let found = parse_ps(PS).unwrap();
        let f = judge(&names(&["olympus-ciam-kratos"]), &found);
        assert_eq!(f.status, Status::Up);
        assert_eq!(f.detail, "all 1 running");
    }

    #[test]
    fn exited_and_missing_are_down_with_names() {
        let found = parse_ps(PS).unwrap();
        let f = judge(
            &names(&[
                "olympus-ciam-kratos",
                "olympus-ciam-hydra",
                "olympus-iam-hera",
            ]),
            &found,
        );
        assert_eq!(f.status, Status::Down);
        assert_eq!(
            f.detail,
            "1/3 running: olympus-ciam-hydra exited (exit 137), olympus-iam-hera missing"
        );
    }

    #[test]
    fn unhealthy_is_degraded() {
        let found = parse_ps(PS).unwrap();
        let f = judge(&names(&["olympus-postgres"]), &found);
        assert_eq!(f.status, Status::Degraded);
    }

    #[test]
    fn empty_array_means_everything_missing() {
        let f = judge(&names(&["olympus-postgres"]), &parse_ps("[]\n").unwrap());
        assert_eq!(f.detail, "0/1 running: olympus-postgres missing");
    }

    #[test]
    fn malformed_output_is_an_error_not_a_panic() {
        for bad in [
            "",
            "not json",
            "{\"Names\":[]}",
            "[{\"Names\":\"x\"}]",
            "[1,2]",
        ] {
            assert!(parse_ps(bad).is_err(), "{bad:?}");
        }
    }
}
