//! Accounts: the rules about who may sign in, in one place for the console and the command line.
//!
//! Names and passwords are checked here, passwords are hashed here (Argon2id, off the executor's
//! threads), and the last active commander is kept here: a change that would leave no active
//! commander is refused, checked and written in one transaction so that two commanders demoting
//! each other at the same moment cannot both succeed. The store below only runs SQL.

use wire::{Role, UserInfo, UserPatch};

use crate::auth::changes::AccessChanges;
use crate::store::users::{UserChange, UserChanged};
use crate::store::{Store, StoreError};

/// Shortest password accepted: long enough that a rate-limited online guess is hopeless. One rule
/// for the gateway and the console's forms, kept in `wire`.
pub use wire::MIN_PASSWORD;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(
        "user names are 1 to {} letters, digits, '.', '_', '-' or '@'",
        wire::MAX_USER_NAME
    )]
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
    #[error("`{0}` is the last active commander; make someone else commander first")]
    LastCommander(String),
    #[error("nothing to change: give role, disabled or password")]
    NothingToChange,
    /// The machine could not do what was asked (no randomness, no readable stdin).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(StoreError::Sql(e))
    }
}

/// Names are stored as given (compared case-insensitively by the column), never padded.
fn check_name(name: &str) -> Result<(), AccountError> {
    if name.trim() == name && wire::normalise_user_name(name).is_some() {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

fn check_password(password: &str) -> Result<(), AccountError> {
    if (MIN_PASSWORD..=wire::MAX_PASSWORD).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(AccountError::WeakPassword)
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

/// The accounts service; cheap to clone. Time comes from the store's clock (the gateway's one).
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    changes: AccessChanges,
}

impl Accounts {
    pub fn new(store: Store, changes: AccessChanges) -> Self {
        Accounts { store, changes }
    }

    pub async fn create(
        &self,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<UserInfo, AccountError> {
        check_name(name)?;
        check_password(password)?;
        let hash = hash(password.to_string()).await;
        self.store
            .insert_user(name, role, &hash, self.store.now_ms())
            .await?
            .ok_or_else(|| AccountError::Exists(name.to_string()))
    }

    pub async fn list(&self) -> Result<Vec<UserInfo>, AccountError> {
        Ok(self.store.list_users().await?)
    }

    /// Applies every field of `patch` in one transaction. A new role, a new password or disabling
    /// voids the account's sessions (open websockets close at once).
    pub async fn update(&self, name: &str, patch: &UserPatch) -> Result<UserInfo, AccountError> {
        if patch.role.is_none() && patch.disabled.is_none() && patch.password.is_none() {
            return Err(AccountError::NothingToChange);
        }
        let password_hash = match &patch.password {
            Some(p) => {
                check_password(p)?;
                Some(hash(p.clone()).await)
            }
            None => None,
        };
        let change = UserChange {
            role: patch.role,
            disabled: patch.disabled,
            password_hash,
        };
        let outcome = self
            .store
            .change_user(name, &change, self.store.now_ms())
            .await?;
        match outcome {
            UserChanged::Done(info) => {
                self.changes.changed();
                Ok(info)
            }
            UserChanged::NoSuchUser => Err(AccountError::NoSuchUser(name.to_string())),
            UserChanged::LastCommander => Err(AccountError::LastCommander(name.to_string())),
        }
    }
}

#[cfg(test)]
mod tests;
