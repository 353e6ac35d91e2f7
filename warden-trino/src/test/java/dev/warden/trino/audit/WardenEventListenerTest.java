package dev.warden.trino.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.trino.testing.WardenServerProcess;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.trino.Session;
import io.trino.plugin.tpch.TpchPlugin;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.security.Identity;
import io.trino.testing.DistributedQueryRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.trino.testing.TestingSession.testSessionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An in-process Trino whose queries the Warden event listener reports to a real Warden server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WardenEventListenerTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "test-cluster";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private WardenServerProcess server;
    private QueryLedger ledger;
    private EventListener listener;
    private DistributedQueryRunner trino;

    @BeforeAll
    void start(@TempDir Path temporary)
            throws Exception
    {
        server = WardenServerProcess.start(temporary.resolve("warden"));
        HttpResponse<String> created = server.send("POST", "/api/v1/api-keys", "{\"name\": \"trino\", \"permissions\": [\"SERVICE\"]}", server.adminKey());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String serviceKey = JSON.readTree(created.body()).get("key").asText();

        ledger = new QueryLedger(100);
        listener = new WardenEventListenerFactory(ledger).create(Map.of(
                "warden.server-uri", server.uri().toString(),
                "warden.api-key", serviceKey,
                "warden.audit.source", SOURCE,
                "warden.audit.spool-dir", temporary.resolve("spool").toString(),
                "warden.audit.flush-interval", "200ms"), new NoContext());
        Session session = testSessionBuilder().setCatalog("tpch").setSchema("tiny").setIdentity(Identity.ofUser("alice")).build();
        trino = DistributedQueryRunner.builder(session)
                .setWorkerCount(0)
                // Stands in for the access control, which records its decisions while the query runs.
                .setEventListeners(List.of(new RecordsLikeTheAccessControl(ledger), listener))
                .build();
        trino.installPlugin(new TpchPlugin());
        trino.createCatalog("tpch", "tpch", Map.of());
    }

    @AfterAll
    void stop()
    {
        if (trino != null) {
            trino.close();
        }
        if (listener != null) {
            listener.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFinishedQueryIsReportedWithItsTextUserTablesColumnsAndPolicies()
            throws Exception
    {
        String sql = "SELECT n.name, r.name FROM nation n JOIN region r ON n.regionkey = r.regionkey WHERE n.nationkey < 5";
        assertThat(trino.execute(sql).getRowCount()).isEqualTo(5);

        JsonNode event = awaitEvent("?source=" + SOURCE + "&table=tpch.tiny.region");
        assertThat(event.get("queryText").asText()).isEqualTo(sql);
        assertThat(event.get("user").asText()).isEqualTo("alice");
        assertThat(event.get("wardenUser").asText()).isEqualTo("alice.w");
        assertThat(event.get("project").asText()).isEqualTo("fraud");
        assertThat(event.get("state").asText()).isEqualTo("FINISHED");
        assertThat(event.get("error").isNull()).isTrue();
        assertThat(event.get("tables").toString()).isEqualTo("""
                [{"table":"tpch.tiny.nation","columns":["name","nationkey","regionkey"]},{"table":"tpch.tiny.region","columns":["name","regionkey"]}]""");
        assertThat(event.get("dataSources").toString()).isEqualTo("""
                [{"dataSource":"sales.nation","policies":["mask-name","read-nation"]}]""");
        assertThat(event.get("denials")).isEmpty();
        assertThat(Instant.parse(event.get("endTime").asText())).isAfterOrEqualTo(Instant.parse(event.get("createTime").asText()));
    }

    @Test
    void aFailedQueryIsReportedWithItsError()
            throws Exception
    {
        String sql = "SELECT * FROM no_such_table";
        assertThatThrownBy(() -> trino.execute(sql)).hasMessageContaining("no_such_table");

        JsonNode event = awaitEvent("?source=" + SOURCE + "&user=alice&queryId=" + URLEncoder.encode(lastQueryIdOf(sql), StandardCharsets.UTF_8));
        assertThat(event.get("state").asText()).isEqualTo("FAILED");
        assertThat(event.get("wardenUser").isNull()).as("no Warden user was recorded for this query").isTrue();
        assertThat(event.get("queryText").asText()).isEqualTo(sql);
        assertThat(event.get("error").get("code").asText()).isEqualTo("TABLE_NOT_FOUND");
        assertThat(event.get("error").get("message").asText()).contains("no_such_table");
        assertThat(event.get("tables")).isEmpty();
        assertThat(event.get("denials").toString()).isEqualTo("[\"Access Denied: no_such_table is not what you think\"]");
    }

    /** Operators see over JMX whether events reach the server: the count it acknowledged, those dropped, those waiting. */
    @Test
    void sentAndDroppedEventsAreShownOverJmx(@TempDir Path spool)
            throws Exception
    {
        ObjectName name = ((WardenEventListener) listener).mbeanName().orElseThrow();
        assertThat(name.getDomain()).isEqualTo("dev.warden.trino");
        assertThat(name.getKeyProperty("type")).isEqualTo("Audit");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        long sent = (Long) jmx.getAttribute(name, "SentEvents");

        String sql = "SELECT count(*) FROM supplier WHERE suppkey < 3";
        trino.execute(sql);
        lastQueryIdOf(sql);
        // The server lists an event once it has it, and the sender counts it once the server has answered.
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while ((Long) jmx.getAttribute(name, "SentEvents") <= sent) {
            assertThat(System.nanoTime()).as("waiting until the sent event is counted").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(jmx.getAttribute(name, "DroppedEvents")).isEqualTo(0L);
        assertThat((Integer) jmx.getAttribute(name, "PendingBatches")).isBetween(0, 1);

        // A second listener in the JVM gets a name of its own; shut down, its bean is gone.
        EventListener second = new WardenEventListenerFactory(new QueryLedger(10)).create(Map.of(
                "warden.server-uri", server.uri().toString(),
                "warden.api-key", "wdn_unused",
                "warden.audit.spool-dir", spool.toString()), new NoContext());
        ObjectName secondName = ((WardenEventListener) second).mbeanName().orElseThrow();
        assertThat(secondName).isNotEqualTo(name);
        assertThat(jmx.isRegistered(secondName)).isTrue();
        second.shutdown();
        assertThat(jmx.isRegistered(secondName)).isFalse();
        assertThat(jmx.isRegistered(name)).isTrue();
    }

    private String lastQueryIdOf(String sql)
            throws Exception
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode event : list("?source=" + SOURCE)) {
                if (event.get("queryText").asText().equals(sql)) {
                    return event.get("queryId").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no event for " + sql + " within " + PATIENCE);
    }

    private JsonNode awaitEvent(String query)
            throws Exception
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode events = list(query);
            if (!events.isEmpty()) {
                assertThat(events).hasSize(1);
                return events.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no event matching " + query + " within " + PATIENCE);
    }

    private JsonNode list(String query)
            throws Exception
    {
        HttpResponse<String> response = server.send("GET", "/api/v1/audit/queries" + query, null, server.adminKey());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("events");
    }

    /** Records into the ledger when a query starts, as the access control does while analysing it. */
    private record RecordsLikeTheAccessControl(QueryLedger ledger)
            implements EventListener
    {
        @Override
        public void queryCreated(QueryCreatedEvent created)
        {
            String queryId = created.getMetadata().getQueryId();
            if (created.getMetadata().getQuery().contains("nation")) {
                ledger.recordPerson(queryId, "alice.w", Optional.of("fraud"));
                ledger.recordPolicies(queryId, "sales.nation", List.of("read-nation", "mask-name"));
            }
            if (created.getMetadata().getQuery().contains("no_such_table")) {
                ledger.recordDenial(queryId, "Access Denied: no_such_table is not what you think");
            }
        }
    }

    private static final class NoContext
            implements EventListenerFactory.EventListenerContext
    {
        @Override
        public String getVersion()
        {
            return "476";
        }

        @Override
        public OpenTelemetry getOpenTelemetry()
        {
            return OpenTelemetry.noop();
        }

        @Override
        public Tracer getTracer()
        {
            return OpenTelemetry.noop().getTracer("test");
        }
    }
}
