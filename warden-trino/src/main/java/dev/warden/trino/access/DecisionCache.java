package dev.warden.trino.access;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Decisions of one policy revision, per Warden user, project and data source. A new revision gets a new cache, so
 * nothing needs invalidating; when a cache reaches its capacity it starts over, which bounds its memory at the cost
 * of recomputing the decisions in use.
 */
final class DecisionCache
{
    record Key(String wardenUser, Optional<String> project, String dataSourceId)
    {
        Key
        {
            requireNonNull(wardenUser, "wardenUser is null");
            requireNonNull(project, "project is null");
            requireNonNull(dataSourceId, "dataSourceId is null");
        }
    }

    private final int capacity;
    private final Map<Key, TableGrant> grants = new ConcurrentHashMap<>();

    DecisionCache(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    TableGrant get(Key key, Supplier<TableGrant> decide)
    {
        TableGrant grant = grants.get(key);
        if (grant != null) {
            return grant;
        }
        grant = decide.get();
        if (grants.size() >= capacity) {
            grants.clear();
        }
        grants.put(key, grant);
        return grant;
    }

    int size()
    {
        return grants.size();
    }
}
