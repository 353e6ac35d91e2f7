package dev.warden.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.testing.TestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server is killed (SIGKILL) while it applies a large bundle; started again on the same store, it holds all of
 * the bundle or none of it. Each apply gives every user a new generation, so a partly applied bundle would show as
 * users of two generations.
 */
@ParameterizedClass
@EnumSource(TestStore.class)
class KilledDuringApplyTest
{
    private static final String ADMIN_KEY = "wdn_" + "k".repeat(40);
    private static final int USERS = 3_000;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    TestStore store;

    /** A server process and the port it listens on. */
    private record Running(Process process, int port)
    {
        Running
        {
            requireNonNull(process, "process is null");
        }
    }

    @Test
    void aKilledApplyLeavesAllOfTheBundleOrNoneOfIt(@TempDir Path dataDirectory)
            throws Exception
    {
        long applyMillis;
        try (TestStore.Database calibration = store.create(dataDirectory.resolve("calibration"))) {
            applyMillis = timeOneApply(calibration, bundle(0));
        }
        // Kill early, midway and late in an apply as long as the one just timed, and once it was acknowledged.
        List<Long> killsAfterMillis = List.of(applyMillis * 3 / 10, applyMillis * 6 / 10, applyMillis * 9 / 10, -1L);
        try (TestStore.Database database = store.create(dataDirectory)) {
            Running server = start(database);
            try {
                for (int generation = 1; generation <= killsAfterMillis.size(); generation++) {
                    long killAfterMillis = killsAfterMillis.get(generation - 1);
                    long before = revision(server);
                    Map<String, Integer> generationsBefore = generations(server);
                    CompletableFuture<HttpResponse<String>> applying = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/apply"))
                            .header("Authorization", "Bearer " + ADMIN_KEY)
                            .POST(HttpRequest.BodyPublishers.ofString(bundle(generation)))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (killAfterMillis < 0) {
                        assertThat(applying.get(5, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
                    }
                    else {
                        Thread.sleep(killAfterMillis);
                    }
                    server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    applying.handle((_, _) -> null).get(30, TimeUnit.SECONDS);

                    server = start(database);
                    long after = revision(server);
                    Map<String, Integer> generationsAfter = generations(server);
                    assertThat(after).as("at most one revision for the whole bundle").isBetween(before, before + 1);
                    // All of the bundle (every user of the new generation), or none of it (the users as before).
                    assertThat(generationsAfter).as("after kill at %d ms", killAfterMillis)
                            .isEqualTo(after == before ? generationsBefore : Map.of(String.valueOf(generation), USERS));
                    if (killAfterMillis < 0) {
                        assertThat(after).as("an acknowledged apply is kept").isEqualTo(before + 1);
                    }
                    System.out.printf("apply of %d users on %s takes %d ms; killed %s: %s%n", USERS, store, applyMillis,
                            killAfterMillis < 0 ? "once acknowledged" : "after " + killAfterMillis + " ms", after == before ? "none of it committed" : "all of it committed");
                }
            }
            finally {
                server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long timeOneApply(TestStore.Database database, String bundle)
            throws Exception
    {
        Running server = start(database);
        try {
            long started = System.nanoTime();
            HttpResponse<String> applied = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/apply"))
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(bundle))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
            return Math.max(10, (System.nanoTime() - started) / 1_000_000);
        }
        finally {
            server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Every user, of the given generation. */
    private static String bundle(int generation)
    {
        StringBuilder yaml = new StringBuilder("groups:\n  - name: generated\nusers:\n");
        for (int i = 0; i < USERS; i++) {
            yaml.append("  - {name: user").append(i).append(", email: user").append(i).append("@example.com, groups: [generated], attributes: {n: [\"")
                    .append(i).append("\"], generation: [\"").append(generation).append("\"]}}\n");
        }
        return yaml.toString();
    }

    private static Running start(TestStore.Database database)
            throws Exception
    {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(), "bootstrap.admin-key=" + ADMIN_KEY));
        for (Map.Entry<String, String> setting : database.settings().entrySet()) {
            command.add(setting.getKey() + "=" + setting.getValue());
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return output.readLine();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String listening = line.get(60, TimeUnit.SECONDS);
        assertThat(listening).startsWith("listening ");
        return new Running(process, Integer.parseInt(listening.substring("listening ".length())));
    }

    private static long revision(Running server)
            throws Exception
    {
        return JSON.readTree(get(server, "/health")).get("revision").asLong();
    }

    /** How many users have each generation. */
    private static Map<String, Integer> generations(Running server)
            throws Exception
    {
        Map<String, Integer> generations = new HashMap<>();
        for (int offset = 0; ; offset += 1_000) {
            JsonNode page = JSON.readTree(get(server, "/api/v1/users?limit=1000&offset=" + offset));
            for (JsonNode user : page.get("items")) {
                generations.merge(user.at("/document/attributes/generation/0").asText(), 1, Integer::sum);
            }
            if (offset + 1_000 >= page.get("total").asInt()) {
                return generations;
            }
        }
    }

    private static String get(Running server, String path)
            throws Exception
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("Authorization", "Bearer " + ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
