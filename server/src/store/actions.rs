//! Action requests on disk: the working state of each (the audit log keeps the history). Every
//! change is compare-and-set on `version`, so two commanders approving at once, or an approval
//! racing an expiry, change a request once.

use sqlx::Row;
use wire::{ActionPlan, ActionResult, RequestState, StepRef};

use super::{corrupt, Store, StoreError};

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: i64,
    pub incident_id: i64,
    pub action: String,
    pub target: String,
    pub plan: ActionPlan,
    pub step: Option<StepRef>,
    pub state: RequestState,
    pub requested_by: String,
    pub requested_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub break_glass: Option<String>,
    pub started_at_ms: Option<i64>,
    pub progress: Option<String>,
    pub cursor: Option<String>,
    pub result: Option<ActionResult>,
    pub version: i64,
}

fn state_name(s: RequestState) -> String {
    serde_json::to_string(&s)
        .unwrap_or_default()
        .trim_matches('"')
        .to_owned()
}

fn json<T: serde::Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

fn row_of(r: &sqlx::sqlite::SqliteRow) -> Result<StoredRequest, StoreError> {
    let state: String = r.try_get("state")?;
    let step: Option<String> = r.try_get("step_json")?;
    let result: Option<String> = r.try_get("result_json")?;
    Ok(StoredRequest {
        id: r.try_get("id")?,
        incident_id: r.try_get("incident_id")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        plan: parse("action plan", &r.try_get::<String, _>("plan_json")?)?,
        step: step.map(|s| parse("action step", &s)).transpose()?,
        state: parse("action state", &format!("\"{state}\""))?,
        requested_by: r.try_get("requested_by")?,
        requested_at_ms: r.try_get("requested_at_ms")?,
        expires_at_ms: r.try_get("expires_at_ms")?,
        approved_by: r.try_get("approved_by")?,
        approved_at_ms: r.try_get("approved_at_ms")?,
        break_glass: r.try_get("break_glass")?,
        started_at_ms: r.try_get("started_at_ms")?,
        progress: r.try_get("progress")?,
        cursor: r.try_get("cursor_json")?,
        result: result.map(|s| parse("action result", &s)).transpose()?,
        version: r.try_get("version")?,
    })
}

impl Store {
    /// Stores a new request (its id is assigned here) and returns it.
    pub async fn insert_action_request(
        &self,
        r: &StoredRequest,
    ) -> Result<StoredRequest, StoreError> {
        let id = sqlx::query(
            "INSERT INTO action_requests (incident_id, action, target, plan_json, step_json, state, \
             requested_by, requested_at_ms, expires_at_ms, approved_by, approved_at_ms, break_glass, \
             started_at_ms, progress, cursor_json, result_json, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        )
        .bind(r.incident_id)
        .bind(&r.action)
        .bind(&r.target)
        .bind(json("action plan", &r.plan)?)
        .bind(r.step.as_ref().map(|s| json("action step", s)).transpose()?)
        .bind(state_name(r.state))
        .bind(&r.requested_by)
        .bind(r.requested_at_ms)
        .bind(r.expires_at_ms)
        .bind(&r.approved_by)
        .bind(r.approved_at_ms)
        .bind(&r.break_glass)
        .bind(r.started_at_ms)
        .bind(&r.progress)
        .bind(&r.cursor)
        .bind(
            r.result
                .as_ref()
                .map(|x| json("action result", x))
                .transpose()?,
        )
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(StoredRequest {
            id,
            version: 1,
            ..r.clone()
        })
    }

    /// Writes `r` over the stored request if nobody changed it since `r.version` was read;
    /// returns the stored request (version bumped), or `None` when someone else got there first.
    pub async fn update_action_request(
        &self,
        r: &StoredRequest,
    ) -> Result<Option<StoredRequest>, StoreError> {
        let done = sqlx::query(
            "UPDATE action_requests SET state = ?, approved_by = ?, approved_at_ms = ?, \
             break_glass = ?, started_at_ms = ?, progress = ?, cursor_json = ?, result_json = ?, \
             version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(state_name(r.state))
        .bind(&r.approved_by)
        .bind(r.approved_at_ms)
        .bind(&r.break_glass)
        .bind(r.started_at_ms)
        .bind(&r.progress)
        .bind(&r.cursor)
        .bind(
            r.result
                .as_ref()
                .map(|x| json("action result", x))
                .transpose()?,
        )
        .bind(r.id)
        .bind(r.version)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok((done == 1).then(|| StoredRequest {
            version: r.version + 1,
            ..r.clone()
        }))
    }

    pub async fn action_request(&self, id: i64) -> Result<Option<StoredRequest>, StoreError> {
        sqlx::query("SELECT * FROM action_requests WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(row_of)
            .transpose()
    }

    /// An incident's requests, oldest first.
    pub async fn action_requests(
        &self,
        incident_id: i64,
    ) -> Result<Vec<StoredRequest>, StoreError> {
        let rows = sqlx::query("SELECT * FROM action_requests WHERE incident_id = ? ORDER BY id")
            .bind(incident_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// The newest request of `action` on `target` that started running or waits for approval,
    /// in any incident: the rate limit and the "already running" rule read it.
    pub async fn latest_action_request(
        &self,
        action: &str,
        target: &str,
    ) -> Result<Vec<StoredRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM action_requests WHERE action = ? AND target = ? \
             AND state IN ('pending', 'running', 'interrupted', 'done', 'failed') \
             ORDER BY id DESC LIMIT 5",
        )
        .bind(action)
        .bind(target)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }

    /// Requests waiting for approval, to expire them when their time is up.
    pub async fn pending_action_requests(&self) -> Result<Vec<StoredRequest>, StoreError> {
        let rows = sqlx::query("SELECT * FROM action_requests WHERE state = 'pending' ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// Requests a stopped gateway left running: they resume at start-up.
    pub async fn unfinished_action_requests(&self) -> Result<Vec<StoredRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM action_requests WHERE state IN ('running', 'interrupted') ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_of).collect()
    }
}
