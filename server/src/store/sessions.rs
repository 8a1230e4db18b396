//! Sessions in the gateway's SQLite file, keyed by a hash of the session id.
//!
//! The session id is the cookie: a copy of `aegis.db` holding ids in clear would be a set of live
//! sign-ins. Only SHA-256 of the id is stored (as share-link tokens are), and the record's data is
//! kept without its id, so the file alone cannot be turned back into a cookie.

use std::collections::HashMap;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::Store;

/// The session store tower-sessions uses; a thin view of [`Store`]'s `sessions` table.
#[derive(Clone, Debug)]
pub struct HashedSessions {
    store: Store,
}

/// What the table keeps for a session id: its SHA-256, hex.
pub fn id_key(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A record's data as stored: JSON, without the id.
fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The wall clock that session and share-link expiries are written in, in ms since the epoch.
pub fn wall_clock_ms() -> i64 {
    expiry_ms(OffsetDateTime::now_utc())
}

impl HashedSessions {
    pub fn new(store: Store) -> Self {
        HashedSessions { store }
    }

    /// Writes the record under its id's hash; on a taken hash, `on_conflict` decides (keep the
    /// old row, or overwrite it). How many rows were written.
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<u64> {
        let sql = format!(
            "INSERT INTO sessions (id_hash, data, expires_at_ms) VALUES (?, ?, ?) \
             ON CONFLICT(id_hash) DO {on_conflict}"
        );
        let done = sqlx::query(&sql)
            .bind(id_key(&record.id.to_string()))
            .bind(encode(record)?)
            .bind(expiry_ms(record.expiry_date))
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl SessionStore for HashedSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id that happens to hash like a live one is drawn again, never overwritten.
        while self.write(record, "NOTHING").await? == 0 {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            record,
            "UPDATE SET data = excluded.data, expires_at_ms = excluded.expires_at_ms",
        )
        .await?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at_ms FROM sessions WHERE id_hash = ? AND expires_at_ms > ?",
        )
        .bind(id_key(&id.to_string()))
        .bind(wall_clock_ms())
        .fetch_optional(self.store.pool())
        .await
        .map_err(backend)?;
        let Some((data, expires_at_ms)) = row else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at_ms) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_key(&id.to_string()))
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for HashedSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at_ms <= ?")
            .bind(wall_clock_ms())
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl Store {
    /// When the session with this id stops being accepted (its idle expiry, as last refreshed by
    /// use), in ms since the epoch; `None` when it is gone (signed out, expired and swept).
    pub async fn session_expires_at_ms(&self, id: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT expires_at_ms FROM sessions WHERE id_hash = ?")
            .bind(id_key(id))
            .fetch_optional(self.pool())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_holds_no_session_id_and_the_record_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let sessions = HashedSessions::new(store.clone());
        let mut record = Record {
            id: Id::default(),
            data: HashMap::from([("k".to_string(), serde_json::json!("v"))]),
            expiry_date: OffsetDateTime::now_utc() + std::time::Duration::from_secs(60),
        };
        sessions.create(&mut record).await.unwrap();
        let id = record.id.to_string();
        let loaded = sessions.load(&record.id).await.unwrap().expect("stored");
        assert_eq!(loaded.data, record.data);
        assert_eq!(loaded.id, record.id);

        // Nothing in the table (nor anywhere in the file) is the id the cookie carries.
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id_hash, data FROM sessions")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].0.contains(&id) && !rows[0].1.contains(&id));
        assert_eq!(rows[0].0, id_key(&id));
        store.pool().close().await;
        let file = std::fs::read(dir.path().join("aegis.db")).unwrap();
        let needle = id.as_bytes();
        assert!(
            !file.windows(needle.len()).any(|w| w == needle),
            "the session id is in aegis.db"
        );

        let store = Store::open(dir.path()).await.unwrap();
        let sessions = HashedSessions::new(store.clone());
        assert!(store.session_expires_at_ms(&id).await.unwrap().is_some());
        sessions.delete(&record.id).await.unwrap();
        assert!(sessions.load(&record.id).await.unwrap().is_none());
        assert!(store.session_expires_at_ms(&id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_expired_record_does_not_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let sessions = HashedSessions::new(store);
        let mut record = Record {
            id: Id::default(),
            data: HashMap::new(),
            expiry_date: OffsetDateTime::now_utc() - std::time::Duration::from_secs(1),
        };
        sessions.create(&mut record).await.unwrap();
        assert!(sessions.load(&record.id).await.unwrap().is_none());
        sessions.delete_expired().await.unwrap();
    }
}
