-- API keys: only a SHA-256 hash of each key is kept; the key itself is shown once, when it is created.
CREATE TABLE api_keys (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    key_hash VARCHAR(64) NOT NULL UNIQUE,
    permissions VARCHAR(512) NOT NULL,
    warden_user VARCHAR(255),
    created_by VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- Every administrative change: who, when, what, and the document before and after. Append-only.
CREATE TABLE audit_log (
    id BIGINT NOT NULL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor VARCHAR(255) NOT NULL,
    action VARCHAR(64) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    entity_id VARCHAR(255) NOT NULL,
    revision BIGINT,
    before_body TEXT,
    after_body TEXT
);
CREATE INDEX audit_log_by_entity ON audit_log (kind, entity_id);
CREATE INDEX audit_log_by_actor ON audit_log (actor);
