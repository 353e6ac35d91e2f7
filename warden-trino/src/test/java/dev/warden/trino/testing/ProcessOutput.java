package dev.warden.trino.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * What a process the tests started prints (its standard output, where its errors should be redirected too), read
 * line by line on a daemon thread, with the first line a test waits for.
 */
public final class ProcessOutput
{
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<String> awaitedLine = new CompletableFuture<>();
    private final Thread reader;

    private ProcessOutput(Process process, String name, Predicate<String> awaited)
    {
        requireNonNull(process, "process is null");
        requireNonNull(awaited, "awaited is null");
        reader = Thread.ofPlatform().daemon().name(requireNonNull(name, "name is null") + "-output").start(() -> {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = output.readLine()) != null) {
                    lines.add(line);
                    if (awaited.test(line)) {
                        awaitedLine.complete(line);
                    }
                }
            }
            catch (IOException e) {
                awaitedLine.completeExceptionally(e);
            }
            awaitedLine.completeExceptionally(new IllegalStateException(name + " stopped printing before the line awaited:\n" + text()));
        });
    }

    /** Starts following the process's output; {@code awaited} tells the line {@link #awaitedLine()} completes with. */
    public static ProcessOutput follow(Process process, String name, Predicate<String> awaited)
    {
        return new ProcessOutput(process, name, awaited);
    }

    /** The first line that matched; it fails when the output ends without one. */
    public CompletableFuture<String> awaitedLine()
    {
        return awaitedLine;
    }

    /** Waits until the process closed its output (it ended), at most {@code patience}. */
    public void awaitEnd(Duration patience)
            throws InterruptedException
    {
        reader.join(patience);
    }

    /** Everything printed so far. */
    public String text()
    {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Every line printed so far. */
    public List<String> lines()
    {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Stops a process with SIGTERM (its shutdown hooks run, as on Ctrl-C), and forcibly if it has not ended after {@code patience}. */
    public static void stop(Process process, Duration patience)
    {
        process.destroy();
        try {
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
