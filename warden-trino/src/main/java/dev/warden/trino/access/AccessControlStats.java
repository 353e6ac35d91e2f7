package dev.warden.trino.access;

import dev.warden.client.PolicyReplica;
import dev.warden.trino.jmx.AccessControlMBean;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * What the coordinator's access control shows operators over JMX ({@code dev.warden.trino:type=AccessControl}):
 * whether it has policies and hears from its server, and how often it refused.
 */
public final class AccessControlStats
        implements AccessControlMBean
{
    private final PolicyReplica replica;
    private final LongSupplier policyRevision;
    private final LongAdder denials = new LongAdder();
    private final LongAdder undecidedChecks = new LongAdder();

    AccessControlStats(PolicyReplica replica, LongSupplier policyRevision)
    {
        this.replica = requireNonNull(replica, "replica is null");
        this.policyRevision = requireNonNull(policyRevision, "policyRevision is null");
    }

    void denied()
    {
        denials.increment();
    }

    void undecided()
    {
        undecidedChecks.increment();
    }

    @Override
    public long getPolicyRevision()
    {
        return policyRevision.getAsLong();
    }

    @Override
    public long getMillisSinceServerContact()
    {
        return replica.sinceLastContact().map(Duration::toMillis).orElse(-1L);
    }

    @Override
    public long getStalenessBoundMillis()
    {
        return replica.stalenessBound().toMillis();
    }

    @Override
    public int getStale()
    {
        return replica.isStale() ? 1 : 0;
    }

    @Override
    public String getLastError()
    {
        return replica.lastError().orElse("");
    }

    @Override
    public long getSnapshotsTaken()
    {
        return replica.snapshotsTaken();
    }

    @Override
    public long getDenials()
    {
        return denials.sum();
    }

    @Override
    public long getUndecidedChecks()
    {
        return undecidedChecks.sum();
    }
}
