package dev.warden.trino.access;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * What Warden reads of the Trino server's own configuration, as Trino's configuration loader (Airlift's) assembles it:
 * the {@code config.properties} Trino's launcher names in the system property {@code config}, overridden by the JVM's
 * system properties (so a {@code -D} in {@code jvm.config} counts too). No {@code config} property, or no such file,
 * means a coordinator with Trino's defaults; a file that is there but cannot be read stops start-up, as it stops
 * Trino's.
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
        return read(Optional.ofNullable(System.getProperty("config")).map(Path::of), System.getProperties());
    }

    public static TrinoServerConfig read(Optional<Path> configProperties)
    {
        return read(configProperties, new Properties());
    }

    /**
     * @param overrides what overrides the file, as system properties do in Trino
     * @throws IllegalArgumentException when the file is there but cannot be read
     */
    public static TrinoServerConfig read(Optional<Path> configProperties, Properties overrides)
    {
        Properties properties = new Properties();
        if (configProperties.isPresent() && Files.exists(configProperties.get())) {
            try (Reader reader = Files.newBufferedReader(configProperties.get())) {
                properties.load(reader);
            }
            catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("Warden access control: cannot read Trino's configuration %s: %s".formatted(configProperties.get(), e.getMessage()), e);
            }
        }
        overrides.stringPropertyNames().forEach(name -> properties.setProperty(name, overrides.getProperty(name)));
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
