package dev.warden.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How a {@link QueryAuditSender} batches, spools and sends query events.
 *
 * @param serverUri the server's base address, such as {@code http://warden:8470}
 * @param apiKey an API key ({@code wdn_...}) with permission SERVICE
 * @param spoolDirectory where events wait until the server has them; one sender per directory
 * @param batchSize a batch is sent once it holds this many events (1 to 1,000)
 * @param flushInterval ... or once its first event has waited this long
 * @param spoolBudgetBytes the most the spool files may take on disk; events beyond it are dropped, and logged
 * @param retryBackoffMin the first delay before sending a batch again after a failure
 * @param retryBackoffMax the longest delay between attempts; delays double from the minimum up to it
 */
public record QueryAuditConfig(
        URI serverUri,
        String apiKey,
        Path spoolDirectory,
        int batchSize,
        Duration flushInterval,
        long spoolBudgetBytes,
        Duration retryBackoffMin,
        Duration retryBackoffMax)
{
    /** The server takes at most this many events in one request. */
    public static final int MAX_BATCH_SIZE = 1_000;
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
    public static final long DEFAULT_SPOOL_BUDGET_BYTES = 1024L * 1024 * 1024;
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(60);

    public QueryAuditConfig
    {
        requireNonNull(serverUri, "serverUri is null");
        requireNonNull(apiKey, "apiKey is null");
        requireNonNull(spoolDirectory, "spoolDirectory is null");
        requireNonNull(flushInterval, "flushInterval is null");
        requireNonNull(retryBackoffMin, "retryBackoffMin is null");
        requireNonNull(retryBackoffMax, "retryBackoffMax is null");
        if (!"http".equals(serverUri.getScheme()) && !"https".equals(serverUri.getScheme()) || serverUri.getHost() == null) {
            throw new IllegalArgumentException("serverUri must be an http or https address with a host, not '%s'".formatted(serverUri));
        }
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is empty");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be between 1 and %d, not %d".formatted(MAX_BATCH_SIZE, batchSize));
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flushInterval must be positive, not " + flushInterval);
        }
        if (spoolBudgetBytes < 1) {
            throw new IllegalArgumentException("spoolBudgetBytes must be positive, not " + spoolBudgetBytes);
        }
        if (retryBackoffMin.isNegative() || retryBackoffMin.isZero()) {
            throw new IllegalArgumentException("retryBackoffMin must be positive, not " + retryBackoffMin);
        }
        if (retryBackoffMax.compareTo(retryBackoffMin) < 0) {
            throw new IllegalArgumentException("retryBackoffMax (%s) must not be less than retryBackoffMin (%s)".formatted(retryBackoffMax, retryBackoffMin));
        }
    }

    /** A configuration with every default. */
    public static QueryAuditConfig of(URI serverUri, String apiKey, Path spoolDirectory)
    {
        return new QueryAuditConfig(serverUri, apiKey, spoolDirectory, DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL, DEFAULT_SPOOL_BUDGET_BYTES,
                DEFAULT_RETRY_BACKOFF_MIN, DEFAULT_RETRY_BACKOFF_MAX);
    }

    public QueryAuditConfig withBatching(int batchSize, Duration flushInterval)
    {
        return new QueryAuditConfig(serverUri, apiKey, spoolDirectory, batchSize, flushInterval, spoolBudgetBytes, retryBackoffMin, retryBackoffMax);
    }

    public QueryAuditConfig withSpoolBudgetBytes(long spoolBudgetBytes)
    {
        return new QueryAuditConfig(serverUri, apiKey, spoolDirectory, batchSize, flushInterval, spoolBudgetBytes, retryBackoffMin, retryBackoffMax);
    }

    public QueryAuditConfig withRetryBackoff(Duration min, Duration max)
    {
        return new QueryAuditConfig(serverUri, apiKey, spoolDirectory, batchSize, flushInterval, spoolBudgetBytes, min, max);
    }

    /** So that the key does not end up in logs. */
    @Override
    public String toString()
    {
        return "QueryAuditConfig[serverUri=%s, apiKey=***, spoolDirectory=%s, batchSize=%d, flushInterval=%s, spoolBudgetBytes=%d, retryBackoffMin=%s, retryBackoffMax=%s]"
                .formatted(serverUri, spoolDirectory, batchSize, flushInterval, spoolBudgetBytes, retryBackoffMin, retryBackoffMax);
    }
}
