package dev.warden.trino.access;

import dev.warden.client.PolicyReplica;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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

    /**
     * On a worker (see {@link WorkerAccessControl#isWorker}), an access control that holds the key masking salts are
     * sealed with and follows no server; on the coordinator, Warden's access control, following its server.
     */
    @Override
    public SystemAccessControl create(Map<String, String> properties, SystemAccessControlContext context)
    {
        WardenTrinoConfig config = WardenTrinoConfig.parse(properties);
        if (WorkerAccessControl.isWorker(Optional.ofNullable(System.getProperty("config")).map(Path::of))) {
            return new WorkerAccessControl(config);
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
