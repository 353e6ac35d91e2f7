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

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/audit/queries} over real HTTP: batches from service keys, stored once, listed with filters by auditors. */
@ParameterizedClass
@EnumSource(TestStore.class)
class QueryAuditApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERIES = "/api/v1/audit/queries";

    private static final String DENIED_QUERY = """
            {"source": "trino-prod", "queryId": "20250601_120000_00001_abcde", "user": "alice@corp", "wardenUser": "alice", "project": "fraud",
             "queryText": "SELECT clerk, orderkey FROM tpch.tiny.orders", "state": "FAILED",
             "createTime": "2025-06-01T12:00:00Z", "endTime": "2025-06-01T12:00:01.250Z",
             "tables": [{"table": "tpch.tiny.orders", "columns": ["clerk", "orderkey"]}],
             "dataSources": [{"dataSource": "sales.orders", "policies": ["read-orders", "mask-clerk"]}],
             "denials": ["Access Denied: Cannot select from columns [clerk] in table tpch.tiny.orders"],
             "error": {"code": "PERMISSION_DENIED", "message": "Access Denied: Cannot select from columns [clerk] in table tpch.tiny.orders"}}""";
    private static final String FINISHED_QUERY = """
            {"source": "trino-prod", "queryId": "20250601_130000_00002_abcde", "user": "bob",
             "queryText": "SELECT count(*) FROM tpch.tiny.nation", "state": "FINISHED",
             "createTime": "2025-06-01T13:00:00Z", "endTime": "2025-06-01T13:00:00.500Z",
             "tables": [{"table": "tpch.tiny.nation", "columns": []}]}""";

    @Parameter
    TestStore store;

    @TempDir
    Path dataDirectory;

    private TestServer server;
    private String serviceKey;
    private String auditorKey;

    @BeforeEach
    void start()
    {
        server = TestServer.start(store, dataDirectory);
        serviceKey = server.createKey("trino", Set.of(Permission.SERVICE), Optional.empty());
        auditorKey = server.createKey("auditor", Set.of(Permission.AUDIT), Optional.empty());
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void aBatchSentTwiceIsStoredOnceAndListedNewestFirst()
            throws Exception
    {
        String batch = "{\"events\": [" + DENIED_QUERY + ", " + FINISHED_QUERY + "]}";
        JsonNode first = JSON.readTree(expect(200, "POST", QUERIES, batch, serviceKey).body());
        assertThat(first.get("stored").asInt()).isEqualTo(2);
        JsonNode again = JSON.readTree(expect(200, "POST", QUERIES, batch, serviceKey).body());
        assertThat(again.get("stored").asInt()).isZero();
        assertThat(again.get("duplicates").asInt()).isEqualTo(2);

        JsonNode events = list("", auditorKey);
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("queryId").asText()).isEqualTo("20250601_130000_00002_abcde");
        JsonNode denied = events.get(1);
        JsonNode sent = JSON.readTree(DENIED_QUERY);
        for (String field : List.of("source", "queryId", "user", "wardenUser", "project", "queryText", "state", "tables", "dataSources", "denials", "error")) {
            assertThat(denied.get(field)).as(field).isEqualTo(sent.get(field));
        }
        assertThat(denied.get("createTime").asText()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(denied.get("endTime").asText()).isEqualTo("2025-06-01T12:00:01.250Z");
        assertThat(denied.get("denied").asBoolean()).isTrue();
        assertThat(events.get(0).get("wardenUser").isNull()).isTrue();
        assertThat(events.get(0).get("error").isNull()).isTrue();
        assertThat(events.get(0).get("denials")).isEmpty();
    }

    @Test
    void filtersSelectByUserQueryTableDataSourceDenialAndTime()
    {
        expect(200, "POST", QUERIES, "{\"events\": [" + DENIED_QUERY + ", " + FINISHED_QUERY + "]}", serviceKey);

        assertThat(queryIds("?user=" + URLEncoder.encode("alice@corp", StandardCharsets.UTF_8))).containsExactly("20250601_120000_00001_abcde");
        assertThat(queryIds("?queryId=20250601_130000_00002_abcde")).containsExactly("20250601_130000_00002_abcde");
        assertThat(queryIds("?table=tpch.tiny.nation")).containsExactly("20250601_130000_00002_abcde");
        assertThat(queryIds("?dataSource=sales.orders")).containsExactly("20250601_120000_00001_abcde");
        assertThat(queryIds("?denied=true")).containsExactly("20250601_120000_00001_abcde");
        assertThat(queryIds("?denied=false")).containsExactly("20250601_130000_00002_abcde");
        assertThat(queryIds("?since=2025-06-01T12:30:00Z")).containsExactly("20250601_130000_00002_abcde");
        assertThat(queryIds("?until=2025-06-01T12:30:00Z")).containsExactly("20250601_120000_00001_abcde");
        assertThat(queryIds("?limit=1&offset=1")).containsExactly("20250601_120000_00001_abcde");
        assertThat(queryIds("?source=trino-test")).isEmpty();
    }

    @Test
    void serviceKeysSendAndAuditorsRead()
    {
        String batch = "{\"events\": [" + FINISHED_QUERY + "]}";
        String governor = server.createKey("governor", Set.of(Permission.GOVERNANCE), Optional.empty());
        String admin = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
        assertThat(server.send("POST", QUERIES, batch, null).statusCode()).isEqualTo(401);
        assertThat(server.send("POST", QUERIES, batch, auditorKey).statusCode()).isEqualTo(403);
        assertThat(server.send("POST", QUERIES, batch, governor).statusCode()).isEqualTo(403);
        assertThat(server.send("GET", QUERIES, null, serviceKey).statusCode()).isEqualTo(403);
        assertThat(server.send("GET", QUERIES, null, governor).statusCode()).isEqualTo(403);
        expect(200, "POST", QUERIES, batch, admin);
        assertThat(list("", admin)).hasSize(1);
    }

    @Test
    void aBadBatchNamesEveryBadFieldAndStoresNothing()
            throws Exception
    {
        String batch = """
                {"events": [
                  %s,
                  {"source": "", "queryId": "q2", "user": 7, "queryText": "SELECT 1", "state": "RUNNING",
                   "createTime": "yesterday", "endTime": "2025-06-01T12:00:00Z",
                   "tables": [{"table": "t", "columns": ["a", ""]}, "nation"], "denials": "none"},
                  {"source": "trino", "queryId": "q3", "user": "carol", "queryText": "SELECT 1", "state": "FAILED",
                   "createTime": "2025-06-01T12:00:01Z", "endTime": "2025-06-01T12:00:00Z"}
                ]}""".formatted(FINISHED_QUERY);
        HttpResponse<String> response = expect(400, "POST", QUERIES, batch, serviceKey);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID");
        assertThat(error.get("field").asText()).isEqualTo("events[1].source");
        List<String> fields = new ArrayList<>();
        error.get("problems").forEach(problem -> fields.add(problem.get("field").asText()));
        assertThat(fields).containsExactly(
                "events[1].source", "events[1].user", "events[1].state", "events[1].createTime",
                "events[1].tables[0].columns[1]", "events[1].tables[1]", "events[1].denials",
                "events[2].endTime", "events[2].error");
        assertThat(list("", auditorKey)).isEmpty();

        assertThat(JSON.readTree(expect(400, "POST", QUERIES, "{}", serviceKey).body()).get("field").asText()).isEqualTo("events");
        assertThat(JSON.readTree(expect(400, "POST", QUERIES, "[]", serviceKey).body()).get("field").asText()).isEmpty();
        assertThat(JSON.readTree(expect(400, "GET", QUERIES + "?since=noon", null, auditorKey).body()).get("field").asText()).isEqualTo("since");
        assertThat(JSON.readTree(expect(400, "GET", QUERIES + "?denied=maybe", null, auditorKey).body()).get("field").asText()).isEqualTo("denied");
        assertThat(JSON.readTree(expect(400, "GET", QUERIES + "?limit=0", null, auditorKey).body()).get("field").asText()).isEqualTo("limit");
    }

    @Test
    void theOpenApiDocumentDescribesBothEndpoints()
            throws Exception
    {
        JsonNode document = JSON.readTree(expect(200, "GET", "/api/v1/openapi.json", null, auditorKey).body());
        JsonNode path = document.get("paths").get(QUERIES);
        assertThat(path.has("get") && path.has("post")).isTrue();
        assertThat(document.get("components").get("schemas").get("QueryEvent").get("required")).hasSize(7);
    }

    private List<String> queryIds(String query)
    {
        List<String> ids = new ArrayList<>();
        list(query, auditorKey).forEach(event -> ids.add(event.get("queryId").asText()));
        return ids;
    }

    private JsonNode list(String query, String key)
    {
        try {
            return JSON.readTree(expect(200, "GET", QUERIES + query, null, key).body()).get("events");
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> expect(int status, String method, String path, String body, String key)
    {
        HttpResponse<String> response = server.send(method, path, body, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }
}
