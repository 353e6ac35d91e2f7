package dev.warden.server.testing;

import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

/**
 * A real server on a free port over a store made for the test (see {@link TestStore}), and an HTTP client for it.
 * Closing it stops the server and removes the store.
 */
public final class TestServer
        implements AutoCloseable
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final TestStore.Database database;
    private final Map<String, String> settings;
    private WardenServer server;
    private ByteArrayOutputStream console;

    private TestServer(TestStore.Database database, Map<String, String> settings)
    {
        this.database = requireNonNull(database, "database is null");
        this.settings = Map.copyOf(settings);
        start();
    }

    public static TestServer start(TestStore store, Path dataDirectory)
    {
        return start(store, dataDirectory, Map.of());
    }

    /** @param settings server settings beyond the store's and a free port */
    public static TestServer start(TestStore store, Path dataDirectory, Map<String, String> settings)
    {
        TestStore.Database database = store.create(dataDirectory);
        Map<String, String> all = new HashMap<>(database.settings());
        all.put("http.port", "0");
        all.putAll(settings);
        try {
            return new TestServer(database, all);
        }
        catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
    }

    private void start()
    {
        console = new ByteArrayOutputStream();
        server = WardenServer.start(ServerConfig.load(Optional.empty(), settings, Map.of()), new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    /** Stops the server and starts a new one on the same store, as an operator's restart would. */
    public void restart()
    {
        server.close();
        start();
    }

    public WardenServer server()
    {
        return server;
    }

    /** What the server printed since it last started, such as the bootstrap key. */
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
        try {
            return CLIENT.send(request(method, path, body, key), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request without waiting for its answer, such as one that waits for the next change. */
    public CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body, String key)
    {
        return CLIENT.sendAsync(request(method, path, body, key), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body, String key)
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    @Override
    public void close()
    {
        try {
            server.close();
        }
        finally {
            database.close();
        }
    }
}
