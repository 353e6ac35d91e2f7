package dev.warden.trino.access;

import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.state.PolicyState;
import io.trino.spi.connector.CatalogSchemaTableName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which Trino tables are Warden data sources at one revision: those whose location's technology is {@code trino}
 * and whose catalog, schema and table name the Trino table. Trino's names are lower case; registrations are matched
 * ignoring case.
 */
public final class RegisteredTables
{
    public static final String TECHNOLOGY = "trino";

    /** The data sources registered for one table: normally one; more is a registration error Warden fails closed on. */
    public record Registration(DataSource dataSource, List<String> alsoRegisteredAs)
    {
        public Registration
        {
            requireNonNull(dataSource, "dataSource is null");
            alsoRegisteredAs = List.copyOf(alsoRegisteredAs);
        }

        public boolean isAmbiguous()
        {
            return !alsoRegisteredAs.isEmpty();
        }
    }

    private record TableKey(String catalog, String schema, String table) {}

    private record SchemaKey(String catalog, String schema) {}

    private final Map<TableKey, Registration> tables;
    private final Set<SchemaKey> schemas;

    private RegisteredTables(Map<TableKey, Registration> tables)
    {
        this.tables = Map.copyOf(tables);
        Set<SchemaKey> schemas = new HashSet<>();
        tables.keySet().forEach(key -> schemas.add(new SchemaKey(key.catalog(), key.schema())));
        this.schemas = Set.copyOf(schemas);
    }

    public static RegisteredTables of(PolicyState state)
    {
        Map<TableKey, List<DataSource>> byTable = new HashMap<>();
        for (DataSource dataSource : state.dataSources().values()) {
            RemoteLocation location = dataSource.location();
            if (location.technology().equals(TECHNOLOGY)) {
                TableKey key = new TableKey(lower(location.catalog()), lower(location.schema()), lower(location.table()));
                byTable.computeIfAbsent(key, _ -> new ArrayList<>()).add(dataSource);
            }
        }
        Map<TableKey, Registration> tables = new HashMap<>();
        byTable.forEach((key, dataSources) -> {
            List<DataSource> sorted = dataSources.stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
            tables.put(key, new Registration(sorted.getFirst(), sorted.subList(1, sorted.size()).stream().map(DataSource::id).toList()));
        });
        return new RegisteredTables(tables);
    }

    public Optional<Registration> lookup(CatalogSchemaTableName table)
    {
        return Optional.ofNullable(tables.get(new TableKey(
                lower(table.getCatalogName()),
                lower(table.getSchemaTableName().getSchemaName()),
                lower(table.getSchemaTableName().getTableName()))));
    }

    /**
     * The registration of the table that a connector's metadata table describes: Hive, Iceberg and Delta Lake name
     * those after their table, {@code orders$partitions}, {@code orders$files} or {@code orders$history}, and they can
     * hold the table's values (partition keys, column bounds). Empty when the name is not of that form or the table
     * it names is not registered.
     */
    public Optional<Registration> describedBy(CatalogSchemaTableName metadataTable)
    {
        String name = metadataTable.getSchemaTableName().getTableName();
        int dollar = name.indexOf('$');
        if (dollar <= 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(tables.get(new TableKey(
                lower(metadataTable.getCatalogName()),
                lower(metadataTable.getSchemaTableName().getSchemaName()),
                lower(name.substring(0, dollar)))));
    }

    /** Whether any registered table lives in the schema. */
    public boolean hasRegisteredTables(String catalog, String schema)
    {
        return schemas.contains(new SchemaKey(lower(catalog), lower(schema)));
    }

    /** The data source registered for each table (the first of several, where a table is registered more than once). */
    public List<DataSource> dataSources()
    {
        return tables.values().stream().map(Registration::dataSource).toList();
    }

    public int size()
    {
        return tables.size();
    }

    private static String lower(String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }
}
