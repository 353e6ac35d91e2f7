package dev.warden.policy.engine;

import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Tag;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Finds the policies in force on a data source without looking at every policy. Every policy is indexed by its
 * scope: local policies by data source id, global ones by the tags of data sources or of columns they cover (a data
 * source's tags and its columns' tags are looked up with their ancestors), or as covering all data sources. Global
 * masks are also indexed by what they select (column names and tags; name patterns are asked per column name), since
 * a global mask is in force only on data sources where it may select a column. Policies are numbered densely in
 * creation order, so that the policies in force are a {@link BitSet}, visited in that order.
 */
final class PolicyIndex
{
    private final List<Policy> policies;
    private final Map<Policy, Integer> numbers;
    private final Map<String, int[]> byDataSourceId;
    private final Map<Tag, int[]> byDataSourceTag;
    private final Map<Tag, int[]> byColumnTag;
    private final int[] onAllDataSources;
    private final Map<Tag, int[]> globalMasksBySelectedTag;
    private final Map<String, int[]> globalMasksBySelectedName;
    private final int[] globalMasksByPattern;
    private final BitSet globalMasks;
    private final Collection<Tag> knownTags;
    private final Map<Tag, List<Tag>> selfAndAncestors;
    /**
     * For each column name seen, the global masks whose name pattern matches it. Matching every pattern against
     * every column was most of the cost of a decision, and column names repeat across data sources. Bounded,
     * because names come from remote catalogs; past the bound, names are matched afresh.
     */
    private final ConcurrentHashMap<String, int[]> patternMatchesByName = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_NAMES = 100_000;
    private static final int[] NONE = new int[0];

    PolicyIndex(Collection<Policy> allPolicies, Collection<Tag> knownTags)
    {
        this(allPolicies, knownTags, null);
    }

    /**
     * @param previous an index whose known tags may be this one's very collection: then this one shares their
     *         ancestries, which are the same; null for none
     */
    PolicyIndex(Collection<Policy> allPolicies, Collection<Tag> knownTags, PolicyIndex previous)
    {
        List<Policy> sorted = new ArrayList<>(allPolicies);
        sorted.sort(Comparator.comparingLong(Policy::sequence).thenComparing(Policy::id));
        this.policies = List.copyOf(sorted);
        this.numbers = new IdentityHashMap<>(policies.size());
        for (int number = 0; number < policies.size(); number++) {
            numbers.put(policies.get(number), number);
        }

        Map<String, List<Integer>> byId = new HashMap<>();
        Map<Tag, List<Integer>> byTag = new HashMap<>();
        Map<Tag, List<Integer>> byColTag = new HashMap<>();
        List<Integer> all = new ArrayList<>();
        Map<Tag, List<Integer>> masksByTag = new HashMap<>();
        Map<String, List<Integer>> masksByName = new HashMap<>();
        List<Integer> masksByPattern = new ArrayList<>();
        this.globalMasks = new BitSet(policies.size());
        for (int number = 0; number < policies.size(); number++) {
            Policy policy = policies.get(number);
            final int n = number;
            if (policy instanceof MaskingPolicy masking && !policy.scope().isLocal()) {
                globalMasks.set(number);
                switch (masking.columns()) {
                    case ColumnSelector.ByTag byTagSelector -> byTagSelector.tags().forEach(tag -> add(masksByTag, tag, n));
                    case ColumnSelector.ByName byName -> byName.names().forEach(name -> add(masksByName, name, n));
                    case ColumnSelector.ByNamePattern _ -> masksByPattern.add(n);
                }
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
        this.knownTags = requireNonNull(knownTags, "knownTags is null");
        if (previous != null && previous.knownTags == knownTags) {
            this.selfAndAncestors = previous.selfAndAncestors;
        }
        else {
            this.selfAndAncestors = new HashMap<>();
            for (Tag tag : knownTags) {
                selfAndAncestors.put(tag, tag.selfAndAncestors());
            }
        }
    }

    List<Policy> policies()
    {
        return policies;
    }

    /** The number of this very policy instance, or -1 when the index does not hold it. */
    int numberOf(Policy policy)
    {
        Integer number = numbers.get(policy);
        return number == null ? -1 : number;
    }

    /**
     * The numbers of the policies in force on the data source: those whose scope covers it (as
     * {@link PolicyScope#covers} decides), except global masks that select none of its columns by name or tag.
     * Global masks that select by name pattern stay in force whatever the column names; whether they select a column
     * is for the plan to find out.
     */
    BitSet inForce(DataSource dataSource)
    {
        BitSet covering = new BitSet(policies.size());
        mark(covering, byDataSourceId.get(dataSource.id()));
        mark(covering, onAllDataSources);
        for (Tag tag : dataSource.tags()) {
            for (Tag ancestor : ancestors(tag)) {
                mark(covering, byDataSourceTag.get(ancestor));
            }
        }
        BitSet selecting = new BitSet(policies.size());
        for (Column column : dataSource.columns()) {
            mark(selecting, globalMasksBySelectedName.get(column.name()));
            for (Tag tag : column.tags()) {
                for (Tag ancestor : ancestors(tag)) {
                    mark(covering, byColumnTag.get(ancestor));
                    mark(selecting, globalMasksBySelectedTag.get(ancestor));
                }
            }
        }
        mark(selecting, globalMasksByPattern);
        BitSet selectingNothing = (BitSet) globalMasks.clone();
        selectingNothing.andNot(selecting);
        covering.andNot(selectingNothing);
        return covering;
    }

    /**
     * The numbers, ascending and distinct, of the global masks whose selector picks the column: by its name, by
     * one of its tags or their ancestors, or by a name pattern. Whether they are in force is for the caller to check.
     */
    int[] globalMasksSelecting(Column column)
    {
        int[] byName = globalMasksBySelectedName.get(column.name());
        int[] byPattern = patternMatches(column);
        int[] selecting = new int[(byName == null ? 0 : byName.length) + byPattern.length + 4];
        int count = 0;
        count = append(selecting, count, byName);
        count = append(selecting, count, byPattern);
        for (Tag tag : column.tags()) {
            for (Tag ancestor : ancestors(tag)) {
                int[] byTag = globalMasksBySelectedTag.get(ancestor);
                if (byTag != null) {
                    if (count + byTag.length > selecting.length) {
                        selecting = Arrays.copyOf(selecting, Math.max(2 * selecting.length, count + byTag.length));
                    }
                    count = append(selecting, count, byTag);
                }
            }
        }
        if (count == 0) {
            return NONE;
        }
        Arrays.sort(selecting, 0, count);
        int distinct = 1;
        for (int i = 1; i < count; i++) {
            if (selecting[i] != selecting[distinct - 1]) {
                selecting[distinct++] = selecting[i];
            }
        }
        return Arrays.copyOf(selecting, distinct);
    }

    private int[] patternMatches(Column column)
    {
        if (globalMasksByPattern.length == 0) {
            return NONE;
        }
        // A name pattern looks only at the column's name, so its answer holds for every column of that name.
        String columnName = column.name();
        int[] known = patternMatchesByName.get(columnName);
        if (known != null) {
            return known;
        }
        int[] matching = new int[globalMasksByPattern.length];
        int count = 0;
        for (int number : globalMasksByPattern) {
            if (((MaskingPolicy) policies.get(number)).columns().specificity(column).isPresent()) {
                matching[count++] = number;
            }
        }
        int[] result = count == 0 ? NONE : Arrays.copyOf(matching, count);
        if (patternMatchesByName.size() < MAX_CACHED_NAMES) {
            patternMatchesByName.putIfAbsent(columnName, result);
        }
        return result;
    }

    private static int append(int[] into, int count, int[] numbers)
    {
        if (numbers == null) {
            return count;
        }
        System.arraycopy(numbers, 0, into, count, numbers.length);
        return count + numbers.length;
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
