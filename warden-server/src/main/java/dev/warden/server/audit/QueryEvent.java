package dev.warden.server.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One query as an enforcement point reported it when it completed.
 *
 * @param source the enforcement point that ran it, such as a Trino cluster's name; with {@code queryId} the event's key
 * @param user the engine's user name
 * @param wardenUser the Warden user the engine's user was mapped to, when there is one
 * @param tables the tables the query read, as {@code catalog.schema.table}, with the columns it read
 * @param dataSources the registered data sources the query touched, with the policies applied to each
 * @param denials what the access control refused during the query
 * @param error why the query failed; present exactly when {@code state} is FAILED
 */
public record QueryEvent(
        String source,
        String queryId,
        String user,
        Optional<String> wardenUser,
        Optional<String> project,
        String queryText,
        State state,
        Instant createTime,
        Instant endTime,
        List<TableRead> tables,
        List<AppliedPolicies> dataSources,
        List<String> denials,
        Optional<QueryError> error)
{
    public enum State
    {
        FINISHED, FAILED
    }

    public record TableRead(String table, List<String> columns)
    {
        public TableRead
        {
            requireNonNull(table, "table is null");
            columns = List.copyOf(columns);
        }
    }

    public record AppliedPolicies(String dataSource, List<String> policies)
    {
        public AppliedPolicies
        {
            requireNonNull(dataSource, "dataSource is null");
            policies = List.copyOf(policies);
        }
    }

    public record QueryError(String code, String message)
    {
        public QueryError
        {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
        }
    }

    public QueryEvent
    {
        requireNonNull(source, "source is null");
        requireNonNull(queryId, "queryId is null");
        requireNonNull(user, "user is null");
        requireNonNull(wardenUser, "wardenUser is null");
        requireNonNull(project, "project is null");
        requireNonNull(queryText, "queryText is null");
        requireNonNull(state, "state is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(endTime, "endTime is null");
        tables = List.copyOf(tables);
        dataSources = List.copyOf(dataSources);
        denials = List.copyOf(denials);
        requireNonNull(error, "error is null");
    }

    public boolean denied()
    {
        return !denials.isEmpty();
    }
}
