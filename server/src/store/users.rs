//! Accounts' rows: names, roles, password hashes, and the epoch whose bump ends their sessions.
//! The rules (valid names, passwords, the last commander) live in [`crate::accounts`].

use wire::{Role, UserInfo};

use super::{Store, StoreError};

/// What a login check needs about a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub info: UserInfo,
    pub password_hash: String,
    pub session_epoch: i64,
}

/// The fields of an account to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new Argon2id hash.
    pub password_hash: Option<String>,
}

impl UserChange {
    /// Whether the change leaves an active commander something else.
    fn demotes(&self, current: &UserInfo) -> bool {
        current.role == Role::Commander
            && !current.disabled
            && (self.role.is_some_and(|r| r != Role::Commander) || self.disabled == Some(true))
    }

    /// A new role or password, or disabling, ends the account's sessions; enabling does not
    /// revive them.
    fn voids_sessions(&self) -> bool {
        self.role.is_some() || self.password_hash.is_some() || self.disabled == Some(true)
    }
}

/// How [`Store::change_user`] went.
#[derive(Debug)]
pub enum UserChanged {
    Done(UserInfo),
    NoSuchUser,
    /// Refused: it would leave no active commander.
    LastCommander,
}

type UserRow = (i64, String, String, i64, i64);

fn row_to_info((id, name, role, disabled, created_at_ms): UserRow) -> UserInfo {
    UserInfo {
        id,
        name,
        // The table's CHECK constraint admits only the three names.
        role: Role::parse(&role).unwrap_or(Role::Stakeholder),
        disabled: disabled != 0,
        created_at_ms,
    }
}

const INFO_COLUMNS: &str = "id, name, role, disabled, created_at_ms";

impl Store {
    /// Inserts an account; `None` when the name is taken (names compare case-insensitively).
    pub async fn insert_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<Option<UserInfo>, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms)
        .bind(now_ms)
        .execute(self.pool())
        .await;
        match result {
            Ok(done) => Ok(Some(UserInfo {
                id: done.last_insert_rowid(),
                name: name.to_string(),
                role,
                disabled: false,
                created_at_ms: now_ms,
            })),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>, StoreError> {
        let sql = format!("SELECT {INFO_COLUMNS} FROM users ORDER BY name");
        let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(row_to_info).collect())
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError> {
        let sql = format!(
            "SELECT {INFO_COLUMNS}, password_hash, session_epoch FROM users WHERE name = ?"
        );
        let row: Option<(i64, String, String, i64, i64, String, i64)> = sqlx::query_as(&sql)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|(id, n, r, d, c, hash, epoch)| Credentials {
            info: row_to_info((id, n, r, d, c)),
            password_hash: hash,
            session_epoch: epoch,
        }))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<Credentials>, StoreError> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match name {
            Some(n) => self.credentials(&n).await,
            None => Ok(None),
        }
    }

    /// Applies `change` to the account `name`, refusing one that would leave no active
    /// commander. The check and the write are one `BEGIN IMMEDIATE` transaction: it holds the
    /// write lock from the first read, so two demotions at the same moment are serialised and the
    /// second sees the first.
    pub async fn change_user(
        &self,
        name: &str,
        change: &UserChange,
        now_ms: i64,
    ) -> Result<UserChanged, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let sql = format!("SELECT {INFO_COLUMNS} FROM users WHERE name = ?");
        let Some(current) = sqlx::query_as::<_, UserRow>(&sql)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .map(row_to_info)
        else {
            return Ok(UserChanged::NoSuchUser);
        };
        if change.demotes(&current) {
            let commanders: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM users WHERE role = 'commander' AND disabled = 0",
            )
            .fetch_one(&mut *tx)
            .await?;
            if commanders <= 1 {
                return Ok(UserChanged::LastCommander);
            }
        }
        sqlx::query(
            "UPDATE users SET role = COALESCE(?1, role), disabled = COALESCE(?2, disabled), \
             password_hash = COALESCE(?3, password_hash), session_epoch = session_epoch + ?4, \
             updated_at_ms = ?5 WHERE id = ?6",
        )
        .bind(change.role.map(Role::as_str))
        .bind(change.disabled.map(i64::from))
        .bind(change.password_hash.as_deref())
        .bind(i64::from(change.voids_sessions()))
        .bind(now_ms)
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
        let sql = format!("SELECT {INFO_COLUMNS} FROM users WHERE id = ?");
        let updated: UserRow = sqlx::query_as(&sql)
            .bind(current.id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(UserChanged::Done(row_to_info(updated)))
    }
}
