package dev.warden.trino.jmx;

/**
 * The attributes of {@code dev.warden.trino:type=Audit}, the event listener's MBean. Numbers,
 * so that Trino's {@code /metrics} endpoint exports each as a gauge.
 */
public interface AuditMBean
{
    /** Events the server has acknowledged since start. */
    long getSentEvents();

    /** Events dropped since start: the spool was over its budget or could not be written. */
    long getDroppedEvents();

    /** Batches spooled and not yet acknowledged, the open one included; grows while the server cannot be reached. */
    int getPendingBatches();
}
