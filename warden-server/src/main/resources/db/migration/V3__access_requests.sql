-- Requests for access under "anyone who asks" subscription policies, and who decided them, when.
CREATE TABLE access_requests (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    user_name VARCHAR(255) NOT NULL,
    data_source VARCHAR(255) NOT NULL,
    access_type VARCHAR(16) NOT NULL,
    reason VARCHAR(2000) NOT NULL,
    status VARCHAR(16) NOT NULL,
    requested_by VARCHAR(255) NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by VARCHAR(255),
    decided_at TIMESTAMP,
    decision_note VARCHAR(2000),
    revision BIGINT
);
CREATE INDEX access_requests_by_status ON access_requests (status);
