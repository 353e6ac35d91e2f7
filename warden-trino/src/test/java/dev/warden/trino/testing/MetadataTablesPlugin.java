package dev.warden.trino.testing;

import io.airlift.slice.Slice;
import io.trino.spi.Plugin;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorRecordSetProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorSplitSource;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTableVersion;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.ConstraintApplicationResult;
import io.trino.spi.connector.DynamicFilter;
import io.trino.spi.connector.FixedSplitSource;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.RecordSet;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.connector.TableFunctionApplicationResult;
import io.trino.spi.connector.TableProcedureMetadata;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.function.table.AbstractConnectorTableFunction;
import io.trino.spi.function.table.Argument;
import io.trino.spi.function.table.ConnectorTableFunction;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;
import io.trino.spi.function.table.Descriptor;
import io.trino.spi.function.table.ScalarArgument;
import io.trino.spi.function.table.ScalarArgumentSpecification;
import io.trino.spi.function.table.TableFunctionAnalysis;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.procedure.Procedure;
import io.trino.spi.session.PropertyMetadata;
import io.trino.spi.statistics.ColumnStatistics;
import io.trino.spi.statistics.DoubleRange;
import io.trino.spi.statistics.Estimate;
import io.trino.spi.statistics.TableStatistics;
import io.trino.spi.type.Type;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static io.trino.spi.connector.TableProcedureExecutionMode.coordinatorOnly;
import static io.trino.spi.function.table.ReturnTypeSpecification.GenericTable.GENERIC_TABLE;
import static java.util.stream.Collectors.toMap;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.VarcharType.VARCHAR;

/**
 * A connector ({@code metadata_tables}) with the ways lakehouse connectors let Trino read a table's data past the masks
 * and row filters the access control gives it, each answering {@link #ROWS} (a segment and a row count):
 * <ul>
 * <li>in any schema, table {@value #PARTITIONED}, whose hidden column {@code $partition} names each row's partition
 * ({@code segment=BUILDING}), as Hive's, Iceberg's and Delta Lake's hidden columns do, and whose statistics, as those
 * connectors keep them, give the lowest and highest {@code row_count} of all its rows; read {@code FOR VERSION AS OF}
 * {@value #VERSION_BEFORE_RENAME}, it has the schema it had before its column {@value #NAME_BEFORE_RENAME} was renamed
 * {@code segment}, as Iceberg reads a snapshot with that snapshot's schema;</li>
 * <li>metadata tables, as Hive, Iceberg and Delta Lake serve them: in any schema, {@code "<table>$partitions"},
 * served the way Trino serves those connectors' metadata tables (through {@link ConnectorMetadata#getSystemTable},
 * unlisted), so access checks see the same names;</li>
 * <li>the table function {@code system.table_changes(schema_name, table_name)}, which, like Iceberg's in Trino 476,
 * asks only {@code checkCanSelectFromColumns} on the table it reads;</li>
 * <li>Hive's session property {@value #OVERWRITE_PROPERTY}, with which an INSERT replaces the partitions it writes,
 * and its table property {@value #EXTERNAL_LOCATION_PROPERTY}, which points a new table at files that already exist
 * (this connector declares both, and creates and writes nothing);</li>
 * <li>Iceberg's table procedures {@code add_files}, which adds files from elsewhere to a table, and {@code optimize}
 * (declared, and never run);</li>
 * <li>the procedure {@code system.execute(query)}, as JDBC connectors have it to run any SQL in the database (here it
 * counts its calls, and runs nothing), their session property {@value #EXPRESSION_PUSHDOWN_PROPERTY} (declared,
 * and never used), and their pushdown of a query's conditions (here it records the expressions Trino offers it in
 * {@link #OFFERED_EXPRESSIONS}, and takes none).</li>
 * </ul>
 */
public final class MetadataTablesPlugin
        implements Plugin
{
    public static final String CONNECTOR = "metadata_tables";
    public static final String SUFFIX = "$partitions";
    public static final String PARTITIONED = "shipments";
    public static final String OVERWRITE_PROPERTY = "insert_existing_partitions_behavior";
    public static final String EXTERNAL_LOCATION_PROPERTY = "external_location";
    /** Hive's session properties that choose between reading a file's columns by name or by position. */
    public static final String ORC_BY_NAME_PROPERTY = "orc_use_column_names";
    public static final String PARQUET_BY_NAME_PROPERTY = "parquet_use_column_names";
    /** JDBC connectors' session property that hands a query's expressions to the database. */
    public static final String EXPRESSION_PUSHDOWN_PROPERTY = "complex_expression_pushdown";
    public static final long VERSION_BEFORE_RENAME = 1;
    public static final String NAME_BEFORE_RENAME = "market";
    public static final List<List<Object>> ROWS = List.of(List.of("BUILDING", 10L), List.of("MACHINERY", 20L));

    /** How many times {@code system.execute} has run. */
    public static final AtomicInteger EXECUTED = new AtomicInteger();
    /** The expressions Trino offered to push down into the connector, which takes none. */
    public static final List<ConnectorExpression> OFFERED_EXPRESSIONS = new CopyOnWriteArrayList<>();

    private static final List<ColumnMetadata> COLUMNS = List.of(new ColumnMetadata("segment", VARCHAR), new ColumnMetadata("row_count", BIGINT));
    private static final ColumnMetadata PARTITION = ColumnMetadata.builder().setName("$partition").setType(VARCHAR).setHidden(true).build();
    private static final List<ColumnMetadata> COLUMNS_BEFORE_RENAME = List.of(new ColumnMetadata(NAME_BEFORE_RENAME, VARCHAR), COLUMNS.get(1));

    /** {@code system.execute(query)}: a JDBC connector would run {@code query} in its database. */
    public static void execute(String query)
    {
        EXECUTED.incrementAndGet();
    }

    @Override
    public Iterable<ConnectorFactory> getConnectorFactories()
    {
        return List.of(StatelessConnector.factory(CONNECTOR, _ -> new MetadataTablesConnector()));
    }

    private static RecordSet rows(List<String> columnNames)
    {
        List<Type> types = columnNames.stream().map(name -> column(name).getType()).toList();
        // Projected on no column (count(*)), each row is an empty list.
        List<List<Object>> rows = ROWS.stream()
                .map(row -> columnNames.stream().map(name -> value(row, name)).toList())
                .toList();
        return new InMemoryRecordSet(types, rows);
    }

    private static Object value(List<Object> row, String columnName)
    {
        return switch (columnName) {
            case "$partition" -> "segment=" + row.getFirst();
            case NAME_BEFORE_RENAME -> row.getFirst();
            default -> row.get(COLUMNS.indexOf(column(columnName)));
        };
    }

    private static ColumnMetadata column(String name)
    {
        return Stream.of(COLUMNS, COLUMNS_BEFORE_RENAME, List.of(PARTITION)).flatMap(List::stream)
                .filter(column -> column.getName().equals(name))
                .findFirst().orElseThrow();
    }

    private static final class MetadataTablesConnector
            implements StatelessConnector
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

                @Override
                public ConnectorTableHandle getTableHandle(ConnectorSession session, SchemaTableName tableName, Optional<ConnectorTableVersion> startVersion, Optional<ConnectorTableVersion> endVersion)
                {
                    if (!tableName.getTableName().equals(PARTITIONED)) {
                        return null;
                    }
                    if (startVersion.isPresent() || endVersion.filter(version -> !version.getVersion().equals(VERSION_BEFORE_RENAME)).isPresent()) {
                        throw new TrinoException(NOT_SUPPORTED, "Only version " + VERSION_BEFORE_RENAME + " of " + tableName + " is kept");
                    }
                    return new LakeTable(tableName, endVersion.isPresent());
                }

                @Override
                public Map<String, ColumnHandle> getColumnHandles(ConnectorSession session, ConnectorTableHandle table)
                {
                    return Stream.concat(columns((LakeTable) table).stream(), Stream.of(PARTITION)).collect(toMap(ColumnMetadata::getName, column -> new Column(column.getName())));
                }

                @Override
                public Optional<TableFunctionApplicationResult<ConnectorTableHandle>> applyTableFunction(ConnectorSession session, ConnectorTableFunctionHandle handle)
                {
                    LakeTable changes = (LakeTable) handle;
                    return Optional.of(new TableFunctionApplicationResult<>(changes, COLUMNS.stream().<ColumnHandle>map(column -> new Column(column.getName())).toList()));
                }

                @Override
                public ConnectorTableMetadata getTableMetadata(ConnectorSession session, ConnectorTableHandle table)
                {
                    SchemaTableName name = ((LakeTable) table).table();
                    List<ColumnMetadata> columns = columns((LakeTable) table);
                    return new ConnectorTableMetadata(name, name.getTableName().equals(PARTITIONED) ? List.of(columns.get(0), columns.get(1), PARTITION) : columns);
                }

                @Override
                public TableStatistics getTableStatistics(ConnectorSession session, ConnectorTableHandle table)
                {
                    return TableStatistics.builder()
                            .setRowCount(Estimate.of(ROWS.size()))
                            .setColumnStatistics(new Column("segment"), ColumnStatistics.builder()
                                    .setNullsFraction(Estimate.zero())
                                    .setDistinctValuesCount(Estimate.of(ROWS.size()))
                                    .build())
                            .setColumnStatistics(new Column("row_count"), ColumnStatistics.builder()
                                    .setNullsFraction(Estimate.zero())
                                    .setDistinctValuesCount(Estimate.of(ROWS.size()))
                                    .setRange(new DoubleRange(
                                            ROWS.stream().mapToLong(row -> (Long) row.get(1)).min().orElseThrow(),
                                            ROWS.stream().mapToLong(row -> (Long) row.get(1)).max().orElseThrow()))
                                    .build())
                            .build();
                }

                /** A JDBC connector would write what it can of the offered expression into its database's SQL. */
                @Override
                public Optional<ConstraintApplicationResult<ConnectorTableHandle>> applyFilter(ConnectorSession session, ConnectorTableHandle table, Constraint constraint)
                {
                    OFFERED_EXPRESSIONS.add(constraint.getExpression());
                    return Optional.empty();
                }

                @Override
                public ColumnMetadata getColumnMetadata(ConnectorSession session, ConnectorTableHandle table, ColumnHandle column)
                {
                    return column(((Column) column).name());
                }
            };
        }

        @Override
        public List<PropertyMetadata<?>> getSessionProperties()
        {
            return List.of(
                    PropertyMetadata.stringProperty(OVERWRITE_PROPERTY, "What an INSERT does to partitions that exist: APPEND, OVERWRITE or ERROR", "APPEND", false),
                    PropertyMetadata.booleanProperty(ORC_BY_NAME_PROPERTY, "Read ORC files' columns by name rather than by position", false, false),
                    PropertyMetadata.booleanProperty(PARQUET_BY_NAME_PROPERTY, "Read Parquet files' columns by name rather than by position", true, false),
                    PropertyMetadata.booleanProperty(EXPRESSION_PUSHDOWN_PROPERTY, "Run a query's expressions in the database", true, false));
        }

        @Override
        public Set<Procedure> getProcedures()
        {
            try {
                MethodHandle execute = MethodHandles.lookup().findStatic(MetadataTablesPlugin.class, "execute", MethodType.methodType(void.class, String.class));
                return Set.of(new Procedure("system", "execute", List.of(new Procedure.Argument("QUERY", VARCHAR)), execute));
            }
            catch (ReflectiveOperationException e) {
                throw new LinkageError("system.execute", e);
            }
        }

        @Override
        public Set<TableProcedureMetadata> getTableProcedures()
        {
            return Set.of(
                    new TableProcedureMetadata("ADD_FILES", coordinatorOnly(), List.of(PropertyMetadata.stringProperty("location", "Where the files are", null, false))),
                    new TableProcedureMetadata("OPTIMIZE", coordinatorOnly(), List.of()));
        }

        @Override
        public List<PropertyMetadata<?>> getTableProperties()
        {
            return List.of(PropertyMetadata.stringProperty(EXTERNAL_LOCATION_PROPERTY, "Where the table's files already are", null, false));
        }

        @Override
        public Set<ConnectorTableFunction> getTableFunctions()
        {
            return Set.of(new TableChangesFunction());
        }

        @Override
        public ConnectorSplitManager getSplitManager()
        {
            return new ConnectorSplitManager()
            {
                @Override
                public ConnectorSplitSource getSplits(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorTableHandle table, DynamicFilter dynamicFilter, Constraint constraint)
                {
                    return new FixedSplitSource(new Split(((LakeTable) table).table().toString()));
                }
            };
        }

        @Override
        public ConnectorRecordSetProvider getRecordSetProvider()
        {
            return new ConnectorRecordSetProvider()
            {
                @Override
                public RecordSet getRecordSet(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorSplit split, ConnectorTableHandle table, List<? extends ColumnHandle> columns)
                {
                    return rows(columns.stream().map(column -> ((Column) column).name()).toList());
                }
            };
        }
    }

    private static final class TableChangesFunction
            extends AbstractConnectorTableFunction
    {
        TableChangesFunction()
        {
            super("system", "table_changes", List.of(
                    ScalarArgumentSpecification.builder().name("SCHEMA_NAME").type(VARCHAR).build(),
                    ScalarArgumentSpecification.builder().name("TABLE_NAME").type(VARCHAR).build()), GENERIC_TABLE);
        }

        @Override
        public TableFunctionAnalysis analyze(ConnectorSession session, ConnectorTransactionHandle transaction, Map<String, Argument> arguments, ConnectorAccessControl accessControl)
        {
            SchemaTableName table = new SchemaTableName(text(arguments.get("SCHEMA_NAME")), text(arguments.get("TABLE_NAME")));
            accessControl.checkCanSelectFromColumns(null, table, Set.of("segment", "row_count"));
            return TableFunctionAnalysis.builder()
                    .returnedType(new Descriptor(COLUMNS.stream().map(column -> new Descriptor.Field(column.getName(), Optional.of(column.getType()))).toList()))
                    .handle(new LakeTable(table, false))
                    .build();
        }

        private static String text(Argument argument)
        {
            return ((Slice) ((ScalarArgument) argument).getValue()).toStringUtf8();
        }
    }

    /**
     * A table Trino scans: {@value #PARTITIONED}, as it is or before the rename, or what {@code table_changes} reads
     * (the function's handle too).
     */
    public record LakeTable(SchemaTableName table, boolean beforeRename)
            implements ConnectorTableFunctionHandle, ConnectorTableHandle {}

    private static List<ColumnMetadata> columns(LakeTable table)
    {
        return table.beforeRename() ? COLUMNS_BEFORE_RENAME : COLUMNS;
    }

    public record Column(String name)
            implements ColumnHandle {}

    public record Split(String table)
            implements ConnectorSplit {}

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
            return new ConnectorTableMetadata(name, COLUMNS);
        }

        @Override
        public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint)
        {
            return rows(COLUMNS.stream().map(ColumnMetadata::getName).toList()).cursor();
        }
    }
}
