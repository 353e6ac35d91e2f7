package dev.warden.trino.jmx;

/**
 * The attributes of {@code dev.warden.trino:type=AccessControl}, the coordinator's access control's MBean. All but the
 * last error are numbers, so that Trino's {@code /metrics} endpoint exports each as a gauge.
 */
public interface AccessControlMBean
{
    /** The policy revision queries are decided on; -1 before the first snapshot has arrived. */
    long getPolicyRevision();

    /** How long ago the server last answered the replica; -1 before it first has. */
    long getMillisSinceServerContact();

    long getStalenessBoundMillis();

    /**
     * 1 while registered data is refused to everyone but admins: no policies have arrived yet, or the server has
     * not answered within the staleness bound; else 0.
     */
    int getStale();

    /** The replica's last failure to follow its server; empty when its last request succeeded. */
    String getLastError();

    /** Snapshots the replica has taken: one at start, then one whenever it fell behind the change log. */
    long getSnapshotsTaken();

    /** Checks refused since start (each is also in the query's audit event). */
    long getDenials();

    /** Checks refused, or tables hidden, since start because Warden could not decide; each is logged with its error. */
    long getUndecidedChecks();
}
