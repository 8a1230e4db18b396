-- Actions requested on incidents: the reviewed plan, who asked, who approved, where the run is
-- (a mass revocation's cursor, so that it resumes after an interruption) and how it ended. The
-- audit log (0006) is the append-only record of all of it; this table is the working state.
CREATE TABLE action_requests (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incidents (id),
    -- The action's id (`revoke-sessions`) and its target as the plan names it.
    action           TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    -- wire::ActionPlan as JSON, as reviewed and approved; its hash is in it.
    plan_json        TEXT    NOT NULL,
    -- wire::StepRef as JSON when a walkthrough step asked for it.
    step_json        TEXT,
    state            TEXT    NOT NULL,
    requested_by     TEXT    NOT NULL,
    requested_at_ms  INTEGER NOT NULL,
    expires_at_ms    INTEGER,
    approved_by      TEXT,
    approved_at_ms   INTEGER,
    break_glass      TEXT,
    started_at_ms    INTEGER,
    progress         TEXT,
    -- Where a resumable run is (the procedure's own JSON).
    cursor_json      TEXT,
    -- wire::ActionResult as JSON once finished.
    result_json      TEXT,
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE INDEX action_requests_by_incident ON action_requests (incident_id, id);
CREATE INDEX action_requests_by_action ON action_requests (action, target, id);
