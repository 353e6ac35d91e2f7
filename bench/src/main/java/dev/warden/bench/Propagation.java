package dev.warden.bench;

import dev.warden.client.PolicyReplica;
import dev.warden.client.WardenClientConfig;
import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Issue #3's propagation target: a change committed through the API is visible in a connected replica, p99 at most
 * 200 ms. Starts a server on a temporary embedded store and a replica following it over loopback, then commits
 * changes one at a time ({@code PUT /api/v1/users/...}) and measures from the response to the replica holding the
 * new revision. Argument: {@code [changes (1000)]}.
 */
public final class Propagation
{
    private Propagation() {}

    public static void main(String[] args)
            throws Exception
    {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        Path dataDirectory = Files.createTempDirectory("warden-propagation");
        try (WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                HttpClient client = HttpClient.newHttpClient()) {
            String admin = server.apiKeys().create("bench", Set.of(Permission.ADMIN), Optional.empty(), "bench").key();
            String service = server.apiKeys().create("replica", Set.of(Permission.SERVICE), Optional.empty(), "bench").key();
            try (PolicyReplica replica = new PolicyReplica(WardenClientConfig.of(server.uri(), service))) {
                replica.start();
                long[] nanos = new long[changes];
                for (int i = 0; i < changes; i++) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/users/user" + i))
                            .header("Authorization", "Bearer " + admin)
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"name\": \"user" + i + "\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    long committed = System.nanoTime();
                    if (response.statusCode() != 201) {
                        throw new IllegalStateException("PUT failed: " + response.statusCode() + " " + response.body());
                    }
                    long revision = server.state().current().revision();
                    if (!replica.awaitRevision(revision, Duration.ofSeconds(10))) {
                        throw new IllegalStateException("the replica did not reach revision " + revision + " within 10 s");
                    }
                    nanos[i] = System.nanoTime() - committed;
                }
                Arrays.sort(nanos);
                System.out.printf("%d changes, committed through the API -> visible in the replica: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        changes, millis(nanos, 0.50), millis(nanos, 0.90), millis(nanos, 0.99), nanos[changes - 1] / 1e6);
            }
        }
    }

    private static double millis(long[] sorted, double quantile)
    {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}
