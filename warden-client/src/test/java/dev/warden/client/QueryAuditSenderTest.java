package dev.warden.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Query events through a spool directory to a real server: outages, restarts of the sender, a full spool, a refused batch. */
class QueryAuditSenderTest
{
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a test waits for something that should happen soon; not a measurement. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path dataDirectory;
    @TempDir
    Path spoolDirectory;

    private WardenServer server;
    private int port;
    private String admin;
    private String service;

    @BeforeEach
    void start()
    {
        server = startServer(0);
        port = server.port();
        admin = server.apiKeys().create("admin", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
        service = server.apiKeys().create("trino", Set.of(Permission.SERVICE), Optional.empty(), "test").key();
    }

    @AfterEach
    void stop()
    {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyEventArrivesExactlyOnceAcrossAServerOutage()
            throws Exception
    {
        try (QueryAuditSender sender = QueryAuditSender.start(config())) {
            IntStream.range(0, 7).forEach(index -> sender.send(event("q" + index)));
            await(() -> storedQueryIds().size() == 7);

            server.close();
            server = null;
            IntStream.range(7, 27).forEach(index -> sender.send(event("q" + index)));
            sender.flush();
            Thread.sleep(500);
            assertThat(sender.pendingBatches()).isPositive();

            server = startServer(port);
            await(() -> sender.pendingBatches() == 0);
            assertThat(storedQueryIds()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 27).mapToObj(index -> "q" + index).toList());
            assertThat(sender.sentEvents()).isEqualTo(27);
            assertThat(sender.droppedEvents()).isZero();
        }
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void batchesLeftByAnEarlierProcessAreSentFirstOnStart()
            throws Exception
    {
        server.close();
        server = null;
        try (QueryAuditSender sender = QueryAuditSender.start(config())) {
            IntStream.range(0, 12).forEach(index -> sender.send(event("old" + index)));
        }
        assertThat(spoolFiles()).containsExactly("events-0000000000000000000.batch", "events-0000000000000000001.batch", "events-0000000000000000002.batch");
        // A process that died while writing leaves its batch open, with a torn last line.
        Files.writeString(spoolDirectory.resolve("events-0000000000000000099.open"),
                JSON.writeValueAsString(event("crashed").toJson(JSON)) + "\n{\"source\": \"trino-te");

        server = startServer(port);
        try (QueryAuditSender sender = QueryAuditSender.start(config())) {
            sender.send(event("new"));
            await(() -> storedQueryIds().size() == 14);
        }
        List<String> stored = storedQueryIds();
        // Newest first: the event sent after the restart arrived after every spooled one.
        assertThat(stored.getFirst()).isEqualTo("new");
        assertThat(stored).containsExactlyInAnyOrderElementsOf(Stream.concat(
                IntStream.range(0, 12).mapToObj(index -> "old" + index), Stream.of("crashed", "new")).toList());
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void aFullSpoolDropsNewEventsAndCountsThem()
            throws Exception
    {
        server.close();
        server = null;
        long eventBytes = JSON.writeValueAsString(event("q00").toJson(JSON)).length() + 1;
        try (QueryAuditSender sender = QueryAuditSender.start(config().withSpoolBudgetBytes(eventBytes * 3))) {
            IntStream.range(10, 20).forEach(index -> sender.send(event("q" + index)));
            assertThat(sender.droppedEvents()).isEqualTo(7);
        }
        long spooled = 0;
        for (String file : spoolFiles()) {
            spooled += Files.size(spoolDirectory.resolve(file));
        }
        assertThat(spooled).isEqualTo(eventBytes * 3);
    }

    @Test
    void aBatchTheServerRefusesIsSetAsideAndTheNextOnesArrive()
            throws Exception
    {
        try (QueryAuditSender sender = QueryAuditSender.start(config().withBatching(1, Duration.ofMillis(100)))) {
            QueryEvent good = event("good");
            sender.send(new QueryEvent("trino-test", "bad", "alice", Optional.empty(), Optional.empty(), "SELECT 1", T0, T0.minusSeconds(1),
                    Map.of(), Map.of(), List.of(), Optional.empty()));
            sender.send(good);
            await(() -> sender.pendingBatches() == 0);
            assertThat(storedQueryIds()).containsExactly("good");
        }
        assertThat(spoolFiles()).containsExactly("events-0000000000000000000.rejected");
    }

    @Test
    void newEventsDoNotCutARetryDelayShort()
            throws Exception
    {
        // An outage in which something still answers, with 503, and counts the attempts; the real server cannot be
        // told to fail.
        AtomicInteger attempts = new AtomicInteger();
        HttpServer failing = standIn(exchange -> {
            attempts.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        try (QueryAuditSender sender = QueryAuditSender.start(config(failing).withBatching(1, Duration.ofMillis(200)).withRetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            for (int index = 0; index < 60; index++) {
                sender.send(event("q" + index));
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Each delay is between half a second and a second: at most one attempt per half second, plus the first.
            // Cut short by every event, there would be one attempt per event.
            assertThat(attempts.get()).isBetween(2, (int) (seconds / 0.5) + 1);
            assertThat(sender.pendingBatches()).isEqualTo(60);
            assertThat(sender.sentEvents()).isZero();
        }
        finally {
            failing.stop(0);
        }
    }

    @Test
    void batchesAreSealedWhileARequestHangs()
            throws Exception
    {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer hanging = standIn(exchange -> {
            try {
                release.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        try (QueryAuditSender sender = QueryAuditSender.start(config(hanging))) {
            IntStream.range(0, 15).forEach(index -> sender.send(event("q" + index)));
            // The first batch is on its way and gets no answer; the other two are forced to disk meanwhile.
            await(() -> spoolFiles().equals(List.of("events-0000000000000000000.batch", "events-0000000000000000001.batch", "events-0000000000000000002.batch")));
            assertThat(sender.pendingBatches()).isEqualTo(3);
            release.countDown();
        }
        finally {
            release.countDown();
            hanging.stop(0);
        }
    }

    @Test
    void oneSenderPerSpoolDirectory()
    {
        try (QueryAuditSender _ = QueryAuditSender.start(config())) {
            assertThatThrownBy(() -> QueryAuditSender.start(config()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(spoolDirectory.toString());
        }
    }

    private QueryAuditConfig config()
    {
        return config(URI.create("http://127.0.0.1:" + port));
    }

    private QueryAuditConfig config(HttpServer standIn)
    {
        return config(URI.create("http://127.0.0.1:" + standIn.getAddress().getPort()));
    }

    private QueryAuditConfig config(URI serverUri)
    {
        return QueryAuditConfig.of(serverUri, service, spoolDirectory)
                .withBatching(5, Duration.ofMillis(200))
                .withRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
    }

    /** An HTTP server on loopback in place of Warden's, answering every request with {@code handler}. */
    private static HttpServer standIn(HttpHandler handler)
            throws IOException
    {
        HttpServer standIn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        standIn.createContext("/", handler);
        standIn.setExecutor(Executors.newCachedThreadPool());
        standIn.start();
        return standIn;
    }

    private static QueryEvent event(String queryId)
    {
        return new QueryEvent("trino-test", queryId, "alice", Optional.of("alice"), Optional.empty(), "SELECT name FROM tpch.tiny.nation", T0, T0.plusMillis(250),
                Map.of("tpch.tiny.nation", List.of("name")), Map.of(), List.of(), Optional.empty());
    }

    private List<String> spoolFiles()
    {
        try (Stream<Path> files = Files.list(spoolDirectory)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("events-")).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The query ids the server stored, newest first (by id, since the test events share a creation time). */
    private List<String> storedQueryIds()
    {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/audit/queries?limit=1000"))
                    .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            for (JsonNode event : JSON.readTree(response.body()).get("events")) {
                ids.add(event.get("queryId").asText());
            }
            return ids;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", PATIENCE).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private WardenServer startServer(int port)
    {
        return WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", String.valueOf(port)), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
