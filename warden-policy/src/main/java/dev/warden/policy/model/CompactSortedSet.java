package dev.warden.policy.model;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;

import static java.util.Objects.requireNonNull;

/**
 * An immutable sorted set in natural order, held in one array. The model keeps millions of tiny sets (the
 * tags of every column), for which an unmodifiable {@link java.util.TreeSet} costs about 150 bytes per set and
 * 40 per element; this costs 16 bytes plus 4 per element. Sub-sets are copies, which for an immutable set
 * cannot be told apart from views.
 */
final class CompactSortedSet<E extends Comparable<? super E>>
        extends AbstractSet<E>
        implements SortedSet<E>
{
    private static final CompactSortedSet<?> EMPTY = new CompactSortedSet<>(new Comparable<?>[0]);

    private static final int LINEAR_SEARCH_LIMIT = 8;

    private final Object[] elements;

    private CompactSortedSet(Object[] elements)
    {
        this.elements = elements;
    }

    /** The distinct values in natural order; like a {@link java.util.TreeSet}, refuses nulls and treats values that compare equal as one. */
    @SuppressWarnings("unchecked")
    static <E extends Comparable<? super E>> SortedSet<E> copyOf(Collection<? extends E> values)
    {
        if (values instanceof CompactSortedSet<?> compact) {
            return (SortedSet<E>) compact;
        }
        Object[] sorted = values.toArray();
        for (Object value : sorted) {
            requireNonNull(value, "set element is null");
        }
        if (!(values instanceof SortedSet<?> sortedSet && sortedSet.comparator() == null)) {
            Arrays.sort(sorted);
        }
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (distinct == 0 || ((E) sorted[distinct - 1]).compareTo((E) sorted[i]) != 0) {
                sorted[distinct++] = sorted[i];
            }
        }
        if (distinct == 0) {
            return (SortedSet<E>) EMPTY;
        }
        return new CompactSortedSet<>(distinct == sorted.length ? sorted : Arrays.copyOf(sorted, distinct));
    }

    @Override
    public int size()
    {
        return elements.length;
    }

    @Override
    public boolean contains(Object value)
    {
        // As TreeSet does, a null fails with NullPointerException.
        requireNonNull(value);
        if (elements.length <= LINEAR_SEARCH_LIMIT) {
            // A user's few groups or values: comparing cached hash codes beats a binary search of string comparisons.
            int hash = value.hashCode();
            for (Object element : elements) {
                if (element.hashCode() == hash && element.equals(value)) {
                    return true;
                }
            }
            return false;
        }
        return Arrays.binarySearch(elements, value) >= 0;
    }

    @Override
    public Iterator<E> iterator()
    {
        return new Iterator<>()
        {
            private int next;

            @Override
            public boolean hasNext()
            {
                return next < elements.length;
            }

            @Override
            @SuppressWarnings("unchecked")
            public E next()
            {
                if (next >= elements.length) {
                    throw new NoSuchElementException();
                }
                return (E) elements[next++];
            }
        };
    }

    @Override
    public Object[] toArray()
    {
        return elements.clone();
    }

    @Override
    public Comparator<? super E> comparator()
    {
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E first()
    {
        if (elements.length == 0) {
            throw new NoSuchElementException();
        }
        return (E) elements[0];
    }

    @Override
    @SuppressWarnings("unchecked")
    public E last()
    {
        if (elements.length == 0) {
            throw new NoSuchElementException();
        }
        return (E) elements[elements.length - 1];
    }

    @Override
    public SortedSet<E> subSet(E fromElement, E toElement)
    {
        if (fromElement.compareTo(toElement) > 0) {
            throw new IllegalArgumentException("fromElement > toElement");
        }
        return range(indexOf(fromElement), indexOf(toElement));
    }

    @Override
    public SortedSet<E> headSet(E toElement)
    {
        return range(0, indexOf(toElement));
    }

    @Override
    public SortedSet<E> tailSet(E fromElement)
    {
        return range(indexOf(fromElement), elements.length);
    }

    /** Index of the first element not less than {@code value}. */
    private int indexOf(E value)
    {
        int found = Arrays.binarySearch(elements, requireNonNull(value));
        return found >= 0 ? found : -found - 1;
    }

    @SuppressWarnings("unchecked")
    private SortedSet<E> range(int from, int to)
    {
        if (from == 0 && to == elements.length) {
            return this;
        }
        return from >= to ? (SortedSet<E>) EMPTY : new CompactSortedSet<>(Arrays.copyOfRange(elements, from, to));
    }
}
