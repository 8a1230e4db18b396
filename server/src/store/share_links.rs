//! Read-only share links: an unguessable token, an expiry, revocable. Only the token's SHA-256 is
//! stored, so a copy of the database does not open the console.

use base64::Engine;
use sha2::{Digest, Sha256};
use wire::ShareLinkInfo;

use super::{Store, StoreError};

/// The longest a link may live: 30 days (one rule for the gateway and the console's form).
pub use wire::MAX_SHARE_HOURS as MAX_HOURS;

#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("a share link lives 1 to {MAX_HOURS} hours")]
    BadExpiry,
    #[error("give the link a label of 1 to 80 characters, saying who it is for")]
    BadLabel,
    #[error("no share link {0}")]
    NoSuchLink(i64),
    /// The operating system gave no random bytes for a token.
    #[error("no randomness for a token: {0}")]
    NoRandomness(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ShareError {
    fn from(e: sqlx::Error) -> Self {
        ShareError::Store(StoreError::Sql(e))
    }
}

/// SHA-256 of a token, hex.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

type Row = (i64, String, String, i64, i64, Option<i64>);

fn info((id, label, created_by, created_at_ms, expires_at_ms, revoked): Row) -> ShareLinkInfo {
    ShareLinkInfo {
        id,
        label,
        created_by,
        created_at_ms,
        expires_at_ms,
        revoked: revoked.is_some(),
    }
}

impl Store {
    /// Creates a link; returns it and its token (32 random bytes, base64url), shown once.
    pub async fn create_share_link(
        &self,
        label: &str,
        hours: u32,
        created_by: &str,
    ) -> Result<(ShareLinkInfo, String), ShareError> {
        if !(1..=MAX_HOURS).contains(&hours) {
            return Err(ShareError::BadExpiry);
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(ShareError::BadLabel);
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| ShareError::NoRandomness(e.to_string()))?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = self.now_ms();
        let expires = now + i64::from(hours) * 3_600_000;
        let done = sqlx::query(
            "INSERT INTO share_links (label, token_sha256, created_by, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(label)
        .bind(token_digest(&token))
        .bind(created_by)
        .bind(now)
        .bind(expires)
        .execute(self.pool())
        .await?;
        let link = ShareLinkInfo {
            id: done.last_insert_rowid(),
            label: label.to_string(),
            created_by: created_by.to_string(),
            created_at_ms: now,
            expires_at_ms: expires,
            revoked: false,
        };
        Ok((link, token))
    }

    pub async fn list_share_links(&self) -> Result<Vec<ShareLinkInfo>, ShareError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, label, created_by, created_at_ms, expires_at_ms, revoked_at_ms FROM share_links ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(info).collect())
    }

    pub async fn revoke_share_link(&self, id: i64) -> Result<(), ShareError> {
        let done = sqlx::query(
            "UPDATE share_links SET revoked_at_ms = COALESCE(revoked_at_ms, ?) WHERE id = ?",
        )
        .bind(self.now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(ShareError::NoSuchLink(id));
        }
        Ok(())
    }

    /// The link a token opens, when it exists, is not revoked and has not expired.
    pub async fn open_share_link(&self, token: &str) -> Result<Option<ShareLinkInfo>, ShareError> {
        self.valid_link("token_sha256 = ?", token_digest(token))
            .await
    }

    /// The link with this id, when still valid (sessions opened from it re-check this).
    pub async fn valid_share_link(&self, id: i64) -> Result<Option<ShareLinkInfo>, ShareError> {
        self.valid_link("id = ?", id).await
    }

    async fn valid_link<T>(
        &self,
        condition: &str,
        value: T,
    ) -> Result<Option<ShareLinkInfo>, ShareError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
    {
        let sql = format!(
            "SELECT id, label, created_by, created_at_ms, expires_at_ms, revoked_at_ms FROM share_links \
             WHERE {condition} AND revoked_at_ms IS NULL AND expires_at_ms > ?"
        );
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(value)
            .bind(self.now_ms())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_link_opens_until_revoked_and_only_its_digest_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let (link, token) = store
            .create_share_link("Support leads", 24, "ada")
            .await
            .unwrap();
        assert!(token.len() >= 43, "32 random bytes");
        assert_eq!(
            store.open_share_link(&token).await.unwrap().map(|l| l.id),
            Some(link.id)
        );
        assert!(store
            .open_share_link("not-the-token")
            .await
            .unwrap()
            .is_none());
        let stored: String = sqlx::query_scalar("SELECT token_sha256 FROM share_links")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_ne!(stored, token);
        store.revoke_share_link(link.id).await.unwrap();
        assert!(store.open_share_link(&token).await.unwrap().is_none());
        assert!(store.valid_share_link(link.id).await.unwrap().is_none());
        assert!(store.list_share_links().await.unwrap()[0].revoked);
    }

    #[tokio::test]
    async fn a_link_expires_by_the_stores_clock() {
        let dir = tempfile::tempdir().unwrap();
        let clock = std::sync::Arc::new(crate::clock::ManualClock::at(1_000_000));
        let store = Store::open(dir.path())
            .await
            .unwrap()
            .with_clock(clock.clone());
        let (link, token) = store.create_share_link("x", 1, "ada").await.unwrap();
        assert_eq!(link.expires_at_ms, 1_000_000 + 3_600_000);
        clock.advance(3_600_000 - 1);
        assert!(store.open_share_link(&token).await.unwrap().is_some());
        clock.advance(1);
        assert!(store.open_share_link(&token).await.unwrap().is_none());
        assert!(store.valid_share_link(link.id).await.unwrap().is_none());
        assert!(matches!(
            store.create_share_link("x", 0, "ada").await,
            Err(ShareError::BadExpiry)
        ));
        assert!(matches!(
            store.create_share_link("  ", 2, "ada").await,
            Err(ShareError::BadLabel)
        ));
    }
}
