package dev.warden.policy.engine;

import dev.warden.policy.engine.Reason.Outcome;
import dev.warden.policy.policies.MaskingPolicy;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

import static java.util.Objects.requireNonNull;

/**
 * The reasons of masks overridden on a column by a more specific mask, written out only when someone reads them:
 * a data source's plan holds one small record per overridden mask and column instead of a sentence.
 */
final class OverriddenReasons
        extends AbstractList<Reason>
        implements RandomAccess
{
    /** {@code policy} selects {@code column}, which {@code governing} governs instead. */
    record Overriding(MaskingPolicy policy, String column, MaskingPolicy governing)
    {
        Overriding
        {
            requireNonNull(policy, "policy is null");
            requireNonNull(column, "column is null");
            requireNonNull(governing, "governing is null");
        }

        Reason reason()
        {
            return new Reason(policy.id(), policy.name(), policy.kind(), Outcome.OVERRIDDEN, "column '" + column + "' is governed by the more specific policy '"
                    + governing.name() + "' (named column > deeper tag > name pattern; then earlier created)");
        }
    }

    private final List<Overriding> overridings;

    OverriddenReasons(List<Overriding> overridings)
    {
        this.overridings = List.copyOf(overridings);
    }

    @Override
    public Reason get(int index)
    {
        return overridings.get(index).reason();
    }

    @Override
    public int size()
    {
        return overridings.size();
    }
}
