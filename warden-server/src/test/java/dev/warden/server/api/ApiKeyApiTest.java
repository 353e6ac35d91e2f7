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
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/api-keys} over real HTTP: keys shown once, stored as hashes, limited to their permissions, revocable. */
@ParameterizedClass
@EnumSource(TestStore.class)
class ApiKeyApiTest
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
        adminKey = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void aServiceKeyReadsTheSnapshotAndNothingElseUntilRevoked()
            throws Exception
    {
        HttpResponse<String> created = server.send("POST", "/api/v1/api-keys", "{\"name\": \"trino\", \"permissions\": [\"SERVICE\"]}", adminKey);
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        String key = body.get("key").asText();
        assertThat(key).startsWith("wdn_");
        assertThat(body.get("permissions").toString()).isEqualTo("[\"SERVICE\"]");

        assertThat(server.send("GET", "/api/v1/snapshot", null, key).statusCode()).isEqualTo(200);
        HttpResponse<String> denied = server.send("PUT", "/api/v1/users/mallory", "{\"name\": \"mallory\"}", key);
        assertThat(denied.statusCode()).isEqualTo(403);

        String listed = server.send("GET", "/api/v1/api-keys", null, adminKey).body();
        assertThat(listed).contains("\"name\":\"trino\"").doesNotContain(key);

        String id = body.get("id").asText();
        assertThat(server.send("DELETE", "/api/v1/api-keys/" + id, null, adminKey).statusCode()).isEqualTo(200);
        assertThat(server.send("GET", "/api/v1/snapshot", null, key).statusCode()).isEqualTo(401);
        assertThat(server.send("DELETE", "/api/v1/api-keys/" + id, null, adminKey).statusCode()).isEqualTo(404);
    }

    @Test
    void onlyAdminsManageKeysAndBadRequestsNameTheField()
    {
        String governor = server.createKey("governor", Set.of(Permission.GOVERNANCE), Optional.empty());
        HttpResponse<String> forbidden = server.send("POST", "/api/v1/api-keys", "{\"name\": \"x\", \"permissions\": [\"ADMIN\"]}", governor);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("ADMIN");

        HttpResponse<String> unknown = server.send("POST", "/api/v1/api-keys", "{\"name\": \"x\", \"permissions\": [\"ROOT\"]}", adminKey);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"field\":\"permissions\"").contains("unknown permission 'ROOT'");

        HttpResponse<String> missing = server.send("POST", "/api/v1/api-keys", "{\"permissions\": []}", adminKey);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("\"field\":\"name\"");
    }
}
