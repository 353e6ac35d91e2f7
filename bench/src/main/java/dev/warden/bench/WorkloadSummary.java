package dev.warden.bench;

import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.engine.Reason;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.state.PolicyState;

/** What the benchmarked decisions look like, so that a reader can judge whether the workload is realistic. */
final class WorkloadSummary
{
    private WorkloadSummary() {}

    static String of(PolicyState state, PolicyEngine engine, UserContext[] users, DataSource[] dataSources)
    {
        long inForce = 0;
        long applied = 0;
        long readable = 0;
        long maskedColumns = 0;
        long filtered = 0;
        for (int i = 0; i < users.length; i++) {
            Decision decision = engine.decide(users[i], dataSources[i]);
            for (Reason reason : decision.reasons()) {
                if (reason.outcome() != dev.warden.policy.engine.Reason.Outcome.NOT_IN_FORCE) {
                    inForce++;
                }
                if (reason.outcome() == Reason.Outcome.APPLIED) {
                    applied++;
                }
            }
            if (decision.allows(AccessValue.READ)) {
                readable++;
                maskedColumns += decision.masks().size();
                if (decision.rowFilter().isPresent()) {
                    filtered++;
                }
            }
        }
        int n = users.length;
        return ("workload: %d tags, %d policies, %d users, %d data sources; over %d sampled decisions: "
                + "%.1f policies in force and %.1f applied per decision, %.0f%% with READ, "
                + "%.1f masked columns per readable decision, %.0f%% of readable decisions with a row filter")
                .formatted(state.tags().size(), state.policies().size(), state.users().size(), state.dataSources().size(), n,
                        (double) inForce / n, (double) applied / n, 100.0 * readable / n,
                        readable == 0 ? 0.0 : (double) maskedColumns / readable, readable == 0 ? 0.0 : 100.0 * filtered / readable);
    }
}
