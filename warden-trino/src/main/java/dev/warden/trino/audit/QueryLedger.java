package dev.warden.trino.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * What the access control decided during each running query (the Warden user and project it acted for, the policies
 * it applied to each data source, and what it denied), kept until the event listener reports the query. The access control writes; the event listener takes
 * a query's entry when the query completes. Queries that never complete are forgotten oldest first beyond
 * {@code capacity}.
 */
public final class QueryLedger
{
    /**
     * What was decided for one query.
     *
     * @param wardenUser the Warden user the query acted as; empty when the Trino user maps to none
     * @param project the Warden project the query acted under: the one its extra credential named, else the user's
     *         current project
     */
    public record Entry(Optional<String> wardenUser, Optional<String> project, Map<String, Set<String>> policiesByDataSource, List<String> denials)
    {
        public Entry
        {
            requireNonNull(wardenUser, "wardenUser is null");
            requireNonNull(project, "project is null");
            policiesByDataSource = Map.copyOf(policiesByDataSource);
            denials = List.copyOf(denials);
        }
    }

    private static final class Recording
    {
        private Optional<String> wardenUser = Optional.empty();
        private Optional<String> project = Optional.empty();
        /** By data source, the collections of policy ids recorded; Trino asks several times per table, with one grant's collection. */
        private final Map<String, List<Collection<String>>> policiesByDataSource = new TreeMap<>();
        private final List<String> denials = new ArrayList<>();

        synchronized void person(String wardenUser, Optional<String> project)
        {
            this.wardenUser = Optional.of(wardenUser);
            this.project = project;
        }

        synchronized void policies(String dataSourceId, Collection<String> policyIds)
        {
            List<Collection<String>> recorded = policiesByDataSource.computeIfAbsent(dataSourceId, _ -> new ArrayList<>(1));
            for (Collection<String> known : recorded) {
                if (known == policyIds) {
                    return;
                }
            }
            recorded.add(policyIds);
        }

        synchronized void denial(String message)
        {
            denials.add(message);
        }

        synchronized Entry entry()
        {
            Map<String, Set<String>> policies = new LinkedHashMap<>();
            policiesByDataSource.forEach((dataSource, recorded) -> {
                Set<String> ids = new TreeSet<>();
                recorded.forEach(ids::addAll);
                policies.put(dataSource, Collections.unmodifiableSet(ids));
            });
            return new Entry(wardenUser, project, policies, denials);
        }
    }

    private final int capacity;
    private final Map<String, Recording> recordings = new ConcurrentHashMap<>();
    private final Map<String, Boolean> arrivalOrder = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    public QueryLedger(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public void recordPerson(String queryId, String wardenUser, Optional<String> project)
    {
        requireNonNull(wardenUser, "wardenUser is null");
        requireNonNull(project, "project is null");
        recording(queryId).person(wardenUser, project);
    }

    public void recordPolicies(String queryId, String dataSourceId, Collection<String> policyIds)
    {
        requireNonNull(dataSourceId, "dataSourceId is null");
        recording(queryId).policies(dataSourceId, policyIds);
    }

    public void recordDenial(String queryId, String message)
    {
        requireNonNull(message, "message is null");
        recording(queryId).denial(message);
    }

    /** Takes what was recorded for a query; empty when nothing was. */
    public Optional<Entry> take(String queryId)
    {
        arrivalOrder.remove(queryId);
        return Optional.ofNullable(recordings.remove(queryId)).map(Recording::entry);
    }

    private Recording recording(String queryId)
    {
        requireNonNull(queryId, "queryId is null");
        Recording recording = recordings.get(queryId);
        if (recording != null) {
            return recording;
        }
        recording = recordings.computeIfAbsent(queryId, _ -> new Recording());
        synchronized (arrivalOrder) {
            arrivalOrder.put(queryId, Boolean.TRUE);
            Iterator<String> oldest = arrivalOrder.keySet().iterator();
            while (arrivalOrder.size() > capacity && oldest.hasNext()) {
                recordings.remove(oldest.next());
                oldest.remove();
            }
        }
        return recording;
    }
}
