//! Retrospectives, action items, stars and the mitigation mark on disk.
//!
//! A retrospective's versions are append-only and numbered per incident; a save names the version
//! it started from, and the primary key lets exactly one of two racing saves take the next number.
//! Action items change by compare-and-set on their `version`, like action requests.

use sqlx::Row;
use wire::{ActionItem, ItemFields, ItemStatus, RetroSections, RetroState, RetroVersion};

use super::{corrupt, Store, StoreError};

/// A stored version with the state it left the retrospective in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub version: RetroVersion,
    pub state: RetroState,
}

/// An open action item with what `/actions` shows of its incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemWithIncident {
    pub item: ActionItem,
    pub incident_title: String,
    /// The incident's scope as stored (wire::IncidentScope JSON).
    pub scope_json: String,
}

/// A resolved incident whose retrospective is due and not finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRetro {
    pub incident_id: i64,
    pub due_ms: i64,
}

fn version_of(r: &sqlx::sqlite::SqliteRow) -> Result<StoredVersion, StoreError> {
    let sections: String = r.try_get("sections_json")?;
    let state: String = r.try_get("state")?;
    let version: i64 = r.try_get("version")?;
    Ok(StoredVersion {
        version: RetroVersion {
            version: u32::try_from(version).map_err(|e| corrupt("retrospective version", e))?,
            author: r.try_get("author")?,
            at_ms: r.try_get("at_ms")?,
            did: r.try_get("did")?,
            sections: serde_json::from_str::<RetroSections>(&sections)
                .map_err(|e| corrupt("retrospective", e))?,
        },
        state: RetroState::parse(&state).ok_or_else(|| corrupt("retrospective state", &state))?,
    })
}

fn item_of(r: &sqlx::sqlite::SqliteRow) -> Result<ActionItem, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(ActionItem {
        id: r.try_get("id")?,
        incident_id: r.try_get("incident_id")?,
        fields: ItemFields {
            title: r.try_get("title")?,
            owner: r.try_get("owner")?,
            due: r.try_get("due")?,
            done_when: r.try_get("done_when")?,
            status: ItemStatus::parse(&status)
                .ok_or_else(|| corrupt("action item status", &status))?,
            ticket_url: r.try_get("ticket_url")?,
            finding: r.try_get("finding")?,
        },
        created_by: r.try_get("created_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
        ticket_state: r.try_get("ticket_state")?,
        version: r.try_get("version")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Store {
    /// Every version of an incident's retrospective, newest first.
    pub async fn retro_versions(&self, incident_id: i64) -> Result<Vec<StoredVersion>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM retro_versions WHERE incident_id = ? ORDER BY version DESC")
                .bind(incident_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(version_of).collect()
    }

    /// Appends version `v.version` (which must be the newest plus one); `None` when another save
    /// took that number first.
    pub async fn insert_retro_version(
        &self,
        incident_id: i64,
        v: &StoredVersion,
    ) -> Result<Option<()>, StoreError> {
        let sections =
            serde_json::to_string(&v.version.sections).map_err(|e| corrupt("retrospective", e))?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (newest,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) FROM retro_versions WHERE incident_id = ?",
        )
        .bind(incident_id)
        .fetch_one(&mut *tx)
        .await?;
        if newest + 1 != i64::from(v.version.version) {
            return Ok(None);
        }
        let done = sqlx::query(
            "INSERT INTO retro_versions (incident_id, version, author, at_ms, did, state, \
             sections_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(incident_id)
        .bind(i64::from(v.version.version))
        .bind(&v.version.author)
        .bind(v.version.at_ms)
        .bind(&v.version.did)
        .bind(v.state.as_str())
        .bind(sections)
        .execute(&mut *tx)
        .await;
        match done {
            Ok(_) => {
                tx.commit().await?;
                Ok(Some(()))
            }
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a new item and returns it with its id.
    pub async fn insert_item(&self, item: &ActionItem) -> Result<ActionItem, StoreError> {
        let f = &item.fields;
        let id = sqlx::query(
            "INSERT INTO action_items (incident_id, title, owner, due, done_when, status, \
             ticket_url, ticket_state, finding, created_by, created_at_ms, updated_at_ms, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        )
        .bind(item.incident_id)
        .bind(&f.title)
        .bind(&f.owner)
        .bind(&f.due)
        .bind(&f.done_when)
        .bind(f.status.as_str())
        .bind(&f.ticket_url)
        .bind(&item.ticket_state)
        .bind(&f.finding)
        .bind(&item.created_by)
        .bind(item.created_at_ms)
        .bind(item.updated_at_ms)
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(ActionItem {
            id,
            version: 1,
            ..item.clone()
        })
    }

    /// Writes `item` over the stored one if nobody changed it since `item.version`; the stored
    /// item (version bumped), or `None` when someone else got there first.
    pub async fn update_item(&self, item: &ActionItem) -> Result<Option<ActionItem>, StoreError> {
        let f = &item.fields;
        let done = sqlx::query(
            "UPDATE action_items SET title = ?, owner = ?, due = ?, done_when = ?, status = ?, \
             ticket_url = ?, ticket_state = ?, updated_at_ms = ?, version = version + 1 \
             WHERE id = ? AND version = ?",
        )
        .bind(&f.title)
        .bind(&f.owner)
        .bind(&f.due)
        .bind(&f.done_when)
        .bind(f.status.as_str())
        .bind(&f.ticket_url)
        .bind(&item.ticket_state)
        .bind(item.updated_at_ms)
        .bind(item.id)
        .bind(item.version)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok((done == 1).then(|| ActionItem {
            version: item.version + 1,
            ..item.clone()
        }))
    }

    pub async fn item(&self, id: i64) -> Result<Option<ActionItem>, StoreError> {
        sqlx::query("SELECT * FROM action_items WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(item_of)
            .transpose()
    }

    /// An incident's items, oldest first.
    pub async fn items(&self, incident_id: i64) -> Result<Vec<ActionItem>, StoreError> {
        let rows = sqlx::query("SELECT * FROM action_items WHERE incident_id = ? ORDER BY id")
            .bind(incident_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(item_of).collect()
    }

    /// Items across incidents (open ones only unless `all`), with their incident's title and
    /// scope; `owner` narrows to one account. Unordered: the service sorts by what "overdue"
    /// means today.
    pub async fn items_across(
        &self,
        all: bool,
        owner: Option<&str>,
    ) -> Result<Vec<ItemWithIncident>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.*, i.title AS incident_title, i.scope_json AS incident_scope \
             FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             WHERE (? OR a.status = 'open') AND (? IS NULL OR a.owner = ?) ORDER BY a.id",
        )
        .bind(all)
        .bind(owner)
        .bind(owner)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ItemWithIncident {
                    item: item_of(r)?,
                    incident_title: r.try_get("incident_title")?,
                    scope_json: r.try_get("incident_scope")?,
                })
            })
            .collect()
    }

    /// How many open items `owner` has (the board shows them on sign-in).
    pub async fn open_items_owned(&self, owner: &str) -> Result<u32, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM action_items WHERE status = 'open' AND owner = ?")
                .bind(owner)
                .fetch_one(self.pool())
                .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Stars an entry of the incident (or takes the star off). An entry of another incident is
    /// refused by the caller, which checks `seq` belongs to it.
    pub async fn set_star(
        &self,
        incident_id: i64,
        seq: i64,
        by: &str,
        at_ms: i64,
        on: bool,
    ) -> Result<(), StoreError> {
        if on {
            sqlx::query(
                "INSERT OR IGNORE INTO timeline_stars (incident_id, entry_seq, starred_by, at_ms) \
                 VALUES (?, ?, ?, ?)",
            )
            .bind(incident_id)
            .bind(seq)
            .bind(by)
            .bind(at_ms)
            .execute(self.pool())
            .await?;
        } else {
            sqlx::query("DELETE FROM timeline_stars WHERE incident_id = ? AND entry_seq = ?")
                .bind(incident_id)
                .bind(seq)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    pub async fn stars(&self, incident_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT entry_seq FROM timeline_stars WHERE incident_id = ? ORDER BY entry_seq",
        )
        .bind(incident_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Marks `seq` as where the bleeding stopped (one per incident), or clears the mark.
    pub async fn set_mitigation(
        &self,
        incident_id: i64,
        seq: Option<i64>,
        by: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        match seq {
            Some(seq) => sqlx::query(
                "INSERT INTO mitigation_marks (incident_id, entry_seq, marked_by, at_ms) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (incident_id) DO UPDATE SET \
                 entry_seq = excluded.entry_seq, marked_by = excluded.marked_by, \
                 at_ms = excluded.at_ms",
            )
            .bind(incident_id)
            .bind(seq)
            .bind(by)
            .bind(at_ms),
            None => {
                sqlx::query("DELETE FROM mitigation_marks WHERE incident_id = ?").bind(incident_id)
            }
        }
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn mitigation(&self, incident_id: i64) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT entry_seq FROM mitigation_marks WHERE incident_id = ?")
                .bind(incident_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(s,)| s))
    }

    /// The timeline entry `seq` belongs to incident `incident_id`.
    pub async fn entry_belongs(&self, incident_id: i64, seq: i64) -> Result<bool, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT seq FROM timeline WHERE seq = ? AND incident_id = ?")
                .bind(seq)
                .bind(incident_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Resolved incidents whose retrospective is due and whose newest version is not finished.
    pub async fn due_retrospectives(&self) -> Result<Vec<DueRetro>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT i.id, i.retrospective_due_ms FROM incidents i \
             WHERE i.retrospective_due_ms IS NOT NULL AND COALESCE((SELECT v.state FROM \
             retro_versions v WHERE v.incident_id = i.id ORDER BY v.version DESC LIMIT 1), \
             'draft') <> 'finished' ORDER BY i.id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(incident_id, due_ms)| DueRetro {
                incident_id,
                due_ms,
            })
            .collect())
    }

    /// Records that reminder `which` (`24h`, `overdue`) went out for an incident; `false` when it
    /// already had, so that each is sent once, also across restarts.
    pub async fn claim_reminder(
        &self,
        incident_id: i64,
        which: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO retro_reminders (incident_id, reminder, at_ms) VALUES (?, ?, ?)",
        )
        .bind(incident_id)
        .bind(which)
        .bind(at_ms)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(done == 1)
    }
}
