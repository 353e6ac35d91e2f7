package dev.warden.policy.model;

import java.util.Locale;

/**
 * Where a data source's rows live. For Trino, {@code catalog} is the Trino catalog; for PostgreSQL and
 * MySQL it is the database.
 */
public record RemoteLocation(String technology, String catalog, String schema, String table)
{
    public RemoteLocation
    {
        technology = Checks.name("technology", technology).toLowerCase(Locale.ROOT);
        Checks.name("catalog", catalog);
        Checks.name("schema", schema);
        Checks.name("table", table);
    }

    @Override
    public String toString()
    {
        return technology + ":" + catalog + "." + schema + "." + table;
    }
}
