//! Import: every row with its original ids, in one immediate transaction. An id already taken is
//! refused by naming its row, and then nothing is written (the transaction is dropped).

use sqlx::error::ErrorKind;
use sqlx::{Sqlite, SqliteConnection};

use super::rows::*;
use super::{Bundle, BundleError, ImportReport};
use crate::store::Store;

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// `INSERT INTO table (key, columns…) VALUES (?, ?…)`; no `key` for the incident itself.
fn insert_sql(table: &str, key: Option<&str>, columns: &str) -> String {
    let n = columns.split(',').count() + usize::from(key.is_some());
    let key = key.map_or(String::new(), |k| format!("{k}, "));
    format!(
        "INSERT INTO {table} ({key}{columns}) VALUES (?{})",
        ", ?".repeat(n - 1)
    )
}

/// Runs one insert; a taken id or a value the table refuses is named by `what` (`timeline entry
/// 12`).
async fn insert(
    conn: &mut SqliteConnection,
    query: Query<'_>,
    incident: i64,
    what: impl FnOnce() -> String,
) -> Result<(), BundleError> {
    match query.execute(conn).await {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(d)) => match d.kind() {
            ErrorKind::UniqueViolation => Err(BundleError::Clash {
                incident,
                what: format!("{} is already taken here by another incident", what()),
            }),
            ErrorKind::CheckViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::NotNullViolation => Err(BundleError::Inconsistent(format!(
                "{}: {}",
                what(),
                d.message()
            ))),
            _ => Err(sqlx::Error::Database(d).into()),
        },
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn bundle(store: &Store, b: &Bundle) -> Result<ImportReport, BundleError> {
    let id = b.incident.id;
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM incidents WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(BundleError::IncidentExists(id));
    }
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE incident_id = ?")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if live > 0 {
        return Err(BundleError::Clash {
            incident: id,
            what: format!("the audit log here already has {live} entries about an INC-{id}"),
        });
    }

    let i = &b.incident;
    let sql = insert_sql("incidents", None, INCIDENT_COLUMNS);
    let query = sqlx::query(&sql)
        .bind(i.id)
        .bind(i.version)
        .bind(&i.title)
        .bind(&i.broken)
        .bind(&i.severity)
        .bind(i.compromise)
        .bind(&i.phase)
        .bind(&i.scope_json)
        .bind(&i.board_json)
        .bind(&i.declared_by)
        .bind(i.declared_at_ms)
        .bind(i.response_due_ms)
        .bind(&i.acknowledged_by)
        .bind(i.acknowledged_at_ms)
        .bind(i.update_due_ms)
        .bind(i.last_update_ms)
        .bind(i.updates)
        .bind(&i.last_update)
        .bind(&i.resolved_by)
        .bind(i.resolved_at_ms)
        .bind(&i.impact)
        .bind(i.retrospective_due_ms);
    insert(&mut tx, query, id, || format!("INC-{id}")).await?;

    let sql = insert_sql("timeline", Some("incident_id"), TIMELINE_COLUMNS);
    for e in &b.timeline {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(e.seq)
            .bind(e.at_ms)
            .bind(&e.actor)
            .bind(&e.body_json);
        insert(&mut tx, query, id, || format!("timeline entry {}", e.seq)).await?;
    }

    let sql = insert_sql("deliveries", Some("incident_id"), DELIVERY_COLUMNS);
    for d in &b.deliveries {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(d.id)
            .bind(d.entry_seq)
            .bind(&d.payload)
            .bind(&d.state)
            .bind(d.attempts)
            .bind(&d.last_error)
            .bind(d.updated_at_ms);
        insert(&mut tx, query, id, || format!("delivery {}", d.id)).await?;
    }

    let sql = insert_sql("playbook_runs", Some("incident_id"), RUN_COLUMNS);
    let records_sql = insert_sql("playbook_records", Some("run_id"), RECORD_COLUMNS);
    for run in &b.playbook_runs {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(run.id)
            .bind(&run.playbook)
            .bind(&run.started_by)
            .bind(run.started_at_ms);
        insert(&mut tx, query, id, || format!("playbook run {}", run.id)).await?;
        for r in &run.records {
            let query = sqlx::query(&records_sql)
                .bind(run.id)
                .bind(r.seq)
                .bind(&r.step)
                .bind(&r.outcome_json)
                .bind(&r.actor)
                .bind(r.at_ms)
                .bind(&r.note);
            insert(&mut tx, query, id, || format!("playbook record {}", r.seq)).await?;
        }
    }

    let sql = insert_sql("action_requests", Some("incident_id"), REQUEST_COLUMNS);
    for r in &b.action_requests {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(r.id)
            .bind(&r.action)
            .bind(&r.target)
            .bind(&r.plan_json)
            .bind(&r.step_json)
            .bind(&r.state)
            .bind(&r.requested_by)
            .bind(r.requested_at_ms)
            .bind(r.expires_at_ms)
            .bind(&r.approved_by)
            .bind(r.approved_at_ms)
            .bind(&r.break_glass)
            .bind(r.started_at_ms)
            .bind(&r.progress)
            .bind(&r.cursor_json)
            .bind(&r.result_json)
            .bind(r.version);
        insert(&mut tx, query, id, || format!("action request {}", r.id)).await?;
    }

    let sql = insert_sql("retro_versions", Some("incident_id"), RETRO_COLUMNS);
    for v in &b.retro_versions {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(v.version)
            .bind(&v.author)
            .bind(v.at_ms)
            .bind(&v.did)
            .bind(&v.state)
            .bind(&v.sections_json);
        insert(&mut tx, query, id, || {
            format!("retrospective version {}", v.version)
        })
        .await?;
    }

    let sql = insert_sql("action_items", Some("incident_id"), ITEM_COLUMNS);
    for item in &b.action_items {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(item.id)
            .bind(&item.title)
            .bind(&item.owner)
            .bind(&item.due)
            .bind(&item.done_when)
            .bind(&item.status)
            .bind(&item.ticket_url)
            .bind(&item.ticket_state)
            .bind(&item.finding)
            .bind(&item.created_by)
            .bind(item.created_at_ms)
            .bind(item.updated_at_ms)
            .bind(item.version);
        insert(&mut tx, query, id, || format!("action item {}", item.id)).await?;
    }

    let sql = insert_sql("timeline_stars", Some("incident_id"), STAR_COLUMNS);
    for s in &b.stars {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(s.entry_seq)
            .bind(&s.starred_by)
            .bind(s.at_ms);
        insert(&mut tx, query, id, || {
            format!("the star on timeline entry {}", s.entry_seq)
        })
        .await?;
    }

    if let Some(m) = &b.mitigation {
        let sql = insert_sql("mitigation_marks", Some("incident_id"), MITIGATION_COLUMNS);
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(m.entry_seq)
            .bind(&m.marked_by)
            .bind(m.at_ms);
        insert(&mut tx, query, id, || "the mitigation mark".into()).await?;
    }

    let sql = insert_sql("retro_reminders", Some("incident_id"), REMINDER_COLUMNS);
    for r in &b.reminders {
        let query = sqlx::query(&sql).bind(id).bind(&r.reminder).bind(r.at_ms);
        insert(&mut tx, query, id, || format!("reminder {}", r.reminder)).await?;
    }

    // Not into audit_log: these entries' previous hashes are another chain's (migration 0009).
    let sql = insert_sql("imported_audit", Some("incident_id"), AUDIT_COLUMNS);
    for d in &b.audit_digests {
        let query = sqlx::query(&sql)
            .bind(id)
            .bind(d.seq)
            .bind(&d.record_json)
            .bind(&d.prev_hash)
            .bind(&d.hash);
        insert(&mut tx, query, id, || format!("audit digest {}", d.seq)).await?;
    }

    tx.commit().await?;
    Ok(ImportReport {
        incident_id: id,
        timeline_entries: b.timeline.len(),
        deliveries: b.deliveries.len(),
        playbook_runs: b.playbook_runs.len(),
        playbook_records: b.playbook_runs.iter().map(|r| r.records.len()).sum(),
        action_requests: b.action_requests.len(),
        retro_versions: b.retro_versions.len(),
        action_items: b.action_items.len(),
        stars: b.stars.len(),
        mitigation_mark: b.mitigation.is_some(),
        reminders: b.reminders.len(),
        audit_digests: b.audit_digests.len(),
    })
}
