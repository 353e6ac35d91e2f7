package dev.warden.trino.access;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * What Warden reads of the Trino server's own {@code config.properties}, which Trino's launcher names in the system
 * property {@code config}. A file that is missing or cannot be read counts as empty: a coordinator with Trino's
 * defaults.
 */
public final class TrinoServerConfig
{
    /** Lets Trino evaluate expressions that may fail ahead of row filters; see {@link WardenAccessControl}. */
    public static final String UNSAFE_PUSHDOWN = "optimizer.allow-unsafe-pushdown";

    private final Properties properties;

    private TrinoServerConfig(Properties properties)
    {
        this.properties = requireNonNull(properties, "properties is null");
    }

    /** The configuration of the Trino server this JVM runs. */
    public static TrinoServerConfig ofThisServer()
    {
        return read(Optional.ofNullable(System.getProperty("config")).map(Path::of));
    }

    public static TrinoServerConfig read(Optional<Path> configProperties)
    {
        Properties properties = new Properties();
        if (configProperties.isEmpty() || !Files.isReadable(configProperties.get())) {
            return new TrinoServerConfig(properties);
        }
        try (Reader reader = Files.newBufferedReader(configProperties.get())) {
            properties.load(reader);
        }
        catch (IOException | IllegalArgumentException e) {
            return new TrinoServerConfig(new Properties());
        }
        return new TrinoServerConfig(properties);
    }

    /** Whether this server is a worker ({@code coordinator=false}); anything else runs the whole access control. */
    public boolean isWorker()
    {
        return "false".equalsIgnoreCase(properties.getProperty("coordinator", "").strip());
    }

    public boolean allowsUnsafePushdown()
    {
        return "true".equalsIgnoreCase(properties.getProperty(UNSAFE_PUSHDOWN, "").strip());
    }
}
