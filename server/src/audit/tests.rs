//! The chain against a real SQLite file: appends are numbered without gaps even when they race,
//! and any edit, removal or move of a stored entry is found at that entry.

use super::chain::Verdict;
use super::*;
use wire::AuditCommand;

async fn log_with(n: usize) -> (tempfile::TempDir, AuditLog) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).await.expect("store");
    let log = AuditLog::new(store);
    for i in 0..n {
        log.append(
            "ana",
            Some(1 + (i as i64 % 2)),
            AuditKind::Probe,
            format!("probe p{i}"),
            "ran",
            vec![AuditCommand {
                argv: vec![
                    "timeout".into(),
                    "-k".into(),
                    "1".into(),
                    "8".into(),
                    "true".into(),
                ],
                exit: Some(0),
                duration_ms: 3,
                output_sha256: "ab".repeat(32),
                error: None,
            }],
        )
        .await
        .expect("append");
    }
    (dir, log)
}

/// Runs raw SQL past the append-only triggers, as someone with the file would.
async fn tamper(log: &AuditLog, sql: &str) {
    let pool = log.store.pool();
    sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_update")
        .execute(pool)
        .await
        .expect("drop trigger");
    sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_delete")
        .execute(pool)
        .await
        .expect("drop trigger");
    sqlx::query(sql).execute(pool).await.expect("tamper");
}

fn broken_at(v: &Verdict) -> i64 {
    match v {
        Verdict::Broken { at, .. } => *at,
        Verdict::Intact { .. } => panic!("the chain should be broken: {v:?}"),
    }
}

#[tokio::test]
async fn an_untouched_chain_verifies_and_names_its_head() {
    let (_dir, log) = log_with(5).await;
    let head = log.head().await.expect("head").expect("some");
    assert_eq!(head.seq, 5);
    assert_eq!(
        log.verify(None).await.expect("verify"),
        Verdict::Intact {
            entries: 5,
            head: Some((5, head.hash.clone()))
        }
    );
    assert!(matches!(
        log.verify(Some(&head)).await.expect("verify"),
        Verdict::Intact { entries: 5, .. }
    ));
}

#[tokio::test]
async fn the_gateway_itself_cannot_rewrite_or_delete_an_entry() {
    let (_dir, log) = log_with(2).await;
    let pool = log.store.pool();
    let update = sqlx::query("UPDATE audit_log SET record_json = '{}' WHERE seq = 1")
        .execute(pool)
        .await;
    assert!(update.is_err(), "update refused");
    let delete = sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(pool)
        .await;
    assert!(delete.is_err(), "delete refused");
}

#[tokio::test]
async fn altering_any_entry_breaks_the_chain_at_that_entry() {
    for at in 1..=6 {
        let (_dir, log) = log_with(6).await;
        // A changed actor that still parses as a record.
        tamper(
            &log,
            &format!(
                "UPDATE audit_log SET record_json = replace(record_json, '\"ana\"', '\"bob\"') WHERE seq = {at}"
            ),
        )
        .await;
        let v = log.verify(None).await.expect("verify");
        assert_eq!(broken_at(&v), at, "{v:?}");
        assert!(format!("{v:?}").contains("altered"), "{v:?}");
    }
    // The filter column moved to another incident.
    let (_dir, log) = log_with(3).await;
    tamper(&log, "UPDATE audit_log SET incident_id = 9 WHERE seq = 2").await;
    assert_eq!(broken_at(&log.verify(None).await.expect("verify")), 2);
    // A record replaced with another that is well formed and re-hashed: the next entry's link
    // no longer matches.
    let (_dir, log) = log_with(3).await;
    let forged = super::chain::next_row(
        None,
        &AuditRecord {
            at_ms: 1,
            actor: "mallory".into(),
            incident_id: Some(1),
            kind: AuditKind::Probe,
            subject: "probe p0".into(),
            detail: "ran".into(),
            commands: vec![],
        },
    );
    tamper(
        &log,
        &format!(
            "UPDATE audit_log SET record_json = '{}', hash = '{}' WHERE seq = 1",
            forged.record_json.replace('\'', "''"),
            forged.hash
        ),
    )
    .await;
    let v = log.verify(None).await.expect("verify");
    assert_eq!(broken_at(&v), 2, "{v:?}");
}

#[tokio::test]
async fn deleting_any_entry_breaks_the_chain_where_it_was() {
    for at in 1..=4 {
        let (_dir, log) = log_with(5).await;
        tamper(&log, &format!("DELETE FROM audit_log WHERE seq = {at}")).await;
        let v = log.verify(None).await.expect("verify");
        assert_eq!(broken_at(&v), at, "{v:?}");
        assert!(format!("{v:?}").contains("missing"), "{v:?}");
    }
    // The newest entry removed: only the head the channel was told about shows it.
    let (_dir, log) = log_with(5).await;
    let head = log.head().await.expect("head").expect("some");
    tamper(&log, "DELETE FROM audit_log WHERE seq = 5").await;
    assert!(matches!(
        log.verify(None).await.expect("verify"),
        Verdict::Intact { entries: 4, .. }
    ));
    assert_eq!(
        broken_at(&log.verify(Some(&head)).await.expect("verify")),
        5
    );
}

#[tokio::test]
async fn reordering_entries_breaks_the_chain_at_the_first_moved_one() {
    let (_dir, log) = log_with(5).await;
    // Swap the contents of entries 2 and 4, numbers kept.
    tamper(
        &log,
        "UPDATE audit_log SET seq = -2 WHERE seq = 2; \
         UPDATE audit_log SET seq = 2 WHERE seq = 4; \
         UPDATE audit_log SET seq = 4 WHERE seq = -2;",
    )
    .await;
    let v = log.verify(None).await.expect("verify");
    assert_eq!(broken_at(&v), 2, "{v:?}");
}

#[tokio::test]
async fn racing_appends_make_one_unbroken_chain() {
    let (_dir, log) = log_with(0).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            log.append("ana", None, AuditKind::Run, format!("r{i}"), "", vec![])
                .await
                .expect("append")
                .seq
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.expect("task"));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    assert!(matches!(
        log.verify(None).await.expect("verify"),
        Verdict::Intact { entries: 40, .. }
    ));
}

#[tokio::test]
async fn the_console_pages_newest_first_and_filters_by_incident() {
    let (_dir, log) = log_with(7).await;
    let all = log.page(None, None).await.expect("page");
    assert_eq!(
        all.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [7, 6, 5, 4, 3, 2, 1]
    );
    assert!(!all.more);
    let one = log.page(Some(2), None).await.expect("page");
    assert_eq!(
        one.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [6, 4, 2]
    );
    assert_eq!(one.head.expect("head").seq, 7);
    let older = log.page(None, Some(3)).await.expect("page");
    assert_eq!(
        older.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 1]
    );
    let mut lines = Vec::new();
    let n = log
        .export(Some(1), |e| {
            lines.push(serde_json::to_string(e).expect("json"));
            Ok(())
        })
        .await
        .expect("export");
    assert_eq!(n, 4);
    let back: wire::AuditEntry = serde_json::from_str(&lines[0]).expect("reads back");
    assert_eq!(back.seq, 1);
    assert_eq!(back.record.commands[0].argv[4], "true");
}
