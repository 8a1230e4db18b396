-- Audit entries of incidents brought in by `aegis incident import` (server/src/bundle.rs). They
-- cannot join this installation's chain (audit_log, 0006): each one's `prev_hash` points at the
-- entry before it in the chain it was written in, usually another incident's, which this database
-- does not hold, and its `seq` is that chain's number. So they are kept apart, exactly as exported:
-- `aegis audit verify` checks the live chain only, an export of the incident reads these first
-- (in the order they were imported) and then its live entries, and each entry's own hash still
-- proves its record unaltered (checked at import). Same columns as audit_log; keyed by incident
-- and hash, since numbers from different chains may repeat. Append-only, like the log.
CREATE TABLE imported_audit (
    seq          INTEGER NOT NULL,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    -- wire::AuditRecord as JSON, exactly as hashed.
    record_json  TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    UNIQUE (incident_id, hash)
) STRICT;

CREATE TRIGGER imported_audit_no_update BEFORE UPDATE ON imported_audit
BEGIN
    SELECT RAISE(ABORT, 'imported audit entries are append-only');
END;

CREATE TRIGGER imported_audit_no_delete BEFORE DELETE ON imported_audit
BEGIN
    SELECT RAISE(ABORT, 'imported audit entries are append-only');
END;
