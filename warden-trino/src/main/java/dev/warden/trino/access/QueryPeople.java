package dev.warden.trino.access;

import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.security.Identity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The person behind each running query, as Trino named them when the query started
 * ({@code checkCanExecuteQuery}). Inside a SECURITY DEFINER view Trino asks about base tables with the view owner's
 * identity; this is how the access control still knows who asked. It also remembers which running queries refresh a
 * materialized view, whose rows everyone who reads the view will see. Entries are dropped when a query completes, and
 * beyond {@code capacity} running queries the oldest are forgotten first.
 */
public final class QueryPeople
{
    private final int capacity;
    private final Map<String, Identity> people;
    private final Map<String, CatalogSchemaTableName> refreshes = new ConcurrentHashMap<>();

    public QueryPeople(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.people = new LinkedHashMap<>(16, 0.75f, false);
    }

    public void started(QueryId queryId, Identity person)
    {
        synchronized (people) {
            people.put(queryId.getId(), person);
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
            return Optional.ofNullable(people.get(queryId.getId()));
        }
    }

    /** The query refreshes {@code view}: what it reads is stored for everyone who reads the view. */
    public void refreshing(QueryId queryId, CatalogSchemaTableName view)
    {
        requireNonNull(view, "view is null");
        if (refreshes.size() >= capacity) {
            synchronized (people) {
                refreshes.keySet().retainAll(people.keySet());
            }
        }
        refreshes.put(queryId.getId(), view);
    }

    /** The materialized view the query refreshes, if it refreshes one. */
    public Optional<CatalogSchemaTableName> refreshedBy(QueryId queryId)
    {
        if (queryId == null || refreshes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(refreshes.get(queryId.getId()));
    }

    public void completed(String queryId)
    {
        synchronized (people) {
            people.remove(queryId);
        }
        refreshes.remove(queryId);
    }

    public int size()
    {
        synchronized (people) {
            return people.size();
        }
    }
}
