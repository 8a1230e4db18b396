//! Carries timeline entries to the incident channel, in order, with retries.
//!
//! A delivery row is written in the same transaction as its entry, so a message is never lost
//! between "saved" and "sent": pending rows left by a crash are resumed at start-up. Each attempt's
//! outcome is stored and streamed to responders; after the last attempt a failed message stays
//! failed (and visible) until someone retries it.

use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use wire::{DeliveryState, EntryKind, IncidentSummary};

use super::settings::IncidentSettings;
use super::timers::BusinessHours;
use super::webhook::{backoff, escape, Attempt, Webhook};
use super::Incidents;
use crate::shutdown::CancelToken;
use crate::values::WebhookUrl;

pub struct Courier {
    webhook: Webhook,
    attempts: u32,
    backoff: Duration,
    tx: mpsc::UnboundedSender<i64>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<i64>>>,
}

impl Courier {
    pub fn new(url: &WebhookUrl, settings: &IncidentSettings) -> anyhow::Result<Courier> {
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Courier {
            webhook: Webhook::new(url, Duration::from_secs(settings.webhook_timeout_secs))?,
            attempts: settings.webhook_attempts,
            backoff: Duration::from_millis(settings.webhook_backoff_ms),
            tx,
            rx: Mutex::new(Some(rx)),
        })
    }

    /// Queues a delivery.
    pub fn send(&self, delivery_id: i64) {
        // The receiver lives as long as the gateway; a send after shutdown is resumed next start.
        let _ = self.tx.send(delivery_id);
    }

    /// Starts the worker, first queueing what a previous run left pending.
    pub async fn run(&self, incidents: Incidents, stop: CancelToken) -> anyhow::Result<()> {
        let Some(mut rx) = self.rx.lock().await.take() else {
            return Ok(());
        };
        for id in incidents.store().pending_deliveries().await? {
            tracing::info!(delivery = id, "resuming a channel message left pending");
            self.send(id);
        }
        tokio::spawn(async move {
            loop {
                let id = tokio::select! {
                    _ = stop.cancelled() => break,
                    next = rx.recv() => match next { Some(id) => id, None => break },
                };
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = deliver(&incidents, id) => {}
                }
            }
        });
        Ok(())
    }
}

/// Runs one delivery's attempts to the end, recording each.
async fn deliver(incidents: &Incidents, id: i64) {
    let Some(courier) = incidents.inner.courier.as_ref() else {
        return;
    };
    let store = incidents.store();
    let (mut d, payload) = match store.delivery(id).await {
        Ok(Some(found)) if found.0.state == DeliveryState::Pending => found,
        Ok(_) => return,
        Err(e) => {
            tracing::error!(delivery = id, error = %e, "cannot load a channel message");
            return;
        }
    };
    for round in 1..=courier.attempts {
        let outcome = courier.webhook.post(&payload).await;
        let attempts = d.attempts + 1;
        let (state, error) = match &outcome {
            Attempt::Delivered => (DeliveryState::Delivered, None),
            Attempt::Retry(e) if round < courier.attempts => {
                (DeliveryState::Pending, Some(e.as_str()))
            }
            Attempt::Retry(e) | Attempt::Fatal(e) => (DeliveryState::Failed, Some(e.as_str())),
        };
        match store
            .set_delivery(id, state, attempts, error, incidents.now_ms())
            .await
        {
            Ok(updated) => d = updated,
            Err(e) => {
                tracing::error!(delivery = id, error = %e, "cannot record a delivery attempt");
                return;
            }
        }
        incidents.delivery_changed(&d).await;
        match state {
            DeliveryState::Delivered => return,
            DeliveryState::Failed => {
                tracing::warn!(delivery = id, incident = d.incident_id, attempts, error = ?error, "channel message failed");
                return;
            }
            DeliveryState::Pending => {
                tracing::info!(delivery = id, attempts, error = ?error, "channel message will be retried");
                tokio::time::sleep(backoff(courier.backoff, round)).await;
            }
        }
    }
}

/// `text` escaped for mrkdwn and quoted: every line starts with `> `.
fn quoted(text: &str) -> String {
    escape(text)
        .lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The channel's text for an entry, or `None` when the entry is not news for the channel (notes,
/// scope edits and individual health changes stay in the console).
///
/// Single-line fields (title, reasons) cannot hold a line break (the lifecycle refuses them).
/// Multi-line fields are quoted line by line (`> `), so no line a responder writes can pass for
/// one of the console's own (`*[Sev 1] INC-7: …*`, `Resolved by …`).
pub fn message(
    i: &IncidentSummary,
    actor: &str,
    kind: &EntryKind,
    hours: &BusinessHours,
) -> Option<String> {
    let head = format!(
        "*[{}] {}: {}*",
        i.severity.label(),
        i.reference(),
        escape(&i.title)
    );
    let actor = escape(actor);
    let text = match kind {
        EntryKind::Declared {
            broken, compromise, ..
        } => format!(
            "{head}\nDeclared by {actor}{}.\n*What is broken:*\n{}\n*First response due:* {}",
            if *compromise {
                " as a confirmed compromise"
            } else {
                ""
            },
            quoted(broken),
            hours.local_text(i.response_due_ms),
        ),
        EntryKind::Acknowledged => format!("{head}\nAcknowledged by {actor}."),
        EntryKind::StatusUpdate {
            known,
            trying,
            eta_minutes,
        } => {
            let mut t = format!(
                "{head}\nStatus update from {actor}\n*What we know:*\n{}",
                quoted(known)
            );
            if !trying.is_empty() {
                t.push_str(&format!("\n*What we're trying:*\n{}", quoted(trying)));
            }
            t.push_str(&format!("\n*Next update:* in {eta_minutes} minutes"));
            t
        }
        EntryKind::SeverityChanged { from, to, reason } => format!(
            "{head}\nRe-graded from {} to {} by {actor}: {}",
            from.label(),
            to.label(),
            escape(reason)
        ),
        EntryKind::Resolved {
            impact, audit_head, ..
        } => {
            let mut t = format!(
                "{head}\nResolved by {actor}: restoration confirmed.\n*User-visible impact:*\n{}",
                quoted(impact)
            );
            if let Some(due) = i.retrospective_due_ms {
                t.push_str(&format!("\n*Retrospective due:* {}", hours.local_text(due)));
            }
            if let Some(audit) = audit_head {
                t.push_str(&format!("\n*Audit log head:* `{audit}`"));
            }
            t
        }
        EntryKind::Action {
            title,
            target,
            did,
            reason: Some(reason),
        } => format!(
            "{head}\n*Break-glass:* {actor} approved their own request: {} on {}, {}.\n*Why:*\n{}",
            escape(title),
            escape(target),
            escape(did),
            quoted(reason)
        ),
        EntryKind::Retrospective { did } => {
            format!("{head}\n*Retrospective* {}", escape(did))
        }
        EntryKind::Action { reason: None, .. }
        | EntryKind::ScopeChanged { .. }
        | EntryKind::Note { .. }
        | EntryKind::Health { .. }
        | EntryKind::Walkthrough { .. } => return None,
    };
    Some(text)
}
