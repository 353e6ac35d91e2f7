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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, data sources and policies managed over real HTTP, checked, authorised, versioned and kept across restarts. */
@ParameterizedClass
@EnumSource(TestStore.class)
class EntityApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ORDERS = """
            {"id": "sales.orders", "location": {"technology": "trino", "catalog": "tpch", "schema": "tiny", "table": "orders"},
             "owners": ["bob"], "maskingSalt": "0123456789abcdef-salt",
             "columns": [{"name": "orderkey", "type": "bigint"}, {"name": "clerk", "type": "varchar(15)", "tags": ["PII"]}]}""";

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer testServer;
    private WardenServer server;
    private String admin;

    @BeforeEach
    void start()
    {
        testServer = TestServer.start(store, dataDirectory);
        server = testServer.server();
        admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
    }

    @AfterEach
    void stop()
    {
        testServer.close();
    }

    @Test
    void entitiesAreCreatedReadListedUpdatedAndDeletedEachAsOneRevision()
            throws Exception
    {
        assertThat(send("PUT", "/api/v1/tags/PII", "\"PII\"", admin).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/groups/analysts", "{\"name\": \"analysts\", \"attributes\": {\"region\": [\"EU\"]}}", admin).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\", \"groups\": [\"analysts\"]}", admin).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/users/bob", "{\"name\": \"bob\"}", admin).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/dataSources/sales.orders", ORDERS, admin).statusCode()).isEqualTo(201);
        HttpResponse<String> policy = send("PUT", "/api/v1/policies/read-orders",
                "{\"id\": \"read-orders\", \"type\": \"subscription\", \"access\": \"READ\", \"on\": {\"dataSources\": [\"sales.orders\"]}, \"who\": \"anyone\"}", admin);
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(201);
        JsonNode created = JSON.readTree(policy.body());
        assertThat(created.get("revision").asLong()).isEqualTo(6);
        assertThat(created.at("/document/sequence").asLong()).isEqualTo(1);

        JsonNode alice = JSON.readTree(send("GET", "/api/v1/users/alice", null, admin).body());
        assertThat(alice.at("/document/groups/0").asText()).isEqualTo("analysts");
        JsonNode users = JSON.readTree(send("GET", "/api/v1/users?limit=1", null, admin).body());
        assertThat(users.get("total").asInt()).isEqualTo(2);
        assertThat(users.get("items")).hasSize(1);
        assertThat(users.at("/items/0/id").asText()).isEqualTo("alice");

        assertThat(server.state().current().engine().decide("alice", Optional.empty(), "sales.orders").hasAccess()).isTrue();

        assertThat(send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\"}", admin).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/api/v1/policies/read-orders", null, admin).statusCode()).isEqualTo(200);
        assertThat(server.state().current().revision()).isEqualTo(8);
        assertThat(server.state().current().engine().decide("alice", Optional.empty(), "sales.orders").hasAccess()).isFalse();
        assertThat(send("GET", "/api/v1/policies/read-orders", null, admin).statusCode()).isEqualTo(404);
    }

    @Test
    void aChangeThatWouldBreakTheStateIsRefusedNamingTheFieldAndChangesNothing()
            throws Exception
    {
        HttpResponse<String> unknownDataSource = send("PUT", "/api/v1/policies/read-orders",
                "{\"id\": \"read-orders\", \"type\": \"subscription\", \"access\": \"READ\", \"on\": {\"dataSources\": [\"sales.orders\"]}, \"who\": \"anyone\"}", admin);
        assertThat(unknownDataSource.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(unknownDataSource.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID");
        assertThat(error.get("field").asText()).startsWith("policies[read-orders].on.dataSources");
        assertThat(error.get("message").asText()).contains("sales.orders");

        HttpResponse<String> badType = send("PUT", "/api/v1/dataSources/sales.orders", ORDERS.replace("\"bigint\"", "\"decimal(2,5)\""), admin);
        assertThat(badType.statusCode()).as(badType.body()).isEqualTo(400);
        assertThat(JSON.readTree(badType.body()).get("field").asText()).isEqualTo("dataSources[sales.orders].columns[0].type");
        HttpResponse<String> unknownReferences = send("PUT", "/api/v1/dataSources/sales.orders", ORDERS, admin);
        assertThat(unknownReferences.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknownReferences.body()).get("problems").findValuesAsText("field"))
                .anySatisfy(field -> assertThat(field).startsWith("dataSources[sales.orders].owners[0]"))
                .anySatisfy(field -> assertThat(field).startsWith("dataSources[sales.orders].columns[1].tags"));
        send("PUT", "/api/v1/tags/PII", "\"PII\"", admin);
        send("PUT", "/api/v1/users/bob", "{\"name\": \"bob\"}", admin);
        assertThat(send("PUT", "/api/v1/dataSources/sales.orders", ORDERS, admin).statusCode()).isEqualTo(201);
        HttpResponse<String> mismatchedId = send("PUT", "/api/v1/users/alice", "{\"name\": \"alicia\"}", admin);
        assertThat(mismatchedId.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(mismatchedId.body()).get("field").asText()).isEqualTo("name");
        HttpResponse<String> notJson = send("PUT", "/api/v1/users/alice", "{name: ", admin);
        assertThat(notJson.statusCode()).isEqualTo(400);

        HttpResponse<String> badSql = send("PUT", "/api/v1/policies/rows", """
                {"id": "rows", "type": "row", "on": {"dataSources": ["sales.orders"]}, "rows": {"where": "clerk = "}}""", admin);
        assertThat(badSql.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badSql.body()).get("field").asText()).startsWith("policies[rows].rows.where");
        assertThat(server.state().current().revision()).isEqualTo(3);

        // Deleting a data source that a policy names is refused too.
        assertThat(send("PUT", "/api/v1/policies/mask-clerk", """
                {"id": "mask-clerk", "type": "masking", "on": {"dataSources": ["sales.orders"]}, "columns": {"named": ["clerk"]}, "mask": "nullify"}""", admin).statusCode())
                .isEqualTo(201);
        HttpResponse<String> dangling = send("DELETE", "/api/v1/dataSources/sales.orders", null, admin);
        assertThat(dangling.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(dangling.body()).get("field").asText()).startsWith("policies[mask-clerk]");
        assertThat(server.state().current().state().dataSources()).containsKey("sales.orders");
        HttpResponse<String> ownerDeleted = send("DELETE", "/api/v1/users/bob", null, admin);
        assertThat(ownerDeleted.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(ownerDeleted.body()).get("message").asText()).isEqualTo("dataSources[sales.orders].owners[0]: names user 'bob', who does not exist");
        assertThat(server.state().current().state().users()).containsKey("bob");
    }

    @Test
    void aWriteBasedOnAnOldRevisionIsAConflict()
            throws Exception
    {
        send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\"}", admin);
        HttpResponse<String> stale = send("PUT", "/api/v1/users/bob?basedOn=0", "{\"name\": \"bob\"}", admin);
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(stale.body()).get("code").asText()).isEqualTo("STALE_REVISION");
        assertThat(send("PUT", "/api/v1/users/bob?basedOn=1", "{\"name\": \"bob\"}", admin).statusCode()).isEqualTo(201);
    }

    @Test
    void definerViewOwnersAreGovernedByGovernance()
            throws Exception
    {
        send("PUT", "/api/v1/users/alice", "{\"name\": \"alice\"}", admin);
        String governor = server.apiKeys().create("governor", Set.of(Permission.GOVERNANCE), Optional.empty(), "test").key();
        String userAdmin = server.apiKeys().create("hr-system", Set.of(Permission.USER_ADMIN), Optional.empty(), "test").key();
        String alice = server.apiKeys().create("alice's key", Set.of(), Optional.of("alice"), "test").key();

        for (String refused : new String[] {userAdmin, alice}) {
            HttpResponse<String> response = send("PUT", "/api/v1/definerViewOwners/alice", "\"alice\"", refused);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(JSON.readTree(response.body()).get("message").asText()).contains("GOVERNANCE");
        }
        assertThat(send("PUT", "/api/v1/definerViewOwners/alice", "\"bob\"", governor).statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/api/v1/definerViewOwners/bob", "\"bob\"", governor).statusCode()).isEqualTo(400);
        HttpResponse<String> created = send("PUT", "/api/v1/definerViewOwners/alice", "\"alice\"", governor);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(server.state().current().state().definerViewOwners()).containsExactly("alice");
        assertThat(send("DELETE", "/api/v1/definerViewOwners/alice", null, alice).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/api/v1/definerViewOwners/alice", null, governor).statusCode()).isEqualTo(200);
        assertThat(server.state().current().state().definerViewOwners()).isEmpty();
    }

    @Test
    void permissionsAndOwnershipDecideWhoMayChangeWhat()
            throws Exception
    {
        send("PUT", "/api/v1/users/bob", "{\"name\": \"bob\"}", admin);
        send("PUT", "/api/v1/tags/PII", "\"PII\"", admin);
        send("PUT", "/api/v1/dataSources/sales.orders", ORDERS, admin);
        String userAdmin = server.apiKeys().create("hr-system", Set.of(Permission.USER_ADMIN), Optional.empty(), "test").key();
        String bob = server.apiKeys().create("bob's key", Set.of(), Optional.of("bob"), "test").key();
        String service = server.apiKeys().create("trino", Set.of(Permission.SERVICE), Optional.empty(), "test").key();

        assertThat(send("PUT", "/api/v1/users/carol", "{\"name\": \"carol\"}", userAdmin).statusCode()).isEqualTo(201);
        HttpResponse<String> notGovernance = send("PUT", "/api/v1/tags/Finance", "\"Finance\"", userAdmin);
        assertThat(notGovernance.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(notGovernance.body()).get("message").asText()).isEqualTo("this needs the GOVERNANCE permission, which API key 'hr-system' lacks");

        String local = "{\"id\": \"mask-clerk\", \"type\": \"masking\", \"on\": {\"dataSources\": [\"sales.orders\"]}, \"columns\": {\"named\": [\"clerk\"]}, \"mask\": \"nullify\"}";
        assertThat(send("PUT", "/api/v1/policies/mask-clerk", local, bob).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/dataSources/sales.orders", ORDERS.replace("0123456789abcdef-salt", "another-salt-0123456789"), bob).statusCode()).isEqualTo(200);
        HttpResponse<String> global = send("PUT", "/api/v1/policies/mask-pii", local.replace("mask-clerk", "mask-pii").replace("{\"dataSources\": [\"sales.orders\"]}", "\"all\""), bob);
        assertThat(global.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(global.body()).get("message").asText()).contains("owners may change only local policies on their own data sources");

        HttpResponse<String> serviceReads = send("GET", "/api/v1/users", null, service);
        assertThat(serviceReads.statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/v1/snapshot", null, service).statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/api/v1/users/dave", "{\"name\": \"dave\"}", service).statusCode()).isEqualTo(403);
    }

    @Test
    void applyMakesTheStateEqualToABundleInOneRevisionAndDryRunOnlyTellsWhatWouldChange()
            throws Exception
    {
        send("PUT", "/api/v1/users/zoe", "{\"name\": \"zoe\"}", admin);
        String bundle = """
                tags: [PII]
                users:
                  - name: alice
                  - name: bob
                dataSources:
                  - %s
                policies:
                  - id: read-orders
                    type: subscription
                    access: READ
                    on: {dataSources: [sales.orders]}
                    who: anyone
                """.formatted(ORDERS.replace("\n", " "));

        JsonNode plan = JSON.readTree(send("POST", "/api/v1/apply?dryRun=true", bundle, admin).body());
        assertThat(plan.get("dryRun").asBoolean()).isTrue();
        assertThat(plan.get("changes").findValuesAsText("id")).containsExactlyInAnyOrder("zoe", "PII", "alice", "bob", "sales.orders", "read-orders");
        assertThat(plan.get("changes").findValuesAsText("operation")).containsOnly("create", "delete");
        assertThat(server.state().current().revision()).isEqualTo(1);

        JsonNode applied = JSON.readTree(send("POST", "/api/v1/apply", bundle, admin).body());
        assertThat(applied.get("revision").asLong()).isEqualTo(2);
        assertThat(server.state().current().state().users()).containsOnlyKeys("alice", "bob");
        assertThat(JSON.readTree(send("POST", "/api/v1/apply", bundle, admin).body()).get("changes")).isEmpty();

        HttpResponse<String> broken = send("POST", "/api/v1/apply", "users:\n  - name: alice\n    colour: blue\n", admin);
        assertThat(broken.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(broken.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID_BUNDLE");
        assertThat(error.at("/problems/0/line").asInt()).isEqualTo(3);
        assertThat(error.at("/problems/0/field").asText()).isEqualTo("users[0].colour");
        assertThat(server.state().current().revision()).isEqualTo(2);
    }

    @Test
    void theStateSurvivesARestart()
            throws Exception
    {
        send("PUT", "/api/v1/users/bob", "{\"name\": \"bob\"}", admin);
        send("PUT", "/api/v1/dataSources/sales.orders", ORDERS, admin);
        send("PUT", "/api/v1/policies/read-orders",
                "{\"id\": \"read-orders\", \"type\": \"subscription\", \"access\": \"READ\", \"on\": {\"dataSources\": [\"sales.orders\"]}, \"who\": \"anyone\"}", admin);
        var before = server.state().current();
        testServer.restart();
        server = testServer.server();
        var after = server.state().current();
        assertThat(after.revision()).isEqualTo(before.revision());
        assertThat(after.state().policies()).isEqualTo(before.state().policies());
        assertThat(after.state().dataSources()).isEqualTo(before.state().dataSources());
        assertThat(Files.exists(dataDirectory.resolve("warden.mv.db"))).as("kept in H2's file").isEqualTo(store == TestStore.H2);
    }

    private HttpResponse<String> send(String method, String path, String body, String key)
    {
        return testServer.send(method, path, body, key);
    }
}
