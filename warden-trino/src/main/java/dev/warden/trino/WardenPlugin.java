package dev.warden.trino;

import dev.warden.trino.access.SaltedSha256Function;
import dev.warden.trino.access.WardenAccessControlFactory;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.audit.WardenEventListenerFactory;
import io.trino.spi.Plugin;
import io.trino.spi.eventlistener.EventListenerFactory;
import io.trino.spi.security.SystemAccessControlFactory;

import java.util.List;
import java.util.Set;

/**
 * What Trino loads from {@code plugin/warden/}: {@code access-control.name=warden} and
 * {@code event-listener.name=warden}, which share one {@link QueryLedger}, and the function Warden's masks hash with
 * ({@link SaltedSha256Function}).
 */
public final class WardenPlugin
        implements Plugin
{
    /** How many queries' records the ledger keeps before the event listener takes them; beyond it the oldest go. */
    public static final int LEDGER_CAPACITY = 10_000;

    /** Shared by the access control, which writes it, and the event listener, which reads it. */
    private final QueryLedger ledger = new QueryLedger(LEDGER_CAPACITY);

    public QueryLedger ledger()
    {
        return ledger;
    }

    @Override
    public Iterable<SystemAccessControlFactory> getSystemAccessControlFactories()
    {
        return List.of(new WardenAccessControlFactory(ledger));
    }

    @Override
    public Set<Class<?>> getFunctions()
    {
        return Set.of(SaltedSha256Function.class);
    }

    @Override
    public Iterable<EventListenerFactory> getEventListenerFactories()
    {
        return List.of(new WardenEventListenerFactory(ledger));
    }
}
