//! The audit log: what was done to the host or asked of it, by whom, for which incident, with the
//! exact commands sent and a digest of what came back. Append-only, chained by hash (`chain`), so
//! `aegis audit verify` finds the first entry that was altered, removed or moved, and the chain's
//! head, posted to the incident channel at every resolution, lets a copy outside the gateway prove
//! a rewrite of everything after it.

pub mod chain;
mod recording;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use wire::{AuditEntry, AuditHead, AuditKind, AuditPage, AuditRecord};

pub use recording::Recording;

use crate::store::{Store, StoreError};

/// Entries per page in the console.
pub const PAGE: i64 = 100;

/// Appends to and reads the audit log. Cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    store: Store,
    /// One appender at a time within the gateway (the transaction guards against anyone else).
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl AuditLog {
    pub fn new(store: Store) -> AuditLog {
        AuditLog {
            store,
            lock: Arc::default(),
        }
    }

    /// Appends a record stamped now. When this returns `Ok`, the entry is on disk: a crash
    /// afterwards loses nothing that was acknowledged. The write runs in its own task, so a
    /// request that is dropped half way cannot leave the transaction open.
    pub async fn append(
        &self,
        actor: &str,
        incident_id: Option<i64>,
        kind: AuditKind,
        subject: impl Into<String>,
        detail: impl Into<String>,
        commands: Vec<wire::AuditCommand>,
    ) -> Result<AuditEntry, StoreError> {
        let record = AuditRecord {
            at_ms: self.store.now_ms(),
            actor: actor.to_owned(),
            incident_id,
            kind,
            subject: subject.into(),
            detail: detail.into(),
            commands,
        };
        let this = self.clone();
        let task = tokio::spawn(async move {
            let _one = this.lock.lock().await;
            let row = this
                .store
                .append_audit(|last| Ok(chain::next_row(last, &record)))
                .await?;
            Ok::<_, StoreError>(AuditEntry {
                seq: row.seq,
                record,
                prev_hash: row.prev_hash,
                hash: row.hash,
            })
        });
        match task.await {
            Ok(result) => result,
            Err(join) => Err(crate::store::corrupt("audit entry", join)),
        }
    }

    /// The newest entry's number and hash.
    pub async fn head(&self) -> Result<Option<AuditHead>, StoreError> {
        Ok(self.store.audit_head().await?.map(|r| AuditHead {
            seq: r.seq,
            hash: r.hash,
        }))
    }

    /// A page for the console, newest first. Rows are shown as stored; a row that no longer reads
    /// is an error (`aegis audit verify` says which and why).
    pub async fn page(
        &self,
        incident_id: Option<i64>,
        before: Option<i64>,
    ) -> Result<AuditPage, StoreError> {
        let rows = self.store.audit_page(incident_id, before, PAGE + 1).await?;
        let more = rows.len() as i64 > PAGE;
        let entries = rows
            .into_iter()
            .take(PAGE as usize)
            .map(|r| {
                let record: AuditRecord = serde_json::from_str(&r.record_json)
                    .map_err(|e| crate::store::corrupt("audit entry", e))?;
                Ok(AuditEntry {
                    seq: r.seq,
                    record,
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(AuditPage {
            entries,
            head: self.head().await?,
            more,
        })
    }

    /// Checks the whole chain, a page at a time; `expected_head` (from the incident channel)
    /// also catches entries removed from the end.
    pub async fn verify(
        &self,
        expected_head: Option<&AuditHead>,
    ) -> Result<chain::Verdict, StoreError> {
        let mut checker = chain::Checker::default();
        let mut after = 0;
        let mut seen_expected = expected_head.is_none();
        loop {
            let rows = self.store.audit_rows(after, 1000).await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in &rows {
                if let Err((at, why)) = checker.feed(row) {
                    return Ok(chain::Verdict::Broken { at, why });
                }
                if let Some(h) = expected_head.filter(|h| h.seq == row.seq) {
                    if h.hash != row.hash {
                        return Ok(chain::Verdict::Broken {
                            at: row.seq,
                            why: format!(
                                "entry {} is not the one the channel was told about: the chain from there on was rewritten",
                                row.seq
                            ),
                        });
                    }
                    seen_expected = true;
                }
            }
        }
        match (seen_expected, expected_head) {
            (false, Some(h)) => Ok(chain::Verdict::Broken {
                at: h.seq,
                why: format!(
                    "entry {} is missing: the log ends before the head the channel was told about",
                    h.seq
                ),
            }),
            _ => Ok(checker.verdict()),
        }
    }

    /// Every entry in chain order, `incident` narrowing it, for `aegis audit export`: each as
    /// stored (export does not judge; verify does).
    pub async fn export(
        &self,
        incident_id: Option<i64>,
        mut line: impl FnMut(&AuditEntry) -> std::io::Result<()>,
    ) -> Result<i64, ExportError> {
        let mut after = 0;
        let mut written = 0;
        loop {
            let rows = self.store.audit_rows(after, 1000).await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for r in rows {
                if incident_id.is_some() && r.incident_id != incident_id {
                    continue;
                }
                let record: AuditRecord = serde_json::from_str(&r.record_json)
                    .map_err(|e| crate::store::corrupt("audit entry", e))?;
                line(&AuditEntry {
                    seq: r.seq,
                    record,
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                })?;
                written += 1;
            }
        }
        Ok(written)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}
