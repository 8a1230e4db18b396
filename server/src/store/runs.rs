//! Playbook walkthroughs on disk: runs and their append-only history. Where a run is, is worked out
//! by replaying its history (`playbooks::walk`), never stored, so it cannot disagree with it.

use sqlx::Row;
use wire::{RunRecord, StepOutcome};

use super::{corrupt, Store, StoreError};

/// A run as stored: who started which playbook when, and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRun {
    pub id: i64,
    pub incident_id: i64,
    pub playbook: String,
    pub started_by: String,
    pub started_at_ms: i64,
    pub records: Vec<RunRecord>,
}

impl Store {
    /// Starts a run; returns its id.
    pub async fn start_run(
        &self,
        incident_id: i64,
        playbook: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let id = sqlx::query(
            "INSERT INTO playbook_runs (incident_id, playbook, started_by, started_at_ms) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(incident_id)
        .bind(playbook)
        .bind(by)
        .bind(at_ms)
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(id)
    }

    /// Appends one record to a run's history.
    pub async fn append_run_record(&self, run_id: i64, r: &RunRecord) -> Result<(), StoreError> {
        let outcome =
            serde_json::to_string(&r.outcome).map_err(|e| corrupt("walkthrough record", e))?;
        sqlx::query(
            "INSERT INTO playbook_records (run_id, step, outcome_json, actor, at_ms, note) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(run_id)
        .bind(&r.step)
        .bind(outcome)
        .bind(&r.by)
        .bind(r.at_ms)
        .bind(&r.note)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// An incident's runs, oldest first, each with its history.
    pub async fn runs(&self, incident_id: i64) -> Result<Vec<StoredRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, playbook, started_by, started_at_ms FROM playbook_runs \
             WHERE incident_id = ? ORDER BY id",
        )
        .bind(incident_id)
        .fetch_all(self.pool())
        .await?;
        let mut runs = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            runs.push(StoredRun {
                id,
                incident_id,
                playbook: row.try_get("playbook")?,
                started_by: row.try_get("started_by")?,
                started_at_ms: row.try_get("started_at_ms")?,
                records: self.run_records(id).await?,
            });
        }
        Ok(runs)
    }

    /// The latest result of step `step` of playbook `playbook` in any walkthrough of any incident:
    /// "changed since the last look" compares with it, so a second incident's walkthrough sees
    /// what the first one found.
    pub async fn last_probe_result(
        &self,
        playbook: &str,
        step: &str,
    ) -> Result<Option<wire::ProbeResult>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.outcome_json FROM playbook_records r              JOIN playbook_runs p ON p.id = r.run_id              WHERE p.playbook = ? AND r.step = ? ORDER BY r.seq DESC LIMIT 50",
        )
        .bind(playbook)
        .bind(step)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let json: String = row.try_get("outcome_json")?;
            if let StepOutcome::Probed(result) =
                serde_json::from_str(&json).map_err(|e| corrupt("walkthrough record", e))?
            {
                return Ok(Some(result));
            }
        }
        Ok(None)
    }

    async fn run_records(&self, run_id: i64) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT step, outcome_json, actor, at_ms, note FROM playbook_records \
             WHERE run_id = ? ORDER BY seq",
        )
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                let json: String = row.try_get("outcome_json")?;
                let outcome: StepOutcome =
                    serde_json::from_str(&json).map_err(|e| corrupt("walkthrough record", e))?;
                Ok(RunRecord {
                    step: row.try_get("step")?,
                    outcome,
                    by: row.try_get("actor")?,
                    at_ms: row.try_get("at_ms")?,
                    note: row.try_get("note")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{FieldValue, ProbeResult};

    #[tokio::test]
    async fn a_run_and_its_history_survive_reopening_and_refuse_edits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query(
            "INSERT INTO incidents (id, version, title, broken, severity, compromise, phase, \
             scope_json, board_json, declared_by, declared_at_ms, response_due_ms) \
             VALUES (1, 1, 't', 'b', 'sev1', 0, 'declared', '{}', '{}', 'ana', 0, 0)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let run = store.start_run(1, "database-tls", "ana", 10).await.unwrap();
        let probed = RunRecord {
            step: "certificate".into(),
            outcome: StepOutcome::Probed(ProbeResult {
                fields: [("expired".to_owned(), FieldValue::Flag(true))]
                    .into_iter()
                    .collect(),
                summary: "expired 2 days ago".into(),
                details: Vec::new(),
            }),
            by: "ana".into(),
            at_ms: 20,
            note: None,
        };
        store.append_run_record(run, &probed).await.unwrap();
        drop(store);

        let store = Store::open(dir.path()).await.unwrap();
        let runs = store.runs(1).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].playbook, "database-tls");
        assert_eq!(runs[0].records, vec![probed.clone()]);
        for sql in [
            "UPDATE playbook_records SET note = 'x'",
            "DELETE FROM playbook_records",
        ] {
            let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        assert!(store.runs(2).await.unwrap().is_empty());

        // A later walkthrough of the same playbook sees this look as its last one; another
        // step or playbook does not.
        let later = store.start_run(1, "database-tls", "bo", 30).await.unwrap();
        let done = RunRecord {
            step: "certificate".into(),
            outcome: StepOutcome::Skipped,
            by: "bo".into(),
            at_ms: 40,
            note: None,
        };
        store.append_run_record(later, &done).await.unwrap();
        let StepOutcome::Probed(expected) = &probed.outcome else {
            unreachable!()
        };
        assert_eq!(
            store
                .last_probe_result("database-tls", "certificate")
                .await
                .unwrap()
                .as_ref(),
            Some(expected),
            "a skip is not a look"
        );
        assert_eq!(
            store
                .last_probe_result("database-tls", "logs")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .last_probe_result("csrf-violation", "certificate")
                .await
                .unwrap(),
            None
        );
    }
}
