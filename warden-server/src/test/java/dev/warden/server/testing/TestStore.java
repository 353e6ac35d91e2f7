package dev.warden.server.testing;

import dev.warden.policy.testing.TestPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * The store a test server keeps its state in: H2, the embedded default, or PostgreSQL, the production store, in a
 * database of its own on the server {@link TestPostgres} names. When PostgreSQL cannot be reached, a test fails in
 * CI and is skipped, loudly, elsewhere.
 */
public enum TestStore
{
    H2,
    POSTGRES;

    /** A new, empty store of this kind; H2's files go to {@code dataDirectory}. */
    public Database create(Path dataDirectory)
    {
        Map<String, String> embedded = Map.of("data-dir", dataDirectory.toString());
        return switch (this) {
            case H2 -> new Database(embedded, Optional.empty());
            case POSTGRES -> {
                String name = "warden_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
                execute("CREATE DATABASE " + name);
                yield new Database(Map.of("data-dir", dataDirectory.toString(), "store.url", TestPostgres.url(name), "store.user", TestPostgres.USER),
                        Optional.of(name));
            }
        };
    }

    /** A store made for one test, and the server settings that use it; closing it drops a PostgreSQL database. */
    public record Database(Map<String, String> settings, Optional<String> postgresDatabase)
            implements AutoCloseable
    {
        public Database
        {
            settings = Map.copyOf(settings);
            requireNonNull(postgresDatabase, "postgresDatabase is null");
        }

        @Override
        public void close()
        {
            // FORCE (PostgreSQL 13 and later) ends the sessions of a server that was killed rather than closed.
            postgresDatabase.ifPresent(name -> execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
        }
    }

    private static void execute(String sql)
    {
        try (Connection connection = TestPostgres.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
