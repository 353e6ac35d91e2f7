package dev.warden.trino.e2e;

import dev.warden.trino.testing.TrinoServerProcess;
import dev.warden.trino.testing.WardenServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster of a coordinator that runs no tasks and one worker, each with the Warden plugin and the same
 * {@code etc/access-control.properties}, as docs/trino.md tells a user: the worker runs the masks' hashing, opening
 * the salts the coordinator sealed for each query, and follows no Warden server itself.
 */
class MaskingOnAWorkerIT
{
    private static final Path RETAIL_EXAMPLE = Path.of("..", "examples", "retail").toAbsolutePath().normalize();

    @TempDir
    static Path directory;

    private static WardenServerProcess warden;
    private static TrinoServerProcess coordinator;
    private static TrinoServerProcess worker;

    @BeforeAll
    static void start()
            throws Exception
    {
        TrinoServerProcess.requireCachedServer();
        warden = WardenServerProcess.start(directory.resolve("warden-data"));
        warden.apply(RETAIL_EXAMPLE);
        String serviceKey = warden.createApiKey("trino", "SERVICE");
        String accessControl = """
                access-control.name=warden
                warden.server-uri=%s
                warden.api-key=${ENV:WARDEN_API_KEY}
                """.formatted(warden.uri());
        coordinator = TrinoServerProcess.builder(directory.resolve("coordinator"))
                .withWardenPlugin()
                .accessControl(accessControl)
                .configProperty("node-scheduler.include-coordinator", "false")
                .environment("WARDEN_API_KEY", serviceKey)
                .start();
        worker = TrinoServerProcess.builder(directory.resolve("worker"))
                .withWardenPlugin()
                .accessControl(accessControl)
                .workerOf(coordinator.port())
                .environment("WARDEN_API_KEY", serviceKey)
                .start();
        coordinator.awaitWorkers(1, Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop()
    {
        if (worker != null) {
            worker.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (warden != null) {
            warden.close();
        }
    }

    @Test
    void theWorkerHashesWithTheSaltTheCoordinatorSealedForTheQuery()
            throws Exception
    {
        // hash-names: SHA-256 of customers' salt and the name, cut to the column's 25 characters
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(("customer-salt-7f3a9c1e2b" + "Customer#000000001").getBytes(StandardCharsets.UTF_8))).substring(0, 25);
        assertThat(coordinator.firstColumn("alice", "SELECT name FROM tpch.tiny.customer WHERE custkey = 1")).containsExactly(expected);

        assertThat(worker.output()).contains("Warden on a worker").doesNotContain("cannot follow");
        assertThat(coordinator.output()).doesNotContain("Warden on a worker");
    }

    /** {@code system.runtime.tasks} is read on every node; Warden's row filter keeps each user to their own queries' tasks. */
    @Test
    void usersSeeTheirOwnQueriesTasksOnEveryNode()
            throws Exception
    {
        String onTheWorker = "SELECT count(*) FROM system.runtime.tasks t JOIN system.runtime.nodes n ON t.node_id = n.node_id WHERE NOT n.coordinator";
        coordinator.firstColumn("bob", "SELECT count(*) FROM tpch.tiny.orders");
        assertThat(Long.parseLong(coordinator.firstColumn("bob", onTheWorker).getFirst())).isPositive();

        coordinator.firstColumn("alice", "SELECT count(*) FROM tpch.tiny.nation");
        assertThat(Long.parseLong(coordinator.firstColumn("alice", onTheWorker).getFirst())).isPositive();
        assertThat(coordinator.firstColumn("alice",
                "SELECT count(*) FROM system.runtime.tasks WHERE query_id NOT IN (SELECT query_id FROM system.runtime.queries WHERE \"user\" = 'alice')"))
                .containsExactly("0");
    }
}
