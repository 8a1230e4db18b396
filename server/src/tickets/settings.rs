//! `[tickets]`: where retrospective action items become issues. The section is optional; without it
//! action items stay in the console.
//!
//! The token is not here. The config file ends up in repositories and backups, so it only names the
//! environment variable that holds the token (`token_env`), the way the webhook URL can come from
//! the environment.

use serde::Deserialize;

/// Which tracker API `api_url` speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketApi {
    /// GitHub or GitHub Enterprise Server: REST API `2022-11-28`.
    #[default]
    Github,
    /// GitLab (gitlab.com or self-managed): REST API v4.
    Gitlab,
}

/// `[tickets]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketSettings {
    /// `github` (the default) or `gitlab`.
    pub api: TicketApi,
    /// The REST API base URL: `https://api.github.com`, `https://github.example/api/v3`,
    /// `https://gitlab.example/api/v4`. A trailing slash is ignored.
    pub api_url: String,
    /// The platform repository: `owner/name` on GitHub, the project's full path
    /// (`group/subgroup/project`) on GitLab.
    pub repository: String,
    /// The *name* of the environment variable that holds the API token.
    pub token_env: String,
    /// Labels every ticket gets, so follow-ups can be found in the tracker.
    pub labels: Vec<String>,
    /// Seconds one request to the tracker may take.
    pub timeout_secs: u64,
}

impl Default for TicketSettings {
    fn default() -> Self {
        TicketSettings {
            api: TicketApi::Github,
            api_url: "https://api.github.com".into(),
            repository: String::new(),
            token_env: "AEGIS_TICKETS_TOKEN".into(),
            labels: vec!["incident-follow-up".into()],
            timeout_secs: 10,
        }
    }
}

impl TicketSettings {
    /// The key (under `tickets.`) of the first value that cannot work, and why.
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, message: String| Err((key.to_string(), message));
        let url =
            crate::probes::HttpUrl::parse(&self.api_url).map_err(|m| ("api_url".into(), m))?;
        if url.as_str().contains(['?', '#']) {
            return bad("api_url", "must be a base URL, without `?` or `#`".into());
        }
        if self.api == TicketApi::Gitlab && url.host().eq_ignore_ascii_case("api.github.com") {
            return bad(
                "api_url",
                "is GitHub's while `api` is gitlab: set the GitLab API URL (https://gitlab.example/api/v4)"
                    .into(),
            );
        }
        if let Err(m) = check_repository(self.api, &self.repository) {
            return bad("repository", m);
        }
        if !is_env_name(&self.token_env) {
            return bad(
                "token_env",
                "must be the name of an environment variable (letters, digits and '_'), not the token"
                    .into(),
            );
        }
        for (i, label) in self.labels.iter().enumerate() {
            // GitLab takes labels as one comma-separated string: a comma would split the label.
            if label.trim().is_empty()
                || label.trim() != label
                || label.contains(',')
                || label.chars().any(char::is_control)
            {
                return bad(
                    &format!("labels[{i}]"),
                    "must be non-empty, without a comma, control characters or surrounding spaces"
                        .into(),
                );
            }
        }
        if !(1..=120).contains(&self.timeout_secs) {
            return bad("timeout_secs", "must be 1 to 120".into());
        }
        Ok(())
    }
}

/// `[A-Za-z0-9._-]` segments separated by `/`: two of them on GitHub (`owner/name`), at least two
/// on GitLab (a project always lives in a namespace). The value goes into API paths, so a segment
/// made of dots (`..`) is refused: it would walk to another endpoint.
fn check_repository(api: TicketApi, repository: &str) -> Result<(), String> {
    let shape = match api {
        TicketApi::Github => "owner/name",
        TicketApi::Gitlab => "group/project or group/subgroup/project",
    };
    if repository.is_empty() {
        return Err(format!("is required: the platform repository as {shape}"));
    }
    let segments: Vec<&str> = repository.split('/').collect();
    let well_formed = repository.len() <= 255
        && segments.iter().all(|s| {
            !s.is_empty()
                && !s.chars().all(|c| c == '.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        });
    let count_ok = match api {
        TicketApi::Github => segments.len() == 2,
        TicketApi::Gitlab => segments.len() >= 2,
    };
    if well_formed && count_ok {
        Ok(())
    } else {
        Err(format!(
            "`{repository}` is not {shape} (letters, digits, '.', '_' and '-' between slashes)"
        ))
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
