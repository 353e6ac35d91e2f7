package dev.warden.policy.testing;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The PostgreSQL server tests run against: {@code 127.0.0.1:5432}, database {@code test}, user {@code postgres},
 * trust auth; override with {@code WARDEN_TEST_POSTGRES_URL} and {@code WARDEN_TEST_POSTGRES_USER}.
 *
 * <p>When it cannot be reached, a test fails in CI (environment variable {@code CI} set) and is skipped, with a
 * loud message on stderr, on a developer's machine.
 */
public final class TestPostgres
{
    public static final String URL = System.getenv().getOrDefault("WARDEN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("WARDEN_TEST_POSTGRES_USER", "postgres");

    private TestPostgres() {}

    public static Connection connect()
    {
        try {
            return DriverManager.getConnection(URL, USER, "");
        }
        catch (SQLException e) {
            String message = "PostgreSQL is not reachable at %s as %s (%s). Start it, or run .ci/run, which provisions it."
                    .formatted(URL, USER, e.getMessage());
            if (System.getenv("CI") != null) {
                throw new AssertionError(message, e);
            }
            System.err.println("\n*** SKIPPING PostgreSQL TESTS: " + message + " ***\n");
            Assumptions.abort(message);
            throw new AssertionError("unreachable");
        }
    }
}
