package dev.warden.server.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The server's metrics in Prometheus' text format: requests by route, method and status, their latency as a
 * histogram, the current revision, and the replicas waiting on the change stream.
 */
public final class ServerMetrics
{
    private static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private record RequestKey(String method, String route, int status) {}

    private record RouteKey(String method, String route) {}

    private static final class Histogram
    {
        final LongAdder[] buckets = new LongAdder[LATENCY_BUCKETS_SECONDS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        Histogram()
        {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(long nanos)
        {
            double seconds = nanos / 1e9;
            for (int i = 0; i < buckets.length; i++) {
                if (seconds <= LATENCY_BUCKETS_SECONDS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }
    }

    private final ConcurrentHashMap<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouteKey, Histogram> latencies = new ConcurrentHashMap<>();
    private final AtomicInteger waitingReplicas = new AtomicInteger();
    private final LongSupplier revision;

    public ServerMetrics(LongSupplier revision)
    {
        this.revision = requireNonNull(revision, "revision is null");
    }

    /** Records one finished request; {@code route} is the matched path pattern, never the raw path. */
    public void request(String method, String route, int status, long nanos)
    {
        requests.computeIfAbsent(new RequestKey(method, route, status), _ -> new LongAdder()).increment();
        latencies.computeIfAbsent(new RouteKey(method, route), _ -> new Histogram()).observe(nanos);
    }

    /** Counts a replica waiting on the change stream until the returned handle is closed. */
    public AutoCloseable replicaWaiting()
    {
        waitingReplicas.incrementAndGet();
        return waitingReplicas::decrementAndGet;
    }

    public String prometheusText()
    {
        StringBuilder text = new StringBuilder();
        text.append("# HELP warden_http_requests_total HTTP requests served, by method, route and status.\n");
        text.append("# TYPE warden_http_requests_total counter\n");
        sorted(requests).forEach((key, count) -> text.append("warden_http_requests_total{method=\"").append(key.method())
                .append("\",route=\"").append(escape(key.route())).append("\",status=\"").append(key.status()).append("\"} ").append(count.sum()).append('\n'));
        text.append("# HELP warden_http_request_duration_seconds Time to serve HTTP requests, by method and route.\n");
        text.append("# TYPE warden_http_request_duration_seconds histogram\n");
        sorted(latencies).forEach((key, histogram) -> {
            String labels = "method=\"" + key.method() + "\",route=\"" + escape(key.route()) + "\"";
            long cumulative = 0;
            for (int i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) {
                cumulative += histogram.buckets[i].sum();
                text.append("warden_http_request_duration_seconds_bucket{").append(labels).append(",le=\"")
                        .append(String.format(Locale.ROOT, "%s", LATENCY_BUCKETS_SECONDS[i])).append("\"} ").append(cumulative).append('\n');
            }
            text.append("warden_http_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(histogram.count.sum()).append('\n');
            text.append("warden_http_request_duration_seconds_sum{").append(labels).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", histogram.sumNanos.sum() / 1e9)).append('\n');
            text.append("warden_http_request_duration_seconds_count{").append(labels).append("} ").append(histogram.count.sum()).append('\n');
        });
        text.append("# HELP warden_state_revision The revision of the policy state.\n");
        text.append("# TYPE warden_state_revision gauge\n");
        text.append("warden_state_revision ").append(revision.getAsLong()).append('\n');
        text.append("# HELP warden_replicas_waiting Replicas waiting on the change stream now.\n");
        text.append("# TYPE warden_replicas_waiting gauge\n");
        text.append("warden_replicas_waiting ").append(waitingReplicas.get()).append('\n');
        return text.toString();
    }

    private static <K, V> Map<K, V> sorted(Map<K, V> map)
    {
        Map<K, V> sorted = new TreeMap<>((left, right) -> left.toString().compareTo(right.toString()));
        sorted.putAll(map);
        return sorted;
    }

    private static String escape(String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
