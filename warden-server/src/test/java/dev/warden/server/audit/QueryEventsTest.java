package dev.warden.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.policy.testing.TestPostgres;
import dev.warden.server.audit.QueryEvent.AppliedPolicies;
import dev.warden.server.audit.QueryEvent.QueryError;
import dev.warden.server.audit.QueryEvent.TableRead;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.store.Store;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Query events on both stores: H2 in a temporary directory, and the PostgreSQL server on loopback. */
class QueryEventsTest
{
    private static final String POSTGRES_SCHEMA = "warden_query_events_test";
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path dataDirectory;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void storesEachQueryOnceAndReadsItBackWhole(String store)
    {
        try (Store opened = open(store)) {
            QueryEvents events = new QueryEvents(opened.jdbi(), new ObjectMapper());
            QueryEvent failed = new QueryEvent("trino-prod", "q1", "alice", Optional.of("alice"), Optional.of("fraud"), "SELECT clerk FROM tpch.tiny.orders",
                    QueryEvent.State.FAILED, T0, T0.plusSeconds(2),
                    List.of(new TableRead("tpch.tiny.orders", List.of("clerk", "orderkey")), new TableRead("tpch.tiny.lineitem", List.of())),
                    List.of(new AppliedPolicies("sales.orders", List.of("mask-clerk", "read-orders"))),
                    List.of("Access Denied: Cannot select from columns [clerk]"),
                    Optional.of(new QueryError("PERMISSION_DENIED", "Access Denied: Cannot select from columns [clerk]")));

            assertThat(events.record(List.of(failed, event("trino-prod", "q2", "bob", T0.plusSeconds(5)), failed)))
                    .isEqualTo(new QueryEvents.Recorded(2, 1));
            assertThat(events.record(List.of(failed, event("trino-test", "q1", "bob", T0.plusSeconds(9)))))
                    .isEqualTo(new QueryEvents.Recorded(1, 1));

            List<QueryEvents.Stored> all = events.list(filter().build());
            assertThat(all).extracting(stored -> stored.event().source() + "/" + stored.event().queryId())
                    .containsExactly("trino-test/q1", "trino-prod/q2", "trino-prod/q1");
            assertThat(all.getLast().event()).isEqualTo(failed);

            assertThat(queryIds(events, filter().user("bob"))).containsExactly("q1", "q2");
            assertThat(queryIds(events, filter().source("trino-prod").queryId("q1"))).containsExactly("q1");
            assertThat(queryIds(events, filter().table("tpch.tiny.lineitem"))).containsExactly("q1");
            assertThat(queryIds(events, filter().dataSource("sales.orders"))).containsExactly("q1");
            assertThat(queryIds(events, filter().denied(true))).containsExactly("q1");
            assertThat(queryIds(events, filter().denied(false))).containsExactly("q1", "q2");
            assertThat(queryIds(events, filter().since(T0.plusSeconds(5)))).containsExactly("q1", "q2");
            assertThat(queryIds(events, filter().until(T0.plusSeconds(5)))).containsExactly("q1");
            assertThat(queryIds(events, filter().page(1, 1))).containsExactly("q2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentRetriesOfOneBatchStoreItOnce(String store)
            throws Exception
    {
        try (Store opened = open(store)) {
            QueryEvents events = new QueryEvents(opened.jdbi(), new ObjectMapper());
            List<QueryEvent> batch = IntStream.range(0, 50).mapToObj(index -> event("trino", "q" + index, "alice", T0.plusSeconds(index))).toList();
            try (ExecutorService executor = Executors.newFixedThreadPool(4)) {
                List<Future<QueryEvents.Recorded>> sends = IntStream.range(0, 4).mapToObj(_ -> executor.submit(() -> events.record(batch))).toList();
                int stored = 0;
                for (Future<QueryEvents.Recorded> send : sends) {
                    stored += send.get().stored();
                }
                assertThat(stored).isEqualTo(50);
            }
            assertThat(events.list(filter().page(0, 1_000).build())).hasSize(50);
        }
    }

    private static QueryEvent event(String source, String queryId, String user, Instant createTime)
    {
        return new QueryEvent(source, queryId, user, Optional.empty(), Optional.empty(), "SELECT 1", QueryEvent.State.FINISHED, createTime, createTime.plusMillis(300),
                List.of(), List.of(), List.of(), Optional.empty());
    }

    private static List<String> queryIds(QueryEvents events, FilterBuilder filter)
    {
        return events.list(filter.build()).stream().map(stored -> stored.event().queryId()).toList();
    }

    private static FilterBuilder filter()
    {
        return new FilterBuilder();
    }

    private static final class FilterBuilder
    {
        private Optional<String> source = Optional.empty();
        private Optional<String> user = Optional.empty();
        private Optional<String> queryId = Optional.empty();
        private Optional<String> table = Optional.empty();
        private Optional<String> dataSource = Optional.empty();
        private Optional<Boolean> denied = Optional.empty();
        private Optional<Instant> since = Optional.empty();
        private Optional<Instant> until = Optional.empty();
        private int offset;
        private int limit = 100;

        FilterBuilder source(String value) { source = Optional.of(value); return this; }

        FilterBuilder user(String value) { user = Optional.of(value); return this; }

        FilterBuilder queryId(String value) { queryId = Optional.of(value); return this; }

        FilterBuilder table(String value) { table = Optional.of(value); return this; }

        FilterBuilder dataSource(String value) { dataSource = Optional.of(value); return this; }

        FilterBuilder denied(boolean value) { denied = Optional.of(value); return this; }

        FilterBuilder since(Instant value) { since = Optional.of(value); return this; }

        FilterBuilder until(Instant value) { until = Optional.of(value); return this; }

        FilterBuilder page(int offset, int limit)
        {
            this.offset = offset;
            this.limit = limit;
            return this;
        }

        QueryEventFilter build()
        {
            return new QueryEventFilter(source, user, queryId, table, dataSource, denied, since, until, offset, limit);
        }
    }

    private Store open(String store)
    {
        return Store.open(switch (store) {
            case "h2" -> ServerConfig.embedded(dataDirectory);
            case "postgresql" -> {
                resetPostgresSchema();
                yield ServerConfig.load(Optional.empty(), Map.of(
                        "store.url", TestPostgres.URL + "?currentSchema=" + POSTGRES_SCHEMA,
                        "store.user", TestPostgres.USER), Map.of());
            }
            default -> throw new IllegalArgumentException(store);
        });
    }

    private static void resetPostgresSchema()
    {
        try (Connection connection = TestPostgres.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + POSTGRES_SCHEMA + " CASCADE");
            statement.execute("CREATE SCHEMA " + POSTGRES_SCHEMA);
        }
        catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
