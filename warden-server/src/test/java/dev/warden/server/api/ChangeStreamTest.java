package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Replicas follow the state through {@code /api/v1/snapshot} and long-polled {@code /api/v1/changes}. */
class ChangeStreamTest
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDirectory;

    private WardenServer server;
    private String admin;
    private String service;

    @BeforeEach
    void start()
    {
        server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
        service = server.apiKeys().create("trino", Set.of(Permission.SERVICE), Optional.empty(), "test").key();
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void aWaitingRequestReturnsAsSoonAsAChangeIsCommitted()
            throws Exception
    {
        JsonNode snapshot = JSON.readTree(send("GET", "/api/v1/snapshot", null, service).body());
        long revision = snapshot.get("revision").asLong();

        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> waiting = CLIENT.sendAsync(request("GET", "/api/v1/changes?after=" + revision + "&wait=30", null, service),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\"}", admin);

        JsonNode changes = JSON.readTree(waiting.get().body());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(changes.get("revision").asLong()).isEqualTo(revision + 1);
        assertThat(changes.get("snapshotRequired").asBoolean()).isFalse();
        assertThat(changes.at("/changes/0/kind").asText()).isEqualTo("users");
        assertThat(changes.at("/changes/0/id").asText()).isEqualTo("alice");
        assertThat(changes.at("/changes/0/body/name").asText()).isEqualTo("alice");
    }

    @Test
    void aRequestWithNothingNewReturnsEmptyWhenItsWaitIsOver()
            throws Exception
    {
        JsonNode changes = JSON.readTree(send("GET", "/api/v1/changes?after=0&wait=1", null, service).body());
        assertThat(changes.get("revision").asLong()).isZero();
        assertThat(changes.get("changes")).isEmpty();
    }

    @Test
    void aReplicaBehindTheLogIsToldToTakeASnapshot()
            throws Exception
    {
        for (String user : new String[] {"alice", "bob", "carol"}) {
            send("PUT", "/api/v1/users/" + user, "{\"name\": \"" + user + "\"}", admin);
        }
        server.store().pruneChangeLog(2);
        JsonNode behind = JSON.readTree(send("GET", "/api/v1/changes?after=0", null, service).body());
        assertThat(behind.get("snapshotRequired").asBoolean()).isTrue();
        assertThat(behind.get("changes")).isEmpty();
        JsonNode caughtUp = JSON.readTree(send("GET", "/api/v1/changes?after=2", null, service).body());
        assertThat(caughtUp.get("snapshotRequired").asBoolean()).isFalse();
        assertThat(caughtUp.get("changes").findValuesAsText("id")).containsExactly("carol");
    }

    private HttpResponse<String> send(String method, String path, String body, String key)
            throws Exception
    {
        return CLIENT.send(request(method, path, body, key), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body, String key)
    {
        return HttpRequest.newBuilder(URI.create(server.uri() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key)
                .build();
    }
}
