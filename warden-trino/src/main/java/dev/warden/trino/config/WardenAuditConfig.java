package dev.warden.trino.config;

import dev.warden.client.QueryAuditConfig;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The settings of Warden's Trino event listener, from {@code etc/event-listener.properties}. {@link #parse} reports
 * every unknown or invalid property at once, so that Trino stops at start with one message naming each of them.
 *
 * @param serverUri the Warden server that receives the query events
 * @param apiKey a key with permission SERVICE
 * @param source this Trino cluster's name in the audit log; by default the coordinator's host name
 * @param spoolDirectory where events wait until the server has them; by default {@code warden-audit} under
 *         {@code java.io.tmpdir}, which survives a restart of Trino but not necessarily of the machine
 * @param batchSize events per request, at most
 * @param flushInterval how long an event waits for its batch to fill, at most
 * @param spoolBudgetBytes the most the spool may take on disk; events beyond it are dropped, and logged
 */
public record WardenAuditConfig(
        URI serverUri,
        String apiKey,
        String source,
        Path spoolDirectory,
        int batchSize,
        Duration flushInterval,
        long spoolBudgetBytes)
{
    public static final String SOURCE = "warden.audit.source";
    public static final String SPOOL_DIRECTORY = "warden.audit.spool-dir";
    public static final String BATCH_SIZE = "warden.audit.batch-size";
    public static final String FLUSH_INTERVAL = "warden.audit.flush-interval";
    public static final String SPOOL_BUDGET = "warden.audit.spool-budget";

    private static final String COMPONENT = "Warden event listener";

    public WardenAuditConfig
    {
        requireNonNull(serverUri, "serverUri is null");
        requireNonNull(apiKey, "apiKey is null");
        requireNonNull(source, "source is null");
        requireNonNull(spoolDirectory, "spoolDirectory is null");
        requireNonNull(flushInterval, "flushInterval is null");
    }

    private static Map<String, String> defaults()
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(SOURCE, localHostName());
        defaults.put(SPOOL_DIRECTORY, Path.of(System.getProperty("java.io.tmpdir"), "warden-audit").toString());
        defaults.put(BATCH_SIZE, String.valueOf(QueryAuditConfig.DEFAULT_BATCH_SIZE));
        defaults.put(FLUSH_INTERVAL, "5s");
        defaults.put(SPOOL_BUDGET, "1GB");
        return defaults;
    }

    /**
     * @throws IllegalArgumentException naming every unknown property and every invalid value
     */
    public static WardenAuditConfig parse(Map<String, String> properties)
    {
        Map<String, String> defaults = defaults();
        List<String> problems = new ArrayList<>();
        Settings.rejectUnknown(properties, Settings.known(List.of(Settings.SERVER_URI, Settings.API_KEY), defaults), COMPONENT, problems);
        Map<String, String> values = new LinkedHashMap<>(defaults);
        values.putAll(properties);

        URI serverUri = Settings.serverUri(values, problems).orElse(null);
        String apiKey = Settings.required(values, Settings.API_KEY, problems).orElse(null);
        String source = Settings.required(values, SOURCE, problems).orElse(null);
        Path spoolDirectory = Settings.required(values, SPOOL_DIRECTORY, problems).map(value -> path(value, problems)).orElse(null);
        int batchSize = Settings.integer(values, BATCH_SIZE, 1, QueryAuditConfig.MAX_BATCH_SIZE, problems);
        int problemsBefore = problems.size();
        Duration flushInterval = Settings.duration(values, FLUSH_INTERVAL, problems);
        if (flushInterval.isZero() && problems.size() == problemsBefore) {
            problems.add(FLUSH_INTERVAL + ": must be longer than 0");
        }
        long spoolBudget = Settings.dataSize(values, SPOOL_BUDGET, problems);
        Settings.throwIfAny(problems, COMPONENT);
        return new WardenAuditConfig(serverUri, apiKey, source, spoolDirectory, batchSize, flushInterval, spoolBudget);
    }

    /** How the sender inside the plugin batches, spools and sends. */
    public QueryAuditConfig senderConfig()
    {
        return QueryAuditConfig.of(serverUri, apiKey, spoolDirectory)
                .withBatching(batchSize, flushInterval)
                .withSpoolBudgetBytes(spoolBudgetBytes);
    }

    /** So that the key does not end up in logs. */
    @Override
    public String toString()
    {
        return "WardenAuditConfig[serverUri=%s, apiKey=***, source=%s, spoolDirectory=%s, batchSize=%d, flushInterval=%s, spoolBudgetBytes=%d]"
                .formatted(serverUri, source, spoolDirectory, batchSize, flushInterval, spoolBudgetBytes);
    }

    private static Path path(String value, List<String> problems)
    {
        try {
            return Path.of(value);
        }
        catch (InvalidPathException e) {
            problems.add(SPOOL_DIRECTORY + ": not a path: " + e.getMessage());
            return null;
        }
    }

    private static String localHostName()
    {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException e) {
            return "trino";
        }
    }
}
