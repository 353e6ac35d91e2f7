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
        return create(properties, TrinoServerConfig.ofThisServer());
    }

    /**
     * On a worker ({@link TrinoServerConfig#isWorker}), an access control that holds the key masking salts are sealed
     * with and follows no server; on the coordinator, Warden's access control, following its server.
     *
     * @throws IllegalArgumentException when the coordinator lets expressions that may fail run ahead of row filters
     */
    public SystemAccessControl create(Map<String, String> properties, TrinoServerConfig server)
    {
        WardenTrinoConfig config = WardenTrinoConfig.parse(properties);
        if (server.isWorker()) {
            return new WorkerAccessControl(config);
        }
        if (server.allowsUnsafePushdown()) {
            throw new IllegalArgumentException(("Warden access control: %s=true in Trino's configuration (config.properties, or a -D in jvm.config) lets Trino run expressions that may fail "
                    + "ahead of row filters, so that a query's errors can show rows a filter hides; remove it").formatted(TrinoServerConfig.UNSAFE_PUSHDOWN));
        }
        WardenAccessControl accessControl = create(config, ledger);
        accessControl.start();
        return accessControl;
    }

    /** An access control that has not started following its server yet. */
    public static WardenAccessControl create(WardenTrinoConfig config, QueryLedger ledger)
    {
        return new WardenAccessControl(config, new PolicyReplica(config.clientConfig()), ledger);
    }
}
