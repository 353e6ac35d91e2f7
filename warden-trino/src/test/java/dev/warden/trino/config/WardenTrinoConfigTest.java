package dev.warden.trino.config;

import dev.warden.policy.model.AccessValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WardenTrinoConfigTest
{
    private static final Map<String, String> REQUIRED = Map.of(
            "warden.server-uri", "http://127.0.0.1:8470",
            "warden.api-key", "wdn_service");

    @Test
    void defaultsFollowTheDocumentation()
    {
        WardenTrinoConfig config = WardenTrinoConfig.parse(REQUIRED);

        assertThat(config.registeredOperations()).containsExactlyInAnyOrder(AccessValue.READ, AccessValue.WRITE);
        assertThat(config.unregisteredOperations()).containsExactlyInAnyOrder(AccessValue.values());
        assertThat(config.blockedFunctions()).containsExactlyInAnyOrder("query", "raw_query");
        assertThat(config.unmaskedFunctions()).containsExactly("table_changes");
        assertThat(config.overwritingSessionProperties()).containsExactly("insert_existing_partitions_behavior");
        assertThat(config.adminOnlySessionProperties()).containsExactlyInAnyOrder("allow_unsafe_pushdown", "complex_expression_pushdown");
        assertThat(config.adminOnlyCatalogSessionProperties()).containsExactlyInAnyOrder("orc_use_column_names", "parquet_use_column_names", "complex_expression_pushdown");
        assertThat(config.externalLocationProperties()).containsExactlyInAnyOrder("external_location", "partition_projection_location_template", "extra_properties");
        assertThat(config.externalFileProcedures()).containsExactlyInAnyOrder("add_files", "add_files_from_table");
        assertThat(config.copiesOfRegisteredData()).isEqualTo(WardenTrinoConfig.Copies.SHARERS);
        assertThat(config.adminUsers()).isEmpty();
        assertThat(config.stalenessBound()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.projectCredential()).isEqualTo("warden.project");
        assertThat(config.userMapping().wardenUser("alice")).contains("alice");
        assertThat(config.clientConfig().pollWaitSeconds()).isEqualTo(20);
        assertThat(config.clientConfig().planCacheDataSources()).isEqualTo(16_384);
        assertThat(config.decisionCacheDecisions()).isEqualTo(200_000);
    }

    @Test
    void everyProblemIsNamedAtOnce()
    {
        assertThatThrownBy(() -> WardenTrinoConfig.parse(Map.of(
                "warden.server-uri", "ftp://warden",
                "warden.allowed.registered.operations", "READ,CREATE",
                "warden.allowed.unregistered.operations", "READ,DELETE",
                "warden.staleness-bound", "soon",
                "warden.user-mapping", "(unclosed",
                "warden.plan-cache", "-1",
                "warden.decision-cache", "0",
                "warden.copies-of-registered-data", "nobody",
                "warden.admin-user", "root")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warden.admin-user: unknown property")
                .hasMessageContaining("warden.api-key: required")
                .hasMessageContaining("warden.server-uri: must be an http or https address")
                .hasMessageContaining("warden.allowed.registered.operations: CREATE cannot be granted on registered data")
                .hasMessageContaining("warden.allowed.unregistered.operations: unknown operation 'DELETE'")
                .hasMessageContaining("warden.staleness-bound: not a duration")
                .hasMessageContaining("warden.user-mapping: not a regular expression")
                .hasMessageContaining("warden.plan-cache: must be a whole number from 0 to 10000000, not '-1'")
                .hasMessageContaining("warden.decision-cache: must be a whole number from 1 to 10000000, not '0'")
                .hasMessageContaining("warden.copies-of-registered-data: must be sharers or anyone, not 'nobody'");
    }

    @Test
    void copiesOfRegisteredDataMayBeLeftToAnyone()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.copies-of-registered-data", " Anyone ");
        assertThat(WardenTrinoConfig.parse(properties).copiesOfRegisteredData()).isEqualTo(WardenTrinoConfig.Copies.ANYONE);
    }

    @Test
    void sessionPropertiesAreNamedWithoutACatalog()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.admin-only-session-properties", " Allow_Unsafe_Pushdown , hive.orc_use_column_names");
        properties.put("warden.admin-only-catalog-session-properties", "hive.orc_use_column_names,parquet use column names");
        properties.put("warden.overwriting-session-properties", "lake.insert_existing_partitions_behavior");
        assertThatThrownBy(() -> WardenTrinoConfig.parse(properties))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warden.admin-only-session-properties: 'hive.orc_use_column_names' names a catalog session property; "
                        + "list those in warden.admin-only-catalog-session-properties, without the catalog")
                .hasMessageContaining("warden.admin-only-catalog-session-properties: 'hive.orc_use_column_names' names a catalog; "
                        + "name the property alone, which applies in every catalog")
                .hasMessageContaining("warden.admin-only-catalog-session-properties: 'parquet use column names' is not a session property's name")
                .hasMessageContaining("warden.overwriting-session-properties: 'lake.insert_existing_partitions_behavior' names a catalog")
                .hasMessageNotContaining("allow_unsafe_pushdown");

        properties.put("warden.admin-only-session-properties", " Allow_Unsafe_Pushdown , join_reordering_strategy");
        properties.put("warden.admin-only-catalog-session-properties", "");
        properties.put("warden.overwriting-session-properties", "insert_existing_partitions_behavior");
        WardenTrinoConfig config = WardenTrinoConfig.parse(properties);
        assertThat(config.adminOnlySessionProperties()).containsExactlyInAnyOrder("allow_unsafe_pushdown", "join_reordering_strategy");
        assertThat(config.adminOnlyCatalogSessionProperties()).isEmpty();
    }

    @Test
    void aCatalogMayHaveUnregisteredOperationsOfItsOwn()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.allowed.unregistered.operations", "READ,WRITE,CREATE,OWN");
        properties.put("warden.allowed.unregistered.operations.lakehouse", "");
        properties.put("warden.allowed.unregistered.operations.reports", " read ");
        WardenTrinoConfig config = WardenTrinoConfig.parse(properties);

        assertThat(config.unregisteredOperationsIn("lakehouse")).isEmpty();
        assertThat(config.unregisteredOperationsIn("reports")).containsExactly(AccessValue.READ);
        assertThat(config.unregisteredOperationsIn("scratch")).containsExactlyInAnyOrder(AccessValue.values());
        assertThat(config.unregisteredOperationsPropertyOf("reports")).isEqualTo("warden.allowed.unregistered.operations.reports");
        assertThat(config.unregisteredOperationsPropertyOf("scratch")).isEqualTo("warden.allowed.unregistered.operations");

        assertThatThrownBy(() -> WardenTrinoConfig.parse(Map.of(
                "warden.server-uri", "http://127.0.0.1:8470",
                "warden.api-key", "wdn_service",
                "warden.allowed.unregistered.operations.reports", "READ,SELECT",
                "warden.allowed.unregistered.operations.Sales", "READ",
                "warden.allowed.unregistered.operations.", "READ",
                "warden.allowed.unregistered.operation", "READ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warden.allowed.unregistered.operations.reports: unknown operation 'SELECT'")
                .hasMessageContaining("warden.allowed.unregistered.operations.Sales: must end in a catalog's name, in lower case")
                .hasMessageContaining("warden.allowed.unregistered.operations.: must end in a catalog's name")
                .hasMessageContaining("warden.allowed.unregistered.operation: unknown property")
                .hasMessageContaining("warden.allowed.unregistered.operations.<catalog>");
    }

    @Test
    void thePlanCacheReachesTheReplica()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.plan-cache", "50000");
        assertThat(WardenTrinoConfig.parse(properties).clientConfig().planCacheDataSources()).isEqualTo(50_000);
    }

    @Test
    void theDecisionCacheCanBeSized()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.decision-cache", "20000");
        assertThat(WardenTrinoConfig.parse(properties).decisionCacheDecisions()).isEqualTo(20_000);
    }

    @Test
    void userMappingTakesTheFirstGroupOfAWholeMatch()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.user-mapping", "(.+)@example\\.com");
        properties.put("warden.admin.users", " admin , ops ");
        properties.put("warden.staleness-bound", "5m");
        WardenTrinoConfig config = WardenTrinoConfig.parse(properties);

        assertThat(config.userMapping().wardenUser("alice@example.com")).contains("alice");
        assertThat(config.userMapping().wardenUser("alice@example.org")).isEqualTo(Optional.empty());
        assertThat(config.adminUsers()).isEqualTo(Set.of("admin", "ops"));
        assertThat(config.stalenessBound()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.toString()).doesNotContain("wdn_service");
    }

    @Test
    void aStalenessBoundTooShortToPollWithinIsRefused()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.staleness-bound", "2s");
        assertThatThrownBy(() -> WardenTrinoConfig.parse(properties))
                .hasMessageContaining("warden.staleness-bound: must be at least 3s");
        // Zero reads as a duration, and would leave the replica stale at every instant.
        properties.put("warden.staleness-bound", "0s");
        assertThatThrownBy(() -> WardenTrinoConfig.parse(properties))
                .hasMessageContaining("warden.staleness-bound: must be at least 3s (the replica polls the server within a third of it), not 0s");
    }
}
