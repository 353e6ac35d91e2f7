package dev.warden.bundle;

import dev.warden.bundle.BundleLoader.SourceFile;
import dev.warden.bundle.expectations.Expectation;
import dev.warden.bundle.expectations.Row;
import dev.warden.bundle.expectations.RowsExpectation;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessGrantMapping;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.Project;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.state.PolicyState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class BundleWriterTest
{
    @Test
    void retailExampleRoundTrips()
            throws BundleException
    {
        Bundle bundle = BundleLoader.load(RetailExampleTest.RETAIL);
        assertRoundTrips(bundle.state(), bundle.expectations());
    }

    @Test
    void richStateRoundTrips()
            throws BundleException
    {
        assertRoundTrips(richState(List.of()), List.of(
                new Expectation("alice", Optional.of("fraud"), "sales.orders", Optional.of(Set.of(AccessValue.READ, AccessValue.OWN)),
                        new TreeSet<>(Set.of("email")), new TreeSet<>(Set.of("id")), Optional.of("TRUE"),
                        Optional.of(new RowsExpectation(List.of(row("id", "1", "region", "EU"), row("id", "2", "region", null)), List.of(row("id", "1", "region", "EU"))))),
                new Expectation("bob", Optional.empty(), "sales.orders", Optional.of(Set.of()), new TreeSet<>(), new TreeSet<>(), Optional.empty(), Optional.empty())));
    }

    @Property(tries = 40)
    void generatedPoliciesRoundTrip(@ForAll("policyLists") List<PolicyRecipe> recipes)
            throws BundleException
    {
        List<dev.warden.policy.policies.Policy> policies = new ArrayList<>();
        for (int i = 0; i < recipes.size(); i++) {
            policies.add(recipes.get(i).build("p" + i));
        }
        assertRoundTrips(richState(policies), List.of());
    }

    private static void assertRoundTrips(PolicyState state, List<Expectation> expectations)
            throws BundleException
    {
        String yaml = BundleWriter.write(state, expectations);
        Bundle loaded = BundleLoader.load("written", List.of(new SourceFile("written.yaml", yaml)));
        PolicyState copy = loaded.state();
        assertSameState(copy, state, yaml);
        assertThat(loaded.expectations()).isEqualTo(expectations);
        // Writing is deterministic: what was read back writes the same text.
        assertThat(BundleWriter.write(copy, loaded.expectations())).isEqualTo(yaml);

        // One document per entity, shuffled as a store may return them, assembles back into the same state.
        List<BundleWriter.EntityDocument> documents = new ArrayList<>(BundleWriter.documents(state));
        java.util.Collections.shuffle(documents, new java.util.Random(documents.size()));
        String assembled = BundleWriter.assemble(documents);
        assertSameState(BundleLoader.load("assembled", List.of(new SourceFile("assembled.yaml", assembled))).state(), state, assembled);
        // And read as the server and replicas read documents, without YAML text in between: the same state.
        assertSameState(Documents.toState(documents), state, assembled);
    }

    private static void assertSameState(PolicyState actual, PolicyState expected, String yaml)
    {
        assertThat(actual.users()).as(yaml).isEqualTo(expected.users());
        assertThat(actual.groups()).isEqualTo(expected.groups());
        assertThat(actual.purposes()).isEqualTo(expected.purposes());
        assertThat(actual.projects()).isEqualTo(expected.projects());
        assertThat(actual.tags()).isEqualTo(expected.tags());
        assertThat(actual.dataSources()).isEqualTo(expected.dataSources());
        assertThat(actual.policies()).as(yaml).isEqualTo(expected.policies());
        assertThat(actual.approvals()).isEqualTo(expected.approvals());
        assertThat(actual.accessGrantMapping()).isEqualTo(expected.accessGrantMapping());
        assertThat(actual.definerViewOwners()).isEqualTo(expected.definerViewOwners());
    }

    private static Row row(String... keysAndValues)
    {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Row(new TreeMap<>(values));
    }

    private static PolicyState richState(List<dev.warden.policy.policies.Policy> extraPolicies)
    {
        PolicyState.Builder builder = PolicyState.builder()
                .tag(Tag.of("PII.Email")).tag(Tag.of("PII.Name")).tag(Tag.of("Finance")).tag(Tag.of("Region"))
                .purpose(new Purpose("Fraud Detection", "Finding fraud: with a colon, and 'quotes'"))
                .purpose(new Purpose("yes", ""))
                .group(new Group("analysts", Map.of("region", Set.of("EU", "on"))))
                .group(Group.of("null"))
                .user(new User("alice", "alice@example.com", new TreeSet<>(Set.of("analysts")), Map.of("level", Set.of("7", "true")), Optional.of("fraud")))
                .user(new User("bob", "", new TreeSet<>(Set.of("null")), Map.of(), Optional.empty()))
                .project(new Project("fraud", new TreeSet<>(Set.of("Fraud Detection")), new TreeSet<>(Set.of("sales.orders")), new TreeSet<>(Set.of("alice"))))
                .dataSource(new DataSource("sales.orders", "Orders #1", new RemoteLocation("postgres", "shop", "public", "orders"), ObjectType.TABLE,
                        List.of(Column.of("id", "bigint"), Column.of("region", "varchar(10)", "Region"), Column.of("email", "varchar", "PII.Email"),
                                Column.of("name", "char(20)", "PII.Name"), Column.of("amount", "decimal(12,2)", "Finance"),
                                Column.of("created", "timestamp(3) with time zone"), Column.of("day", "date"), Column.of("payload", "jsonb")),
                        new TreeSet<>(Set.of(Tag.of("Finance"))), new TreeSet<>(Set.of("bob")), Optional.of("created"), "salt: 'with' \"quotes\" #1"))
                .dataSource(new DataSource("sales.view", "sales.view", new RemoteLocation("trino", "c", "s", "v"), ObjectType.MATERIALIZED_VIEW,
                        List.of(Column.of("id", "integer"), Column.of("region", "varchar(10)")), new TreeSet<>(), new TreeSet<>(), Optional.empty(), "0123456789abcdef"))
                .approval(new AccessApproval("bob", "sales.orders", AccessType.WRITE))
                .definerViewOwner("bob")
                .accessGrantMapping(new AccessGrantMapping(Map.of(AccessType.READ, EnumSet.of(AccessValue.READ),
                        AccessType.WRITE, EnumSet.of(AccessValue.READ, AccessValue.WRITE, AccessValue.OWN))))
                .policy(new SubscriptionPolicy("grant", "Grant: read", 5, new PolicyScope.TaggedDataSources(new TreeSet<>(Set.of(Tag.of("Finance")))),
                        AccessType.READ, SubscriptionPolicy.Strength.GRANT,
                        new Audience.UsersMatching(new Condition.AllOf(List.of(new Condition.InGroup("analysts"),
                                new Condition.AnyOf(List.of(new Condition.HasAttribute("region", "EU"), new Condition.HasPurpose("Fraud Detection"), new Condition.IsUser("bob"))))))))
                .policy(new SubscriptionPolicy("guard", "guard", 3, new PolicyScope.AllDataSources(), AccessType.WRITE, SubscriptionPolicy.Strength.GUARDRAIL,
                        new Audience.NamedUsers(new TreeSet<>(Set.of("alice", "bob")))))
                .policy(new SubscriptionPolicy("asks", "asks", 4, new PolicyScope.DataSources(new TreeSet<>(Set.of("sales.orders"))), AccessType.WRITE,
                        SubscriptionPolicy.Strength.GRANT, new Audience.AnyoneWhoAsks()))
                .policy(new MaskingPolicy("mask", "mask", 1_000_000_000_000L, new PolicyScope.DataSourcesWithTaggedColumns(new TreeSet<>(Set.of(Tag.of("PII")))),
                        new ColumnSelector.ByTag(new TreeSet<>(Set.of(Tag.of("PII")))), new MaskMethod.Constant("null"),
                        Optional.of(CustomSql.parse("region = 'EU' AND user_in_group('analysts')")),
                        new Applicability.EveryoneExcept(new Condition.InGroup("analysts"))))
                .policy(new MaskingPolicy("round", "round", 6, new PolicyScope.DataSources(new TreeSet<>(Set.of("sales.orders"))),
                        new ColumnSelector.ByName(new TreeSet<>(Set.of("amount"))), new MaskMethod.RoundToBucket(new BigDecimal("1E+3")), Optional.empty(),
                        new Applicability.EveryoneWho(new Condition.HasPurpose("yes"))))
                .policy(new RowPolicy("rows", "rows", 7, new PolicyScope.DataSources(new TreeSet<>(Set.of("sales.orders"))),
                        new RowRule.MatchAttribute(ColumnChoice.tagged(Tag.of("Region")), "region"), new Applicability.Everyone()));
        extraPolicies.forEach(builder::policy);
        return builder.build();
    }

    // ---- generated policies over the rich state's catalog ----

    interface PolicyRecipe
    {
        dev.warden.policy.policies.Policy build(String id);
    }

    @Provide
    Arbitrary<List<PolicyRecipe>> policyLists()
    {
        Arbitrary<PolicyScope> scopes = Arbitraries.of(
                new PolicyScope.AllDataSources(),
                new PolicyScope.DataSources(new TreeSet<>(Set.of("sales.orders"))),
                new PolicyScope.TaggedDataSources(new TreeSet<>(Set.of(Tag.of("Finance")))),
                new PolicyScope.DataSourcesWithTaggedColumns(new TreeSet<>(Set.of(Tag.of("PII"), Tag.of("Region")))));
        Arbitrary<Condition> leaves = Arbitraries.of(
                new Condition.InGroup("analysts"), new Condition.InGroup("null"), new Condition.HasAttribute("region", "on"),
                new Condition.HasPurpose("yes"), new Condition.IsUser("alice"));
        Arbitrary<Condition> conditions = Arbitraries.oneOf(leaves,
                leaves.list().ofMinSize(1).ofMaxSize(3).map(Condition.AllOf::new),
                leaves.list().ofMinSize(1).ofMaxSize(3).map(Condition.AnyOf::new));
        Arbitrary<Applicability> applicabilities = Arbitraries.oneOf(
                Arbitraries.just(new Applicability.Everyone()),
                conditions.map(Applicability.EveryoneExcept::new),
                conditions.map(Applicability.EveryoneWho::new));
        Arbitrary<Audience> audiences = Arbitraries.oneOf(
                Arbitraries.of(new Audience.Anyone(), new Audience.AnyoneWhoAsks(), new Audience.NamedUsers(new TreeSet<>(Set.of("bob")))),
                conditions.map(Audience.UsersMatching::new));
        Arbitrary<MaskMethod> methods = Arbitraries.of(new MaskMethod.Nullify(), new MaskMethod.KeyedHash(), new MaskMethod.Constant("x: y"),
                new MaskMethod.RegexReplace("^(.)[a-z]+$", "$1***"), new MaskMethod.RoundToBucket(new BigDecimal("0.50")),
                new MaskMethod.TruncateToUnit(TimeUnit.QUARTER), new MaskMethod.RevealFirst(2), new MaskMethod.RevealLast(3));
        Arbitrary<ColumnSelector> selectors = Arbitraries.of(new ColumnSelector.ByTag(new TreeSet<>(Set.of(Tag.of("PII.Email")))),
                ColumnSelector.ByNamePattern.of("zz.*"));
        Arbitrary<RowRule> rules = Arbitraries.of(
                new RowRule.MatchGroups(ColumnChoice.tagged(Tag.of("Region"))),
                new RowRule.RecentEvents(30, TimeUnit.DAY),
                new RowRule.Minimize(10, List.of()),
                new RowRule.OnlyForPurposes(new TreeSet<>(Set.of("yes", "Fraud Detection"))),
                new RowRule.Where(CustomSql.parse("current_user = 'alice' OR length(\"region\") > 2")));
        Arbitrary<Long> sequences = Arbitraries.longs().between(1, 50);
        Arbitrary<PolicyRecipe> subscription = Combinators.combine(scopes, audiences, Arbitraries.of(AccessType.class), Arbitraries.of(SubscriptionPolicy.Strength.class), sequences)
                .as((scope, audience, type, strength, sequence) -> id -> new SubscriptionPolicy(id, id + " name", sequence, scope, type, strength, audience));
        // Masks are global here, so that a method need not fit every column it selects.
        Arbitrary<PolicyRecipe> masking = Combinators.combine(selectors, methods, applicabilities, sequences, Arbitraries.of(true, false))
                .as((selector, method, applicability, sequence, conditional) -> id -> new MaskingPolicy(id, id, sequence, new PolicyScope.AllDataSources(), selector, method,
                        conditional ? Optional.of(CustomSql.parse("region IS NULL")) : Optional.empty(), applicability));
        Arbitrary<PolicyRecipe> row = Combinators.combine(rules, applicabilities, sequences)
                .as((rule, applicability, sequence) -> id -> new RowPolicy(id, id, sequence, new PolicyScope.TaggedDataSources(new TreeSet<>(Set.of(Tag.of("Finance")))), rule, applicability));
        return Arbitraries.oneOf(subscription, masking, row).list().ofMaxSize(8);
    }
}
