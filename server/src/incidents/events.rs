//! What happens to incidents without a responder asking: health changes land on every open
//! incident's timeline, and the channel's deliveries report back (and can be retried).

use wire::{CheckResult, Delivery, EntryKind, Status};

use super::lifecycle::{self, Refusal};
use super::{IncidentError, Incidents, SYSTEM_ACTOR};
use crate::store::incidents::NewEntry;

impl Incidents {
    /// Re-sends a channel message that failed.
    pub async fn retry_delivery(
        &self,
        incident_id: i64,
        delivery_id: i64,
    ) -> Result<Delivery, IncidentError> {
        let not_found = || IncidentError::NoSuchDelivery {
            incident: incident_id,
            delivery: delivery_id,
        };
        let Some(courier) = &self.inner.courier else {
            return Err(Refusal::Conflict("no incident channel is configured".into()).into());
        };
        let (d, _) = self
            .inner
            .store
            .delivery(delivery_id)
            .await?
            .filter(|(d, _)| d.incident_id == incident_id)
            .ok_or_else(not_found)?;
        if d.state != wire::DeliveryState::Failed {
            return Err(Refusal::Conflict(format!(
                "channel message {delivery_id} is {}; only a failed one can be retried",
                match d.state {
                    wire::DeliveryState::Pending => "still being sent",
                    _ => "already delivered",
                }
            ))
            .into());
        }
        let d = self
            .inner
            .store
            .set_delivery(
                d.id,
                wire::DeliveryState::Pending,
                d.attempts,
                d.last_error.as_deref(),
                self.now_ms(),
            )
            .await?;
        self.delivery_changed(&d).await;
        courier.send(d.id);
        Ok(d)
    }

    /// Puts each check's status change on the timeline of every open incident (as filtered by
    /// [`lifecycle::timeline_worthy`]).
    pub async fn record_health(&self, changes: &[(CheckResult, Status)]) {
        let news = lifecycle::timeline_worthy(changes);
        if news.is_empty() {
            return;
        }
        let _w = self.inner.writes.lock().await;
        let open = match self.inner.store.open_incident_ids().await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "cannot list open incidents for health changes");
                return;
            }
        };
        // One transaction for all of them: a sweep's changes cost one fsync, not one per incident.
        let mut entries = Vec::with_capacity(open.len() * news.len());
        for id in open {
            for (c, from) in &news {
                let e = NewEntry {
                    at_ms: c.since_ms,
                    actor: SYSTEM_ACTOR.to_string(),
                    kind: EntryKind::Health {
                        check_id: c.id.clone(),
                        name: c.name.clone(),
                        from: *from,
                        to: c.status,
                        detail: c.detail.clone(),
                    },
                    channel_payload: None,
                };
                entries.push((id, e));
            }
        }
        match self.inner.store.append_entries(entries).await {
            Ok(written) => {
                for entry in &written {
                    self.inner.hub.publish_entry(entry);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot record health changes on incidents"),
        }
    }

    /// Tells browsers that a channel message changed, with the incident's new failure count.
    pub async fn delivery_changed(&self, d: &Delivery) {
        self.inner.hub.publish_delivery(d);
        match self.inner.store.incident(d.incident_id).await {
            Ok(Some(i)) => self.inner.hub.publish_incident(&i),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot reload an incident after a delivery"),
        }
    }
}
