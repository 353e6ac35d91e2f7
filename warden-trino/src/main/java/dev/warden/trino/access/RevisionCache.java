package dev.warden.trino.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Values worked out on one policy revision, such as decisions or user contexts. A new revision gets a new cache, so
 * nothing needs invalidating; when a cache reaches its capacity it starts over, which bounds its memory at the cost
 * of recomputing the values in use. A value whose computation throws is not kept.
 */
final class RevisionCache<K, V>
{
    private final int capacity;
    private final Map<K, V> values = new ConcurrentHashMap<>();

    RevisionCache(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    V get(K key, Supplier<V> compute)
    {
        V value = values.get(key);
        if (value != null) {
            return value;
        }
        value = compute.get();
        if (values.size() >= capacity) {
            values.clear();
        }
        values.put(key, value);
        return value;
    }

    int size()
    {
        return values.size();
    }
}
