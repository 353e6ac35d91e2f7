package dev.warden.server.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.bundle.BundleException;
import dev.warden.bundle.BundleWriter;
import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.bundle.Documents;
import dev.warden.bundle.InvalidDocumentsException;
import dev.warden.bundle.StateDocuments;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.state.PolicyState;
import dev.warden.server.store.EntityChange;
import dev.warden.server.store.EntityKey;
import dev.warden.server.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * The policy state the server serves: built whole from the store at start, changed only through {@link #change},
 * which checks the resulting state as a whole (every reference, every custom SQL condition) before committing, so
 * that the store never holds a state the engine would refuse. A change reads only the documents it writes and
 * checks only what they can affect, with the outcome of checking the whole ({@link StateDocuments}). Entities are
 * kept as the documents of Warden's bundle format, one per entity, keyed by bundle section ({@code users},
 * {@code policies}, ...) and id.
 */
public final class PolicyStateService
{
    private final Store store;
    private final ObjectMapper json;
    private volatile Current current;
    private final Object revisionSignal = new Object();
    private final int changeLogRetention;
    private final int planCacheDataSources;

    /** The state at one revision, the documents it was built from, and an engine over it. */
    public record Current(long revision, StateDocuments documents, PolicyEngine engine)
    {
        public Current
        {
            requireNonNull(documents, "documents is null");
            requireNonNull(engine, "engine is null");
        }

        public PolicyState state()
        {
            return documents.state();
        }

        public Optional<Object> document(EntityKey key)
        {
            return documents.document(key.kind(), key.id());
        }
    }

    /** A document to write ({@code document} present) or delete. */
    public record DocumentChange(EntityKey key, Optional<Object> document)
    {
        public DocumentChange
        {
            requireNonNull(key, "key is null");
            requireNonNull(document, "document is null");
        }
    }

    /**
     * @param changeLogRetention how many revisions of changes to keep for replicas to catch up from
     * @param planCacheDataSources how many data sources' plans the engine keeps (about 30 KB each on a heavy workload)
     */
    public PolicyStateService(Store store, ObjectMapper json, int changeLogRetention, int planCacheDataSources)
    {
        this.planCacheDataSources = planCacheDataSources;
        this.changeLogRetention = changeLogRetention;
        this.store = requireNonNull(store, "store is null");
        this.json = requireNonNull(json, "json is null");
        Store.Snapshot snapshot = store.snapshot();
        List<EntityDocument> documents = new ArrayList<>();
        snapshot.documents().forEach((key, body) -> documents.add(new EntityDocument(key.kind(), key.id(), parse(body))));
        StateDocuments loaded;
        try {
            loaded = StateDocuments.load(documents);
        }
        catch (BundleException e) {
            InvalidChangeException invalid = new InvalidChangeException(StateDocuments.problems(e, Documents.sorted(documents)));
            throw new IllegalStateException("the stored policy state at revision %d is invalid: %s".formatted(snapshot.revision(), invalid.getMessage()), invalid);
        }
        this.current = new Current(snapshot.revision(), loaded, new PolicyEngine(loaded.state(), planCacheDataSources));
    }

    public Current current()
    {
        return current;
    }

    /**
     * Applies the changes as one new revision, or refuses them all.
     *
     * @param basedOn the revision the caller read, when it wants to be told that someone else changed the state first
     */
    public Current change(String actor, OptionalLong basedOn, List<DocumentChange> changes, Authorizer authorizer)
    {
        return change(actor, basedOn, changes, authorizer, (_, _) -> {});
    }

    /** As {@link #change(String, OptionalLong, List, Authorizer)}, committing {@code alongWith} in the same transaction. */
    public synchronized Current change(String actor, OptionalLong basedOn, List<DocumentChange> changes, Authorizer authorizer, Store.AlongWith alongWith)
    {
        Current before = current;
        if (basedOn.isPresent() && basedOn.getAsLong() != before.revision()) {
            throw new dev.warden.server.store.StaleRevisionException(basedOn.getAsLong(), before.revision());
        }
        List<StateDocuments.Change> documentChanges = new ArrayList<>();
        List<EntityChange> stored = new ArrayList<>();
        long nextSequence = before.state().policies().values().stream().mapToLong(Policy::sequence).max().orElse(0) + 1;
        for (DocumentChange change : changes) {
            if (change.document().isEmpty()) {
                documentChanges.add(new StateDocuments.Change(change.key().kind(), change.key().id(), Optional.empty()));
                stored.add(EntityChange.delete(change.key()));
                continue;
            }
            Object document = change.document().get();
            if (change.key().kind().equals("policies") && document instanceof Map<?, ?> policy && !policy.containsKey("sequence")) {
                Optional<Object> previous = before.document(change.key());
                Object sequence = previous.isPresent() && previous.get() instanceof Map<?, ?> old && old.containsKey("sequence") ? old.get("sequence") : nextSequence++;
                Map<Object, Object> withSequence = new LinkedHashMap<>(policy);
                withSequence.put("sequence", sequence);
                document = withSequence;
            }
            documentChanges.add(new StateDocuments.Change(change.key().kind(), change.key().id(), Optional.of(document)));
            stored.add(EntityChange.put(change.key(), write(document)));
        }
        StateDocuments documents;
        try {
            documents = before.documents().change(documentChanges);
        }
        catch (InvalidDocumentsException e) {
            throw new InvalidChangeException(e.problems());
        }
        authorizer.authorize(before.state(), documents.state());
        long revision = store.commit(actor, OptionalLong.of(before.revision()), stored, alongWith);
        current = new Current(revision, documents, before.engine().withState(documents.state()));
        if (revision % 100 == 0 && revision > changeLogRetention) {
            store.pruneChangeLog(revision - changeLogRetention);
        }
        synchronized (revisionSignal) {
            revisionSignal.notifyAll();
        }
        return current;
    }

    /**
     * Waits until the state is past {@code revision}, for at most {@code timeout}; returns the revision then
     * current. Change-stream requests wait here rather than polling the store.
     */
    public long awaitRevisionAfter(long revision, java.time.Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (revisionSignal) {
            while (current.revision() <= revision) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(revisionSignal, remaining);
            }
        }
        return current.revision();
    }

    /** Decides, seeing the state before and after, whether the caller may make a change; throws to refuse it. */
    @FunctionalInterface
    public interface Authorizer
    {
        void authorize(PolicyState before, PolicyState after);
    }

    /** The documents of a whole state, as the bundle format writes them. */
    public static Map<EntityKey, Object> documentsOf(PolicyState state)
    {
        Map<EntityKey, Object> documents = new LinkedHashMap<>();
        for (EntityDocument document : BundleWriter.documents(state)) {
            documents.put(new EntityKey(document.section(), document.id()), document.document());
        }
        return documents;
    }

    private Object parse(String body)
    {
        try {
            return json.readValue(body, Object.class);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored document is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String write(Object document)
    {
        try {
            return json.writeValueAsString(document);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write document as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether two documents are the same once written as JSON. */
    public boolean sameDocument(Object left, Object right)
    {
        return Objects.equals(write(left), write(right));
    }
}
