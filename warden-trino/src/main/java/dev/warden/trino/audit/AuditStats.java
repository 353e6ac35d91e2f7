package dev.warden.trino.audit;

import dev.warden.client.QueryAuditSender;
import dev.warden.trino.jmx.AuditMBean;

import static java.util.Objects.requireNonNull;

/**
 * What the event listener shows operators over JMX ({@code dev.warden.trino:type=Audit}): whether query events reach
 * the server, or wait in the spool, or are being dropped.
 */
public final class AuditStats
        implements AuditMBean
{
    private final QueryAuditSender sender;

    AuditStats(QueryAuditSender sender)
    {
        this.sender = requireNonNull(sender, "sender is null");
    }

    @Override
    public long getSentEvents()
    {
        return sender.sentEvents();
    }

    @Override
    public long getDroppedEvents()
    {
        return sender.droppedEvents();
    }

    @Override
    public int getPendingBatches()
    {
        return sender.pendingBatches();
    }
}
