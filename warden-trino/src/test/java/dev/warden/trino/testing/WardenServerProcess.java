package dev.warden.trino.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A real Warden server for the plugin's tests: {@code warden server} from the command's jar, in a process of its own
 * (its Jetty and Trino's cannot share a class path), over an embedded store in a test's directory, on a free port.
 */
public final class WardenServerProcess
        implements AutoCloseable
{
    private static final Path WARDEN_JAR = Path.of("..", "warden-cli", "target", "warden.jar").toAbsolutePath().normalize();
    private static final Pattern LISTENING = Pattern.compile("Warden server listening on (\\S+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final URI uri;
    private final String adminKey;
    private final ProcessOutput output;

    private WardenServerProcess(Process process, URI uri, String adminKey, ProcessOutput output)
    {
        this.process = requireNonNull(process, "process is null");
        this.uri = requireNonNull(uri, "uri is null");
        this.adminKey = requireNonNull(adminKey, "adminKey is null");
        this.output = requireNonNull(output, "output is null");
    }

    public static WardenServerProcess start(Path dataDirectory)
    {
        return start(dataDirectory, 0);
    }

    /** A server on a given port (0: a free one), for tests that stop a server and start it again where clients expect it. */
    public static WardenServerProcess start(Path dataDirectory, int port)
    {
        if (!Files.isRegularFile(WARDEN_JAR)) {
            throw new IllegalStateException(WARDEN_JAR + " is missing: build it first (./mvnw verify -pl warden-trino -am, or bin/test)");
        }
        String adminKey = "wdn_test_admin_" + UUID.randomUUID().toString().replace("-", "");
        ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx1g", "-jar", WARDEN_JAR.toString(),
                "server", "--data-dir", dataDirectory.toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true);
        builder.environment().put("WARDEN_SERVER_BOOTSTRAP_ADMIN_KEY", adminKey);
        Process process;
        try {
            process = builder.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start " + WARDEN_JAR, e);
        }
        ProcessOutput output = ProcessOutput.follow(process, "warden-server", line -> LISTENING.matcher(line).find());
        try {
            Matcher listening = LISTENING.matcher(output.awaitedLine().get(60, TimeUnit.SECONDS));
            listening.find();
            return new WardenServerProcess(process, URI.create(listening.group(1)), adminKey, output);
        }
        catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the Warden server did not start:\n" + output.text(), e);
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri()
    {
        return uri;
    }

    public String adminKey()
    {
        return adminKey;
    }

    /** What the server printed so far. */
    public String output()
    {
        return output.text();
    }

    /** Makes the server's state equal to a bundle (YAML or JSON) and returns the new revision. */
    public long apply(String bundle)
    {
        HttpResponse<String> response = send("POST", "/api/v1/apply", bundle, adminKey);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("apply failed with " + response.statusCode() + ": " + response.body());
        }
        Matcher revision = Pattern.compile("\"revision\"\\s*:\\s*(\\d+)").matcher(response.body());
        if (!revision.find()) {
            throw new IllegalStateException("apply answered without a revision: " + response.body());
        }
        return Long.parseLong(revision.group(1));
    }

    /** Makes the server's state equal to a bundle directory, as {@code warden apply} does, and returns what it printed. */
    public String apply(Path bundleDirectory)
    {
        ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-jar", WARDEN_JAR.toString(),
                "apply", "--server", uri.toString(), "--api-key", adminKey, bundleDirectory.toString())
                .redirectErrorStream(true);
        try {
            Process process = builder.start();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("warden apply " + bundleDirectory + " failed:\n" + printed);
            }
            return printed;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates an API key with one permission, such as SERVICE for an enforcement point, and returns its secret. */
    public String createApiKey(String name, String permission)
    {
        HttpResponse<String> response = send("POST", "/api/v1/api-keys",
                "{\"name\": \"%s\", \"permissions\": [\"%s\"]}".formatted(name, permission), adminKey);
        Matcher key = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        if (response.statusCode() != 201 && response.statusCode() != 200 || !key.find()) {
            throw new IllegalStateException("creating an API key failed with " + response.statusCode() + ": " + response.body());
        }
        return key.group(1);
    }

    /** Sends a request to the server; {@code body} and {@code key} may be null. */
    public HttpResponse<String> send(String method, String path, String body, String key)
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri.resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server as Ctrl-C would. */
    @Override
    public void close()
    {
        ProcessOutput.stop(process, Duration.ofSeconds(20));
    }

    private static String javaCommand()
    {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
