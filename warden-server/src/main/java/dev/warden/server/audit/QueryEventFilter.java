package dev.warden.server.audit;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which stored query events to list; every present condition must hold.
 *
 * @param table a table read, as {@code catalog.schema.table}
 * @param dataSource a data source the query touched
 * @param denied whether the access control denied something during the query
 * @param since queries created at or after this instant
 * @param until queries created before this instant
 */
public record QueryEventFilter(
        Optional<String> source,
        Optional<String> user,
        Optional<String> queryId,
        Optional<String> table,
        Optional<String> dataSource,
        Optional<Boolean> denied,
        Optional<Instant> since,
        Optional<Instant> until,
        int offset,
        int limit)
{
    public QueryEventFilter
    {
        requireNonNull(source, "source is null");
        requireNonNull(user, "user is null");
        requireNonNull(queryId, "queryId is null");
        requireNonNull(table, "table is null");
        requireNonNull(dataSource, "dataSource is null");
        requireNonNull(denied, "denied is null");
        requireNonNull(since, "since is null");
        requireNonNull(until, "until is null");
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be 0 or more and limit positive");
        }
    }
}
