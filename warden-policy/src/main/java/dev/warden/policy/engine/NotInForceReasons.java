package dev.warden.policy.engine;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.function.IntUnaryOperator;

import static java.util.Objects.requireNonNull;

/**
 * The reasons of the policies not in force on one data source, in policy order: the engine's not-in-force reason of
 * every policy except those in force there. A view, so that a data source's plan holds the few policies in force
 * rather than a copy of the hundreds of reasons that are not.
 */
final class NotInForceReasons
        extends AbstractList<Reason>
        implements RandomAccess
{
    private final List<Reason> everyPolicy;
    private final int[] inForce;

    /**
     * @param everyPolicy the not-in-force reason of each of the engine's policies, by policy number
     * @param inForce the numbers of the policies in force, ascending
     */
    NotInForceReasons(List<Reason> everyPolicy, int[] inForce)
    {
        this.everyPolicy = requireNonNull(everyPolicy, "everyPolicy is null");
        this.inForce = inForce.clone();
    }

    /**
     * The same policies in force, for an engine that numbers its policies differently: {@code newNumber} maps each
     * number of this view's engine to the new engine's. Empty when the new numbers are not in the same order, which
     * a plan needs them to be.
     *
     * @param everyPolicy the new engine's not-in-force reasons, by its policy numbers
     */
    Optional<NotInForceReasons> renumbered(List<Reason> everyPolicy, IntUnaryOperator newNumber)
    {
        int[] renumbered = new int[inForce.length];
        for (int i = 0; i < inForce.length; i++) {
            renumbered[i] = newNumber.applyAsInt(inForce[i]);
            if (renumbered[i] < 0 || (i > 0 && renumbered[i] <= renumbered[i - 1])) {
                return Optional.empty();
            }
        }
        return Optional.of(new NotInForceReasons(everyPolicy, renumbered));
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
