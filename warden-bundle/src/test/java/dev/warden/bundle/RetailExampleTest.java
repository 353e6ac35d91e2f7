package dev.warden.bundle;

import dev.warden.bundle.expectations.ExpectationResult;
import dev.warden.bundle.expectations.ExpectationRunner;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.engine.Reason;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.policies.Policy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetailExampleTest
{
    static final Path RETAIL = Path.of("..", "examples", "retail");

    @Test
    void loadsAndDecidesAsExpected()
            throws BundleException
    {
        Bundle bundle = BundleLoader.load(RETAIL);
        assertThat(bundle.state().dataSources()).hasSize(6);
        assertThat(bundle.state().tags()).extracting(Object::toString).contains("PII", "PII.Name", "Finance");
        // Sequence numbers follow the order of appearance across files sorted by path: access, masking, rows.
        assertThat(bundle.state().policies().values().stream().sorted(java.util.Comparator.comparingLong(Policy::sequence)).map(Policy::id).limit(2))
                .containsExactly("read-reference-data", "read-sales-data");
        assertThat(bundle.state().policies().get("orders-for-fraud-work").sequence()).isEqualTo(bundle.state().policies().size());

        PolicyEngine engine = new PolicyEngine(bundle.state());
        Decision dave = engine.decide("dave", Optional.empty(), "tpch.customer");
        assertThat(dave.accessValues()).isEmpty();
        assertThat(dave.reasons()).anySatisfy(reason -> {
            assertThat(reason.policyId()).isEqualTo("pii-needs-training");
            assertThat(reason.outcome()).isEqualTo(Reason.Outcome.APPLIED);
        });

        Decision alice = engine.decide("alice", Optional.empty(), "tpch.customer");
        assertThat(alice.accessValues()).isEqualTo(Set.of(AccessValue.READ));
        assertThat(alice.masks()).containsOnlyKeys("name", "address", "phone", "acctbal", "comment");
        assertThat(alice.reasons()).anySatisfy(reason -> {
            assertThat(reason.policyId()).isEqualTo("comments-by-pattern");
            assertThat(reason.outcome()).isEqualTo(Reason.Outcome.OVERRIDDEN);
        });
    }

    @Test
    void everyExpectationPasses()
            throws BundleException
    {
        Bundle bundle = BundleLoader.load(RETAIL);
        List<ExpectationResult> results = new ExpectationRunner(new PolicyEngine(bundle.state()), LocalDateTime.now()).runAll(bundle);
        assertThat(results).hasSize(bundle.expectations().size()).isNotEmpty();
        assertThat(results.stream().filter(result -> !result.passed()).map(result -> result.source() + " " + result.expectation().describe() + "\n" + String.join("\n", result.failures())))
                .isEmpty();
    }
}
