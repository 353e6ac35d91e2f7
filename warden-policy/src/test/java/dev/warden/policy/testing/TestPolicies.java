package dev.warden.policy.testing;

import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/** Short constructors for tests: each policy gets the next creation sequence number. */
public final class TestPolicies
{
    private static final AtomicLong SEQUENCE = new AtomicLong();
    public static final String SALT = "test-salt-0123456789";

    private TestPolicies() {}

    public static DataSource dataSource(String id, List<Column> columns, String... tags)
    {
        return new DataSource(id, id, new RemoteLocation("trino", "tpch", "tiny", id), ObjectType.TABLE, columns,
                tags(tags), new TreeSet<>(), Optional.empty(), SALT);
    }

    public static User user(String name, Set<String> groups, Map<String, Set<String>> attributes)
    {
        return new User(name, name + "@example.com", new TreeSet<>(groups), attributes, Optional.empty());
    }

    public static TreeSet<Tag> tags(String... tags)
    {
        return Arrays.stream(tags).map(Tag::of).collect(Collectors.toCollection(TreeSet::new));
    }

    public static PolicyScope on(String... dataSourceIds)
    {
        return new PolicyScope.DataSources(new TreeSet<>(List.of(dataSourceIds)));
    }

    public static PolicyScope onTagged(String... tags)
    {
        return new PolicyScope.TaggedDataSources(tags(tags));
    }

    public static PolicyScope everywhere()
    {
        return new PolicyScope.AllDataSources();
    }

    public static SubscriptionPolicy grant(String id, PolicyScope scope, AccessType type, Audience audience)
    {
        return new SubscriptionPolicy(id, id, SEQUENCE.incrementAndGet(), scope, type, SubscriptionPolicy.Strength.GRANT, audience);
    }

    public static SubscriptionPolicy guardrail(String id, PolicyScope scope, AccessType type, Audience audience)
    {
        return new SubscriptionPolicy(id, id, SEQUENCE.incrementAndGet(), scope, type, SubscriptionPolicy.Strength.GUARDRAIL, audience);
    }

    public static Audience anyone()
    {
        return new Audience.Anyone();
    }

    public static Audience matching(Condition condition)
    {
        return new Audience.UsersMatching(condition);
    }

    public static MaskingPolicy mask(String id, PolicyScope scope, ColumnSelector columns, MaskMethod method, Applicability applicability)
    {
        return new MaskingPolicy(id, id, SEQUENCE.incrementAndGet(), scope, columns, method, Optional.empty(), applicability);
    }

    public static ColumnSelector named(String... columns)
    {
        return new ColumnSelector.ByName(new TreeSet<>(List.of(columns)));
    }

    public static ColumnSelector taggedColumns(String... tags)
    {
        return new ColumnSelector.ByTag(tags(tags));
    }

    public static RowPolicy rows(String id, PolicyScope scope, RowRule rule, Applicability applicability)
    {
        return new RowPolicy(id, id, SEQUENCE.incrementAndGet(), scope, rule, applicability);
    }

    public static Applicability everyone()
    {
        return new Applicability.Everyone();
    }

    public static Applicability exceptGroup(String group)
    {
        return new Applicability.EveryoneExcept(new Condition.InGroup(group));
    }
}
