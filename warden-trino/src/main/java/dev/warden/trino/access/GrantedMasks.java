package dev.warden.trino.access;

import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.security.ViewExpression;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The column masks of one grant, ready for Trino's batched {@code getColumnMasks}, which a busy coordinator asks on
 * every query. Trino lists a table's columns in the order its connector reports them, which is nearly always the
 * order the data source was registered with; a column found at its registered position is matched by one string
 * comparison, and only a column found elsewhere is looked up by its lower-case name. Every query of the table asks
 * with equal columns, so the last answer is kept and given again while the columns are equal: comparing them costs
 * a fraction of building the answer's map, which hashes every masked column.
 */
final class GrantedMasks
{
    static final GrantedMasks NONE = new GrantedMasks(List.of(), Map.of());

    /** Lower-case column names in the data source's order. */
    private final String[] columnNames;
    /** The mask of each column of {@link #columnNames}, or null. */
    private final ViewExpression[] masksByPosition;
    private final Map<String, ViewExpression> byName;
    /** Whether any mask hashes with a masking salt, which each query's masks must carry sealed for it. */
    private final boolean holdsSalts;
    /** The columns last asked about and their masks; replaced, never changed, so readers need no lock. */
    private volatile Answer lastAnswer;

    private record Answer(List<ColumnSchema> columns, Map<ColumnSchema, ViewExpression> masks) {}

    /**
     * @param columnOrder the data source's column names, in its order
     * @param masks masks by lower-case column name
     */
    GrantedMasks(List<String> columnOrder, Map<String, ViewExpression> masks)
    {
        requireNonNull(columnOrder, "columnOrder is null");
        this.byName = Map.copyOf(requireNonNull(masks, "masks is null"));
        this.columnNames = columnOrder.stream().map(name -> name.toLowerCase(Locale.ROOT)).toArray(String[]::new);
        this.holdsSalts = byName.values().stream().anyMatch(SealedSalts::holdsPlaceholder);
        this.masksByPosition = new ViewExpression[columnNames.length];
        for (int i = 0; i < columnNames.length; i++) {
            masksByPosition[i] = byName.get(columnNames[i]);
        }
    }

    boolean isEmpty()
    {
        return byName.isEmpty();
    }

    /** The masks of those of {@code columns} that have one, for one query: their masking salts sealed for it. */
    Map<ColumnSchema, ViewExpression> of(List<ColumnSchema> columns, String queryId, SealedSalts salts)
    {
        Map<ColumnSchema, ViewExpression> masks = of(columns);
        return holdsSalts ? salts.forQuery(masks, queryId) : masks;
    }

    /** The mask of a column, by its name in any case. */
    Optional<ViewExpression> of(String columnName)
    {
        return Optional.ofNullable(byName.get(columnName.toLowerCase(Locale.ROOT)));
    }

    /** The masks of those of {@code columns} that have one. */
    Map<ColumnSchema, ViewExpression> of(List<ColumnSchema> columns)
    {
        if (byName.isEmpty()) {
            return Map.of();
        }
        Answer last = lastAnswer;
        if (last != null && last.columns().equals(columns)) {
            return last.masks();
        }
        Map<ColumnSchema, ViewExpression> masks = masksOf(columns);
        lastAnswer = new Answer(List.copyOf(columns), masks);
        return masks;
    }

    private Map<ColumnSchema, ViewExpression> masksOf(List<ColumnSchema> columns)
    {
        List<Map.Entry<ColumnSchema, ViewExpression>> masks = new ArrayList<>(Math.min(columns.size(), byName.size()));
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            ViewExpression mask = i < columnNames.length && columnNames[i].equals(column.getName())
                    ? masksByPosition[i]
                    : byName.get(column.getName().toLowerCase(Locale.ROOT));
            if (mask != null) {
                masks.add(Map.entry(column, mask));
            }
        }
        @SuppressWarnings("unchecked")
        Map.Entry<ColumnSchema, ViewExpression>[] entries = masks.toArray(Map.Entry[]::new);
        return Map.ofEntries(entries);
    }
}
