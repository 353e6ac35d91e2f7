package dev.warden.policy.engine;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

import static java.util.Objects.requireNonNull;

/**
 * The reasons of the policies not in force on one data source, in policy order: the engine's not-in-force reason of
 * every policy except those in force there. A view, so that a decision holds the numbers of the few policies in force
 * (its data source's plan's own array) rather than a copy of the hundreds of reasons that are not.
 */
final class NotInForceReasons
        extends AbstractList<Reason>
        implements RandomAccess
{
    private final List<Reason> everyPolicy;
    private final int[] inForce;

    /**
     * @param everyPolicy the not-in-force reason of each of the engine's policies, by policy number
     * @param inForce the numbers of the policies in force, ascending; taken as it is, not copied, and never changed,
     *         so that views with the same numbers share it: the caller must not change it either
     */
    NotInForceReasons(List<Reason> everyPolicy, int[] inForce)
    {
        this.everyPolicy = requireNonNull(everyPolicy, "everyPolicy is null");
        this.inForce = requireNonNull(inForce, "inForce is null");
    }

    @Override
    public Reason get(int index)
    {
        Objects.checkIndex(index, size());
        // inForce[j] - j counts the policies not in force below inForce[j]; it never decreases, so the policies in
        // force that come before the index-th one not in force are those with a count at most index.
        int low = 0;
        int high = inForce.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (inForce[middle] - middle <= index) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return everyPolicy.get(index + low);
    }

    @Override
    public int size()
    {
        return everyPolicy.size() - inForce.length;
    }
}
