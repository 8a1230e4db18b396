-- The audit log: every on-demand probe, action request, approval, refusal and run. Append-only;
-- each entry's hash covers the previous entry's hash, its number and its record (the JSON below),
-- so that `aegis audit verify` finds the first entry that was altered, removed or moved
-- (server/src/audit/chain.rs). The triggers stop the gateway itself from rewriting it; the chain
-- catches anyone who drops them.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    -- A copy of the record's incident, for the console's filter (verify checks they agree).
    incident_id  INTEGER,
    -- wire::AuditRecord as JSON, exactly as hashed.
    record_json  TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_by_incident ON audit_log (incident_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
