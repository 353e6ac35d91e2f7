package dev.warden.trino.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A real Trino 476 server in a process of its own, installed the way docs/trino.md tells a user: the cached server
 * distribution from bin/fetch-trino-server, the Warden plugin directory copied into {@code plugin/}, and
 * {@code etc/access-control.properties}. Each server gets its own installation directory (the cache is never
 * changed), a free HTTP port, the tpch and memory catalogs, and is queried through Trino's JDBC driver.
 */
public final class TrinoServerProcess
        implements AutoCloseable
{
    public static final String TRINO_VERSION = "476";
    private static final String STARTED = "======== SERVER STARTED ========";
    private static final List<String> CONNECTOR_PLUGINS = List.of("tpch", "memory");
    private static final String READINESS_USER = "trino-readiness-check";
    private static final String NOT_READY = "no active node yet";
    /** How long Trino 476's node selector keeps its node map (UniformNodeSelectorFactory), with a margin. */
    private static final Duration NODE_MAP_MEMOIZATION = Duration.ofMillis(5_500);
    /** The same query as bin/lib/quickstart.sh waits with: it fails until the coordinator lists an active node. */
    private static final String READINESS_QUERY = "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE fail('" + NOT_READY + "') END FROM system.runtime.nodes WHERE state = 'active'";
    private static final String INCLUDE_COORDINATOR = "node-scheduler.include-coordinator";

    private final Process process;
    private final int port;
    private final ProcessOutput output;

    private TrinoServerProcess(Process process, int port, ProcessOutput output)
    {
        this.process = requireNonNull(process, "process is null");
        this.port = port;
        this.output = requireNonNull(output, "output is null");
    }

    /**
     * The cached Trino server, as bin/fetch-trino-server lays it out. When it is missing the calling test fails if
     * the environment variable CI is set (CI must run everything), and is skipped otherwise, with a message saying
     * how to fetch it.
     */
    public static Path requireCachedServer()
    {
        Path server = cacheDirectory().resolve("trino-server-" + TRINO_VERSION).resolve("trino-server-core-" + TRINO_VERSION);
        // bin/fetch-trino-server writes its marker last, so a server without it is incomplete.
        if (!Files.isRegularFile(server.getParent().resolve(".complete")) || !Files.isExecutable(server.resolve("bin/launcher"))) {
            missing("No Trino %s server in %s: run bin/fetch-trino-server once (about 220 MB from Maven Central)".formatted(TRINO_VERSION, server));
        }
        return server;
    }

    /** Trino's command-line client as bin/fetch-trino-cli caches it; missing, as for {@link #requireCachedServer()}. */
    public static Path requireCachedCli()
    {
        Path jar = cacheDirectory().resolve("trino-cli-" + TRINO_VERSION).resolve("trino-cli-%s-executable.jar".formatted(TRINO_VERSION));
        if (!Files.isRegularFile(jar)) {
            missing("No Trino %s command-line client at %s: run bin/fetch-trino-cli once".formatted(TRINO_VERSION, jar));
        }
        return jar;
    }

    /** The cache of bin/fetch-trino-server and bin/fetch-trino-cli: ${WARDEN_CACHE:-$HOME/.cache/warden}. */
    private static Path cacheDirectory()
    {
        return Optional.ofNullable(System.getenv("WARDEN_CACHE"))
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "warden"));
    }

    private static void missing(String message)
    {
        if (System.getenv("CI") != null) {
            throw new IllegalStateException(message + "; CI is set, so tests that need it fail instead of skipping");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /** The Warden plugin as the build leaves it (target/warden-trino-VERSION/warden), set by failsafe in warden-trino's pom. */
    public static Path wardenPluginDirectory()
    {
        String property = System.getProperty("warden.trino.plugin-directory");
        if (property == null) {
            throw new IllegalStateException("system property warden.trino.plugin-directory is not set: run integration tests through Maven (./mvnw verify -pl warden-trino -am)");
        }
        Path directory = Path.of(property);
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException("no Warden plugin at " + directory + ": it is built at package, before integration tests");
        }
        return directory;
    }

    public static Builder builder(Path installDirectory)
    {
        return new Builder(installDirectory);
    }

    public int port()
    {
        return port;
    }

    public String jdbcUrl()
    {
        return "jdbc:trino://127.0.0.1:" + port;
    }

    /** A JDBC connection as a Trino user (no password: the test server has no authentication). */
    public Connection connect(String user)
            throws SQLException
    {
        return connect(user, Map.of());
    }

    /** A JDBC connection as a Trino user that sends these session properties with every query. */
    public Connection connect(String user, Map<String, String> sessionProperties)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (!sessionProperties.isEmpty()) {
            properties.setProperty("sessionProperties", sessionProperties.entrySet().stream()
                    .map(property -> property.getKey() + ":" + property.getValue())
                    .collect(Collectors.joining(";")));
        }
        return DriverManager.getConnection(jdbcUrl(), properties);
    }

    /**
     * Waits until the coordinator schedules queries that read tables. "SERVER STARTED" is printed before the
     * coordinator's node manager has seen its own announcement; until then a query that reads a table fails with
     * "No nodes available to run query", while one that reads none (SELECT 1) already runs on the coordinator. So this
     * asks the node manager itself, through {@link #READINESS_QUERY}, and then waits out {@link #NODE_MAP_MEMOIZATION}:
     * Trino's node selector keeps the node map it last read (possibly still empty) that long.
     */
    /** Waits until this coordinator has seen {@code workers} active workers, and its node selector has too. */
    public void awaitWorkers(int workers, Duration timeout)
            throws SQLException, InterruptedException, TimeoutException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            try (Connection connection = connect(READINESS_USER);
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("SELECT count(*) FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'")) {
                result.next();
                if (result.getLong(1) >= workers) {
                    Thread.sleep(NODE_MAP_MEMOIZATION.toMillis());
                    return;
                }
            }
            Thread.sleep(200);
        }
        while (System.nanoTime() < deadline);
        throw new TimeoutException("the coordinator did not see %d active workers within %s".formatted(workers, timeout));
    }

    private void awaitActiveNode(Duration timeout)
            throws TimeoutException, InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last;
        do {
            try (Connection connection = connect(READINESS_USER);
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(READINESS_QUERY)) {
                result.next();
                Thread.sleep(NODE_MAP_MEMOIZATION.toMillis());
                return;
            }
            catch (SQLException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.contains("No nodes available") && !message.contains(NOT_READY)) {
                    throw new IllegalStateException("Trino started but cannot run " + READINESS_QUERY + ": " + message, e);
                }
                last = e;
            }
            Thread.sleep(200);
        }
        while (System.nanoTime() < deadline);
        throw new TimeoutException("Trino had no active node after %s: %s".formatted(timeout, last.getMessage()));
    }

    /** The first column of every row a query returns, as text, run as {@code user}. */
    public List<String> firstColumn(String user, String sql)
            throws SQLException
    {
        List<String> values = new ArrayList<>();
        try (Connection connection = connect(user);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                values.add(result.getString(1));
            }
        }
        return values;
    }

    /** What the server printed so far. */
    public String output()
    {
        return output.text();
    }

    /** Stops the server as Ctrl-C would, and forcibly if it does not stop within 30 seconds. */
    @Override
    public void close()
    {
        ProcessOutput.stop(process, Duration.ofSeconds(30));
    }

    /** How a server that should not start ended. */
    public record StartFailure(int exitCode, String output)
    {
        public StartFailure
        {
            requireNonNull(output, "output is null");
        }
    }

    public static final class Builder
    {
        private final Path installDirectory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, String> etcFiles = new LinkedHashMap<>();
        private final Map<String, String> configProperties = new LinkedHashMap<>();
        private boolean wardenPlugin;
        /** The coordinator's port, for a worker; empty for a coordinator that is its own worker. */
        private OptionalInt coordinatorPort = OptionalInt.empty();

        private Builder(Path installDirectory)
        {
            this.installDirectory = requireNonNull(installDirectory, "installDirectory is null");
        }

        /** Copies the Warden plugin directory into plugin/warden. */
        public Builder withWardenPlugin()
        {
            wardenPlugin = true;
            return this;
        }

        /** Makes this server a worker of the coordinator on {@code port}, rather than a coordinator that is its own worker. */
        public Builder workerOf(int port)
        {
            coordinatorPort = OptionalInt.of(port);
            return this;
        }

        /** Writes etc/access-control.properties; without it Trino allows everything. */
        public Builder accessControl(String properties)
        {
            return etcFile("access-control.properties", properties);
        }

        /** Writes a file under etc/, such as a rules file that etc/access-control.properties names. */
        public Builder etcFile(String name, String content)
        {
            etcFiles.put(requireNonNull(name, "name is null"), requireNonNull(content, "content is null"));
            return this;
        }

        /** A line of etc/config.properties besides those every test server has, such as access-control.config-files. */
        public Builder configProperty(String name, String value)
        {
            configProperties.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /** An environment variable of the server process, for ${ENV:NAME} in its properties. */
        public Builder environment(String name, String value)
        {
            environment.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /**
         * Starts the server and waits until it runs queries (at most 3 minutes); a worker, or a coordinator that runs no
         * tasks itself ({@code node-scheduler.include-coordinator=false}), until it has started: see {@link #awaitWorkers}.
         */
        public TrinoServerProcess start()
        {
            Launched launched = launch();
            try {
                launched.output().awaitedLine().get(3, TimeUnit.MINUTES);
                TrinoServerProcess server = new TrinoServerProcess(launched.process(), launched.port(), launched.output());
                if (coordinatorPort.isEmpty() && Boolean.parseBoolean(configProperties.getOrDefault(INCLUDE_COORDINATOR, "true"))) {
                    server.awaitActiveNode(Duration.ofMinutes(1));
                }
                return server;
            }
            catch (ExecutionException | TimeoutException | RuntimeException e) {
                launched.process().destroyForcibly();
                throw new IllegalStateException("Trino did not start:\n" + launched.output().text(), e);
            }
            catch (InterruptedException e) {
                launched.process().destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Starts a server that must refuse to start, and returns how it ended (at most 3 minutes). */
        public StartFailure startExpectingFailure()
        {
            Launched launched = launch();
            try {
                if (!launched.process().waitFor(3, TimeUnit.MINUTES)) {
                    launched.process().destroyForcibly().waitFor();
                    throw new IllegalStateException("Trino did not stop within 3 minutes:\n" + launched.output().text());
                }
                launched.output().awaitEnd(Duration.ofSeconds(10));
                if (launched.output().awaitedLine().isDone() && !launched.output().awaitedLine().isCompletedExceptionally()) {
                    throw new IllegalStateException("Trino started although it should not have:\n" + launched.output().text());
                }
                return new StartFailure(launched.process().exitValue(), launched.output().text());
            }
            catch (InterruptedException e) {
                launched.process().destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private record Launched(Process process, int port, ProcessOutput output) {}

        private Launched launch()
        {
            Path server = requireCachedServer();
            int port = freePort();
            try {
                install(server, port);
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot install Trino into " + installDirectory, e);
            }
            ProcessBuilder builder = new ProcessBuilder(installDirectory.resolve("bin/launcher").toString(), "run")
                    .directory(installDirectory.toFile())
                    .redirectErrorStream(true);
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot start " + installDirectory.resolve("bin/launcher"), e);
            }
            return new Launched(process, port, ProcessOutput.follow(process, "trino-server", line -> line.contains(STARTED)));
        }

        /**
         * A Trino installation of its own: bin/ copied (the launcher finds the installation from its own path), lib/
         * linked to the cache, plugin/ with the tpch and memory plugins linked and Warden's copied as a user would,
         * and a fresh etc/ and var/.
         */
        private void install(Path server, int port)
                throws IOException
        {
            Files.createDirectories(installDirectory);
            copyDirectory(server.resolve("bin"), installDirectory.resolve("bin"));
            Files.createSymbolicLink(installDirectory.resolve("lib"), server.resolve("lib"));
            Path plugins = Files.createDirectories(installDirectory.resolve("plugin"));
            for (String plugin : CONNECTOR_PLUGINS) {
                Files.createSymbolicLink(plugins.resolve(plugin), server.resolve("plugin").resolve(plugin));
            }
            if (wardenPlugin) {
                copyDirectory(wardenPluginDirectory(), plugins.resolve("warden"));
            }

            Path etc = Files.createDirectories(installDirectory.resolve("etc"));
            Path catalogs = Files.createDirectories(etc.resolve("catalog"));
            Files.writeString(etc.resolve("node.properties"), lines(
                    "node.environment=test",
                    "node.id=" + UUID.randomUUID(),
                    "node.data-dir=" + installDirectory.resolve("var").toAbsolutePath()));
            Files.writeString(etc.resolve("jvm.config"), lines(
                    "-server",
                    "-Xmx1G",
                    "-XX:+UseG1GC",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-XX:+EnableDynamicAgentLoading",
                    "-Djdk.attach.allowAttachSelf=true",
                    "-Dfile.encoding=UTF-8"));
            List<String> config = new ArrayList<>(coordinatorPort.isPresent()
                    ? List.of(
                            "coordinator=false",
                            "http-server.http.port=" + port,
                            "discovery.uri=http://127.0.0.1:" + coordinatorPort.getAsInt())
                    : List.of(
                            "coordinator=true",
                            INCLUDE_COORDINATOR + "=" + configProperties.getOrDefault(INCLUDE_COORDINATOR, "true"),
                            "http-server.http.port=" + port,
                            "discovery.uri=http://127.0.0.1:" + port));
            configProperties.forEach((name, value) -> {
                if (!name.equals(INCLUDE_COORDINATOR)) {
                    config.add(name + "=" + value);
                }
            });
            Files.writeString(etc.resolve("config.properties"), lines(config.toArray(String[]::new)));
            Files.writeString(etc.resolve("log.properties"), lines("io.trino=INFO"));
            Files.writeString(catalogs.resolve("tpch.properties"), lines("connector.name=tpch"));
            Files.writeString(catalogs.resolve("memory.properties"), lines("connector.name=memory"));
            for (Map.Entry<String, String> file : etcFiles.entrySet()) {
                Files.writeString(etc.resolve(file.getKey()), file.getValue());
            }
        }
    }

    private static String lines(String... lines)
    {
        return Stream.of(lines).collect(Collectors.joining("\n", "", "\n"));
    }

    private static void copyDirectory(Path source, Path target)
            throws IOException
    {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                }
                else {
                    Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** A port nothing listens on at the moment. */
    public static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
