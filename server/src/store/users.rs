//! Accounts: names, roles, Argon2id password hashes, and the switch that ends their sessions.

use wire::{Role, UserInfo};

use super::{Store, StoreError};

/// Shortest password accepted: long enough that a rate-limited online guess is hopeless.
pub const MIN_PASSWORD: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user names are 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    BadName,
    #[error(
        "passwords need at least {MIN_PASSWORD} characters (and at most {})",
        wire::MAX_PASSWORD
    )]
    WeakPassword,
    #[error("a user named `{0}` already exists")]
    Exists(String),
    #[error("no user named `{0}`")]
    NoSuchUser(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for UserError {
    fn from(e: sqlx::Error) -> Self {
        UserError::Store(StoreError::Sql(e))
    }
}

/// What a login check needs about a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub info: UserInfo,
    pub password_hash: String,
    pub session_epoch: i64,
}

/// Names are stored as given (compared case-insensitively by the column), never padded.
fn valid_name(name: &str) -> bool {
    name.trim() == name && wire::normalise_user_name(name).is_some()
}

fn acceptable_password(password: &str) -> bool {
    (MIN_PASSWORD..=wire::MAX_PASSWORD).contains(&password.chars().count())
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn row_to_info(id: i64, name: String, role: String, disabled: i64, created_at_ms: i64) -> UserInfo {
    UserInfo {
        id,
        name,
        // The table's CHECK constraint admits only the three names.
        role: Role::parse(&role).unwrap_or(Role::Stakeholder),
        disabled: disabled != 0,
        created_at_ms,
    }
}

/// Hashing is deliberately slow (Argon2id): keep it off the async executor's threads.
async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Checks `password` against an Argon2id hash, off the executor's threads.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

impl Store {
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<UserInfo, UserError> {
        if !valid_name(name) {
            return Err(UserError::BadName);
        }
        if !acceptable_password(password) {
            return Err(UserError::WeakPassword);
        }
        let hash = hash(password.to_string()).await;
        let now = now_ms();
        let result = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(hash)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await;
        match result {
            Ok(done) => Ok(UserInfo {
                id: done.last_insert_rowid(),
                name: name.to_string(),
                role,
                disabled: false,
                created_at_ms: now,
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(UserError::Exists(name.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>, UserError> {
        let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, name, role, disabled, created_at_ms FROM users ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, n, r, d, c)| row_to_info(id, n, r, d, c))
            .collect())
    }

    pub async fn count_users(&self) -> Result<i64, UserError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn credentials(&self, name: &str) -> Result<Option<Credentials>, UserError> {
        let row: Option<(i64, String, String, i64, i64, String, i64)> = sqlx::query_as(
            "SELECT id, name, role, disabled, created_at_ms, password_hash, session_epoch FROM users WHERE name = ?",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id, n, r, d, c, hash, epoch)| Credentials {
            info: row_to_info(id, n, r, d, c),
            password_hash: hash,
            session_epoch: epoch,
        }))
    }

    /// Re-enables a disabled account (its old sessions stay void).
    pub async fn enable_user(&self, name: &str) -> Result<(), UserError> {
        self.update(
            name,
            "UPDATE users SET disabled = 0, updated_at_ms = ? WHERE name = ?",
            None,
        )
        .await
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<Credentials>, UserError> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match name {
            Some(n) => self.credentials(&n).await,
            None => Ok(None),
        }
    }

    /// Changes the role and voids the account's sessions: a cookie issued for one role must not
    /// go on answering for another.
    pub async fn set_role(&self, name: &str, role: Role) -> Result<(), UserError> {
        self.update(
            name,
            "UPDATE users SET role = ?, session_epoch = session_epoch + 1, updated_at_ms = ? WHERE name = ?",
            Some(role.as_str()),
        )
        .await
    }

    /// Disables the account and voids its sessions at once.
    pub async fn disable_user(&self, name: &str) -> Result<(), UserError> {
        self.update(
            name,
            "UPDATE users SET disabled = 1, session_epoch = session_epoch + 1, updated_at_ms = ? WHERE name = ?",
            None,
        )
        .await
    }

    /// Sets a new password and voids the account's existing sessions.
    pub async fn set_password(&self, name: &str, password: &str) -> Result<(), UserError> {
        if !acceptable_password(password) {
            return Err(UserError::WeakPassword);
        }
        let hash = hash(password.to_string()).await;
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1, updated_at_ms = ? WHERE name = ?",
        )
        .bind(hash)
        .bind(now_ms())
        .bind(name)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(UserError::NoSuchUser(name.to_string()));
        }
        self.access_changed();
        Ok(())
    }

    async fn update(&self, name: &str, sql: &str, value: Option<&str>) -> Result<(), UserError> {
        let mut q = sqlx::query(sql);
        if let Some(v) = value {
            q = q.bind(v.to_string());
        }
        let done = q.bind(now_ms()).bind(name).execute(self.pool()).await?;
        if done.rows_affected() == 0 {
            return Err(UserError::NoSuchUser(name.to_string()));
        }
        self.access_changed();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
