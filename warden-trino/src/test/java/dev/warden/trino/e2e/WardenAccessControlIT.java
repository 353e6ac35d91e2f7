package dev.warden.trino.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.trino.testing.TrinoServerProcess;
import dev.warden.trino.testing.WardenServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The plugin end to end: a real Warden server with the retail example (examples/retail) applied, and a real Trino
 * server with the plugin installed as docs/trino.md says, its API key given through Trino's ${ENV:...} substitution.
 * Different users, through Trino's JDBC driver, see different rows and differently masked values, and the plugin's
 * event listener reports their queries to the server.
 */
class WardenAccessControlIT
{
    private static final Path RETAIL_EXAMPLE = Path.of("..", "examples", "retail").toAbsolutePath().normalize();
    private static final String AUDIT_SOURCE = "trino-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Warden admin, who may read Trino's system information, such as its metrics. */
    private static final String OPERATOR = "ops";

    @TempDir
    static Path directory;

    private static WardenServerProcess warden;
    private static TrinoServerProcess trino;

    @BeforeAll
    static void start()
    {
        TrinoServerProcess.requireCachedServer();
        warden = WardenServerProcess.start(directory.resolve("warden-data"));
        warden.apply(RETAIL_EXAMPLE);
        String serviceKey = warden.createApiKey("trino", "SERVICE");
        trino = TrinoServerProcess.builder(directory.resolve("trino"))
                .withWardenPlugin()
                .accessControl("""
                        access-control.name=warden
                        warden.server-uri=%s
                        warden.api-key=${ENV:WARDEN_API_KEY}
                        warden.admin.users=%s
                        """.formatted(warden.uri(), OPERATOR))
                // Trino's /metrics endpoint exports the attributes of the MBeans listed here.
                .configProperty("openmetrics.jmx-object-names", "dev.warden.trino:type=AccessControl,name=warden|dev.warden.trino:type=Audit,name=warden")
                .etcFile("event-listener.properties", """
                        event-listener.name=warden
                        warden.server-uri=%s
                        warden.api-key=${ENV:WARDEN_API_KEY}
                        warden.audit.source=%s
                        warden.audit.spool-dir=%s
                        warden.audit.flush-interval=200ms
                        """.formatted(warden.uri(), AUDIT_SOURCE, directory.resolve("audit-spool")))
                .environment("WARDEN_API_KEY", serviceKey)
                .start();
    }

    @AfterAll
    static void stop()
    {
        if (trino != null) {
            trino.close();
        }
        if (warden != null) {
            warden.close();
        }
    }

    @Test
    void analystSeesOnlyTheSegmentsSheCovers()
            throws SQLException
    {
        // customers-by-segment: alice's attribute segment is AUTOMOBILE and BUILDING; bob is in finance, which is exempt
        assertThat(strings("alice", "SELECT DISTINCT mktsegment FROM tpch.tiny.customer")).containsExactlyInAnyOrder("AUTOMOBILE", "BUILDING");
        assertThat(strings("bob", "SELECT DISTINCT mktsegment FROM tpch.tiny.customer")).hasSize(5);
        assertThat(strings("bob", "SELECT count(*) FROM tpch.tiny.customer")).containsExactly("1500");
        assertThat(Long.parseLong(strings("alice", "SELECT count(*) FROM tpch.tiny.customer").getFirst())).isBetween(1L, 1499L);
    }

    @Test
    void valuesAreMaskedPerUser()
            throws Exception
    {
        // Customer#000000001 has acctbal 711.56, phone 25-989-741-2988, address IVhzIApeRb ot,c,E, segment BUILDING.
        String query = "SELECT name, address, phone, CAST(acctbal AS decimal(12, 2)) FROM tpch.tiny.customer WHERE custkey = 1";
        List<String> alice = row("alice", query);
        List<String> bob = row("bob", query);

        // round-balances rounds down to thousands for everyone but finance
        assertThat(alice.get(3)).isEqualTo("0.00");
        assertThat(bob.get(3)).isEqualTo("711.56");
        // hash-names, hide-addresses and customer-phone-country-code apply to both
        assertThat(alice.get(0)).isNotEqualTo("Customer#000000001").isEqualTo(bob.get(0));
        // the keyed hash (the salt's and the name's SHA-256, cut to the column's 25 characters), through the plugin's
        // function, which the plan names with the salt sealed rather than written out
        assertThat(alice.get(0)).isEqualTo(sha256Hex("customer-salt-7f3a9c1e2b" + "Customer#000000001").substring(0, 25));
        assertThat(row("alice", "EXPLAIN " + query).getFirst()).contains("warden_salted_sha256(").doesNotContain("customer-salt-7f3a9c1e2b");
        assertThat(alice.get(1)).isNull();
        assertThat(bob.get(1)).isNull();
        assertThat(alice.get(2)).isEqualTo("25-***-***-****");
    }

    /** Trino's tpch connector gives statistics of its tables, the lowest and highest key of all customers among them. */
    @Test
    void statisticsAreRefusedWhereWardenMasksOrFilters()
    {
        for (String user : List.of("alice", "bob")) {
            assertThatThrownBy(() -> strings(user, "SHOW STATS FOR tpch.tiny.customer")).as(user)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Cannot show statistics of table tpch.tiny.customer: it is Warden data source 'tpch.customer', which Warden masks or filters for you");
        }
    }

    /**
     * A session property reaches a real server by {@code SET SESSION} or with each query (the JDBC driver's
     * {@code sessionProperties}, sent as a header); Trino asks the access control about it either way.
     */
    @Test
    void sessionPropertiesThatWeakenWardenAreRefused()
            throws SQLException
    {
        String refused = "Cannot set system session property allow_unsafe_pushdown: it lets Trino run expressions that may fail ahead of row filters";
        assertThatThrownBy(() -> strings("alice", "SET SESSION allow_unsafe_pushdown = true"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(refused);
        try (Connection connection = trino.connect("alice", Map.of("allow_unsafe_pushdown", "true"));
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT count(*) FROM tpch.tiny.customer"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(refused);
        }
        try (Connection connection = trino.connect("alice", Map.of("join_distribution_type", "BROADCAST"));
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM (VALUES 1, 2) AS t(x)")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getLong(1)).isEqualTo(2);
        }
    }

    @Test
    void userWithoutAGrantIsDenied()
            throws SQLException
    {
        // carol is in support, which read-sales-data does not cover
        assertThatThrownBy(() -> strings("carol", "SELECT count(*) FROM tpch.tiny.customer"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access Denied");
        // unregistered data stays open: the memory catalog is not governed by Warden
        assertThat(strings("carol", "SELECT count(*) FROM (VALUES 1, 2) AS t(x)")).containsExactly("2");
    }

    @Test
    void othersTasksAndTransactionsStayHidden()
            throws SQLException
    {
        strings("bob", "SELECT count(*) FROM tpch.tiny.customer");
        String bobs = strings("bob", "SELECT query_id FROM system.runtime.queries WHERE query = 'SELECT count(*) FROM tpch.tiny.customer'").getFirst();
        // Trino lists every user's tasks; alice sees those of her own queries, this one's among them.
        assertThat(Long.parseLong(strings("alice", "SELECT count(*) FROM system.runtime.tasks").getFirst())).isPositive();
        assertThat(strings("alice", "SELECT count(*) FROM system.runtime.tasks WHERE query_id NOT IN (SELECT query_id FROM system.runtime.queries WHERE \"user\" = 'alice')"))
                .containsExactly("0");
        // Nor does a condition that fails on bob's tasks reach them: it would tell they exist. It does fail for bob.
        String failsOnBobsTasks = "SELECT count(*) FROM system.runtime.tasks WHERE 1 / (CASE WHEN query_id = '%s' THEN 0 ELSE 1 END) = 1".formatted(bobs);
        assertThat(strings("alice", failsOnBobsTasks)).hasSize(1);
        assertThatThrownBy(() -> strings("bob", failsOnBobsTasks)).isInstanceOf(SQLException.class).hasMessageContaining("Division by zero");
        assertThatThrownBy(() -> strings("alice", "SELECT * FROM system.runtime.transactions"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Cannot select from table system.runtime.transactions");
    }

    @Test
    void copiesOfRegisteredDataIntoUngovernedTablesAreRefused()
            throws SQLException
    {
        assertThatThrownBy(() -> execute("alice", "CREATE TABLE memory.default.alice_copy AS SELECT custkey, name FROM tpch.tiny.customer"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("this query writes into table memory.default.alice_copy, which Warden does not govern");
        assertThat(strings("alice", "SELECT count(*) FROM memory.information_schema.tables WHERE table_name = 'alice_copy'")).containsExactly("0");
        // What is not registered may still be copied.
        execute("alice", "CREATE TABLE memory.default.alice_parts AS SELECT partkey FROM tpch.tiny.part");
        assertThat(strings("carol", "SELECT count(*) FROM memory.default.alice_parts")).containsExactly("2000");
    }

    /** Operators scrape the access control's and the event listener's MBeans from Trino's own /metrics endpoint. */
    @Test
    void theReplicasHealthAndTheAuditAreScrapedFromTrinosMetrics()
            throws Exception
    {
        assertThatThrownBy(() -> strings("carol", "SELECT count(*) FROM tpch.tiny.customer")).hasMessageContaining("Access Denied");
        HttpResponse<String> response = metrics(OPERATOR);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Double> gauges = new HashMap<>();
        for (String line : response.body().lines().filter(line -> line.startsWith("JMX_dev_warden_trino_")).toList()) {
            String[] nameAndValue = line.split(" ");
            gauges.put(nameAndValue[0], Double.parseDouble(nameAndValue[1]));
        }
        String accessControl = "JMX_dev_warden_trino_NAME_warden_TYPE_AccessControl_ATTRIBUTE_";
        String audit = "JMX_dev_warden_trino_NAME_warden_TYPE_Audit_ATTRIBUTE_";
        assertThat(gauges).as(response.body()).containsKeys(accessControl + "PolicyRevision", accessControl + "MillisSinceServerContact", accessControl + "StalenessBoundMillis",
                accessControl + "Stale", accessControl + "SnapshotsTaken", accessControl + "Denials", accessControl + "UndecidedChecks",
                audit + "SentEvents", audit + "DroppedEvents", audit + "PendingBatches");
        assertThat(gauges.get(accessControl + "PolicyRevision")).isPositive();
        assertThat(gauges.get(accessControl + "Stale")).isZero();
        assertThat(gauges.get(accessControl + "MillisSinceServerContact")).isBetween(0.0, gauges.get(accessControl + "StalenessBoundMillis"));
        assertThat(gauges.get(accessControl + "Denials")).isGreaterThanOrEqualTo(1.0);
        assertThat(gauges.get(accessControl + "UndecidedChecks")).isZero();
        assertThat(gauges.get(audit + "DroppedEvents")).isZero();
        // Reading them is reading system information, which Warden leaves to its admins.
        assertThat(metrics("alice").statusCode()).isEqualTo(403);
    }

    private static HttpResponse<String> metrics(String user)
            throws Exception
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:%d/metrics".formatted(trino.port()))).header("X-Trino-User", user).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    /** The plugin's event listener and access control share one ledger, inside the real server as the plugin loads them. */
    @Test
    void queriesAreReportedToTheServerWithWhoAskedWhatWasAppliedAndWhatWasDenied()
            throws Exception
    {
        String allowed = "SELECT count(*) FROM tpch.tiny.customer WHERE nationkey = 1";
        strings("alice", allowed);
        String denied = "SELECT count(*) FROM tpch.tiny.customer WHERE nationkey = 2";
        assertThatThrownBy(() -> strings("carol", denied)).isInstanceOf(SQLException.class);

        JsonNode aliceEvent = awaitEvent("alice", allowed);
        assertThat(aliceEvent.get("wardenUser").asText()).isEqualTo("alice");
        assertThat(aliceEvent.get("project").asText()).isEqualTo("fraud");
        assertThat(aliceEvent.get("state").asText()).isEqualTo("FINISHED");
        assertThat(aliceEvent.get("tables").toString()).contains("\"table\":\"tpch.tiny.customer\"");
        JsonNode customer = aliceEvent.get("dataSources").get(0);
        assertThat(customer.get("dataSource").asText()).isEqualTo("tpch.customer");
        assertThat(customer.get("policies").toString()).contains("\"read-sales-data\"", "\"customers-by-segment\"");
        assertThat(aliceEvent.get("denials")).isEmpty();

        JsonNode carolEvent = awaitEvent("carol", denied);
        assertThat(carolEvent.get("wardenUser").asText()).isEqualTo("carol");
        assertThat(carolEvent.get("state").asText()).isEqualTo("FAILED");
        assertThat(carolEvent.get("denials").get(0).asText())
                .startsWith("Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer'");
    }

    private static JsonNode awaitEvent(String user, String queryText)
            throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = warden.send("GET", "/api/v1/audit/queries?source=" + AUDIT_SOURCE + "&user=" + user, null, warden.adminKey());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            for (JsonNode event : JSON.readTree(response.body()).get("events")) {
                if (event.get("queryText").asText().equals(queryText)) {
                    return event;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no audit event for %s's query %s within 30 s".formatted(user, queryText));
    }

    private static String sha256Hex(String text)
            throws NoSuchAlgorithmException
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void execute(String user, String statement)
            throws SQLException
    {
        try (Connection connection = trino.connect(user);
                Statement jdbc = connection.createStatement()) {
            jdbc.execute(statement);
        }
    }

    private static List<String> strings(String user, String query)
            throws SQLException
    {
        return trino.firstColumn(user, query);
    }

    private static List<String> row(String user, String query)
            throws SQLException
    {
        try (Connection connection = trino.connect(user);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            assertThat(result.next()).as("a row for " + user).isTrue();
            List<String> values = new ArrayList<>();
            for (int column = 1; column <= result.getMetaData().getColumnCount(); column++) {
                values.add(result.getString(column));
            }
            assertThat(result.next()).as("only one row for " + user).isFalse();
            return values;
        }
    }
}
