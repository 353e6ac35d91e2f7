package dev.warden.trino.access;

import dev.warden.policy.model.AccessValue;
import io.trino.spi.security.ViewExpression;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * What one person may do with one table, and what Trino must apply when they read it.
 *
 * @param allowed the operations allowed
 * @param masks column masks by lower-case column name
 * @param rowFilters row filters, all of which apply
 * @param dataSourceId the Warden data source the table is, if it is registered
 * @param appliedPolicyIds the policies that shaped this grant, for the audit ledger
 * @param refusal why an operation outside {@code allowed} is refused
 */
record TableGrant(
        Set<AccessValue> allowed,
        Map<String, ViewExpression> masks,
        List<ViewExpression> rowFilters,
        Optional<String> dataSourceId,
        List<String> appliedPolicyIds,
        Refusal refusal)
{
    /** Explains, in a sentence that follows "Cannot select from table t: ", why an operation is refused. */
    @FunctionalInterface
    interface Refusal
    {
        String why(AccessValue wanted);
    }

    static final TableGrant UNRESTRICTED = new TableGrant(EnumSet.allOf(AccessValue.class), Map.of(), List.of(), Optional.empty(), List.of(),
            _ -> "nothing is refused");

    TableGrant
    {
        allowed = Set.copyOf(allowed);
        masks = Map.copyOf(masks);
        rowFilters = List.copyOf(rowFilters);
        requireNonNull(dataSourceId, "dataSourceId is null");
        appliedPolicyIds = List.copyOf(appliedPolicyIds);
        requireNonNull(refusal, "refusal is null");
    }

    /** Nothing is allowed, for one reason whatever is wanted. */
    static TableGrant refused(Optional<String> dataSourceId, String reason)
    {
        return new TableGrant(Set.of(), Map.of(), List.of(), dataSourceId, List.of(), _ -> reason);
    }

    /** Unmasked, unfiltered access limited to some operations. */
    static TableGrant limitedTo(Set<AccessValue> allowed, Refusal refusal)
    {
        return new TableGrant(allowed, Map.of(), List.of(), Optional.empty(), List.of(), refusal);
    }

    boolean allows(AccessValue value)
    {
        return allowed.contains(value);
    }
}
