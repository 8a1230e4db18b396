//! Export: every row of one incident, as stored, in one read transaction.

use super::rows::*;
use super::{Bundle, BundleError, FORMAT, VERSION};
use crate::store::Store;

pub(super) async fn bundle(
    store: &Store,
    incident_id: i64,
    now_ms: i64,
) -> Result<Bundle, BundleError> {
    // One transaction: a snapshot, so a gateway writing meanwhile cannot tear the bundle.
    let mut tx = store.pool().begin().await?;
    let incident: IncidentRow = sqlx::query_as(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?"
    ))
    .bind(incident_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(BundleError::NoSuchIncident(incident_id))?;

    macro_rules! rows {
        ($columns:expr, $table:literal, $order:literal) => {
            sqlx::query_as(&format!(
                "SELECT {} FROM {} WHERE incident_id = ? ORDER BY {}",
                $columns, $table, $order
            ))
            .bind(incident_id)
            .fetch_all(&mut *tx)
            .await?
        };
    }
    let timeline: Vec<TimelineEntryRow> = rows!(TIMELINE_COLUMNS, "timeline", "seq");
    let deliveries: Vec<DeliveryRow> = rows!(DELIVERY_COLUMNS, "deliveries", "id");
    let mut playbook_runs: Vec<PlaybookRunRow> = rows!(RUN_COLUMNS, "playbook_runs", "id");
    for run in &mut playbook_runs {
        run.records = sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM playbook_records WHERE run_id = ? ORDER BY seq"
        ))
        .bind(run.id)
        .fetch_all(&mut *tx)
        .await?;
    }
    let action_requests: Vec<ActionRequestRow> = rows!(REQUEST_COLUMNS, "action_requests", "id");
    let retro_versions: Vec<RetroVersionRow> = rows!(RETRO_COLUMNS, "retro_versions", "version");
    let action_items: Vec<ActionItemRow> = rows!(ITEM_COLUMNS, "action_items", "id");
    let stars: Vec<StarRow> = rows!(STAR_COLUMNS, "timeline_stars", "entry_seq");
    let mitigation: Option<MitigationRow> = sqlx::query_as(&format!(
        "SELECT {MITIGATION_COLUMNS} FROM mitigation_marks WHERE incident_id = ?"
    ))
    .bind(incident_id)
    .fetch_optional(&mut *tx)
    .await?;
    let reminders: Vec<ReminderRow> = rows!(REMINDER_COLUMNS, "retro_reminders", "reminder");
    // Imported digests first, in the order they were imported (their numbers belong to another
    // chain), then this installation's own entries by number. For an incident that has only one
    // kind, this is simply by `seq`; an imported incident exports the digests it came with.
    let audit_digests: Vec<AuditDigest> = sqlx::query_as(&format!(
        "SELECT {AUDIT_COLUMNS} FROM ( \
             SELECT {AUDIT_COLUMNS}, 0 AS source, rowid AS n FROM imported_audit \
             WHERE incident_id = ?1 \
             UNION ALL \
             SELECT {AUDIT_COLUMNS}, 1 AS source, seq AS n FROM audit_log WHERE incident_id = ?1 \
         ) ORDER BY source, n"
    ))
    .bind(incident_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    Ok(Bundle {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at_ms: now_ms,
        incident,
        timeline,
        deliveries,
        playbook_runs,
        action_requests,
        retro_versions,
        action_items,
        stars,
        mitigation,
        reminders,
        audit_digests,
    })
}
