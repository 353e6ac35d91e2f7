package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.auth.ApiKeys;
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
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The server over real HTTP on a free port, on each store. */
@ParameterizedClass
@EnumSource(TestStore.class)
class ServerHttpTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer server;
    private String adminKey;

    @BeforeEach
    void start()
    {
        server = TestServer.start(store, dataDirectory);
        String printed = server.console();
        assertThat(printed).contains("Bootstrap admin API key (shown once, keep it safe): wdn_");
        adminKey = printed.substring(printed.indexOf("wdn_")).strip();
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void healthNeedsNoKey()
            throws Exception
    {
        HttpResponse<String> response = get("/health", Optional.empty());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void everyApiEndpointNeedsAValidKeyAndSaysWhichPermissionIsMissing()
            throws Exception
    {
        HttpResponse<String> anonymous = get("/api/v1/snapshot", Optional.empty());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).get("code").asText()).isEqualTo("UNAUTHENTICATED");

        HttpResponse<String> wrongKey = get("/api/v1/snapshot", Optional.of(ApiKeys.PREFIX + "not-a-key"));
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongKey.body()).get("message").asText()).isEqualTo("the API key is unknown or revoked");

        String auditorKey = server.createKey("auditor", Set.of(Permission.AUDIT), Optional.empty());
        HttpResponse<String> forbidden = get("/api/v1/snapshot", Optional.of(auditorKey));
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(forbidden.body()).get("message").asText()).isEqualTo("this needs the SERVICE permission, which API key 'auditor' lacks");

        HttpResponse<String> allowed = get("/api/v1/snapshot", Optional.of(adminKey));
        assertThat(allowed.statusCode()).isEqualTo(200);
        JsonNode snapshot = JSON.readTree(allowed.body());
        assertThat(snapshot.get("revision").asLong()).isZero();
        assertThat(snapshot.get("documents")).isEmpty();
    }

    @Test
    void badInputNamesTheField()
            throws Exception
    {
        HttpResponse<String> response = get("/api/v1/changes?after=minus-one", Optional.of(adminKey));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID");
        assertThat(error.get("field").asText()).isEqualTo("after");
        assertThat(error.get("message").asText()).isEqualTo("query parameter 'after' must be a revision (a whole number, 0 or more), not 'minus-one'");

        HttpResponse<String> unknown = get("/api/v1/nothing-here", Optional.of(adminKey));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void metricsCountRequestsByRouteInPrometheusFormat()
            throws Exception
    {
        get("/api/v1/snapshot", Optional.of(adminKey));
        get("/api/v1/users/alice", Optional.of(adminKey));
        HttpResponse<String> anonymous = get("/metrics", Optional.empty());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = get("/metrics", Optional.of(adminKey));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("warden_http_requests_total{method=\"GET\",route=\"/api/v1/snapshot\",status=\"200\"} 1")
                .contains("warden_http_requests_total{method=\"GET\",route=\"/api/v1/{section}/{id}\",status=\"404\"} 1")
                .contains("warden_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/snapshot\"} 1")
                .contains("warden_state_revision 0")
                .contains("warden_replicas_waiting 0");
    }

    @Test
    void theApiIsDescribedByAnOpenApiDocument()
            throws Exception
    {
        HttpResponse<String> response = get("/api/v1/openapi.json", Optional.of(adminKey));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode document = JSON.readTree(response.body());
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(document.get("paths").fieldNames(), 0), false).toList()).contains("/health", "/metrics", "/api/v1/snapshot", "/api/v1/changes", "/api/v1/apply",
                "/api/v1/decisions", "/api/v1/explain", "/api/v1/audit", "/api/v1/access-requests", "/api/v1/{section}", "/api/v1/{section}/{id}");
    }

    @Test
    void theBootstrapKeyIsPrintedOnlyOnFirstStart()
    {
        server.restart();
        assertThat(server.console()).doesNotContain("wdn_");
        assertThat(server.server().apiKeys().authenticate(adminKey)).isPresent();
    }

    private HttpResponse<String> get(String path, Optional<String> key)
    {
        return server.send("GET", path, null, key.orElse(null));
    }
}
