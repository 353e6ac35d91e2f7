package dev.warden.bench;

import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.state.PolicyState;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Issue #2's footprint target: 100,000 data sources of 30 columns held in at most 1 GB of heap. Builds the
 * state and its engine, lets go of everything the build needed, and measures the heap still in use after
 * repeated full collections. Run it with {@code -Xmx1g} so that the limit is also enforced, not only measured.
 *
 * <p>Usage: {@code java -Xmx1g -cp benchmarks.jar dev.warden.bench.MemoryFootprint [dataSources [columns]]}
 */
public final class MemoryFootprint
{
    private static final long LIMIT_BYTES = 1024L * 1024 * 1024;

    private MemoryFootprint() {}

    public static void main(String[] args)
    {
        int dataSources = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int columns = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        PolicyWorkload.Shape footprint = PolicyWorkload.Shape.footprint();
        PolicyWorkload.Shape shape = new PolicyWorkload.Shape(footprint.users(), footprint.attributesPerUser(), footprint.groups(),
                dataSources, columns, footprint.globalPolicies(), footprint.tagRoots(), footprint.tagChildrenPerRoot());

        long baseline = usedAfterGc();
        long started = System.nanoTime();
        PolicyState state = PolicyWorkload.build(shape);
        PolicyEngine engine = new PolicyEngine(state);
        long builtMillis = (System.nanoTime() - started) / 1_000_000;
        long retained = usedAfterGc() - baseline;

        long maxHeap = Runtime.getRuntime().maxMemory();
        System.out.printf("state: %d data sources x %d columns, %d tags, %d policies, %d users; built in %d ms; max heap %d MB%n",
                state.dataSources().size(), columns, state.tags().size(), state.policies().size(), state.users().size(),
                builtMillis, maxHeap / (1024 * 1024));
        System.out.printf("per data source: %d bytes (%d bytes per column, all included)%n",
                retained / dataSources, retained / ((long) dataSources * columns));
        System.out.printf("%d data sources x %d columns: retained heap %d MB (limit %d MB) %s%n",
                dataSources, columns, retained / (1024 * 1024), LIMIT_BYTES / (1024 * 1024), retained <= LIMIT_BYTES ? "PASS" : "FAIL");

        // A busy enforcement point also holds the engine's cached data-source plans: fill the cache and measure again.
        java.util.List<dev.warden.policy.model.DataSource> all = new java.util.ArrayList<>(state.dataSources().values());
        java.util.List<String> users = new java.util.ArrayList<>(state.users().keySet());
        int planned = Math.min(PolicyEngine.PLAN_CACHE_CAPACITY, all.size());
        for (int i = 0; i < planned; i++) {
            engine.decide(state.userContext(users.get(i % users.size()), java.util.Optional.empty()), all.get(i));
        }
        long withPlans = usedAfterGc() - baseline;
        System.out.printf("with %d cached data-source plans: retained heap %d MB (%d KB per plan) (limit %d MB) %s%n",
                planned, withPlans / (1024 * 1024), (withPlans - retained) / 1024 / Math.max(1, planned), LIMIT_BYTES / (1024 * 1024),
                withPlans <= LIMIT_BYTES ? "PASS" : "FAIL");
        // Keeps both reachable until after the measurement.
        if (engine.state() != state) {
            throw new AssertionError();
        }
    }

    private static long usedAfterGc()
    {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several rounds: one collection may leave garbage that a finaliser or reference queue frees later.
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
