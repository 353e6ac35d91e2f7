package dev.warden.server.store;

/** A write was based on a revision that is no longer current. */
public final class StaleRevisionException
        extends RuntimeException
{
    private final long expected;
    private final long current;

    public StaleRevisionException(long expected, long current)
    {
        super("the change was based on revision %d, but the state is at revision %d".formatted(expected, current));
        this.expected = expected;
        this.current = current;
    }

    public long expected()
    {
        return expected;
    }

    public long current()
    {
        return current;
    }
}
