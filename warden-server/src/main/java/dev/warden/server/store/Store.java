package dev.warden.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.warden.server.config.ServerConfig;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * The metadata store: the policy state as one JSON document per entity, a global revision, and the change log
 * that replicas follow. Every commit is one transaction: the documents, the log entries and the new revision are
 * written together or not at all, and commits are serialised on the revision row.
 */
public final class Store
        implements AutoCloseable
{
    private static final int BODIES_PER_QUERY = 500;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Store(HikariDataSource dataSource)
    {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Connects, and brings the schema up to date with the migrations in {@code db/migration}. */
    public static Store open(ServerConfig config)
    {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(config.storeUrl());
        pool.setUsername(config.storeUser());
        pool.setPassword(config.storePassword());
        pool.setMaximumPoolSize(config.storePoolSize());
        pool.setPoolName("warden-store");
        pool.setAutoCommit(true);
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            return new Store(dataSource);
        }
        catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** For the server's other tables (keys, audit), which share this store's connections. */
    public Jdbi jdbi()
    {
        return jdbi;
    }

    public long revision()
    {
        return jdbi.withHandle(handle -> currentRevision(handle, false));
    }

    /**
     * Every stored document, with the revision they are current at, read from one snapshot of the store. Under read
     * committed each statement sees the commits made before it started, so a commit between reading the revision and
     * reading the documents would pair a revision with the documents of a later one; H2's repeatable read still lets
     * in rows inserted meanwhile. Serializable reads one snapshot on both stores, and as the only serializable
     * transaction (commits run at read committed) it cannot fail with a serialization error on PostgreSQL.
     */
    public Snapshot snapshot()
    {
        return jdbi.inTransaction(TransactionIsolationLevel.SERIALIZABLE, handle -> {
            long revision = currentRevision(handle, false);
            Map<EntityKey, String> documents = new LinkedHashMap<>();
            handle.createQuery("SELECT kind, id, body FROM entities ORDER BY kind, id")
                    .map((row, _) -> Map.entry(new EntityKey(row.getString("kind"), row.getString("id")), row.getString("body")))
                    .forEach(entry -> documents.put(entry.getKey(), entry.getValue()));
            return new Snapshot(revision, documents);
        });
    }

    /**
     * Commits the changes as the next revision.
     *
     * @param basedOn when present, the revision the caller read; if another commit came first, nothing is written
     *         and a {@link StaleRevisionException} says so
     */
    public long commit(String actor, OptionalLong basedOn, List<EntityChange> changes)
    {
        return commit(actor, basedOn, changes, (_, _) -> {});
    }

    /** Work that must commit or fail together with a change of the policy state, given the new revision. */
    @FunctionalInterface
    public interface AlongWith
    {
        void run(Handle handle, long revision);
    }

    /** Commits the changes, and {@code alongWith} in the same transaction. */
    public long commit(String actor, OptionalLong basedOn, List<EntityChange> changes, AlongWith alongWith)
    {
        requireNonNull(actor, "actor is null");
        requireNonNull(alongWith, "alongWith is null");
        requireNonNull(basedOn, "basedOn is null");
        List<EntityChange> copied = List.copyOf(changes);
        if (copied.isEmpty()) {
            throw new IllegalArgumentException("a commit needs at least one change");
        }
        if (copied.stream().map(EntityChange::key).distinct().count() != copied.size()) {
            throw new IllegalArgumentException("a commit may change each entity at most once");
        }
        return jdbi.inTransaction(handle -> {
            long current = currentRevision(handle, true);
            if (basedOn.isPresent() && basedOn.getAsLong() != current) {
                throw new StaleRevisionException(basedOn.getAsLong(), current);
            }
            long next = current + 1;
            Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
            Map<EntityKey, String> before = currentBodies(handle, copied);
            PreparedBatch delete = handle.prepareBatch("DELETE FROM entities WHERE kind = :kind AND id = :id");
            PreparedBatch audit = handle.prepareBatch("""
                    INSERT INTO audit_log (at, actor, action, kind, entity_id, revision, before_body, after_body)
                    VALUES (:at, :actor, :action, :kind, :id, :revision, :before, :after)""");
            PreparedBatch insert = handle.prepareBatch("INSERT INTO entities (kind, id, body, revision) VALUES (:kind, :id, :body, :revision)");
            PreparedBatch log = handle.prepareBatch("""
                    INSERT INTO change_log (revision, seq, kind, id, body, actor, committed_at)
                    VALUES (:revision, :seq, :kind, :id, :body, :actor, :committedAt)""");
            for (int sequence = 0; sequence < copied.size(); sequence++) {
                EntityChange change = copied.get(sequence);
                delete.bind("kind", change.key().kind()).bind("id", change.key().id()).add();
                if (change.body().isPresent()) {
                    insert.bind("kind", change.key().kind()).bind("id", change.key().id())
                            .bind("body", change.body().get()).bind("revision", next).add();
                }
                String previous = before.get(change.key());
                String action = change.body().isEmpty() ? "delete" : previous == null ? "create" : "update";
                audit.bind("at", now).bind("actor", actor).bind("action", action)
                        .bind("kind", change.key().kind()).bind("id", change.key().id()).bind("revision", next)
                        .bind("before", previous).bind("after", change.body().orElse(null)).add();
                log.bind("revision", next).bind("seq", sequence)
                        .bind("kind", change.key().kind()).bind("id", change.key().id())
                        .bind("body", change.body().orElse(null))
                        .bind("actor", actor).bind("committedAt", now).add();
            }
            delete.execute();
            if (copied.stream().anyMatch(change -> change.body().isPresent())) {
                insert.execute();
            }
            log.execute();
            audit.execute();
            handle.createUpdate("UPDATE state_revision SET revision = :revision WHERE singleton = 1")
                    .bind("revision", next)
                    .execute();
            alongWith.run(handle, next);
            return next;
        });
    }

    /** The changes of the (at most {@code maxRevisions}) revisions committed after {@code revision}, oldest first. */
    public List<ChangeRecord> changesAfter(long revision, int maxRevisions)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT revision, seq, kind, id, body, actor, committed_at FROM change_log
                        WHERE revision > :after AND revision <= (
                            SELECT COALESCE(MAX(revision), :after) FROM (
                                SELECT DISTINCT revision FROM change_log WHERE revision > :after ORDER BY revision LIMIT :revisions) r)
                        ORDER BY revision, seq""")
                .bind("after", revision)
                .bind("revisions", maxRevisions)
                .map((row, _) -> new ChangeRecord(
                        row.getLong("revision"),
                        row.getInt("seq"),
                        new EntityChange(new EntityKey(row.getString("kind"), row.getString("id")), Optional.ofNullable(row.getString("body"))),
                        row.getString("actor"),
                        row.getTimestamp("committed_at").toInstant()))
                .list());
    }

    /** The oldest revision the change log still holds, or empty when it holds none. */
    public OptionalLong oldestLoggedRevision()
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT MIN(revision) FROM change_log")
                .mapTo(Long.class)
                .findOne()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty()));
    }

    /** Forgets the changes of revisions up to {@code revision}; replicas behind it must take a new snapshot. */
    public void pruneChangeLog(long revision)
    {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM change_log WHERE revision <= :revision").bind("revision", revision).execute());
    }

    /** The stored documents the changes replace, for the audit log; read a few hundred at a time, not one by one. */
    private static Map<EntityKey, String> currentBodies(Handle handle, List<EntityChange> changes)
    {
        Map<EntityKey, String> bodies = new LinkedHashMap<>();
        Map<String, List<String>> idsByKind = new LinkedHashMap<>();
        changes.forEach(change -> idsByKind.computeIfAbsent(change.key().kind(), _ -> new java.util.ArrayList<>()).add(change.key().id()));
        idsByKind.forEach((kind, ids) -> {
            for (int from = 0; from < ids.size(); from += BODIES_PER_QUERY) {
                handle.createQuery("SELECT id, body FROM entities WHERE kind = :kind AND id IN (<ids>)")
                        .bind("kind", kind)
                        .bindList("ids", ids.subList(from, Math.min(ids.size(), from + BODIES_PER_QUERY)))
                        .map((row, _) -> Map.entry(row.getString("id"), row.getString("body")))
                        .forEach(entry -> bodies.put(new EntityKey(kind, entry.getKey()), entry.getValue()));
            }
        });
        return bodies;
    }

    /** Audit entries, newest first, filtered by whichever of actor, kind and entity id are given. */
    public List<AuditEntry> audit(Optional<String> actor, Optional<String> kind, Optional<String> entityId, int limit)
    {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
        actor.ifPresent(_ -> sql.append(" AND actor = :actor"));
        kind.ifPresent(_ -> sql.append(" AND kind = :kind"));
        entityId.ifPresent(_ -> sql.append(" AND entity_id = :entityId"));
        sql.append(" ORDER BY id DESC LIMIT :limit");
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql.toString()).bind("limit", limit);
            actor.ifPresent(value -> query.bind("actor", value));
            kind.ifPresent(value -> query.bind("kind", value));
            entityId.ifPresent(value -> query.bind("entityId", value));
            return query.map((row, _) -> new AuditEntry(
                            row.getLong("id"),
                            row.getTimestamp("at").toInstant(),
                            row.getString("actor"),
                            row.getString("action"),
                            new EntityKey(row.getString("kind"), row.getString("entity_id")),
                            row.getLong("revision"),
                            Optional.ofNullable(row.getString("before_body")),
                            Optional.ofNullable(row.getString("after_body"))))
                    .list();
        });
    }

    private static long currentRevision(Handle handle, boolean lock)
    {
        return handle.createQuery("SELECT revision FROM state_revision WHERE singleton = 1" + (lock ? " FOR UPDATE" : ""))
                .mapTo(Long.class)
                .one();
    }

    @Override
    public void close()
    {
        dataSource.close();
    }

    /** Every document at one revision. */
    public record Snapshot(long revision, Map<EntityKey, String> documents)
    {
        public Snapshot
        {
            documents = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(documents));
        }
    }
}
