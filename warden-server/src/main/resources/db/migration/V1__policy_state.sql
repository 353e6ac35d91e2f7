-- One schema for H2 (the embedded default) and PostgreSQL: only types and statements both accept.

-- The revision of the whole policy state; every committed change bumps it by one.
CREATE TABLE state_revision (
    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    revision BIGINT NOT NULL
);
INSERT INTO state_revision (singleton, revision) VALUES (1, 0);

-- Users, groups, purposes, projects, tags, data sources, policies, approvals: one JSON document each.
CREATE TABLE entities (
    kind VARCHAR(32) NOT NULL,
    id VARCHAR(255) NOT NULL,
    body TEXT NOT NULL,
    revision BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Every change, in commit order, written in the same transaction as the change itself; replicas follow it.
CREATE TABLE change_log (
    revision BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    kind VARCHAR(32) NOT NULL,
    id VARCHAR(255) NOT NULL,
    body TEXT,
    actor VARCHAR(255) NOT NULL,
    committed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (revision, seq)
);
