package dev.warden.trino.access;

import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import dev.warden.trino.testing.TrinoWithWarden;
import dev.warden.trino.testing.WardenServerProcess;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.warden.trino.access.WardenAccessControlTest.BUNDLE;
import static dev.warden.trino.testing.TrinoWithWarden.ADMIN;
import static dev.warden.trino.testing.TrinoWithWarden.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Trino starts while Warden's server is down and refuses tables (but not what clients need) until the first snapshot;
 * later, when the replica has not heard from the server for longer than the staleness bound, registered data is
 * refused with a clear error and unregistered data follows the configuration.
 */
class FailClosedTest
{
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    Path directory;

    @Test
    void refusesTablesBeforeTheFirstSnapshotAndRegisteredDataWhileStale()
            throws Exception
    {
        Path data = directory.resolve("server");
        int port = freePort();
        String serviceKey;
        try (WardenServerProcess server = WardenServerProcess.start(data, port)) {
            server.apply(BUNDLE);
            serviceKey = server.createApiKey("trino", "SERVICE");
        }
        WardenAccessControl accessControl = WardenAccessControlFactory.create(WardenTrinoConfig.parse(Map.of(
                WardenTrinoConfig.SERVER_URI, "http://localhost:" + port,
                WardenTrinoConfig.API_KEY, serviceKey,
                WardenTrinoConfig.ADMIN_USERS, ADMIN,
                WardenTrinoConfig.STALENESS_BOUND, "3s")), new QueryLedger(100));
        accessControl.start();
        ObjectName mbean = accessControl.mbeanName().orElseThrow();
        try (QueryRunner runner = TrinoWithWarden.queryRunner(List.of(accessControl))) {
            // The server is down at start: Trino runs, admins work, and what clients need to connect answers.
            assertThat(accessControl.policyRevision()).isEqualTo(-1);
            assertThat(JMX.getAttribute(mbean, "PolicyRevision")).isEqualTo(-1L);
            assertThat(JMX.getAttribute(mbean, "Stale")).isEqualTo(1);
            assertThat(JMX.getAttribute(mbean, "MillisSinceServerContact")).isEqualTo(-1L);
            assertThat(JMX.getAttribute(mbean, "StalenessBoundMillis")).isEqualTo(3_000L);
            assertThat(rows(runner, ADMIN, "SELECT count(*) FROM customer")).containsExactly(List.of(1500L));
            assertThat(rows(runner, "alice", "SELECT 1")).containsExactly(List.of(1));
            assertThat(rows(runner, "alice", "SHOW SCHEMAS FROM tpch")).contains(List.of("tiny"));
            assertThat(rows(runner, "alice", "SHOW TABLES FROM tpch.tiny")).isEmpty();
            assertThat(rows(runner, "alice", "SELECT count(*) FROM tpch.information_schema.tables WHERE table_schema = 'tiny'")).containsExactly(List.of(0L));
            for (String table : List.of("customer", "part")) {
                assertThatThrownBy(() -> runner.execute(session("alice", Map.of()), "SELECT count(*) FROM " + table))
                        .hasMessageStartingWith("Access Denied: Cannot select from table tpch.tiny.%s: Warden has not yet received its policies from http://localhost:%d (last error: "
                                .formatted(table, port))
                        .hasMessageEndingWith("): tables are refused until it has");
            }
            assertThat((String) JMX.getAttribute(mbean, "LastError")).isNotEmpty();
            assertThat((Long) JMX.getAttribute(mbean, "Denials")).isGreaterThanOrEqualTo(2);

            try (WardenServerProcess server = WardenServerProcess.start(data, port)) {
                eventually(() -> accessControl.policyRevision() > 0, "the first snapshot arrives");
                assertThat(JMX.getAttribute(mbean, "PolicyRevision")).isEqualTo(accessControl.policyRevision());
                assertThat(JMX.getAttribute(mbean, "Stale")).isEqualTo(0);
                assertThat(JMX.getAttribute(mbean, "LastError")).isEqualTo("");
                assertThat(JMX.getAttribute(mbean, "SnapshotsTaken")).isEqualTo(1L);
                assertThat(rows(runner, "alice", "SELECT count(*) FROM nation")).containsExactly(List.of(1L));
                assertThat(rows(runner, "bob", "SELECT count(*) FROM part")).containsExactly(List.of(2000L));
            }

            // The server is gone: within the bound the last state holds, then registered data is refused.
            eventually(() -> {
                try {
                    runner.execute(session("alice", Map.of()), "SELECT count(*) FROM nation");
                    return false;
                }
                catch (RuntimeException e) {
                    assertThat(e).hasMessageMatching("Access Denied: Cannot select from table tpch\\.tiny\\.nation: "
                            + "Warden has had no contact with its server for \\d+ s \\(bound 3 s\\): registered data is refused until it is back");
                    return true;
                }
            }, "registered data is refused");
            assertThat(JMX.getAttribute(mbean, "Stale")).isEqualTo(1);
            assertThat((Long) JMX.getAttribute(mbean, "MillisSinceServerContact")).isGreaterThan(3_000L);
            assertThat(JMX.getAttribute(mbean, "UndecidedChecks")).isEqualTo(0L);
            assertThat(rows(runner, "alice", "SHOW TABLES FROM tpch.tiny")).contains(List.of("part")).doesNotContain(List.of("nation"), List.of("customer"));
            assertThat(rows(runner, "bob", "SELECT count(*) FROM part")).containsExactly(List.of(2000L));
            assertThat(rows(runner, ADMIN, "SELECT count(*) FROM nation")).containsExactly(List.of(25L));

            try (WardenServerProcess server = WardenServerProcess.start(data, port)) {
                eventually(() -> {
                    try {
                        return rows(runner, "alice", "SELECT count(*) FROM nation").equals(List.of(List.of(1L)));
                    }
                    catch (RuntimeException e) {
                        return false;
                    }
                }, "the replica is fresh again");
                assertThat(JMX.getAttribute(mbean, "Stale")).isEqualTo(0);
            }
        }
        finally {
            accessControl.shutdown();
        }
        assertThat(JMX.isRegistered(mbean)).as("unregistered at shutdown").isFalse();
    }

    private static List<List<Object>> rows(QueryRunner runner, String user, String sql)
    {
        return runner.execute(session(user, Map.of()), sql).getMaterializedRows().stream().map(MaterializedRow::getFields).toList();
    }

    private static void eventually(Supplier<Boolean> condition, String description)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("waiting until " + description).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
