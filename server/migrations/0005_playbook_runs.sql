-- Guided playbook walkthroughs: a run belongs to an incident; its history is append-only and
-- replayed to find where it is (server/src/playbooks/walk.rs).
CREATE TABLE playbook_runs (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    -- The playbook's id in the catalog (`database-tls`).
    playbook       TEXT    NOT NULL,
    started_by     TEXT    NOT NULL,
    started_at_ms  INTEGER NOT NULL
) STRICT;

CREATE INDEX playbook_runs_by_incident ON playbook_runs (incident_id, id);

CREATE TABLE playbook_records (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        INTEGER NOT NULL REFERENCES playbook_runs (id),
    step          TEXT    NOT NULL,
    -- wire::StepOutcome as JSON.
    outcome_json  TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    at_ms         INTEGER NOT NULL,
    note          TEXT
) STRICT;

CREATE INDEX playbook_records_by_run ON playbook_records (run_id, seq);

CREATE TRIGGER playbook_records_no_update BEFORE UPDATE ON playbook_records
BEGIN
    SELECT RAISE(ABORT, 'a walkthrough''s history is append-only');
END;

CREATE TRIGGER playbook_records_no_delete BEFORE DELETE ON playbook_records
BEGIN
    SELECT RAISE(ABORT, 'a walkthrough''s history is append-only');
END;
