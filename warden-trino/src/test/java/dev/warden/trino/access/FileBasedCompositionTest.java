package dev.warden.trino.access;

import dev.warden.trino.config.WardenTrinoConfig;
import dev.warden.trino.testing.TrinoWithWarden;
import io.trino.spi.security.SystemAccessControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.warden.trino.access.WardenAccessControlTest.BUNDLE;
import static dev.warden.trino.access.WardenAccessControlTest.resource;
import static dev.warden.trino.access.WardenAccessControlTest.sha256Hex;
import static dev.warden.trino.testing.TrinoWithWarden.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Warden beside Trino's file-based access control ({@code setSystemAccessControls(List.of(fileBased, warden))}):
 * both must allow, visible sets intersect, row filters of both apply, and two masks on one column fail the query.
 * Warden runs here with the default {@code warden.allowed.registered.operations} (READ, WRITE: no OWN).
 */
class FileBasedCompositionTest
{
    @TempDir
    static Path directory;

    private static TrinoWithWarden trino;

    @BeforeAll
    static void start()
            throws Exception
    {
        Path rules = directory.resolve("rules.json");
        Files.writeString(rules, resource("file-based-rules.json"));
        SystemAccessControl fileBased = TrinoWithWarden.fileBasedAccessControl(rules);
        trino = TrinoWithWarden.start(directory.resolve("server"), BUNDLE, Map.of(WardenTrinoConfig.USER_MAPPING, "([a-z]+)"),
                warden -> List.of(fileBased, warden));
        trino.query(ADMIN, "CREATE TABLE memory.default.notes (id bigint, note varchar)");
    }

    @AfterAll
    static void stop()
    {
        if (trino != null) {
            trino.close();
        }
    }

    @Test
    void bothMustAllowAndTheVisibleTablesAreWhatBothLetThrough()
    {
        assertThatThrownBy(() -> trino.query("alice", "SELECT count(*) FROM orders"))
                .hasMessage("Access Denied: Cannot select from table tpch.tiny.orders");
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM customer"))
                .hasMessageContaining("to which Warden user 'bob' has no access");
        assertThat(trino.rows("alice", "SHOW TABLES FROM tpch.tiny")).extracting(List::getFirst)
                .contains("customer", "supplier", "nation", "part")
                .doesNotContain("orders", "region");
        assertThat(trino.rows("bob", "SHOW TABLES FROM tpch.tiny")).extracting(List::getFirst)
                .contains("part", "lineitem")
                .doesNotContain("customer", "orders", "region");
    }

    @Test
    void rowFiltersOfBothApplyAndEachMasksItsOwnColumns()
    {
        List<List<Object>> raw = trino.rows(ADMIN, "SELECT custkey, name, nationkey, mktsegment FROM customer ORDER BY custkey");
        List<List<Object>> expected = raw.stream()
                .filter(row -> Set.of("BUILDING", "AUTOMOBILE").contains(row.get(3)))
                .filter(row -> (Long) row.get(2) < 10)
                .map(row -> List.of(row.get(0), sha256Hex("customer-salt-0123456789" + row.get(1)).substring(0, 25), row.get(2), "X"))
                .toList();

        assertThat(expected).isNotEmpty();
        assertThat(trino.rows("alice", "SELECT custkey, name, nationkey, mktsegment FROM customer ORDER BY custkey")).isEqualTo(expected);
    }

    @Test
    void twoMasksOnOneColumnFailTheQuery()
    {
        assertThatThrownBy(() -> trino.query("alice", "SELECT phone FROM supplier"))
                .hasMessageContaining("Multiple masks for the same column found");
        // The conflict is over the table's columns as a whole, not only those selected.
        assertThatThrownBy(() -> trino.query("alice", "SELECT suppkey FROM supplier"))
                .hasMessageContaining("Multiple masks for the same column found");
    }

    @Test
    void ownershipOfRegisteredDataNeedsOwnAmongTheAllowedRegisteredOperations()
    {
        trino.query("erin", "INSERT INTO memory.default.notes VALUES (1, 'erin may write')");
        assertThatThrownBy(() -> trino.query("erin", "COMMENT ON TABLE memory.default.notes IS 'mine'"))
                .hasMessage("Access Denied: Cannot comment on table memory.default.notes: it is Warden data source 'memory.notes', "
                        + "and this Trino cluster allows only [READ, WRITE] on registered data (warden.allowed.registered.operations)");
    }
}
