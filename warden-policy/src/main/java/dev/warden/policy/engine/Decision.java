package dev.warden.policy.engine;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.model.AccessValue;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * What one user may do with one data source and what they see.
 *
 * @param accessValues empty when the user may not access the data source at all
 * @param masks column name to the expression that replaces it, in the data source's column order
 * @param rowFilter the rows the user may see; empty when they see every row
 * @param reasons every policy in force, whether it applied, and why
 */
public record Decision(
        String userName,
        String dataSourceId,
        Set<AccessValue> accessValues,
        Map<String, Expression> masks,
        Optional<Expression> rowFilter,
        List<Reason> reasons)
{
    public Decision
    {
        requireNonNull(userName, "userName is null");
        requireNonNull(dataSourceId, "dataSourceId is null");
        accessValues = Set.copyOf(accessValues);
        masks = masks instanceof ColumnMasks engineMasks ? engineMasks.freeze() : Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        requireNonNull(rowFilter, "rowFilter is null");
        // The engine hands over reasons already immutable (a plan's shared part and the user's part); copy anything else.
        reasons = reasons instanceof ReasonList ? reasons : List.copyOf(reasons);
    }

    /**
     * The reasons that depend on who asks: every reason except the data source's policies not in force and masks
     * overridden on a column, which come first in {@link #reasons}. Cheaper to scan than all of them, which can run
     * to one per policy.
     */
    public List<Reason> userReasons()
    {
        if (reasons instanceof ReasonList list) {
            return list.own();
        }
        return reasons.stream()
                .filter(reason -> reason.outcome() != Reason.Outcome.NOT_IN_FORCE && reason.outcome() != Reason.Outcome.OVERRIDDEN)
                .toList();
    }

    public boolean allows(AccessValue value)
    {
        return accessValues.contains(value);
    }

    public boolean hasAccess()
    {
        return !accessValues.isEmpty();
    }
}
