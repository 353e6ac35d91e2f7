package dev.warden.bench;

import dev.warden.bundle.BundleWriter;
import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.bundle.Documents;
import dev.warden.bundle.StateDocuments;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.state.PolicyState;
import dev.warden.server.WardenServer;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.state.PolicyStateService.DocumentChange;
import dev.warden.server.store.EntityKey;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntFunction;

/**
 * What a change to the policy state costs with issue #3's server workload loaded (10,000 users, 10,000 data sources of
 * 30 columns, 1,000 policies): (a) building the state from all its documents, as the server does when it loads its
 * store; (b) building it again from all documents with one changed, and a new engine, until its first decision (what
 * a change costs when some document keeps {@link StateDocuments#change} from reading only the changed ones); (d) one
 * changed document applied as the server does on every write and every replica on every change: only that document
 * read, and an engine that keeps what the change leaves; (c) the server's writes per second through
 * {@code PolicyStateService} on a temporary embedded store, and its start on that store.
 *
 * <p>Arguments: {@code [changes per kind (20)] [server writes (200)] [changes per kind applied as a replica (200)]}.
 */
public final class StateUpdates
{
    private StateUpdates() {}

    /** A kind of change, and its {@code i}-th instance: each differs from the one before, so that each is a real change. */
    private record ChangeKind(String name, IntFunction<EntityDocument> change) {}

    public static void main(String[] args)
            throws Exception
    {
        int changesPerKind = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int serverWrites = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int replicaChangesPerKind = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        long started = System.nanoTime();
        PolicyState generated = PolicyWorkload.build(PolicyWorkload.Shape.server());
        List<EntityDocument> documents = BundleWriter.documents(generated);
        System.out.printf("workload: %d users, %d data sources, %d policies, %d tags, %d approvals: %d documents, generated in %d ms%n",
                generated.users().size(), generated.dataSources().size(), generated.policies().size(), generated.tags().size(),
                generated.approvals().size(), documents.size(), millis(System.nanoTime() - started));

        long[] fullBuilds = new long[3];
        PolicyState state = null;
        for (int i = 0; i < fullBuilds.length; i++) {
            long start = System.nanoTime();
            state = Documents.toState(documents);
            fullBuilds[i] = System.nanoTime() - start;
        }
        long engineStart = System.nanoTime();
        new PolicyEngine(state);
        System.out.printf("(a) full build from %d documents: %s; a new engine over it: %.1f ms%n",
                documents.size(), summary(fullBuilds), (System.nanoTime() - engineStart) / 1e6);

        Map<String, EntityDocument> byKey = new LinkedHashMap<>();
        documents.forEach(document -> byKey.put(document.section() + "/" + document.id(), document));
        for (ChangeKind kind : changeKinds(byKey)) {
            long[] applied = new long[changesPerKind];
            long[] firstDecisions = new long[changesPerKind];
            for (int i = 0; i < changesPerKind; i++) {
                EntityDocument change = kind.change().apply(i);
                long start = System.nanoTime();
                byKey.put(change.section() + "/" + change.id(), change);
                PolicyState changed = Documents.toState(byKey.values());
                PolicyEngine engine = new PolicyEngine(changed);
                applied[i] = System.nanoTime() - start;
                UserContext user = changed.userContext("user0042", Optional.empty());
                long decisionStart = System.nanoTime();
                engine.decide(user, changed.dataSource("ds-000042"));
                firstDecisions[i] = System.nanoTime() - decisionStart;
            }
            System.out.printf("(b) %-22s applied with a new engine: %s; first decision after it: %s%n", kind.name(), summary(applied), summary(firstDecisions));
        }

        asAReplica(documents, replicaChangesPerKind);
        serverWrites(documents, serverWrites);
    }

    /** One user's groups, one policy's name, a new data source, a new local masking policy. */
    private static List<ChangeKind> changeKinds(Map<String, EntityDocument> documents)
    {
        Map<String, Object> user = map(documents.get("users/user0042").document());
        Map<String, Object> policy = map(documents.get("policies/policy-0500").document());
        Map<String, Object> dataSource = map(documents.get("dataSources/ds-000001").document());
        return List.of(
                new ChangeKind("user's groups", i -> {
                    Map<String, Object> changed = new LinkedHashMap<>(user);
                    changed.put("groups", i % 2 == 0 ? List.of("group01", "group02") : List.of("group03"));
                    return new EntityDocument("users", "user0042", changed);
                }),
                new ChangeKind("policy edited", i -> {
                    Map<String, Object> changed = new LinkedHashMap<>(policy);
                    changed.put("name", "Edited policy " + i);
                    return new EntityDocument("policies", "policy-0500", changed);
                }),
                new ChangeKind("data source added", i -> {
                    String id = "ds-added-%04d".formatted(i);
                    Map<String, Object> changed = new LinkedHashMap<>(dataSource);
                    changed.put("id", id);
                    changed.put("location", Map.of("technology", "trino", "catalog", "warehouse", "schema", "added", "table", id));
                    return new EntityDocument("dataSources", id, changed);
                }),
                new ChangeKind("local policy added", i -> {
                    String id = "local-mask-%04d".formatted(i);
                    Map<String, Object> local = new LinkedHashMap<>();
                    local.put("id", id);
                    local.put("type", "masking");
                    local.put("sequence", 10_000 + i);
                    local.put("on", Map.of("dataSources", List.of("ds-%06d".formatted(i))));
                    local.put("columns", Map.of("named", List.of(firstColumn(documents.get("dataSources/ds-%06d".formatted(i)).document()))));
                    local.put("mask", "nullify");
                    return new EntityDocument("policies", id, local);
                }));
    }

    /**
     * Applies each kind of change as a replica does on every change it hears of (and the server on every write): the
     * changed documents only ({@link StateDocuments#change}), then an engine that keeps what the change leaves
     * ({@link PolicyEngine#withState}), starting from an engine that has planned every data source, as the access
     * control's background planner leaves it.
     */
    private static void asAReplica(List<EntityDocument> documents, int changesPerKind)
            throws Exception
    {
        StateDocuments current = StateDocuments.load(documents);
        PolicyEngine engine = new PolicyEngine(current.state(), current.state().dataSources().size() + 1_000);
        current.state().dataSources().values().forEach(engine::prepare);
        Map<String, EntityDocument> byKey = new LinkedHashMap<>();
        documents.forEach(document -> byKey.put(document.section() + "/" + document.id(), document));
        List<ChangeKind> kinds = new ArrayList<>(changeKinds(byKey));
        kinds.add(new ChangeKind("subscription added", i -> new EntityDocument("policies", "subscription-%04d".formatted(i), Map.of(
                "id", "subscription-%04d".formatted(i),
                "type", "subscription",
                "sequence", 20_000 + i,
                "access", "READ",
                "on", Map.of("dataSources", List.of("ds-%06d".formatted(100 + i))),
                "who", Map.of("users", List.of("user%04d".formatted(i)))))));
        for (int round = 0; round < 2; round++) {
            boolean measured = round == 1;
            for (ChangeKind kind : kinds) {
                long[] changed = new long[changesPerKind];
                long[] engines = new long[changesPerKind];
                for (int i = 0; i < changesPerKind; i++) {
                    EntityDocument change = kind.change().apply(i + (measured ? changesPerKind : 0));
                    long start = System.nanoTime();
                    current = current.change(List.of(new StateDocuments.Change(change.section(), change.id(), Optional.of(change.document()))));
                    long documentsDone = System.nanoTime();
                    engine = engine.withState(current.state());
                    long engineDone = System.nanoTime();
                    changed[i] = documentsDone - start;
                    engines[i] = engineDone - documentsDone;
                    current.state().dataSources().values().forEach(engine::prepare);
                }
                if (measured) {
                    System.out.printf("(d) %-22s as a replica: documents %s; engine %s%n", kind.name(), summary(changed), summary(engines));
                }
            }
        }
    }

    /** Loads the documents into a server on a fresh embedded store in one change, writes one user's groups repeatedly, then restarts it. */
    private static void serverWrites(List<EntityDocument> documents, int writes)
            throws Exception
    {
        Path dataDirectory = Files.createTempDirectory("warden-state-updates");
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (WardenServer server = WardenServer.start(config, quiet)) {
            List<DocumentChange> all = documents.stream()
                    .map(document -> new DocumentChange(new EntityKey(document.section(), document.id()), Optional.of(document.document())))
                    .toList();
            long start = System.nanoTime();
            server.state().change("bench", OptionalLong.empty(), all, (_, _) -> {});
            System.out.printf("(c) server: %d documents written as one change in %d ms%n", all.size(), millis(System.nanoTime() - start));

            Map<String, Object> user = map(documents.stream().filter(document -> document.id().equals("user0042")).findFirst().orElseThrow().document());
            long[] latencies = new long[writes];
            long writing = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                Map<String, Object> changed = new LinkedHashMap<>(user);
                changed.put("groups", i % 2 == 0 ? List.of("group01", "group02") : List.of("group03"));
                long write = System.nanoTime();
                server.state().change("bench", OptionalLong.empty(), List.of(new DocumentChange(new EntityKey("users", "user0042"), Optional.of(changed))), (_, _) -> {});
                latencies[i] = System.nanoTime() - write;
            }
            System.out.printf("(c) server: %d one-document writes, one after another: %.0f writes/s; per write %s%n",
                    writes, writes / ((System.nanoTime() - writing) / 1e9), summary(latencies));
        }
        long start = System.nanoTime();
        try (WardenServer _ = WardenServer.start(config, quiet)) {
            System.out.printf("(c) server: start on the stored state (full build) in %d ms%n", millis(System.nanoTime() - start));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object document)
    {
        return (Map<String, Object>) document;
    }

    private static String firstColumn(Object dataSource)
    {
        List<?> columns = (List<?>) map(dataSource).get("columns");
        return (String) map(columns.getFirst()).get("name");
    }

    /** Median, 90th percentile and maximum, in milliseconds. */
    private static String summary(long[] nanos)
    {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return "p50 %.2f ms, p90 %.2f ms, max %.2f ms".formatted(
                sorted[(sorted.length - 1) / 2] / 1e6, sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.9 * sorted.length) - 1)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long millis(long nanos)
    {
        return nanos / 1_000_000;
    }
}
