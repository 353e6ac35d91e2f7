package dev.warden.trino.audit;

import dev.warden.client.QueryAuditSender;
import dev.warden.trino.config.WardenAuditConfig;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** {@code event-listener.name=warden}; the settings are described in {@link WardenAuditConfig}. */
public final class WardenEventListenerFactory
        implements EventListenerFactory
{
    public static final String NAME = "warden";

    private final QueryLedger ledger;

    /** @param ledger the ledger the plugin's access control records its decisions in */
    public WardenEventListenerFactory(QueryLedger ledger)
    {
        this.ledger = requireNonNull(ledger, "ledger is null");
    }

    @Override
    public String getName()
    {
        return NAME;
    }

    @Override
    public EventListener create(Map<String, String> properties, EventListenerContext context)
    {
        WardenAuditConfig config = WardenAuditConfig.parse(properties);
        return new WardenEventListener(config.source(), ledger, QueryAuditSender.start(config.senderConfig()));
    }
}
