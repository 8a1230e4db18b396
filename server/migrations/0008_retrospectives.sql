-- Retrospectives: every save is a version of its own (append-only: author, time, the text), the
-- current state is derived from the newest one. Action items outlive their incident and are rows
-- of their own. Stars and the mitigation mark are what responders pointed at while it ran.
CREATE TABLE retro_versions (
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    version        INTEGER NOT NULL,
    author         TEXT    NOT NULL,
    at_ms          INTEGER NOT NULL,
    -- `saved`, `finished`, `reopened`.
    did            TEXT    NOT NULL CHECK (did IN ('saved', 'finished', 'reopened')),
    state          TEXT    NOT NULL CHECK (state IN ('draft', 'finished')),
    -- wire::RetroSections as JSON.
    sections_json  TEXT    NOT NULL,
    PRIMARY KEY (incident_id, version)
) STRICT;

CREATE TRIGGER retro_versions_no_update BEFORE UPDATE ON retro_versions
BEGIN
    SELECT RAISE(ABORT, 'retrospective versions are append-only');
END;

CREATE TRIGGER retro_versions_no_delete BEFORE DELETE ON retro_versions
BEGIN
    SELECT RAISE(ABORT, 'retrospective versions are append-only');
END;

CREATE TABLE action_items (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    title          TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    -- `YYYY-MM-DD` or empty.
    due            TEXT    NOT NULL,
    done_when      TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'done')),
    ticket_url     TEXT    NOT NULL,
    ticket_state   TEXT,
    finding        TEXT,
    created_by     TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX action_items_by_incident ON action_items (incident_id, id);
CREATE INDEX action_items_open ON action_items (status, due);

CREATE TABLE timeline_stars (
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    entry_seq      INTEGER NOT NULL REFERENCES timeline (seq),
    starred_by     TEXT    NOT NULL,
    at_ms          INTEGER NOT NULL,
    PRIMARY KEY (incident_id, entry_seq)
) STRICT;

CREATE TABLE mitigation_marks (
    incident_id    INTEGER PRIMARY KEY REFERENCES incidents (id),
    entry_seq      INTEGER NOT NULL REFERENCES timeline (seq),
    marked_by      TEXT    NOT NULL,
    at_ms          INTEGER NOT NULL
) STRICT;

-- Channel reminders already sent for a retrospective's deadline (`24h`, `overdue`): once each.
CREATE TABLE retro_reminders (
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    reminder       TEXT    NOT NULL CHECK (reminder IN ('24h', 'overdue')),
    at_ms          INTEGER NOT NULL,
    PRIMARY KEY (incident_id, reminder)
) STRICT;
