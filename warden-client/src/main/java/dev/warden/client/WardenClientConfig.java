package dev.warden.client;

import java.net.URI;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How a {@link PolicyReplica} reaches the server and how it behaves when it cannot.
 *
 * @param serverUri the server's base address, such as {@code http://warden:8080}
 * @param apiKey an API key ({@code wdn_...}) with permission SERVICE
 * @param pollWaitSeconds how long the server may hold a change-stream request open when nothing changes (0 to 60)
 * @param reconnectBackoffMin the first delay before retrying after a failed request
 * @param reconnectBackoffMax the longest delay between retries; delays double from the minimum up to it
 * @param stalenessBound how long without a successful response before the replica counts as stale
 * @param planCacheDataSources how many data sources' plans the replica's engine keeps, so that deciding on one
 *         need not plan it first; past it, the cache starts afresh
 */
public record WardenClientConfig(
        URI serverUri,
        String apiKey,
        int pollWaitSeconds,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        Duration stalenessBound,
        int planCacheDataSources)
{
    public static final int DEFAULT_POLL_WAIT_SECONDS = 30;
    public static final Duration DEFAULT_RECONNECT_BACKOFF_MIN = Duration.ofMillis(200);
    public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STALENESS_BOUND = Duration.ofSeconds(60);
    /** Enough for every table of most deployments; a plan takes 10 to 20 KB on a heavy policy workload (docs/benchmarks.md). */
    public static final int DEFAULT_PLAN_CACHE_DATA_SOURCES = 16_384;
    /** The server holds a change-stream request open for at most this long. */
    public static final int MAX_POLL_WAIT_SECONDS = 60;

    public WardenClientConfig
    {
        requireNonNull(serverUri, "serverUri is null");
        requireNonNull(apiKey, "apiKey is null");
        requireNonNull(reconnectBackoffMin, "reconnectBackoffMin is null");
        requireNonNull(reconnectBackoffMax, "reconnectBackoffMax is null");
        requireNonNull(stalenessBound, "stalenessBound is null");
        if (!"http".equals(serverUri.getScheme()) && !"https".equals(serverUri.getScheme())) {
            throw new IllegalArgumentException("serverUri must be an http or https address, not '%s'".formatted(serverUri));
        }
        if (serverUri.getHost() == null) {
            throw new IllegalArgumentException("serverUri must name a host: '%s'".formatted(serverUri));
        }
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is empty");
        }
        if (pollWaitSeconds < 0 || pollWaitSeconds > MAX_POLL_WAIT_SECONDS) {
            throw new IllegalArgumentException("pollWaitSeconds must be between 0 and %d, not %d".formatted(MAX_POLL_WAIT_SECONDS, pollWaitSeconds));
        }
        if (reconnectBackoffMin.isNegative() || reconnectBackoffMin.isZero()) {
            throw new IllegalArgumentException("reconnectBackoffMin must be positive, not " + reconnectBackoffMin);
        }
        if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnectBackoffMax (%s) must not be less than reconnectBackoffMin (%s)".formatted(reconnectBackoffMax, reconnectBackoffMin));
        }
        // A replica hears from a quiet server once per poll wait; a shorter bound would call a healthy replica stale.
        if (stalenessBound.compareTo(Duration.ofSeconds(pollWaitSeconds)) <= 0) {
            throw new IllegalArgumentException("stalenessBound (%s) must be longer than pollWaitSeconds (%d s)".formatted(stalenessBound, pollWaitSeconds));
        }
        if (planCacheDataSources < 0) {
            throw new IllegalArgumentException("planCacheDataSources must not be negative, not " + planCacheDataSources);
        }
    }

    /** A configuration with every default. */
    public static WardenClientConfig of(URI serverUri, String apiKey)
    {
        return new WardenClientConfig(serverUri, apiKey, DEFAULT_POLL_WAIT_SECONDS, DEFAULT_RECONNECT_BACKOFF_MIN, DEFAULT_RECONNECT_BACKOFF_MAX, DEFAULT_STALENESS_BOUND, DEFAULT_PLAN_CACHE_DATA_SOURCES);
    }

    public WardenClientConfig withPollWaitSeconds(int pollWaitSeconds)
    {
        return new WardenClientConfig(serverUri, apiKey, pollWaitSeconds, reconnectBackoffMin, reconnectBackoffMax, stalenessBound, planCacheDataSources);
    }

    public WardenClientConfig withReconnectBackoff(Duration min, Duration max)
    {
        return new WardenClientConfig(serverUri, apiKey, pollWaitSeconds, min, max, stalenessBound, planCacheDataSources);
    }

    public WardenClientConfig withStalenessBound(Duration stalenessBound)
    {
        return new WardenClientConfig(serverUri, apiKey, pollWaitSeconds, reconnectBackoffMin, reconnectBackoffMax, stalenessBound, planCacheDataSources);
    }

    public WardenClientConfig withPlanCacheDataSources(int planCacheDataSources)
    {
        return new WardenClientConfig(serverUri, apiKey, pollWaitSeconds, reconnectBackoffMin, reconnectBackoffMax, stalenessBound, planCacheDataSources);
    }

    /** So that the key does not end up in logs. */
    @Override
    public String toString()
    {
        return "WardenClientConfig[serverUri=%s, apiKey=***, pollWaitSeconds=%d, reconnectBackoffMin=%s, reconnectBackoffMax=%s, stalenessBound=%s, planCacheDataSources=%d]"
                .formatted(serverUri, pollWaitSeconds, reconnectBackoffMin, reconnectBackoffMax, stalenessBound, planCacheDataSources);
    }
}
