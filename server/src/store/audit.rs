//! The audit log's rows. Appending is the only write; the hash rule is `audit::chain`'s.

use sqlx::Row;

use super::{Store, StoreError};

/// A row as stored, before anything is checked: `aegis audit verify` reads these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub incident_id: Option<i64>,
    pub record_json: String,
    pub prev_hash: String,
    pub hash: String,
}

fn row_of(row: &sqlx::sqlite::SqliteRow) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        seq: row.try_get("seq")?,
        incident_id: row.try_get("incident_id")?,
        record_json: row.try_get("record_json")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, incident_id, record_json, prev_hash, hash";

impl Store {
    /// Appends the row that `build` makes from the newest row (`None` when the log is empty), in
    /// one immediate transaction: no other writer can slip a row in between reading the head and
    /// writing the next one, and the row is on disk when this returns.
    pub async fn append_audit(
        &self,
        build: impl FnOnce(Option<&AuditRow>) -> Result<AuditRow, StoreError>,
    ) -> Result<AuditRow, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let result = async {
            let last = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
            ))
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(row_of)
            .transpose()?;
            let row = build(last.as_ref())?;
            sqlx::query(
                "INSERT INTO audit_log (seq, incident_id, record_json, prev_hash, hash) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(row.seq)
            .bind(row.incident_id)
            .bind(&row.record_json)
            .bind(&row.prev_hash)
            .bind(&row.hash)
            .execute(&mut *conn)
            .await?;
            Ok::<_, StoreError>(row)
        }
        .await;
        match result {
            Ok(row) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                Ok(row)
            }
            Err(e) => {
                // The connection goes back to the pool: it must not stay inside the transaction.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }

    /// The newest row, if any.
    pub async fn audit_head(&self) -> Result<Option<AuditRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(row_of)
        .transpose()
    }

    /// Rows in chain order from `after` (exclusive), at most `limit`: verify and export page through.
    pub async fn audit_rows(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }

    /// Newest first, older than `before`, optionally one incident's: the console's pages.
    pub async fn audit_page(
        &self,
        incident_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log \
             WHERE (?1 IS NULL OR incident_id = ?1) AND (?2 IS NULL OR seq < ?2) \
             ORDER BY seq DESC LIMIT ?3"
        ))
        .bind(incident_id)
        .bind(before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }
}
