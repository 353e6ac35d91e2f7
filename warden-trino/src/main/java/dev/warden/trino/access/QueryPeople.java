package dev.warden.trino.access;

import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.resourcegroups.QueryType;
import io.trino.spi.security.Identity;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The person behind each running query, as Trino named them when the query started
 * ({@code checkCanExecuteQuery}). Inside a SECURITY DEFINER view Trino asks about base tables with the view owner's
 * identity; this is how the access control still knows who asked. It also remembers which running queries:
 * <ul>
 * <li>run a kind of statement that may show statistics ({@code SHOW STATS}, under {@code EXPLAIN} too), as Trino
 * reports each query's kind when it creates it, before analysing it;</li>
 * <li>refresh a materialized view, whose rows everyone who reads the view will see;</li>
 * <li>write into a table Warden does not govern, whose rows everyone who may read it will see;</li>
 * <li>run a table function that reads tables past Trino's masks and row filters;</li>
 * <li>set a catalog session property with which an INSERT may replace rows already in a table;</li>
 * <li>are shown a registered table's properties, as {@code CREATE TABLE (LIKE ... INCLUDING PROPERTIES)} is before it
 * creates a table with them.</li>
 * </ul>
 * Entries are dropped when a query completes, and beyond {@code capacity} running queries the oldest are forgotten
 * first. Of a completed query only its id and its person's name are kept, for {@link #ENDED_QUERIES_KEPT} and at most
 * {@code capacity} of them: Trino still lists its tasks that long.
 */
public final class QueryPeople
{
    private static final Set<QueryType> STATEMENTS_SHOWING_STATISTICS = Set.of(QueryType.DESCRIBE, QueryType.EXPLAIN);
    /** How long Trino keeps a completed query's tasks by default ({@code task.info.max-age}, {@code query.min-expire-age}). */
    static final Duration ENDED_QUERIES_KEPT = Duration.ofMinutes(15);

    private final int capacity;
    private final InstantSource clock;
    private final Map<String, RunningQuery> people;
    /** Completed queries in the order they ended; guarded by {@code people}. */
    private final Map<String, EndedQuery> ended = new LinkedHashMap<>();
    private final Map<String, CatalogSchemaTableName> refreshes = new ConcurrentHashMap<>();
    private final Map<String, CatalogSchemaTableName> unregisteredTargets = new ConcurrentHashMap<>();
    private final Map<String, CatalogSchemaRoutineName> unmaskedFunctions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> overwritingProperties = new ConcurrentHashMap<>();
    private final Map<String, CatalogSchemaTableName> shownProperties = new ConcurrentHashMap<>();

    public QueryPeople(int capacity)
    {
        this(capacity, InstantSource.system());
    }

    QueryPeople(int capacity, InstantSource clock)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.clock = requireNonNull(clock, "clock is null");
        this.people = new LinkedHashMap<>(16, 0.75f, false);
    }

    public void started(QueryId queryId, Identity person)
    {
        RunningQuery query = new RunningQuery(requireNonNull(person, "person is null"), Optional.empty());
        synchronized (people) {
            people.put(queryId.getId(), query);
            while (people.size() > capacity) {
                people.remove(people.keySet().iterator().next());
            }
        }
    }

    public Optional<Identity> personOf(QueryId queryId)
    {
        if (queryId == null) {
            return Optional.empty();
        }
        synchronized (people) {
            return Optional.ofNullable(people.get(queryId.getId())).map(RunningQuery::person);
        }
    }

    /**
     * Trino created the started query, a statement of kind {@code type}, and has not analysed it yet (it checks whether
     * the person may run a query first).
     */
    public void created(String queryId, QueryType type)
    {
        requireNonNull(type, "type is null");
        synchronized (people) {
            people.computeIfPresent(queryId, (_, query) -> new RunningQuery(query.person(), Optional.of(type)));
        }
    }

    /**
     * Whether the query may show statistics: {@code SHOW STATS} is a {@link QueryType#DESCRIBE} statement, and can be
     * explained. A query whose kind is not known, or that is not known at all, may.
     */
    public boolean mayShowStatistics(QueryId queryId)
    {
        if (queryId == null) {
            return true;
        }
        Optional<QueryType> type;
        synchronized (people) {
            RunningQuery query = people.get(queryId.getId());
            type = query == null ? Optional.empty() : query.type();
        }
        return type.map(STATEMENTS_SHOWING_STATISTICS::contains).orElse(true);
    }

    /** The query refreshes {@code view}: what it reads is stored for everyone who reads the view. */
    public void refreshing(QueryId queryId, CatalogSchemaTableName view)
    {
        remember(refreshes, queryId, requireNonNull(view, "view is null"));
    }

    /** The materialized view the query refreshes, if it refreshes one. */
    public Optional<CatalogSchemaTableName> refreshedBy(QueryId queryId)
    {
        return recalled(refreshes, queryId);
    }

    /** The query writes into {@code table}, which Warden does not govern: what it reads is stored for everyone who may read the table. */
    public void writingUnregistered(QueryId queryId, CatalogSchemaTableName table)
    {
        remember(unregisteredTargets, queryId, requireNonNull(table, "table is null"));
    }

    /** The table Warden does not govern that the query writes into, if it writes into one. */
    public Optional<CatalogSchemaTableName> unregisteredTargetOf(QueryId queryId)
    {
        return recalled(unregisteredTargets, queryId);
    }

    /** The query runs {@code function}, which reads tables without the masks and row filters Trino would apply. */
    public void runningUnmasked(QueryId queryId, CatalogSchemaRoutineName function)
    {
        remember(unmaskedFunctions, queryId, requireNonNull(function, "function is null"));
    }

    /** The table function the query runs that reads tables unmasked and unfiltered, if it runs one. */
    public Optional<CatalogSchemaRoutineName> unmaskedFunctionOf(QueryId queryId)
    {
        return recalled(unmaskedFunctions, queryId);
    }

    /**
     * The query's session sets {@code property} of {@code catalog}, with which an INSERT there may replace rows already
     * in the table. Trino checks a query's session properties one by one, on one thread, as the query starts.
     */
    public void overwriting(QueryId queryId, String catalog, String property)
    {
        requireNonNull(catalog, "catalog is null");
        requireNonNull(property, "property is null");
        Map<String, String> properties = recalled(overwritingProperties, queryId).orElse(Map.of());
        if (!properties.containsKey(catalog)) {
            Map<String, String> more = new HashMap<>(properties);
            more.put(catalog, property);
            remember(overwritingProperties, queryId, Map.copyOf(more));
        }
    }

    /** The session property, set by the query, with which an INSERT into {@code catalog} may replace rows, if it set one. */
    public Optional<String> overwritingPropertyIn(QueryId queryId, String catalog)
    {
        return recalled(overwritingProperties, queryId).map(properties -> properties.get(catalog));
    }

    /** The query is shown the properties of registered table {@code table}. */
    public void showingPropertiesOf(QueryId queryId, CatalogSchemaTableName table)
    {
        remember(shownProperties, queryId, requireNonNull(table, "table is null"));
    }

    /** The registered table whose properties the query was shown, if it was shown some. */
    public Optional<CatalogSchemaTableName> propertiesShownOf(QueryId queryId)
    {
        return recalled(shownProperties, queryId);
    }

    /** Beyond capacity, what is remembered of queries no longer running is dropped first. */
    private <T> void remember(Map<String, T> marks, QueryId queryId, T mark)
    {
        if (marks.size() >= capacity) {
            synchronized (people) {
                marks.keySet().retainAll(people.keySet());
            }
        }
        marks.put(queryId.getId(), mark);
    }

    private static <T> Optional<T> recalled(Map<String, T> marks, QueryId queryId)
    {
        if (queryId == null || marks.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(marks.get(queryId.getId()));
    }

    /**
     * The ids of the user's queries Warden saw start that are running or completed in the last
     * {@link #ENDED_QUERIES_KEPT}, as Trino names the user.
     */
    public List<String> queriesOf(String user)
    {
        requireNonNull(user, "user is null");
        List<String> ids = new ArrayList<>();
        synchronized (people) {
            forgetEndedBefore(clock.instant().minus(ENDED_QUERIES_KEPT));
            people.forEach((id, query) -> {
                if (query.person().getUser().equals(user)) {
                    ids.add(id);
                }
            });
            ended.forEach((id, query) -> {
                if (query.user().equals(user)) {
                    ids.add(id);
                }
            });
        }
        return ids;
    }

    public void completed(String queryId)
    {
        synchronized (people) {
            RunningQuery query = people.remove(queryId);
            if (query != null) {
                Instant now = clock.instant();
                ended.put(queryId, new EndedQuery(query.person().getUser(), now));
                forgetEndedBefore(now.minus(ENDED_QUERIES_KEPT));
            }
        }
        refreshes.remove(queryId);
        unregisteredTargets.remove(queryId);
        unmaskedFunctions.remove(queryId);
        overwritingProperties.remove(queryId);
        shownProperties.remove(queryId);
    }

    public int size()
    {
        synchronized (people) {
            return people.size();
        }
    }

    /** Drops completed queries that ended before {@code oldest}, and the earliest ended beyond capacity. Holds {@code people}'s lock. */
    private void forgetEndedBefore(Instant oldest)
    {
        Iterator<EndedQuery> earliest = ended.values().iterator();
        while (earliest.hasNext()) {
            EndedQuery query = earliest.next();
            if (ended.size() <= capacity && !query.at().isBefore(oldest)) {
                return;
            }
            earliest.remove();
        }
    }

    /** The person behind a running query, and the kind of statement it runs once Trino has reported it. */
    private record RunningQuery(Identity person, Optional<QueryType> type) {}

    /** Whose a completed query was, and when it ended. */
    private record EndedQuery(String user, Instant at) {}
}
