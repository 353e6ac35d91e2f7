package dev.warden.policy.engine;

import dev.warden.policy.engine.Reason.Outcome;
import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.PersonNode;
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
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.state.InvalidStateException;
import dev.warden.policy.state.PolicyState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static dev.warden.policy.testing.TestPolicies.SALT;
import static dev.warden.policy.testing.TestPolicies.anyone;
import static dev.warden.policy.testing.TestPolicies.dataSource;
import static dev.warden.policy.testing.TestPolicies.everyone;
import static dev.warden.policy.testing.TestPolicies.everywhere;
import static dev.warden.policy.testing.TestPolicies.exceptGroup;
import static dev.warden.policy.testing.TestPolicies.grant;
import static dev.warden.policy.testing.TestPolicies.guardrail;
import static dev.warden.policy.testing.TestPolicies.mask;
import static dev.warden.policy.testing.TestPolicies.matching;
import static dev.warden.policy.testing.TestPolicies.named;
import static dev.warden.policy.testing.TestPolicies.on;
import static dev.warden.policy.testing.TestPolicies.onTagged;
import static dev.warden.policy.testing.TestPolicies.rows;
import static dev.warden.policy.testing.TestPolicies.taggedColumns;
import static dev.warden.policy.testing.TestPolicies.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyEngineTest
{
    private static final DataSource ORDERS = dataSource("orders", List.of(
            Column.of("id", "bigint"),
            Column.of("email", "varchar", "PII.Email"),
            Column.of("ssn", "varchar(11)", "PII.Government"),
            Column.of("amount", "decimal(12,2)", "Finance"),
            Column.of("region", "varchar"),
            Column.of("placed_at", "timestamp(3)")), "Sales.Orders");

    private static PolicyState.Builder base()
    {
        return withoutDataSources().dataSource(ORDERS);
    }

    private static PolicyState.Builder withoutDataSources()
    {
        return PolicyState.builder()
                .tag(Tag.of("PII.Email")).tag(Tag.of("PII.Government")).tag(Tag.of("Finance")).tag(Tag.of("Sales.Orders"))
                .group(new Group("analysts", Map.of("region", Set.of("EU"))))
                .group(Group.of("hr"))
                .group(Group.of("auditors"))
                .purpose(new Purpose("Fraud", "fraud detection"))
                .user(user("alice", Set.of("analysts"), Map.of("clearance", Set.of("high"))))
                .user(user("bob", Set.of(), Map.of()))
                .user(user("hannah", Set.of("hr"), Map.of()));
    }

    private static Decision decide(PolicyState state, String user)
    {
        return new PolicyEngine(state).decide(user, Optional.empty(), "orders");
    }

    @Test
    void withoutPoliciesNobodyHasAccess()
    {
        Decision decision = decide(base().build(), "alice");
        assertThat(decision.accessValues()).isEmpty();
        assertThat(decision.masks()).isEmpty();
        assertThat(decision.rowFilter()).isEmpty();
    }

    @Test
    void readAndWriteGrantsMapToAccessValues()
    {
        PolicyState state = base()
                .policy(grant("read-all", on("orders"), AccessType.READ, anyone()))
                .policy(grant("write-analysts", on("orders"), AccessType.WRITE, matching(new Condition.InGroup("analysts"))))
                .build();
        assertThat(decide(state, "bob").accessValues()).containsExactly(AccessValue.READ);
        assertThat(decide(state, "alice").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
    }

    @Test
    void grantsCombineWithOr()
    {
        PolicyState state = base()
                .policy(grant("hr-only", on("orders"), AccessType.READ, matching(new Condition.InGroup("hr"))))
                .policy(grant("analysts-only", on("orders"), AccessType.READ, matching(new Condition.InGroup("analysts"))))
                .build();
        assertThat(decide(state, "alice").accessValues()).containsExactly(AccessValue.READ);
        assertThat(decide(state, "hannah").accessValues()).containsExactly(AccessValue.READ);
        assertThat(decide(state, "bob").accessValues()).isEmpty();
        assertThat(decide(state, "alice").reasons())
                .anySatisfy(reason -> assertThat(reason).extracting(Reason::policyId, Reason::outcome).containsExactly("analysts-only", Outcome.APPLIED))
                .anySatisfy(reason -> assertThat(reason).extracting(Reason::policyId, Reason::outcome).containsExactly("hr-only", Outcome.NOT_APPLIED));
    }

    @Test
    void guardrailsCombineWithAndAndNoGrantOverridesThem()
    {
        PolicyState state = base()
                .policy(grant("everyone-writes", on("orders"), AccessType.WRITE, anyone()))
                .policy(guardrail("high-clearance", everywhere(), AccessType.READ, matching(new Condition.HasAttribute("clearance", "high"))))
                .policy(guardrail("analysts-write", everywhere(), AccessType.WRITE, matching(new Condition.InGroup("analysts"))))
                .build();
        assertThat(decide(state, "alice").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
        // bob fails the READ guardrail, which gates WRITE too
        Decision bob = decide(state, "bob");
        assertThat(bob.accessValues()).isEmpty();
        assertThat(bob.reasons()).anySatisfy(reason -> {
            assertThat(reason.policyId()).isEqualTo("high-clearance");
            assertThat(reason.explanation()).contains("guardrail not met").contains("READ or WRITE");
        });
    }

    @Test
    void writeGuardrailLeavesReadAlone()
    {
        PolicyState state = base()
                .policy(grant("everyone-writes", on("orders"), AccessType.WRITE, anyone()))
                .policy(guardrail("analysts-write", everywhere(), AccessType.WRITE, matching(new Condition.InGroup("analysts"))))
                .build();
        assertThat(decide(state, "bob").accessValues()).containsExactly(AccessValue.READ);
    }

    @Test
    void ownersHaveReadAndWriteButGuardrailsStillHold()
    {
        DataSource owned = new DataSource("orders", "orders", ORDERS.location(), ObjectType.TABLE, ORDERS.columns(), ORDERS.tags(),
                new TreeSet<>(Set.of("bob")), Optional.empty(), SALT);
        PolicyState open = withoutDataSources().dataSource(owned).build();
        assertThat(decide(open, "bob").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
        assertThat(decide(open, "bob").reasons()).anySatisfy(reason -> assertThat(reason.policyId()).isEqualTo(Reason.OWNERSHIP));

        PolicyState guarded = withoutDataSources().dataSource(owned)
                .policy(guardrail("clearance", everywhere(), AccessType.READ, matching(new Condition.HasAttribute("clearance", "high"))))
                .build();
        assertThat(decide(guarded, "bob").accessValues()).isEmpty();
    }

    @Test
    void anyoneWhoAsksNeedsAnApprovedRequestForThatAccessType()
    {
        PolicyState.Builder builder = base().policy(grant("on-request", on("orders"), AccessType.WRITE, new Audience.AnyoneWhoAsks()));
        assertThat(decide(builder.build(), "bob").accessValues()).isEmpty();
        builder.approval(new AccessApproval("bob", "orders", AccessType.WRITE));
        assertThat(decide(builder.build(), "bob").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
        assertThat(decide(builder.build(), "alice").accessValues()).isEmpty();
    }

    @Test
    void namedUsers()
    {
        PolicyState state = base().policy(grant("named", on("orders"), AccessType.READ, new Audience.NamedUsers(new TreeSet<>(Set.of("bob"))))).build();
        assertThat(decide(state, "bob").accessValues()).containsExactly(AccessValue.READ);
        assertThat(decide(state, "alice").accessValues()).isEmpty();
    }

    @Test
    void accessGrantMappingCanGrantOwn()
    {
        PolicyState state = base()
                .accessGrantMapping(new AccessGrantMapping(Map.of(
                        AccessType.READ, EnumSet.of(AccessValue.READ),
                        AccessType.WRITE, EnumSet.of(AccessValue.READ, AccessValue.WRITE, AccessValue.OWN))))
                .policy(grant("write", on("orders"), AccessType.WRITE, anyone()))
                .build();
        assertThat(decide(state, "bob").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE, AccessValue.OWN);
    }

    @Test
    void accessGrantMappingMustIncludeReadAndNeverCreate()
    {
        assertThatThrownBy(() -> new AccessGrantMapping(Map.of(AccessType.READ, EnumSet.of(AccessValue.READ), AccessType.WRITE, EnumSet.of(AccessValue.WRITE))))
                .hasMessage("accessGrantMapping.WRITE: must include READ");
        assertThatThrownBy(() -> new AccessGrantMapping(Map.of(AccessType.READ, EnumSet.of(AccessValue.READ, AccessValue.CREATE), AccessType.WRITE, EnumSet.of(AccessValue.READ))))
                .hasMessageStartingWith("accessGrantMapping.READ: must not include CREATE");
    }

    @Test
    void writeIsNotGrantedOnViews()
    {
        DataSource view = new DataSource("orders", "orders", ORDERS.location(), ObjectType.VIEW, ORDERS.columns(), ORDERS.tags(),
                new TreeSet<>(), Optional.empty(), SALT);
        PolicyState state = withoutDataSources().dataSource(view).policy(grant("write", on("orders"), AccessType.WRITE, anyone())).build();
        assertThat(decide(state, "bob").accessValues()).containsExactly(AccessValue.READ);
    }

    @Test
    void globalPolicyOnParentTagCoversDataSourcesWithChildTags()
    {
        PolicyState state = base().policy(grant("sales", onTagged("Sales"), AccessType.READ, anyone())).build();
        assertThat(decide(state, "bob").accessValues()).containsExactly(AccessValue.READ);
    }

    @Test
    void policiesOutOfScopeAreListedWithWhy()
    {
        PolicyState state = base().tag(Tag.of("Marketing")).policy(grant("marketing", onTagged("Marketing"), AccessType.READ, anyone())).build();
        Decision decision = decide(state, "bob");
        assertThat(decision.accessValues()).isEmpty();
        assertThat(decision.reasons()).singleElement().satisfies(reason -> {
            assertThat(reason.policyId()).isEqualTo("marketing");
            assertThat(reason.outcome()).isEqualTo(Outcome.NOT_IN_FORCE);
            assertThat(reason.explanation()).contains("data sources tagged [Marketing]");
        });
    }

    @Test
    void deeperTagWinsAndTheOtherIsReportedOverridden()
    {
        PolicyState state = readable()
                .policy(mask("pii-null", everywhere(), taggedColumns("PII"), new MaskMethod.Nullify(), everyone()))
                .policy(mask("email-hash", everywhere(), taggedColumns("PII.Email"), new MaskMethod.KeyedHash(), everyone()))
                .build();
        Decision decision = decide(state, "bob");
        assertThat(decision.masks().get("email")).isEqualTo(new Expression.Cast(new Expression.Sha256Hex(new Expression.Column("email"), SALT), SqlType.VARCHAR));
        assertThat(decision.masks().get("ssn")).isEqualTo(new Expression.NullLiteral(SqlType.varchar(11)));
        assertThat(decision.reasons()).anySatisfy(reason -> {
            assertThat(reason.policyId()).isEqualTo("pii-null");
            assertThat(reason.outcome()).isEqualTo(Outcome.OVERRIDDEN);
            assertThat(reason.explanation()).contains("'email'").contains("email-hash");
        });
    }

    @Test
    void atEqualDepthTheEarlierCreatedPolicyWinsWhateverTheInsertionOrder()
    {
        var first = mask("first", everywhere(), taggedColumns("PII.Email"), new MaskMethod.Constant("hidden"), everyone());
        var second = mask("second", everywhere(), taggedColumns("PII.Email"), new MaskMethod.Nullify(), everyone());
        for (List<Policy> order : List.of(List.<Policy>of(first, second), List.<Policy>of(second, first))) {
            PolicyState.Builder builder = readable();
            order.forEach(builder::policy);
            assertThat(decide(builder.build(), "bob").masks().get("email"))
                    .isEqualTo(new Expression.Cast(new Expression.StringLiteral("hidden"), SqlType.VARCHAR));
        }
    }

    @Test
    void namedColumnBeatsAnyTag()
    {
        PolicyState state = readable()
                .policy(mask("email-hash", everywhere(), taggedColumns("PII.Email"), new MaskMethod.KeyedHash(), everyone()))
                .policy(mask("email-first", on("orders"), named("email"), new MaskMethod.RevealFirst(2), everyone()))
                .build();
        assertThat(decide(state, "bob").reasons())
                .anySatisfy(reason -> assertThat(reason).extracting(Reason::policyId, Reason::outcome).containsExactly("email-first", Outcome.APPLIED))
                .anySatisfy(reason -> assertThat(reason).extracting(Reason::policyId, Reason::outcome).containsExactly("email-hash", Outcome.OVERRIDDEN));
    }

    @Test
    void exemptUsersSeeTheColumnEvenWhenABroaderPolicyExists()
    {
        PolicyState state = readable()
                .policy(mask("pii-null", everywhere(), taggedColumns("PII"), new MaskMethod.Nullify(), everyone()))
                .policy(mask("email-not-hr", everywhere(), taggedColumns("PII.Email"), new MaskMethod.KeyedHash(), exceptGroup("hr")))
                .build();
        Decision hannah = decide(state, "hannah");
        assertThat(hannah.masks()).containsOnlyKeys("ssn");
        assertThat(hannah.reasons()).anySatisfy(reason -> {
            assertThat(reason.policyId()).isEqualTo("email-not-hr");
            assertThat(reason.outcome()).isEqualTo(Outcome.NOT_APPLIED);
            assertThat(reason.explanation()).contains("column 'email' shown");
        });
        assertThat(decide(state, "bob").masks()).containsOnlyKeys("email", "ssn");
    }

    @Test
    void globalMaskThatCannotApplyToATypeFallsBackToNull()
    {
        PolicyState state = readable()
                .policy(mask("finance-hash", everywhere(), taggedColumns("Finance"), new MaskMethod.KeyedHash(), everyone()))
                .build();
        Decision decision = decide(state, "bob");
        assertThat(decision.masks()).containsEntry("amount", new Expression.NullLiteral(SqlType.decimal(12, 2)));
        assertThat(decision.reasons()).anySatisfy(reason -> assertThat(reason.explanation())
                .contains("column 'amount' masked with NULL instead, because a keyed hash applies to text, and the column is decimal(12,2)"));
    }

    @Test
    void localMaskThatCannotApplyIsRefusedNamingTheColumn()
    {
        assertThatThrownBy(() -> readable()
                .policy(mask("amount-hash", on("orders"), named("amount"), new MaskMethod.KeyedHash(), everyone()))
                .build())
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("policies[amount-hash].method: cannot mask column 'amount' of data source 'orders': a keyed hash applies to text, and the column is decimal(12,2)");
    }

    @Test
    void everyMaskMethodBuildsAnExpressionOfTheColumnsType()
    {
        PolicyState state = readable()
                .policy(mask("round", on("orders"), named("amount"), new MaskMethod.RoundToBucket(new BigDecimal("100")), everyone()))
                .policy(mask("trunc", on("orders"), named("placed_at"), new MaskMethod.TruncateToUnit(TimeUnit.MONTH), everyone()))
                .policy(mask("last", on("orders"), named("ssn"), new MaskMethod.RevealLast(4), everyone()))
                .policy(mask("regex", on("orders"), named("email"), new MaskMethod.RegexReplace("^[^@]+", "***"), everyone()))
                .build();
        Map<String, Expression> masks = decide(state, "bob").masks();
        assertThat(masks.get("amount")).isInstanceOfSatisfying(Expression.Cast.class, cast -> assertThat(cast.type()).isEqualTo(SqlType.decimal(12, 2)));
        assertThat(masks.get("placed_at")).isInstanceOfSatisfying(Expression.Cast.class, cast -> assertThat(cast.type()).isEqualTo(SqlType.parse("timestamp(3)")));
        assertThat(masks.get("ssn")).isInstanceOfSatisfying(Expression.Cast.class, cast -> assertThat(cast.type()).isEqualTo(SqlType.varchar(11)));
        assertThat(masks).containsOnlyKeys("email", "ssn", "amount", "placed_at");
    }

    @Test
    void constantMustBeAValueOfTheColumnsType()
    {
        assertThatThrownBy(() -> readable()
                .policy(mask("amount-text", on("orders"), named("amount"), new MaskMethod.Constant("n/a"), everyone()))
                .build())
                .hasMessageContaining("cannot mask column 'amount' of data source 'orders': the constant 'n/a' is not a decimal(12,2) value");
    }

    @Test
    void rowPoliciesAllApplyCombinedWithAnd()
    {
        PolicyState state = readable()
                .policy(rows("own-region", on("orders"), new RowRule.MatchAttribute(ColumnChoice.named("region"), "region"), everyone()))
                .policy(rows("recent", everywhere(), new RowRule.Minimize(10, List.of("id")), exceptGroup("auditors")))
                .build();
        Expression filter = decide(state, "alice").rowFilter().orElseThrow();
        assertThat(filter).isEqualTo(Expressions.and(List.of(
                new PersonNode.SetContains(new PersonNode.Attribute("region"), new Expression.Column("region")),
                new Expression.Comparison(Expression.ComparisonOperator.LESS_THAN,
                        new Expression.HashBucket(List.of(new Expression.Column("id")), SALT, 100), Expressions.number(10)))));
    }

    @Test
    void purposeRestrictionIsAnsweredForTheUser()
    {
        PolicyState.Builder builder = readable()
                .project(new Project("fraud-review", new TreeSet<>(Set.of("Fraud")), new TreeSet<>(), new TreeSet<>(Set.of("alice"))))
                .policy(rows("fraud-only", on("orders"), new RowRule.OnlyForPurposes(new TreeSet<>(Set.of("Fraud"))), everyone()));
        PolicyEngine engine = new PolicyEngine(builder.build());
        assertThat(engine.decide("alice", Optional.of("fraud-review"), "orders").rowFilter()).isEmpty();
        assertThat(engine.decide("alice", Optional.empty(), "orders").rowFilter()).contains(Expressions.FALSE);
        assertThat(engine.decide("alice", Optional.empty(), "orders").reasons())
                .anySatisfy(reason -> assertThat(reason.explanation()).contains("the user qualifies for no rows"));
    }

    @Test
    void ruleThatCannotApplyToADataSourceFailsClosed()
    {
        PolicyState state = readable()
                .policy(rows("recent", everywhere(), new RowRule.RecentEvents(30, TimeUnit.DAY), everyone()))
                .build();
        Decision decision = decide(state, "bob");
        assertThat(decision.rowFilter()).contains(Expressions.FALSE);
        assertThat(decision.reasons()).anySatisfy(reason -> assertThat(reason.explanation()).contains("no event-time column; no rows are shown"));
    }

    @Test
    void usersInheritTheirGroupsAttributes()
    {
        UserContext alice = base().build().userContext("alice", Optional.empty());
        assertThat(alice.attributes()).containsEntry("region", Set.of("EU")).containsEntry("clearance", Set.of("high"));
    }

    @Test
    void stateReportsEveryBrokenReferenceAtOnce()
    {
        assertThatThrownBy(() -> base()
                .user(user("carol", Set.of("nope"), Map.of()))
                .policy(grant("g", on("missing"), AccessType.READ, matching(new Condition.HasPurpose("Unknown"))))
                .policy(mask("m", on("orders"), named("no_such_column"), new MaskMethod.Nullify(), everyone()))
                .build())
                .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.problems())
                        .extracting(Exception::getMessage)
                        .containsExactlyInAnyOrder(
                                "users[carol].groups: names group 'nope', which does not exist",
                                "policies[g].scope.dataSources: names data source 'missing', which does not exist",
                                "policies[g].audience.condition.purpose: names purpose 'Unknown', which does not exist",
                                "policies[m].columns: names column 'no_such_column', which data source 'orders' does not have"));
    }

    @Test
    void anEngineForALaterStateDecidesAsANewEngineWouldWhetherOrNotThePoliciesChanged()
    {
        PolicyState state = base()
                .group(Group.of("readers"))
                .policy(grant("readers-read", on("orders"), AccessType.READ, matching(new Condition.InGroup("readers"))))
                .policy(grant("askers-write", on("orders"), AccessType.WRITE, new Audience.AnyoneWhoAsks()))
                .policy(mask("hide-pii", everywhere(), taggedColumns("PII"), new MaskMethod.Nullify(), everyone()))
                .build();
        PolicyEngine engine = new PolicyEngine(state);
        // Plans orders, so that an engine sharing the plan cache has one to reuse or to refuse.
        assertThat(engine.decide("bob", Optional.empty(), "orders").hasAccess()).isFalse();

        PolicyState bobReads = state.update().putUser(user("bob", Set.of("readers"), Map.of())).build();
        PolicyState bobAsked = bobReads.update().putApproval(new AccessApproval("bob", "orders", AccessType.WRITE)).build();
        PolicyState emailUntagged = bobAsked.update().putDataSource(dataSource("orders", List.of(Column.of("id", "bigint"), Column.of("email", "varchar")), "Sales.Orders")).build();
        PolicyState maskRemoved = emailUntagged.update().putDataSource(ORDERS).removePolicy("hide-pii").build();

        assertThat(engine.withState(bobReads).decide("bob", Optional.empty(), "orders").accessValues()).containsExactly(AccessValue.READ);
        assertThat(engine.withState(bobAsked).decide("bob", Optional.empty(), "orders").accessValues()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
        assertThat(engine.withState(bobAsked).decide("bob", Optional.empty(), "orders").masks()).containsOnlyKeys("email", "ssn");
        assertThat(engine.withState(emailUntagged).decide("bob", Optional.empty(), "orders").masks()).isEmpty();
        assertThat(engine.withState(emailUntagged).withState(maskRemoved).decide("bob", Optional.empty(), "orders").masks()).isEmpty();
        assertThat(engine.keptEveryPlan()).as("an engine made afresh").isFalse();
        assertThat(engine.withState(bobReads).keptEveryPlan()).as("an engine that shares its predecessor's plans").isTrue();
        for (PolicyState later : List.of(bobReads, bobAsked, emailUntagged, maskRemoved)) {
            PolicyEngine carried = engine.withState(later);
            assertThat(carried.state()).isSameAs(later);
            for (String user : List.of("alice", "bob", "hannah")) {
                assertThat(carried.decide(user, Optional.empty(), "orders")).isEqualTo(new PolicyEngine(later).decide(user, Optional.empty(), "orders"));
            }
        }
    }

    @Test
    void anEngineForChangedPoliciesKeepsThePlansTheChangeLeavesAndMakesAgainThoseItTouches()
    {
        DataSource customers = dataSource("customers", List.of(Column.of("id", "bigint"), Column.of("email", "varchar", "PII.Email"), Column.of("region", "varchar")));
        DataSource payments = dataSource("payments", List.of(Column.of("id", "bigint"), Column.of("amount", "decimal(12,2)", "Finance")), "Finance");
        PolicyState state = base()
                .dataSource(customers)
                .dataSource(payments)
                .policy(grant("read-orders", on("orders"), AccessType.READ, anyone()))
                .policy(grant("read-customers", on("customers"), AccessType.READ, matching(new Condition.InGroup("analysts"))))
                .policy(grant("read-finance", onTagged("Finance"), AccessType.READ, matching(new Condition.HasAttribute("clearance", "high"))))
                .policy(mask("hide-email", on("orders", "customers"), taggedColumns("PII.Email"), new MaskMethod.Nullify(), exceptGroup("analysts")))
                .policy(mask("round-amounts", everywhere(), taggedColumns("Finance"), new MaskMethod.RoundToBucket(new BigDecimal("100")), exceptGroup("hr")))
                .policy(rows("eu-rows", on("customers"), new RowRule.MatchGroups(ColumnChoice.named("region")), everyone()))
                .build();
        PolicyEngine engine = new PolicyEngine(state);
        List<DataSource> all = List.of(ORDERS, customers, payments);
        all.forEach(engine::prepare);

        // A subscription policy on payments: orders and customers keep their plans; payments is planned again ahead,
        // with its masks as they were.
        PolicyState hrPays = state.update()
                .putPolicy(grant("hr-payments", on("payments"), AccessType.WRITE, matching(new Condition.InGroup("hr"))))
                .build();
        PolicyEngine afterAdding = engine.withState(hrPays);
        assertThat(afterAdding.keptPlan(ORDERS).masks()).isSameAs(engine.keptPlan(ORDERS).masks());
        assertThat(afterAdding.keptPlan(customers).rows()).isSameAs(engine.keptPlan(customers).rows());
        assertThat(afterAdding.keptPlan(payments).subscriptions()).hasSize(engine.keptPlan(payments).subscriptions().size() + 1);
        assertThat(afterAdding.keptPlan(payments).masks()).isSameAs(engine.keptPlan(payments).masks());
        assertKeptEveryPlan(engine, afterAdding, all);
        assertDecidesAsANewEngine(afterAdding, all);

        // A mask on orders and customers replaced: both are planned again, customers with its row filters as they were.
        PolicyState emailHashed = hrPays.update()
                .putPolicy(mask("hide-email", on("orders", "customers"), taggedColumns("PII.Email"), new MaskMethod.KeyedHash(), exceptGroup("hr")))
                .build();
        PolicyEngine afterReplacing = afterAdding.withState(emailHashed);
        assertThat(afterReplacing.keptPlan(ORDERS).masks()).isNotSameAs(afterAdding.keptPlan(ORDERS).masks());
        assertThat(afterReplacing.keptPlan(customers).masks()).isNotSameAs(afterAdding.keptPlan(customers).masks());
        assertThat(afterReplacing.keptPlan(customers).rows()).isSameAs(afterAdding.keptPlan(customers).rows());
        assertThat(afterReplacing.keptPlan(payments).masks()).isSameAs(afterAdding.keptPlan(payments).masks());
        assertKeptEveryPlan(afterAdding, afterReplacing, all);
        assertDecidesAsANewEngine(afterReplacing, all);

        PolicyState customersClosed = emailHashed.update().removePolicy("read-customers").build();
        PolicyEngine afterRemoving = afterReplacing.withState(customersClosed);
        assertThat(afterRemoving.keptPlan(customers).subscriptions()).isEmpty();
        assertThat(afterRemoving.keptPlan(customers).masks()).isSameAs(afterReplacing.keptPlan(customers).masks());
        assertKeptEveryPlan(afterReplacing, afterRemoving, all);
        assertDecidesAsANewEngine(afterRemoving, all);

        PolicyState everywhereRead = customersClosed.update().putPolicy(grant("read-all", everywhere(), AccessType.READ, anyone())).build();
        assertDecidesAsANewEngine(afterRemoving.withState(everywhereRead), all);
    }

    @Test
    void plansKeptAcrossAChangeOfPolicyNumbersGiveTheNewEnginesReasons()
    {
        DataSource customers = dataSource("customers", List.of(Column.of("id", "bigint"), Column.of("email", "varchar", "PII.Email")));
        SubscriptionPolicy readCustomers = grant("read-customers", on("customers"), AccessType.READ, anyone());
        PolicyState state = base()
                .dataSource(customers)
                .policy(grant("read-orders", on("orders"), AccessType.READ, anyone()))
                .policy(readCustomers)
                .policy(mask("hide-email", on("customers"), taggedColumns("PII.Email"), new MaskMethod.Nullify(), exceptGroup("analysts")))
                .build();
        PolicyEngine engine = new PolicyEngine(state);
        List<DataSource> both = List.of(ORDERS, customers);
        both.forEach(engine::prepare);

        // Renamed in its place: every policy keeps its number, so orders keeps its very plan, but its decisions give
        // the reason the renamed policy has now for not being in force there.
        PolicyState renamed = state.update()
                .putPolicy(new SubscriptionPolicy("read-customers", "Customers for everyone", readCustomers.sequence(), readCustomers.scope(),
                        readCustomers.accessType(), readCustomers.strength(), readCustomers.audience()))
                .build();
        PolicyEngine afterRenaming = engine.withState(renamed);
        assertThat(afterRenaming.keptPlan(ORDERS)).isSameAs(engine.keptPlan(ORDERS));
        assertThat(afterRenaming.decide("bob", Optional.empty(), "orders").reasons())
                .filteredOn(reason -> reason.policyId().equals("read-customers"))
                .singleElement()
                .satisfies(reason -> {
                    assertThat(reason.policyName()).isEqualTo("Customers for everyone");
                    assertThat(reason.outcome()).isEqualTo(Outcome.NOT_IN_FORCE);
                });
        assertKeptEveryPlan(engine, afterRenaming, both);
        assertDecidesAsANewEngine(afterRenaming, both);

        // A policy that comes before every other moves all their numbers up: orders keeps its plan, renumbered.
        PolicyState first = renamed.update()
                .putPolicy(new SubscriptionPolicy("customers-first", "customers-first", Long.MIN_VALUE, on("customers"), AccessType.WRITE,
                        SubscriptionPolicy.Strength.GRANT, matching(new Condition.InGroup("analysts"))))
                .build();
        PolicyEngine afterInserting = afterRenaming.withState(first);
        assertThat(afterInserting.keptPlan(ORDERS)).isNotSameAs(afterRenaming.keptPlan(ORDERS));
        assertThat(afterInserting.keptPlan(ORDERS).masks()).isSameAs(afterRenaming.keptPlan(ORDERS).masks());
        assertKeptEveryPlan(afterRenaming, afterInserting, both);
        assertDecidesAsANewEngine(afterInserting, both);
    }

    /** The engine says it kept every plan, and it did: each data source its predecessor had planned has a plan. */
    private static void assertKeptEveryPlan(PolicyEngine before, PolicyEngine after, List<DataSource> dataSources)
    {
        assertThat(after.keptEveryPlan()).isTrue();
        assertThat(dataSources).allSatisfy(dataSource -> {
            if (before.keptPlan(dataSource) != null) {
                assertThat(after.keptPlan(dataSource)).as(dataSource.id()).isNotNull();
            }
        });
    }

    @Test
    void aChangeThatTouchesManyDataSourcesLeavesThemToBePlannedOnDemand()
    {
        PolicyState.Builder builder = readable();
        List<DataSource> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            DataSource table = dataSource("table-" + i, List.of(Column.of("id", "bigint"), Column.of("amount", "decimal(12,2)", "Finance")), "Finance");
            many.add(table);
            builder.dataSource(table);
        }
        PolicyState state = builder.build();
        PolicyEngine engine = new PolicyEngine(state);
        many.forEach(engine::prepare);
        engine.prepare(ORDERS);

        PolicyEngine changed = engine.withState(state.update()
                .putPolicy(grant("read-finance", onTagged("Finance"), AccessType.READ, anyone()))
                .build());
        assertThat(many).allSatisfy(table -> assertThat(changed.keptPlan(table)).as(table.id()).isNull());
        assertThat(changed.keptPlan(ORDERS)).as("orders: the change does not cover it").isNotNull();
        assertThat(changed.keptEveryPlan()).as("an engine that left plans to be made on demand").isFalse();
        assertDecidesAsANewEngine(changed, many.subList(0, 5));
    }

    @Test
    void enginesForManyChangesInARowKeepDecidingAsANewEngineWould()
    {
        DataSource customers = dataSource("customers", List.of(Column.of("id", "bigint"), Column.of("email", "varchar", "PII.Email")));
        PolicyState state = readable().dataSource(customers).build();
        state = withChangingPolicies(state, "first");
        // Created after the changing policies, so that its condition's number differs between a numbering continued
        // from engine to engine and one made afresh: a plan kept across a fresh numbering would ask the wrong condition.
        state = state.update()
                .putPolicy(grant("read-customers", on("customers"), AccessType.READ, matching(new Condition.InGroup("analysts"))))
                .putPolicy(mask("hide-email", on("customers"), taggedColumns("PII.Email"), new MaskMethod.Nullify(), exceptGroup("hr")))
                .build();
        List<DataSource> both = List.of(ORDERS, customers);
        PolicyEngine engine = new PolicyEngine(state);
        both.forEach(engine::prepare);
        // Each change brings conditions no other policy has and retires those before, so that retired conditions pile up
        // in the numbering that engines continue, until an engine starts it afresh.
        int keptCustomers = 0;
        for (int i = 0; i < 200; i++) {
            state = withChangingPolicies(state, "level-" + i);
            engine = engine.withState(state);
            // The changed policies do not cover customers: its plan is kept, but by an engine that numbers afresh.
            keptCustomers += engine.keptPlan(customers) != null ? 1 : 0;
            assertDecidesAsANewEngine(engine, both);
        }
        assertThat(keptCustomers).as("engines that kept the plan of customers").isBetween(150, 199);
        PolicyState highClearance = state.update()
                .putUser(user("bob", Set.of(), Map.of("clearance", Set.of("level-199"))))
                .build();
        Decision bob = engine.withState(highClearance).decide("bob", Optional.empty(), "orders");
        assertThat(bob.accessValues()).contains(AccessValue.WRITE);
        assertThat(bob.masks()).doesNotContainKey("amount");
    }

    /** A WRITE grant and a mask on orders, both for holders of clearance {@code level}. */
    private static PolicyState withChangingPolicies(PolicyState state, String level)
    {
        Condition holders = new Condition.HasAttribute("clearance", level);
        return state.update()
                .putPolicy(grant("changing", on("orders"), AccessType.WRITE, matching(holders)))
                .putPolicy(mask("changing-mask", on("orders"), taggedColumns("Finance"), new MaskMethod.Nullify(), new Applicability.EveryoneExcept(holders)))
                .build();
    }

    private static void assertDecidesAsANewEngine(PolicyEngine engine, List<DataSource> dataSources)
    {
        PolicyEngine fresh = new PolicyEngine(engine.state());
        for (String user : List.of("alice", "bob", "hannah")) {
            for (DataSource dataSource : dataSources) {
                assertThat(engine.decide(user, Optional.empty(), dataSource.id()))
                        .as("%s on %s", user, dataSource.id())
                        .isEqualTo(fresh.decide(user, Optional.empty(), dataSource.id()));
            }
        }
    }

    @Test
    void preparedPlansDecideAsPlansMadeOnDemandAndStopAtTheCacheCapacity()
    {
        DataSource customers = dataSource("customers", List.of(Column.of("id", "bigint"), Column.of("email", "varchar", "PII.Email")));
        PolicyState state = readable()
                .dataSource(customers)
                .policy(grant("read-customers", on("customers"), AccessType.READ, anyone()))
                .policy(mask("mask-email", everywhere(), taggedColumns("PII.Email"), new MaskMethod.Nullify(), exceptGroup("analysts")))
                .build();

        PolicyEngine oneplan = new PolicyEngine(state, 1);
        assertThat(oneplan.prepare(ORDERS)).isTrue();
        assertThat(oneplan.prepare(ORDERS)).as("a kept plan needs no room").isTrue();
        assertThat(oneplan.prepare(customers)).as("the cache holds one plan").isFalse();

        PolicyEngine prepared = new PolicyEngine(state);
        prepared.prepare(ORDERS);
        prepared.prepare(customers);
        for (String user : List.of("alice", "bob", "hannah")) {
            for (String dataSource : List.of("orders", "customers")) {
                assertThat(prepared.decide(user, Optional.empty(), dataSource))
                        .isEqualTo(new PolicyEngine(state, 0).decide(user, Optional.empty(), dataSource));
            }
        }
        assertThat(new PolicyEngine(state, 0).prepare(ORDERS)).as("an engine that keeps no plans").isFalse();
    }

    @Test
    void decisionsDoNotDependOnTheOrderPoliciesWereAdded()
    {
        List<Policy> policies = new ArrayList<>(List.of(
                grant("read", everywhere(), AccessType.READ, anyone()),
                mask("a", everywhere(), taggedColumns("PII"), new MaskMethod.Nullify(), everyone()),
                mask("b", everywhere(), taggedColumns("PII.Email"), new MaskMethod.KeyedHash(), everyone()),
                mask("c", everywhere(), taggedColumns("PII.Email"), new MaskMethod.RevealFirst(1), everyone()),
                rows("r1", everywhere(), new RowRule.MatchGroups(ColumnChoice.named("region")), everyone()),
                rows("r2", everywhere(), new RowRule.Minimize(50, List.of()), everyone())));
        Decision reference = null;
        Random random = new Random(42);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(policies, random);
            PolicyState.Builder builder = base();
            policies.forEach(builder::policy);
            Decision decision = decide(builder.build(), "alice");
            if (reference == null) {
                reference = decision;
            }
            assertThat(decision).isEqualTo(reference);
        }
    }

    private static PolicyState.Builder readable()
    {
        return base().policy(grant("read", on("orders"), AccessType.READ, anyone()));
    }
}
