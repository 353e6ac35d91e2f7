package dev.warden.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.bundle.BundleException;
import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.bundle.InvalidDocumentsException;
import dev.warden.bundle.StateDocuments;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.state.PolicyState;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * A copy of the server's policy state that an enforcement point decides with. {@link #start()} takes a snapshot;
 * then one daemon thread long-polls the change stream and applies each response as one new state, swapped in
 * whole. When the server cannot be reached, or answers with an error or a state that does not load, the replica
 * keeps deciding with the last good state and retries with exponential backoff; {@link #isStale()} says when it
 * has not heard from the server for longer than the configured bound, and enforcement points then fail closed on
 * registered data.
 */
public final class PolicyReplica
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(PolicyReplica.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(60);
    /** How much longer than the poll wait a change-stream request may take before it counts as hung. */
    private static final Duration POLL_TIMEOUT_MARGIN = Duration.ofSeconds(10);

    private final WardenClientConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final List<Consumer<Long>> listeners = new CopyOnWriteArrayList<>();
    private final Object revisionSignal = new Object();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong snapshotsTaken = new AtomicLong();
    private final Thread follower;

    private volatile boolean closed;
    private volatile Replicated current;
    private volatile Instant lastContact;
    private volatile long lastContactNanos;
    private volatile Optional<String> lastError = Optional.empty();

    /** One revision of the state: the documents copied from the server, the state they build, and an engine over it. */
    private record Replicated(long revision, StateDocuments documents, PolicyEngine engine)
    {
        Replicated
        {
            requireNonNull(documents, "documents is null");
            requireNonNull(engine, "engine is null");
        }

        PolicyState state()
        {
            return documents.state();
        }
    }

    public PolicyReplica(WardenClientConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        this.follower = Thread.ofPlatform()
                .name("warden-replica-" + config.serverUri().getHost())
                .daemon()
                .unstarted(this::follow);
    }

    /**
     * Takes a snapshot and starts following the change stream.
     *
     * @throws WardenClientException when the snapshot cannot be taken (server unreachable, key refused, state
     *         that does not load); nothing is running then
     */
    public void start()
    {
        if (closed) {
            throw new IllegalStateException("the replica is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the replica is already started");
        }
        try {
            takeSnapshot();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WardenClientException("interrupted while taking a snapshot from " + config.serverUri(), e);
        }
        catch (IOException | WardenClientException e) {
            throw new WardenClientException("cannot take a snapshot from %s: %s".formatted(config.serverUri(), e.getMessage()), e);
        }
        follower.start();
    }

    /**
     * Starts following the server without waiting for it, for enforcement points that must not fail (or block) their
     * own start when the server is down: the replica's thread takes the first snapshot, retrying with backoff until it
     * succeeds, then follows the change stream. Until then {@link #isStale()} is true, {@link #engine()},
     * {@link #state()} and {@link #revision()} throw, and {@link #onChange} listeners hear of the first snapshot.
     */
    public void startInBackground()
    {
        if (closed) {
            throw new IllegalStateException("the replica is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the replica is already started");
        }
        follower.start();
    }

    /** The revision of the state decisions are made with. */
    public long revision()
    {
        return replicated().revision();
    }

    public PolicyEngine engine()
    {
        return replicated().engine();
    }

    public PolicyState state()
    {
        return replicated().state();
    }

    /** Decides with the current state; see {@link PolicyEngine#decide(String, Optional, String)}. */
    public Decision decide(String userName, Optional<String> project, String dataSourceId)
    {
        return engine().decide(userName, project, dataSourceId);
    }

    /** When the server last answered a request successfully. */
    public Instant lastContact()
    {
        replicated();
        return lastContact;
    }

    /** How long ago the server last answered a request successfully, or empty before it first has. */
    public Optional<Duration> sinceLastContact()
    {
        if (lastContact == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(System.nanoTime() - lastContactNanos));
    }

    /** The longest the replica may go without hearing from the server before it is stale. */
    public Duration stalenessBound()
    {
        return config.stalenessBound();
    }

    /**
     * Whether the replica has not heard from the server within the staleness bound. A stale replica still decides
     * with its last good state; enforcement points refuse access to registered data while it is stale.
     */
    public boolean isStale()
    {
        return current == null || System.nanoTime() - lastContactNanos > config.stalenessBound().toNanos();
    }

    /** The last failure to follow the server, or empty when the last request succeeded. */
    public Optional<String> lastError()
    {
        return lastError;
    }

    /** How many snapshots the replica has taken: one at start, then one whenever it fell behind the change log. */
    public long snapshotsTaken()
    {
        return snapshotsTaken.get();
    }

    /**
     * Calls {@code listener} with the new revision whenever a new state is swapped in: on the replica's thread, or on
     * the caller's for the first snapshot when the listener was added before {@link #start()}.
     */
    public void onChange(Consumer<Long> listener)
    {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /** Waits until the replica's state is at {@code revision} or later; returns whether it got there in time. */
    public boolean awaitRevision(long revision, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (revisionSignal) {
            while (current == null || current.revision() < revision) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(revisionSignal, remaining);
            }
            return true;
        }
    }

    @Override
    public void close()
    {
        closed = true;
        follower.interrupt();
        if (follower.isAlive()) {
            try {
                follower.join(Duration.ofSeconds(5));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        http.shutdownNow();
    }

    private Replicated replicated()
    {
        Replicated replicated = current;
        if (replicated == null) {
            throw new IllegalStateException("the replica is not started");
        }
        return replicated;
    }

    private void follow()
    {
        int failures = 0;
        while (!closed) {
            try {
                if (current == null) {
                    takeSnapshot();
                }
                else {
                    followOnce();
                }
                if (failures > 0) {
                    LOG.log(System.Logger.Level.INFO, "following {0} again after {1} failed attempt(s), at revision {2}", config.serverUri(), failures, revision());
                }
                failures = 0;
                lastError = Optional.empty();
            }
            catch (InterruptedException e) {
                return;
            }
            catch (Exception e) {
                if (closed) {
                    return;
                }
                failures++;
                Duration delay = backoff(failures);
                String message = e.getClass().getSimpleName() + ": " + e.getMessage();
                lastError = Optional.of(message);
                // The first failure of a run is worth a warning (an error for a state that does not load, which is a
                // bug on the server's side); the retries after it only repeat it.
                System.Logger.Level level = failures > 1 ? System.Logger.Level.DEBUG
                        : e.getCause() instanceof BundleException ? System.Logger.Level.ERROR : System.Logger.Level.WARNING;
                LOG.log(level,
                        "cannot follow {0} (attempt {1}), keeping revision {2}, retrying in {3} ms: {4}",
                        config.serverUri(), failures, current == null ? "none" : current.revision(), delay.toMillis(), message);
                try {
                    Thread.sleep(delay);
                }
                catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Asks for the changes after the current revision and applies them as one new state. */
    private void followOnce()
            throws IOException, InterruptedException
    {
        Replicated base = replicated();
        int waitSeconds = config.pollWaitSeconds();
        JsonNode page = get("/api/v1/changes?after=" + base.revision() + "&wait=" + waitSeconds, Duration.ofSeconds(waitSeconds).plus(POLL_TIMEOUT_MARGIN));
        if (page.path("snapshotRequired").asBoolean(false)) {
            LOG.log(System.Logger.Level.INFO, "revision {0} is older than the change log of {1} reaches; taking a new snapshot", base.revision(), config.serverUri());
            takeSnapshot();
            return;
        }
        JsonNode changes = page.path("changes");
        if (changes.isEmpty()) {
            if (page.path("revision").asLong() > base.revision()) {
                // Every revision has at least one change, so the server should have sent some; start over cleanly.
                takeSnapshot();
            }
            return;
        }
        List<StateDocuments.Change> documentChanges = new ArrayList<>();
        long revision = base.revision();
        for (JsonNode change : changes) {
            long changeRevision = change.path("revision").asLong();
            if (changeRevision <= base.revision()) {
                throw new WardenClientException("the server sent revision %d after %d".formatted(changeRevision, base.revision()), OptionalInt.empty());
            }
            JsonNode body = change.get("body");
            documentChanges.add(new StateDocuments.Change(text(change, "kind"), text(change, "id"),
                    body == null || body.isNull() ? Optional.empty() : Optional.of(plain(body))));
            revision = Math.max(revision, changeRevision);
        }
        StateDocuments documents;
        try {
            documents = base.documents().change(documentChanges);
        }
        catch (InvalidDocumentsException e) {
            // Reported as a whole build reports it, at the lines of the assembled documents; the server should never send such a state.
            install(build(revision, base.documents().documentsWith(documentChanges)));
            return;
        }
        install(new Replicated(revision, documents, base.engine().withState(documents.state())));
    }

    private void takeSnapshot()
            throws IOException, InterruptedException
    {
        JsonNode snapshot = get("/api/v1/snapshot", SNAPSHOT_TIMEOUT);
        if (!snapshot.path("revision").canConvertToLong() || !snapshot.path("documents").isArray()) {
            throw new WardenClientException("the snapshot has no revision or no documents", OptionalInt.empty());
        }
        List<EntityDocument> documents = new ArrayList<>();
        for (JsonNode document : snapshot.get("documents")) {
            documents.add(new EntityDocument(text(document, "kind"), text(document, "id"), plain(document.path("body"))));
        }
        Replicated replicated = build(snapshot.get("revision").asLong(), documents);
        snapshotsTaken.incrementAndGet();
        install(replicated);
    }

    /** The state built from all the documents, as on a snapshot. */
    private Replicated build(long revision, List<EntityDocument> documents)
    {
        StateDocuments loaded;
        try {
            loaded = StateDocuments.load(documents);
        }
        catch (BundleException e) {
            throw new WardenClientException("the state at revision %d does not load: %s".formatted(revision, e.getMessage()), e);
        }
        return new Replicated(revision, loaded, new PolicyEngine(loaded.state(), config.planCacheDataSources()));
    }

    private void install(Replicated replicated)
    {
        synchronized (revisionSignal) {
            current = replicated;
            revisionSignal.notifyAll();
        }
        for (Consumer<Long> listener : listeners) {
            try {
                listener.accept(replicated.revision());
            }
            catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a change listener failed at revision " + replicated.revision(), e);
            }
        }
    }

    private JsonNode get(String pathAndQuery, Duration timeout)
            throws IOException, InterruptedException
    {
        HttpRequest request = HttpRequest.newBuilder(resolve(pathAndQuery))
                .GET()
                .timeout(timeout)
                .header("Authorization", "Bearer " + config.apiKey())
                .header("Accept", "application/json")
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new WardenClientException("HTTP %d from %s: %s".formatted(response.statusCode(), request.uri().getPath(), errorMessage(response.body())),
                    OptionalInt.of(response.statusCode()));
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        }
        catch (JsonProcessingException e) {
            throw new WardenClientException("the response from %s is not JSON: %s".formatted(request.uri().getPath(), e.getOriginalMessage()), e);
        }
        lastContactNanos = System.nanoTime();
        lastContact = Instant.now();
        return body;
    }

    private URI resolve(String pathAndQuery)
    {
        return ServerRequests.resolve(config.serverUri(), pathAndQuery);
    }

    /** The server's {@code code: message}, or the body itself when it is not one of the server's errors. */
    private String errorMessage(String body)
    {
        return ServerRequests.errorMessage(json, body);
    }

    private Object plain(JsonNode node)
            throws JsonProcessingException
    {
        return json.treeToValue(node, Object.class);
    }

    private static String text(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new WardenClientException("a document from the server has no '%s'".formatted(field), OptionalInt.empty());
        }
        return value.asText();
    }

    private Duration backoff(int failures)
    {
        return ServerRequests.backoff(config.reconnectBackoffMin(), config.reconnectBackoffMax(), failures);
    }
}
