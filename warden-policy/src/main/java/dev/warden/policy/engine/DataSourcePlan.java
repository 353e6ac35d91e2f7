package dev.warden.policy.engine;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.SubscriptionPolicy;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything about one data source that does not depend on who asks: which policies are in force, which policy
 * governs each column and with what mask, each row filter before the person's values are folded in, and every
 * reason text. {@link PolicyEngine} builds one per data source and reuses it for every user.
 *
 * @param notInForce reasons for the policies not in force here, in policy order
 * @param notEvaluated reasons for masks and row filters when the user may not read
 */
record DataSourcePlan(
        DataSource dataSource,
        List<Reason> notInForce,
        List<SubscriptionPolicy> subscriptions,
        List<Reason> notEvaluated,
        Masks masks,
        List<PlannedRow> rows)
{
    DataSourcePlan
    {
        requireNonNull(dataSource, "dataSource is null");
        notInForce = List.copyOf(notInForce);
        subscriptions = List.copyOf(subscriptions);
        notEvaluated = List.copyOf(notEvaluated);
        requireNonNull(masks, "masks is null");
        rows = List.copyOf(rows);
    }

    /** Enough room for every reason a decision on this data source gives beyond {@link #notInForce}. */
    int reasonCapacity()
    {
        return subscriptions.size() + 2 + masks.overridden().size() + masks.policies().size() + rows.size();
    }

    /**
     * @param policies the masking policies in force, in creation order
     * @param overridden reasons for policies overridden on a column by a more specific one
     * @param columns the columns some policy governs, in column order
     * @param reasons for each policy in {@code policies}, its reason when it applies to the user and when it does not
     */
    record Masks(List<MaskingPolicy> policies, List<Reason> overridden, List<GovernedColumn> columns, List<MaskReasons> reasons)
    {
        Masks
        {
            policies = List.copyOf(policies);
            overridden = List.copyOf(overridden);
            columns = List.copyOf(columns);
            reasons = List.copyOf(reasons);
        }
    }

    /** A column, the position of its governing policy in {@link Masks#policies}, and its mask when that policy applies. */
    record GovernedColumn(String name, int governingPolicy, Expression mask)
    {
        GovernedColumn
        {
            requireNonNull(name, "name is null");
            requireNonNull(mask, "mask is null");
        }
    }

    record MaskReasons(Optional<Reason> whenApplies, Optional<Reason> whenNot)
    {
        MaskReasons
        {
            requireNonNull(whenApplies, "whenApplies is null");
            requireNonNull(whenNot, "whenNot is null");
        }
    }

    record PlannedRow(RowPolicy policy, Expression filter, Reason applied, Reason appliedWithNoRows, Reason notForUser)
    {
        PlannedRow
        {
            requireNonNull(policy, "policy is null");
            requireNonNull(filter, "filter is null");
            requireNonNull(applied, "applied is null");
            requireNonNull(appliedWithNoRows, "appliedWithNoRows is null");
            requireNonNull(notForUser, "notForUser is null");
        }
    }
}
