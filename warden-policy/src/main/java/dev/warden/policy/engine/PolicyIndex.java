package dev.warden.policy.engine;

import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Tag;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the policies that may concern a data source without looking at every policy: local policies by data
 * source id, global ones by the tags of the data source and of its columns (each tag and its ancestors), and
 * global masks by the tags and names of the columns they select. Policies are numbered densely in creation
 * order, so that a decision marks its candidates in a {@link BitSet} and visits them in that order.
 */
final class PolicyIndex
{
    private final List<Policy> policies;
    private final Map<String, int[]> byDataSourceId;
    private final Map<Tag, int[]> byDataSourceTag;
    private final Map<Tag, int[]> byColumnTag;
    private final int[] onAllDataSources;
    private final Map<Tag, int[]> globalMasksBySelectedTag;
    private final Map<String, int[]> globalMasksBySelectedName;
    private final int[] globalMasksByPattern;
    private final Map<Tag, List<Tag>> selfAndAncestors = new HashMap<>();

    PolicyIndex(Collection<Policy> allPolicies, Collection<Tag> knownTags)
    {
        List<Policy> sorted = new ArrayList<>(allPolicies);
        sorted.sort(Comparator.comparingLong(Policy::sequence).thenComparing(Policy::id));
        this.policies = List.copyOf(sorted);

        Map<String, List<Integer>> byId = new HashMap<>();
        Map<Tag, List<Integer>> byTag = new HashMap<>();
        Map<Tag, List<Integer>> byColTag = new HashMap<>();
        List<Integer> all = new ArrayList<>();
        Map<Tag, List<Integer>> masksByTag = new HashMap<>();
        Map<String, List<Integer>> masksByName = new HashMap<>();
        List<Integer> masksByPattern = new ArrayList<>();
        for (int number = 0; number < policies.size(); number++) {
            Policy policy = policies.get(number);
            final int n = number;
            if (policy instanceof MaskingPolicy masking && !policy.scope().isLocal()) {
                // A global mask can only matter where it selects a column, so it is found through what it selects.
                switch (masking.columns()) {
                    case ColumnSelector.ByTag byTagSelector -> byTagSelector.tags().forEach(tag -> add(masksByTag, tag, n));
                    case ColumnSelector.ByName byName -> byName.names().forEach(name -> add(masksByName, name, n));
                    case ColumnSelector.ByNamePattern _ -> masksByPattern.add(n);
                }
                continue;
            }
            switch (policy.scope()) {
                case PolicyScope.DataSources local -> local.ids().forEach(id -> add(byId, id, n));
                case PolicyScope.TaggedDataSources tagged -> tagged.tags().forEach(tag -> add(byTag, tag, n));
                case PolicyScope.DataSourcesWithTaggedColumns tagged -> tagged.tags().forEach(tag -> add(byColTag, tag, n));
                case PolicyScope.AllDataSources _ -> all.add(n);
            }
        }
        this.byDataSourceId = frozen(byId);
        this.byDataSourceTag = frozen(byTag);
        this.byColumnTag = frozen(byColTag);
        this.onAllDataSources = toArray(all);
        this.globalMasksBySelectedTag = frozen(masksByTag);
        this.globalMasksBySelectedName = frozen(masksByName);
        this.globalMasksByPattern = toArray(masksByPattern);
        for (Tag tag : knownTags) {
            selfAndAncestors.put(tag, tag.selfAndAncestors());
        }
    }

    List<Policy> policies()
    {
        return policies;
    }

    /** Marks every policy that may concern the data source; the caller checks scopes and selectors. */
    BitSet candidates(DataSource dataSource)
    {
        BitSet marked = new BitSet(policies.size());
        mark(marked, byDataSourceId.get(dataSource.id()));
        mark(marked, onAllDataSources);
        for (Tag tag : dataSource.tags()) {
            for (Tag ancestor : ancestors(tag)) {
                mark(marked, byDataSourceTag.get(ancestor));
            }
        }
        for (Column column : dataSource.columns()) {
            mark(marked, globalMasksBySelectedName.get(column.name()));
            for (Tag tag : column.tags()) {
                for (Tag ancestor : ancestors(tag)) {
                    mark(marked, byColumnTag.get(ancestor));
                    mark(marked, globalMasksBySelectedTag.get(ancestor));
                }
            }
        }
        mark(marked, globalMasksByPattern);
        return marked;
    }

    private List<Tag> ancestors(Tag tag)
    {
        List<Tag> known = selfAndAncestors.get(tag);
        return known != null ? known : tag.selfAndAncestors();
    }

    private static void mark(BitSet marked, int[] numbers)
    {
        if (numbers != null) {
            for (int number : numbers) {
                marked.set(number);
            }
        }
    }

    private static <K> void add(Map<K, List<Integer>> index, K key, int number)
    {
        index.computeIfAbsent(key, _ -> new ArrayList<>()).add(number);
    }

    private static <K> Map<K, int[]> frozen(Map<K, List<Integer>> index)
    {
        Map<K, int[]> result = new HashMap<>();
        index.forEach((key, numbers) -> result.put(key, toArray(numbers)));
        return result;
    }

    private static int[] toArray(List<Integer> numbers)
    {
        return numbers.stream().mapToInt(Integer::intValue).toArray();
    }
}
