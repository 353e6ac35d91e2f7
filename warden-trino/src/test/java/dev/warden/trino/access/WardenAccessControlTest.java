package dev.warden.trino.access;

import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import dev.warden.trino.testing.MaterializedViewsPlugin;
import dev.warden.trino.testing.MetadataTablesPlugin;
import dev.warden.trino.testing.TrinoWithWarden;
import io.trino.Session;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaName;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.function.SchemaFunctionName;
import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.BasicPrincipal;
import io.trino.spi.security.Identity;
import io.trino.spi.security.PrincipalType;
import io.trino.spi.security.TrinoPrincipal;
import io.trino.spi.security.SelectedRole;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.ViewExpression;
import io.trino.spi.type.DoubleType;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.VarcharType;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryFailedException;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.warden.trino.testing.TrinoWithWarden.ADMIN;
import static dev.warden.trino.testing.TrinoWithWarden.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Warden's access control in an in-process Trino following a real Warden server: every operation allowed and
 * denied, every mask method and row rule with the exact rows and values each user gets (computed in Java from the
 * rows an admin sees), visibility, writes, views of both kinds, the ways around it that must not work, the audit
 * ledger and how fast a change reaches queries.
 */
class WardenAccessControlTest
{
    static final String BUNDLE = resource("access-control-bundle.yaml");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String CUSTOMER_COLUMNS = "custkey, name, address, nationkey, phone, acctbal, mktsegment, comment";
    private static final String ORDER_COLUMNS = "orderkey, custkey, orderstatus, totalprice, orderdate, orderpriority, clerk";

    @TempDir
    static Path directory;

    private static TrinoWithWarden trino;

    @BeforeAll
    static void start()
            throws Exception
    {
        trino = TrinoWithWarden.start(directory, BUNDLE, Map.of(
                WardenTrinoConfig.REGISTERED_OPERATIONS, "READ,WRITE,OWN",
                WardenTrinoConfig.USER_MAPPING, "([a-z]+)",
                WardenTrinoConfig.IMPERSONATORS, "gateway",
                WardenTrinoConfig.ADMIN_GROUPS, "wardens",
                WardenTrinoConfig.ADMIN_ONLY_SESSION_PROPERTIES, "allow_unsafe_pushdown,complex_expression_pushdown,spill_enabled",
                WardenTrinoConfig.UNREGISTERED_OPERATIONS_IN_CATALOG + "reports", "READ"));
        trino.runner().installPlugin(new MetadataTablesPlugin());
        trino.runner().createCatalog("lake", MetadataTablesPlugin.CONNECTOR, Map.of());
        trino.runner().createCatalog("reports", "memory", Map.of());
        trino.query(ADMIN, "CREATE TABLE reports.default.daily AS SELECT 1 AS day, 100 AS orders");
        trino.runner().installPlugin(new MaterializedViewsPlugin());
        trino.runner().createCatalog("warehouse", MaterializedViewsPlugin.CONNECTOR, Map.of("owner", "carol"));
        // The rows an earlier refresh stored, before Warden governed the data.
        trino.query(ADMIN, "CREATE TABLE " + MaterializedViewsPlugin.STORAGE_TABLE + " AS " + MaterializedViewsPlugin.SQL);
        trino.query(ADMIN, "CREATE TABLE memory.default.notes (id bigint, note varchar)");
        trino.query(ADMIN, "INSERT INTO memory.default.notes VALUES (1, 'first')");
        trino.query(ADMIN, "CREATE TABLE memory.default.tickets (id bigint, segment varchar)");
        // memory.visits is registered with id and segment; note came later.
        trino.query(ADMIN, "CREATE TABLE memory.default.visits (id bigint, segment varchar, note varchar)");
        trino.query(ADMIN, "INSERT INTO memory.default.visits VALUES (1, 'BUILDING', 'added after registration')");
        trino.query(ADMIN, "INSERT INTO memory.default.tickets VALUES (1, 'BUILDING'), (2, 'MACHINERY')");
    }

    @AfterAll
    static void stop()
    {
        if (trino != null) {
            trino.close();
        }
    }

    // ---- masks and row filters ----

    @Test
    void customersAreMaskedWithEveryTextAndNumberMaskAndFilteredByAttribute()
            throws Exception
    {
        List<List<Object>> raw = trino.rows(ADMIN, "SELECT " + CUSTOMER_COLUMNS + " FROM customer ORDER BY custkey");
        List<List<Object>> expected = new ArrayList<>();
        for (List<Object> row : raw) {
            if (!Set.of("BUILDING", "AUTOMOBILE").contains(row.get(6))) {
                continue;
            }
            expected.add(List.of(
                    row.get(0),
                    sha256Hex("customer-salt-0123456789" + row.get(1)).substring(0, 25),
                    revealFirst((String) row.get(2), 3),
                    row.get(3),
                    ((String) row.get(4)).replaceAll("^(\\d+)-.*$", "$1-***"),
                    Math.floor((Double) row.get(5) / 1000) * 1000,
                    row.get(6),
                    "[redacted]"));
        }

        List<List<Object>> alice = trino.rows("alice", "SELECT " + CUSTOMER_COLUMNS + " FROM customer ORDER BY custkey");

        assertThat(expected).hasSizeBetween(raw.size() / 5, raw.size() / 2);
        assertThat(alice).isEqualTo(expected);
        // Finance is exempt from every mask and from the segment filter.
        assertThat(trino.rows("carol", "SELECT " + CUSTOMER_COLUMNS + " FROM customer ORDER BY custkey")).isEqualTo(raw);
    }

    @Test
    void ordersAreMaskedByDateClerkAndConditionallyAndFilteredBySqlPurposeAndEventTime()
    {
        List<List<Object>> raw = trino.rows(ADMIN, "SELECT " + ORDER_COLUMNS + " FROM orders ORDER BY orderkey");
        // Rows near the day the window starts depend on the time of day and the session's time zone (Trino's test
        // sessions are in Pacific/Apia); leave them out of every comparison.
        LocalDate windowStart = LocalDate.now().minusYears(30);
        Predicate<List<Object>> awayFromBoundary = row -> Math.abs(((LocalDate) row.get(4)).toEpochDay() - windowStart.toEpochDay()) > 2;
        Predicate<List<Object>> recent = row -> ((LocalDate) row.get(4)).isAfter(windowStart);
        List<List<Object>> expectedForAlice = raw.stream()
                .filter(awayFromBoundary)
                .filter(recent)
                .filter(row -> Set.of("O", "F").contains(row.get(2)))
                .map(row -> Arrays.asList(row.get(0), row.get(1), row.get(2),
                        row.get(5).equals("1-URGENT") ? null : row.get(3),
                        ((LocalDate) row.get(4)).withDayOfMonth(1),
                        row.get(5),
                        revealLast((String) row.get(6), 3)))
                .toList();
        Session aliceForFraud = session("alice", Map.of("warden.project", "fraud"));

        Set<Object> onTheBoundary = raw.stream().filter(awayFromBoundary.negate()).map(List::getFirst).collect(java.util.stream.Collectors.toSet());
        List<List<Object>> alice = rows(trino.query(aliceForFraud, "SELECT " + ORDER_COLUMNS + " FROM orders ORDER BY orderkey")).stream()
                .filter(row -> !onTheBoundary.contains(row.getFirst()))
                .toList();

        assertThat(expectedForAlice).isNotEmpty().hasSizeLessThan(raw.size() / 2);
        assertThat(alice).hasSameSizeAs(expectedForAlice);
        for (int i = 0; i < alice.size(); i++) {
            assertThat(alice.get(i)).as("row %d", i).isEqualTo(expectedForAlice.get(i));
        }
        assertThat(alice).anyMatch(row -> row.get(3) == null).anyMatch(row -> row.get(3) != null);
        // Without the project, alice acts under no purpose: the fraud-orders rule leaves her nothing.
        assertThat(trino.rows("alice", "SELECT count(*) FROM orders")).containsExactly(List.of(0L));
        // Finance sees every status, unmasked, but only recent orders.
        assertThat(trino.rows("carol", "SELECT " + ORDER_COLUMNS + " FROM orders ORDER BY orderkey").stream().filter(awayFromBoundary).toList())
                .isEqualTo(raw.stream().filter(awayFromBoundary).filter(recent).toList());
    }

    @Test
    void suppliersAreAStableSaltedHalfWithPhonesNulled()
    {
        List<List<Object>> raw = trino.rows(ADMIN, "SELECT suppkey, name, phone FROM supplier ORDER BY suppkey");
        List<List<Object>> expected = raw.stream()
                .filter(row -> hashBucket("supplier-salt-0123456789" + row.get(0)) < 50)
                .map(row -> Arrays.asList(row.get(0), row.get(1), null))
                .toList();

        assertThat(expected).hasSizeBetween(raw.size() * 35 / 100, raw.size() * 65 / 100);
        assertThat(trino.rows("alice", "SELECT suppkey, name, phone FROM supplier ORDER BY suppkey")).isEqualTo(expected);
        assertThat(trino.rows("carol", "SELECT suppkey, name, phone FROM supplier ORDER BY suppkey")).isEqualTo(raw);
    }

    @Test
    void nationsMatchTheUsersGroups()
    {
        assertThat(trino.rows("alice", "SELECT name FROM nation")).containsExactly(List.of("FRANCE"));
        assertThat(trino.rows("carol", "SELECT count(*) FROM nation")).containsExactly(List.of(25L));
    }

    @Test
    void adminsGetEverythingUnmaskedAndUnfiltered()
    {
        assertThat(trino.rows(ADMIN, "SELECT count(*), count(DISTINCT mktsegment) FROM customer")).containsExactly(List.of(1500L, 5L));
        assertThat(trino.rows(ADMIN, "SELECT phone FROM supplier WHERE suppkey = 1")).containsExactly(List.of("27-918-335-1736"));
    }

    // ---- visibility and denials ----

    @Test
    void registeredDataAUserIsNotSubscribedToIsInvisibleAndDeniedWithWhomToAsk()
    {
        assertThat(trino.rows("bob", "SHOW TABLES FROM tpch.tiny")).extracting(row -> row.getFirst())
                .contains("part", "partsupp", "lineitem")
                .doesNotContain("customer", "orders", "supplier", "nation", "region");
        assertThat(trino.rows("alice", "SHOW TABLES FROM tpch.tiny")).extracting(row -> row.getFirst())
                .contains("customer", "orders", "part")
                .doesNotContain("region");
        // Only tpch.tiny.customer is registered; the customer tables of tpch's other schemas are not.
        assertThat(trino.rows("bob", "SELECT count(*) FROM tpch.information_schema.columns WHERE table_schema = 'tiny' AND table_name = 'customer'")).containsExactly(List.of(0L));
        assertThat(trino.rows("bob", "SELECT count(*) FROM tpch.information_schema.columns WHERE table_schema = 'sf1' AND table_name = 'customer'")).containsExactly(List.of(8L));
        assertThat(trino.rows("bob", "SELECT count(*) FROM system.jdbc.columns WHERE table_cat = 'tpch' AND table_schem = 'tiny' AND table_name = 'customer'")).containsExactly(List.of(0L));
        assertThat(trino.rows("bob", "SELECT count(*) FROM system.metadata.table_comments WHERE catalog_name = 'tpch' AND schema_name = 'tiny' AND table_name = 'customer'")).containsExactly(List.of(0L));
        assertThat(trino.rows("alice", "SELECT count(*) FROM tpch.information_schema.columns WHERE table_schema = 'tiny' AND table_name = 'customer'")).containsExactly(List.of(8L));

        assertThatThrownBy(() -> trino.query("bob", "SELECT * FROM customer"))
                .hasMessage("Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer' (Customers), "
                        + "to which Warden user 'bob' has no access. Ask its owners for access: olga.");
        assertThatThrownBy(() -> trino.query("bob", "SELECT * FROM region"))
                .hasMessage("Access Denied: Cannot select from table tpch.tiny.region: it is Warden data source 'tpch.region', to which Warden user 'bob' has no access. "
                        + "To ask for it: POST /api/v1/access-requests {\"dataSource\": \"tpch.region\", \"access\": \"READ\"}");
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM tpch.tiny.supplier"))
                .hasMessageContaining("Ask a Warden governor for access.");
        assertThatThrownBy(() -> trino.query("bob", "SHOW COLUMNS FROM tpch.tiny.customer")).hasMessageContaining("Access Denied");
        assertThatThrownBy(() -> trino.query("bob", "DESCRIBE tpch.tiny.customer")).hasMessageContaining("Access Denied");
        assertThatThrownBy(() -> trino.query("bob", "SHOW CREATE TABLE tpch.tiny.customer")).hasMessageContaining("Access Denied");
        // Unregistered data follows the configuration (all of READ, WRITE, CREATE and OWN by default).
        assertThat(trino.rows("bob", "SELECT count(*) FROM part")).containsExactly(List.of(2000L));
    }

    @Test
    void aProjectTheUserIsNotAMemberOfIsRefusedClearly()
    {
        assertThatThrownBy(() -> trino.query(session("alice", Map.of("warden.project", "audit")), "SELECT count(*) FROM customer"))
                .hasMessage("Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer', and Warden cannot act for user 'alice' "
                        + "under project 'audit' (extra credential warden.project): user 'alice' is not a member of project 'audit'");
        assertThatThrownBy(() -> trino.query(session("alice", Map.of("warden.project", "nope")), "SELECT count(*) FROM customer"))
                .hasMessageContaining("no project named 'nope'");
    }

    @Test
    void aTrinoUserWithoutAWardenUserHasNoAccessToRegisteredData()
    {
        assertThatThrownBy(() -> trino.query("svc-1", "SELECT count(*) FROM customer"))
                .hasMessage("Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer', and Trino user 'svc-1' has no Warden user "
                        + "(warden.user-mapping does not match the name)");
        assertThatThrownBy(() -> trino.query("mallory", "SELECT count(*) FROM customer"))
                .hasMessageContaining("Warden cannot act for user 'mallory': no user named 'mallory'");
        assertThat(trino.rows("svc-1", "SELECT count(*) FROM part")).containsExactly(List.of(2000L));
    }

    // ---- writes and ownership ----

    @Test
    void writeAccessAllowsChangingDataAndOwnAllowsChangingTheTable()
    {
        trino.query("erin", "INSERT INTO memory.default.notes VALUES (2, 'by erin')");
        assertThat(trino.rows("alice", "SELECT note FROM memory.default.notes WHERE id = 2")).containsExactly(List.of("by erin"));
        trino.query("erin", "COMMENT ON TABLE memory.default.notes IS 'erin owns this through the access grant mapping'");

        assertThatThrownBy(() -> trino.query("alice", "INSERT INTO memory.default.notes VALUES (3, 'by alice')"))
                .hasMessageStartingWith("Access Denied: Cannot insert into table memory.default.notes: it is Warden data source 'memory.notes', on which Warden grants 'alice' only [READ].");
        assertThatThrownBy(() -> trino.query("bob", "INSERT INTO memory.default.notes VALUES (3, 'by bob')"))
                .hasMessageContaining("to which Warden user 'bob' has no access");
        for (String change : List.of(
                "DELETE FROM memory.default.notes",
                "UPDATE memory.default.notes SET note = 'x'",
                "TRUNCATE TABLE memory.default.notes",
                "MERGE INTO memory.default.notes t USING (VALUES (9, 'y')) s(id, note) ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.note)",
                "COMMENT ON TABLE memory.default.notes IS 'mine'",
                "COMMENT ON COLUMN memory.default.notes.note IS 'mine'",
                "ALTER TABLE memory.default.notes ADD COLUMN extra varchar",
                "ALTER TABLE memory.default.notes DROP COLUMN note",
                "ALTER TABLE memory.default.notes RENAME COLUMN note TO text",
                "ALTER TABLE memory.default.notes RENAME TO memory.default.stolen",
                "ALTER TABLE memory.default.notes SET AUTHORIZATION alice",
                "DROP TABLE memory.default.notes")) {
            assertThatThrownBy(() -> trino.query("alice", change)).as(change).hasMessageStartingWith("Access Denied: Cannot ");
        }
        // Erin may: whatever fails now is the memory connector, not the access control.
        for (String change : List.of("DELETE FROM memory.default.notes WHERE id = 99", "TRUNCATE TABLE memory.default.notes")) {
            try {
                trino.query("erin", change);
            }
            catch (RuntimeException e) {
                assertThat(e).as(change).hasMessageNotContaining("Access Denied");
            }
        }
        // Renamed, the table would be unregistered data and its columns would escape their masks: admins only.
        String renamed = "Access Denied: Cannot %s memory.default.notes: it is Warden data source 'memory.notes', which Warden knows by its table's and "
                + "columns' names: renamed, they would escape the policies written for them; only Warden admins may rename them, once a Warden governor "
                + "has registered the new names";
        assertThatThrownBy(() -> trino.query("erin", "ALTER TABLE memory.default.notes RENAME TO memory.default.ungoverned_notes"))
                .hasMessage(renamed.formatted("rename table"));
        assertThatThrownBy(() -> trino.query("erin", "ALTER TABLE memory.default.notes RENAME COLUMN note TO text"))
                .hasMessage(renamed.formatted("rename a column of table"));
        // Dropped, a column's values stay in the files, where a connector reading by position shows them under the next name.
        assertThatThrownBy(() -> trino.query("erin", "ALTER TABLE memory.default.notes DROP COLUMN note"))
                .hasMessage("Access Denied: Cannot drop a column of table memory.default.notes: it is Warden data source 'memory.notes', and a dropped "
                        + "column's values stay in the table's files, where a connector that reads columns by position (Hive's ORC and text formats) shows "
                        + "them under the next column's name, past the masks written for the dropped one; only Warden admins may drop columns of "
                        + "registered tables");
        SystemSecurityContext erin = context("erin");
        CatalogSchemaTableName notes = new CatalogSchemaTableName("memory", "default", "notes");
        CatalogSchemaTableName elsewhere = new CatalogSchemaTableName("memory", "default", "elsewhere");
        assertThatThrownBy(() -> trino.accessControl().checkCanRenameView(erin, notes, elsewhere)).hasMessage(renamed.formatted("rename view"));
        assertThatThrownBy(() -> trino.accessControl().checkCanRenameMaterializedView(erin, notes, elsewhere)).hasMessage(renamed.formatted("rename materialized view"));
        trino.accessControl().checkCanRenameTable(context(ADMIN), notes, elsewhere);
        trino.accessControl().checkCanRenameColumn(context(ADMIN), notes);
        trino.accessControl().checkCanDropColumn(context(ADMIN), notes);
        trino.accessControl().checkCanDropColumn(erin, new CatalogSchemaTableName("memory", "default", "erin_scratch"));
        trino.accessControl().checkCanRefreshMaterializedView(new SystemSecurityContext(Identity.ofUser("erin"), QueryId.valueOf("direct_erin_refreshing"), Instant.now()), notes);
        trino.accessControl().checkCanSetTableProperties(erin, notes, Map.of());
        // A denial's message is the answer; the stack it is thrown from is not worth filling in.
        assertThatThrownBy(() -> trino.accessControl().checkCanRefreshMaterializedView(context("alice"), notes))
                .isInstanceOf(AccessDeniedException.class)
                .satisfies(denial -> assertThat(denial.getStackTrace()).isEmpty());
        assertThatThrownBy(() -> trino.accessControl().checkCanCreateTable(erin, notes, Map.of()))
                .hasMessage("Access Denied: Cannot create table memory.default.notes: it is Warden data source 'memory.notes', and CREATE is never granted on registered data");
        assertThatThrownBy(() -> trino.accessControl().checkCanCreateMaterializedView(erin, notes, Map.of())).isInstanceOf(AccessDeniedException.class);
    }

    /**
     * Trino makes every row an INSERT writes pass the writer's row filter (and a DELETE removes only the rows it
     * shows), but applies no filter to TRUNCATE, nor to the rows an INSERT that overwrites partitions replaces.
     */
    @Test
    void writersWhoseRowsAreFilteredChangeOnlyTheRowsTheySee()
    {
        String tickets = "SELECT id, segment FROM memory.default.tickets ORDER BY id";
        assertThat(trino.rows("erin", tickets)).containsExactly(List.of(1L, "BUILDING"));
        trino.query("erin", "INSERT INTO memory.default.tickets VALUES (3, 'BUILDING')");
        assertThatThrownBy(() -> trino.query("erin", "INSERT INTO memory.default.tickets VALUES (4, 'MACHINERY')"))
                .hasMessage("Access Denied: Cannot insert row that does not match a row filter");

        QueryFailedException truncate = catchThrowableOfType(QueryFailedException.class, () -> trino.query("erin", "TRUNCATE TABLE memory.default.tickets"));
        String refused = "Access Denied: Cannot truncate table memory.default.tickets: it is Warden data source 'memory.tickets', whose rows Warden filters "
                + "for you, and TRUNCATE would also remove the rows you do not see; DELETE removes only the rows you see";
        assertThat(truncate).hasMessage(refused);
        assertThat(trino.ledger().take(truncate.getQueryId().getId()).orElseThrow().denials()).containsExactly(refused);
        assertThat(trino.rows(ADMIN, tickets)).containsExactly(List.of(1L, "BUILDING"), List.of(2L, "MACHINERY"), List.of(3L, "BUILDING"));

        // Hive's insert_existing_partitions_behavior=OVERWRITE makes an INSERT replace the partitions it writes.
        String shipment = "INSERT INTO lake.sales.shipments VALUES ('BUILDING', 1)";
        Session overwriting = Session.builder(session("erin", Map.of())).setCatalogSessionProperty("lake", MetadataTablesPlugin.OVERWRITE_PROPERTY, "OVERWRITE").build();
        assertThatThrownBy(() -> trino.query(overwriting, shipment))
                .hasMessage("Access Denied: Cannot insert into table lake.sales.shipments: it is Warden data source 'lake.shipments', whose rows Warden filters "
                        + "for you, and this query sets session property lake.insert_existing_partitions_behavior, with which an INSERT may replace rows "
                        + "already in the table, the rows you do not see among them (warden.overwriting-session-properties)");
        // What fails past the access control is the test connector, which writes nothing.
        for (Session allowed : List.of(session("erin", Map.of()), Session.builder(session(ADMIN, Map.of())).setCatalogSessionProperty("lake", MetadataTablesPlugin.OVERWRITE_PROPERTY, "OVERWRITE").build())) {
            assertThatThrownBy(() -> trino.query(allowed, shipment)).as(allowed.getUser()).hasMessageContaining("does not support inserts");
        }
        // The property is the lake catalog's: inserts elsewhere in the same session are filtered as before.
        trino.query(overwriting, "INSERT INTO memory.default.tickets VALUES (5, 'BUILDING')");
        assertThat(trino.rows(ADMIN, "SELECT count(*) FROM memory.default.tickets")).containsExactly(List.of(4L));
    }

    /**
     * Warden knows registered tables by name: a table pointed at their files, or given them, would read them as
     * unregistered data.
     */
    @Test
    void onlyAdminsPointATableAtFilesThatAlreadyExistOrAddThemToOne()
    {
        String refused = "Access Denied: Cannot %s lake.sales.%s: table property external_location points a table at files that already exist, which may hold "
                + "a registered table's data; only Warden admins may set it (warden.external-location-properties)";
        String create = "CREATE TABLE lake.sales.copied (segment varchar, row_count bigint) WITH (external_location = 'file:///lake/sales/shipments')";
        String createAsSelect = "CREATE TABLE lake.sales.copied WITH (external_location = 'file:///lake/sales/shipments') AS SELECT 'BUILDING' AS segment";
        for (String sql : List.of(create, createAsSelect)) {
            assertThatThrownBy(() -> trino.query("bob", sql)).as(sql).hasMessage(refused.formatted("create table", "copied"));
            // Past the access control, what fails is the test connector, which creates nothing.
            assertThatThrownBy(() -> trino.query(ADMIN, sql)).as(sql).hasMessageStartingWith("This connector does not support creating tables");
        }
        assertThatThrownBy(() -> trino.query("bob", "CREATE TABLE lake.sales.copied (segment varchar)")).hasMessageStartingWith("This connector does not support creating tables");

        // Erin may change lake.shipments' properties (OWN, through the access grant mapping), but not that one.
        String setLocation = "ALTER TABLE lake.sales.shipments SET PROPERTIES external_location = 'file:///lake/sales/orders'";
        assertThatThrownBy(() -> trino.query("erin", setLocation)).hasMessage(refused.formatted("set properties of table", "shipments"));
        assertThatThrownBy(() -> trino.query(ADMIN, setLocation)).hasMessageStartingWith("This connector does not support setting table properties");

        // Trino checks the properties a statement names, and copies those of a LIKE table after the check.
        String like = "CREATE TABLE lake.sales.copied (LIKE lake.%s.shipments INCLUDING PROPERTIES)";
        assertThatThrownBy(() -> trino.query("alice", like.formatted("sales")))
                .hasMessage("Access Denied: Cannot create table lake.sales.copied: it would copy the properties of registered table lake.sales.shipments "
                        + "(LIKE ... INCLUDING PROPERTIES), which may point at its files; only Warden admins may (warden.external-location-properties)");
        assertThat(trino.rows("alice", "SHOW CREATE TABLE lake.sales.shipments").getFirst().getFirst()).asString().startsWith("CREATE TABLE lake.sales.shipments");
        for (String allowed : List.of(like.formatted("unregistered"), "CREATE TABLE lake.sales.copied (LIKE lake.sales.shipments)")) {
            assertThatThrownBy(() -> trino.query("alice", allowed)).as(allowed).hasMessageStartingWith("This connector does not support creating tables");
        }
        assertThatThrownBy(() -> trino.query(ADMIN, like.formatted("sales"))).hasMessageStartingWith("This connector does not support creating tables");

        // Iceberg's add_files adds the files at a location to a table, here an unregistered one alice owns.
        String addFiles = "ALTER TABLE lake.unregistered.shipments EXECUTE add_files(location => 'file:///lake/sales/shipments')";
        assertThatThrownBy(() -> trino.query("alice", addFiles))
                .hasMessage("Access Denied: Cannot execute ADD_FILES on table lake.unregistered.shipments: it adds files from elsewhere to the table, which may be "
                        + "a registered table's; only Warden admins may (warden.external-file-procedures)");
        for (String user : List.of(ADMIN, "alice")) {
            String sql = user.equals(ADMIN) ? addFiles : "ALTER TABLE lake.unregistered.shipments EXECUTE optimize";
            assertThatThrownBy(() -> trino.query(user, sql)).as(sql).hasMessageStartingWith("This connector does not support table procedures");
        }
    }

    @Test
    void unregisteredDataFollowsTheConfiguration()
    {
        trino.query("bob", "CREATE TABLE memory.default.bob_scratch (x bigint)");
        trino.query("bob", "INSERT INTO memory.default.bob_scratch VALUES (1), (2)");
        assertThat(trino.rows("bob", "SELECT sum(x) FROM memory.default.bob_scratch")).containsExactly(List.of(3L));
        trino.query("bob", "CREATE VIEW memory.default.bob_view AS SELECT x FROM memory.default.bob_scratch");
        trino.query("bob", "DROP VIEW memory.default.bob_view");
        trino.query("bob", "DROP TABLE memory.default.bob_scratch");
        trino.query("bob", "CREATE SCHEMA memory.bobs");
        trino.query("bob", "DROP SCHEMA memory.bobs");
        // A schema holding registered tables is for admins to drop (Trino refuses a non-empty one before asking).
        assertThatThrownBy(() -> trino.accessControl().checkCanDropSchema(context("erin"), new CatalogSchemaName("memory", "default")))
                .hasMessage("Access Denied: Cannot drop schema memory.default: it holds tables registered in Warden; only Warden admins may do this");
        // A JDBC connector's system.execute runs any SQL in its database, past every policy.
        int executed = MetadataTablesPlugin.EXECUTED.get();
        assertThatThrownBy(() -> trino.query("bob", "CALL lake.system.execute(query => 'DROP TABLE customer')"))
                .hasMessage("Access Denied: Cannot execute procedure lake.system.execute: only Warden admins may");
        assertThat(MetadataTablesPlugin.EXECUTED.get()).isEqualTo(executed);
        trino.query(ADMIN, "CALL lake.system.execute(query => 'SELECT 1')");
        assertThat(MetadataTablesPlugin.EXECUTED.get()).isEqualTo(executed + 1);
    }

    @Test
    void aCatalogWithUnregisteredOperationsOfItsOwnFollowsThem()
    {
        assertThat(trino.rows("bob", "SELECT day, orders FROM reports.default.daily")).containsExactly(List.of(1, 100));
        assertThat(trino.rows("bob", "SHOW TABLES FROM reports.default")).containsExactly(List.of("daily"));
        String onlyRead = "this Trino cluster allows only [READ] on data Warden does not govern in catalog reports (warden.allowed.unregistered.operations.reports)";
        assertThatThrownBy(() -> trino.query("bob", "INSERT INTO reports.default.daily VALUES (2, 200)"))
                .hasMessage("Access Denied: Cannot insert into table reports.default.daily: " + onlyRead);
        assertThatThrownBy(() -> trino.query("bob", "CREATE TABLE reports.default.mine (x bigint)"))
                .hasMessage("Access Denied: Cannot create table reports.default.mine: " + onlyRead);
        assertThatThrownBy(() -> trino.query("bob", "CREATE SCHEMA reports.bobs"))
                .hasMessage("Access Denied: Cannot create schema reports.bobs: this Trino cluster does not allow CREATE on data Warden does not govern in catalog "
                        + "reports (warden.allowed.unregistered.operations.reports)");
        // Admins may do everything there, and other catalogs follow warden.allowed.unregistered.operations.
        trino.query(ADMIN, "CREATE TABLE reports.default.by_admin AS SELECT * FROM reports.default.daily");
        trino.query(ADMIN, "DROP TABLE reports.default.by_admin");
        trino.query("bob", "CREATE TABLE memory.default.reports_copy AS SELECT * FROM reports.default.daily");
        assertThat(trino.rows("bob", "SELECT orders FROM memory.default.reports_copy")).containsExactly(List.of(100));
        trino.query("bob", "DROP TABLE memory.default.reports_copy");
    }

    @Test
    void metadataTablesOfRegisteredTablesAreForThoseWhoReadTheTableUnmaskedAndUnfiltered()
    {
        String partitions = "SELECT segment, row_count FROM lake.sales.\"orders$partitions\" ORDER BY segment";
        assertThat(trino.rows(ADMIN, partitions)).isEqualTo(MetadataTablesPlugin.ROWS);
        assertThat(trino.rows("carol", partitions)).as("finance reads lake.orders with no filter").isEqualTo(MetadataTablesPlugin.ROWS);
        assertThatThrownBy(() -> trino.query("alice", partitions))
                .hasMessageContaining("Cannot select from table lake.sales.orders$partitions: it holds metadata of lake.sales.orders, "
                        + "Warden data source 'lake.orders', which Warden masks or filters for you");
        assertThatThrownBy(() -> trino.query("bob", partitions))
                .hasMessageContaining("lake.sales.orders$partitions: it holds metadata of lake.sales.orders, it is Warden data source 'lake.orders', to which Warden user 'bob' has no access");
        assertThatThrownBy(() -> trino.accessControl().checkCanInsertIntoTable(context("carol"), new CatalogSchemaTableName("lake", "sales", "orders$partitions")))
                .hasMessageContaining("metadata tables can only be read");
        // The metadata of tables Warden does not govern follows warden.allowed.unregistered.operations, as those tables do.
        assertThat(trino.rows("bob", "SELECT segment, row_count FROM lake.sales.\"ungoverned$partitions\" ORDER BY segment")).isEqualTo(MetadataTablesPlugin.ROWS);
    }

    /**
     * Trino answers {@code SHOW STATS} with the connector's statistics of the whole table, computed on a plan carrying
     * the person's masks and filters: the filter lowers the row count it estimates, but the lowest and highest value of
     * {@code row_count} stay those of every row, the MACHINERY row erin's filter hides among them.
     */
    @Test
    void statisticsOfRegisteredTablesAreForThoseWhoReadTheTableUnmaskedAndUnfiltered()
    {
        String showStats = "SHOW STATS FOR lake.sales.shipments";
        List<Object> rowCountStatistics = Arrays.asList("row_count", null, 2.0, 0.0, null, "10", "20");
        assertThat(trino.rows("carol", showStats)).as("finance reads lake.shipments with no mask and no filter").contains(rowCountStatistics);
        assertThat(trino.rows(ADMIN, showStats)).contains(rowCountStatistics);

        String refused = "Access Denied: Cannot show statistics of table lake.sales.shipments: it is Warden data source 'lake.shipments', which Warden masks "
                + "or filters for you, and SHOW STATS shows statistics of all its rows, such as the lowest and highest value of a column over the rows your "
                + "filter hides too; it is refused wherever a mask or row filter applies";
        QueryFailedException erin = catchThrowableOfType(QueryFailedException.class, () -> trino.query("erin", showStats));
        assertThat(erin).as("erin's rows are filtered").hasMessage(refused);
        assertThat(trino.ledger().take(erin.getQueryId().getId()).orElseThrow().denials()).containsExactly(refused);
        assertThatThrownBy(() -> trino.query("alice", showStats)).as("alice's segments are masked").hasMessage(refused);
        for (String sql : List.of("SHOW STATS FOR (SELECT row_count FROM lake.sales.shipments WHERE row_count > 0)", "EXPLAIN " + showStats,
                "EXECUTE IMMEDIATE '" + showStats + "'")) {
            assertThatThrownBy(() -> trino.query("erin", sql)).as(sql).hasMessage(refused);
        }
        Session prepared = Session.builder(session("erin", Map.of())).addPreparedStatement("stats", showStats).build();
        assertThatThrownBy(() -> trino.query(prepared, "EXECUTE stats")).hasMessage(refused);

        // Only statistics: erin reads, describes and explains her rows as before, in queries of those same kinds.
        assertThat(trino.rows("erin", "SELECT segment, row_count FROM lake.sales.shipments")).containsExactly(List.of("BUILDING", 10L));
        assertThat(trino.query("erin", "EXPLAIN SELECT row_count FROM lake.sales.shipments").getOnlyValue().toString()).contains("BUILDING");
        Session describing = Session.builder(session("erin", Map.of())).addPreparedStatement("shipments", "SELECT row_count FROM lake.sales.shipments").build();
        assertThat(trino.rows(describing, "DESCRIBE OUTPUT shipments")).extracting(List::getFirst).containsExactly("row_count");
        assertThat(trino.rows("erin", "SHOW TABLES FROM memory.default LIKE 'tickets'")).as("also filtered for erin").containsExactly(List.of("tickets"));
        // Tables Warden does not govern follow warden.allowed.unregistered.operations.
        assertThat(trino.rows("erin", "SHOW STATS FOR lake.unregistered.shipments")).contains(rowCountStatistics);
    }

    /**
     * Lakehouse connectors give each table hidden columns ({@code $path}, {@code $partition}, ...) that name a row's
     * file and partition, and so the values of partition columns; a data source lists none of them.
     */
    @Test
    void hiddenColumnsAreNullForWhomeverATableMasks()
    {
        String sql = "SELECT segment, row_count, \"$partition\" FROM lake.sales.shipments ORDER BY row_count";
        assertThat(trino.rows("carol", sql)).containsExactly(List.of("BUILDING", 10L, "segment=BUILDING"), List.of("MACHINERY", 20L, "segment=MACHINERY"));
        assertThat(trino.rows("alice", sql)).containsExactly(Arrays.asList(null, 10L, null), Arrays.asList(null, 20L, null));
        assertThat(trino.rows(ADMIN, sql)).isEqualTo(trino.rows("carol", sql));
    }

    /**
     * Time travel reads a table as it was, under the column names it had then (Iceberg's {@code FOR VERSION AS OF}
     * reads a snapshot with that snapshot's schema, checked in trino-iceberg 476). A column's name from before a rename
     * is unknown to the data source's policies, as a column renamed in the database is; a row filter that names a
     * column the version lacks fails the query.
     */
    @Test
    void timeTravelToBeforeARenameShowsNoValueAMaskHides()
    {
        String before = "SELECT " + MetadataTablesPlugin.NAME_BEFORE_RENAME + ", row_count FROM lake.sales.shipments FOR VERSION AS OF "
                + MetadataTablesPlugin.VERSION_BEFORE_RENAME + " ORDER BY row_count";
        assertThat(trino.rows("carol", before)).containsExactly(List.of("BUILDING", 10L), List.of("MACHINERY", 20L));
        // alice's mask nullifies segment, which was called market then.
        assertThat(trino.rows("alice", before)).containsExactly(Arrays.asList(null, 10L), Arrays.asList(null, 20L));
        assertThat(trino.rows("alice", "SELECT count(*) FROM lake.sales.shipments FOR VERSION AS OF 1 WHERE market IS NOT NULL")).containsExactly(List.of(0L));
        // erin's filter names segment, which version 1 lacks: no rows, and no way past the filter.
        assertThatThrownBy(() -> trino.query("erin", before))
                .hasMessageContaining("Invalid row filter for 'lake.sales.shipments'")
                .hasMessageContaining("Column 'segment' cannot be resolved");
        assertThat(trino.rows(ADMIN, before)).isEqualTo(trino.rows("carol", before));
    }

    /**
     * A column added since the data source was registered, or renamed in the database (a masked column renamed holds
     * the values its mask hid), is unknown to Warden's policies.
     */
    @Test
    void columnsTheDataSourceDoesNotListAreNullForWhomeverATableMasks()
    {
        String sql = "SELECT id, segment, note FROM memory.default.visits";
        assertThat(trino.rows("carol", sql)).containsExactly(List.of(1L, "BUILDING", "added after registration"));
        assertThat(trino.rows("alice", sql)).containsExactly(Arrays.asList(1L, null, null));
        assertThat(trino.rows("alice", "SELECT count(*) FROM memory.default.visits WHERE note IS NOT NULL")).containsExactly(List.of(0L));
        // Asked one column at a time (Trino 476 asks for all at once), the answer is the same.
        CatalogSchemaTableName visits = new CatalogSchemaTableName("memory", "default", "visits");
        assertThat(trino.accessControl().getColumnMask(context("alice"), visits, "note", VarcharType.VARCHAR)).get()
                .extracting(ViewExpression::getExpression).isEqualTo("CAST(NULL AS varchar)");
        assertThat(trino.accessControl().getColumnMask(context("alice"), visits, "id", BigintType.BIGINT)).isEmpty();
        assertThat(trino.accessControl().getColumnMask(context("carol"), visits, "note", VarcharType.VARCHAR)).isEmpty();
    }

    /**
     * Iceberg's {@code table_changes} in Trino 476 (and the test connector's, which behaves the same) reads a table's
     * rows with Trino asking only whether the person may select from it: no mask or row filter reaches them.
     */
    @Test
    void tableFunctionsThatReadPastMasksAndFiltersReadRegisteredDataOnlyWhereNeitherApplies()
    {
        String changes = "SELECT segment, row_count FROM TABLE(lake.system.table_changes(schema_name => 'sales', table_name => '%s')) ORDER BY segment";
        assertThat(trino.rows(ADMIN, changes.formatted("orders"))).isEqualTo(MetadataTablesPlugin.ROWS);
        assertThat(trino.rows("carol", changes.formatted("orders"))).as("finance reads lake.orders with no filter").isEqualTo(MetadataTablesPlugin.ROWS);
        QueryFailedException refused = catchThrowableOfType(QueryFailedException.class, () -> trino.query("alice", changes.formatted("orders")));
        String expected = "Access Denied: Cannot select from table lake.sales.orders: it is Warden data source 'lake.orders', and this query runs table function "
                + "lake.system.table_changes, which reads tables without the masks and row filters Warden gives Trino; such a query may read registered "
                + "data only where Warden neither masks nor filters it for you (warden.unmasked-functions)";
        assertThat(refused).hasMessage(expected);
        assertThat(trino.ledger().take(refused.getQueryId().getId()).orElseThrow().denials()).containsExactly(expected);
        assertThatThrownBy(() -> trino.query("bob", changes.formatted("orders")))
                .hasMessageContaining("Cannot select from table lake.sales.orders: it is Warden data source 'lake.orders', to which Warden user 'bob' has no access");

        // Unregistered tables follow the configuration; registered ones elsewhere in such a query meet the same rule.
        assertThat(trino.rows("alice", changes.formatted("ungoverned"))).isEqualTo(MetadataTablesPlugin.ROWS);
        assertThatThrownBy(() -> trino.query("alice", "SELECT count(*) FROM TABLE(lake.system.table_changes(schema_name => 'sales', table_name => 'ungoverned')) CROSS JOIN customer"))
                .hasMessageContaining("Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer', and this query runs table function lake.system.table_changes");
        assertThat(trino.rows("carol", "SELECT count(*) FROM TABLE(lake.system.table_changes(schema_name => 'sales', table_name => 'orders')) CROSS JOIN customer"))
                .containsExactly(List.of(2L * 1500));
        // The rule belongs to those queries alone.
        assertThat(trino.rows("alice", "SELECT count(*) FROM customer").getFirst().getFirst()).isNotEqualTo(0L);
    }

    // ---- views ----

    @Test
    void definerAndInvokerViewsAreEnforcedForThePersonWhoQueriesThem()
            throws Exception
    {
        trino.query(ADMIN, "CREATE OR REPLACE VIEW memory.default.customers_by_admin SECURITY DEFINER AS SELECT custkey, name, mktsegment FROM tpch.tiny.customer");
        trino.query(ADMIN, "CREATE OR REPLACE VIEW memory.default.customers_invoker SECURITY INVOKER AS SELECT custkey, name, mktsegment FROM tpch.tiny.customer");
        trino.query("carol", "CREATE OR REPLACE VIEW memory.default.customers_by_carol SECURITY DEFINER AS SELECT custkey, name, mktsegment FROM tpch.tiny.customer");
        List<List<Object>> aliceDirect = trino.rows("alice", "SELECT custkey, name, mktsegment FROM customer ORDER BY custkey");
        List<List<Object>> carolDirect = trino.rows("carol", "SELECT custkey, name, mktsegment FROM customer ORDER BY custkey");
        assertThat(aliceDirect).isNotEqualTo(carolDirect);

        for (String view : List.of("customers_by_admin", "customers_invoker", "customers_by_carol")) {
            String sql = "SELECT custkey, name, mktsegment FROM memory.default." + view + " ORDER BY custkey";
            assertThat(trino.rows("alice", sql)).as(view).isEqualTo(aliceDirect);
            assertThatThrownBy(() -> trino.query("bob", sql)).as(view)
                    .hasMessageContaining("Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer' (Customers), to which Warden user 'bob' has no access");
        }

        // A governor lets carol share what she sees through her definer views; her invoker views and others' are unchanged.
        trino.apply(BUNDLE + "\ndefinerViewOwners: [carol]\n");
        try {
            assertThat(trino.rows("alice", "SELECT custkey, name, mktsegment FROM memory.default.customers_by_carol ORDER BY custkey")).isEqualTo(carolDirect);
            assertThat(trino.rows("bob", "SELECT count(*) FROM memory.default.customers_by_carol")).containsExactly(List.of(1500L));
            assertThat(trino.rows("alice", "SELECT custkey, name, mktsegment FROM memory.default.customers_by_admin ORDER BY custkey")).isEqualTo(aliceDirect);
            // Nobody else may make carol the owner of their own view, which would then share what carol sees.
            trino.query("bob", "CREATE OR REPLACE VIEW memory.default.bobs_view SECURITY DEFINER AS SELECT partkey FROM tpch.tiny.part");
            assertThatThrownBy(() -> trino.query("bob", "ALTER VIEW memory.default.bobs_view SET AUTHORIZATION carol"))
                    .hasMessage("Access Denied: Cannot set authorization on view memory.default.bobs_view to carol: only Warden admins may hand a view to a user "
                            + "whose definer views share what they see (definerViewOwners)");
            CatalogSchemaTableName bobsView = new CatalogSchemaTableName("memory", "default", "bobs_view");
            // Nor a role of her name: Trino runs a view as a user of its owner's name (the memory connector has no roles, so asked directly).
            assertThatThrownBy(() -> trino.accessControl().checkCanSetViewAuthorization(context("bob"), bobsView, new TrinoPrincipal(PrincipalType.ROLE, "carol")))
                    .hasMessage("Access Denied: Cannot set authorization on view memory.default.bobs_view to carol: only Warden admins may hand a view to a user "
                            + "whose definer views share what they see (definerViewOwners)");
            assertThatThrownBy(() -> trino.accessControl().checkCanSetViewAuthorization(context("carol"), bobsView, new TrinoPrincipal(PrincipalType.ROLE, "carol")))
                    .isInstanceOf(AccessDeniedException.class);
            trino.accessControl().checkCanSetViewAuthorization(context("carol"), bobsView, new TrinoPrincipal(PrincipalType.USER, "carol"));
            trino.accessControl().checkCanSetViewAuthorization(context(ADMIN), bobsView, new TrinoPrincipal(PrincipalType.USER, "carol"));
            trino.accessControl().checkCanSetViewAuthorization(context(ADMIN), bobsView, new TrinoPrincipal(PrincipalType.ROLE, "carol"));
        }
        finally {
            trino.apply(BUNDLE);
        }
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM memory.default.customers_by_carol")).hasMessageContaining("Access Denied");
    }

    /**
     * Trino answers a fresh materialized view from the rows its last refresh stored, so nobody's masks and filters
     * apply to them: refreshing one over registered data is for those a governor allows to share what they see.
     */
    @Test
    void materializedViewsOverRegisteredDataAreRefreshedOnlyByThoseAllowedToShareAndExpandedForThePersonWhenStale()
            throws Exception
    {
        String sql = "SELECT custkey, name, mktsegment FROM %s ORDER BY custkey";
        List<List<Object>> aliceDirect = trino.rows("alice", sql.formatted("customer"));
        List<List<Object>> carolDirect = trino.rows("carol", sql.formatted("customer"));
        assertThat(aliceDirect).isNotEqualTo(carolDirect);

        // A stale materialized view is expanded like a definer view of its owner (carol), decided for the person querying it.
        assertThat(trino.rows("alice", sql.formatted("warehouse.default.stale_customers"))).isEqualTo(aliceDirect);
        assertThatThrownBy(() -> trino.query("bob", sql.formatted("warehouse.default.stale_customers")))
                .hasMessageContaining("to which Warden user 'bob' has no access");

        // A fresh one is answered from its stored rows (here stored before Warden governed the table), which no mask or
        // filter reaches; its base tables are still checked for the person querying it.
        assertThat(trino.rows("alice", sql.formatted("warehouse.default.fresh_customers"))).isEqualTo(trino.rows(ADMIN, sql.formatted("customer")));
        assertThatThrownBy(() -> trino.query("bob", sql.formatted("warehouse.default.fresh_customers")))
                .hasMessageContaining("to which Warden user 'bob' has no access");

        // Refreshing would store what the refreshing person sees for everyone who reads the view: refused, admins included.
        for (String user : List.of("alice", "carol", ADMIN)) {
            QueryFailedException refused = catchThrowableOfType(QueryFailedException.class,
                    () -> trino.query(user, "REFRESH MATERIALIZED VIEW warehouse.default.fresh_customers"));
            String expected = ("Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer', and this query "
                    + "refreshes materialized view warehouse.default.fresh_customers, whose stored rows everyone who reads the view would see "
                    + "instead of what Warden lets them see; Trino user '%s' is not among the users a Warden governor allows to share what "
                    + "they see (definerViewOwners)").formatted(user);
            assertThat(refused).as(user).hasMessage(expected);
            assertThat(trino.ledger().take(refused.getQueryId().getId()).orElseThrow().denials()).as(user).containsExactly(expected);
        }
        // The refusal belonged to those queries alone.
        assertThat(trino.rows("alice", sql.formatted("customer"))).isEqualTo(aliceDirect);
        assertThat(trino.rows("alice", sql.formatted("warehouse.default.stale_customers"))).isEqualTo(aliceDirect);

        trino.apply(BUNDLE + "\ndefinerViewOwners: [carol]\n");
        try {
            trino.query("carol", "REFRESH MATERIALIZED VIEW warehouse.default.fresh_customers");
            assertThatThrownBy(() -> trino.query("alice", "REFRESH MATERIALIZED VIEW warehouse.default.fresh_customers"))
                    .hasMessageContaining("Trino user 'alice' is not among the users a Warden governor allows to share what they see");
        }
        finally {
            trino.apply(BUNDLE);
        }
    }

    /**
     * A table Warden does not govern shows its rows to everyone who may read it: writing what a query reads of
     * registered data into one is for admins and those a governor allows to share what they see.
     */
    @Test
    void copiesOfRegisteredDataIntoUngovernedTablesAreForThoseAllowedToShare()
            throws Exception
    {
        String copy = "CREATE TABLE memory.default.%s AS SELECT custkey, name, mktsegment FROM tpch.tiny.customer";
        QueryFailedException refused = catchThrowableOfType(QueryFailedException.class, () -> trino.query("alice", copy.formatted("alice_copy")));
        String expected = "Access Denied: Cannot select from table tpch.tiny.customer: it is Warden data source 'tpch.customer', and this query writes into "
                + "table memory.default.alice_copy, which Warden does not govern: everyone who may read that table would see what you see of this data "
                + "source, whatever Warden lets them see; Trino user 'alice' is not among the users a Warden governor allows to share what they see "
                + "(definerViewOwners; warden.copies-of-registered-data)";
        assertThat(refused).hasMessage(expected);
        assertThat(trino.ledger().take(refused.getQueryId().getId()).orElseThrow().denials()).containsExactly(expected);
        assertThat(trino.rows(ADMIN, "SHOW TABLES FROM memory.default")).doesNotContain(List.of("alice_copy"));

        trino.query("alice", "CREATE TABLE memory.default.alice_scratch (key bigint)");
        try {
            assertThatThrownBy(() -> trino.query("alice", "INSERT INTO memory.default.alice_scratch SELECT custkey FROM tpch.tiny.customer"))
                    .hasMessageContaining("this query writes into table memory.default.alice_scratch, which Warden does not govern");
            assertThatThrownBy(() -> trino.query("alice", "INSERT INTO memory.default.alice_scratch SELECT partkey FROM part WHERE partkey IN (SELECT custkey FROM customer)"))
                    .hasMessageContaining("this query writes into table memory.default.alice_scratch, which Warden does not govern");
            // UPDATE and MERGE name their target before what they read too (memory tables cannot be updated: asked directly).
            SystemSecurityContext updating = new SystemSecurityContext(Identity.ofUser("alice"), QueryId.valueOf("alice_updates_her_scratch"), Instant.now());
            trino.accessControl().checkCanUpdateTableColumns(updating, new CatalogSchemaTableName("memory", "default", "alice_scratch"), Set.of("key"));
            assertThatThrownBy(() -> trino.accessControl().checkCanSelectFromColumns(updating, new CatalogSchemaTableName("tpch", "tiny", "customer"), Set.of("custkey")))
                    .hasMessageContaining("this query writes into table memory.default.alice_scratch, which Warden does not govern");
            // Unregistered data and her own values she may copy; reading registered data in a query that writes nothing is as before.
            trino.query("alice", "INSERT INTO memory.default.alice_scratch SELECT partkey FROM part WHERE partkey <= 3");
            trino.query("alice", "INSERT INTO memory.default.alice_scratch VALUES 4");
            assertThat(trino.rows("alice", "SELECT count(*) FROM memory.default.alice_scratch")).containsExactly(List.of(4L));
            assertThat(trino.rows("alice", "SELECT count(*) FROM customer").getFirst().getFirst()).isNotEqualTo(0L);

            // A table like a registered one takes its columns, not its rows; WITH NO DATA is analysed as a copy.
            trino.query("alice", "CREATE TABLE memory.default.alice_like (LIKE tpch.tiny.customer)");
            assertThat(trino.rows("alice", "SELECT count(*) FROM memory.default.alice_like")).containsExactly(List.of(0L));
            assertThatThrownBy(() -> trino.query("alice", copy.formatted("alice_copy") + " WITH NO DATA"))
                    .hasMessageContaining("this query writes into table memory.default.alice_copy, which Warden does not govern");

            trino.query(ADMIN, copy.formatted("admin_copy"));
            assertThat(trino.rows(ADMIN, "SELECT count(*) FROM memory.default.admin_copy")).containsExactly(List.of(1500L));

            trino.apply(BUNDLE + "\ndefinerViewOwners: [alice]\n");
            try {
                trino.query("alice", copy.formatted("alice_copy"));
                assertThat(trino.rows("carol", "SELECT count(*) FROM memory.default.alice_copy")).isEqualTo(trino.rows("alice", "SELECT count(*) FROM customer"));
            }
            finally {
                trino.apply(BUNDLE);
            }
        }
        finally {
            for (String table : List.of("alice_copy", "alice_scratch", "alice_like", "admin_copy")) {
                trino.query(ADMIN, "DROP TABLE IF EXISTS memory.default." + table);
            }
        }
    }

    // ---- no way around it ----

    /**
     * A person's own expression that fails on rows a filter hides would name them in its error. Trino keeps the row
     * filter ahead of anything that may fail, on a table alone and below a join, unless {@code allow_unsafe_pushdown}
     * lets it push such expressions below joins: only admins may set that.
     */
    @Test
    void errorsInAPersonsOwnExpressionsNeverComeFromRowsTheirFilterHides()
    {
        String failsOnHiddenCustomers = "CAST(IF(c.mktsegment IN ('BUILDING', 'AUTOMOBILE'), '1', 'hidden-' || CAST(c.custkey AS varchar)) AS bigint) > 0";
        String alone = "SELECT count(*) FROM customer c WHERE " + failsOnHiddenCustomers;
        String joined = "SELECT count(*) FROM customer c JOIN nation n ON c.nationkey = n.nationkey WHERE " + failsOnHiddenCustomers;
        Object visible = trino.rows("alice", "SELECT count(*) FROM customer").getFirst().getFirst();
        Object visibleJoined = trino.rows("alice", "SELECT count(*) FROM customer c JOIN nation n ON c.nationkey = n.nationkey").getFirst().getFirst();
        assertThat(trino.rows("alice", alone)).containsExactly(List.of(visible));
        assertThat(trino.rows("alice", joined)).containsExactly(List.of(visibleJoined));
        // Where nothing hides those rows the same queries fail, so the ones above would have shown them.
        assertThatThrownBy(() -> trino.query("carol", alone)).hasMessageContaining("Cannot cast 'hidden-");
        assertThatThrownBy(() -> trino.query("carol", joined)).hasMessageContaining("Cannot cast 'hidden-");

        // Half of the suppliers, chosen by a salted hash, are hidden from alice (a filter that may itself fail).
        String visibleSuppliers = trino.rows("alice", "SELECT suppkey FROM supplier").stream().map(row -> row.getFirst().toString()).collect(Collectors.joining(", "));
        String withParts = "SELECT count(*) FROM supplier s JOIN tpch.tiny.partsupp p ON s.suppkey = p.suppkey "
                + "WHERE CAST(IF(s.suppkey IN (" + visibleSuppliers + "), '1', 'hidden-' || CAST(s.suppkey AS varchar)) AS bigint) > 0";
        assertThat(trino.rows("alice", withParts)).containsExactly(List.of(80L * (visibleSuppliers.split(", ").length)));
        // With allow_unsafe_pushdown=true that query fails with "Cannot cast 'hidden-72' to BIGINT": refused, whether
        // set by a statement, sent with the query or set in it (WITH SESSION).
        String refused = "Access Denied: Cannot set system session property allow_unsafe_pushdown: it lets Trino run expressions that may fail ahead of "
                + "row filters, so that a query's errors can show rows a filter hides; only Warden admins may set it (warden.admin-only-session-properties)";
        QueryFailedException set = catchThrowableOfType(QueryFailedException.class, () -> trino.query("alice", "SET SESSION allow_unsafe_pushdown = true"));
        assertThat(set).hasMessage(refused);
        assertThat(trino.ledger().take(set.getQueryId().getId()).orElseThrow().denials()).containsExactly(refused);
        Session unsafe = Session.builder(session("alice", Map.of())).setSystemProperty("allow_unsafe_pushdown", "true").build();
        assertThatThrownBy(() -> trino.query(unsafe, withParts)).hasMessage(refused);
        assertThatThrownBy(() -> trino.query("alice", "WITH SESSION allow_unsafe_pushdown = true " + withParts)).hasMessage(refused);
        trino.query(ADMIN, "SET SESSION allow_unsafe_pushdown = true");
        trino.query("alice", "SET SESSION join_reordering_strategy = 'NONE'");
        // Any other property an operator lists is admin-only too, with a reason that says so.
        assertThatThrownBy(() -> trino.query("alice", "SET SESSION spill_enabled = false"))
                .hasMessage("Access Denied: Cannot set system session property spill_enabled: Warden's configuration lists it as weakening what Warden "
                        + "enforces; only Warden admins may set it (warden.admin-only-session-properties)");
    }

    /**
     * Trino hands a query's expressions to a connector (Trino's {@code complex_expression_pushdown}), where a JDBC
     * connector writes those it can, arithmetic among them, into its database's SQL (its own
     * {@code complex_expression_pushdown}); the database then chooses what it tests first, and PostgreSQL tests the
     * cheaper first. Where an operator turned either off, only admins may turn it back on.
     */
    @Test
    void expressionPushdownIntoDatabasesIsForAdmins()
    {
        // Trino offers the connector erin's own division beside her row filter: a JDBC connector would send it to its database.
        String dividing = "SELECT segment FROM lake.sales.shipments WHERE 1 / (row_count - 20) >= 0";
        MetadataTablesPlugin.OFFERED_EXPRESSIONS.clear();
        assertThat(trino.rows("erin", dividing)).containsExactly(List.of("BUILDING"));
        assertThat(MetadataTablesPlugin.OFFERED_EXPRESSIONS).anyMatch(expression -> expression.toString().contains("$divide"));
        MetadataTablesPlugin.OFFERED_EXPRESSIONS.clear();
        Session notPushing = Session.builder(session(ADMIN, Map.of())).setSystemProperty("complex_expression_pushdown", "false").build();
        assertThatThrownBy(() -> trino.query(notPushing, dividing)).as("no row filter for admins: the division reaches the row of 20").hasMessageContaining("Division by zero");
        assertThat(MetadataTablesPlugin.OFFERED_EXPRESSIONS).isNotEmpty().noneMatch(expression -> expression.toString().contains("$divide"));

        String why = "it lets Trino hand a query's own expressions to a connector, whose database (a JDBC catalog's) may run them ahead of row filters, "
                + "so that a query's errors can show rows a filter hides; only Warden admins may set it ";
        String refusedSystem = "Access Denied: Cannot set system session property complex_expression_pushdown: " + why + "(warden.admin-only-session-properties)";
        QueryFailedException set = catchThrowableOfType(QueryFailedException.class, () -> trino.query("alice", "SET SESSION complex_expression_pushdown = true"));
        assertThat(set).hasMessage(refusedSystem);
        assertThat(trino.ledger().take(set.getQueryId().getId()).orElseThrow().denials()).containsExactly(refusedSystem);
        Session pushing = Session.builder(session("alice", Map.of())).setSystemProperty("complex_expression_pushdown", "true").build();
        assertThatThrownBy(() -> trino.query(pushing, "SELECT count(*) FROM customer")).hasMessage(refusedSystem);

        String property = MetadataTablesPlugin.EXPRESSION_PUSHDOWN_PROPERTY;
        String refusedCatalog = "Access Denied: Cannot set catalog session property lake." + property + ": " + why + "(warden.admin-only-catalog-session-properties)";
        assertThatThrownBy(() -> trino.query("erin", "SET SESSION lake." + property + " = true")).hasMessage(refusedCatalog);
        assertThatThrownBy(() -> trino.query("erin", "WITH SESSION lake." + property + " = true SELECT segment, row_count FROM lake.sales.shipments"))
                .hasMessage(refusedCatalog);

        trino.query(ADMIN, "SET SESSION complex_expression_pushdown = true");
        trino.query(ADMIN, "SET SESSION lake." + property + " = true");
        Session adminPushing = Session.builder(session(ADMIN, Map.of())).setSystemProperty("complex_expression_pushdown", "true")
                .setCatalogSessionProperty("lake", property, "true").build();
        assertThat(trino.rows(adminPushing, "SELECT segment, row_count FROM lake.sales.shipments")).hasSameElementsAs(MetadataTablesPlugin.ROWS);
    }

    /**
     * Hive's {@code orc_use_column_names} and {@code parquet_use_column_names} make a query read a file's columns by
     * name or by position; by position, a file whose columns are not in the table's order shows one column's values
     * under another's name and masks. Only admins may set them, in any catalog, however they are set.
     */
    @Test
    void sessionPropertiesThatChooseHowFilesAreReadAreForAdmins()
    {
        String shipments = "SELECT segment, row_count FROM lake.sales.shipments";
        for (String property : List.of(MetadataTablesPlugin.ORC_BY_NAME_PROPERTY, MetadataTablesPlugin.PARQUET_BY_NAME_PROPERTY)) {
            String refused = "Access Denied: Cannot set catalog session property lake." + property + ": it chooses whether a query reads a file's columns by "
                    + "name or by position, and by position a file whose columns are not in the table's order shows one column's values under another "
                    + "column's name and masks; only Warden admins may set it (warden.admin-only-catalog-session-properties)";
            QueryFailedException set = catchThrowableOfType(QueryFailedException.class, () -> trino.query("erin", "SET SESSION lake." + property + " = false"));
            assertThat(set).as(property).hasMessage(refused);
            assertThat(trino.ledger().take(set.getQueryId().getId()).orElseThrow().denials()).containsExactly(refused);
            Session byPosition = Session.builder(session("erin", Map.of())).setCatalogSessionProperty("lake", property, "false").build();
            assertThatThrownBy(() -> trino.query(byPosition, shipments)).as(property).hasMessage(refused);
            assertThatThrownBy(() -> trino.query("erin", "WITH SESSION lake." + property + " = false " + shipments)).as(property).hasMessage(refused);
            // Its value makes no difference: Trino does not tell the access control what it is.
            assertThatThrownBy(() -> trino.query("alice", "SET SESSION lake." + property + " = true")).as(property).hasMessage(refused);

            trino.query(ADMIN, "SET SESSION lake." + property + " = false");
            Session adminByPosition = Session.builder(session(ADMIN, Map.of())).setCatalogSessionProperty("lake", property, "false").build();
            assertThat(trino.rows(adminByPosition, shipments)).as(property).hasSameElementsAs(MetadataTablesPlugin.ROWS);
        }
        // The catalog's other session properties are anyone's.
        trino.query("erin", "SET SESSION lake." + MetadataTablesPlugin.OVERWRITE_PROPERTY + " = 'APPEND'");
        assertThat(trino.rows("erin", shipments)).containsExactly(List.of("BUILDING", 10L));
    }

    @Test
    void rolesNeverChangeWardensDecisions()
    {
        // Connector roles, and Trino groups named like Warden's analysts and finance, change nothing. (Trino itself refuses
        // to enable a system role that was not granted.)
        Session bobWithRoles = session(Identity.forUser("bob")
                .withConnectorRoles(Map.of("tpch", new SelectedRole(SelectedRole.Type.ALL, Optional.empty())))
                .withGroups(Set.of("analysts", "finance"))
                .build());
        assertThatThrownBy(() -> trino.query(bobWithRoles, "SELECT count(*) FROM customer")).hasMessageContaining("to which Warden user 'bob' has no access");
    }

    @Test
    void onlyAdminsAndConfiguredUsersMayImpersonateAndNobodyButAdminsMayImpersonateAnAdmin()
    {
        WardenAccessControl accessControl = trino.accessControl();
        accessControl.checkCanImpersonateUser(Identity.ofUser("gateway"), "alice");
        accessControl.checkCanImpersonateUser(Identity.ofUser(ADMIN), "alice");
        accessControl.checkCanImpersonateUser(Identity.ofUser("alice"), "alice");
        String impersonationRule = "only Warden admins and warden.impersonation.users may impersonate, and only admins may impersonate an admin";
        assertThatThrownBy(() -> accessControl.checkCanImpersonateUser(Identity.ofUser("gateway"), ADMIN))
                .hasMessage("Access Denied: User gateway cannot impersonate user root: " + impersonationRule);
        assertThatThrownBy(() -> accessControl.checkCanImpersonateUser(Identity.ofUser("alice"), "carol")).isInstanceOf(AccessDeniedException.class);

        accessControl.checkCanSetUser(Optional.empty(), "alice");
        accessControl.checkCanSetUser(Optional.of(new BasicPrincipal("alice")), "alice");
        accessControl.checkCanSetUser(Optional.of(new BasicPrincipal("gateway")), "carol");
        assertThatThrownBy(() -> accessControl.checkCanSetUser(Optional.of(new BasicPrincipal("gateway")), ADMIN)).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> accessControl.checkCanSetUser(Optional.of(new BasicPrincipal("alice")), "carol")).isInstanceOf(AccessDeniedException.class);

        // SET SESSION AUTHORIZATION is impersonation by another name, and meets the same rule.
        assertThatThrownBy(() -> trino.query("bob", "SET SESSION AUTHORIZATION alice"))
                .hasMessage("Access Denied: Principal bob cannot become user alice: " + impersonationRule);
        assertThatThrownBy(() -> trino.query("gateway", "SET SESSION AUTHORIZATION " + ADMIN))
                .hasMessage("Access Denied: Principal gateway cannot become user root: " + impersonationRule);
        trino.query("gateway", "SET SESSION AUTHORIZATION alice");
        trino.query(ADMIN, "SET SESSION AUTHORIZATION carol");
    }

    /**
     * Trino's in-process queries carry neither principals nor groups, so this calls the SPI as Trino's server does:
     * {@code checkCanImpersonateUser} for the authenticated identity, then every check with the session's identity,
     * which carries the authenticated principal and the impersonated user's groups.
     */
    @Test
    void impersonatingAUserWhoIsAnAdminThroughAGroupGivesANonAdminNoAdminPowers()
    {
        WardenAccessControl accessControl = trino.accessControl();
        CatalogSchemaTableName customer = new CatalogSchemaTableName("tpch", "tiny", "customer");
        // dora is an admin only through the group 'wardens', which Trino's impersonation check does not show.
        Identity doraHerself = Identity.forUser("dora").withGroups(Set.of("wardens")).withPrincipal(new BasicPrincipal("dora")).build();
        accessControl.checkCanExecuteQuery(doraHerself, QueryId.valueOf("dora_herself"));
        accessControl.checkCanSelectFromColumns(new SystemSecurityContext(doraHerself, QueryId.valueOf("dora_herself"), Instant.now()), customer, Set.of("name"));
        accessControl.checkCanReadSystemInformation(doraHerself);

        BasicPrincipal gateway = new BasicPrincipal("gateway");
        accessControl.checkCanImpersonateUser(Identity.forUser("gateway").withPrincipal(gateway).build(), "dora");
        Identity doraByGateway = Identity.forUser("dora").withGroups(Set.of("wardens")).withPrincipal(gateway).build();
        accessControl.checkCanExecuteQuery(doraByGateway, QueryId.valueOf("dora_by_gateway"));
        SystemSecurityContext byGateway = new SystemSecurityContext(doraByGateway, QueryId.valueOf("dora_by_gateway"), Instant.now());
        assertThatThrownBy(() -> accessControl.checkCanSelectFromColumns(byGateway, customer, Set.of("name")))
                .hasMessageContaining("Warden cannot act for user 'dora': no user named 'dora'");
        assertThatThrownBy(() -> accessControl.checkCanViewQueryOwnedBy(doraByGateway, Identity.ofUser("alice"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> accessControl.checkCanReadSystemInformation(doraByGateway)).isInstanceOf(AccessDeniedException.class);

        // An admin who impersonates dora gets what dora gets.
        BasicPrincipal root = new BasicPrincipal(ADMIN);
        accessControl.checkCanImpersonateUser(Identity.forUser(ADMIN).withPrincipal(root).build(), "dora");
        Identity doraByRoot = Identity.forUser("dora").withGroups(Set.of("wardens")).withPrincipal(root).build();
        accessControl.checkCanExecuteQuery(doraByRoot, QueryId.valueOf("dora_by_root"));
        accessControl.checkCanSelectFromColumns(new SystemSecurityContext(doraByRoot, QueryId.valueOf("dora_by_root"), Instant.now()), customer, Set.of("name"));
        accessControl.checkCanReadSystemInformation(doraByRoot);
    }

    @Test
    void maskingSaltsStayOutOfPlansAndOpenOnlyInTheQueryTheyWereSealedFor()
    {
        // A keyed hash is reversible by whoever knows the key: hash guesses, compare. Trino shows a query's masks and
        // filters to whoever runs EXPLAIN, so the salts of alice's hash mask and sampling filter must not be in them.
        String plan = trino.query("alice", "EXPLAIN SELECT name FROM customer").getOnlyValue().toString()
                + trino.query("alice", "EXPLAIN SELECT suppkey FROM supplier").getOnlyValue().toString();
        assertThat(plan)
                .contains(SealedSalts.FUNCTION_NAME)
                .doesNotContain("customer-salt-0123456789")
                .doesNotContain("supplier-salt-0123456789")
                .doesNotContain(HexFormat.of().formatHex("customer-salt-0123456789".getBytes(StandardCharsets.UTF_8)));

        // What the plan shows opens only in the query it was sealed for: copied into another query, it is refused.
        Matcher sealed = Pattern.compile("sealed:[0-9a-f]{16}:[A-Za-z0-9_-]+").matcher(plan);
        assertThat(sealed.find()).isTrue();
        String copied = sealed.group();
        for (String user : List.of("alice", ADMIN)) {
            assertThatThrownBy(() -> trino.query(user, "SELECT %s('Customer#000000001', '%s')".formatted(SealedSalts.FUNCTION_NAME, copied)))
                    .hasMessageContaining("Access Denied")
                    .hasMessageContaining("sealed for another query");
        }
        assertThatThrownBy(() -> trino.query("alice", "SELECT %s('Customer#000000001', 'customer-salt-0123456789')".formatted(SealedSalts.FUNCTION_NAME)))
                .hasMessageContaining("Access Denied")
                .hasMessageContaining("a masking salt Warden sealed for the query");
        assertThatThrownBy(() -> trino.query("alice", "SELECT %s('x', 'sealed:0123456789abcdef:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')".formatted(SealedSalts.FUNCTION_NAME)))
                .hasMessageContaining("Access Denied")
                .hasMessageContaining("a key this node does not have");
        // The function is not listed among the functions users see.
        assertThat(trino.query("alice", "SHOW FUNCTIONS LIKE 'warden%'").getRowCount()).isZero();
    }

    /**
     * Masks call functions by name, and a query may define functions of its own ({@code WITH FUNCTION}), which Trino
     * resolves ahead of its own in the query's SQL. Trino analyses a mask or filter with its own functions and the
     * path Warden hands with it (none), without the query's, so the person's functions never take the place of a
     * mask's (checked in trino-main 476: {@code Session.createViewSession}). Functions stored in a catalog come after
     * Trino's own on every path, the query's too.
     */
    @Test
    void functionsAPersonDefinesNeverTakeThePlaceOfThoseInTheirMasks()
    {
        String customers = "SELECT " + CUSTOMER_COLUMNS + " FROM customer ORDER BY custkey";
        String ownFunctions = """
                WITH
                    FUNCTION %s(text varchar, salt varchar) RETURNS varbinary RETURN to_utf8(text),
                    FUNCTION to_hex(bytes varbinary) RETURNS varchar RETURN from_utf8(bytes),
                    FUNCTION lower(text varchar) RETURNS varchar RETURN text,
                    FUNCTION floor(x double) RETURNS double RETURN x
                """.formatted(SealedSalts.FUNCTION_NAME);
        // In the query's own SQL they do take Trino's place: the name alice hashes in her masks comes back as it is.
        assertThat(trino.rows("alice", ownFunctions + "SELECT lower(to_hex(%s('Customer#000000001', 'salt'))), floor(1.5e0)".formatted(SealedSalts.FUNCTION_NAME)))
                .containsExactly(List.of("Customer#000000001", 1.5));

        assertThat(trino.rows("alice", ownFunctions + customers)).isEqualTo(trino.rows("alice", customers));
        assertThat(trino.rows("alice", ownFunctions + "SELECT name FROM customer WHERE custkey = 1"))
                .containsExactly(List.of(sha256Hex("customer-salt-0123456789Customer#000000001").substring(0, 25)));
    }

    @Test
    void tableFunctionsThatPassSqlThroughAreBlockedInEveryCatalog()
    {
        WardenAccessControl accessControl = trino.accessControl();
        SystemSecurityContext admin = context(ADMIN);
        for (String catalog : List.of("postgres", "mysql", "elasticsearch", "tpch")) {
            assertThat(accessControl.canExecuteFunction(admin, new CatalogSchemaRoutineName(catalog, "system", "query"))).isFalse();
            assertThat(accessControl.canExecuteFunction(context("alice"), new CatalogSchemaRoutineName(catalog, "system", "raw_query"))).isFalse();
            assertThat(accessControl.canCreateViewWithExecuteFunction(context("alice"), new CatalogSchemaRoutineName(catalog, "system", "query"))).isFalse();
        }
        assertThat(accessControl.canExecuteFunction(context("alice"), new CatalogSchemaRoutineName("memory", "default", "my_function"))).isTrue();
        assertThat(accessControl.filterFunctions(context("alice"), "postgres", Set.of(new SchemaFunctionName("system", "query"), new SchemaFunctionName("system", "other"))))
                .containsExactly(new SchemaFunctionName("system", "other"));
        // Builtins never reach the access control, and keep working.
        assertThat(trino.rows("alice", "SELECT upper('a'), length('abc')")).containsExactly(List.of("A", 3L));
    }

    @Test
    void usersSeeOnlyTheirOwnQueriesAndAdminsSeeAll()
    {
        trino.query("alice", "SELECT 'alice-secret-marker'");
        List<List<Object>> seenByBob = trino.rows("bob", "SELECT \"user\", query FROM system.runtime.queries");
        assertThat(seenByBob).isNotEmpty().allMatch(row -> row.getFirst().equals("bob"));
        assertThat(trino.rows(ADMIN, "SELECT query FROM system.runtime.queries WHERE \"user\" = 'alice'"))
                .anyMatch(row -> ((String) row.getFirst()).contains("alice-secret-marker"));

        WardenAccessControl accessControl = trino.accessControl();
        accessControl.checkCanViewQueryOwnedBy(Identity.ofUser("bob"), Identity.ofUser("bob"));
        accessControl.checkCanKillQueryOwnedBy(Identity.ofUser(ADMIN), Identity.ofUser("bob"));
        assertThatThrownBy(() -> accessControl.checkCanViewQueryOwnedBy(Identity.ofUser("bob"), Identity.ofUser("alice"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> accessControl.checkCanKillQueryOwnedBy(Identity.ofUser("bob"), Identity.ofUser("alice"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> accessControl.checkCanReadSystemInformation(Identity.ofUser("bob"))).isInstanceOf(AccessDeniedException.class);
        accessControl.checkCanReadSystemInformation(Identity.ofUser(ADMIN));
    }

    @Test
    void usersKillTheirOwnQueriesAndAdminsAnyone()
            throws Exception
    {
        // An unregistered table big enough to keep a query running until it is killed.
        CompletableFuture<MaterializedResult> running = CompletableFuture.supplyAsync(() -> trino.query("alice", "SELECT count(*) FROM tpch.sf1000.lineitem"));
        try {
            String queryId = awaitRunningQueryOf("alice", running);
            String kill = "CALL system.runtime.kill_query(query_id => '%s', message => 'enough')".formatted(queryId);

            assertThatThrownBy(() -> trino.query("bob", kill))
                    .hasMessage("Access Denied: Cannot kill query: only admins may kill other users' queries");
            assertThat(running).isNotDone();
            assertThatThrownBy(() -> trino.query("bob", "CALL system.runtime.kill_query(query_id => '20240101_000000_00000_xxxxx', message => 'x')"))
                    .hasMessageContaining("Target query not found");

            trino.query("alice", kill);
            assertThat(running).failsWithin(Duration.ofSeconds(30)).withThrowableThat().withMessageContaining("Query killed. Message: enough");

            CompletableFuture<MaterializedResult> another = CompletableFuture.supplyAsync(() -> trino.query("alice", "SELECT count(*) FROM tpch.sf1000.orders"));
            trino.query(ADMIN, "CALL system.runtime.kill_query(query_id => '%s', message => 'by an admin')".formatted(awaitRunningQueryOf("alice", another)));
            assertThat(another).failsWithin(Duration.ofSeconds(30)).withThrowableThat().withMessageContaining("Query killed. Message: by an admin");
        }
        finally {
            // Should an assertion fail, no endless query is left to slow the tests after it.
            for (List<Object> left : trino.rows(ADMIN, "SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND query LIKE '%tpch.sf1000%' AND query NOT LIKE '%system.runtime%'")) {
                trino.query(ADMIN, "CALL system.runtime.kill_query(query_id => '%s', message => 'test cleanup')".formatted(left.getFirst()));
            }
        }
    }

    private String awaitRunningQueryOf(String user, CompletableFuture<?> query)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !query.isDone()) {
            List<List<Object>> running = trino.rows(ADMIN, "SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND \"user\" = '%s' AND query LIKE '%%sf1000%%'".formatted(user));
            if (!running.isEmpty()) {
                return (String) running.getFirst().getFirst();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("%s's query did not start running: %s".formatted(user, query));
    }

    @Test
    void usersSeeOnlyTheirOwnQueriesTasksAndNoOnesTransactions()
    {
        // Trino 476 lists every user's tasks and transactions unfiltered; a task holds the rows and bytes its query read.
        String bobs = trino.runner().executeWithPlan(session("bob", Map.of()), "SELECT count(*) FROM part").queryId().getId();
        String alices = trino.runner().executeWithPlan(session("alice", Map.of()), "SELECT count(*) FROM part WHERE size > 10").queryId().getId();
        assertThat(trino.rows(ADMIN, "SELECT DISTINCT query_id FROM system.runtime.tasks")).contains(List.of(bobs), List.of(alices));

        List<List<Object>> seenByAlice = trino.rows("alice", "SELECT DISTINCT query_id FROM system.runtime.tasks");
        assertThat(seenByAlice).contains(List.of(alices)).doesNotContain(List.of(bobs));
        assertThat(trino.rows("alice", "SELECT DISTINCT t.query_id FROM system.runtime.tasks t JOIN system.runtime.queries q ON t.query_id = q.query_id WHERE q.\"user\" <> 'alice'")).isEmpty();
        // The filter runs before the query's own conditions: one that fails on a row of bob's would say that row exists.
        String failsOnTasksOf = "SELECT count(*) FROM system.runtime.tasks WHERE 1 / (CASE WHEN query_id = '%s' THEN 0 ELSE 1 END) = 1";
        assertThat(trino.rows("alice", failsOnTasksOf.formatted(bobs))).hasSize(1);
        assertThatThrownBy(() -> trino.query("alice", failsOnTasksOf.formatted(alices))).as("her own tasks reach the condition").hasMessageContaining("Division by zero");

        assertThat(trino.rows(ADMIN, "SELECT count(*) FROM system.runtime.transactions").getFirst().getFirst()).isNotEqualTo(0L);
        assertThatThrownBy(() -> trino.query("alice", "SELECT * FROM system.runtime.transactions"))
                .hasMessageContaining("Cannot select from table system.runtime.transactions: it lists every user's open transactions");
        assertThat(trino.rows("alice", "SHOW TABLES FROM system.runtime")).contains(List.of("tasks"), List.of("queries")).doesNotContain(List.of("transactions"));
        assertThat(trino.rows(ADMIN, "SHOW TABLES FROM system.runtime")).contains(List.of("transactions"));

        // An admin's definer views of them show alice what she may see herself.
        trino.query(ADMIN, "CREATE OR REPLACE VIEW memory.default.all_tasks SECURITY DEFINER AS SELECT query_id FROM system.runtime.tasks");
        trino.query(ADMIN, "CREATE OR REPLACE VIEW memory.default.all_transactions SECURITY DEFINER AS SELECT transaction_id FROM system.runtime.transactions");
        assertThat(trino.rows(ADMIN, "SELECT DISTINCT query_id FROM memory.default.all_tasks")).contains(List.of(bobs));
        assertThat(trino.rows("alice", "SELECT DISTINCT query_id FROM memory.default.all_tasks")).contains(List.of(alices)).doesNotContain(List.of(bobs));
        assertThatThrownBy(() -> trino.query("alice", "SELECT * FROM memory.default.all_transactions"))
                .hasMessageContaining("Cannot select from table system.runtime.transactions: it lists every user's open transactions");
    }

    @Test
    void systemTablesAndInformationSchemaAreShortCircuited()
    {
        SystemSecurityContext bob = context("bob");
        List<ColumnSchema> columns = List.of(ColumnSchema.builder().setName("table_name").setType(VarcharType.VARCHAR).build());
        assertThat(trino.accessControl().getColumnMasks(bob, new CatalogSchemaTableName("tpch", "information_schema", "columns"), columns)).isEmpty();
        assertThat(trino.accessControl().getRowFilters(bob, new CatalogSchemaTableName("system", "runtime", "queries"))).isEmpty();
        assertThatThrownBy(() -> trino.accessControl().getRowFilters(bob, new CatalogSchemaTableName("tpch", "tiny", "customer"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> trino.accessControl().getColumnMasks(bob, new CatalogSchemaTableName("tpch", "tiny", "customer"), columns)).isInstanceOf(AccessDeniedException.class);
    }

    // ---- audit, propagation and speed ----

    @Test
    void theLedgerRecordsAppliedPoliciesPerDataSourceAndEveryDenial()
    {
        QueryRunner runner = trino.runner();
        QueryId queryId = runner.executeWithPlan(session("alice", Map.of()), "SELECT c.name, n.name FROM customer c JOIN nation n ON c.nationkey = n.nationkey").queryId();
        QueryLedger.Entry entry = trino.ledger().take(queryId.getId()).orElseThrow();
        assertThat(entry.wardenUser()).contains("alice");
        assertThat(entry.project()).isEmpty();
        assertThat(entry.policiesByDataSource()).containsOnlyKeys("tpch.customer", "tpch.nation");
        assertThat(entry.policiesByDataSource().get("tpch.customer")).contains("read-sales", "hash-names", "customer-segments").doesNotContain("urgent-prices");
        assertThat(entry.policiesByDataSource().get("tpch.nation")).containsExactlyInAnyOrder("read-sales", "nations-by-group");
        assertThat(entry.denials()).isEmpty();

        QueryFailedException denied = catchThrowableOfType(QueryFailedException.class, () -> trino.query("bob", "SELECT count(*) FROM region"));
        String deniedId = denied.getQueryId().getId();
        assertThat(trino.ledger().take(deniedId).orElseThrow().denials())
                .containsExactly("Access Denied: Cannot select from table tpch.tiny.region: it is Warden data source 'tpch.region', to which Warden user 'bob' has no access. "
                        + "To ask for it: POST /api/v1/access-requests {\"dataSource\": \"tpch.region\", \"access\": \"READ\"}");
    }

    @Test
    void theLedgerRecordsTheWardenUserAndTheProjectAQueryActsUnder()
    {
        QueryRunner runner = trino.runner();
        QueryId underCredential = runner.executeWithPlan(session("alice", Map.of("warden.project", " fraud ")), "SELECT count(*) FROM nation").queryId();
        assertThat(trino.ledger().take(underCredential.getId()).orElseThrow())
                .extracting(QueryLedger.Entry::wardenUser, QueryLedger.Entry::project)
                .containsExactly(Optional.of("alice"), Optional.of("fraud"));

        QueryId underCurrentProject = runner.executeWithPlan(session("carol", Map.of()), "SELECT count(*) FROM nation").queryId();
        assertThat(trino.ledger().take(underCurrentProject.getId()).orElseThrow())
                .extracting(QueryLedger.Entry::wardenUser, QueryLedger.Entry::project)
                .containsExactly(Optional.of("carol"), Optional.of("audit"));

        // svc-1 does not match warden.user-mapping: its denial is recorded without a Warden user.
        QueryFailedException unmapped = catchThrowableOfType(QueryFailedException.class, () -> trino.query("svc-1", "SELECT count(*) FROM customer"));
        QueryLedger.Entry entry = trino.ledger().take(unmapped.getQueryId().getId()).orElseThrow();
        assertThat(entry.denials()).singleElement().asString().contains("has no Warden user");
        assertThat(entry.wardenUser()).isEmpty();
        assertThat(entry.project()).isEmpty();
    }

    /** Operators see over JMX which revision Trino decides on, whether the replica hears from its server, and refusals. */
    @Test
    void theReplicasHealthAndTheRefusalsAreShownOverJmx()
            throws Exception
    {
        ObjectName name = trino.accessControl().mbeanName().orElseThrow();
        assertThat(name.getDomain()).isEqualTo("dev.warden.trino");
        assertThat(name.getKeyProperty("type")).isEqualTo("AccessControl");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        assertThat(jmx.getAttribute(name, "PolicyRevision")).isEqualTo(trino.accessControl().policyRevision());
        assertThat(jmx.getAttribute(name, "Stale")).isEqualTo(0);
        assertThat(jmx.getAttribute(name, "StalenessBoundMillis")).isEqualTo(60_000L);
        // A quiet server answers the replica's long poll at least once per poll wait.
        assertThat((Long) jmx.getAttribute(name, "MillisSinceServerContact")).isBetween(0L, 60_000L);
        assertThat(jmx.getAttribute(name, "LastError")).isEqualTo("");
        assertThat((Long) jmx.getAttribute(name, "SnapshotsTaken")).isPositive();

        long denials = (Long) jmx.getAttribute(name, "Denials");
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM customer")).hasMessageStartingWith("Access Denied");
        assertThatThrownBy(() -> trino.query("alice", "SELECT * FROM system.runtime.transactions")).hasMessageStartingWith("Access Denied");
        assertThat((Long) jmx.getAttribute(name, "Denials")).isGreaterThanOrEqualTo(denials + 2);
        assertThat(jmx.getAttribute(name, "UndecidedChecks")).isEqualTo(0L);
    }

    @Test
    void aChangeMadeThroughTheApiIsEnforcedByTheNextQueryWithinASecond()
            throws Exception
    {
        String policy = "/api/v1/policies/bob-reads-region";
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM region")).hasMessageContaining("Access Denied");
        HttpResponse<String> created = trino.server().send("PUT", policy,
                "{\"id\": \"bob-reads-region\", \"type\": \"subscription\", \"access\": \"READ\", \"on\": {\"dataSources\": [\"tpch.region\"]}, \"who\": {\"user\": \"bob\"}}",
                trino.server().adminKey());
        long committed = System.nanoTime();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        try {
            long enforcedMillis = millisUntilQuerySucceeds("bob", "SELECT count(*) FROM region", committed);
            assertThat(enforcedMillis).isLessThan(1_000);
        }
        finally {
            HttpResponse<String> deleted = trino.server().send("DELETE", policy, null, trino.server().adminKey());
            trino.awaitRevision(JSON.readTree(deleted.body()).get("revision").asLong());
        }
        assertThatThrownBy(() -> trino.query("bob", "SELECT count(*) FROM region")).hasMessageContaining("Access Denied");
    }

    private static long millisUntilQuerySucceeds(String user, String sql, long since)
    {
        while (true) {
            try {
                trino.query(user, sql);
                return (System.nanoTime() - since) / 1_000_000;
            }
            catch (RuntimeException e) {
                assertThat(e).hasMessageContaining("Access Denied");
                assertThat((System.nanoTime() - since) / 1_000_000).as("the change is still not enforced").isLessThan(10_000);
            }
        }
    }

    @Test
    void warmDecisionsComeFromTheCache()
    {
        WardenAccessControl accessControl = trino.accessControl();
        SystemSecurityContext alice = new SystemSecurityContext(Identity.ofUser("alice"), QueryId.valueOf("warm_1"), Instant.now());
        CatalogSchemaTableName customer = new CatalogSchemaTableName("tpch", "tiny", "customer");
        // (A mask that hashes with a masking salt is sealed anew in each answer: address's is not.)
        List<ColumnSchema> columns = List.of(ColumnSchema.builder().setName("address").setType(VarcharType.createVarcharType(40)).build());
        Map<ColumnSchema, ?> first = accessControl.getColumnMasks(alice, customer, columns);
        assertThat(first).hasSize(1);
        int calls = 20_000;
        int same = 0;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            accessControl.checkCanSelectFromColumns(alice, customer, Set.of("name"));
            same += accessControl.getColumnMasks(alice, customer, columns).equals(first) ? 1 : 0;
        }
        long averageNanos = (System.nanoTime() - start) / calls / 2;
        assertThat(same).isEqualTo(calls);
        // A loose bound on a shared machine; the benchmark measures the real figure.
        assertThat(averageNanos).isLessThan(50_000);
    }

    @Test
    void decisionsThatRenderEqualMasksShareThem()
    {
        WardenAccessControl accessControl = trino.accessControl();
        CatalogSchemaTableName orders = new CatalogSchemaTableName("tpch", "tiny", "orders");
        List<ColumnSchema> columns = List.of(
                ColumnSchema.builder().setName("totalprice").setType(DoubleType.DOUBLE).build(),
                ColumnSchema.builder().setName("clerk").setType(VarcharType.createVarcharType(15)).build());
        SystemSecurityContext aliceForFraud = new SystemSecurityContext(
                Identity.forUser("alice").withExtraCredentials(Map.of("warden.project", "fraud")).build(), QueryId.valueOf("shared_1"), Instant.now());
        SystemSecurityContext alice = new SystemSecurityContext(Identity.ofUser("alice"), QueryId.valueOf("shared_2"), Instant.now());

        // Two decisions: alice under the fraud project has a purpose the other lacks, so their row filters differ...
        assertThat(accessControl.getRowFilters(aliceForFraud, orders)).isNotEqualTo(accessControl.getRowFilters(alice, orders));
        // ...while their masks are the same SQL, kept once: even the answer to Trino's question is the same object.
        Map<ColumnSchema, ViewExpression> underProject = accessControl.getColumnMasks(aliceForFraud, orders, columns);
        assertThat(underProject).hasSize(2);
        assertThat(accessControl.getColumnMasks(alice, orders, columns)).isSameAs(underProject);
        // Finance is exempt from these masks: a decision with other masks has its own.
        assertThat(accessControl.getColumnMasks(context("carol"), orders, columns)).isEmpty();
    }

    @Test
    void changesThatLeaveEveryPlanGiveTheBackgroundPlannerNoWalk()
            throws Exception
    {
        WardenAccessControl accessControl = trino.accessControl();
        String group = "/api/v1/groups/planner-probe";
        String policy = "/api/v1/policies/planner-probe";
        String dataSource = "/api/v1/dataSources/planner-probe";
        // Until a walk has planned every table there is something to plan; a change of people gives the planner a
        // walk until then, and none after.
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            long walks;
            do {
                assertThat(System.nanoTime()).as("a change of people still gives the planner a walk after 10 s").isLessThan(deadline);
                walks = accessControl.plannerWalks();
                changeThroughTheApi("PUT", group, "{\"name\": \"planner-probe\", \"attributes\": {\"round\": [\"" + System.nanoTime() + "\"]}}");
            }
            while (accessControl.plannerWalks() != walks);
            // A local policy: the engine makes the one plan it touches again before the swap.
            changeThroughTheApi("PUT", policy, "{\"id\": \"planner-probe\", \"type\": \"subscription\", \"access\": \"READ\", "
                    + "\"on\": {\"dataSources\": [\"tpch.region\"]}, \"who\": {\"user\": \"bob\"}}");
            assertThat(accessControl.plannerWalks()).as("walks after a local policy change").isEqualTo(walks);
            // A new data source has no plan: it gets a walk.
            changeThroughTheApi("PUT", dataSource, """
                    {"id": "planner-probe", "location": {"technology": "trino", "catalog": "tpch", "schema": "sf1", "table": "region"},
                     "maskingSalt": "planner-probe-salt-0123456", "columns": [{"name": "regionkey", "type": "bigint"}]}""");
            assertThat(accessControl.plannerWalks()).as("walks after a new data source").isEqualTo(walks + 1);
        }
        finally {
            for (String path : List.of(dataSource, policy, group)) {
                HttpResponse<String> deleted = trino.server().send("DELETE", path, null, trino.server().adminKey());
                if (deleted.statusCode() == 200) {
                    trino.awaitRevision(JSON.readTree(deleted.body()).get("revision").asLong());
                }
            }
        }
    }

    // ---- helpers ----

    /** Makes a change through the server's API and waits until the access control decides with it. */
    private static void changeThroughTheApi(String method, String path, String body)
            throws Exception
    {
        HttpResponse<String> response = trino.server().send(method, path, body, trino.server().adminKey());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isIn(200, 201);
        trino.awaitRevision(JSON.readTree(response.body()).get("revision").asLong());
    }

    static SystemSecurityContext context(String user)
    {
        return new SystemSecurityContext(Identity.ofUser(user), QueryId.valueOf("direct_" + user), Instant.now());
    }

    private static List<List<Object>> rows(io.trino.testing.MaterializedResult result)
    {
        return result.getMaterializedRows().stream().map(io.trino.testing.MaterializedRow::getFields).toList();
    }

    static String sha256Hex(String text)
    {
        return HexFormat.of().formatHex(sha256(text));
    }

    private static long hashBucket(String text)
    {
        byte[] hash = sha256(text);
        long firstFourBytes = ((hash[0] & 0xffL) << 24) | ((hash[1] & 0xffL) << 16) | ((hash[2] & 0xffL) << 8) | (hash[3] & 0xffL);
        return firstFourBytes % 100;
    }

    private static byte[] sha256(String text)
    {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String revealFirst(String value, int count)
    {
        return value.length() > count ? value.substring(0, count) + "*".repeat(value.length() - count) : "*".repeat(value.length());
    }

    private static String revealLast(String value, int count)
    {
        return value.length() > count ? "*".repeat(value.length() - count) + value.substring(value.length() - count) : "*".repeat(value.length());
    }

    static String resource(String name)
    {
        try (InputStream in = WardenAccessControlTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
