package dev.warden.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Sends query events to {@code POST /api/v1/audit/queries} in batches, through a spool directory, so that neither a
 * server outage nor a restart of this process loses any.
 *
 * <p>{@link #send} appends the event as one JSON line to the open batch file, {@code events-N.open}, and never waits
 * for the disk beyond that write. A batch is closed to new events once it holds {@code batchSize} events or its first
 * event has waited {@code flushInterval}; a thread of its own then seals it: forces the file to disk and renames it to
 * {@code events-N.batch}. Another thread sends sealed batches oldest first and deletes a file only after the server
 * has acknowledged it; on failure it retries the same batch with exponential backoff, and new events do not cut the
 * backoff short. The server stores each (source, query id) once, so a batch sent again after a lost answer
 * duplicates nothing.
 *
 * <p>Durability: every event is written to the file before {@code send} returns, so a crash of this process loses
 * none; the file is fsynced when the batch is sealed, so a crash of the machine can lose at most the events of the
 * batches not sealed yet (about one flush interval). On start, a batch left open by a process that stopped is
 * sealed, and batches left unsent are sent before any new one. A batch the server refuses as invalid (400) would be refused forever,
 * so it is renamed to {@code events-N.rejected} and kept for an operator. When the spool files would exceed
 * {@code spoolBudgetBytes}, new events are dropped and counted, with an error in the log when dropping starts and a
 * note when it stops.
 */
public final class QueryAuditSender
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(QueryAuditSender.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #close} keeps sending what is spooled before leaving it for the next start. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern SPOOL_FILE = Pattern.compile("events-(\\d{19})\\.(open|batch|rejected)");
    private static final String LOCK_FILE = "spool.lock";

    private final QueryAuditConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Thread sealer;
    private final Thread sender;
    private final Object monitor = new Object();

    // Guarded by monitor.
    /** Batches closed to new events and not sealed yet, oldest first; only the sealing thread seals them. */
    private final Deque<OpenBatch> full = new ArrayDeque<>();
    private final Deque<Path> sealed = new ArrayDeque<>();
    private OpenBatch open;
    private long nextSequence;
    private long spoolBytes;
    private long sentEvents;
    private long droppedEvents;
    private long droppedSinceFull;
    private boolean closing;

    /** The batch being appended to. */
    private static final class OpenBatch
    {
        private final Path path;
        private final FileChannel channel;
        private final long openedNanos;
        private int events;

        OpenBatch(Path path, FileChannel channel, long openedNanos)
        {
            this.path = requireNonNull(path, "path is null");
            this.channel = requireNonNull(channel, "channel is null");
            this.openedNanos = openedNanos;
        }
    }

    private QueryAuditSender(QueryAuditConfig config, FileChannel lockChannel, FileLock lock)
    {
        this.config = requireNonNull(config, "config is null");
        this.lockChannel = requireNonNull(lockChannel, "lockChannel is null");
        this.lock = requireNonNull(lock, "lock is null");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        this.sealer = Thread.ofPlatform()
                .name("warden-audit-sealer")
                .daemon()
                .unstarted(this::sealBatches);
        this.sender = Thread.ofPlatform()
                .name("warden-audit-sender")
                .daemon()
                .unstarted(this::sendSpooled);
    }

    /**
     * Takes the spool directory (creating it), seals a batch an earlier process left open, and starts sending.
     *
     * @throws UncheckedIOException when the directory cannot be used
     * @throws IllegalStateException when another sender holds the directory
     */
    public static QueryAuditSender start(QueryAuditConfig config)
    {
        Path directory = config.spoolDirectory();
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            }
            catch (OverlappingFileLockException _) {
                // held by another sender in this process
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("another process sends query events from spool directory " + directory);
            }
            QueryAuditSender sender = new QueryAuditSender(config, lockChannel, lock);
            sender.recover();
            sender.sealer.start();
            sender.sender.start();
            return sender;
        }
        catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("cannot use spool directory " + directory + ": " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Spools an event for sending. Never blocks on the server and never throws for I/O: an event that cannot be
     * written, or would exceed the spool budget, is dropped, counted and logged.
     */
    public void send(QueryEvent event)
    {
        byte[] line;
        try {
            line = (json.writeValueAsString(event.toJson(json)) + "\n").getBytes(StandardCharsets.UTF_8);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (monitor) {
            if (closing) {
                drop("the sender is closed", event);
                return;
            }
            if (spoolBytes + line.length > config.spoolBudgetBytes()) {
                if (droppedSinceFull == 0) {
                    LOG.log(System.Logger.Level.ERROR, "spool directory {0} holds {1} bytes, and its budget is {2}: dropping query events until {3} takes some",
                            config.spoolDirectory(), spoolBytes, config.spoolBudgetBytes(), config.serverUri());
                }
                droppedSinceFull++;
                droppedEvents++;
                return;
            }
            if (droppedSinceFull > 0) {
                LOG.log(System.Logger.Level.WARNING, "spool directory {0} has room again; {1} query events were dropped while it was full",
                        config.spoolDirectory(), droppedSinceFull);
                droppedSinceFull = 0;
            }
            try {
                if (open == null) {
                    open = openBatch();
                }
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    open.channel.write(buffer);
                }
                spoolBytes += line.length;
                open.events++;
                if (open.events >= config.batchSize()) {
                    closeOpenBatch();
                }
            }
            catch (IOException e) {
                drop("it cannot be written to " + config.spoolDirectory() + ": " + e.getMessage(), event);
                // Later events go to a new file; this one is sealed as far as it was written.
                closeOpenBatch();
            }
            monitor.notifyAll();
        }
    }

    /**
     * Closes the open batch to new events and has it sealed now, so that it is sent without waiting for the flush
     * interval.
     */
    public void flush()
    {
        synchronized (monitor) {
            if (open != null) {
                closeOpenBatch();
                monitor.notifyAll();
            }
        }
    }

    /** Events the server has acknowledged since start. */
    public long sentEvents()
    {
        synchronized (monitor) {
            return sentEvents;
        }
    }

    /** Events dropped since start because the spool was over budget, could not be written, or the sender was closed. */
    public long droppedEvents()
    {
        synchronized (monitor) {
            return droppedEvents;
        }
    }

    /** Batches spooled and not yet acknowledged, the open one included. */
    public int pendingBatches()
    {
        synchronized (monitor) {
            return sealed.size() + full.size() + (open == null ? 0 : 1);
        }
    }

    /**
     * Seals the open batch and keeps sending for a few seconds; whatever is still spooled then is sent by the next
     * sender on this directory.
     */
    @Override
    public void close()
    {
        synchronized (monitor) {
            if (closing) {
                return;
            }
            flush();
            closing = true;
            monitor.notifyAll();
        }
        try {
            sealer.join(CLOSE_TIMEOUT.toMillis());
            // A request still running then is cut off; its batch stays spooled and is sent again, harmlessly, on the next start.
            sender.join(CLOSE_TIMEOUT.plusSeconds(1));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sealer.interrupt();
        sender.interrupt();
        http.shutdownNow();
        synchronized (monitor) {
            // Not sealed in time: left as .open, they are sealed and sent on the next start.
            full.forEach(batch -> closeQuietly(batch.channel));
        }
        try {
            lock.release();
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot release the lock on " + config.spoolDirectory(), e);
        }
        closeQuietly(lockChannel);
    }

    private void recover()
            throws IOException
    {
        List<Path> files;
        try (Stream<Path> listed = Files.list(config.spoolDirectory())) {
            files = listed.filter(path -> SPOOL_FILE.matcher(path.getFileName().toString()).matches()).sorted().toList();
        }
        synchronized (monitor) {
            for (Path file : files) {
                Matcher matcher = SPOOL_FILE.matcher(file.getFileName().toString());
                matcher.matches();
                long sequence = Long.parseLong(matcher.group(1));
                nextSequence = Math.max(nextSequence, sequence + 1);
                switch (matcher.group(2)) {
                    case "open" -> {
                        // A process stopped before sealing it: it may not have reached the disk whole, so force it now.
                        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                            channel.force(true);
                        }
                        sealed.add(moveTo(file, "batch"));
                        spoolBytes += Files.size(file.resolveSibling(batchName(sequence, "batch")));
                    }
                    case "batch" -> {
                        sealed.add(file);
                        spoolBytes += Files.size(file);
                    }
                    default -> {
                        // rejected batches stay for an operator and do not count against the budget
                    }
                }
            }
            if (!sealed.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "{0} batch(es) of query events in {1} were not sent before; sending them first",
                        sealed.size(), config.spoolDirectory());
            }
        }
    }

    /**
     * The sealing thread: closes the open batch when its flush interval is up, and forces each closed batch to disk
     * and renames it, oldest first. It seals outside the lock, so that {@link #send} goes on appending meanwhile.
     */
    private void sealBatches()
    {
        while (true) {
            OpenBatch batch;
            synchronized (monitor) {
                if (open != null && System.nanoTime() - open.openedNanos >= config.flushInterval().toNanos()) {
                    closeOpenBatch();
                }
                batch = full.peekFirst();
                if (batch == null) {
                    if (closing) {
                        return;
                    }
                    try {
                        if (open == null) {
                            monitor.wait();
                        }
                        else {
                            TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, open.openedNanos + config.flushInterval().toNanos() - System.nanoTime()));
                        }
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
            }
            Optional<Path> sealedBatch = seal(batch);
            synchronized (monitor) {
                // Removed only now, so that pendingBatches counts it while it is being sealed.
                full.removeFirst();
                sealedBatch.ifPresent(sealed::addLast);
                monitor.notifyAll();
            }
        }
    }

    /** The sending thread: sends sealed batches oldest first. */
    private void sendSpooled()
    {
        int failures = 0;
        long closeDeadline = Long.MAX_VALUE;
        while (true) {
            Path next;
            synchronized (monitor) {
                if (closing) {
                    closeDeadline = Math.min(closeDeadline, System.nanoTime() + CLOSE_TIMEOUT.toNanos());
                    boolean nothingLeft = sealed.isEmpty() && full.isEmpty();
                    if (nothingLeft || failures > 0 || System.nanoTime() > closeDeadline) {
                        return;
                    }
                }
                next = sealed.peekFirst();
                if (next == null) {
                    try {
                        if (closing) {
                            TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, closeDeadline - System.nanoTime()));
                        }
                        else {
                            monitor.wait();
                        }
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
            }
            try {
                deliver(next);
                if (failures > 0) {
                    LOG.log(System.Logger.Level.INFO, "sending query events to {0} again after {1} failed attempt(s)", config.serverUri(), failures);
                }
                failures = 0;
            }
            catch (InterruptedException e) {
                return;
            }
            catch (IOException | RuntimeException e) {
                failures++;
                Duration delay = ServerRequests.backoff(config.retryBackoffMin(), config.retryBackoffMax(), failures);
                // The first failure of a run is worth a warning; the retries after it only repeat it.
                LOG.log(failures > 1 ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                        "cannot send query events to {0} (attempt {1}), {2} batch(es) spooled in {3}, retrying in {4} ms: {5}",
                        config.serverUri(), failures, pendingBatches(), config.spoolDirectory(), delay.toMillis(), e.getClass().getSimpleName() + ": " + e.getMessage());
                if (!awaitRetry(delay)) {
                    return;
                }
            }
        }
    }

    /**
     * Waits out a retry delay. New events and sealed batches wake the monitor all the time during an outage; they do
     * not cut the delay short, or a busy coordinator would retry on every query. Returns false when closing or interrupted.
     */
    private boolean awaitRetry(Duration delay)
    {
        long retryAt = System.nanoTime() + delay.toNanos();
        synchronized (monitor) {
            while (!closing) {
                long left = retryAt - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                catch (InterruptedException e) {
                    return false;
                }
            }
            return false;
        }
    }

    /** Sends one sealed batch; deletes it once the server has it, or sets it aside when the server refuses it. */
    private void deliver(Path batch)
            throws IOException, InterruptedException
    {
        List<String> lines = Files.readAllLines(batch, StandardCharsets.UTF_8);
        ObjectNode body = json.createObjectNode();
        ArrayNode events = body.putArray("events");
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(json.readTree(line));
            }
            catch (JsonProcessingException e) {
                // Only the last line of a batch whose process stopped mid-write can be torn; the event never completed.
                LOG.log(System.Logger.Level.WARNING, "skipping a torn query event in {0}: {1}", batch, e.getOriginalMessage());
            }
        }
        long size = Files.size(batch);
        if (!events.isEmpty()) {
            HttpRequest request = HttpRequest.newBuilder(ServerRequests.resolve(config.serverUri(), "/api/v1/audit/queries"))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + config.apiKey())
                    .header("Content-Type", "application/json")
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 400) {
                Path rejected = moveTo(batch, "rejected");
                LOG.log(System.Logger.Level.ERROR, "{0} refused a batch of {1} query events as invalid; kept as {2}: {3}",
                        config.serverUri(), events.size(), rejected, ServerRequests.errorMessage(json, response.body()));
                forget(batch, size, 0);
                return;
            }
            if (response.statusCode() != 200) {
                throw new WardenClientException("HTTP %d from %s: %s".formatted(response.statusCode(), request.uri().getPath(), ServerRequests.errorMessage(json, response.body())),
                        OptionalInt.of(response.statusCode()));
            }
        }
        Files.delete(batch);
        forget(batch, size, events.size());
    }

    private void forget(Path batch, long size, int sent)
    {
        synchronized (monitor) {
            sealed.remove(batch);
            spoolBytes -= size;
            sentEvents += sent;
        }
    }

    private OpenBatch openBatch()
            throws IOException
    {
        long sequence = nextSequence++;
        Path path = config.spoolDirectory().resolve(batchName(sequence, "open"));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new OpenBatch(path, channel, System.nanoTime());
    }

    /** Hands the open batch to the sealing thread; the next event opens a new one. Called holding the monitor. */
    private void closeOpenBatch()
    {
        full.addLast(open);
        open = null;
    }

    /**
     * Forces a closed batch to disk and renames it to a sealed batch, which is what makes it sendable. Empty when it
     * cannot be renamed: left as .open, it is sealed and sent on the next start.
     */
    private Optional<Path> seal(OpenBatch batch)
    {
        try (FileChannel channel = batch.channel) {
            channel.force(true);
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot force " + batch.path + " to disk; sending it as written", e);
        }
        try {
            return Optional.of(moveTo(batch.path, "batch"));
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot seal " + batch.path + "; it is sealed and sent on the next start", e);
            return Optional.empty();
        }
    }

    private Path moveTo(Path file, String state)
            throws IOException
    {
        Matcher matcher = SPOOL_FILE.matcher(file.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a spool file: " + file);
        }
        Path target = file.resolveSibling(batchName(Long.parseLong(matcher.group(1)), state));
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory();
        return target;
    }

    /** Makes a rename durable; not every platform can open a directory, and there it is skipped. */
    private void forceDirectory()
    {
        try (FileChannel directory = FileChannel.open(config.spoolDirectory(), StandardOpenOption.READ)) {
            directory.force(true);
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot force directory " + config.spoolDirectory(), e);
        }
    }

    private void drop(String reason, QueryEvent event)
    {
        droppedEvents++;
        LOG.log(System.Logger.Level.ERROR, "dropping query event {0} because {1}", event.queryId(), reason);
    }

    private static String batchName(long sequence, String state)
    {
        return "events-%019d.%s".formatted(sequence, state);
    }

    private static void closeQuietly(FileChannel channel)
    {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot close a spool file", e);
        }
    }
}
