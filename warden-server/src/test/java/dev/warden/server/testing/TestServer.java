package dev.warden.server.testing;

import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/** A real server on a free port over an embedded store in a test's directory, and an HTTP client for it. */
public final class TestServer
        implements AutoCloseable
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final WardenServer server;
    private final ByteArrayOutputStream console;

    private TestServer(WardenServer server, ByteArrayOutputStream console)
    {
        this.server = requireNonNull(server, "server is null");
        this.console = requireNonNull(console, "console is null");
    }

    public static TestServer start(Path dataDirectory)
    {
        return start(dataDirectory, Map.of());
    }

    /** @param settings server settings beyond the data directory and a free port */
    public static TestServer start(Path dataDirectory, Map<String, String> settings)
    {
        Map<String, String> all = new java.util.HashMap<>(Map.of("data-dir", dataDirectory.toString(), "http.port", "0"));
        all.putAll(settings);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), all, Map.of()), new PrintStream(console, true, StandardCharsets.UTF_8));
        return new TestServer(server, console);
    }

    public WardenServer server()
    {
        return server;
    }

    /** What the server printed, such as the bootstrap key. */
    public String console()
    {
        return console.toString(StandardCharsets.UTF_8);
    }

    public String createKey(String name, Set<Permission> permissions, Optional<String> wardenUser)
    {
        return server.apiKeys().create(name, permissions, wardenUser, "test").key();
    }

    /** Sends a request; {@code body} and {@code key} may be null. */
    public HttpResponse<String> send(String method, String path, String body, String key)
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close()
    {
        server.close();
    }
}
