package dev.warden.trino.access;

import dev.warden.client.PolicyReplica;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** {@code access-control.name=warden}; the settings are described in {@link WardenTrinoConfig}. */
public final class WardenAccessControlFactory
        implements SystemAccessControlFactory
{
    public static final String NAME = "warden";

    private final QueryLedger ledger;

    /** @param ledger where the access control records what it decided per query, for the event listener */
    public WardenAccessControlFactory(QueryLedger ledger)
    {
        this.ledger = requireNonNull(ledger, "ledger is null");
    }

    @Override
    public String getName()
    {
        return NAME;
    }

    @Override
    public SystemAccessControl create(Map<String, String> properties, SystemAccessControlContext context)
    {
        WardenAccessControl accessControl = create(WardenTrinoConfig.parse(properties), ledger);
        accessControl.start();
        return accessControl;
    }

    /** An access control that has not started following its server yet. */
    public static WardenAccessControl create(WardenTrinoConfig config, QueryLedger ledger)
    {
        return new WardenAccessControl(config, new PolicyReplica(config.clientConfig()), ledger);
    }
}
