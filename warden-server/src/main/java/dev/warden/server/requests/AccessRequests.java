package dev.warden.server.requests;

import dev.warden.bundle.BundleWriter;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.state.PolicyState;
import dev.warden.server.api.ApiException;
import dev.warden.server.api.Caller;
import dev.warden.server.auth.Permission;
import dev.warden.server.requests.AccessRequest.Status;
import dev.warden.server.state.PolicyStateService;
import dev.warden.server.state.PolicyStateService.DocumentChange;
import dev.warden.server.store.EntityKey;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * The access-request workflow: a user asks for READ or WRITE on a data source that an "anyone who asks" policy
 * covers; a governor or an owner of the data source approves (which adds the approval to the policy state, in the
 * same transaction that records the decision), denies, or later revokes it.
 */
public final class AccessRequests
{
    private static final int MAX_REASON = 2_000;

    private final Jdbi jdbi;
    private final PolicyStateService state;
    private final SecureRandom random = new SecureRandom();

    public AccessRequests(Jdbi jdbi, PolicyStateService state)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.state = requireNonNull(state, "state is null");
    }

    public AccessRequest request(Caller caller, String userName, String dataSourceId, AccessType accessType, String reason)
    {
        if (caller.key().wardenUser().filter(userName::equals).isEmpty()) {
            caller.requireAnyOf(Permission.USER_ADMIN, Permission.GOVERNANCE);
        }
        if (reason.length() > MAX_REASON) {
            throw ApiException.badRequest("reason", "the reason is longer than %d characters".formatted(MAX_REASON));
        }
        PolicyState current = state.current().state();
        if (!current.users().containsKey(userName)) {
            throw new ApiException(404, "NOT_FOUND", "no user named '%s'".formatted(userName), Optional.of("user"));
        }
        DataSource dataSource = current.dataSources().get(dataSourceId);
        if (dataSource == null) {
            throw new ApiException(404, "NOT_FOUND", "no data source with id '%s'".formatted(dataSourceId), Optional.of("dataSource"));
        }
        boolean askable = current.policies().values().stream()
                .anyMatch(policy -> policy instanceof SubscriptionPolicy subscription
                        && subscription.audience() instanceof Audience.AnyoneWhoAsks
                        && subscription.accessType() == accessType
                        && subscription.strength() == SubscriptionPolicy.Strength.GRANT
                        && policy.scope().covers(dataSource));
        if (!askable) {
            throw ApiException.badRequest("dataSource", "no policy grants %s on data source '%s' to anyone who asks, so there is nothing to request"
                    .formatted(accessType, dataSourceId));
        }
        if (current.approvals().contains(new AccessApproval(userName, dataSourceId, accessType))) {
            throw new ApiException(409, "ALREADY_APPROVED", "%s already has approved %s access to '%s'".formatted(userName, accessType, dataSourceId), Optional.empty());
        }
        return jdbi.inTransaction(handle -> {
            boolean pending = handle.createQuery("""
                            SELECT COUNT(*) FROM access_requests
                            WHERE user_name = :user AND data_source = :dataSource AND access_type = :access AND status = 'PENDING'""")
                    .bind("user", userName).bind("dataSource", dataSourceId).bind("access", accessType.name())
                    .mapTo(Long.class).one() > 0;
            if (pending) {
                throw new ApiException(409, "ALREADY_REQUESTED", "%s already has a pending request for %s on '%s'".formatted(userName, accessType, dataSourceId), Optional.empty());
            }
            byte[] id = new byte[9];
            random.nextBytes(id);
            AccessRequest request = new AccessRequest("req_" + HexFormat.of().formatHex(id), userName, dataSourceId, accessType, reason, Status.PENDING,
                    caller.name(), now(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty());
            handle.createUpdate("""
                            INSERT INTO access_requests (id, user_name, data_source, access_type, reason, status, requested_by, requested_at)
                            VALUES (:id, :user, :dataSource, :access, :reason, 'PENDING', :requestedBy, :requestedAt)""")
                    .bind("id", request.id()).bind("user", userName).bind("dataSource", dataSourceId).bind("access", accessType.name())
                    .bind("reason", reason).bind("requestedBy", request.requestedBy()).bind("requestedAt", Timestamp.from(request.requestedAt()))
                    .execute();
            audit(handle, caller.name(), "request", request.id(), null);
            return request;
        });
    }

    public List<AccessRequest> list(Optional<Status> status, Optional<String> dataSourceId, Optional<String> userName)
    {
        StringBuilder sql = new StringBuilder("SELECT * FROM access_requests WHERE 1 = 1");
        status.ifPresent(_ -> sql.append(" AND status = :status"));
        dataSourceId.ifPresent(_ -> sql.append(" AND data_source = :dataSource"));
        userName.ifPresent(_ -> sql.append(" AND user_name = :user"));
        sql.append(" ORDER BY requested_at, id");
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql.toString());
            status.ifPresent(value -> query.bind("status", value.name()));
            dataSourceId.ifPresent(value -> query.bind("dataSource", value));
            userName.ifPresent(value -> query.bind("user", value));
            return query.map((row, _) -> read(row)).list();
        });
    }

    public AccessRequest get(String id)
    {
        return jdbi.withHandle(handle -> find(handle, id))
                .orElseThrow(() -> ApiException.notFound("no access request '%s'".formatted(id)));
    }

    /** Grants the requested access: the approval enters the policy state in the transaction that records the decision. */
    public AccessRequest approve(Caller caller, String id, String note)
    {
        AccessRequest request = expect(get(id), Status.PENDING, "approved");
        AccessApproval approval = new AccessApproval(request.userName(), request.dataSourceId(), request.accessType());
        EntityKey key = new EntityKey("approvals", BundleWriter.approvalId(approval));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("user", approval.userName());
        document.put("dataSource", approval.dataSourceId());
        document.put("access", approval.accessType().name());
        state.change(caller.name(), OptionalLong.empty(), List.of(new DocumentChange(key, Optional.of(document))),
                (before, after) -> caller.authorizeChange("approvals", key.id(), before, after),
                (handle, revision) -> decide(handle, request, Status.PENDING, Status.APPROVED, caller, note, OptionalLong.of(revision)));
        return get(id);
    }

    public AccessRequest deny(Caller caller, String id, String note)
    {
        AccessRequest request = expect(get(id), Status.PENDING, "denied");
        requireOwnerOrGovernance(caller, request);
        jdbi.useTransaction(handle -> decide(handle, request, Status.PENDING, Status.DENIED, caller, note, OptionalLong.empty()));
        return get(id);
    }

    /** Takes an approved access away again: the approval leaves the policy state with the decision. */
    public AccessRequest revoke(Caller caller, String id, String note)
    {
        AccessRequest request = expect(get(id), Status.APPROVED, "revoked");
        EntityKey key = new EntityKey("approvals", BundleWriter.approvalId(new AccessApproval(request.userName(), request.dataSourceId(), request.accessType())));
        if (state.current().document(key).isEmpty()) {
            jdbi.useTransaction(handle -> decide(handle, request, Status.APPROVED, Status.REVOKED, caller, note, OptionalLong.empty()));
        }
        else {
            state.change(caller.name(), OptionalLong.empty(), List.of(new DocumentChange(key, Optional.empty())),
                    (before, after) -> caller.authorizeChange("approvals", key.id(), before, after),
                    (handle, revision) -> decide(handle, request, Status.APPROVED, Status.REVOKED, caller, note, OptionalLong.of(revision)));
        }
        return get(id);
    }

    private void requireOwnerOrGovernance(Caller caller, AccessRequest request)
    {
        if (caller.key().has(Permission.GOVERNANCE)) {
            return;
        }
        DataSource dataSource = state.current().state().dataSources().get(request.dataSourceId());
        boolean owner = dataSource != null && caller.key().wardenUser().filter(dataSource.owners()::contains).isPresent();
        if (!owner) {
            throw ApiException.forbidden("deciding access requests needs the GOVERNANCE permission or ownership of data source '%s'".formatted(request.dataSourceId()));
        }
    }

    private static AccessRequest expect(AccessRequest request, Status status, String verb)
    {
        if (request.status() != status) {
            throw new ApiException(409, "WRONG_STATUS", "access request %s is %s, so it cannot be %s".formatted(request.id(), request.status(), verb), Optional.empty());
        }
        return request;
    }

    private static void decide(Handle handle, AccessRequest request, Status from, Status to, Caller caller, String note, OptionalLong revision)
    {
        int updated = handle.createUpdate("""
                        UPDATE access_requests SET status = :to, decided_by = :decidedBy, decided_at = :decidedAt, decision_note = :note, revision = :revision
                        WHERE id = :id AND status = :from""")
                .bind("to", to.name()).bind("from", from.name()).bind("id", request.id())
                .bind("decidedBy", caller.name()).bind("decidedAt", Timestamp.from(now())).bind("note", note)
                .bind("revision", revision.isPresent() ? revision.getAsLong() : null)
                .execute();
        if (updated != 1) {
            // Someone else decided it in the meantime; roll back, so that the approval does not land either.
            throw new ApiException(409, "WRONG_STATUS", "access request %s was decided by someone else meanwhile".formatted(request.id()), Optional.empty());
        }
        audit(handle, caller.name(), to.name().toLowerCase(java.util.Locale.ROOT), request.id(), revision.isPresent() ? revision.getAsLong() : null);
    }

    private static void audit(Handle handle, String actor, String action, String id, Long revision)
    {
        handle.createUpdate("""
                        INSERT INTO audit_log (at, actor, action, kind, entity_id, revision)
                        VALUES (:at, :actor, :action, 'accessRequests', :id, :revision)""")
                .bind("at", Timestamp.from(now())).bind("actor", actor).bind("action", action).bind("id", id).bind("revision", revision)
                .execute();
    }

    private static Optional<AccessRequest> find(Handle handle, String id)
    {
        return handle.createQuery("SELECT * FROM access_requests WHERE id = :id").bind("id", id).map((row, _) -> read(row)).findOne();
    }

    private static AccessRequest read(ResultSet row)
            throws SQLException
    {
        long revision = row.getLong("revision");
        OptionalLong decidedRevision = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(revision);
        return new AccessRequest(row.getString("id"), row.getString("user_name"), row.getString("data_source"), AccessType.valueOf(row.getString("access_type")),
                row.getString("reason"), Status.valueOf(row.getString("status")), row.getString("requested_by"), row.getTimestamp("requested_at").toInstant(),
                Optional.ofNullable(row.getString("decided_by")), Optional.ofNullable(row.getTimestamp("decided_at")).map(Timestamp::toInstant),
                Optional.ofNullable(row.getString("decision_note")), decidedRevision);
    }

    private static Instant now()
    {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
