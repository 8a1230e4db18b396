//! The embedded SQLite database: one file in the data directory, WAL mode, full fsync, migrations
//! applied at open. Every write that returns has reached the disk, so a crash loses nothing that a
//! caller was told was saved.

pub mod actions;
pub mod audit;
pub mod incidents;
pub mod retro;
pub(crate) mod runs;
pub(crate) mod sessions;
pub(crate) mod share_links;
pub(crate) mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The gateway's database.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// The gateway's one clock: rows are stamped and expiries judged with it.
    clock: std::sync::Arc<dyn Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("pool", &self.pool).finish()
    }
}

/// A stored value that no longer reads (a hand-edited row, a newer gateway's format).
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Sql(sqlx::Error::Decode(
        format!("stored {what} is unreadable: {detail}").into(),
    ))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("cannot migrate the database {path}: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// The data directory (created `0700`) and the database (`0600`, with its WAL and shared-memory
/// files, which SQLite creates with the database's mode) are readable by the gateway's user only:
/// they hold password hashes, session records and incident notes.
fn private_files(data_dir: &Path, db: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if !data_dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(db)?;
    for file in [
        db.to_path_buf(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

impl Store {
    /// Opens (creating when missing) `aegis.db` in `data_dir`.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let path = data_dir.join("aegis.db");
        let shown = path.display().to_string();
        private_files(data_dir, &path).map_err(|e| StoreError::Open {
            path: shown.clone(),
            source: sqlx::Error::Io(e),
        })?;
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source,
            })?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed transaction survives power loss, not just a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source,
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                path: shown,
                source,
            })?;
        Ok(Store {
            pool,
            clock: std::sync::Arc::new(SystemClock),
        })
    }

    /// The same store judging time by `clock` (the gateway passes its own; tests a manual one).
    pub fn with_clock(self, clock: std::sync::Arc<dyn Clock>) -> Store {
        Store { clock, ..self }
    }

    /// Now, by the store's clock, in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
