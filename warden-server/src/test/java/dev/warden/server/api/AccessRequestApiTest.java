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

/** Requesting, approving, denying and revoking access over HTTP, with the policy state following each decision. */
@ParameterizedClass
@EnumSource(TestStore.class)
class AccessRequestApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUNDLE = """
            users: [{name: alice}, {name: bob}, {name: carol}]
            dataSources:
              - id: sales.orders
                location: {technology: trino, catalog: tpch, schema: tiny, table: orders}
                owners: [bob]
                maskingSalt: 0123456789abcdef-salt
                columns: [{name: orderkey, type: bigint}]
              - id: sales.private
                location: {technology: trino, catalog: tpch, schema: tiny, table: customer}
                maskingSalt: 0123456789abcdef-salt
                columns: [{name: custkey, type: bigint}]
            policies:
              - id: orders-on-request
                type: subscription
                access: READ
                on: {dataSources: [sales.orders]}
                who: anyoneWhoAsks
            """;

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer testServer;
    private WardenServer server;
    private String alice;
    private String bob;
    private String carol;
    private String governor;

    @BeforeEach
    void start()
            throws Exception
    {
        testServer = TestServer.start(store, dataDirectory);
        server = testServer.server();
        String admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
        assertThat(send("POST", "/api/v1/apply", BUNDLE, admin).statusCode()).isEqualTo(200);
        alice = server.apiKeys().create("alice", Set.of(), Optional.of("alice"), "test").key();
        bob = server.apiKeys().create("bob", Set.of(), Optional.of("bob"), "test").key();
        carol = server.apiKeys().create("carol", Set.of(), Optional.of("carol"), "test").key();
        governor = server.apiKeys().create("governor", Set.of(Permission.GOVERNANCE), Optional.empty(), "test").key();
    }

    @AfterEach
    void stop()
    {
        testServer.close();
    }

    @Test
    void anApprovalGrantsAccessInTheSameRevisionAndARevocationTakesItAway()
            throws Exception
    {
        HttpResponse<String> requested = send("POST", "/api/v1/access-requests", "{\"dataSource\": \"sales.orders\", \"access\": \"READ\", \"reason\": \"quarterly report\"}", alice);
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(201);
        JsonNode request = JSON.readTree(requested.body());
        assertThat(request.get("status").asText()).isEqualTo("PENDING");
        assertThat(request.get("user").asText()).isEqualTo("alice");
        String id = request.get("id").asText();
        assertThat(hasAccess("alice")).isFalse();
        assertThat(send("POST", "/api/v1/access-requests", "{\"dataSource\": \"sales.orders\", \"access\": \"READ\"}", alice).statusCode()).isEqualTo(409);

        HttpResponse<String> notOwner = send("POST", "/api/v1/access-requests/" + id + "/approve", "", carol);
        assertThat(notOwner.statusCode()).isEqualTo(403);
        HttpResponse<String> approved = send("POST", "/api/v1/access-requests/" + id + "/approve", "{\"note\": \"ok for Q3\"}", bob);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        JsonNode decision = JSON.readTree(approved.body());
        assertThat(decision.get("status").asText()).isEqualTo("APPROVED");
        assertThat(decision.get("decidedBy").asText()).isEqualTo("bob (bob)");
        assertThat(decision.get("decisionNote").asText()).isEqualTo("ok for Q3");
        assertThat(decision.get("revision").asLong()).isEqualTo(server.state().current().revision());
        assertThat(hasAccess("alice")).isTrue();
        assertThat(send("POST", "/api/v1/access-requests/" + id + "/approve", "", bob).statusCode()).isEqualTo(409);

        HttpResponse<String> revoked = send("POST", "/api/v1/access-requests/" + id + "/revoke", "", governor);
        assertThat(JSON.readTree(revoked.body()).get("status").asText()).isEqualTo("REVOKED");
        assertThat(hasAccess("alice")).isFalse();

        JsonNode audit = JSON.readTree(send("GET", "/api/v1/audit?kind=accessRequests&id=" + id, null, auditorKey()).body());
        assertThat(audit.get("entries").findValuesAsText("action")).containsExactly("revoked", "approved", "request");
    }

    @Test
    void aDenialChangesNoAccessAndOnlyAskablePoliciesCanBeRequested()
            throws Exception
    {
        String id = JSON.readTree(send("POST", "/api/v1/access-requests", "{\"dataSource\": \"sales.orders\", \"access\": \"READ\"}", carol).body()).get("id").asText();
        long revision = server.state().current().revision();
        JsonNode denied = JSON.readTree(send("POST", "/api/v1/access-requests/" + id + "/deny", "{\"note\": \"not needed\"}", governor).body());
        assertThat(denied.get("status").asText()).isEqualTo("DENIED");
        assertThat(server.state().current().revision()).isEqualTo(revision);
        assertThat(hasAccess("carol")).isFalse();

        JsonNode pending = JSON.readTree(send("GET", "/api/v1/access-requests?status=denied", null, governor).body());
        assertThat(pending.get("requests").findValuesAsText("id")).containsExactly(id);

        HttpResponse<String> nothingToAsk = send("POST", "/api/v1/access-requests", "{\"dataSource\": \"sales.private\", \"access\": \"READ\"}", carol);
        assertThat(nothingToAsk.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(nothingToAsk.body()).get("message").asText()).isEqualTo("no policy grants READ on data source 'sales.private' to anyone who asks, so there is nothing to request");
        HttpResponse<String> forSomeoneElse = send("POST", "/api/v1/access-requests", "{\"user\": \"alice\", \"dataSource\": \"sales.orders\", \"access\": \"READ\"}", carol);
        assertThat(forSomeoneElse.statusCode()).isEqualTo(403);
    }

    private String auditorKey()
    {
        return server.apiKeys().create("auditor", Set.of(Permission.AUDIT), Optional.empty(), "test").key();
    }

    private boolean hasAccess(String user)
    {
        return server.state().current().engine().decide(user, Optional.empty(), "sales.orders").hasAccess();
    }

    private HttpResponse<String> send(String method, String path, String body, String key)
    {
        return testServer.send(method, path, body, key);
    }
}
