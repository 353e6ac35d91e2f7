package dev.warden.policy.engine;

import java.util.AbstractList;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;

import static java.util.Objects.requireNonNull;

/**
 * A decision's reasons: the ones its data source's plan shares with every decision there, then the user's own.
 * Built only by the engine, from a plan's immutable list and a list the engine hands over and never touches
 * again; so a {@link Decision} can keep it without copying the hundreds of shared reasons on every decision.
 */
final class ReasonList
        extends AbstractList<Reason>
        implements RandomAccess
{
    private final List<Reason> shared;
    private final List<Reason> own;

    ReasonList(List<Reason> shared, List<Reason> own)
    {
        this.shared = requireNonNull(shared, "shared is null");
        this.own = requireNonNull(own, "own is null");
    }

    /** The reasons beyond the shared ones. */
    List<Reason> own()
    {
        return Collections.unmodifiableList(own);
    }

    @Override
    public Reason get(int index)
    {
        return index < shared.size() ? shared.get(index) : own.get(index - shared.size());
    }

    @Override
    public int size()
    {
        return shared.size() + own.size();
    }
}
