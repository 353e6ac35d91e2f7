package dev.warden.policy.engine;

import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Tag;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static dev.warden.policy.testing.TestPolicies.anyone;
import static dev.warden.policy.testing.TestPolicies.dataSource;
import static dev.warden.policy.testing.TestPolicies.everyone;
import static dev.warden.policy.testing.TestPolicies.everywhere;
import static dev.warden.policy.testing.TestPolicies.grant;
import static dev.warden.policy.testing.TestPolicies.mask;
import static dev.warden.policy.testing.TestPolicies.named;
import static dev.warden.policy.testing.TestPolicies.on;
import static dev.warden.policy.testing.TestPolicies.onTagged;
import static dev.warden.policy.testing.TestPolicies.rows;
import static dev.warden.policy.testing.TestPolicies.taggedColumns;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index finds exactly the policies in force by their definition ({@link PolicyScope#covers}, and for a global mask,
 * a selector that may pick a column), and the plan's view of the reasons not in force lists exactly the others.
 */
class PolicyIndexTest
{
    private static final List<String> TAGS = List.of("PII", "PII.Email", "PII.Email.Work", "PII.Phone", "Finance", "Finance.Salary", "Sales", "Sales.Orders", "Other");
    private static final List<String> COLUMN_NAMES = List.of("id", "email", "phone", "salary", "region", "card_number", "notes");

    @Test
    void policiesInForceAreThoseTheirScopeAndSelectorsCover()
    {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<DataSource> dataSources = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                dataSources.add(randomDataSource(random, "ds" + i));
            }
            List<Policy> policies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                policies.add(randomPolicy(random, "p" + round + "_" + i));
            }
            PolicyIndex index = new PolicyIndex(policies, TAGS.stream().map(Tag::of).toList());
            for (DataSource dataSource : dataSources) {
                BitSet expected = new BitSet();
                for (int number = 0; number < index.policies().size(); number++) {
                    if (inForceByDefinition(index.policies().get(number), dataSource)) {
                        expected.set(number);
                    }
                }
                assertThat(index.inForce(dataSource)).as("round %d, %s", round, dataSource.id()).isEqualTo(expected);
            }
        }
    }

    @Test
    void notInForceReasonsListEveryPolicyNotInForceInOrder()
    {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            int policies = random.nextInt(30);
            List<Reason> everyPolicy = new ArrayList<>();
            for (int i = 0; i < policies; i++) {
                everyPolicy.add(new Reason("p" + i, "p" + i, "masking", Reason.Outcome.NOT_IN_FORCE, "not in force " + i));
            }
            BitSet inForce = new BitSet();
            for (int i = 0; i < policies; i++) {
                if (random.nextInt(3) == 0) {
                    inForce.set(i);
                }
            }
            List<Reason> expected = new ArrayList<>();
            for (int i = 0; i < policies; i++) {
                if (!inForce.get(i)) {
                    expected.add(everyPolicy.get(i));
                }
            }
            assertThat(new NotInForceReasons(everyPolicy, inForce.stream().toArray())).containsExactlyElementsOf(expected);
        }
    }

    private static boolean inForceByDefinition(Policy policy, DataSource dataSource)
    {
        if (!policy.scope().covers(dataSource)) {
            return false;
        }
        if (!(policy instanceof MaskingPolicy masking) || policy.scope().isLocal() || masking.columns() instanceof ColumnSelector.ByNamePattern) {
            return true;
        }
        return dataSource.columns().stream().anyMatch(column -> masking.columns().specificity(column).isPresent());
    }

    private static DataSource randomDataSource(Random random, String id)
    {
        List<Column> columns = new ArrayList<>();
        for (String name : COLUMN_NAMES) {
            if (random.nextBoolean()) {
                columns.add(random.nextBoolean() ? Column.of(name, "varchar") : Column.of(name, "varchar", pick(random)));
            }
        }
        if (columns.isEmpty()) {
            columns.add(Column.of("id", "bigint"));
        }
        return random.nextBoolean() ? dataSource(id, columns, pick(random)) : dataSource(id, columns);
    }

    private static Policy randomPolicy(Random random, String id)
    {
        PolicyScope scope = switch (random.nextInt(4)) {
            case 0 -> on("ds" + random.nextInt(6), "ds" + random.nextInt(6));
            case 1 -> onTagged(pick(random));
            case 2 -> new PolicyScope.DataSourcesWithTaggedColumns(new TreeSet<>(List.of(Tag.of(pick(random)))));
            default -> everywhere();
        };
        return switch (random.nextInt(5)) {
            case 0 -> grant(id, scope, AccessType.READ, anyone());
            case 1 -> rows(id, scope, new RowRule.MatchGroups(ColumnChoice.named("region")), everyone());
            case 2 -> mask(id, scope, named(COLUMN_NAMES.get(random.nextInt(COLUMN_NAMES.size()))), new MaskMethod.Nullify(), everyone());
            case 3 -> mask(id, scope, taggedColumns(pick(random)), new MaskMethod.Nullify(), everyone());
            default -> mask(id, scope, ColumnSelector.ByNamePattern.of(random.nextBoolean() ? ".*mail.*" : "nothing_.*"), new MaskMethod.Nullify(), everyone());
        };
    }

    private static String pick(Random random)
    {
        return TAGS.get(random.nextInt(TAGS.size()));
    }
}
