package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.testing.TestServer;
import dev.warden.server.testing.TestStore;
import dev.warden.server.webhooks.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Change events POSTed to a real receiver over HTTP: signed, retried after a failure, and every attempt recorded. */
@ParameterizedClass
@EnumSource(TestStore.class)
class WebhookTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    TestStore store;

    private record Received(Map<String, List<String>> headers, String body) {}

    @Test
    void changesAreSignedRetriedUntilTheReceiverAcceptsAndRecorded(@TempDir Path dataDirectory)
            throws Exception
    {
        List<Received> received = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new Received(exchange.getRequestHeaders(), new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            // The first delivery fails, as a receiver that is briefly down would.
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
        try (TestServer server = TestServer.start(store, dataDirectory)) {
            String admin = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
            var created = server.send("POST", "/api/v1/webhooks",
                    "{\"url\": \"http://127.0.0.1:%d/hook\", \"secret\": \"a-secret-of-16-chars\", \"kinds\": [\"users\"]}".formatted(receiver.getAddress().getPort()), admin);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String webhook = JSON.readTree(created.body()).get("id").asText();

            server.send("PUT", "/api/v1/tags/PII", "\"PII\"", admin);
            server.send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\"}", admin);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(received).hasSize(2);
            // The tag was not a kind the webhook asked for; the user change came twice, the second time accepted.
            for (Received delivery : received) {
                JsonNode payload = JSON.readTree(delivery.body());
                assertThat(payload.get("revision").asLong()).isEqualTo(2);
                assertThat(payload.at("/changes/0/kind").asText()).isEqualTo("users");
                assertThat(payload.at("/changes/0/operation").asText()).isEqualTo("put");
                assertThat(payload.at("/changes/0/document/name").asText()).isEqualTo("alice");
                assertThat(delivery.headers().get("X-warden-signature")).containsExactly("sha256=" + Webhooks.sign("a-secret-of-16-chars", delivery.body()));
            }

            JsonNode deliveries = JSON.readTree(server.send("GET", "/api/v1/webhooks/" + webhook + "/deliveries", null, admin).body()).get("deliveries");
            assertThat(deliveries).hasSize(2);
            assertThat(deliveries.get(1).get("statusCode").asInt()).isEqualTo(503);
            assertThat(deliveries.get(1).get("delivered").asBoolean()).isFalse();
            assertThat(deliveries.get(0).get("statusCode").asInt()).isEqualTo(204);
            assertThat(deliveries.get(0).get("delivered").asBoolean()).isTrue();

            JsonNode listed = JSON.readTree(server.send("GET", "/api/v1/webhooks", null, admin).body());
            assertThat(listed.at("/webhooks/0/deliveredRevision").asLong()).isEqualTo(2);
            assertThat(listed.at("/webhooks/0").has("secret")).isFalse();

            var refused = server.send("POST", "/api/v1/webhooks", "{\"url\": \"ftp://example.com\"}", admin);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).get("field").asText()).isEqualTo("url");
            String governor = server.createKey("governor", Set.of(Permission.GOVERNANCE), Optional.empty());
            assertThat(server.send("GET", "/api/v1/webhooks", null, governor).statusCode()).isEqualTo(403);
        }
        finally {
            receiver.stop(0);
        }
    }
}
