package dev.warden.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The server's configuration: a properties file (optional) overlaid by environment variables, each key with its own
 * variable ({@code http.port} ← {@code WARDEN_SERVER_HTTP_PORT}). Every key is checked at start; an unknown key in
 * the file or an unknown {@code WARDEN_SERVER_*} variable stops start-up, naming it.
 *
 * @param storeUrl JDBC URL of the metadata store; the embedded default is an H2 file database in {@code dataDirectory}
 * @param bootstrapAdminKey an admin API key to create on first start instead of generating one
 * @param secretsKey the key that encrypts stored secrets; empty: one kept in {@code dataDirectory}
 */
public record ServerConfig(
        String httpHost,
        int httpPort,
        int maxRequestMegabytes,
        Path dataDirectory,
        String storeUrl,
        String storeUser,
        String storePassword,
        int storePoolSize,
        Optional<String> bootstrapAdminKey,
        int changeLogRetention,
        int planCacheDataSources,
        Optional<String> secretsKey)
{
    public static final String ENVIRONMENT_PREFIX = "WARDEN_SERVER_";

    /** Every key the server knows, with its default ({@code null}: none). */
    private static final Map<String, String> DEFAULTS = defaults();

    public ServerConfig
    {
        requireNonNull(httpHost, "httpHost is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(storeUrl, "storeUrl is null");
        requireNonNull(storeUser, "storeUser is null");
        requireNonNull(storePassword, "storePassword is null");
        requireNonNull(bootstrapAdminKey, "bootstrapAdminKey is null");
        requireNonNull(secretsKey, "secretsKey is null");
    }

    private static Map<String, String> defaults()
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("http.host", "127.0.0.1");
        defaults.put("http.port", "8470");
        defaults.put("http.max-request-mb", "256");
        defaults.put("data-dir", "./warden-data");
        defaults.put("store.url", null);
        defaults.put("store.user", "");
        defaults.put("store.password", "");
        defaults.put("store.pool-size", "10");
        defaults.put("bootstrap.admin-key", null);
        defaults.put("change-log.retention", "100000");
        defaults.put("engine.plan-cache", "16384");
        defaults.put("secrets.key", null);
        return defaults;
    }

    /** The environment variable that sets {@code key}: {@code store.pool-size} → {@code WARDEN_SERVER_STORE_POOL_SIZE}. */
    public static String environmentVariable(String key)
    {
        return ENVIRONMENT_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static ServerConfig embedded(Path dataDirectory)
    {
        return load(Map.of("data-dir", dataDirectory.toString()), Map.of());
    }

    /** Reads {@code file} (when present) and the environment. */
    public static ServerConfig load(Optional<Path> file, Map<String, String> overrides, Map<String, String> environment)
    {
        Map<String, String> values = new LinkedHashMap<>();
        if (file.isPresent()) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file.get())) {
                properties.load(reader);
            }
            catch (IOException e) {
                throw new InvalidConfigException(List.of("cannot read configuration file %s: %s".formatted(file.get(), e.getMessage())));
            }
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        }
        values.putAll(overrides);
        return load(values, environment);
    }

    static ServerConfig load(Map<String, String> fileValues, Map<String, String> environment)
    {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(fileValues.keySet())) {
            if (!DEFAULTS.containsKey(key)) {
                problems.add("unknown key '%s'; known keys are %s".formatted(key, String.join(", ", DEFAULTS.keySet())));
            }
        }
        Map<String, String> byVariable = new LinkedHashMap<>();
        DEFAULTS.keySet().forEach(key -> byVariable.put(environmentVariable(key), key));
        for (String variable : new TreeSet<>(environment.keySet())) {
            if (variable.startsWith(ENVIRONMENT_PREFIX) && !byVariable.containsKey(variable)) {
                problems.add("unknown environment variable %s; known are %s".formatted(variable, String.join(", ", byVariable.keySet())));
            }
        }

        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        fileValues.forEach((key, value) -> {
            if (DEFAULTS.containsKey(key)) {
                values.put(key, value.strip());
            }
        });
        byVariable.forEach((variable, key) -> {
            if (environment.containsKey(variable)) {
                values.put(key, environment.get(variable).strip());
            }
        });

        String host = values.get("http.host");
        if (host.isEmpty()) {
            problems.add("http.host: must not be empty");
        }
        int port = integer(values, "http.port", 0, 65_535, problems);
        int maxRequestMegabytes = integer(values, "http.max-request-mb", 1, 4_096, problems);
        Path dataDirectory = Path.of(values.get("data-dir").isEmpty() ? "." : values.get("data-dir"));
        String storeUrl = Optional.ofNullable(values.get("store.url")).filter(url -> !url.isEmpty())
                // H2 otherwise writes a commit to its file up to 500 ms later: a server killed in between would lose a
                // change it had acknowledged.
                .orElse("jdbc:h2:file:" + dataDirectory.toAbsolutePath().normalize().resolve("warden") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        if (!storeUrl.startsWith("jdbc:h2:") && !storeUrl.startsWith("jdbc:postgresql:")) {
            problems.add("store.url: '%s' is neither an H2 (jdbc:h2:...) nor a PostgreSQL (jdbc:postgresql:...) URL".formatted(storeUrl));
        }
        int poolSize = integer(values, "store.pool-size", 1, 1_000, problems);
        Optional<String> bootstrapKey = Optional.ofNullable(values.get("bootstrap.admin-key")).filter(key -> !key.isEmpty());
        if (bootstrapKey.isPresent() && bootstrapKey.get().length() < 32) {
            problems.add("bootstrap.admin-key: must be at least 32 characters long");
        }
        int retention = integer(values, "change-log.retention", 1_000, Integer.MAX_VALUE, problems);
        int planCache = integer(values, "engine.plan-cache", 0, 10_000_000, problems);
        Optional<String> secretsKey = Optional.ofNullable(values.get("secrets.key")).filter(key -> !key.isEmpty());
        if (secretsKey.isPresent() && !isBase64Key(secretsKey.get())) {
            problems.add("secrets.key: must be 32 random bytes in base64 (openssl rand -base64 32)");
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new ServerConfig(host, port, maxRequestMegabytes, dataDirectory, storeUrl, values.get("store.user"), values.get("store.password"),
                poolSize, bootstrapKey, retention, planCache, secretsKey);
    }

    /** So that passwords and keys do not end up in logs. */
    @Override
    public String toString()
    {
        return "ServerConfig[httpHost=%s, httpPort=%d, maxRequestMegabytes=%d, dataDirectory=%s, storeUrl=%s, storeUser=%s, storePassword=***, storePoolSize=%d, bootstrapAdminKey=%s, changeLogRetention=%d, planCacheDataSources=%d, secretsKey=%s]"
                .formatted(httpHost, httpPort, maxRequestMegabytes, dataDirectory, storeUrl, storeUser, storePoolSize,
                        bootstrapAdminKey.map(_ -> "***"), changeLogRetention, planCacheDataSources, secretsKey.map(_ -> "***"));
    }

    private static boolean isBase64Key(String text)
    {
        try {
            return java.util.Base64.getDecoder().decode(text).length == 32;
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int integer(Map<String, String> values, String key, int min, int max, List<String> problems)
    {
        String text = values.get(key);
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                problems.add("%s: %d is out of range [%d, %d]".formatted(key, value, min, max));
            }
            return value;
        }
        catch (NumberFormatException e) {
            problems.add("%s: '%s' is not a whole number".formatted(key, text));
            return min;
        }
    }

    public boolean isEmbeddedStore()
    {
        return storeUrl.startsWith("jdbc:h2:");
    }
}
