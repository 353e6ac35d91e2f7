package dev.warden.server.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server is killed (SIGKILL) while it applies a large bundle; started again on the same store, it holds all of
 * the bundle or none of it.
 */
class KilledDuringApplyTest
{
    private static final String ADMIN_KEY = "wdn_" + "k".repeat(40);
    private static final int USERS = 3_000;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aKilledApplyLeavesAllOfTheBundleOrNoneOfIt(@TempDir Path dataDirectory)
            throws Exception
    {
        String bundle = bundle();
        long applyMillis = timeOneApply(dataDirectory.resolve("calibration"), bundle);
        int allOrNothingSeen = 0;
        // Kill early, midway and late in an apply as long as the one just timed, and after it; each outcome is printed.
        for (long killAfterMillis : List.of(applyMillis * 3 / 10, applyMillis * 6 / 10, applyMillis * 9 / 10, applyMillis * 2)) {
            Process server = start(dataDirectory);
            try {
                int port = port(server);
                long before = revision(port);
                CompletableFuture<HttpResponse<String>> applying = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/apply"))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(bundle.replace("generation: 0", "generation: " + killAfterMillis)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                Thread.sleep(killAfterMillis);
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                applying.handle((_, _) -> null).get(30, TimeUnit.SECONDS);

                Process restarted = start(dataDirectory);
                try {
                    int restartedPort = port(restarted);
                    long after = revision(restartedPort);
                    int users = count(restartedPort, "users");
                    assertThat(after).as("at most one revision for the whole bundle").isBetween(before, before + 1);
                    // All of the bundle, or none of it: its users all exist only if its revision committed.
                    assertThat(users).as("after kill at %d ms", killAfterMillis).isEqualTo(after == before ? usersBefore(before) : USERS);
                    allOrNothingSeen++;
                    System.out.printf("apply of %d users takes %d ms; killed after %d ms: %s%n", USERS, applyMillis, killAfterMillis,
                            after == before ? "none of it committed" : "all of it committed");
                }
                finally {
                    restarted.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            finally {
                server.destroyForcibly();
            }
        }
        assertThat(allOrNothingSeen).isEqualTo(4);
    }

    private static long timeOneApply(Path dataDirectory, String bundle)
            throws Exception
    {
        Process server = start(dataDirectory);
        try {
            int port = port(server);
            long started = System.nanoTime();
            HttpResponse<String> applied = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/apply"))
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(bundle))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
            return Math.max(10, (System.nanoTime() - started) / 1_000_000);
        }
        finally {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Revision 0 has no users; each committed apply of the bundle holds all of them. */
    private static int usersBefore(long revision)
    {
        return revision == 0 ? 0 : USERS;
    }

    private static String bundle()
    {
        StringBuilder yaml = new StringBuilder("groups:\n  - name: generated\n    attributes: {generation: [\"generation: 0\"]}\nusers:\n");
        for (int i = 0; i < USERS; i++) {
            yaml.append("  - {name: user").append(i).append(", email: user").append(i).append("@example.com, groups: [generated], attributes: {n: [\"").append(i).append("\"]}}\n");
        }
        return yaml.toString();
    }

    private static Process start(Path dataDirectory)
            throws Exception
    {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(), dataDirectory.toString(), ADMIN_KEY);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    private static int port(Process server)
            throws Exception
    {
        BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return output.readLine();
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String listening = line.get(60, TimeUnit.SECONDS);
        assertThat(listening).startsWith("listening ");
        return Integer.parseInt(listening.substring("listening ".length()));
    }

    private static long revision(int port)
            throws Exception
    {
        return JSON.readTree(get(port, "/health")).get("revision").asLong();
    }

    private static int count(int port, String section)
            throws Exception
    {
        return JSON.readTree(get(port, "/api/v1/" + section + "?limit=1")).get("total").asInt();
    }

    private static String get(int port, String path)
            throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
