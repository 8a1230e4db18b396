-- Incidents: the current state of each (one row, rewritten on every change) and its timeline
-- (append-only: triggers refuse any UPDATE or DELETE, so history cannot be edited afterwards).
CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    version             INTEGER NOT NULL,
    title               TEXT    NOT NULL,
    broken              TEXT    NOT NULL,
    severity            TEXT    NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
    compromise          INTEGER NOT NULL,
    phase               TEXT    NOT NULL CHECK (phase IN ('declared', 'acknowledged', 'resolved')),
    -- wire::IncidentScope as JSON.
    scope_json          TEXT    NOT NULL,
    -- The full health board when the incident was declared, as JSON.
    board_json          TEXT    NOT NULL,
    declared_by         TEXT    NOT NULL,
    declared_at_ms      INTEGER NOT NULL,
    response_due_ms     INTEGER NOT NULL,
    acknowledged_by     TEXT,
    acknowledged_at_ms  INTEGER,
    update_due_ms       INTEGER,
    last_update_ms      INTEGER,
    updates             INTEGER NOT NULL DEFAULT 0,
    last_update         TEXT,
    resolved_by         TEXT,
    resolved_at_ms      INTEGER,
    impact              TEXT,
    retrospective_due_ms INTEGER
) STRICT;

CREATE INDEX incidents_by_phase ON incidents (phase, id);

CREATE TABLE timeline (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    at_ms        INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    -- wire::EntryKind as JSON (tagged by `kind`).
    body_json    TEXT    NOT NULL
) STRICT;

CREATE INDEX timeline_by_incident ON timeline (incident_id, seq);

CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

-- Messages to the incident channel (outgoing webhook) and how their delivery went.
CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    entry_seq      INTEGER NOT NULL REFERENCES timeline (seq),
    -- The JSON body to post, fixed when the entry was written.
    payload        TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at_ms  INTEGER NOT NULL
) STRICT;

CREATE INDEX deliveries_by_incident ON deliveries (incident_id, id);
