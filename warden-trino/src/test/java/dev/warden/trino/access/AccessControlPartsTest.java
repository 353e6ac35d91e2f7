package dev.warden.trino.access;

import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.state.PolicyState;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.resourcegroups.QueryType;
import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.ViewExpression;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.VarcharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The small parts of the access control that need no Trino: the table index, the query-person tracker, the decision
 * cache, a grant's masks, the masks and filters decisions share, a grant's refusals, and masking salts sealed per query.
 */
class AccessControlPartsTest
{
    @Test
    void tablesAreMatchedIgnoringCaseAndOnlyForTrinoLocations()
    {
        RegisteredTables tables = RegisteredTables.of(PolicyState.builder()
                .dataSource(dataSource("sales.orders", new RemoteLocation("Trino", "Hive", "Sales", "Orders")))
                .dataSource(dataSource("pg.orders", new RemoteLocation("postgres", "hive", "sales", "orders2")))
                .build());

        assertThat(tables.lookup(new CatalogSchemaTableName("hive", "sales", "orders")).map(registration -> registration.dataSource().id())).hasValue("sales.orders");
        assertThat(tables.lookup(new CatalogSchemaTableName("hive", "sales", "orders2"))).isEmpty();
        assertThat(tables.lookup(new CatalogSchemaTableName("hive", "other", "orders"))).isEmpty();
        assertThat(tables.hasRegisteredTables("HIVE", "sales")).isTrue();
        assertThat(tables.hasRegisteredTables("hive", "other")).isFalse();
        assertThat(tables.size()).isEqualTo(1);
    }

    @Test
    void aTableRegisteredTwiceIsAmbiguous()
    {
        RemoteLocation location = new RemoteLocation("trino", "hive", "sales", "orders");
        RegisteredTables tables = RegisteredTables.of(PolicyState.builder()
                .dataSource(dataSource("b.orders", location))
                .dataSource(dataSource("a.orders", location))
                .build());

        RegisteredTables.Registration registration = tables.lookup(new CatalogSchemaTableName("hive", "sales", "orders")).orElseThrow();
        assertThat(registration.dataSource().id()).isEqualTo("a.orders");
        assertThat(registration.alsoRegisteredAs()).containsExactly("b.orders");
        assertThat(registration.isAmbiguous()).isTrue();
    }

    @Test
    void thePeopleBehindQueriesAreForgottenWhenTheyCompleteAndBeyondCapacity()
    {
        QueryPeople people = new QueryPeople(2);
        people.started(QueryId.valueOf("q1"), Identity.ofUser("alice"));
        people.started(QueryId.valueOf("q2"), Identity.ofUser("bob"));
        assertThat(people.personOf(QueryId.valueOf("q1")).map(Identity::getUser)).hasValue("alice");

        people.started(QueryId.valueOf("q3"), Identity.ofUser("carol"));
        assertThat(people.personOf(QueryId.valueOf("q1"))).isEmpty();
        people.completed("q2");
        assertThat(people.personOf(QueryId.valueOf("q2"))).isEmpty();
        assertThat(people.personOf(QueryId.valueOf("q3")).map(Identity::getUser)).hasValue("carol");
        assertThat(people.personOf(null)).isEmpty();
        assertThat(people.size()).isEqualTo(1);
    }

    /** A person's queries, for the filter of system.runtime.tasks: running ones, and completed ones while Trino keeps their tasks. */
    @Test
    void aPersonsQueriesAreTheRunningOnesAndThoseEndedWhileTrinoKeepsTheirTasks()
    {
        Instant[] now = {Instant.parse("2026-12-07T12:00:00Z")};
        QueryPeople people = new QueryPeople(3, () -> now[0]);
        people.started(QueryId.valueOf("q1"), Identity.ofUser("alice"));
        people.started(QueryId.valueOf("q2"), Identity.ofUser("bob"));
        people.started(QueryId.valueOf("q3"), Identity.ofUser("alice"));
        assertThat(people.queriesOf("alice")).containsExactlyInAnyOrder("q1", "q3");
        assertThat(people.queriesOf("carol")).isEmpty();

        people.completed("q1");
        assertThat(people.personOf(QueryId.valueOf("q1"))).isEmpty();
        assertThat(people.queriesOf("alice")).containsExactlyInAnyOrder("q1", "q3");
        people.completed("never_started");
        assertThat(people.queriesOf("alice")).containsExactlyInAnyOrder("q1", "q3");

        now[0] = now[0].plus(QueryPeople.ENDED_QUERIES_KEPT);
        assertThat(people.queriesOf("alice")).as("ended exactly as long ago as Trino keeps tasks").containsExactlyInAnyOrder("q1", "q3");
        now[0] = now[0].plusSeconds(1);
        assertThat(people.queriesOf("alice")).containsExactly("q3");

        for (String id : List.of("q4", "q5", "q6", "q7")) {
            people.started(QueryId.valueOf(id), Identity.ofUser("bob"));
            people.completed(id);
        }
        people.completed("q2");
        assertThat(people.queriesOf("bob")).as("at most capacity ended queries, the earliest forgotten first").containsExactlyInAnyOrder("q6", "q7", "q2");
    }

    /** Statistics are shown by DESCRIBE statements (SHOW STATS) and by EXPLAIN; a query of unknown kind may show them. */
    @Test
    void onlyQueriesOfKindsThatMayShowStatisticsAreWalkedForIt()
    {
        QueryPeople people = new QueryPeople(4);
        Map<String, QueryType> kinds = Map.of("select", QueryType.SELECT, "insert", QueryType.INSERT, "describe", QueryType.DESCRIBE, "explain", QueryType.EXPLAIN);
        kinds.forEach((id, kind) -> {
            people.started(QueryId.valueOf(id), Identity.ofUser("alice"));
            people.created(id, kind);
        });
        assertThat(people.mayShowStatistics(QueryId.valueOf("select"))).isFalse();
        assertThat(people.mayShowStatistics(QueryId.valueOf("insert"))).isFalse();
        assertThat(people.mayShowStatistics(QueryId.valueOf("describe"))).isTrue();
        assertThat(people.mayShowStatistics(QueryId.valueOf("explain"))).isTrue();
        assertThat(people.mayShowStatistics(QueryId.valueOf("unreported"))).isTrue();
        people.created("never_started", QueryType.SELECT);
        assertThat(people.mayShowStatistics(QueryId.valueOf("never_started"))).as("a query not known to have started is not known at all").isTrue();
        assertThat(people.mayShowStatistics(null)).isTrue();
        people.completed("select");
        assertThat(people.mayShowStatistics(QueryId.valueOf("select"))).as("forgotten, so walked again").isTrue();
        // Outside Trino's SHOW STATS, the stack never holds its rewrite.
        assertThat(ShowStatistics.areBeingComputed()).isFalse();
    }

    @Test
    void queriesThatRefreshAMaterializedViewReadPastMasksOrOverwriteAreKnownUntilTheyCompleteAndOnlyWhileRunning()
    {
        CatalogSchemaTableName view = new CatalogSchemaTableName("iceberg", "marts", "customers_mv");
        QueryPeople people = new QueryPeople(2);
        people.started(QueryId.valueOf("q1"), Identity.ofUser("alice"));
        people.started(QueryId.valueOf("q2"), Identity.ofUser("bob"));
        people.refreshing(QueryId.valueOf("q1"), view);
        assertThat(people.refreshedBy(QueryId.valueOf("q1"))).hasValue(view);
        assertThat(people.refreshedBy(QueryId.valueOf("q2"))).isEmpty();
        assertThat(people.refreshedBy(null)).isEmpty();
        CatalogSchemaRoutineName changes = new CatalogSchemaRoutineName("iceberg", "system", "table_changes");
        people.runningUnmasked(QueryId.valueOf("q1"), changes);
        assertThat(people.unmaskedFunctionOf(QueryId.valueOf("q1"))).hasValue(changes);
        assertThat(people.unmaskedFunctionOf(QueryId.valueOf("q2"))).isEmpty();
        people.overwriting(QueryId.valueOf("q1"), "hive", "insert_existing_partitions_behavior");
        people.overwriting(QueryId.valueOf("q1"), "lake", "insert_existing_partitions_behavior");
        assertThat(people.overwritingPropertyIn(QueryId.valueOf("q1"), "hive")).hasValue("insert_existing_partitions_behavior");
        assertThat(people.overwritingPropertyIn(QueryId.valueOf("q1"), "lake")).hasValue("insert_existing_partitions_behavior");
        assertThat(people.overwritingPropertyIn(QueryId.valueOf("q1"), "iceberg")).isEmpty();
        assertThat(people.overwritingPropertyIn(QueryId.valueOf("q2"), "hive")).isEmpty();
        people.showingPropertiesOf(QueryId.valueOf("q1"), view);
        assertThat(people.propertiesShownOf(QueryId.valueOf("q1"))).hasValue(view);
        assertThat(people.propertiesShownOf(QueryId.valueOf("q2"))).isEmpty();
        people.completed("q1");
        assertThat(people.refreshedBy(QueryId.valueOf("q1"))).isEmpty();
        assertThat(people.unmaskedFunctionOf(QueryId.valueOf("q1"))).isEmpty();
        assertThat(people.overwritingPropertyIn(QueryId.valueOf("q1"), "hive")).isEmpty();
        assertThat(people.propertiesShownOf(QueryId.valueOf("q1"))).isEmpty();

        // Beyond capacity, the refreshes of queries no longer running (q2 is forgotten once q3 and q4 start) are dropped.
        people.refreshing(QueryId.valueOf("q2"), view);
        people.started(QueryId.valueOf("q3"), Identity.ofUser("carol"));
        people.started(QueryId.valueOf("q4"), Identity.ofUser("dora"));
        people.refreshing(QueryId.valueOf("q3"), view);
        people.refreshing(QueryId.valueOf("q4"), view);
        assertThat(people.refreshedBy(QueryId.valueOf("q2"))).isEmpty();
        assertThat(people.refreshedBy(QueryId.valueOf("q3"))).hasValue(view);
        assertThat(people.refreshedBy(QueryId.valueOf("q4"))).hasValue(view);
    }

    @Test
    void theDecisionCacheComputesOnceAndStartsOverAtCapacity()
    {
        RevisionCache<AccessDecider.DecisionKey, TableGrant> cache = new RevisionCache<>(2);
        int[] computed = {0};
        AccessDecider.DecisionKey alice = new AccessDecider.DecisionKey("alice", Optional.empty(), "ds");
        TableGrant grant = TableGrant.refused(Optional.of("ds"), "no");
        assertThat(cache.get(alice, () -> { computed[0]++; return grant; })).isSameAs(grant);
        assertThat(cache.get(alice, () -> { computed[0]++; return grant; })).isSameAs(grant);
        assertThat(computed[0]).isEqualTo(1);

        cache.get(new AccessDecider.DecisionKey("bob", Optional.empty(), "ds"), () -> grant);
        cache.get(new AccessDecider.DecisionKey("carol", Optional.of("p"), "ds"), () -> grant);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void masksAreFoundForTheColumnsTrinoListsInAnyOrderAndCase()
    {
        ViewExpression hashed = mask("hash(\"email\")");
        ViewExpression hidden = mask("NULL");
        GrantedMasks masks = new GrantedMasks(List.of("id", "email", "ssn", "region"),
                Map.of("email", new SealableExpression(hashed), "ssn", new SealableExpression(hidden)));
        ColumnSchema id = column("id");
        ColumnSchema email = column("email");
        ColumnSchema ssn = column("ssn");

        // In the registered order, as connectors nearly always list them.
        assertThat(masks.of(List.of(id, email, ssn, column("region")))).containsExactlyInAnyOrderEntriesOf(Map.of(email, hashed, ssn, hidden));
        // Reordered, in another case, with a column the data source does not know (NULL, as something is masked) and one it lacks.
        ColumnSchema upperSsn = column("SSN");
        ColumnSchema added = column("added");
        Map<ColumnSchema, ViewExpression> reordered = masks.of(List.of(upperSsn, added, email));
        assertThat(reordered).containsOnlyKeys(upperSsn, added, email).containsEntry(upperSsn, hidden).containsEntry(email, hashed);
        assertThat(reordered.get(added).getExpression()).isEqualTo("CAST(NULL AS varchar)");
        assertThat(masks.of(List.of(id))).isEmpty();
        assertThat(GrantedMasks.NONE.of(List.of(id, email))).isEmpty();
    }

    @Test
    void equalColumnsGetTheLastAnswerAgainAndOtherColumnsTheirOwn()
    {
        ViewExpression hashed = mask("hash(\"email\")");
        GrantedMasks masks = new GrantedMasks(List.of("id", "email"), Map.of("email", new SealableExpression(hashed)));
        Map<ColumnSchema, ViewExpression> first = masks.of(List.of(column("id"), column("email")));

        // Every query builds its own column list; an equal one is answered with the same map.
        assertThat(masks.of(List.of(column("id"), column("email")))).isSameAs(first);
        // Another type of the same column is another column: its answer is keyed by it.
        ColumnSchema emailAsBigint = ColumnSchema.builder().setName("email").setType(BigintType.BIGINT).build();
        assertThat(masks.of(List.of(column("id"), emailAsBigint))).containsExactly(Map.entry(emailAsBigint, hashed));
        ColumnSchema hiddenEmail = ColumnSchema.builder().setName("email").setType(VarcharType.VARCHAR).setHidden(true).build();
        assertThat(masks.of(List.of(hiddenEmail))).containsExactly(Map.entry(hiddenEmail, hashed));
        assertThat(masks.of(List.of(column("id")))).isEmpty();
        // A column the data source does not list (added, or renamed, since it was registered) is NULL where anything is masked.
        ColumnSchema phone = ColumnSchema.builder().setName("Phone").setType(VarcharType.createVarcharType(15)).build();
        assertThat(masks.of(List.of(column("id"), phone))).containsOnlyKeys(phone).extractingByKey(phone)
                .extracting(ViewExpression::getExpression).isEqualTo("CAST(NULL AS varchar(15))");
        assertThat(new GrantedMasks(List.of("id", "phone"), Map.of("email", new SealableExpression(hashed))).of(List.of(phone))).isEmpty();
        assertThat(masks.of(List.of(column("id"), column("email")))).isEqualTo(first);
    }

    @Test
    void decisionsOnARevisionShareEqualMasksAndRowFilters()
    {
        SharedRenderings renderings = new SharedRenderings(10);
        SharedRenderings.Location location = new SharedRenderings.Location("tpch", "tiny");
        DataSource customer = table("tpch.customer", "name", "phone");
        DataSource supplier = table("tpch.supplier", "name", "phone");
        Map<String, String> redacted = new HashMap<>(Map.of("name", "'***'", "phone", "NULL"));
        GrantedMasks first = renderings.masks(customer, location, redacted);

        assertThat(maskOf(first, "NAME")).map(ViewExpression::getExpression).hasValue("'***'");
        assertThat(maskOf(first, "phone")).map(ViewExpression::getCatalog).hasValue(Optional.of("tpch"));
        assertThat(maskOf(first, "phone")).map(ViewExpression::getSchema).hasValue(Optional.of("tiny"));
        // Another person's equal SQL on the same data source: the same masks, memo of Trino's last question included.
        assertThat(renderings.masks(customer, location, Map.of("phone", "NULL", "name", "'***'"))).isSameAs(first);
        // The key is a copy: changing the caller's map afterwards changes nothing that was shared.
        redacted.put("name", "NULL");
        assertThat(renderings.masks(customer, location, Map.of("phone", "NULL", "name", "'***'"))).isSameAs(first);
        // Other SQL, or the same SQL on another data source (other columns, another location), is not shared.
        GrantedMasks other = renderings.masks(customer, location, Map.of("name", "NULL", "phone", "NULL"));
        assertThat(other).isNotSameAs(first);
        assertThat(maskOf(other, "name")).map(ViewExpression::getExpression).hasValue("NULL");
        assertThat(renderings.masks(supplier, location, Map.of("name", "'***'", "phone", "NULL"))).isNotSameAs(first);
        assertThat(renderings.masks(customer, location, Map.of())).isSameAs(GrantedMasks.NONE);

        // Equal mask SQL on different data sources is one expression, resolved in the same catalog and schema.
        assertThat(maskOf(other, "phone").orElseThrow()).isSameAs(maskOf(first, "phone").orElseThrow());
        ViewExpression elsewhere = maskOf(renderings.masks(supplier, new SharedRenderings.Location("tpch", "sf1"), Map.of("phone", "NULL")), "phone").orElseThrow();
        assertThat(elsewhere).isNotSameAs(maskOf(first, "phone").orElseThrow());
        assertThat(elsewhere.getSchema()).hasValue("sf1");

        GrantedRowFilters settled = renderings.rowFilters(location, Optional.of("orderstatus = 'F'"));
        assertThat(settled.expressions()).singleElement().extracting(filter -> filter.rendered().getExpression()).isEqualTo("orderstatus = 'F'");
        assertThat(renderings.rowFilters(location, Optional.of("orderstatus = 'F'"))).isSameAs(settled);
        assertThat(renderings.rowFilters(location, Optional.of("orderstatus = 'O'")).expressions()).singleElement()
                .extracting(filter -> filter.rendered().getExpression()).isEqualTo("orderstatus = 'O'");
        assertThat(renderings.rowFilters(new SharedRenderings.Location("tpch", "sf1"), Optional.of("orderstatus = 'F'")).expressions()).singleElement()
                .extracting(filter -> filter.rendered().getSchema()).isEqualTo(Optional.of("sf1"));
        assertThat(renderings.rowFilters(location, Optional.empty())).isSameAs(GrantedRowFilters.NONE);
    }

    @Test
    void aRefusalIsWrittenOnceForEachOperation()
    {
        int[] written = {0};
        TableGrant.Refusal refusal = TableGrant.Refusal.remembering(wanted -> {
            written[0]++;
            return "no " + wanted;
        });
        assertThat(refusal.why(AccessValue.READ)).isEqualTo("no READ");
        assertThat(refusal.why(AccessValue.READ)).isEqualTo("no READ");
        assertThat(refusal.why(AccessValue.WRITE)).isEqualTo("no WRITE");
        assertThat(written[0]).isEqualTo(2);
    }

    /** The mask of one column, asked as Trino asks (by a list of columns). */
    private static Optional<ViewExpression> maskOf(GrantedMasks masks, String columnName)
    {
        ColumnSchema column = column(columnName);
        return Optional.ofNullable(masks.of(List.of(column)).get(column));
    }

    private static ViewExpression mask(String sql)
    {
        return ViewExpression.builder().catalog("hive").schema("sales").expression(sql).build();
    }

    private static ColumnSchema column(String name)
    {
        return ColumnSchema.builder().setName(name).setType(VarcharType.VARCHAR).build();
    }

    private static DataSource table(String id, String... columns)
    {
        return new DataSource(id, id, new RemoteLocation("trino", "tpch", "tiny", id.substring(id.indexOf('.') + 1)), ObjectType.TABLE,
                Arrays.stream(columns).map(name -> Column.of(name, "varchar")).toList(), new TreeSet<>(), new TreeSet<>(), Optional.empty(),
                "0123456789abcdef-salt");
    }

    private static DataSource dataSource(String id, RemoteLocation location)
    {
        return new DataSource(id, id, location, ObjectType.TABLE, List.of(Column.of("id", "bigint")), new TreeSet<>(), new TreeSet<>(), Optional.empty(), "0123456789abcdef-salt");
    }

    @Test
    void aSealedSaltOpensOnlyInItsQueryAndUnderItsKey()
    {
        byte[] salt = "customer-salt-0123456789".getBytes(StandardCharsets.UTF_8);
        SealedSalts salts = SealedSalts.register("wdn_first-key");
        String sealed = salts.seal(salt, "20261206_000000_00001_abcde");

        assertThat(sealed).doesNotContain("customer-salt");
        assertThat(SealedSalts.open(sealed, "20261206_000000_00001_abcde")).isEqualTo(salt);
        assertThat(salts.seal(salt, "20261206_000000_00001_abcde")).as("a fresh IV each time").isNotEqualTo(sealed);
        // The IV is the first 12 bytes: 16 base64 characters after "sealed:<key id>:". Never twice under one key, also
        // across two instances of it (two coordinators, or one restarted).
        SealedSalts restarted = SealedSalts.register("wdn_first-key");
        Set<String> ivs = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ivs.add(salts.seal(salt, "q").substring(24, 40));
            ivs.add(restarted.seal(salt, "q").substring(24, 40));
        }
        assertThat(ivs).hasSize(2_000);
        assertThatThrownBy(() -> SealedSalts.open(sealed, "20261206_000000_00002_abcde")).hasMessageContaining("sealed for another query");
        String tampered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BA" : "AA");
        assertThatThrownBy(() -> SealedSalts.open(tampered, "20261206_000000_00001_abcde")).isInstanceOf(IllegalArgumentException.class);

        // Another API key, another key: its id names it, and a sealed salt passed off under the other id does not open.
        String other = SealedSalts.register("wdn_second-key").seal(salt, "20261206_000000_00001_abcde");
        assertThat(SealedSalts.open(other, "20261206_000000_00001_abcde")).isEqualTo(salt);
        assertThat(other.substring(0, 24)).isNotEqualTo(sealed.substring(0, 24));
        String misnamed = sealed.substring(0, 24) + other.substring(24);
        assertThatThrownBy(() -> SealedSalts.open(misnamed, "20261206_000000_00001_abcde")).hasMessageContaining("sealed for another query");
        assertThatThrownBy(() -> SealedSalts.open("customer-salt-0123456789", "20261206_000000_00001_abcde")).hasMessageContaining("sealed for the query");
    }

    @Test
    void aQuerysMasksCarryItsSealedSalts()
    {
        SealedSalts salts = SealedSalts.register("wdn_masks-key");
        String customerSalt = SealedSalts.placeholder("customer-salt-0123456789");
        ViewExpression hash = ViewExpression.builder().catalog("tpch").schema("tiny")
                .expression("lower(to_hex(%s(CAST(\"name\" AS varchar), %s)))".formatted(SealedSalts.FUNCTION_NAME, customerSalt))
                .build();
        SealableExpression hashed = new SealableExpression(hash);
        SealableExpression constant = new SealableExpression(ViewExpression.builder().catalog("tpch").schema("tiny").expression("'***'").build());

        assertThat(hashed.holdsSalts()).isTrue();
        assertThat(hashed.rendered()).isSameAs(hash);
        ViewExpression first = hashed.sealedFor(salts.answerFor("q1"));
        assertThat(first.getExpression()).doesNotContain("warden-salt-").doesNotContain("637573746f6d6572").contains("'sealed:")
                .startsWith("lower(to_hex(%s(CAST(\"name\" AS varchar), 'sealed:".formatted(SealedSalts.FUNCTION_NAME)).endsWith("')))");
        assertThat(first.getCatalog()).hasValue("tpch");
        assertThat(first.getSchema()).hasValue("tiny");
        assertThat(SealedSalts.open(sealedSaltIn(first), "q1")).isEqualTo("customer-salt-0123456789".getBytes(StandardCharsets.UTF_8));
        assertThat(hashed.sealedFor(salts.answerFor("q2")).getExpression()).isNotEqualTo(first.getExpression());
        assertThat(constant.holdsSalts()).isFalse();
        assertThat(constant.sealedFor(salts.answerFor("q1"))).isSameAs(constant.rendered());
        // Filters without a salt are one list, the same for every query; a salted one is sealed for each query.
        GrantedRowFilters unsalted = new GrantedRowFilters(List.of(constant));
        assertThat(unsalted.of("q1", salts)).containsExactly(constant.rendered()).isSameAs(unsalted.of("q2", salts));
        assertThat(GrantedRowFilters.NONE.of("q1", salts)).isEmpty();
        GrantedRowFilters salted = new GrantedRowFilters(List.of(constant, hashed));
        assertThat(salted.of("q3", salts)).hasSize(2).first().isSameAs(constant.rendered());
        assertThat(salted.of("q3", salts).get(1))
                .satisfies(filter -> assertThat(SealedSalts.open(sealedSaltIn(filter), "q3")).isEqualTo("customer-salt-0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> SealedSalts.open(sealedSaltIn(salted.of("q5", salts).get(1)), "q3")).hasMessageContaining("sealed for another query");

        // One answer seals each salt once: a filter hashing two columns with one salt and another salt gets the same
        // sealed salt twice and the other one sealed on its own.
        String supplierSalt = SealedSalts.placeholder("supplier-salt-9876543210");
        SealableExpression twoSalts = new SealableExpression(ViewExpression.builder()
                .expression("f(a, %s) = f(b, %s) AND f(c, %s)".formatted(customerSalt, customerSalt, supplierSalt)).build());
        List<String> sealedInFilter = sealedSaltsIn(twoSalts.sealedFor(salts.answerFor("q4")));
        assertThat(sealedInFilter).hasSize(3);
        assertThat(sealedInFilter.get(0)).isEqualTo(sealedInFilter.get(1)).isNotEqualTo(sealedInFilter.get(2));
        assertThat(SealedSalts.open(sealedInFilter.get(2), "q4")).isEqualTo("supplier-salt-9876543210".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new SealableExpression(ViewExpression.builder().expression(customerSalt.substring(0, customerSalt.length() - 1)).build()))
                .hasMessageContaining("placeholder is not a quoted literal");
    }

    @Test
    void aGrantsMasksAreSealedForEachQueryAndTheOthersGivenAsTheyAre()
    {
        SealedSalts salts = SealedSalts.register("wdn_grant-key");
        ViewExpression hash = ViewExpression.builder()
                .expression("%s(\"email\", %s)".formatted(SealedSalts.FUNCTION_NAME, SealedSalts.placeholder("people-salt"))).build();
        ViewExpression hidden = mask("NULL");
        GrantedMasks masks = new GrantedMasks(List.of("id", "email", "ssn"), Map.of("email", new SealableExpression(hash), "ssn", new SealableExpression(hidden)));
        List<ColumnSchema> columns = List.of(column("id"), column("email"), column("ssn"));

        Map<ColumnSchema, ViewExpression> first = masks.of(columns, "q1", salts);
        Map<ColumnSchema, ViewExpression> second = masks.of(columns, "q2", salts);
        assertThat(first).containsOnlyKeys(column("email"), column("ssn"));
        assertThat(first.get(column("ssn"))).isSameAs(hidden);
        assertThat(SealedSalts.open(sealedSaltIn(first.get(column("email"))), "q1")).isEqualTo("people-salt".getBytes(StandardCharsets.UTF_8));
        assertThat(SealedSalts.open(sealedSaltIn(second.get(column("email"))), "q2")).isEqualTo("people-salt".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SealedSalts.open(sealedSaltIn(second.get(column("email"))), "q1")).hasMessageContaining("sealed for another query");
        ColumnSchema upperEmail = column("EMAIL");
        assertThat(SealedSalts.open(sealedSaltIn(masks.of(List.of(upperEmail, column("ssn")), "q3", salts).get(upperEmail)), "q3"))
                .isEqualTo("people-salt".getBytes(StandardCharsets.UTF_8));
        // As rendered, the salt is a placeholder no query opens.
        assertThat(masks.of(columns).get(column("email"))).isSameAs(hash);

        // Without salts, the same answer object for equal columns, as for masks that hold none.
        GrantedMasks unsalted = new GrantedMasks(List.of("id", "ssn"), Map.of("ssn", new SealableExpression(hidden)));
        assertThat(unsalted.of(List.of(column("id"), column("ssn")), "q1", salts)).isSameAs(unsalted.of(List.of(column("id"), column("ssn")), "q2", salts));
    }

    private static String sealedSaltIn(ViewExpression expression)
    {
        return sealedSaltsIn(expression).getFirst();
    }

    private static List<String> sealedSaltsIn(ViewExpression expression)
    {
        return Pattern.compile("'(sealed:[^']+)'").matcher(expression.getExpression()).results().map(match -> match.group(1)).toList();
    }

    @Test
    void aCoordinatorThatRunsExpressionsThatMayFailAheadOfRowFiltersDoesNotStart(@TempDir Path directory)
            throws Exception
    {
        Map<String, String> properties = Map.of(WardenTrinoConfig.SERVER_URI, "http://127.0.0.1:1", WardenTrinoConfig.API_KEY, "wdn_key");
        WardenAccessControlFactory factory = new WardenAccessControlFactory(new QueryLedger(10));
        TrinoServerConfig unsafe = TrinoServerConfig.read(Optional.of(Files.writeString(directory.resolve("unsafe.properties"),
                "coordinator=true\noptimizer.allow-unsafe-pushdown = TRUE\n")));
        assertThat(unsafe.allowsUnsafePushdown()).isTrue();
        assertThatThrownBy(() -> factory.create(properties, unsafe))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Warden access control: optimizer.allow-unsafe-pushdown=true in Trino's configuration (config.properties, or a -D in jvm.config) lets Trino run expressions that may "
                        + "fail ahead of row filters, so that a query's errors can show rows a filter hides; remove it");
        // Workers plan nothing.
        TrinoServerConfig unsafeWorker = TrinoServerConfig.read(Optional.of(Files.writeString(directory.resolve("worker.properties"),
                "coordinator=false\noptimizer.allow-unsafe-pushdown=true\n")));
        assertThat(factory.create(properties, unsafeWorker)).isInstanceOf(WorkerAccessControl.class);
        assertThat(TrinoServerConfig.read(Optional.empty()).allowsUnsafePushdown()).isFalse();
        // As in Trino, a system property (a -D in jvm.config) overrides the file.
        Properties systemProperties = new Properties();
        systemProperties.setProperty(TrinoServerConfig.UNSAFE_PUSHDOWN, "true");
        Path safe = Files.writeString(directory.resolve("safe.properties"), "coordinator=true\noptimizer.allow-unsafe-pushdown=false\n");
        assertThat(TrinoServerConfig.read(Optional.of(safe)).allowsUnsafePushdown()).isFalse();
        assertThat(TrinoServerConfig.read(Optional.of(safe), systemProperties).allowsUnsafePushdown()).isTrue();
        systemProperties.setProperty("coordinator", "false");
        assertThat(TrinoServerConfig.read(Optional.empty(), systemProperties).isWorker()).isTrue();
        // A file that is there but cannot be read stops start-up, naming it.
        assertThatThrownBy(() -> TrinoServerConfig.read(Optional.of(directory)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Warden access control: cannot read Trino's configuration " + directory);
    }

    @Test
    void aWorkerIsToldByTheConfigurationTrinosLauncherNames(@TempDir Path directory)
            throws Exception
    {
        Path worker = Files.writeString(directory.resolve("worker.properties"), "coordinator=false\nhttp-server.http.port=8081\n");
        Path coordinator = Files.writeString(directory.resolve("coordinator.properties"), "coordinator=true\n");
        assertThat(TrinoServerConfig.read(Optional.of(worker)).isWorker()).isTrue();
        assertThat(TrinoServerConfig.read(Optional.of(coordinator)).isWorker()).isFalse();
        assertThat(TrinoServerConfig.read(Optional.of(directory.resolve("missing.properties"))).isWorker()).isFalse();
        assertThat(TrinoServerConfig.read(Optional.empty()).isWorker()).isFalse();

        // A worker refuses every query check (Trino asks a worker none) and lets only admins at the node's information.
        WorkerAccessControl accessControl = new WorkerAccessControl(WardenTrinoConfig.parse(Map.of(
                WardenTrinoConfig.SERVER_URI, "http://127.0.0.1:1",
                WardenTrinoConfig.API_KEY, "wdn_worker-key",
                WardenTrinoConfig.ADMIN_USERS, "root")));
        SystemSecurityContext alice = new SystemSecurityContext(Identity.ofUser("alice"), QueryId.valueOf("q1"), Instant.now());
        assertThatThrownBy(() -> accessControl.checkCanSelectFromColumns(alice, new CatalogSchemaTableName("tpch", "tiny", "nation"), Set.of()))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> accessControl.checkCanReadSystemInformation(Identity.ofUser("alice"))).isInstanceOf(AccessDeniedException.class);
        accessControl.checkCanReadSystemInformation(Identity.ofUser("root"));
        // It holds the key: what a coordinator with the same API key seals opens here.
        String sealed = SealedSalts.register("wdn_worker-key").seal(new byte[] {1, 2, 3}, "q1");
        assertThat(SealedSalts.open(sealed, "q1")).containsExactly(1, 2, 3);
    }
}
