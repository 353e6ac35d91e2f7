package dev.warden.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.warden.bundle.BundleWriter;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.state.PolicyState;
import dev.warden.trino.access.WardenAccessControl;
import dev.warden.trino.access.WardenAccessControlFactory;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.eventlistener.QueryMetadata;
import io.trino.spi.resourcegroups.QueryType;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.session.ResourceEstimates;
import io.trino.spi.type.VarcharType;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Issue #4's latency target for the access control itself: with 10,000 users, 10,000 tables and 1,000 policies
 * loaded, a warm check at most 50 µs at p99, and a first decision after a change at most 1 ms. Starts a server on a
 * temporary embedded store in a JVM of its own ({@link BenchServer}), applies the workload, and runs Warden's access control exactly as Trino would create it
 * (its replica following the server over loopback), then times the calls Trino makes for one table of a query:
 * {@code checkCanSelectFromColumns}, the batched {@code getColumnMasks} and {@code getRowFilters}: warm, uncached,
 * and first after a change of people (a group) or of the policies (half as many). The warm calls are timed beside a
 * control ({@link MachineFloor}) that shows the tail this machine gives any computation as long; each first decision
 * after a change, beside a first decision of the same kind after as long a wait with no change, which shows what the
 * calling thread's idling costs without the change. It also measures the live heap a cached decision holds. Run it
 * with {@code -XX:+AlwaysPreTouch}: without it, calls that allocate in heap never touched before pay a page fault per
 * 4 KB, which a coordinator that has run a while does not (it warns when the option is off). See docs/benchmarks.md.
 * Arguments: {@code [warm samples (300000)] [changes (300)] [untimed changes first (1000)]}.
 */
public final class AccessControlLatency
{
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Calls refused because the replica counted as stale: they measure a refusal, not a decision, so a run with any is void. */
    private static final AtomicLong STALE_REFUSALS = new AtomicLong();

    private AccessControlLatency() {}

    private record Probe(DataSource dataSource, SystemSecurityContext context, CatalogSchemaTableName table, Set<String> columnNames, List<ColumnSchema> columns) {}

    public static void main(String[] args)
            throws Exception
    {
        int warmSamples = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int warmUpChanges = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        if (!ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("AlwaysPreTouch").getValue().equals("true")) {
            System.out.println("WARNING: this JVM runs without -XX:+AlwaysPreTouch: whole phases can be 2-4x slower where calls allocate in heap "
                    + "never touched before (a page fault per 4 KB), which is not what a coordinator that has run a while sees");
        }
        PolicyWorkload.Shape decision = PolicyWorkload.Shape.decision();
        PolicyWorkload.Shape shape = new PolicyWorkload.Shape(10_000, decision.attributesPerUser(), decision.groups(), 10_000, 30,
                decision.globalPolicies(), decision.tagRoots(), decision.tagChildrenPerRoot());
        PolicyState state = PolicyWorkload.build(shape);
        try (BenchServer server = BenchServer.start("6g")) {
            String admin = server.adminKey();
            String service = server.serviceKey();
            long revision = revisionOf(send(server.uri(), admin, "POST", "/api/v1/apply", BundleWriter.write(state, List.of())));
            System.out.printf("loaded %d users, %d tables of %d columns, %d policies%n", state.users().size(), state.dataSources().size(),
                    shape.columnsPerDataSource(), state.policies().size());

            WardenAccessControl accessControl = WardenAccessControlFactory.create(WardenTrinoConfig.parse(Map.of(
                    WardenTrinoConfig.SERVER_URI, server.uri().toString(),
                    WardenTrinoConfig.API_KEY, service)), new QueryLedger(10_000));
            long startNanos = System.nanoTime();
            accessControl.start();
            awaitRevision(accessControl, revision);
            System.out.printf("the replica took its first snapshot (revision %d) in %.1f s%n", revision, (System.nanoTime() - startNanos) / 1e9);
            // A slow snapshot could outlast the staleness bound, so that the replica counts as stale until it next hears
            // from the server: a change seen makes sure it has.
            awaitRevision(accessControl, revisionOf(send(server.uri(), admin, "PUT", "/api/v1/groups/bench-ready", "{\"name\": \"bench-ready\"}")));

            List<String> users = new ArrayList<>(state.users().keySet());
            List<DataSource> tables = new ArrayList<>(state.dataSources().values());
            Random random = new Random(PolicyWorkload.SEED);

            // Warm: a working set of (user, table) pairs, each asked about before timing, as the queries of a busy cluster.
            List<Probe> workingSet = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                workingSet.add(probe(accessControl, users.get(random.nextInt(users.size())), tables.get(random.nextInt(tables.size())), "warm" + i));
            }
            for (int round = 0; round < 20; round++) {
                workingSet.forEach(probe -> call(accessControl, probe));
            }
            // Then until the JIT is done with these calls (a second of them compiles for at most 10 ms), so that the
            // phases below time compiled code; what still runs beside each phase is reported after it. Half the calls
            // are new queries, whose people the access control was never told of and whose ledger entries push out
            // the oldest, as on a coordinator: warmed without them, the compiled calls were thrown away (JFR showed
            // QueryPeople.personOf and QueryLedger deoptimised) when a later phase first took those paths.
            int[] freshQueries = {0};
            long quietAfter = callUntilTheJitIsQuiet(() -> {
                for (Probe probe : workingSet) {
                    call(accessControl, probe);
                    call(accessControl, asNewQuery(probe, "bench_warmup_query_" + freshQueries[0]++));
                }
            });
            System.out.printf("the JIT was quiet after %.1f s more of warm calls%n", quietAfter / 1e9);
            // Wall time, each call followed by the control: pure arithmetic sized to the calls' median (calibrated on
            // calls timed the same way), whose tail is what this machine does to any computation that long.
            long[] calibration = new long[20_001];
            for (int i = 0; i < calibration.length; i++) {
                calibration[i] = timeWall(accessControl, workingSet.get(random.nextInt(workingSet.size())));
            }
            Arrays.sort(calibration);
            MachineFloor floor = MachineFloor.calibratedTo(calibration[calibration.length / 2]);
            MemoryWalk memory = MemoryWalk.of(256, 64);
            AroundAPhase aroundWarm = AroundAPhase.now(server);
            long[] warm = new long[warmSamples];
            long[] control = new long[warmSamples];
            boolean[] warmDenied = new boolean[warmSamples];
            for (int i = 0; i < warmSamples; i++) {
                Probe probe = workingSet.get(random.nextInt(workingSet.size()));
                long start = System.nanoTime();
                warmDenied[i] = !call(accessControl, probe);
                warm[i] = System.nanoTime() - start;
                control[i] = floor.timeOnce();
                if ((i & 15) == 0) {
                    memory.sample();
                }
            }
            report("warm: checkCanSelectFromColumns + getColumnMasks + getRowFilters for one table", warm);
            report("warm, calls that were allowed", select(warm, warmDenied, false));
            report("warm, calls that were denied (Trino stops at the check)", select(warm, warmDenied, true));
            report("control: pure arithmetic as long as the calls' median, timed after each call (what this machine does to any computation that long)", control);
            aroundWarm.report(server, "warm calls and their controls", memory);
            // CPU time apart: reading it is a system call, which would slow the calls timed beside it.
            AroundAPhase aroundWarmCpu = AroundAPhase.now(server);
            long[] warmCpu = new long[warmSamples / 3];
            for (int i = 0; i < warmCpu.length; i++) {
                Probe probe = workingSet.get(random.nextInt(workingSet.size()));
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                call(accessControl, probe);
                warmCpu[i] = THREADS.getCurrentThreadCpuTime() - cpuStart;
                if ((i & 15) == 0) {
                    memory.sample();
                }
            }
            report("warm: CPU time of the calling thread (includes a system call to read it)", warmCpu);
            aroundWarmCpu.report(server, "warm calls timed in CPU time", memory);
            // Each query Trino runs has an id of its own, and masks that hash with a masking salt carry it sealed for that
            // query: the same pairs, each call as a new query (started and made before timing, as Trino makes them; so many
            // starts push the working set's queries out of what the access control remembers; no later phase times those).
            List<Probe> newQueries = new ArrayList<>(warmSamples / 3);
            for (int i = 0; i < warmSamples / 3; i++) {
                newQueries.add(asNewSelect(accessControl, workingSet.get(random.nextInt(workingSet.size())), "bench_new_query_" + i));
            }
            AroundAPhase aroundNewQueries = AroundAPhase.now(server);
            long[] warmNewQuery = new long[newQueries.size()];
            for (int i = 0; i < warmNewQuery.length; i++) {
                warmNewQuery[i] = timeWall(accessControl, newQueries.get(i));
                if ((i & 15) == 0) {
                    memory.sample();
                }
            }
            report("warm, each call a new query (masking salts sealed for it)", warmNewQuery);
            aroundNewQueries.report(server, "warm calls as new queries", memory);

            // A busy coordinator decides uncached pairs all the time, so the deciding code is compiled by then: warm the
            // JIT on 30,000 pairs asked once each (timed too: uncached decisions on an unchanged revision).
            AroundAPhase aroundUncached = AroundAPhase.now(server);
            long[] uncached = new long[30_000];
            for (int i = 0; i < uncached.length; i++) {
                Probe probe = probe(accessControl, users.get(random.nextInt(users.size())), tables.get(random.nextInt(tables.size())), "jit" + i);
                long start = System.nanoTime();
                call(accessControl, probe);
                uncached[i] = System.nanoTime() - start;
                if ((i & 15) == 0) {
                    memory.sample();
                }
            }
            report("uncached pairs on an unchanged revision, the last 10,000 of 30,000", Arrays.copyOfRange(uncached, 20_000, 30_000));
            aroundUncached.report(server, "uncached pairs", memory);

            // Memory: what the decisions cached on this revision hold, everything included, measured as the live heap
            // they leave behind when a policy change starts a new decision cache (users' contexts and most plans stay).
            int cachedDecisions = uncached.length + workingSet.size();
            ClassHistogram withDecisions = ClassHistogram.take();
            changePolicy(server, admin, accessControl, "bench-memory", "memory", users, tables, random);
            // The access control reports the new revision as soon as it has swapped it in, while the replica's thread
            // may still hold the old one on its stack for a moment: a collection then would find the old decisions live.
            Thread.sleep(500);
            ClassHistogram withoutDecisions = ClassHistogram.take();
            long decisionBytes = withDecisions.totalBytes() - withoutDecisions.totalBytes();
            if (decisionBytes <= 0) {
                throw new IllegalStateException("the cached decisions were still reachable after the policy change: the memory figure is void");
            }
            System.out.printf("decision cache: about %,d decisions (the working set and the uncached pairs) held %,d KB of live heap: %,d bytes per cached decision; the largest parts:%n",
                    cachedDecisions, decisionBytes / 1024, decisionBytes / cachedDecisions);
            withDecisions.largestGrowthsSince(withoutDecisions, 10).forEach((type, bytes) ->
                    System.out.printf("  %,6d bytes per decision  %s%n", bytes / cachedDecisions, type));

            // The replica keeps a plan per data source across changes that leave the policies alone (16,384 by default,
            // more than this workload's tables). Past a change (so that no decision is cached) the working set is asked
            // about again, so that its plans and user contexts were used lately, as a busy cluster's are.
            List<DataSource> queriedTables = workingSet.stream().map(Probe::dataSource).distinct().toList();
            // Twice, as the plan cache may have started afresh during the first round.
            for (int round = 0; round < 2; round++) {
                awaitRevision(accessControl, revisionOf(send(server.uri(), admin, "PUT", "/api/v1/groups/bench-rewarm-" + round, "{\"name\": \"bench-rewarm-" + round + "\"}")));
                workingSet.forEach(probe -> call(accessControl, probe));
            }

            // A Warden server that has run a while has compiled the code a change runs through; a fresh server JVM
            // spends about half its CPU on its first few hundred changes compiling it, on the cores the first decisions
            // run on here. Untimed changes first, as the access control's own code was warmed above.
            BesideTheCalls besideWarmUp = BesideTheCalls.now(server);
            for (int i = 0; i < warmUpChanges; i++) {
                awaitRevision(accessControl, revisionOf(send(server.uri(), admin, "PUT", "/api/v1/groups/bench-warm-change-" + i, "{\"name\": \"bench-warm-change-" + i + "\"}")));
            }
            besideWarmUp.report(server, "untimed change of people, warming up", warmUpChanges);

            // After a change: a new revision, so no decision is cached for it. Time the first check of a random user,
            // alternately on a table of the working set (queried lately, as most tables a query names are) and on
            // any of the 10,000 tables (most of them queried by nobody lately, so their plans are cold in the CPU's
            // caches, or not made yet). Note which samples a garbage collection overlapped, to tell the collector's
            // pauses from the deciding.
            // Each is followed by its control: as long a wait again, with no change, then a first decision of a random
            // user on a table of the same kind, on the unchanged revision.
            AlternatingTimings afterChange = new AlternatingTimings(changes, "on a table queried lately", "on any table");
            BesideTheCalls besideChanges = BesideTheCalls.now(server);
            for (int i = 0; i < changes; i++) {
                long sent = System.nanoTime();
                long changed = revisionOf(send(server.uri(), admin, "PUT", "/api/v1/groups/bench-change-" + i, "{\"name\": \"bench-change-" + i + "\"}"));
                awaitRevision(accessControl, changed);
                long waited = System.nanoTime() - sent;
                List<DataSource> from = i % 2 == 0 ? queriedTables : tables;
                Probe probe = probe(accessControl, users.get(random.nextInt(users.size())), from.get(random.nextInt(from.size())), "first" + i);
                afterChange.add(i, time(accessControl, probe));
                Probe idleProbe = probe(accessControl, users.get(random.nextInt(users.size())), from.get(random.nextInt(from.size())), "first_control" + i);
                idle(waited);
                afterChange.addControl(i, time(accessControl, idleProbe));
            }
            afterChange.report("first decision after a change");
            besideChanges.report(server, "change of people", changes);

            // A change of the policies themselves: the replica makes a new engine, which keeps the plans of the data
            // sources no changed policy covers and, for a change that covers few, makes theirs again before the swap. Each change adds a policy that grants one user READ on one table. The first
            // decision after it is timed alternately on that table for that user (whose plan and decision the change
            // made anew) and on a table of the working set for a random user. A coordinator that has run a while has
            // compiled the code that keeps plans across a policy change: a quarter as many changes as the changes of people
            // warmed up with, untimed, first.
            int policyChanges = changes / 2;
            BesideTheCalls besidePolicyWarmUp = BesideTheCalls.now(server);
            // Eight policies, each changed again and again, so that the workload keeps its number of policies.
            for (int i = 0; i < warmUpChanges / 4; i++) {
                Probe changed = changePolicy(server, admin, accessControl, "bench-warm-policy-" + (i % 8), "policy_warm_change" + i, users, tables, random);
                call(accessControl, changed);
                call(accessControl, probe(accessControl, users.get(random.nextInt(users.size())), queriedTables.get(random.nextInt(queriedTables.size())), "policy_warm" + i));
            }
            besidePolicyWarmUp.report(server, "untimed policy change, warming up", warmUpChanges / 4);
            AlternatingTimings afterPolicyChange = new AlternatingTimings(policyChanges,
                    "on the table it changed, for the user it names", "on a table queried lately that it leaves alone");
            BesideTheCalls besidePolicyChanges = BesideTheCalls.now(server);
            for (int i = 0; i < policyChanges; i++) {
                long sent = System.nanoTime();
                Probe changed = changePolicy(server, admin, accessControl, "bench-policy-" + i, "policy_change" + i, users, tables, random);
                long waited = System.nanoTime() - sent;
                List<DataSource> from = i % 2 == 0 ? tables : queriedTables;
                Probe probe = i % 2 == 0
                        ? changed
                        : probe(accessControl, users.get(random.nextInt(users.size())), from.get(random.nextInt(from.size())), "policy" + i);
                afterPolicyChange.add(i, time(accessControl, probe));
                Probe idleProbe = probe(accessControl, users.get(random.nextInt(users.size())), from.get(random.nextInt(from.size())), "policy_control" + i);
                idle(waited);
                afterPolicyChange.addControl(i, time(accessControl, idleProbe));
            }
            afterPolicyChange.report("first decision after a policy change");
            besidePolicyChanges.report(server, "policy change", policyChanges);
            accessControl.shutdown();
            if (STALE_REFUSALS.get() > 0) {
                System.out.printf("VOID: %,d calls were refused because the replica was stale; these figures do not measure decisions%n", STALE_REFUSALS.get());
                System.exit(1);
            }
        }
    }

    /**
     * Puts a policy that grants a random user READ on a random table, waits until the access control decides with it,
     * and returns a probe of that user on that table.
     */
    private static Probe changePolicy(BenchServer server, String admin, WardenAccessControl accessControl, String policyId, String queryId,
            List<String> users, List<DataSource> tables, Random random)
            throws Exception
    {
        DataSource table = tables.get(random.nextInt(tables.size()));
        String user = users.get(random.nextInt(users.size()));
        String policy = """
                {"id": "%s", "name": "%s", "type": "subscription", "access": "READ",
                 "on": {"dataSources": ["%s"]}, "who": {"users": ["%s"]}}
                """.formatted(policyId, policyId, table.id(), user);
        awaitRevision(accessControl, revisionOf(send(server.uri(), admin, "PUT", "/api/v1/policies/" + policyId, policy)));
        return probe(accessControl, user, table, queryId);
    }

    private static Probe probe(WardenAccessControl accessControl, String user, DataSource dataSource, String queryId)
    {
        Identity identity = Identity.ofUser(user);
        QueryId id = new QueryId("bench_" + queryId);
        accessControl.checkCanExecuteQuery(identity, id);
        announceSelect(accessControl, identity, id);
        List<ColumnSchema> columns = new ArrayList<>();
        for (Column column : dataSource.columns()) {
            columns.add(ColumnSchema.builder().setName(column.name()).setType(VarcharType.VARCHAR).build());
        }
        return new Probe(dataSource, new SystemSecurityContext(identity, id, Instant.now()),
                new CatalogSchemaTableName(dataSource.location().catalog(), dataSource.location().schema(), dataSource.location().table()),
                dataSource.columns().stream().map(Column::name).collect(java.util.stream.Collectors.toSet()), columns);
    }

    /** One probe's calls, timed: their wall and CPU time, and whether a garbage collection overlapped them. */
    private record Timing(long wallNanos, long cpuNanos, boolean collected) {}

    private static long timeWall(WardenAccessControl accessControl, Probe probe)
    {
        long start = System.nanoTime();
        call(accessControl, probe);
        return System.nanoTime() - start;
    }

    private static Timing time(WardenAccessControl accessControl, Probe probe)
    {
        long collectionsBefore = collections();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        call(accessControl, probe);
        long elapsed = System.nanoTime() - start;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
        return new Timing(elapsed, cpu, collections() != collectionsBefore);
    }

    /** The same pair asked in another query, one the access control has not seen start. */
    private static Probe asNewQuery(Probe probe, String queryId)
    {
        SystemSecurityContext context = new SystemSecurityContext(probe.context().getIdentity(), new QueryId(queryId), Instant.now());
        return new Probe(probe.dataSource(), context, probe.table(), probe.columnNames(), probe.columns());
    }

    /** The same pair asked in another query, a {@code SELECT} started as Trino starts each query before analysing it. */
    private static Probe asNewSelect(WardenAccessControl accessControl, Probe probe, String queryId)
    {
        Probe asked = asNewQuery(probe, queryId);
        accessControl.checkCanExecuteQuery(asked.context().getIdentity(), asked.context().getQueryId());
        announceSelect(accessControl, asked.context().getIdentity(), asked.context().getQueryId());
        return asked;
    }

    /**
     * Reports to the access control's event listeners that Trino created query {@code id}, a {@code SELECT}, as Trino
     * does as it dispatches a query: a query of a kind that cannot show statistics is decided without looking for them.
     */
    private static void announceSelect(WardenAccessControl accessControl, Identity identity, QueryId id)
    {
        QueryContext context = new QueryContext(identity.getUser(), identity.getUser(), Set.of(), Optional.empty(), Set.of(), identity.getGroups(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of(), Set.of(), Optional.of("bench"), "UTC",
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), new ResourceEstimates(Optional.empty(), Optional.empty(), Optional.empty()),
                "127.0.0.1", "476", "bench", Optional.of(QueryType.SELECT), "NONE");
        QueryMetadata metadata = new QueryMetadata(id.getId(), Optional.empty(), Optional.empty(), "SELECT ...", Optional.empty(), Optional.empty(), "QUEUED",
                List.of(), List.of(), URI.create("http://127.0.0.1/v1/query/" + id.getId()), Optional.empty(), Optional.empty(), Optional.empty());
        QueryCreatedEvent created = new QueryCreatedEvent(Instant.now(), context, metadata);
        accessControl.getEventListeners().forEach(listener -> listener.queryCreated(created));
    }

    /** What Trino asks for one table of a query; a denial is an answer too. Returns whether the select was allowed. */
    private static boolean call(WardenAccessControl accessControl, Probe probe)
    {
        try {
            accessControl.checkCanSelectFromColumns(probe.context(), probe.table(), probe.columnNames());
            accessControl.getColumnMasks(probe.context(), probe.table(), probe.columns());
            accessControl.getRowFilters(probe.context(), probe.table());
            return true;
        }
        catch (io.trino.spi.security.AccessDeniedException e) {
            // a user without access to the table: Trino stops at the check
            if (e.getMessage().contains("no contact with its server")) {
                STALE_REFUSALS.incrementAndGet();
            }
            return false;
        }
    }

    /** The samples whose flag is {@code flag}. */
    private static long[] select(long[] nanos, boolean[] flags, boolean flag)
    {
        return java.util.stream.IntStream.range(0, nanos.length).filter(i -> flags[i] == flag).mapToLong(i -> nanos[i]).toArray();
    }

    private static void report(String what, long[] nanos)
    {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s (%,d samples): p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs%n", what, sorted.length,
                percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999), sorted[sorted.length - 1] / 1_000.0);
    }

    /**
     * The timings of changes of two kinds taken in turn: even changes time the first kind of probe, odd ones the
     * second, and each its control (a probe of the same kind after as long a wait with no change). Each is reported by
     * wall time, by wall time without the samples a garbage collection overlapped (to tell the collector's pauses from
     * the deciding), and by the calling thread's CPU time: wall time includes any time the thread waited for a core,
     * which on 2 cores shared with the server and the replica's own work right after a change is not the deciding's
     * cost.
     */
    private static final class AlternatingTimings
    {
        private static final String CONTROL = "control: as long a wait with no change, then a first decision of the same kind";

        private final String[] kinds;
        private final Timings[] afterChange;
        private final Timings[] control;

        AlternatingTimings(int changes, String evenKind, String oddKind)
        {
            this.kinds = new String[] {evenKind, oddKind};
            this.afterChange = new Timings[] {new Timings(changes - changes / 2), new Timings(changes / 2)};
            this.control = new Timings[] {new Timings(changes - changes / 2), new Timings(changes / 2)};
        }

        void add(int change, Timing timing)
        {
            afterChange[change % 2].set(change / 2, timing);
        }

        void addControl(int change, Timing timing)
        {
            control[change % 2].set(change / 2, timing);
        }

        void report(String what)
        {
            for (int kind = 0; kind < 2; kind++) {
                AccessControlLatency.report("%s, %s: the same three calls".formatted(what, kinds[kind]), afterChange[kind].wall());
                AccessControlLatency.report("%s, %s, %s: the same three calls".formatted(what, kinds[kind], CONTROL), control[kind].wall());
            }
            for (int kind = 0; kind < 2; kind++) {
                afterChange[kind].reportWithoutCollections("%s, %s".formatted(what, kinds[kind]));
                control[kind].reportWithoutCollections("%s, %s, %s".formatted(what, kinds[kind], CONTROL));
            }
            for (int kind = 0; kind < 2; kind++) {
                AccessControlLatency.report("%s, %s: CPU time of the calling thread".formatted(what, kinds[kind]), afterChange[kind].cpu());
                AccessControlLatency.report("%s, %s, %s: CPU time of the calling thread".formatted(what, kinds[kind], CONTROL), control[kind].cpu());
            }
        }
    }

    /** One series of timed probes. */
    private record Timings(long[] wall, long[] cpu, boolean[] collected)
    {
        Timings(int samples)
        {
            this(new long[samples], new long[samples], new boolean[samples]);
        }

        void set(int sample, Timing timing)
        {
            wall[sample] = timing.wallNanos();
            cpu[sample] = timing.cpuNanos();
            collected[sample] = timing.collected();
        }

        void reportWithoutCollections(String what)
        {
            long[] quiet = select(wall, collected, false);
            int overlapped = wall.length - quiet.length;
            if (overlapped == 0) {
                System.out.printf("%s: no garbage collection overlapped any sample%n", what);
            }
            else if (quiet.length == 0) {
                System.out.printf("%s: a garbage collection overlapped every sample%n", what);
            }
            else {
                AccessControlLatency.report("%s, without the %d a garbage collection overlapped".formatted(what, overlapped), quiet);
            }
        }
    }

    /**
     * The JVM's class histogram of live objects, taken after the full collection it makes. Not {@code System.gc()} and
     * the heap in use: under a coordinator's options that collection is concurrent and leaves garbage behind.
     */
    private record ClassHistogram(Map<String, Long> bytesByType)
    {
        static ClassHistogram take()
                throws JMException
        {
            String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, Long> bytesByType = new HashMap<>();
            // Lines such as "   1:   123456   7890123  java.lang.String (java.base@25)": rank, instances, bytes, type.
            histogram.lines().map(String::trim).filter(line -> line.matches("\\d+:.*")).forEach(line -> {
                String[] fields = line.split("\\s+");
                bytesByType.merge(fields[3], Long.parseLong(fields[2]), Long::sum);
            });
            return new ClassHistogram(bytesByType);
        }

        long totalBytes()
        {
            return bytesByType.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The types whose live bytes grew most since {@code earlier}, largest first. */
        Map<String, Long> largestGrowthsSince(ClassHistogram earlier, int count)
        {
            Map<String, Long> growths = new LinkedHashMap<>();
            bytesByType.entrySet().stream()
                    .map(entry -> Map.entry(entry.getKey(), entry.getValue() - earlier.bytesByType().getOrDefault(entry.getKey(), 0L)))
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(count)
                    .forEach(entry -> growths.put(entry.getKey(), entry.getValue()));
            return growths;
        }
    }

    private static long collections()
    {
        long total = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, collector.getCollectionCount());
        }
        return total;
    }

    private static double percentile(long[] sorted, double fraction)
    {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)] / 1_000.0;
    }

    /**
     * The CPU time taken beside the calling thread while changes are made and decided: by the access control's
     * background planner and its replica's thread, which share the coordinator's cores with the first queries after a
     * change, and by the Warden server's process, which here shares the machine too (in production it does not).
     */
    private record BesideTheCalls(long plannerNanos, long replicaNanos, long serverNanos, long serverCompilerNanos)
    {
        static BesideTheCalls now(BenchServer server)
        {
            return new BesideTheCalls(threadCpuNanos("warden-planner"), threadCpuNanos("warden-replica-"), server.cpuTime().toNanos(),
                    server.compilerCpuTime().toNanos());
        }

        void report(BenchServer server, String change, int changes)
        {
            BesideTheCalls after = now(server);
            System.out.printf("CPU per %s beside the calling thread: background planner %.2f ms, replica's thread %.2f ms, Warden server's process %.2f ms (its JIT compiler's threads %.2f ms)%n",
                    change, (after.plannerNanos() - plannerNanos) / 1e6 / changes, (after.replicaNanos() - replicaNanos) / 1e6 / changes,
                    (after.serverNanos() - serverNanos) / 1e6 / changes, (after.serverCompilerNanos() - serverCompilerNanos) / 1e6 / changes);
        }

        /** The CPU time this JVM's threads whose names start with {@code prefix} have taken so far. */
        private static long threadCpuNanos(String prefix)
        {
            long total = 0;
            for (java.lang.management.ThreadInfo thread : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                if (thread != null && thread.getThreadName().startsWith(prefix)) {
                    total += Math.max(0, THREADS.getThreadCpuTime(thread.getThreadId()));
                }
            }
            return total;
        }
    }

    /**
     * What else ran while a phase of calls was timed, on the machine's 2 cores: this JVM's other threads (of which its
     * JIT compilers and its collector), and the Warden server's process. Calls read memory that other work on the
     * cores evicts, so a phase that ran beside a busy compiler or collector is slower in CPU time too, not only in wall
     * time; this tells such a phase from slower code.
     */
    private record AroundAPhase(long wallNanos, long callerCpuNanos, long callerUserNanos, long processCpuNanos, long minorFaults, long compileMillis,
            long collectionMillis, long serverNanos)
    {
        static AroundAPhase now(BenchServer server)
        {
            long collectionMillis = 0;
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                collectionMillis += Math.max(0, collector.getCollectionTime());
            }
            return new AroundAPhase(System.nanoTime(), THREADS.getCurrentThreadCpuTime(), THREADS.getCurrentThreadUserTime(),
                    ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(),
                    minorFaultsSoFar(), ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), collectionMillis, server.cpuTime().toNanos());
        }

        void report(BenchServer server, String phase, MemoryWalk memory)
        {
            AroundAPhase after = now(server);
            System.out.printf("beside the %s (%.1f s): memory control (64 dependent reads at random in 256 MB) %s; the calling thread %.2f s of CPU in the kernel, this JVM %,d page faults; this JVM's other threads %.2f s of CPU (JIT compilation %.2f s, collections %.2f s), the Warden server's process %.2f s%n",
                    phase, (after.wallNanos() - wallNanos) / 1e9, memory.takeMedian(),
                    // User time is counted in the kernel's ticks, so the difference can come out a tick below zero.
                    Math.max(0, (after.callerCpuNanos() - callerCpuNanos) - (after.callerUserNanos() - callerUserNanos)) / 1e9,
                    after.minorFaults() - minorFaults,
                    ((after.processCpuNanos() - processCpuNanos) - (after.callerCpuNanos() - callerCpuNanos)) / 1e9,
                    (after.compileMillis() - compileMillis) / 1e3, (after.collectionMillis() - collectionMillis) / 1e3,
                    (after.serverNanos() - serverNanos) / 1e9);
        }

        /**
         * This process's minor page faults so far (Linux's {@code /proc/self/stat}, its tenth field): each is a page
         * of memory touched for the first time, which the kernel must map (and zero) before the JVM can use it. Zero
         * where there is no such file, as {@link BenchServer#compilerCpuTime()} does.
         */
        private static long minorFaultsSoFar()
        {
            Path statFile = Path.of("/proc/self/stat");
            if (!Files.isReadable(statFile)) {
                return 0;
            }
            try {
                String stat = Files.readString(statFile);
                // The second field, the command, is in parentheses and may hold spaces: count from after it.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[7]);
            }
            catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read this process's page faults from /proc/self/stat: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs {@code round} again and again until a second of rounds compiles for at most 10 ms (the JIT's compilation
     * time, summed over its threads), or for a minute at most.
     *
     * @return how long it ran
     */
    private static long callUntilTheJitIsQuiet(Runnable round)
    {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        while (System.nanoTime() - start < 60_000_000_000L) {
            long compiledBefore = jit.getTotalCompilationTime();
            long windowStart = System.nanoTime();
            while (System.nanoTime() - windowStart < 1_000_000_000L) {
                round.run();
            }
            if (jit.getTotalCompilationTime() - compiledBefore <= 10) {
                break;
            }
        }
        return System.nanoTime() - start;
    }

    /** Waits about {@code nanos} the way {@link #awaitRevision} waits for a change: in sleeps of a millisecond. */
    private static void idle(long nanos)
            throws InterruptedException
    {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.sleep(1);
        }
    }

    private static void awaitRevision(WardenAccessControl accessControl, long revision)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (accessControl.policyRevision() < revision) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the access control did not reach revision " + revision);
            }
            Thread.sleep(1);
        }
    }

    private static HttpResponse<String> send(URI server, String key, String method, String path, String body)
            throws Exception
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.resolve(path))
                .header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " failed: " + response.statusCode() + " " + response.body().substring(0, Math.min(500, response.body().length())));
        }
        return response;
    }

    private static long revisionOf(HttpResponse<String> response)
    {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"revision\"\\s*:\\s*(\\d+)").matcher(response.body());
        if (!matcher.find()) {
            throw new IllegalStateException("no revision in " + response.body());
        }
        return Long.parseLong(matcher.group(1));
    }
}
