//! Incidents, their timelines and their channel deliveries in SQLite.
//!
//! Each change is one transaction: the incident's row, the timeline entry that records the change
//! and, when the entry goes to the incident channel, its delivery row. With `synchronous=FULL` the
//! transaction is on disk when the call returns, so an acknowledged write survives a `kill -9`.

use sqlx::{Sqlite, Transaction};
use wire::{
    Delivery, DeliveryState, EntryKind, HealthSnapshot, IncidentSummary, Severity, TimelineEntry,
};

use super::{Store, StoreError};

/// Which incidents to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// `Some(true)`: open only; `Some(false)`: resolved only.
    pub open: Option<bool>,
    pub severity: Option<Severity>,
    /// At most this many resolved incidents (newest first); the service sets it from
    /// `[incidents] recent_resolved`.
    pub resolved_limit: u32,
    /// Resolved incidents to skip (a later page of them).
    pub resolved_offset: u32,
}

/// One page of a list: the rows, and whether more lie beyond it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// An entry about to be written.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub at_ms: i64,
    pub actor: String,
    pub kind: EntryKind,
    /// The incident-channel message to send for it, when there is a channel.
    pub channel_payload: Option<String>,
}

impl Store {
    /// Writes a new incident with its `declared` entry. `number` makes both from the id this
    /// incident gets (the next after the highest), chosen and written in one `BEGIN IMMEDIATE`
    /// transaction so that no other writer can take it in between.
    pub async fn insert_incident(
        &self,
        board: &HealthSnapshot,
        number: impl FnOnce(i64) -> (IncidentSummary, NewEntry),
    ) -> Result<(IncidentSummary, TimelineEntry, Option<Delivery>), StoreError> {
        let board_json = serde_json::to_string(board).map_err(|e| corrupt("board", e))?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM incidents")
            .fetch_one(&mut *tx)
            .await?;
        let (incident, first) = number(id);
        if incident.id != id {
            return Err(corrupt(
                "incident",
                format!("numbered {} for {id}", incident.id),
            ));
        }
        let sql = format!(
            "INSERT INTO incidents (id, declared_by, declared_at_ms, board_json, {}) \
             VALUES (?, ?, ?, ?{})",
            STATE_COLUMNS.join(", "),
            ", ?".repeat(STATE_COLUMNS.len())
        );
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(&incident.declared_by)
            .bind(incident.declared_at_ms)
            .bind(board_json);
        bind_state(query, &incident)?.execute(&mut *tx).await?;
        let (entry, delivery) = append(&mut tx, id, first).await?;
        tx.commit().await?;
        Ok((incident, entry, delivery))
    }

    /// Rewrites an incident's row and appends the entry that says why, in one transaction.
    pub async fn save_incident(
        &self,
        incident: &IncidentSummary,
        change: NewEntry,
    ) -> Result<(TimelineEntry, Option<Delivery>), StoreError> {
        let mut tx = self.pool().begin().await?;
        let sql = format!(
            "UPDATE incidents SET {} = ? WHERE id = ?",
            STATE_COLUMNS.join(" = ?, ")
        );
        let done = bind_state(sqlx::query(&sql), incident)?
            .bind(incident.id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(corrupt("incident", format!("INC-{} vanished", incident.id)));
        }
        let out = append(&mut tx, incident.id, change).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Appends an entry that does not change the incident itself (a health change).
    pub async fn append_entry(
        &self,
        incident_id: i64,
        e: NewEntry,
    ) -> Result<TimelineEntry, StoreError> {
        Ok(self.append_entry_delivered(incident_id, e).await?.0)
    }

    /// Appends an entry and, when it carries a channel message, queues its delivery.
    pub async fn append_entry_delivered(
        &self,
        incident_id: i64,
        e: NewEntry,
    ) -> Result<(TimelineEntry, Option<Delivery>), StoreError> {
        let mut tx = self.pool().begin().await?;
        let written = append(&mut tx, incident_id, e).await?;
        tx.commit().await?;
        Ok(written)
    }

    pub async fn incident(&self, id: i64) -> Result<Option<IncidentSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE i.id = ?");
        let row: Option<IncidentRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(IncidentSummary::try_from).transpose()
    }

    /// The board as it was when incident `id` was declared.
    pub async fn board_at_declaration(&self, id: i64) -> Result<HealthSnapshot, StoreError> {
        let json: String = sqlx::query_scalar("SELECT board_json FROM incidents WHERE id = ?")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        serde_json::from_str(&json).map_err(|e| corrupt("board", e))
    }

    /// Open incidents first (newest first), then one page of resolved ones (most recently
    /// resolved first); `more` says whether older resolved ones remain. Open incidents are few:
    /// the service caps how many may be open at once.
    pub async fn incidents(&self, f: ListFilter) -> Result<Page<IncidentSummary>, StoreError> {
        let severity = f.severity.map(Severity::as_str);
        let mut out = Vec::new();
        let mut more = false;
        if f.open != Some(false) {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE i.phase != 'resolved' \
                 AND (?1 IS NULL OR i.severity = ?1) ORDER BY i.id DESC"
            );
            let rows: Vec<IncidentRow> = sqlx::query_as(&sql)
                .bind(severity)
                .fetch_all(self.pool())
                .await?;
            for r in rows {
                out.push(r.try_into()?);
            }
        }
        if f.open != Some(true) {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE i.phase = 'resolved' \
                 AND (?1 IS NULL OR i.severity = ?1) ORDER BY i.resolved_at_ms DESC, i.id DESC LIMIT ?2 OFFSET ?3"
            );
            let mut rows: Vec<IncidentRow> = sqlx::query_as(&sql)
                .bind(severity)
                .bind(i64::from(f.resolved_limit) + 1)
                .bind(i64::from(f.resolved_offset))
                .fetch_all(self.pool())
                .await?;
            more = rows.len() > f.resolved_limit as usize;
            rows.truncate(f.resolved_limit as usize);
            for r in rows {
                out.push(r.try_into()?);
            }
        }
        Ok(Page { items: out, more })
    }

    /// How many incidents are not resolved.
    pub async fn open_incidents(&self) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE phase != 'resolved'")
            .fetch_one(self.pool())
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Ids of the incidents that are not resolved.
    pub async fn open_incident_ids(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM incidents WHERE phase != 'resolved' ORDER BY id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The newest `limit` entries of an incident's timeline before `before` (a `seq`; `None`: the
    /// newest), oldest first; `more` says whether earlier entries remain.
    pub async fn timeline(
        &self,
        incident_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Page<TimelineEntry>, StoreError> {
        let mut rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT seq, incident_id, at_ms, actor, body_json FROM timeline \
             WHERE incident_id = ?1 AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3",
        )
        .bind(incident_id)
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        rows.reverse();
        Ok(Page {
            items: rows.into_iter().map(entry).collect::<Result<_, _>>()?,
            more,
        })
    }

    /// Every timeline entry of an incident, oldest first (a retrospective reads all of it).
    pub async fn whole_timeline(&self, incident_id: i64) -> Result<Vec<TimelineEntry>, StoreError> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT seq, incident_id, at_ms, actor, body_json FROM timeline \
             WHERE incident_id = ? ORDER BY seq",
        )
        .bind(incident_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(entry).collect()
    }

    /// Appends health entries to several incidents in one transaction (one fsync for a sweep's
    /// changes, however many incidents are open).
    pub async fn append_entries(
        &self,
        entries: Vec<(i64, NewEntry)>,
    ) -> Result<Vec<TimelineEntry>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut out = Vec::with_capacity(entries.len());
        for (incident_id, e) in entries {
            out.push(append(&mut tx, incident_id, e).await?.0);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn deliveries(&self, incident_id: i64) -> Result<Vec<Delivery>, StoreError> {
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE incident_id = ? ORDER BY id");
        let rows: Vec<DeliveryRow> = sqlx::query_as(&sql)
            .bind(incident_id)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(delivery).collect()
    }

    /// A delivery and the payload it posts.
    pub async fn delivery(&self, id: i64) -> Result<Option<(Delivery, String)>, StoreError> {
        let sql = format!("SELECT {DELIVERY_COLUMNS}, payload FROM deliveries WHERE id = ?");
        let row: Option<DeliveryWithPayload> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok((delivery(r.row)?, r.payload))).transpose()
    }

    /// Deliveries still to be attempted (after a restart, these resume).
    pub async fn pending_deliveries(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM deliveries WHERE state = 'pending' ORDER BY id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Records how a delivery is doing.
    pub async fn set_delivery(
        &self,
        id: i64,
        state: DeliveryState,
        attempts: u32,
        last_error: Option<&str>,
        at_ms: i64,
    ) -> Result<Delivery, StoreError> {
        sqlx::query(
            "UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, updated_at_ms = ? \
             WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(i64::from(attempts))
        .bind(last_error)
        .bind(at_ms)
        .bind(id)
        .execute(self.pool())
        .await?;
        self.delivery(id)
            .await?
            .map(|(d, _)| d)
            .ok_or_else(|| corrupt("delivery", format!("{id} vanished")))
    }
}

async fn append(
    tx: &mut Transaction<'_, Sqlite>,
    incident_id: i64,
    e: NewEntry,
) -> Result<(TimelineEntry, Option<Delivery>), StoreError> {
    let body = serde_json::to_string(&e.kind).map_err(|err| corrupt("timeline entry", err))?;
    let seq = sqlx::query(
        "INSERT INTO timeline (incident_id, at_ms, actor, body_json) VALUES (?, ?, ?, ?)",
    )
    .bind(incident_id)
    .bind(e.at_ms)
    .bind(&e.actor)
    .bind(body)
    .execute(&mut **tx)
    .await?
    .last_insert_rowid();
    let entry = TimelineEntry {
        seq,
        incident_id,
        at_ms: e.at_ms,
        actor: e.actor,
        kind: e.kind,
    };
    let delivery = match e.channel_payload {
        None => None,
        Some(payload) => {
            let id = sqlx::query(
                "INSERT INTO deliveries (incident_id, entry_seq, payload, state, updated_at_ms) \
                 VALUES (?, ?, ?, 'pending', ?)",
            )
            .bind(incident_id)
            .bind(seq)
            .bind(payload)
            .bind(e.at_ms)
            .execute(&mut **tx)
            .await?
            .last_insert_rowid();
            Some(Delivery {
                id,
                incident_id,
                entry_seq: seq,
                state: DeliveryState::Pending,
                attempts: 0,
                last_error: None,
                updated_at_ms: e.at_ms,
            })
        }
    };
    Ok((entry, delivery))
}

mod rows;
use rows::*;

#[cfg(test)]
mod tests;
