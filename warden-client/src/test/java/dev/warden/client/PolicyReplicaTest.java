package dev.warden.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.store.EntityChange;
import dev.warden.server.store.EntityKey;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replicas following a real server over HTTP: snapshot, change stream, restarts, a pruned log and a refused key. */
class PolicyReplicaTest
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a test waits for something that should happen soon; not a measurement. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static final String ORDERS = """
            {"id": "sales.orders", "location": {"technology": "trino", "catalog": "tpch", "schema": "tiny", "table": "orders"},
             "owners": ["bob"], "maskingSalt": "0123456789abcdef-salt",
             "columns": [{"name": "orderkey", "type": "bigint"}, {"name": "clerk", "type": "varchar(15)", "tags": ["PII"]}]}""";

    @TempDir
    Path dataDirectory;

    private WardenServer server;
    private String admin;
    private String service;
    private PolicyReplica replica;

    @BeforeEach
    void start()
            throws Exception
    {
        server = startServer(0);
        admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
        service = server.apiKeys().create("trino", Set.of(Permission.SERVICE), Optional.empty(), "test").key();
        put("/api/v1/tags/PII", "\"PII\"");
        put("/api/v1/groups/support", "{\"name\": \"support\"}");
        put("/api/v1/users/alice", "{\"name\": \"alice\", \"groups\": [\"support\"]}");
        put("/api/v1/users/bob", "{\"name\": \"bob\"}");
        put("/api/v1/dataSources/sales.orders", ORDERS);
        put("/api/v1/policies/read-orders", """
                {"id": "read-orders", "type": "subscription", "access": "READ", "on": {"dataSources": ["sales.orders"]}, "who": "anyone"}""");
        put("/api/v1/policies/mask-clerk", """
                {"id": "mask-clerk", "type": "masking", "on": {"dataSources": ["sales.orders"]}, "columns": {"named": ["clerk"]},
                 "mask": "nullify", "for": {"everyoneExcept": {"group": "support"}}}""");
        put("/api/v1/policies/big-orders", """
                {"id": "big-orders", "type": "row", "on": {"dataSources": ["sales.orders"]}, "rows": {"where": "orderkey > 10"},
                 "for": {"everyoneExcept": {"group": "support"}}}""");
    }

    @AfterEach
    void stop()
    {
        if (replica != null) {
            replica.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aReplicaStartsFromTheSnapshotAndDecidesLikeTheServer()
    {
        replica = startReplica(WardenClientConfig.of(server.uri(), service));

        assertThat(replica.revision()).isEqualTo(server.state().current().revision());
        assertThat(replica.snapshotsTaken()).isEqualTo(1);
        assertThat(replica.isStale()).isFalse();
        assertThat(replica.lastContact()).isBeforeOrEqualTo(Instant.now());
        assertThat(replica.sinceLastContact()).hasValueSatisfying(silence -> assertThat(silence).isLessThan(Duration.ofSeconds(30)));
        PolicyEngine serverEngine = server.state().current().engine();
        for (String user : List.of("alice", "bob")) {
            Decision expected = serverEngine.decide(user, Optional.empty(), "sales.orders");
            assertThat(replica.decide(user, Optional.empty(), "sales.orders")).isEqualTo(expected);
        }
        Decision bob = replica.decide("bob", Optional.empty(), "sales.orders");
        assertThat(bob.hasAccess()).isTrue();
        assertThat(bob.masks()).containsOnlyKeys("clerk");
        assertThat(bob.rowFilter()).isPresent();
        assertThat(replica.decide("alice", Optional.empty(), "sales.orders").masks()).isEmpty();
    }

    @Test
    void committedChangesReachTheReplicaWithinASecond()
            throws Exception
    {
        replica = startReplica(WardenClientConfig.of(server.uri(), service));
        List<Long> notified = new CopyOnWriteArrayList<>();
        replica.onChange(notified::add);

        List<Duration> delays = new ArrayList<>();
        long revision = 0;
        for (int i = 0; i < 100; i++) {
            revision = put("/api/v1/users/carol", "{\"name\": \"carol\", \"attributes\": {\"n\": [\"" + i + "\"]}}");
            long committed = System.nanoTime();
            assertThat(replica.awaitRevision(revision, PATIENCE)).isTrue();
            delays.add(Duration.ofNanos(System.nanoTime() - committed));
        }
        List<Duration> sorted = delays.stream().sorted().toList();
        System.out.printf("change propagation over %d changes: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", sorted.size(),
                sorted.get(49).toNanos() / 1e6, sorted.get(98).toNanos() / 1e6, sorted.getLast().toNanos() / 1e6);
        assertThat(sorted.getLast()).isLessThan(Duration.ofSeconds(1));
        assertThat(replica.state().users().get("carol").attributes()).containsEntry("n", Set.of("99"));
        assertThat(notified).contains(revision);

        // A policy deleted on the server stops applying on the replica.
        revision = send("DELETE", "/api/v1/policies/mask-clerk", null, admin).get("revision").asLong();
        assertThat(replica.awaitRevision(revision, PATIENCE)).isTrue();
        assertThat(replica.decide("bob", Optional.empty(), "sales.orders").masks()).isEmpty();
        assertThat(replica.snapshotsTaken()).isEqualTo(1);
    }

    @Test
    void aReplicaKeepsItsStateWhileTheServerIsDownAndResumesWithoutASnapshot()
            throws Exception
    {
        Duration bound = Duration.ofSeconds(2);
        replica = startReplica(WardenClientConfig.of(server.uri(), service)
                .withPollWaitSeconds(1)
                .withStalenessBound(bound)
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
        long revision = replica.revision();
        Decision before = replica.decide("bob", Optional.empty(), "sales.orders");
        int port = server.port();

        server.close();
        server = null;
        eventually(() -> replica.lastError().isPresent(), "the replica notices that the server is gone");
        assertThat(replica.revision()).isEqualTo(revision);
        assertThat(replica.decide("bob", Optional.empty(), "sales.orders")).isEqualTo(before);
        eventually(replica::isStale, "the replica becomes stale");
        Instant staleAt = Instant.now();
        assertThat(Duration.between(replica.lastContact(), staleAt)).isGreaterThanOrEqualTo(bound);
        assertThat(replica.sinceLastContact()).hasValueSatisfying(silence -> assertThat(silence).isGreaterThanOrEqualTo(bound));
        assertThat(replica.stalenessBound()).isEqualTo(bound);
        assertThat(replica.revision()).isEqualTo(revision);

        server = startServer(port);
        eventually(() -> !replica.isStale(), "the replica reaches the restarted server");
        long next = put("/api/v1/users/dave", "{\"name\": \"dave\"}");
        assertThat(replica.awaitRevision(next, PATIENCE)).isTrue();
        assertThat(replica.state().users()).containsKey("dave");
        assertThat(replica.snapshotsTaken()).isEqualTo(1);
        assertThat(replica.lastError()).isEmpty();
    }

    @Test
    void aReplicaBehindThePrunedChangeLogTakesANewSnapshot()
            throws Exception
    {
        replica = startReplica(WardenClientConfig.of(server.uri(), service)
                .withPollWaitSeconds(1)
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
        long revision = replica.revision();
        int port = server.port();
        server.close();
        server = null;
        eventually(() -> replica.lastError().isPresent(), "the replica notices that the server is gone");

        // Meanwhile the state moves on where the replica cannot see it, and the log forgets the first of the changes.
        server = startServer(0);
        for (String user : List.of("erin", "frank", "grace")) {
            put("/api/v1/users/" + user, "{\"name\": \"" + user + "\"}");
        }
        server.store().pruneChangeLog(revision + 2);
        server.close();
        server = null;

        server = startServer(port);
        assertThat(replica.awaitRevision(revision + 3, PATIENCE)).isTrue();
        assertThat(replica.snapshotsTaken()).isEqualTo(2);
        assertThat(replica.state().users()).containsKeys("erin", "frank", "grace");
        assertThat(replica.decide("bob", Optional.empty(), "sales.orders"))
                .isEqualTo(server.state().current().engine().decide("bob", Optional.empty(), "sales.orders"));
    }

    @Test
    void aStateThatDoesNotLoadIsRecordedAndThePreviousStateKept()
            throws Exception
    {
        replica = startReplica(WardenClientConfig.of(server.uri(), service)
                .withPollWaitSeconds(1)
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
        long revision = replica.revision();

        // The API refuses such a state, so it is written to the store directly, as a bug or a hand edit might.
        EntityKey broken = new EntityKey("users", "mallory");
        server.store().commit("test", OptionalLong.empty(), List.of(EntityChange.put(broken, "{\"name\": \"mallory\", \"groups\": [\"nobody\"]}")));
        eventually(() -> replica.lastError().filter(error -> error.contains("nobody")).isPresent(), "the replica reports the state that does not load");
        assertThat(replica.revision()).isEqualTo(revision);
        assertThat(replica.state().users()).doesNotContainKey("mallory");

        long fixed = server.store().commit("test", OptionalLong.empty(), List.of(EntityChange.delete(broken)));
        assertThat(replica.awaitRevision(fixed, PATIENCE)).isTrue();
        assertThat(replica.state().users()).doesNotContainKey("mallory");
        eventually(() -> replica.lastError().isEmpty(), "the replica clears the error");
    }

    @Test
    void aReplicaStartedInTheBackgroundWaitsForTheServerWithoutFailing()
            throws Exception
    {
        int port = server.port();
        server.close();
        server = null;
        replica = new PolicyReplica(WardenClientConfig.of(URI.create("http://localhost:" + port), service)
                .withPollWaitSeconds(1)
                .withStalenessBound(Duration.ofSeconds(2))
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
        List<Long> revisions = new CopyOnWriteArrayList<>();
        replica.onChange(revisions::add);

        replica.startInBackground();
        eventually(() -> replica.lastError().isPresent(), "the replica notices that the server is down");
        assertThat(replica.isStale()).isTrue();
        assertThatThrownBy(replica::revision).isInstanceOf(IllegalStateException.class);
        assertThat(replica.sinceLastContact()).as("never heard from the server").isEmpty();

        server = startServer(port);
        eventually(() -> !revisions.isEmpty(), "the replica takes its first snapshot");
        assertThat(replica.isStale()).isFalse();
        assertThat(replica.state().dataSources()).containsKey("sales.orders");
        long next = put("/api/v1/users/dave", "{\"name\": \"dave\"}");
        assertThat(replica.awaitRevision(next, PATIENCE)).isTrue();
        assertThat(replica.snapshotsTaken()).isEqualTo(1);
    }

    @Test
    void aRefusedKeyFailsStartNamingThe401()
    {
        replica = new PolicyReplica(WardenClientConfig.of(server.uri(), "wdn_not-a-key"));

        assertThatThrownBy(replica::start)
                .isInstanceOf(WardenClientException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("the API key is unknown or revoked")
                .satisfies(error -> assertThat(((WardenClientException) error).httpStatus()).hasValue(401));
    }

    @Test
    void aKeyWithoutServicePermissionIsRefused()
    {
        String reader = server.apiKeys().create("auditor", Set.of(Permission.AUDIT), Optional.empty(), "test").key();
        replica = new PolicyReplica(WardenClientConfig.of(server.uri(), reader));

        assertThatThrownBy(replica::start)
                .isInstanceOf(WardenClientException.class)
                .hasMessageContaining("HTTP 403");
    }

    private PolicyReplica startReplica(WardenClientConfig config)
    {
        PolicyReplica started = new PolicyReplica(config);
        started.start();
        return started;
    }

    private WardenServer startServer(int port)
    {
        return WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", String.valueOf(port)), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** PUTs a document as the admin and returns the revision it committed. */
    private long put(String path, String body)
            throws Exception
    {
        return send("PUT", path, body, admin).get("revision").asLong();
    }

    private JsonNode send(String method, String path, String body, String key)
            throws Exception
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key)
                .build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    private static void eventually(BooleanSupplier condition, String description)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until " + description).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
