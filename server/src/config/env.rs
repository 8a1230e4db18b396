//! The `AEGIS_*` environment layer, applied over the file.

use std::path::PathBuf;

use super::{ConfigError, Settings};

/// Applies every `AEGIS_*` variable that names a setting; an unknown `AEGIS_*` name is an error, so a
/// typo does not silently leave the default in force.
pub(super) fn apply(
    settings: &mut Settings,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (var, value) in vars {
        let Some(name) = var.strip_prefix("AEGIS_") else {
            continue;
        };
        // The ticket tracker's token is read by `[tickets]` from the variable it names (by
        // default `AEGIS_TICKETS_TOKEN`); it is a secret, not a setting.
        let token_env = settings
            .tickets
            .as_ref()
            .map_or("AEGIS_TICKETS_TOKEN", |t| t.token_env.as_str());
        if var == token_env {
            continue;
        }
        let err = |message: String| ConfigError::Env {
            var: var.clone(),
            message,
        };
        match name {
            "LISTEN" => {
                settings.listen = value
                    .parse()
                    .map_err(|e| err(format!("not an address:port: {e}")))?
            }
            "DATA_DIR" => settings.data_dir = PathBuf::from(value),
            "SITE_DIR" => settings.site_dir = PathBuf::from(value),
            "PUBLIC_URL" => settings.public_url = Some(value),
            "SECURE_COOKIES" => {
                settings.auth.secure_cookies = value
                    .parse()
                    .map_err(|e| err(format!("true or false: {e}")))?
            }
            "TRUSTED_PROXIES" => {
                settings.auth.trusted_proxies = value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| {
                        v.parse()
                            .map_err(|e| err(format!("`{v}` is not an IP address: {e}")))
                    })
                    .collect::<Result<_, _>>()?
            }
            "SSH_HOST" => settings.ssh.host = value,
            "SSH_PORT" => {
                settings.ssh.port = value.parse().map_err(|e| err(format!("not a port: {e}")))?
            }
            "SSH_USER" => settings.ssh.user = value,
            "SSH_IDENTITY" => settings.ssh.identity = Some(PathBuf::from(value)),
            "SSH_KNOWN_HOSTS" => settings.ssh.known_hosts = Some(PathBuf::from(value)),
            "SWEEP_INTERVAL_SECS" => {
                settings.sweep.interval_secs = value
                    .parse()
                    .map_err(|e| err(format!("not a number: {e}")))?
            }
            "INCIDENT_TIME_ZONE" => {
                settings.incidents.time_zone = crate::values::TimeZoneName::parse(&value)
                    .map_err(|m| err(format!("(incidents.time_zone) {m}")))?
            }
            "INCIDENT_CADENCE_MINUTES" => {
                settings.incidents.cadence_minutes = value
                    .parse()
                    .map_err(|e| err(format!("not a number: {e}")))?
            }
            "INCIDENT_WEBHOOK_ATTEMPTS" => {
                settings.incidents.webhook_attempts = value
                    .parse()
                    .map_err(|e| err(format!("not a number: {e}")))?
            }
            "INCIDENT_WEBHOOK_BACKOFF_MS" => {
                settings.incidents.webhook_backoff_ms = value
                    .parse()
                    .map_err(|e| err(format!("not a number: {e}")))?
            }
            "INCIDENT_CHANNEL" => settings.incidents.channel = Some(value),
            // A secret: kept out of config files that end up in repositories.
            "INCIDENT_WEBHOOK_URL" => {
                settings.incidents.webhook_url = Some(
                    crate::values::WebhookUrl::parse(&value)
                        .map_err(|m| err(format!("(incidents.webhook_url) {m}")))?,
                )
            }
            // Variables the tooling around the gateway uses, not settings.
            "SANDBOX_DIR" | "LOG" | "CONFIG" => {}
            _ => return Err(err("is not a setting the gateway knows".into())),
        }
    }
    Ok(())
}
