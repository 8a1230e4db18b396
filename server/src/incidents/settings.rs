//! `[incidents]`: what the incidents service is configured with. Its values arrive parsed (business
//! hours, the webhook URL); the ranges are checked here, next to the service that relies on them.

use serde::Deserialize;

use crate::values::{BusinessHours, TimeOfDay, TimeZoneName, WebhookUrl};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentSettings {
    /// Minutes between status updates (the playbook says 15).
    pub cadence_minutes: u32,
    /// IANA time zone that "next business day" (Sev 4's first response) is counted in.
    pub time_zone: TimeZoneName,
    /// When a business day starts there, `HH:MM`.
    pub business_day_start: TimeOfDay,
    /// Slack-compatible incoming-webhook URL of the incident channel. It is a secret: it never
    /// leaves the gateway and is masked in errors. Unset: updates stay in the console.
    pub webhook_url: Option<WebhookUrl>,
    /// The channel's name as responders know it (`#inc-olympus`), shown in the console.
    pub channel: Option<String>,
    /// Attempts per message before it is shown as failed.
    pub webhook_attempts: u32,
    /// Wait before the first retry; doubled for each one after.
    pub webhook_backoff_ms: u64,
    /// Seconds one attempt may take.
    pub webhook_timeout_secs: u64,
    /// Resolved incidents sent to browsers besides the open ones (and per page of the list).
    pub recent_resolved: u32,
    /// Incidents open at once. Every open incident gets every health change on its timeline and
    /// is sent to every browser, so their number is bounded; a declaration past it is refused
    /// with the reason. Olympus is one platform: a handful at a time is already a bad night.
    pub max_open: u32,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        IncidentSettings {
            cadence_minutes: 15,
            time_zone: TimeZoneName::default(),
            business_day_start: TimeOfDay::default(),
            webhook_url: None,
            channel: None,
            webhook_attempts: 5,
            webhook_backoff_ms: 2_000,
            webhook_timeout_secs: 10,
            recent_resolved: 20,
            max_open: 20,
        }
    }
}

impl IncidentSettings {
    /// `time_zone` and `business_day_start` together.
    pub fn business_hours(&self) -> BusinessHours {
        BusinessHours::of(self.time_zone.clone(), self.business_day_start)
    }

    /// The key (under `incidents.`) of the first value out of range, and why.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if !(1..=240).contains(&self.cadence_minutes) {
            return Err(("cadence_minutes", "must be 1 to 240"));
        }
        if self.webhook_attempts == 0 || self.webhook_attempts > 20 {
            return Err(("webhook_attempts", "must be 1 to 20"));
        }
        if self.webhook_timeout_secs == 0 {
            return Err(("webhook_timeout_secs", "must be at least 1"));
        }
        if !(1..=1000).contains(&self.max_open) {
            return Err(("max_open", "must be 1 to 1000"));
        }
        if !(1..=500).contains(&self.recent_resolved) {
            return Err(("recent_resolved", "must be 1 to 500"));
        }
        Ok(())
    }
}
