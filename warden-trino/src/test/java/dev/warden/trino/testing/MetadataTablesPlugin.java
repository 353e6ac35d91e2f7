package dev.warden.trino.testing;

import io.trino.spi.Plugin;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;

import java.util.List;
import java.util.Optional;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.VarcharType.VARCHAR;

/**
 * A connector ({@code metadata_tables}) with nothing but metadata tables, as Hive, Iceberg and Delta Lake serve them:
 * in any schema, {@code "<table>$partitions"} answers two rows of partition values and row counts, for any table name.
 * Its tables are served the way Trino serves those connectors' metadata tables (through
 * {@link ConnectorMetadata#getSystemTable}, unlisted), so access checks see the same names.
 */
public final class MetadataTablesPlugin
        implements Plugin
{
    public static final String CONNECTOR = "metadata_tables";
    public static final String SUFFIX = "$partitions";
    public static final List<List<Object>> ROWS = List.of(List.of("BUILDING", 10L), List.of("MACHINERY", 20L));

    @Override
    public Iterable<ConnectorFactory> getConnectorFactories()
    {
        return List.of(MetadataOnlyConnector.factory(CONNECTOR, _ -> new MetadataTablesConnector()));
    }

    private static final class MetadataTablesConnector
            implements MetadataOnlyConnector
    {
        @Override
        public ConnectorMetadata metadata()
        {
            return new ConnectorMetadata()
            {
                @Override
                public Optional<SystemTable> getSystemTable(ConnectorSession session, SchemaTableName tableName)
                {
                    String name = tableName.getTableName();
                    if (!name.endsWith(SUFFIX) || name.length() == SUFFIX.length()) {
                        return Optional.empty();
                    }
                    return Optional.of(new PartitionsTable(tableName));
                }
            };
        }
    }

    private record PartitionsTable(SchemaTableName name)
            implements SystemTable
    {
        @Override
        public Distribution getDistribution()
        {
            return Distribution.SINGLE_COORDINATOR;
        }

        @Override
        public ConnectorTableMetadata getTableMetadata()
        {
            return new ConnectorTableMetadata(name, List.of(new ColumnMetadata("segment", VARCHAR), new ColumnMetadata("row_count", BIGINT)));
        }

        @Override
        public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint)
        {
            InMemoryRecordSet.Builder rows = InMemoryRecordSet.builder(getTableMetadata());
            ROWS.forEach(row -> rows.addRow(row.toArray()));
            return rows.build().cursor();
        }
    }
}
