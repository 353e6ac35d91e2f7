package dev.warden.policy.engine;

import dev.warden.policy.expr.Expression;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The masks of one decision, in column order, filled by the engine and then frozen by {@link Decision}, so that a
 * decision need not copy them. Once frozen it refuses every change.
 */
final class ColumnMasks
        extends AbstractMap<String, Expression>
{
    private final Map<String, Expression> masks;
    private boolean frozen;

    ColumnMasks(int expectedSize)
    {
        this.masks = LinkedHashMap.newLinkedHashMap(expectedSize);
    }

    @Override
    public Expression put(String column, Expression mask)
    {
        if (frozen) {
            throw new UnsupportedOperationException("a decision's masks cannot change");
        }
        return masks.put(column, mask);
    }

    @Override
    public Expression get(Object column)
    {
        return masks.get(column);
    }

    @Override
    public boolean containsKey(Object column)
    {
        return masks.containsKey(column);
    }

    @Override
    public Set<Entry<String, Expression>> entrySet()
    {
        return Collections.unmodifiableMap(masks).entrySet();
    }

    /** Makes the masks read-only for good; for the one decision they belong to. */
    ColumnMasks freeze()
    {
        frozen = true;
        return this;
    }
}
