-- Sessions are keyed by SHA-256 of the session id (the cookie), never the id itself: a copy of
-- this file must not be a set of live sign-ins. Sessions stored in clear by earlier versions are
-- dropped; their holders sign in again once.
DROP TABLE IF EXISTS sessions;
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at_ms);
