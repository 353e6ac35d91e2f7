package dev.warden.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.audit.QueryEvent.AppliedPolicies;
import dev.warden.server.audit.QueryEvent.QueryError;
import dev.warden.server.audit.QueryEvent.TableRead;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The queries enforcement points reported, stored once per (source, query id): a batch sent again after a lost
 * answer stores nothing new.
 */
public final class QueryEvents
{
    /** The SQL state of a unique-constraint violation, on H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int IDS_PER_QUERY = 500;
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};

    private final Jdbi jdbi;
    private final ObjectMapper json;

    /** A stored event, with the id and time the server gave it. */
    public record Stored(long id, Instant receivedAt, QueryEvent event)
    {
        public Stored
        {
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(event, "event is null");
        }
    }

    /** What became of a batch: how many events were new, and how many the store already had. */
    public record Recorded(int stored, int duplicates) {}

    private record Key(String source, String queryId) {}

    public QueryEvents(Jdbi jdbi, ObjectMapper json)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** Stores the events of a batch that the store does not have yet, in one transaction. */
    public Recorded record(List<QueryEvent> events)
    {
        Map<Key, QueryEvent> unique = new LinkedHashMap<>();
        events.forEach(event -> unique.putIfAbsent(new Key(event.source(), event.queryId()), event));
        try {
            return recordNew(unique, events.size());
        }
        catch (StatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another request stored one of these events after this one looked; looking again skips it.
            return recordNew(unique, events.size());
        }
    }

    private Recorded recordNew(Map<Key, QueryEvent> unique, int received)
    {
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return jdbi.inTransaction(handle -> {
            Set<Key> existing = existingKeys(handle, unique.keySet());
            int stored = 0;
            PreparedBatch tables = handle.prepareBatch("INSERT INTO query_event_tables (event_id, seq, table_name, columns) VALUES (:id, :seq, :table, :columns)");
            PreparedBatch dataSources = handle.prepareBatch("INSERT INTO query_event_data_sources (event_id, seq, data_source, policies) VALUES (:id, :seq, :dataSource, :policies)");
            PreparedBatch denials = handle.prepareBatch("INSERT INTO query_event_denials (event_id, seq, message) VALUES (:id, :seq, :message)");
            for (Map.Entry<Key, QueryEvent> entry : unique.entrySet()) {
                if (existing.contains(entry.getKey())) {
                    continue;
                }
                QueryEvent event = entry.getValue();
                long id = insertEvent(handle, event, receivedAt);
                stored++;
                for (int seq = 0; seq < event.tables().size(); seq++) {
                    TableRead table = event.tables().get(seq);
                    tables.bind("id", id).bind("seq", seq).bind("table", table.table()).bind("columns", toJson(table.columns())).add();
                }
                for (int seq = 0; seq < event.dataSources().size(); seq++) {
                    AppliedPolicies dataSource = event.dataSources().get(seq);
                    dataSources.bind("id", id).bind("seq", seq).bind("dataSource", dataSource.dataSource()).bind("policies", toJson(dataSource.policies())).add();
                }
                for (int seq = 0; seq < event.denials().size(); seq++) {
                    denials.bind("id", id).bind("seq", seq).bind("message", event.denials().get(seq)).add();
                }
            }
            for (PreparedBatch batch : List.of(tables, dataSources, denials)) {
                if (batch.size() > 0) {
                    batch.execute();
                }
            }
            return new Recorded(stored, received - stored);
        });
    }

    private static long insertEvent(Handle handle, QueryEvent event, Instant receivedAt)
    {
        return handle.createUpdate("""
                        INSERT INTO query_events (source, query_id, user_name, warden_user, project, query_text, state, create_time, end_time,
                                                  denied, error_code, error_message, received_at)
                        VALUES (:source, :queryId, :user, :wardenUser, :project, :queryText, :state, :createTime, :endTime,
                                :denied, :errorCode, :errorMessage, :receivedAt)""")
                .bind("source", event.source())
                .bind("queryId", event.queryId())
                .bind("user", event.user())
                .bind("wardenUser", event.wardenUser().orElse(null))
                .bind("project", event.project().orElse(null))
                .bind("queryText", event.queryText())
                .bind("state", event.state().name())
                .bind("createTime", Timestamp.from(event.createTime()))
                .bind("endTime", Timestamp.from(event.endTime()))
                .bind("denied", event.denied())
                .bind("errorCode", event.error().map(QueryError::code).orElse(null))
                .bind("errorMessage", event.error().map(QueryError::message).orElse(null))
                .bind("receivedAt", Timestamp.from(receivedAt))
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one();
    }

    private static Set<Key> existingKeys(Handle handle, Set<Key> keys)
    {
        Map<String, List<String>> queryIdsBySource = new LinkedHashMap<>();
        keys.forEach(key -> queryIdsBySource.computeIfAbsent(key.source(), _ -> new ArrayList<>()).add(key.queryId()));
        Set<Key> existing = new HashSet<>();
        queryIdsBySource.forEach((source, queryIds) -> {
            for (int from = 0; from < queryIds.size(); from += IDS_PER_QUERY) {
                handle.createQuery("SELECT query_id FROM query_events WHERE source = :source AND query_id IN (<queryIds>)")
                        .bind("source", source)
                        .bindList("queryIds", queryIds.subList(from, Math.min(queryIds.size(), from + IDS_PER_QUERY)))
                        .mapTo(String.class)
                        .forEach(queryId -> existing.add(new Key(source, queryId)));
            }
        });
        return existing;
    }

    /** The matching events, newest (by creation) first. */
    public List<Stored> list(QueryEventFilter filter)
    {
        StringBuilder sql = new StringBuilder("SELECT * FROM query_events e WHERE 1 = 1");
        filter.source().ifPresent(_ -> sql.append(" AND e.source = :source"));
        filter.user().ifPresent(_ -> sql.append(" AND e.user_name = :user"));
        filter.queryId().ifPresent(_ -> sql.append(" AND e.query_id = :queryId"));
        filter.table().ifPresent(_ -> sql.append(" AND EXISTS (SELECT 1 FROM query_event_tables t WHERE t.event_id = e.id AND t.table_name = :table)"));
        filter.dataSource().ifPresent(_ -> sql.append(" AND EXISTS (SELECT 1 FROM query_event_data_sources d WHERE d.event_id = e.id AND d.data_source = :dataSource)"));
        filter.denied().ifPresent(_ -> sql.append(" AND e.denied = :denied"));
        filter.since().ifPresent(_ -> sql.append(" AND e.create_time >= :since"));
        filter.until().ifPresent(_ -> sql.append(" AND e.create_time < :until"));
        sql.append(" ORDER BY e.create_time DESC, e.id DESC LIMIT :limit OFFSET :offset");
        return jdbi.inTransaction(handle -> {
            var query = handle.createQuery(sql.toString()).bind("limit", filter.limit()).bind("offset", filter.offset());
            filter.source().ifPresent(value -> query.bind("source", value));
            filter.user().ifPresent(value -> query.bind("user", value));
            filter.queryId().ifPresent(value -> query.bind("queryId", value));
            filter.table().ifPresent(value -> query.bind("table", value));
            filter.dataSource().ifPresent(value -> query.bind("dataSource", value));
            filter.denied().ifPresent(value -> query.bind("denied", value));
            filter.since().ifPresent(value -> query.bind("since", Timestamp.from(value)));
            filter.until().ifPresent(value -> query.bind("until", Timestamp.from(value)));
            List<Row> rows = query.map((row, _) -> Row.read(row)).list();
            if (rows.isEmpty()) {
                return List.of();
            }
            List<Long> ids = rows.stream().map(Row::id).toList();
            Map<Long, List<TableRead>> tables = children(handle, "SELECT event_id, table_name, columns FROM query_event_tables WHERE event_id IN (<ids>) ORDER BY event_id, seq",
                    ids, row -> new TableRead(row.getString("table_name"), fromJson(row.getString("columns"))));
            Map<Long, List<AppliedPolicies>> dataSources = children(handle, "SELECT event_id, data_source, policies FROM query_event_data_sources WHERE event_id IN (<ids>) ORDER BY event_id, seq",
                    ids, row -> new AppliedPolicies(row.getString("data_source"), fromJson(row.getString("policies"))));
            Map<Long, List<String>> denials = children(handle, "SELECT event_id, message FROM query_event_denials WHERE event_id IN (<ids>) ORDER BY event_id, seq",
                    ids, row -> row.getString("message"));
            return rows.stream()
                    .map(row -> row.toStored(tables.getOrDefault(row.id(), List.of()), dataSources.getOrDefault(row.id(), List.of()), denials.getOrDefault(row.id(), List.of())))
                    .toList();
        });
    }

    @FunctionalInterface
    private interface RowReader<T>
    {
        T read(ResultSet row)
                throws SQLException;
    }

    private static <T> Map<Long, List<T>> children(Handle handle, String sql, List<Long> eventIds, RowReader<T> reader)
    {
        Map<Long, List<T>> byEvent = new LinkedHashMap<>();
        handle.createQuery(sql)
                .bindList("ids", eventIds)
                .map((row, _) -> Map.entry(row.getLong("event_id"), reader.read(row)))
                .forEach(entry -> byEvent.computeIfAbsent(entry.getKey(), _ -> new ArrayList<>()).add(entry.getValue()));
        return byEvent;
    }

    /** A query_events row, before its tables, data sources and denials are read. */
    private record Row(long id, Instant receivedAt, String source, String queryId, String user, Optional<String> wardenUser, Optional<String> project,
                       String queryText, QueryEvent.State state, Instant createTime, Instant endTime, Optional<QueryError> error)
    {
        static Row read(ResultSet row)
                throws SQLException
        {
            String errorCode = row.getString("error_code");
            Optional<QueryError> error = errorCode == null ? Optional.empty() : Optional.of(new QueryError(errorCode, row.getString("error_message")));
            return new Row(row.getLong("id"), row.getTimestamp("received_at").toInstant(), row.getString("source"), row.getString("query_id"),
                    row.getString("user_name"), Optional.ofNullable(row.getString("warden_user")), Optional.ofNullable(row.getString("project")),
                    row.getString("query_text"), QueryEvent.State.valueOf(row.getString("state")), row.getTimestamp("create_time").toInstant(),
                    row.getTimestamp("end_time").toInstant(), error);
        }

        Stored toStored(List<TableRead> tables, List<AppliedPolicies> dataSources, List<String> denials)
        {
            return new Stored(id, receivedAt, new QueryEvent(source, queryId, user, wardenUser, project, queryText, state, createTime, endTime,
                    tables, dataSources, denials, error));
        }
    }

    private String toJson(List<String> names)
    {
        try {
            return json.writeValueAsString(names);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> fromJson(String names)
    {
        try {
            return json.readValue(names, NAMES);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored list of names is not JSON: " + names, e);
        }
    }

    private static boolean isUniqueViolation(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
