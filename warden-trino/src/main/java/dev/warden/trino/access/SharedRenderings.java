package dev.warden.trino.access;

import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import io.trino.spi.security.ViewExpression;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The masks and row filters that decisions on one revision render for Trino, shared between decisions that render
 * equal ones. Masks and filters depend on groups, attributes and purposes that many people share, so most people get
 * the same SQL on a table, and many tables the same SQL for a column (a nullified column, a constant); a grant in the
 * decision cache holds its masks for the whole revision, so without sharing every cached decision would hold its own
 * copy of every mask's text. Each part is bounded like the decision cache: full, it starts over.
 */
final class SharedRenderings
{
    /** A data source and its masks, whose expressions are the shared ones: equal SQL, same object. */
    private record MasksKey(String dataSourceId, Map<String, SealableExpression> byColumn)
    {
        MasksKey
        {
            requireNonNull(dataSourceId, "dataSourceId is null");
            byColumn = Map.copyOf(byColumn);
        }
    }

    private record ExpressionKey(Location location, String sql)
    {
        ExpressionKey
        {
            requireNonNull(location, "location is null");
            requireNonNull(sql, "sql is null");
        }
    }

    private final RevisionCache<MasksKey, GrantedMasks> masks;
    private final RevisionCache<ExpressionKey, SealableExpression> expressions;
    private final RevisionCache<ExpressionKey, GrantedRowFilters> rowFilters;

    /** @param capacity how many distinct mask sets, expressions and row filters are kept, each */
    SharedRenderings(int capacity)
    {
        this.masks = new RevisionCache<>(capacity);
        this.expressions = new RevisionCache<>(capacity);
        this.rowFilters = new RevisionCache<>(capacity);
    }

    /**
     * The masks of a data source whose mask SQL is {@code sqlByColumn}: on this revision, the same object for every
     * call with equal arguments.
     *
     * @param dataSource the data source; on one revision its id fixes its location and its columns
     * @param location the catalog and schema the SQL is resolved in
     * @param sqlByColumn mask SQL by lower-case column name
     */
    GrantedMasks masks(DataSource dataSource, Location location, Map<String, String> sqlByColumn)
    {
        requireNonNull(location, "location is null");
        if (sqlByColumn.isEmpty()) {
            return GrantedMasks.NONE;
        }
        Map<String, SealableExpression> byColumn = new HashMap<>();
        sqlByColumn.forEach((column, sql) -> byColumn.put(column, expression(location, sql)));
        MasksKey key = new MasksKey(dataSource.id(), byColumn);
        return masks.get(key, () -> new GrantedMasks(dataSource.columns().stream().map(Column::name).toList(), key.byColumn()));
    }

    /** The row filters for filter SQL {@code sql} in a location: on this revision, the same object for equal arguments. */
    GrantedRowFilters rowFilters(Location location, Optional<String> sql)
    {
        return sql.map(filter -> rowFilters.get(new ExpressionKey(location, filter), () -> new GrantedRowFilters(List.of(expression(location, filter)))))
                .orElse(GrantedRowFilters.NONE);
    }

    private SealableExpression expression(Location location, String sql)
    {
        return expressions.get(new ExpressionKey(location, sql),
                () -> new SealableExpression(ViewExpression.builder().catalog(location.catalog()).schema(location.schema()).expression(sql).build()));
    }

    /** The catalog and schema in which Trino resolves the names a mask or filter uses. */
    record Location(String catalog, String schema)
    {
        Location
        {
            requireNonNull(catalog, "catalog is null");
            requireNonNull(schema, "schema is null");
        }
    }
}
