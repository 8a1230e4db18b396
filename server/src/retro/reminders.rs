//! The 48-hour deadline in the channel: one reminder when 24 hours are left, one when it is
//! overdue, each sent once (claimed in the database, so a restart does not send it again).

use wire::{EntryKind, SYSTEM_ACTOR};

use super::{RetroError, Retros};

/// The first reminder goes out this long before the deadline.
pub const FIRST_REMINDER_MS: i64 = 24 * 3_600_000;

impl Retros {
    /// Sends the reminders that are due now; returns how many went out.
    pub async fn remind(&self) -> Result<u32, RetroError> {
        let inc = &self.inner.incidents;
        let now = inc.now_ms();
        let mut sent = 0;
        for due in self.store().due_retrospectives().await? {
            let left = due.due_ms - now;
            let (which, did) = if left <= 0 {
                (
                    "overdue",
                    format!(
                        "overdue: it was due {}; write it at {}",
                        inc.hours().local_text(due.due_ms),
                        self.link(due.incident_id)
                    ),
                )
            } else if left <= FIRST_REMINDER_MS {
                (
                    "24h",
                    format!(
                        "due in {}: by {}; write it at {}",
                        super::record::duration_text(left),
                        inc.hours().local_text(due.due_ms),
                        self.link(due.incident_id)
                    ),
                )
            } else {
                continue;
            };
            if self
                .store()
                .claim_reminder(due.incident_id, which, now)
                .await?
            {
                inc.record(
                    SYSTEM_ACTOR,
                    due.incident_id,
                    EntryKind::Retrospective { did },
                )
                .await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Checks the deadlines every `every` until `stop`.
    pub fn spawn_reminders(&self, stop: crate::shutdown::CancelToken, every: std::time::Duration) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tick.tick() => {
                        if let Err(e) = this.remind().await {
                            tracing::warn!(error = %e, "could not send retrospective reminders");
                        }
                    }
                }
            }
        });
    }
}
