package dev.warden.trino.e2e;

import dev.warden.trino.testing.TrinoServerProcess;
import dev.warden.trino.testing.WardenServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Warden beside Trino's file-based access control on a real Trino server, configured as docs/trino.md says, through
 * {@code access-control.config-files}: both must allow, what is listed is what both let through, and the row filters
 * of both apply. Warden's policies are the retail example's; the file's rules deny bob customers and filter alice's.
 */
class WardenBesideFileBasedIT
{
    private static final Path RETAIL_EXAMPLE = Path.of("..", "examples", "retail").toAbsolutePath().normalize();
    private static final String RULES = """
            {
              "catalogs": [{"allow": "all"}],
              "schemas": [{"owner": false}],
              "tables": [
                {"user": "bob", "catalog": "tpch", "schema": "tiny", "table": "customer", "privileges": []},
                {"user": "alice", "catalog": "tpch", "schema": "tiny", "table": "customer", "privileges": ["SELECT"], "filter": "nationkey < 10"},
                {"catalog": "tpch", "privileges": ["SELECT"]},
                {"catalog": "system", "privileges": ["SELECT"]}
              ]
            }
            """;

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
        trino = TrinoServerProcess.builder(directory.resolve("trino"))
                .withWardenPlugin()
                .configProperty("access-control.config-files", "etc/file-based.properties,etc/warden.properties")
                .etcFile("rules.json", RULES)
                .etcFile("file-based.properties", """
                        access-control.name=file
                        security.config-file=etc/rules.json
                        """)
                .etcFile("warden.properties", """
                        access-control.name=warden
                        warden.server-uri=%s
                        warden.api-key=${ENV:WARDEN_API_KEY}
                        """.formatted(warden.uri()))
                .environment("WARDEN_API_KEY", warden.createApiKey("trino", "SERVICE"))
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
    void rowFiltersOfBothApply()
            throws SQLException
    {
        // Warden: alice sees her segments (customers-by-segment); the file: nations below 10 only.
        assertThat(strings("alice", "SELECT DISTINCT mktsegment FROM tpch.tiny.customer")).containsExactlyInAnyOrder("AUTOMOBILE", "BUILDING");
        assertThat(strings("alice", "SELECT DISTINCT nationkey FROM tpch.tiny.customer")).allSatisfy(nation -> assertThat(Long.parseLong(nation)).isLessThan(10));
        long filteredByBoth = Long.parseLong(strings("alice", "SELECT count(*) FROM tpch.tiny.customer").getFirst());
        assertThat(filteredByBoth).isBetween(1L, 599L);
    }

    @Test
    void bothMustAllow()
    {
        // Warden lets bob (finance) read customers; the file does not.
        assertThatThrownBy(() -> strings("bob", "SELECT count(*) FROM tpch.tiny.customer"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access Denied: Cannot select from table tpch.tiny.customer");
        // The file lets carol read customers; Warden does not, and says why.
        assertThatThrownBy(() -> strings("carol", "SELECT count(*) FROM tpch.tiny.customer"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("it is Warden data source 'tpch.customer'");
    }

    @Test
    void listingsAreWhatBothLetThrough()
            throws SQLException
    {
        assertThat(strings("bob", "SHOW TABLES FROM tpch.tiny")).contains("nation").doesNotContain("customer");
        assertThat(strings("carol", "SELECT table_name FROM tpch.information_schema.tables WHERE table_schema = 'tiny'"))
                .doesNotContain("customer");
        assertThat(strings("alice", "SHOW TABLES FROM tpch.tiny")).contains("customer", "nation");
    }

    private static List<String> strings(String user, String query)
            throws SQLException
    {
        return trino.firstColumn(user, query);
    }
}
