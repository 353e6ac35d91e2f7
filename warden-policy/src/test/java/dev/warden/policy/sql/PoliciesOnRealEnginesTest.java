package dev.warden.policy.sql;

import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.state.InvalidStateException;
import dev.warden.policy.state.PolicyState;
import dev.warden.policy.testing.TestPostgres;
import dev.warden.policy.testing.TestTrino;
import io.trino.testing.MaterializedRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.DayOfWeek;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static dev.warden.policy.testing.TestPolicies.anyone;
import static dev.warden.policy.testing.TestPolicies.everyone;
import static dev.warden.policy.testing.TestPolicies.everywhere;
import static dev.warden.policy.testing.TestPolicies.exceptGroup;
import static dev.warden.policy.testing.TestPolicies.grant;
import static dev.warden.policy.testing.TestPolicies.mask;
import static dev.warden.policy.testing.TestPolicies.named;
import static dev.warden.policy.testing.TestPolicies.on;
import static dev.warden.policy.testing.TestPolicies.rows;
import static dev.warden.policy.testing.TestPolicies.taggedColumns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decisions rendered in both dialects and executed: the Trino dialect in an in-process Trino 476 over
 * {@code tpch.tiny}, the PostgreSQL dialect on the PostgreSQL server, over a copy of the same tables. Every test
 * asserts the exact rows and values a user gets back, computed independently in Java from the unmasked rows,
 * and that both engines return exactly the same.
 */
class PoliciesOnRealEnginesTest
{
    private static final String SALT = "real-engine-salt-0123456789";
    private static final String PG_SCHEMA = "warden_policy_test";

    private static final DataSource CUSTOMER = new DataSource("tpch.customer", "Customers",
            new RemoteLocation("trino", "tpch", "tiny", "customer"), ObjectType.TABLE, List.of(
            Column.of("custkey", "bigint"),
            Column.of("name", "varchar(25)", "PII.Name"),
            Column.of("address", "varchar(40)", "PII.Address"),
            Column.of("nationkey", "bigint"),
            Column.of("phone", "varchar(15)", "PII.Phone"),
            Column.of("acctbal", "double", "Finance"),
            Column.of("mktsegment", "varchar(10)"),
            Column.of("comment", "varchar(117)")),
            new TreeSet<>(), new TreeSet<>(), Optional.empty(), SALT);

    private static final DataSource ORDERS = new DataSource("tpch.orders", "Orders",
            new RemoteLocation("trino", "tpch", "tiny", "orders"), ObjectType.TABLE, List.of(
            Column.of("orderkey", "bigint"),
            Column.of("custkey", "bigint"),
            Column.of("orderstatus", "varchar(1)"),
            Column.of("totalprice", "double", "Finance"),
            Column.of("orderdate", "date"),
            Column.of("orderpriority", "varchar(15)"),
            Column.of("clerk", "varchar(15)", "PII.Internal"),
            Column.of("shippriority", "integer"),
            Column.of("comment", "varchar(79)")),
            new TreeSet<>(), new TreeSet<>(), Optional.of("orderdate"), SALT);

    private static final String POSTGRES_TABLES = """
            DROP SCHEMA IF EXISTS warden_policy_test CASCADE;
            CREATE SCHEMA warden_policy_test;
            CREATE TABLE warden_policy_test.customer (custkey bigint, name varchar(25), address varchar(40), nationkey bigint,
                phone varchar(15), acctbal double precision, mktsegment varchar(10), comment varchar(117));
            CREATE TABLE warden_policy_test.orders (orderkey bigint, custkey bigint, orderstatus varchar(1), totalprice double precision,
                orderdate date, orderpriority varchar(15), clerk varchar(15), shippriority integer, comment varchar(79));
            """;

    private static Connection postgres;

    @BeforeAll
    static void copyTpchIntoPostgres()
            throws SQLException
    {
        postgres = TestPostgres.connect();
        try (Statement statement = postgres.createStatement()) {
            statement.execute(POSTGRES_TABLES);
        }
        copy(CUSTOMER);
        copy(ORDERS);
    }

    @AfterAll
    static void closePostgres()
            throws SQLException
    {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static void copy(DataSource dataSource)
            throws SQLException
    {
        List<String> columns = columnNames(dataSource);
        List<MaterializedRow> rows = TestTrino.execute("SELECT " + String.join(", ", columns) + " FROM " + dataSource.location().table()).getMaterializedRows();
        String insert = "INSERT INTO %s.%s VALUES (%s)".formatted(PG_SCHEMA, dataSource.location().table(),
                columns.stream().map(_ -> "?").collect(Collectors.joining(", ")));
        postgres.setAutoCommit(false);
        try (PreparedStatement statement = postgres.prepareStatement(insert)) {
            for (MaterializedRow row : rows) {
                for (int i = 0; i < columns.size(); i++) {
                    statement.setObject(i + 1, normalize(row.getField(i)));
                }
                statement.addBatch();
            }
            statement.executeBatch();
            postgres.commit();
        }
        finally {
            postgres.setAutoCommit(true);
        }
    }

    // ---- masks ----

    @Test
    void everyMaskMethodGivesTheSameValuesOnBothEngines()
    {
        PolicyState state = state(CUSTOMER,
                mask("hash-name", on(CUSTOMER.id()), named("name"), new MaskMethod.KeyedHash(), everyone()),
                mask("phone-last-4", on(CUSTOMER.id()), named("phone"), new MaskMethod.RevealLast(4), exceptGroup("support")),
                mask("address-first-3", on(CUSTOMER.id()), named("address"), new MaskMethod.RevealFirst(3), everyone()),
                mask("comment-words", on(CUSTOMER.id()), named("comment"), new MaskMethod.RegexReplace("([a-z]+)y\\b", "<$1>"), everyone()),
                mask("segment-constant", on(CUSTOMER.id()), named("mktsegment"), new MaskMethod.Constant("HIDDEN"), everyone()),
                mask("balance-bucket", on(CUSTOMER.id()), named("acctbal"), new MaskMethod.RoundToBucket(new BigDecimal("1000")), everyone()),
                mask("nation-null", on(CUSTOMER.id()), named("nationkey"), new MaskMethod.Nullify(), everyone()));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        List<Map<String, Object>> alice = query(state, user("alice"), CUSTOMER, "custkey");
        assertThat(alice).hasSize(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Map<String, Object> original = raw.get(i);
            Map<String, Object> masked = alice.get(i);
            assertThat(masked.get("custkey")).isEqualTo(original.get("custkey"));
            assertThat(masked.get("name")).isEqualTo(sha256Hex(SALT + original.get("name")).substring(0, 25));
            assertThat(masked.get("phone")).isEqualTo(revealLast((String) original.get("phone"), 4));
            assertThat(masked.get("address")).isEqualTo(revealFirst((String) original.get("address"), 3));
            assertThat(masked.get("comment")).isEqualTo(truncate(((String) original.get("comment")).replaceAll("([a-z]+)y\\b", "<$1>"), 117));
            assertThat(masked.get("mktsegment")).isEqualTo("HIDDEN");
            assertThat(masked.get("acctbal")).isEqualTo(Math.floor((Double) original.get("acctbal") / 1000) * 1000);
            assertThat(masked.get("nationkey")).isNull();
        }
        // The regex replacement really changed something, with its group reference.
        assertThat(alice).anySatisfy(row -> assertThat((String) row.get("comment")).contains("<"));

        List<Map<String, Object>> supportAgent = query(state, user("sam", Set.of("support"), Map.of()), CUSTOMER, "custkey");
        assertThat(column(supportAgent, "phone")).isEqualTo(column(raw, "phone"));
        assertThat(column(supportAgent, "address")).isEqualTo(column(alice, "address"));
    }

    @Test
    void datesTruncateConditionalMasksApplyPerRowAndConflictsResolveByTagDepthThenAge()
    {
        PolicyState state = state(ORDERS,
                mask("date-month", on(ORDERS.id()), named("orderdate"), new MaskMethod.TruncateToUnit(TimeUnit.MONTH), everyone()),
                conditionalMask("price-when-finished", named("totalprice"), new MaskMethod.Constant("0"), "orderstatus = 'F'"),
                // Two masks on clerk: the one on the deeper tag wins whatever their order.
                mask("internal-last-3", on(ORDERS.id()), taggedColumns("PII.Internal"), new MaskMethod.RevealLast(3), everyone()),
                mask("pii-null", on(ORDERS.id()), taggedColumns("PII"), new MaskMethod.Nullify(), everyone()),
                // Two masks on orderpriority at equal depth: the earlier-created wins.
                mask("priority-constant", on(ORDERS.id()), named("orderpriority"), new MaskMethod.Constant("X"), everyone()),
                mask("priority-null", on(ORDERS.id()), named("orderpriority"), new MaskMethod.Nullify(), everyone()));
        List<Map<String, Object>> raw = rawRows(ORDERS, "orderkey");
        List<Map<String, Object>> masked = query(state, user("alice"), ORDERS, "orderkey");

        assertThat(masked).hasSize(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Map<String, Object> original = raw.get(i);
            Map<String, Object> row = masked.get(i);
            assertThat(row.get("orderdate")).isEqualTo(((LocalDate) original.get("orderdate")).withDayOfMonth(1));
            assertThat(row.get("totalprice")).isEqualTo("F".equals(original.get("orderstatus")) ? 0.0 : original.get("totalprice"));
            assertThat(row.get("clerk")).isEqualTo(revealLast((String) original.get("clerk"), 3));
            assertThat(row.get("orderpriority")).isEqualTo("X");
            assertThat(row.get("comment")).isEqualTo(original.get("comment"));
        }
        assertThat(raw).anySatisfy(row -> assertThat(row.get("orderstatus")).isEqualTo("F"));
        assertThat(raw).anySatisfy(row -> assertThat(row.get("orderstatus")).isNotEqualTo("F"));
    }

    @Test
    void datesTruncateToWeeksStartingOnMonday()
    {
        PolicyState state = state(ORDERS,
                mask("date-week", on(ORDERS.id()), named("orderdate"), new MaskMethod.TruncateToUnit(TimeUnit.WEEK), everyone()));
        List<Map<String, Object>> raw = rawRows(ORDERS, "orderkey");
        List<Map<String, Object>> masked = query(state, user("alice"), ORDERS, "orderkey");
        for (int i = 0; i < raw.size(); i++) {
            LocalDate original = (LocalDate) raw.get(i).get("orderdate");
            assertThat(masked.get(i).get("orderdate")).isEqualTo(original.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        }
    }

    // ---- row filters ----

    @Test
    void rowsMatchingAUsersAttributeValues()
    {
        PolicyState state = state(CUSTOMER,
                rows("by-nation", on(CUSTOMER.id()), new RowRule.MatchAttribute(ColumnChoice.named("nationkey"), "nation"), exceptGroup("admins")));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        assertThat(custkeys(query(state, user("alice", Set.of(), Map.of("nation", Set.of("1", "2"))), CUSTOMER, "custkey")))
                .isEqualTo(custkeys(filter(raw, row -> Set.of(1L, 2L).contains(row.get("nationkey")))))
                .isNotEmpty();
        assertThat(query(state, user("nobody"), CUSTOMER, "custkey")).isEmpty();
        assertThat(query(state, user("ada", Set.of("admins"), Map.of()), CUSTOMER, "custkey")).hasSize(raw.size());
    }

    @Test
    void rowsMatchingAUsersGroups()
    {
        PolicyState state = state(CUSTOMER,
                rows("by-segment", on(CUSTOMER.id()), new RowRule.MatchGroups(ColumnChoice.named("mktsegment")), everyone()));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        assertThat(custkeys(query(state, user("carol", Set.of("BUILDING", "MACHINERY"), Map.of()), CUSTOMER, "custkey")))
                .isEqualTo(custkeys(filter(raw, row -> Set.of("BUILDING", "MACHINERY").contains(row.get("mktsegment")))))
                .isNotEmpty();
    }

    @Test
    void customWhereSeesTheUsersNameGroupsAndAttributes()
    {
        PolicyState state = state(CUSTOMER,
                rows("custom", on(CUSTOMER.id()), new RowRule.Where(CustomSql.parse("""
                        CASE WHEN current_user = 'o''brien' THEN nationkey = 3 ELSE nationkey = 4 END
                        AND (user_attribute_contains('segment', mktsegment) OR user_in_group('all-segments'))
                        AND acctbal > 0""")), everyone()));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        UserContext obrien = user("o'brien", Set.of(), Map.of("segment", Set.of("BUILDING", "it's")));
        assertThat(custkeys(query(state, obrien, CUSTOMER, "custkey")))
                .isEqualTo(custkeys(filter(raw, row -> row.get("nationkey").equals(3L) && row.get("mktsegment").equals("BUILDING") && (Double) row.get("acctbal") > 0)))
                .isNotEmpty();
        UserContext other = user("zoe", Set.of("all-segments"), Map.of());
        assertThat(custkeys(query(state, other, CUSTOMER, "custkey")))
                .isEqualTo(custkeys(filter(raw, row -> row.get("nationkey").equals(4L) && (Double) row.get("acctbal") > 0)))
                .isNotEmpty();
    }

    @Test
    void severalRowPoliciesAllApply()
    {
        PolicyState state = state(CUSTOMER,
                rows("by-nation", on(CUSTOMER.id()), new RowRule.MatchAttribute(ColumnChoice.named("nationkey"), "nation"), everyone()),
                rows("rich", on(CUSTOMER.id()), new RowRule.Where(CustomSql.parse("acctbal >= 5000")), everyone()));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        assertThat(custkeys(query(state, user("alice", Set.of(), Map.of("nation", Set.of("7"))), CUSTOMER, "custkey")))
                .isEqualTo(custkeys(filter(raw, row -> row.get("nationkey").equals(7L) && (Double) row.get("acctbal") >= 5000)))
                .isNotEmpty();
    }

    @Test
    void minimisationKeepsTheSameStableShareOfRowsOnBothEngines()
    {
        PolicyState state = state(CUSTOMER,
                rows("quarter", on(CUSTOMER.id()), new RowRule.Minimize(25, List.of("custkey")), everyone()));
        List<Map<String, Object>> raw = rawRows(CUSTOMER, "custkey");

        List<Long> kept = custkeys(query(state, user("alice"), CUSTOMER, "custkey"));
        assertThat(kept).isEqualTo(custkeys(filter(raw, row -> hashBucket(SALT + row.get("custkey")) < 25)));
        assertThat(kept.size()).isBetween(raw.size() * 20 / 100, raw.size() * 30 / 100);
        assertThat(custkeys(query(state, user("bob"), CUSTOMER, "custkey"))).isEqualTo(kept);
    }

    @Test
    void recentEventsKeepOnlyRowsWithinTheWindow()
    {
        int years = 30;
        PolicyState state = state(ORDERS, rows("recent", on(ORDERS.id()), new RowRule.RecentEvents(years, TimeUnit.YEAR), everyone()));
        List<Map<String, Object>> raw = rawRows(ORDERS, "orderkey");
        // Rows on the day the window starts depend on the time of day and the session's time zone; leave them out.
        LocalDate windowStart = LocalDate.now().minusYears(years);
        Predicate<Map<String, Object>> clearOfTheEdge = row -> Math.abs(((LocalDate) row.get("orderdate")).toEpochDay() - windowStart.toEpochDay()) > 1;

        List<Long> visible = orderkeys(filter(query(state, user("alice"), ORDERS, "orderkey"), clearOfTheEdge));
        assertThat(visible)
                .isEqualTo(orderkeys(filter(raw, row -> clearOfTheEdge.test(row) && ((LocalDate) row.get("orderdate")).isAfter(windowStart))))
                .isNotEmpty()
                .hasSizeLessThan(raw.size() / 2);
    }

    @Test
    void purposeLimitedRowsAreAllOrNothing()
    {
        PolicyState state = state(ORDERS, rows("fraud-only", on(ORDERS.id()), new RowRule.OnlyForPurposes(new TreeSet<>(Set.of("Fraud"))), everyone()));
        UserContext investigating = new UserContext("ivy", new TreeSet<>(), Map.of(), Optional.of("fraud-2026"), new TreeSet<>(Set.of("Fraud")));
        UserContext browsing = new UserContext("ivy", new TreeSet<>(), Map.of(), Optional.of("marketing"), new TreeSet<>(Set.of("Marketing")));

        assertThat(query(state, investigating, ORDERS, "orderkey")).hasSize(rawRows(ORDERS, "orderkey").size());
        assertThat(query(state, browsing, ORDERS, "orderkey")).isEmpty();
    }

    @Test
    void aGlobalRuleADataSourceCannotSatisfyShowsNoRowsAndALocalOneIsRefused()
    {
        PolicyState state = state(CUSTOMER,
                rows("by-region", everywhere(), new RowRule.MatchAttribute(ColumnChoice.named("region"), "region"), everyone()));
        assertThat(query(state, user("alice", Set.of(), Map.of("region", Set.of("EU"))), CUSTOMER, "custkey")).isEmpty();

        assertThatThrownBy(() -> state(CUSTOMER,
                rows("local-by-region", on(CUSTOMER.id()), new RowRule.MatchAttribute(ColumnChoice.named("region"), "region"), everyone())))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("policies[local-by-region].rule.column: data source 'tpch.customer' has no column 'region'");
    }

    @Test
    void anEntitlementsTableLookupSelectsTheSameRowsAsTheUsersLiteralValues()
            throws SQLException
    {
        // The database user this test connects as plays the Warden user; the query engine will do the same per login.
        String databaseUser;
        try (Statement statement = postgres.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_user")) {
            result.next();
            databaseUser = result.getString(1);
        }
        UserContext person = new UserContext(databaseUser, new TreeSet<>(Set.of("BUILDING", "it's")), Map.of("nation", new TreeSet<>(Set.of("3", "7"))),
                Optional.of("fraud-2026"), new TreeSet<>(Set.of("Fraud")));
        try (Statement statement = postgres.createStatement()) {
            statement.execute("""
                    CREATE TABLE warden_policy_test.entitlements (user_name text, kind text, key text, value text);
                    INSERT INTO warden_policy_test.entitlements VALUES
                        (current_user, 'group', NULL, 'BUILDING'), (current_user, 'group', NULL, 'it''s'),
                        (current_user, 'attribute', 'nation', '3'), (current_user, 'attribute', 'nation', '7'),
                        (current_user, 'purpose', NULL, 'Fraud'), (current_user, 'project', NULL, 'fraud-2026'),
                        ('someone else', 'group', NULL, 'MACHINERY'), ('someone else', 'attribute', 'nation', '1');
                    """);
        }
        try {
            Expression filter = CustomSql.parse("""
                    user_attribute_contains('nation', nationkey)
                    AND (user_in_group(mktsegment) OR user_in_group('MACHINERY'))
                    AND user_has_purpose('Fraud') AND current_project() = 'fraud-2026' AND current_user = current_user""").condition();
            SqlRenderer literals = SqlRenderer.forUser(SqlDialect.POSTGRES, person);
            SqlRenderer lookups = SqlRenderer.of(SqlDialect.POSTGRES, new PersonBinding.EntitlementsTable(PG_SCHEMA, "entitlements"));
            String query = "SELECT custkey FROM warden_policy_test.customer WHERE %s ORDER BY custkey";

            List<List<Object>> byLiterals = postgresRows(query.formatted(literals.render(filter)));
            List<List<Object>> byLookups = postgresRows(query.formatted(lookups.render(filter)));
            assertThat(byLookups).isEqualTo(byLiterals).isNotEmpty();
            List<Long> expected = custkeys(filter(rawRows(CUSTOMER, "custkey"),
                    row -> Set.of(3L, 7L).contains(row.get("nationkey")) && row.get("mktsegment").equals("BUILDING")));
            assertThat(byLookups.stream().map(row -> (Long) row.getFirst()).toList()).isEqualTo(expected);
        }
        finally {
            try (Statement statement = postgres.createStatement()) {
                statement.execute("DROP TABLE warden_policy_test.entitlements");
            }
        }
    }

    @Test
    void anEntitlementsTableIsForPostgresOnly()
    {
        assertThatThrownBy(() -> SqlRenderer.of(SqlDialect.TRINO, new PersonBinding.EntitlementsTable("s", "t")))
                .hasMessage("an entitlements table binding is available for PostgreSQL only, not TRINO");
    }

    // ---- helpers ----

    private static PolicyState state(DataSource dataSource, Policy... policies)
    {
        PolicyState.Builder builder = PolicyState.builder()
                .dataSource(dataSource)
                .group(Group.of("support"))
                .group(Group.of("admins"))
                .purpose(new Purpose("Fraud", "fraud detection"))
                .purpose(new Purpose("Marketing", "campaigns"))
                .policy(grant("read-all", everywhere(), AccessType.READ, anyone()));
        dataSource.columns().forEach(column -> column.tags().forEach(builder::tag));
        for (Policy policy : policies) {
            builder.policy(policy);
        }
        return builder.build();
    }

    private static MaskingPolicy conditionalMask(String id, dev.warden.policy.policies.ColumnSelector columns, MaskMethod method, String onlyWhere)
    {
        MaskingPolicy plain = mask(id, on(ORDERS.id()), columns, method, everyone());
        return new MaskingPolicy(plain.id(), plain.name(), plain.sequence(), plain.scope(), plain.columns(), plain.method(),
                Optional.of(CustomSql.parse(onlyWhere)), plain.applicability());
    }

    private static UserContext user(String name)
    {
        return user(name, Set.of(), Map.of());
    }

    private static UserContext user(String name, Set<String> groups, Map<String, Set<String>> attributes)
    {
        return new UserContext(name, new TreeSet<>(groups), attributes, Optional.empty(), new TreeSet<>());
    }

    /** Runs the user's view of the data source on both engines, checks they agree, and returns the rows by column name. */
    private static List<Map<String, Object>> query(PolicyState state, UserContext user, DataSource dataSource, String orderBy)
    {
        Decision decision = new PolicyEngine(state).decide(user, dataSource);
        assertThat(decision.hasAccess()).as("%s may read %s", user.name(), dataSource.id()).isTrue();
        String trinoSql = select(SqlRenderer.forUser(SqlDialect.TRINO, user), decision, dataSource, dataSource.location().table(), orderBy);
        String postgresSql = select(SqlRenderer.forUser(SqlDialect.POSTGRES, user), decision, dataSource, PG_SCHEMA + "." + dataSource.location().table(), orderBy);
        List<List<Object>> trino = trinoRows(trinoSql);
        List<List<Object>> postgres = postgresRows(postgresSql);
        for (int i = 0; i < Math.min(trino.size(), postgres.size()); i++) {
            assertThat(postgres.get(i)).as("row %d from PostgreSQL and Trino%n  %s%n  %s", i, postgresSql, trinoSql).isEqualTo(trino.get(i));
        }
        assertThat(postgres).as("rows from PostgreSQL and Trino%n  %s%n  %s", postgresSql, trinoSql).hasSameSizeAs(trino);
        return byName(dataSource, trino);
    }

    private static String select(SqlRenderer renderer, Decision decision, DataSource dataSource, String table, String orderBy)
    {
        String projection = dataSource.columns().stream()
                .map(column -> Optional.ofNullable(decision.masks().get(column.name()))
                        .map(mask -> renderer.render(mask) + " AS " + renderer.quoteIdentifier(column.name()))
                        .orElse(renderer.quoteIdentifier(column.name())))
                .collect(Collectors.joining(", "));
        String where = decision.rowFilter().map(filter -> " WHERE " + renderer.render(filter)).orElse("");
        return "SELECT " + projection + " FROM " + table + " src" + where + " ORDER BY src." + renderer.quoteIdentifier(orderBy);
    }

    private static List<Map<String, Object>> rawRows(DataSource dataSource, String orderBy)
    {
        String sql = "SELECT " + String.join(", ", columnNames(dataSource)) + " FROM " + dataSource.location().table() + " ORDER BY " + orderBy;
        return byName(dataSource, trinoRows(sql));
    }

    private static List<List<Object>> trinoRows(String sql)
    {
        return TestTrino.execute(sql).getMaterializedRows().stream()
                .map(row -> row.getFields().stream().map(PoliciesOnRealEnginesTest::normalize).toList())
                .toList();
    }

    private static List<List<Object>> postgresRows(String sql)
    {
        try (Statement statement = postgres.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(normalize(result.getObject(i)));
                }
                rows.add(row);
            }
            return rows;
        }
        catch (SQLException e) {
            throw new AssertionError("PostgreSQL refused: " + sql, e);
        }
    }

    /** Both drivers' values as Long, Double, String, LocalDate or null, so rows compare across engines. */
    private static Object normalize(Object value)
    {
        return switch (value) {
            case null -> null;
            case Integer integer -> integer.longValue();
            case java.sql.Date date -> date.toLocalDate();
            case io.trino.spi.type.SqlDate date -> LocalDate.ofEpochDay(date.getDays());
            case java.sql.Timestamp timestamp -> timestamp.toLocalDateTime();
            case LocalDate _, LocalDateTime _, Long _, Double _, String _, Boolean _ -> value;
            default -> throw new AssertionError("unexpected value type " + value.getClass().getName() + ": " + value);
        };
    }

    private static List<Map<String, Object>> byName(DataSource dataSource, List<List<Object>> rows)
    {
        List<String> names = columnNames(dataSource);
        return rows.stream().map(row -> {
            Map<String, Object> named = new java.util.LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                named.put(names.get(i), row.get(i));
            }
            return named;
        }).toList();
    }

    private static List<String> columnNames(DataSource dataSource)
    {
        return dataSource.columns().stream().map(Column::name).toList();
    }

    private static List<Map<String, Object>> filter(List<Map<String, Object>> rows, Predicate<Map<String, Object>> keep)
    {
        return rows.stream().filter(keep).toList();
    }

    private static List<Object> column(List<Map<String, Object>> rows, String name)
    {
        return rows.stream().map(row -> row.get(name)).toList();
    }

    private static List<Long> custkeys(List<Map<String, Object>> rows)
    {
        return rows.stream().map(row -> (Long) row.get("custkey")).toList();
    }

    private static List<Long> orderkeys(List<Map<String, Object>> rows)
    {
        return rows.stream().map(row -> (Long) row.get("orderkey")).toList();
    }

    // ---- Java oracles for what each method should produce ----

    private static String sha256Hex(String text)
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
        catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String revealLast(String value, int count)
    {
        return value.length() > count ? "*".repeat(value.length() - count) + value.substring(value.length() - count) : "*".repeat(value.length());
    }

    private static String revealFirst(String value, int count)
    {
        return value.length() > count ? value.substring(0, count) + "*".repeat(value.length() - count) : "*".repeat(value.length());
    }

    private static String truncate(String value, int length)
    {
        return value.length() > length ? value.substring(0, length) : value;
    }
}
