package dev.warden.bench;

import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A Warden server on a temporary embedded store, in a JVM of its own, as a benchmark's peer: in production the server
 * does not share the enforcement point's heap or garbage collector. {@link #start} launches it; its {@code main}
 * prints the address and two keys (ADMIN and SERVICE), then serves until its standard input closes.
 */
public final class BenchServer
        implements AutoCloseable
{
    private final Process process;
    private final URI uri;
    private final String adminKey;
    private final String serviceKey;

    private BenchServer(Process process, URI uri, String adminKey, String serviceKey)
    {
        this.process = requireNonNull(process, "process is null");
        this.uri = requireNonNull(uri, "uri is null");
        this.adminKey = requireNonNull(adminKey, "adminKey is null");
        this.serviceKey = requireNonNull(serviceKey, "serviceKey is null");
    }

    /**
     * Starts a server JVM with this JVM's class path and {@code maxHeap} (such as {@code 3g}), and waits until it serves.
     * With {@code -Dbench.server-nice=N} (1 to 19) the server runs at that niceness, so that on a small machine it
     * takes the cores mostly when the benchmark's own threads leave them idle, as a server on a machine of its own
     * would not compete with them at all.
     */
    public static BenchServer start(String maxHeap)
            throws IOException
    {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell which java runs this benchmark"));
        List<String> command = new ArrayList<>();
        String nice = System.getProperty("bench.server-nice");
        if (nice != null) {
            if (!nice.matches("[1-9]|1[0-9]")) {
                throw new IllegalArgumentException("bench.server-nice must be a niceness from 1 to 19, not: " + nice);
            }
            command.addAll(List.of("nice", "-n", nice));
        }
        command.addAll(List.of(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), BenchServer.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        URI uri = null;
        String admin = null;
        String service = null;
        while (uri == null || admin == null || service == null) {
            String line = lines.readLine();
            if (line == null) {
                process.destroyForcibly();
                throw new IllegalStateException("the benchmark's Warden server exited before it served");
            }
            String[] parts = line.split(" ", 2);
            switch (parts[0]) {
                case "uri" -> uri = URI.create(parts[1]);
                case "admin" -> admin = parts[1];
                case "service" -> service = parts[1];
                default -> {}
            }
        }
        // Keep reading what the server prints, or a full pipe would block the thread that prints it.
        Thread.ofPlatform().daemon().name("bench-server-output").start(() -> {
            try {
                while (lines.readLine() != null) {
                    // discarded
                }
            }
            catch (IOException e) {
                // the server has gone
            }
        });
        return new BenchServer(process, uri, admin, service);
    }

    public URI uri()
    {
        return uri;
    }

    public String adminKey()
    {
        return adminKey;
    }

    public String serviceKey()
    {
        return serviceKey;
    }

    /** The CPU time the server's process has taken so far, as the operating system counts it. */
    public java.time.Duration cpuTime()
    {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("this operating system does not report the server process's CPU time"));
    }

    /**
     * The CPU time the server JVM's JIT compiler threads have taken so far, from Linux's per-thread scheduler
     * statistics ({@code /proc/<pid>/task/<tid>/schedstat}, nanoseconds on a CPU); zero where there are none.
     */
    public java.time.Duration compilerCpuTime()
    {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        if (!Files.isDirectory(tasks)) {
            return java.time.Duration.ZERO;
        }
        long nanos = 0;
        try (var threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                try {
                    // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ... (cut to 15 characters)
                    if (Files.readString(thread.resolve("comm")).matches("C\\d CompilerThre.*\\s*")) {
                        nanos += Long.parseLong(Files.readString(thread.resolve("schedstat")).split(" ")[0]);
                    }
                }
                catch (IOException e) {
                    // the thread has ended
                }
            }
        }
        catch (IOException e) {
            return java.time.Duration.ZERO;
        }
        return java.time.Duration.ofNanos(nanos);
    }

    @Override
    public void close()
            throws InterruptedException
    {
        try {
            process.getOutputStream().close();
        }
        catch (IOException e) {
            // the server is gone already
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args)
            throws Exception
    {
        Path dataDirectory = Files.createTempDirectory("warden-bench-server");
        try (WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            System.out.println("admin " + server.apiKeys().create("bench", Set.of(Permission.ADMIN), Optional.empty(), "bench").key());
            System.out.println("service " + server.apiKeys().create("trino", Set.of(Permission.SERVICE), Optional.empty(), "bench").key());
            System.out.println("uri " + server.uri());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the benchmark closes our standard input
            }
        }
    }
}
