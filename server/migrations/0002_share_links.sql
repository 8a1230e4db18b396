-- Read-only links that open the stakeholder view without an account.
CREATE TABLE share_links (
    id            INTEGER PRIMARY KEY,
    label         TEXT    NOT NULL,
    -- SHA-256 of the token, hex: the token itself is shown once and never stored.
    token_sha256  TEXT    NOT NULL UNIQUE,
    created_by    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
) STRICT;
