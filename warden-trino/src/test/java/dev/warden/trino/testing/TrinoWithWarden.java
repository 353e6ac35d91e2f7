package dev.warden.trino.testing;

import dev.warden.trino.WardenPlugin;
import dev.warden.trino.access.WardenAccessControl;
import dev.warden.trino.access.WardenAccessControlFactory;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.trino.Session;
import io.trino.plugin.base.security.FileBasedSystemAccessControl;
import io.trino.plugin.memory.MemoryPlugin;
import io.trino.plugin.tpch.TpchPlugin;
import io.trino.spi.Plugin;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.trino.testing.TestingSession.testSessionBuilder;
import static java.util.Objects.requireNonNull;

/**
 * An in-process Trino 476 (coordinator only, catalogs {@code tpch} and {@code memory}) whose access control is
 * Warden's, following a real Warden server process over HTTP with a SERVICE key.
 */
public final class TrinoWithWarden
        implements AutoCloseable
{
    public static final String ADMIN = "root";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final WardenServerProcess server;
    private final QueryLedger ledger;
    private final WardenAccessControl accessControl;
    private final QueryRunner runner;

    private TrinoWithWarden(WardenServerProcess server, QueryLedger ledger, WardenAccessControl accessControl, QueryRunner runner)
    {
        this.server = requireNonNull(server, "server is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.accessControl = requireNonNull(accessControl, "accessControl is null");
        this.runner = requireNonNull(runner, "runner is null");
    }

    /**
     * Starts a server with {@code bundle} applied, then Trino with Warden's access control configured by {@code properties}
     * (beside the server's address, its key and {@code warden.admin.users=root}); {@code controls} chooses the
     * system access controls Trino runs, given Warden's.
     */
    public static TrinoWithWarden start(Path directory, String bundle, Map<String, String> properties, Function<WardenAccessControl, List<SystemAccessControl>> controls)
            throws Exception
    {
        WardenServerProcess server = WardenServerProcess.start(directory);
        try {
            long revision = server.apply(bundle);
            QueryLedger ledger = new QueryLedger(1_000);
            WardenAccessControl accessControl = accessControl(server, properties, ledger);
            QueryRunner runner = queryRunner(controls.apply(accessControl));
            TrinoWithWarden trino = new TrinoWithWarden(server, ledger, accessControl, runner);
            awaitRevision(accessControl, revision);
            return trino;
        }
        catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    /**
     * Warden's access control as Trino's factory creates it, started and following {@code server} under a new SERVICE
     * key, configured by {@code properties} beside the server's address, that key and {@code warden.admin.users=root}.
     */
    public static WardenAccessControl accessControl(WardenServerProcess server, Map<String, String> properties, QueryLedger ledger)
    {
        Map<String, String> config = new HashMap<>(Map.of(
                WardenTrinoConfig.SERVER_URI, server.uri().toString(),
                WardenTrinoConfig.API_KEY, server.createApiKey("trino", "SERVICE"),
                WardenTrinoConfig.ADMIN_USERS, ADMIN));
        config.putAll(properties);
        WardenAccessControl accessControl = WardenAccessControlFactory.create(WardenTrinoConfig.parse(config), ledger);
        accessControl.start();
        return accessControl;
    }

    public static TrinoWithWarden start(Path directory, String bundle, Map<String, String> properties)
            throws Exception
    {
        return start(directory, bundle, properties, List::of);
    }

    /**
     * An in-process Trino with Warden's plugin, the {@code tpch} and {@code memory} catalogs and these system access
     * controls, and their event listeners, which a server registers as it loads them (a testing server does not).
     */
    public static QueryRunner queryRunner(List<SystemAccessControl> accessControls)
            throws Exception
    {
        QueryRunner runner = DistributedQueryRunner.builder(session(ADMIN, Map.of()))
                .setWorkerCount(0)
                .setSystemAccessControls(accessControls)
                .setEventListeners(eventListenersOf(accessControls))
                .build();
        try {
            runner.installPlugin(wardenFunctions());
            runner.installPlugin(new TpchPlugin());
            runner.createCatalog("tpch", "tpch", Map.of());
            runner.installPlugin(new MemoryPlugin());
            runner.createCatalog("memory", "memory", Map.of());
            return runner;
        }
        catch (RuntimeException e) {
            runner.close();
            throw e;
        }
    }

    /**
     * The event listeners of these access controls, which a Trino server registers as it loads them and a testing
     * server does not: Warden's learns there of each query's start, kind and end.
     */
    public static List<EventListener> eventListenersOf(List<SystemAccessControl> accessControls)
    {
        List<EventListener> eventListeners = new ArrayList<>();
        accessControls.forEach(accessControl -> accessControl.getEventListeners().forEach(eventListeners::add));
        return List.copyOf(eventListeners);
    }

    /**
     * The functions Warden's plugin gives Trino (the one Warden's masks hash with masking salts through), without the
     * plugin's event listener, which a testing server would create with no configuration.
     */
    public static Plugin wardenFunctions()
    {
        return new Plugin()
        {
            @Override
            public Set<Class<?>> getFunctions()
            {
                return new WardenPlugin().getFunctions();
            }
        };
    }

    /** Trino's file-based system access control with the rules in {@code rulesFile}, as its factory creates it. */
    public static SystemAccessControl fileBasedAccessControl(Path rulesFile)
    {
        return new FileBasedSystemAccessControl.Factory().create(Map.of("security.config-file", rulesFile.toString()), new TestingContext());
    }

    public static Session session(String user, Map<String, String> extraCredentials)
    {
        return session(Identity.forUser(user).withExtraCredentials(extraCredentials).build());
    }

    /** A session in {@code tpch.tiny}. */
    public static Session session(Identity identity)
    {
        return testSessionBuilder()
                .setIdentity(identity)
                .setCatalog("tpch")
                .setSchema("tiny")
                .build();
    }

    public WardenServerProcess server()
    {
        return server;
    }

    public QueryLedger ledger()
    {
        return ledger;
    }

    public WardenAccessControl accessControl()
    {
        return accessControl;
    }

    public QueryRunner runner()
    {
        return runner;
    }

    public MaterializedResult query(String user, String sql)
    {
        return runner.execute(session(user, Map.of()), sql);
    }

    public MaterializedResult query(Session session, String sql)
    {
        return runner.execute(session, sql);
    }

    /** Each row of a query's result as a list of values. */
    public List<List<Object>> rows(String user, String sql)
    {
        return rows(session(user, Map.of()), sql);
    }

    public List<List<Object>> rows(Session session, String sql)
    {
        return query(session, sql).getMaterializedRows().stream().map(MaterializedRow::getFields).toList();
    }

    /** Applies a bundle and waits until Trino decides with it. */
    public long apply(String bundle)
            throws InterruptedException
    {
        long revision = server.apply(bundle);
        awaitRevision(revision);
        return revision;
    }

    public void awaitRevision(long revision)
            throws InterruptedException
    {
        awaitRevision(accessControl, revision);
    }

    /** Waits until {@code accessControl} decides on {@code revision} or a later one (at most 30 seconds). */
    public static void awaitRevision(WardenAccessControl accessControl, long revision)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (accessControl.policyRevision() < revision) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Trino did not reach revision %d in %s; it is at %d".formatted(revision, PATIENCE, accessControl.policyRevision()));
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close()
    {
        try {
            runner.close();
        }
        finally {
            accessControl.shutdown();
            server.close();
        }
    }

    private static final class TestingContext
            implements SystemAccessControlFactory.SystemAccessControlContext
    {
        @Override
        public String getVersion()
        {
            return "476";
        }

        @Override
        public OpenTelemetry getOpenTelemetry()
        {
            return OpenTelemetry.noop();
        }

        @Override
        public Tracer getTracer()
        {
            return OpenTelemetry.noop().getTracer("test");
        }
    }
}
