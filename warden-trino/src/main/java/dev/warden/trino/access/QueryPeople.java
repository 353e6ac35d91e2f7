package dev.warden.trino.access;

import io.trino.spi.QueryId;
import io.trino.spi.security.Identity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The person behind each running query, as Trino named them when the query started
 * ({@code checkCanExecuteQuery}). Inside a SECURITY DEFINER view Trino asks about base tables with the view owner's
 * identity; this is how the access control still knows who asked. Entries are dropped when a query completes, and
 * beyond {@code capacity} running queries the oldest are forgotten first.
 */
public final class QueryPeople
{
    private final int capacity;
    private final Map<String, Identity> people;

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

    public void completed(String queryId)
    {
        synchronized (people) {
            people.remove(queryId);
        }
    }

    public int size()
    {
        synchronized (people) {
            return people.size();
        }
    }
}
