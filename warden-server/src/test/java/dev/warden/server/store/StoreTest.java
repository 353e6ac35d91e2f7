package dev.warden.server.store;

import dev.warden.policy.testing.TestPostgres;
import dev.warden.server.config.ServerConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The same behaviour on both stores: H2 in a temporary directory, and the PostgreSQL server on loopback. */
class StoreTest
{
    private static final EntityKey ALICE = new EntityKey("user", "alice");
    private static final EntityKey BOB = new EntityKey("user", "bob");
    private static final EntityKey POLICY = new EntityKey("policy", "mask-ssn");

    @TempDir
    Path dataDirectory;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void commitsBumpTheRevisionAndAreLoggedInOrder(String store)
    {
        try (Store opened = open(store)) {
            assertThat(opened.revision()).isZero();
            assertThat(opened.snapshot().documents()).isEmpty();

            long first = opened.commit("admin", OptionalLong.of(0), List.of(
                    EntityChange.put(ALICE, "{\"name\":\"alice\"}"),
                    EntityChange.put(POLICY, "{\"id\":\"mask-ssn\"}")));
            long second = opened.commit("governor", OptionalLong.empty(), List.of(
                    EntityChange.put(ALICE, "{\"name\":\"alice\",\"groups\":[\"hr\"]}"),
                    EntityChange.delete(POLICY)));

            assertThat(first).isEqualTo(1);
            assertThat(second).isEqualTo(2);
            Store.Snapshot snapshot = opened.snapshot();
            assertThat(snapshot.revision()).isEqualTo(2);
            assertThat(snapshot.documents()).containsExactly(Map.entry(ALICE, "{\"name\":\"alice\",\"groups\":[\"hr\"]}"));

            List<ChangeRecord> log = opened.changesAfter(0, 100);
            assertThat(log).extracting(ChangeRecord::revision, ChangeRecord::sequence, record -> record.change().key(), record -> record.change().body(), ChangeRecord::actor)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1L, 0, ALICE, Optional.of("{\"name\":\"alice\"}"), "admin"),
                            org.assertj.core.groups.Tuple.tuple(1L, 1, POLICY, Optional.of("{\"id\":\"mask-ssn\"}"), "admin"),
                            org.assertj.core.groups.Tuple.tuple(2L, 0, ALICE, Optional.of("{\"name\":\"alice\",\"groups\":[\"hr\"]}"), "governor"),
                            org.assertj.core.groups.Tuple.tuple(2L, 1, POLICY, Optional.empty(), "governor"));
            assertThat(opened.changesAfter(1, 100)).extracting(ChangeRecord::revision).containsExactly(2L, 2L);
            assertThat(opened.changesAfter(0, 1)).extracting(ChangeRecord::revision).containsExactly(1L, 1L);
            assertThat(opened.changesAfter(2, 100)).isEmpty();

            assertThat(opened.audit(Optional.empty(), Optional.of("user"), Optional.of("alice"), 10))
                    .extracting(AuditEntry::actor, AuditEntry::action, AuditEntry::revision, AuditEntry::before, AuditEntry::after)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("governor", "update", 2L, Optional.of("{\"name\":\"alice\"}"), Optional.of("{\"name\":\"alice\",\"groups\":[\"hr\"]}")),
                            org.assertj.core.groups.Tuple.tuple("admin", "create", 1L, Optional.empty(), Optional.of("{\"name\":\"alice\"}")));
            assertThat(opened.audit(Optional.of("governor"), Optional.empty(), Optional.empty(), 10))
                    .extracting(AuditEntry::action, entry -> entry.key().id())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("delete", "mask-ssn"), org.assertj.core.groups.Tuple.tuple("update", "alice"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aWriteBasedOnAStaleRevisionChangesNothing(String store)
    {
        try (Store opened = open(store)) {
            opened.commit("admin", OptionalLong.of(0), List.of(EntityChange.put(ALICE, "{}")));
            assertThatThrownBy(() -> opened.commit("admin", OptionalLong.of(0), List.of(EntityChange.put(BOB, "{}"))))
                    .isInstanceOf(StaleRevisionException.class)
                    .hasMessage("the change was based on revision 0, but the state is at revision 1");
            assertThat(opened.revision()).isEqualTo(1);
            assertThat(opened.snapshot().documents()).containsOnlyKeys(ALICE);
            assertThat(opened.changesAfter(0, 100)).hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentCommitsGetConsecutiveRevisionsAndNoneIsLost(String store)
            throws Exception
    {
        try (Store opened = open(store); ExecutorService writers = Executors.newFixedThreadPool(8)) {
            List<Future<Long>> revisions = new ArrayList<>();
            for (int writer = 0; writer < 8; writer++) {
                int id = writer;
                for (int i = 0; i < 25; i++) {
                    int n = i;
                    revisions.add(writers.submit(() -> opened.commit("writer-" + id, OptionalLong.empty(),
                            List.of(EntityChange.put(new EntityKey("tag", "w%d-%d".formatted(id, n)), "{}")))));
                }
            }
            List<Long> committed = new ArrayList<>();
            for (Future<Long> revision : revisions) {
                committed.add(revision.get());
            }
            assertThat(committed).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
            assertThat(opened.snapshot().documents()).hasSize(200);
            assertThat(opened.changesAfter(0, 1_000)).extracting(ChangeRecord::revision)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aCommitChangesEachEntityAtMostOnce(String store)
    {
        try (Store opened = open(store)) {
            assertThatThrownBy(() -> opened.commit("admin", OptionalLong.empty(), List.of(EntityChange.put(BOB, "{}"), EntityChange.delete(BOB))))
                    .hasMessage("a commit may change each entity at most once");
            assertThat(opened.revision()).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void aCommitTheDatabaseRefusesPartWayLeavesNothingBehind()
    {
        try (Store opened = open("postgresql")) {
            opened.commit("admin", OptionalLong.empty(), List.of(EntityChange.put(ALICE, "{}")));
            // PostgreSQL cannot store NUL in text: the third document fails after the first two were sent.
            assertThatThrownBy(() -> opened.commit("admin", OptionalLong.empty(), List.of(
                    EntityChange.put(BOB, "{}"), EntityChange.delete(ALICE), EntityChange.put(POLICY, "{\"x\":\"\0\"}"))))
                    .hasMessageContaining("0x00");
            assertThat(opened.revision()).isEqualTo(1);
            assertThat(opened.snapshot().documents()).containsOnlyKeys(ALICE);
            assertThat(opened.changesAfter(0, 100)).hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void reopeningKeepsEverythingAndMigratesOnlyOnce(String store)
    {
        try (Store opened = open(store)) {
            opened.commit("admin", OptionalLong.empty(), List.of(EntityChange.put(ALICE, "{\"v\":1}")));
        }
        try (Store reopened = reopen(store)) {
            assertThat(reopened.revision()).isEqualTo(1);
            assertThat(reopened.snapshot().documents()).containsExactly(Map.entry(ALICE, "{\"v\":1}"));
        }
    }

    private Store open(String store)
    {
        if (store.equals("postgresql")) {
            resetPostgresSchema();
        }
        return reopen(store);
    }

    private Store reopen(String store)
    {
        return Store.open(switch (store) {
            case "h2" -> ServerConfig.embedded(dataDirectory);
            case "postgresql" -> ServerConfig.load(Optional.empty(), Map.of(
                    "store.url", TestPostgres.URL + "?currentSchema=warden_store_test",
                    "store.user", TestPostgres.USER), Map.of());
            default -> throw new IllegalArgumentException(store);
        });
    }

    private static void resetPostgresSchema()
    {
        try (Connection connection = TestPostgres.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS warden_store_test CASCADE");
            statement.execute("CREATE SCHEMA warden_store_test");
        }
        catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
