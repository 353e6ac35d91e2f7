package dev.warden.trino.testing;

import io.trino.spi.Plugin;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.connector.ConnectorMaterializedViewDefinition;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTableVersion;
import io.trino.spi.connector.MaterializedViewFreshness;
import io.trino.spi.connector.MaterializedViewFreshness.Freshness;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.TypeId;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A connector ({@code materialized_views}) with two materialized views in schema {@code default}, owned by the user
 * its catalog's {@code owner} property names: {@code fresh_customers} and {@code stale_customers}, both defined as
 * {@link #SQL} and stored in {@link #STORAGE_TABLE} (which the test creates). Trino answers the fresh one from the
 * stored rows and expands the stale one like a view, as it does for Iceberg's materialized views. Refreshing the fresh
 * one is analysed in full and then skipped, so a refresh that passes the access control succeeds without writing.
 */
public final class MaterializedViewsPlugin
        implements Plugin
{
    public static final String CONNECTOR = "materialized_views";
    public static final String SQL = "SELECT custkey, name, mktsegment FROM tpch.tiny.customer";
    public static final String STORAGE_TABLE = "memory.default.customers_mv_storage";

    private static final Map<String, Freshness> VIEWS = Map.of("fresh_customers", Freshness.FRESH, "stale_customers", Freshness.STALE);
    private static final List<ConnectorMaterializedViewDefinition.Column> COLUMNS = List.of(
            new ConnectorMaterializedViewDefinition.Column("custkey", TypeId.of("bigint"), Optional.empty()),
            new ConnectorMaterializedViewDefinition.Column("name", TypeId.of("varchar(25)"), Optional.empty()),
            new ConnectorMaterializedViewDefinition.Column("mktsegment", TypeId.of("varchar(10)"), Optional.empty()));

    @Override
    public Iterable<ConnectorFactory> getConnectorFactories()
    {
        return List.of(StatelessConnector.factory(CONNECTOR,
                config -> new MaterializedViewsConnector(requireNonNull(config.get("owner"), "catalog property 'owner' is missing"))));
    }

    private record MaterializedViewsConnector(String owner)
            implements StatelessConnector
    {
        @Override
        public ConnectorMetadata metadata()
        {
            return new ConnectorMetadata()
            {
                @Override
                public List<String> listSchemaNames(ConnectorSession session)
                {
                    return List.of("default");
                }

                /** No tables: Trino asks whether a name is one before it answers from a fresh view's storage table. */
                @Override
                public ConnectorTableHandle getTableHandle(ConnectorSession session, SchemaTableName tableName, Optional<ConnectorTableVersion> startVersion, Optional<ConnectorTableVersion> endVersion)
                {
                    return null;
                }

                @Override
                public List<SchemaTableName> listMaterializedViews(ConnectorSession session, Optional<String> schemaName)
                {
                    return VIEWS.keySet().stream().map(view -> new SchemaTableName("default", view)).toList();
                }

                @Override
                public Optional<ConnectorMaterializedViewDefinition> getMaterializedView(ConnectorSession session, SchemaTableName viewName)
                {
                    if (!viewName.getSchemaName().equals("default") || !VIEWS.containsKey(viewName.getTableName())) {
                        return Optional.empty();
                    }
                    String[] storage = STORAGE_TABLE.split("\\.");
                    return Optional.of(new ConnectorMaterializedViewDefinition(
                            SQL,
                            Optional.of(new CatalogSchemaTableName(storage[0], storage[1], storage[2])),
                            Optional.of("tpch"),
                            Optional.of("tiny"),
                            COLUMNS,
                            Optional.empty(),
                            Optional.empty(),
                            Optional.of(owner),
                            List.of()));
                }

                @Override
                public boolean delegateMaterializedViewRefreshToConnector(ConnectorSession session, SchemaTableName viewName)
                {
                    return false;
                }

                @Override
                public MaterializedViewFreshness getMaterializedViewFreshness(ConnectorSession session, SchemaTableName viewName)
                {
                    return new MaterializedViewFreshness(VIEWS.get(viewName.getTableName()), Optional.empty());
                }
            };
        }
    }
}
