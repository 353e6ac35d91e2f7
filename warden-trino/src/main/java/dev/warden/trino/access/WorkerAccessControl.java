package dev.warden.trino.access;

import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemAccessControl;

import static java.util.Objects.requireNonNull;

/**
 * Warden's access control on a Trino worker. Trino decides on the coordinator and asks a worker's access control
 * nothing about queries; a worker runs the function Warden's masks hash through, which needs the key that seals masking
 * salts ({@link SealedSalts}). So a worker holds that key and follows no server: every query check is refused (the
 * SPI's defaults), and reading or writing the node's system information is for Warden's admins, as on the coordinator.
 */
public final class WorkerAccessControl
        implements SystemAccessControl
{
    private static final System.Logger LOG = System.getLogger(WorkerAccessControl.class.getName());

    private final WardenTrinoConfig config;

    public WorkerAccessControl(WardenTrinoConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        SealedSalts.register(config.clientConfig().apiKey());
        LOG.log(System.Logger.Level.INFO, "Warden on a worker: it holds the key to the masking salts of its queries and follows no Warden server; "
                + "the coordinator decides");
    }

    @Override
    public void checkCanReadSystemInformation(Identity identity)
    {
        WardenAccessControl.checkReadSystemInformation(isAdmin(identity));
    }

    @Override
    public void checkCanWriteSystemInformation(Identity identity)
    {
        WardenAccessControl.checkWriteSystemInformation(isAdmin(identity));
    }

    private boolean isAdmin(Identity identity)
    {
        return config.adminUsers().contains(identity.getUser()) || identity.getGroups().stream().anyMatch(config.adminGroups()::contains);
    }
}
