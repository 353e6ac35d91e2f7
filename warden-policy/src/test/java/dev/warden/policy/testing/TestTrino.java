package dev.warden.policy.testing;

import io.trino.Session;
import io.trino.plugin.tpch.TpchPlugin;
import io.trino.spi.type.TimeZoneKey;
import io.trino.testing.MaterializedResult;
import io.trino.testing.StandaloneQueryRunner;

import java.time.ZoneId;
import java.util.Map;

import static io.trino.testing.TestingSession.testSessionBuilder;

/**
 * One in-process Trino 476 server per test JVM, with the {@code tpch} catalog; queries run in schema
 * {@code tpch.tiny} unless they qualify their tables. Started on first use and closed when the JVM exits.
 */
public final class TestTrino
{
    // Trino's test sessions default to Pacific/Apia; PostgreSQL's JDBC driver sets the JVM's zone. Time-relative rules
    // (current_timestamp, current_date) must see the same "now" on both engines for the tests to compare them.
    private static final Session SESSION = testSessionBuilder()
            .setTimeZoneKey(TimeZoneKey.getTimeZoneKey(ZoneId.systemDefault().getId()))
            .setCatalog("tpch")
            .setSchema("tiny")
            .build();

    private TestTrino() {}

    public static MaterializedResult execute(String sql)
    {
        return Holder.RUNNER.execute(SESSION, sql);
    }

    private static final class Holder
    {
        static final StandaloneQueryRunner RUNNER = start();

        private static StandaloneQueryRunner start()
        {
            StandaloneQueryRunner runner = new StandaloneQueryRunner(SESSION);
            try {
                runner.installPlugin(new TpchPlugin());
                runner.createCatalog("tpch", "tpch", Map.of());
            }
            catch (RuntimeException e) {
                runner.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "close-test-trino"));
            return runner;
        }
    }
}
