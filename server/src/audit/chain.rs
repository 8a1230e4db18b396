//! The hash chain, in one place: how an entry's hash is made, and how a sequence of stored rows is
//! checked. An entry's hash covers the previous entry's hash, its own number and its record, so
//! altering a record, removing an entry or moving one breaks the chain at that entry.

use sha2::{Digest, Sha256};
use wire::{AuditEntry, AuditRecord};

use crate::store::audit::AuditRow;

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The record's canonical text: serde_json of the record, fields in declaration order. Stored as
/// is, and re-made from the parsed record when checking, so an edit that still parses shows too.
pub fn canonical(record: &AuditRecord) -> String {
    // Serialising a struct of strings, numbers and vectors cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

/// SHA-256 (hex) of `prev_hash \n seq \n canonical record`.
pub fn hash(prev_hash: &str, seq: i64, canonical_record: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(canonical_record.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The row that follows `last` for `record`.
pub fn next_row(last: Option<&AuditRow>, record: &AuditRecord) -> AuditRow {
    let (seq, prev_hash) = match last {
        Some(r) => (r.seq + 1, r.hash.clone()),
        None => (1, GENESIS.to_owned()),
    };
    let record_json = canonical(record);
    AuditRow {
        seq,
        incident_id: record.incident_id,
        hash: hash(&prev_hash, seq, &record_json),
        record_json,
        prev_hash,
    }
}

/// Where a check of the chain stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in place; the head is the newest (none for an empty log).
    Intact {
        entries: i64,
        head: Option<(i64, String)>,
    },
    /// The first entry that is not what the chain says it should be, and how.
    Broken { at: i64, why: String },
}

/// Checks rows fed in chain order, one page at a time, remembering only the last good entry.
#[derive(Debug, Default)]
pub struct Checker {
    last: Option<(i64, String)>,
    entries: i64,
}

impl Checker {
    /// Checks the next row; `Err` names the first broken entry.
    pub fn feed(&mut self, row: &AuditRow) -> Result<AuditEntry, (i64, String)> {
        let (expected, prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        if row.seq != expected {
            let why = if row.seq > expected {
                if expected + 1 == row.seq {
                    format!(
                        "entry {expected} is missing (the next stored entry is {})",
                        row.seq
                    )
                } else {
                    format!(
                        "entries {expected} to {} are missing (the next stored entry is {})",
                        row.seq - 1,
                        row.seq
                    )
                }
            } else {
                format!("entry {} is out of order (expected {expected})", row.seq)
            };
            return Err((expected, why));
        }
        let at = row.seq;
        if row.prev_hash != prev {
            return Err((
                at,
                format!(
                    "entry {at} does not follow entry {}: an entry before it was removed, replaced or moved",
                    at - 1
                ),
            ));
        }
        let record: AuditRecord = serde_json::from_str(&row.record_json)
            .map_err(|e| (at, format!("entry {at} is unreadable: {e}")))?;
        let canonical_json = canonical(&record);
        if hash(prev, at, &canonical_json) != row.hash || canonical_json != row.record_json {
            return Err((
                at,
                format!("entry {at} was altered: its hash does not match its content"),
            ));
        }
        if row.incident_id != record.incident_id {
            return Err((
                at,
                format!("entry {at} was altered: its incident column does not match its record"),
            ));
        }
        self.last = Some((at, row.hash.clone()));
        self.entries += 1;
        Ok(AuditEntry {
            seq: at,
            record,
            prev_hash: row.prev_hash.clone(),
            hash: row.hash.clone(),
        })
    }

    pub fn verdict(self) -> Verdict {
        Verdict::Intact {
            entries: self.entries,
            head: self.last,
        }
    }
}

/// Checks a whole sequence of rows (an export read back, a test's rows).
pub fn verify<'a>(rows: impl IntoIterator<Item = &'a AuditRow>) -> Verdict {
    let mut checker = Checker::default();
    for row in rows {
        if let Err((at, why)) = checker.feed(row) {
            return Verdict::Broken { at, why };
        }
    }
    checker.verdict()
}
