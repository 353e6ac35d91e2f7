package dev.warden.policy.testing;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** {@code jdbc:postgresql://host:port/}, the database, and the parameters that may follow it. */
    private static final Pattern DATABASE_IN_URL = Pattern.compile("(jdbc:postgresql://[^/]*/)([^?]*)(.*)");

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

    /** The URL of another database on the same server as {@link #URL}, with the same parameters. */
    public static String url(String database)
    {
        Matcher matcher = DATABASE_IN_URL.matcher(URL);
        if (!matcher.matches()) {
            throw new IllegalStateException("not a jdbc:postgresql://host:port/database URL: " + URL);
        }
        return matcher.group(1) + database + matcher.group(3);
    }
}
