package dev.warden.trino.access;

import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.security.ViewExpression;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The column masks of one grant, ready for Trino's batched {@code getColumnMasks}, which a busy coordinator asks on
 * every query. Trino lists a table's columns in the order its connector reports them, which is nearly always the
 * order the data source was registered with; a column found at its registered position is matched by one string
 * comparison, and only a column found elsewhere is looked up by its lower-case name. Every query of the table asks
 * with equal columns, so which columns are masked, and by what, is kept from the last answer and used again while the
 * columns are equal: comparing them costs a fraction of finding the masks again. Masks that hash with a masking salt
 * are sealed for each query anew.
 *
 * <p>Where anything is masked, so is every column the data source does not list: they are NULL. Those are the hidden
 * columns a connector adds (Hive's, Iceberg's and Delta Lake's {@code $path} and {@code $partition}, which name a
 * row's file and partition and so the values of partition columns), and columns added or renamed since the data source
 * was registered (a masked column renamed in the database holds the values its mask hid).
 */
final class GrantedMasks
{
    static final GrantedMasks NONE = new GrantedMasks(List.of(), Map.of());

    /** Lower-case column names in the data source's order. */
    private final String[] columnNames;
    /** The mask of each column of {@link #columnNames}, or null. */
    private final SealableExpression[] masksByPosition;
    private final Map<String, SealableExpression> byName;
    /** Whether any mask hashes with a masking salt, which each query's masks must carry sealed for it. */
    private final boolean holdsSalts;
    /** The columns last asked about and which of them have masks; replaced, never changed, so readers need no lock. */
    private volatile Answer lastAnswer;

    private sealed interface Answer
    {
        List<ColumnSchema> columns();
    }

    /** Masks that hold no salt: every query with these columns gets this very map. */
    private record Rendered(List<ColumnSchema> columns, Map<ColumnSchema, ViewExpression> masks)
            implements Answer {}

    /** Masks of which some hash with a masking salt: each query gets them sealed for it. */
    private record ToSeal(List<ColumnSchema> columns, ColumnSchema[] maskedColumns, SealableExpression[] masks)
            implements Answer
    {
        Map<ColumnSchema, ViewExpression> masks(Function<SealableExpression, ViewExpression> expression)
        {
            @SuppressWarnings("unchecked")
            Map.Entry<ColumnSchema, ViewExpression>[] entries = new Map.Entry[maskedColumns.length];
            for (int i = 0; i < entries.length; i++) {
                entries[i] = Map.entry(maskedColumns[i], expression.apply(masks[i]));
            }
            return Map.ofEntries(entries);
        }
    }

    /**
     * @param columnOrder the data source's column names, in its order
     * @param masks masks by lower-case column name
     */
    GrantedMasks(List<String> columnOrder, Map<String, SealableExpression> masks)
    {
        requireNonNull(columnOrder, "columnOrder is null");
        this.byName = Map.copyOf(requireNonNull(masks, "masks is null"));
        this.columnNames = columnOrder.stream().map(name -> name.toLowerCase(Locale.ROOT)).toArray(String[]::new);
        this.holdsSalts = byName.values().stream().anyMatch(SealableExpression::holdsSalts);
        this.masksByPosition = new SealableExpression[columnNames.length];
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
        if (byName.isEmpty()) {
            return Map.of();
        }
        // instanceof rather than a pattern switch, which compiles to an invokedynamic type switch on this hot path
        Answer answer = answer(columns);
        if (answer instanceof Rendered rendered) {
            return rendered.masks();
        }
        SealedSalts.Answer sealing = salts.answerFor(queryId);
        return ((ToSeal) answer).masks(mask -> mask.sealedFor(sealing));
    }

    /** The masks of those of {@code columns} that have one, as rendered: any masking salt a placeholder no query opens. */
    Map<ColumnSchema, ViewExpression> of(List<ColumnSchema> columns)
    {
        if (byName.isEmpty()) {
            return Map.of();
        }
        Answer answer = answer(columns);
        return answer instanceof Rendered rendered ? rendered.masks() : ((ToSeal) answer).masks(SealableExpression::rendered);
    }

    private Answer answer(List<ColumnSchema> columns)
    {
        Answer last = lastAnswer;
        if (last != null && last.columns().equals(columns)) {
            return last;
        }
        Answer answer = answerOf(columns);
        lastAnswer = answer;
        return answer;
    }

    /** A scan, not a set: it runs only for columns found away from their registered position, once per column list. */
    private boolean isListed(String lowerCaseName)
    {
        for (String name : columnNames) {
            if (name.equals(lowerCaseName)) {
                return true;
            }
        }
        return false;
    }

    private Answer answerOf(List<ColumnSchema> columns)
    {
        List<ColumnSchema> maskedColumns = new ArrayList<>(Math.min(columns.size(), byName.size()));
        List<SealableExpression> maskExpressions = new ArrayList<>(Math.min(columns.size(), byName.size()));
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            boolean atItsPosition = i < columnNames.length && columnNames[i].equals(column.getName());
            String name = atItsPosition ? column.getName() : column.getName().toLowerCase(Locale.ROOT);
            SealableExpression mask = atItsPosition ? masksByPosition[i] : byName.get(name);
            if (mask == null && (column.isHidden() || !atItsPosition && !isListed(name))) {
                mask = new SealableExpression(ViewExpression.builder().expression("CAST(NULL AS " + column.getType().getDisplayName() + ")").build());
            }
            if (mask != null) {
                maskedColumns.add(column);
                maskExpressions.add(mask);
            }
        }
        if (holdsSalts) {
            return new ToSeal(List.copyOf(columns), maskedColumns.toArray(ColumnSchema[]::new), maskExpressions.toArray(SealableExpression[]::new));
        }
        @SuppressWarnings("unchecked")
        Map.Entry<ColumnSchema, ViewExpression>[] entries = new Map.Entry[maskedColumns.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = Map.entry(maskedColumns.get(i), maskExpressions.get(i).rendered());
        }
        return new Rendered(List.copyOf(columns), Map.ofEntries(entries));
    }
}
