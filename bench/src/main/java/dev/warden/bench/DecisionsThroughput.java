package dev.warden.bench;

import dev.warden.bundle.BundleWriter;
import dev.warden.policy.state.PolicyState;
import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue #3's throughput target: {@code POST /api/v1/decisions} over loopback with 10,000 users, 10,000 data sources
 * and 1,000 policies loaded. Starts a server on a temporary embedded store, applies the workload as a bundle, then
 * runs client threads for a fixed time, once per batch size (data sources per request), and prints decisions per
 * second. Every data source is asked about once before the runs, so that no run pays for planning the data sources
 * it happens to meet first. Arguments: {@code [seconds per run (20)] [client threads (8)]}.
 */
public final class DecisionsThroughput
{
    private DecisionsThroughput() {}

    public static void main(String[] args)
            throws Exception
    {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        PolicyWorkload.Shape shape = PolicyWorkload.Shape.server();
        PolicyState state = PolicyWorkload.build(shape);
        Path dataDirectory = Files.createTempDirectory("warden-throughput");
        try (WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                // HTTP/1.1, as the server speaks: asking for HTTP/2 over plain http adds h2c upgrade headers to every request.
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String key = server.apiKeys().create("bench", Set.of(Permission.ADMIN), Optional.empty(), "bench").key();
            long loading = System.nanoTime();
            HttpResponse<String> applied = client.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/apply"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(BundleWriter.write(state, List.of())))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (applied.statusCode() != 200) {
                throw new IllegalStateException("apply failed: " + applied.statusCode() + " " + applied.body().substring(0, Math.min(500, applied.body().length())));
            }
            System.out.printf("loaded %d users, %d data sources of %d columns, %d policies, %d tags in %d ms%n", state.users().size(), state.dataSources().size(),
                    shape.columnsPerDataSource(), state.policies().size(), state.tags().size(), (System.nanoTime() - loading) / 1_000_000);

            List<String> users = new ArrayList<>(state.users().keySet());
            List<String> dataSources = new ArrayList<>(state.dataSources().keySet());
            for (int from = 0; from < dataSources.size(); from += 1_000) {
                decide(client, server.uri(), key, users.getFirst(), dataSources.subList(from, Math.min(dataSources.size(), from + 1_000)));
            }
            for (int batch : new int[] {1, 10, 50}) {
                run(client, server.uri(), key, users, dataSources, batch, threads, 3);
                double perSecond = run(client, server.uri(), key, users, dataSources, batch, threads, seconds);
                System.out.printf("batch %2d data sources per request, %d client threads: %,.0f decisions/s (%,.0f requests/s)%n",
                        batch, threads, perSecond, perSecond / batch);
            }
        }
    }

    /** Decisions per second over {@code seconds}. */
    private static double run(HttpClient client, URI server, String key, List<String> users, List<String> dataSources, int batch, int threads, int seconds)
            throws Exception
    {
        LongAdder decisions = new LongAdder();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> running = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                Random random = new Random(thread);
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        List<String> asked = new ArrayList<>(batch);
                        for (int i = 0; i < batch; i++) {
                            asked.add(dataSources.get(random.nextInt(dataSources.size())));
                        }
                        decide(client, server, key, users.get(random.nextInt(users.size())), asked);
                        decisions.add(batch);
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
        }
        return decisions.sum() / (double) seconds;
    }

    /** One user's decisions on the data sources, without reasons. */
    private static void decide(HttpClient client, URI server, String key, String user, List<String> dataSources)
            throws Exception
    {
        StringBuilder body = new StringBuilder("{\"user\": \"").append(user).append("\", \"reasons\": \"none\", \"dataSources\": [");
        for (int i = 0; i < dataSources.size(); i++) {
            body.append(i == 0 ? "" : ", ").append('"').append(dataSources.get(i)).append('"');
        }
        body.append("]}");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.resolve("/api/v1/decisions"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("decisions failed: " + response.statusCode() + " " + response.body());
        }
    }
}
