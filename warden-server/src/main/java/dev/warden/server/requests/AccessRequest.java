package dev.warden.server.requests;

import dev.warden.policy.model.AccessType;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * A user's request for access to a data source under an "anyone who asks" subscription policy, and what became of it.
 *
 * @param revision the revision of the policy state that granted (or revoked) the access
 */
public record AccessRequest(
        String id,
        String userName,
        String dataSourceId,
        AccessType accessType,
        String reason,
        Status status,
        String requestedBy,
        Instant requestedAt,
        Optional<String> decidedBy,
        Optional<Instant> decidedAt,
        Optional<String> decisionNote,
        OptionalLong revision)
{
    public enum Status
    {
        PENDING, APPROVED, DENIED, REVOKED
    }

    public AccessRequest
    {
        requireNonNull(id, "id is null");
        requireNonNull(userName, "userName is null");
        requireNonNull(dataSourceId, "dataSourceId is null");
        requireNonNull(accessType, "accessType is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(status, "status is null");
        requireNonNull(requestedBy, "requestedBy is null");
        requireNonNull(requestedAt, "requestedAt is null");
        requireNonNull(decidedBy, "decidedBy is null");
        requireNonNull(decidedAt, "decidedAt is null");
        requireNonNull(decisionNote, "decisionNote is null");
        requireNonNull(revision, "revision is null");
    }
}
