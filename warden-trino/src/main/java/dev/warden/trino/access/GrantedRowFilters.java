package dev.warden.trino.access;

import io.trino.spi.security.ViewExpression;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The row filters of one grant, all of which apply, ready for Trino's {@code getRowFilters}, which a busy coordinator
 * asks on every query of a table. Filters that hold no masking salt are the same for every query, so they are
 * answered with one list kept here; filters that hash with a salt carry it sealed for each query anew.
 */
final class GrantedRowFilters
{
    static final GrantedRowFilters NONE = new GrantedRowFilters(List.of());

    private final List<SealableExpression> filters;
    /** The answer for every query where no filter holds a salt; null where one does. */
    private final List<ViewExpression> unsealed;

    GrantedRowFilters(List<SealableExpression> filters)
    {
        this.filters = List.copyOf(requireNonNull(filters, "filters is null"));
        this.unsealed = this.filters.stream().anyMatch(SealableExpression::holdsSalts)
                ? null
                : this.filters.stream().map(SealableExpression::rendered).toList();
    }

    boolean isEmpty()
    {
        return filters.isEmpty();
    }

    /** The filters as rendered: any salt in them a placeholder, which no query can open. */
    List<SealableExpression> expressions()
    {
        return filters;
    }

    /** The filters for the query {@code queryId}, each salt they hold sealed for it. */
    List<ViewExpression> of(String queryId, SealedSalts salts)
    {
        if (unsealed != null) {
            return unsealed;
        }
        SealedSalts.Answer answer = salts.answerFor(queryId);
        return filters.stream().map(filter -> filter.sealedFor(answer)).toList();
    }
}
