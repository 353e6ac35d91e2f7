package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.auth.Permission;
import dev.warden.server.testing.TestServer;
import dev.warden.server.testing.TestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Replicas follow the state through {@code /api/v1/snapshot} and long-polled {@code /api/v1/changes}. */
@ParameterizedClass
@EnumSource(TestStore.class)
class ChangeStreamTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer server;
    private String admin;
    private String service;

    @BeforeEach
    void start()
    {
        server = TestServer.start(store, dataDirectory);
        admin = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
        service = server.createKey("trino", Set.of(Permission.SERVICE), Optional.empty());
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
        CompletableFuture<HttpResponse<String>> waiting = server.sendAsync("GET", "/api/v1/changes?after=" + revision + "&wait=30", null, service);
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
        server.server().store().pruneChangeLog(2);
        JsonNode behind = JSON.readTree(send("GET", "/api/v1/changes?after=0", null, service).body());
        assertThat(behind.get("snapshotRequired").asBoolean()).isTrue();
        assertThat(behind.get("changes")).isEmpty();
        JsonNode caughtUp = JSON.readTree(send("GET", "/api/v1/changes?after=2", null, service).body());
        assertThat(caughtUp.get("snapshotRequired").asBoolean()).isFalse();
        assertThat(caughtUp.get("changes").findValuesAsText("id")).containsExactly("carol");
    }

    @Test
    void aSnapshotTakenWhileWritesCommitHoldsExactlyTheDocumentsOfItsRevision()
            throws Exception
    {
        // Each revision adds one user, so a snapshot at revision N holds exactly N users.
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= 150; i++) {
                assertThat(send("PUT", "/api/v1/users/user" + i, "{\"name\": \"user" + i + "\"}", admin).statusCode()).isEqualTo(201);
            }
        });
        int snapshots = 0;
        while (!writing.isDone()) {
            JsonNode snapshot = JSON.readTree(send("GET", "/api/v1/snapshot", null, service).body());
            assertThat(snapshot.get("documents")).as("snapshot at revision %d", snapshot.get("revision").asLong()).hasSize(snapshot.get("revision").asInt());
            snapshots++;
        }
        writing.get();
        assertThat(snapshots).isPositive();
    }

    private HttpResponse<String> send(String method, String path, String body, String key)
    {
        return server.send(method, path, body, key);
    }
}
