package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.WardenServer;
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

/** Decisions on the live state over HTTP, after the retail example is applied. */
@ParameterizedClass
@EnumSource(TestStore.class)
class DecisionApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RETAIL = Path.of("..", "examples", "retail");

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer testServer;
    private WardenServer server;
    private String governor;

    @BeforeEach
    void start()
            throws Exception
    {
        testServer = TestServer.start(store, dataDirectory);
        server = testServer.server();
        String admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
        governor = server.apiKeys().create("governor", Set.of(Permission.GOVERNANCE), Optional.empty(), "test").key();
        HttpResponse<String> applied = send("POST", "/api/v1/apply", retailBundle(), admin);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    }

    @AfterEach
    void stop()
    {
        testServer.close();
    }

    @Test
    void decisionsForOneUserOnSeveralDataSourcesAreRenderedInTheAskedDialect()
            throws Exception
    {
        HttpResponse<String> response = send("POST", "/api/v1/decisions",
                "{\"user\": \"alice\", \"dataSources\": [\"tpch.customer\", \"tpch.orders\"], \"dialect\": \"postgres\"}", governor);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("decisions")).hasSize(2);
        JsonNode customer = body.at("/decisions/0");
        assertThat(customer.get("dataSource").asText()).isEqualTo("tpch.customer");
        assertThat(customer.get("dialect").asText()).isEqualTo("postgres");
        assertThat(customer.get("access").findValuesAsText("access")).isEmpty();
        assertThat(customer.at("/access/0").asText()).isEqualTo("READ");
        assertThat(customer.at("/rowFilter").asText()).contains("E'BUILDING'");
        // The same as the engine over the same state gives.
        var engine = server.state().current().engine();
        assertThat(customer.get("columns").findValuesAsText("name").size()).isEqualTo(engine.state().dataSource("tpch.customer").columns().size());
        // By default only the policies in force are explained; "reasons": "all" or "none" ask for more or for none.
        var reasons = engine.decide("alice", Optional.empty(), "tpch.customer").reasons();
        assertThat(customer.get("reasons")).hasSize((int) reasons.stream().filter(reason -> reason.outcome() != dev.warden.policy.engine.Reason.Outcome.NOT_IN_FORCE).count());
        JsonNode all = JSON.readTree(send("POST", "/api/v1/decisions", "{\"user\": \"alice\", \"dataSources\": [\"tpch.customer\"], \"reasons\": \"all\"}", governor).body());
        assertThat(all.at("/decisions/0/reasons")).hasSize(reasons.size());
        JsonNode none = JSON.readTree(send("POST", "/api/v1/decisions", "{\"user\": \"alice\", \"dataSources\": [\"tpch.customer\"], \"reasons\": \"none\"}", governor).body());
        assertThat(none.at("/decisions/0").has("reasons")).isFalse();
    }

    @Test
    void explainGivesOneDecisionWithItsReasons()
            throws Exception
    {
        JsonNode explained = JSON.readTree(send("GET", "/api/v1/explain?user=alice&dataSource=tpch.customer", null, governor).body());
        assertThat(explained.get("dialect").asText()).isEqualTo("trino");
        assertThat(explained.get("reasons").findValuesAsText("outcome")).contains("APPLIED", "NOT_IN_FORCE");
        assertThat(explained.get("revision").asLong()).isEqualTo(1);
    }

    @Test
    void unknownNamesAndBadInputAreNamed()
            throws Exception
    {
        HttpResponse<String> unknownUser = send("GET", "/api/v1/explain?user=zoe&dataSource=tpch.customer", null, governor);
        assertThat(unknownUser.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownUser.body()).get("field").asText()).isEqualTo("user");
        HttpResponse<String> unknownDataSource = send("POST", "/api/v1/decisions", "{\"user\": \"alice\", \"dataSources\": [\"tpch.customer\", \"nope\"]}", governor);
        assertThat(unknownDataSource.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownDataSource.body()).get("field").asText()).isEqualTo("dataSources[1]");
        HttpResponse<String> badDialect = send("GET", "/api/v1/explain?user=alice&dataSource=tpch.customer&dialect=oracle", null, governor);
        assertThat(badDialect.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badDialect.body()).get("field").asText()).isEqualTo("dialect");
    }

    @Test
    void aUsersOwnKeyMayAskOnlyAboutThatUser()
            throws Exception
    {
        String alice = server.apiKeys().create("alice's key", Set.of(), Optional.of("alice"), "test").key();
        assertThat(send("GET", "/api/v1/explain?user=alice&dataSource=tpch.customer", null, alice).statusCode()).isEqualTo(200);
        HttpResponse<String> other = send("GET", "/api/v1/explain?user=bob&dataSource=tpch.customer", null, alice);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(other.body()).get("message").asText()).contains("GOVERNANCE or AUDIT");
    }

    /** The example bundle as one YAML document, as `warden apply` sends it. */
    private static String retailBundle()
            throws Exception
    {
        return dev.warden.bundle.BundleWriter.write(dev.warden.bundle.BundleLoader.load(RETAIL).state(), java.util.List.of());
    }

    private HttpResponse<String> send(String method, String path, String body, String key)
    {
        return testServer.send(method, path, body, key);
    }
}
