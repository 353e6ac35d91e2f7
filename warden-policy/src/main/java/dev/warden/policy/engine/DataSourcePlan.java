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
 * @param inForce the numbers of the policies in force here, ascending, in the numbering of the engine the plan is
 *         kept by; never changed, so that plans with the same numbers share the array
 * @param notEvaluated reasons for masks and row filters when the user may not read
 */
record DataSourcePlan(
        DataSource dataSource,
        int[] inForce,
        List<PlannedSubscription> subscriptions,
        List<Reason> notEvaluated,
        Masks masks,
        List<PlannedRow> rows)
{
    DataSourcePlan
    {
        requireNonNull(dataSource, "dataSource is null");
        requireNonNull(inForce, "inForce is null");
        subscriptions = List.copyOf(subscriptions);
        notEvaluated = List.copyOf(notEvaluated);
        requireNonNull(masks, "masks is null");
        rows = List.copyOf(rows);
    }

    /**
     * This plan for an engine that numbers its policies differently: {@code newNumbers} maps each number of the
     * engine that kept it to the new engine's (-1 for a policy the new one does not hold). This very plan when the
     * numbers of its policies stay as they were; empty when they are not in the same order, which a plan needs.
     */
    Optional<DataSourcePlan> renumbered(int[] newNumbers)
    {
        int[] renumbered = inForce;
        for (int i = 0; i < inForce.length; i++) {
            int number = newNumbers[inForce[i]];
            if (number < 0 || (i > 0 && number <= renumbered[i - 1])) {
                return Optional.empty();
            }
            if (number != inForce[i]) {
                if (renumbered == inForce) {
                    renumbered = inForce.clone();
                }
                renumbered[i] = number;
            }
        }
        return Optional.of(renumbered == inForce ? this : new DataSourcePlan(dataSource, renumbered, subscriptions, notEvaluated, masks, rows));
    }

    /**
     * The reasons of the policies not in force here, in policy order: the first reasons of every decision.
     *
     * @param everyPolicy the not-in-force reason of each of the engine's policies, by policy number
     */
    List<Reason> notInForce(List<Reason> everyPolicy)
    {
        return new NotInForceReasons(everyPolicy, inForce);
    }

    /** The reasons not in force, then those of masks overridden on a column: the first reasons of every decision that may read. */
    List<Reason> notInForceOrOverridden(List<Reason> everyPolicy)
    {
        return new ReasonList(notInForce(everyPolicy), masks.overridden());
    }

    /** Enough room for every reason a decision on this data source gives beyond {@link #notInForce}. */
    int reasonCapacity()
    {
        return subscriptions.size() + 2 + notEvaluated.size() + masks.policies().size() + rows.size();
    }

    /**
     * @param policies the masking policies in force, in creation order
     * @param conditions for each policy, the number of its applicability's condition in the engine's numbering
     * @param overridden reasons for policies overridden on a column by a more specific one, in column order
     * @param columns the columns some policy governs, in column order
     * @param reasons for each policy in {@code policies}, its reason when it applies to the user and when it does not
     */
    record Masks(List<MaskingPolicy> policies, int[] conditions, OverriddenReasons overridden, List<GovernedColumn> columns, List<MaskReasons> reasons)
    {
        Masks
        {
            policies = List.copyOf(policies);
            conditions = conditions.clone();
            requireNonNull(overridden, "overridden is null");
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

    /** @param governsAColumn whether the policy governs some column, so that its outcome depends on the user */
    record MaskReasons(boolean governsAColumn, Optional<Reason> whenApplies, Optional<Reason> whenNot)
    {
        /** For a policy that governs no column here because more specific ones govern every column it selects. */
        static final MaskReasons NONE = new MaskReasons(false, Optional.empty(), Optional.empty());

        MaskReasons
        {
            requireNonNull(whenApplies, "whenApplies is null");
            requireNonNull(whenNot, "whenNot is null");
        }

        /** The same reason whoever asks: for a policy that governs no column. */
        static MaskReasons always(Reason reason)
        {
            return new MaskReasons(false, Optional.of(reason), Optional.of(reason));
        }
    }

    /** A subscription policy in force, its condition's number, and its reasons when it admits the user and when not. */
    record PlannedSubscription(SubscriptionPolicy policy, int condition, Reason admits, Reason refuses)
    {
        PlannedSubscription
        {
            requireNonNull(policy, "policy is null");
            requireNonNull(admits, "admits is null");
            requireNonNull(refuses, "refuses is null");
        }
    }

    record PlannedRow(RowPolicy policy, int condition, Expression filter, Reason applied, Reason appliedWithNoRows, Reason notForUser)
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
