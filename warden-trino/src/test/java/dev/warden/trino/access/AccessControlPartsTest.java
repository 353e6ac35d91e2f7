package dev.warden.trino.access;

import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.state.PolicyState;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.security.Identity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The small parts of the access control that need no Trino: the table index, the query-person tracker and the decision cache. */
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

    private static DataSource dataSource(String id, RemoteLocation location)
    {
        return new DataSource(id, id, location, ObjectType.TABLE, List.of(Column.of("id", "bigint")), new TreeSet<>(), new TreeSet<>(), Optional.empty(), "0123456789abcdef-salt");
    }
}
