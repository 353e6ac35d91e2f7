package dev.warden.bundle;

import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.bundle.StateDocuments.Change;
import dev.warden.policy.state.PolicyState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class StateDocumentsTest
{
    private static final String SALT = "salt-0123456789abcdef";

    @Test
    void aRefusedChangeNamesTheSameProblemsAsAWholeBuild()
            throws Exception
    {
        StateDocuments documents = StateDocuments.load(List.of(
                user("alice"),
                user("bob"),
                new EntityDocument("projects", "audit", Map.of("name", "audit", "members", List.of("alice", "bob"))),
                new EntityDocument("tags", "PII", "PII"),
                new EntityDocument("tags", "PII.Email", "PII.Email"),
                new EntityDocument("dataSources", "orders", dataSource("orders", List.of("PII.Email"), List.of("bob")))));

        List<Change> deleteBob = List.of(new Change("users", "bob", Optional.empty()));
        assertThatThrownBy(() -> documents.change(deleteBob))
                .isInstanceOfSatisfying(InvalidDocumentsException.class, e -> assertThat(e.problems()).containsExactly(
                        new DocumentProblem("projects[audit].members[1]", "names user 'bob', who does not exist"),
                        new DocumentProblem("dataSources[orders].owners[0]", "names user 'bob', who does not exist")));
        assertSameOutcome(documents, deleteBob);

        List<Change> unreadableBob = List.of(new Change("users", "bob", Optional.of(Map.of("name", "bob", "colour", "blue"))));
        assertThatThrownBy(() -> documents.change(unreadableBob))
                .isInstanceOfSatisfying(InvalidDocumentsException.class, e -> assertThat(e.problems()).containsExactly(
                        new DocumentProblem("users[bob].colour", "unknown key 'colour'; expected one of: name, email, groups, attributes, currentProject")));
        assertSameOutcome(documents, unreadableBob);
        // Not read at all, and nameless: bob is gone from the state, and whatever names him is refused too.
        List<Change> namelessBob = List.of(new Change("users", "bob", Optional.of(Map.of("groups", "analysts"))));
        assertThatThrownBy(() -> documents.change(namelessBob))
                .isInstanceOfSatisfying(InvalidDocumentsException.class, e -> assertThat(e.problems()).containsExactly(
                        new DocumentProblem("users[bob].name", "is required"),
                        new DocumentProblem("projects[audit].members[1]", "names user 'bob', who does not exist"),
                        new DocumentProblem("dataSources[orders].owners[0]", "names user 'bob', who does not exist")));
        assertSameOutcome(documents, namelessBob);
        assertSameOutcome(documents, List.of(new Change("tags", "PII", Optional.empty())));
        assertSameOutcome(documents, List.of(new Change("tags", "PII.Email", Optional.empty())));
        assertSameOutcome(documents, List.of(new Change("tags", "PII.Email", Optional.empty()), new Change("dataSources", "orders", Optional.empty())));
    }

    @Test
    void definerViewOwnersChangeOneDocumentAtATimeAndADeletedUserStillListedIsRefused()
            throws Exception
    {
        StateDocuments documents = StateDocuments.load(List.of(user("alice"), user("bob"), new EntityDocument("definerViewOwners", "bob", "bob")));

        List<Change> deleteBob = List.of(new Change("users", "bob", Optional.empty()));
        assertThatThrownBy(() -> documents.change(deleteBob))
                .isInstanceOfSatisfying(InvalidDocumentsException.class, e -> assertThat(e.problems())
                        .extracting(DocumentProblem::message)
                        .containsExactly("names user 'bob', who does not exist"));
        assertSameOutcome(documents, deleteBob);
        assertSameOutcome(documents, List.of(new Change("definerViewOwners", "carol", Optional.of("carol"))));

        StateDocuments withAlice = assertSameOutcome(documents, List.of(new Change("definerViewOwners", "alice", Optional.of("alice")))).orElseThrow();
        assertThat(withAlice.state().definerViewOwners()).containsExactly("alice", "bob");
        assertThat(withAlice.state().users()).isSameAs(documents.state().users());
        StateDocuments withoutBob = assertSameOutcome(withAlice, List.of(new Change("definerViewOwners", "bob", Optional.empty()), new Change("users", "bob", Optional.empty()))).orElseThrow();
        assertThat(withoutBob.state().definerViewOwners()).containsExactly("alice");
    }

    @Test
    void aChangeSharesWhatItDoesNotTouchAndKeepsEntitiesInIdOrder()
            throws Exception
    {
        StateDocuments documents = StateDocuments.load(List.of(user("bob"), user("dave"), new EntityDocument("dataSources", "orders", dataSource("orders", List.of(), List.of()))));

        StateDocuments changed = documents.change(List.of(new Change("users", "carol", Optional.of(Map.of("name", "carol"))), new Change("users", "alice", Optional.of(Map.of("name", "alice")))));

        assertThat(changed.state().users().keySet()).containsExactly("alice", "bob", "carol", "dave");
        assertThat(changed.state().dataSources()).isSameAs(documents.state().dataSources());
        assertThat(changed.section("dataSources")).isSameAs(documents.section("dataSources"));
        assertThat(changed.document("users", "carol")).contains(Map.of("name", "carol"));
        assertThat(documents.document("users", "carol")).isEmpty();
    }

    /**
     * Random sequences of document changes, including documents that do not read, documents that name missing
     * entities and documents that only a whole build can take (misnamed, policies without a sequence, expectations):
     * each change must give what building the state from all the resulting documents gives.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void changesGiveWhatBuildingFromAllDocumentsGives(long seed)
            throws Exception
    {
        Random random = new Random(seed);
        RandomDocuments generator = new RandomDocuments(random);
        StateDocuments documents = StateDocuments.load(List.of());
        int accepted = 0;
        int refused = 0;
        int shared = 0;
        for (int step = 0; step < 150; step++) {
            List<Change> changes = new ArrayList<>();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                changes.add(generator.change(documents));
            }
            Optional<StateDocuments> changed = assertSameOutcome(documents, changes);
            if (changed.isEmpty()) {
                refused++;
                continue;
            }
            accepted++;
            if (changed.get().state().policies() == documents.state().policies() || changed.get().state().users() == documents.state().users()) {
                shared++;
            }
            documents = changed.get();
        }
        assertThat(accepted).isGreaterThan(15);
        assertThat(refused).isGreaterThan(30);
        // Changes are made one document at a time, not only by building everything again.
        assertThat(shared).isGreaterThan(5);
    }

    /** The outcome of the change, which must be that of building the state from all the resulting documents. */
    private static Optional<StateDocuments> assertSameOutcome(StateDocuments documents, List<Change> changes)
    {
        Map<String, EntityDocument> expected = new LinkedHashMap<>();
        documents.documents().forEach(document -> expected.put(document.section() + "/" + document.id(), document));
        for (Change change : changes) {
            String key = change.section() + "/" + change.id();
            change.document().ifPresentOrElse(body -> expected.put(key, new EntityDocument(change.section(), change.id(), body)), () -> expected.remove(key));
        }
        List<EntityDocument> all = Documents.sorted(expected.values());
        PolicyState whole;
        try {
            whole = Documents.toState(all);
        }
        catch (BundleException refusal) {
            assertThatThrownBy(() -> documents.change(changes))
                    .as("changes %s", changes)
                    .isInstanceOfSatisfying(InvalidDocumentsException.class, e -> assertThat(e.problems()).isEqualTo(StateDocuments.problems(refusal, all)));
            return Optional.empty();
        }
        StateDocuments changed;
        try {
            changed = documents.change(changes);
        }
        catch (InvalidDocumentsException e) {
            return fail("changes %s were refused, but a whole build accepts them: %s", changes, e.getMessage());
        }
        assertThat(changed.documents()).isEqualTo(all);
        assertSameState(changed.state(), whole);
        return Optional.of(changed);
    }

    private static void assertSameState(PolicyState actual, PolicyState expected)
    {
        assertThat(BundleWriter.write(actual, List.of())).isEqualTo(BundleWriter.write(expected, List.of()));
        assertThat(List.copyOf(actual.users().keySet())).isEqualTo(List.copyOf(expected.users().keySet()));
        assertThat(List.copyOf(actual.groups().keySet())).isEqualTo(List.copyOf(expected.groups().keySet()));
        assertThat(List.copyOf(actual.purposes().keySet())).isEqualTo(List.copyOf(expected.purposes().keySet()));
        assertThat(List.copyOf(actual.projects().keySet())).isEqualTo(List.copyOf(expected.projects().keySet()));
        assertThat(List.copyOf(actual.dataSources().keySet())).isEqualTo(List.copyOf(expected.dataSources().keySet()));
        assertThat(List.copyOf(actual.policies().keySet())).isEqualTo(List.copyOf(expected.policies().keySet()));
        assertThat(actual.approvals()).isEqualTo(expected.approvals());
        assertThat(List.copyOf(actual.definerViewOwners())).isEqualTo(List.copyOf(expected.definerViewOwners()));
    }

    private static EntityDocument user(String name)
    {
        return new EntityDocument("users", name, Map.of("name", name));
    }

    private static Map<String, Object> dataSource(String id, List<String> emailTags, List<String> owners)
    {
        Map<String, Object> dataSource = new LinkedHashMap<>();
        dataSource.put("id", id);
        dataSource.put("location", Map.of("technology", "trino", "catalog", "c", "schema", "s", "table", id));
        dataSource.put("owners", owners);
        dataSource.put("maskingSalt", SALT);
        dataSource.put("columns", List.of(Map.of("name", "id", "type", "bigint"), Map.of("name", "email", "type", "varchar", "tags", emailTags)));
        return dataSource;
    }

    /**
     * Documents as the API would take them, over small sets of names, so that they often name what exists and
     * sometimes what does not; now and then one that does not read, or one that only a whole build can take.
     */
    private static final class RandomDocuments
    {
        private static final List<String> SECTIONS = List.of("tags", "purposes", "groups", "users", "projects", "dataSources", "definerViewOwners", "approvals", "policies", "policies", "accessGrantMapping");
        private static final List<String> USERS = List.of("ann", "bob", "cyd");
        private static final List<String> GROUPS = List.of("ops", "hr");
        private static final List<String> PURPOSES = List.of("audit", "fraud");
        private static final List<String> PROJECTS = List.of("p1", "p2");
        private static final List<String> TAGS = List.of("PII", "PII.Email", "PII.Phone", "Finance");
        private static final List<String> DATA_SOURCES = List.of("orders", "people");
        private static final List<String> POLICIES = List.of("pol-a", "pol-b", "pol-c", "pol-d");
        private static final List<String> COLUMNS = List.of("id", "email", "region", "created");

        private final Random random;
        private long sequence;

        RandomDocuments(Random random)
        {
            this.random = random;
        }

        Change change(StateDocuments documents)
        {
            int choice = random.nextInt(100);
            if (choice < 25 && !documents.documents().isEmpty()) {
                List<EntityDocument> existing = documents.documents();
                EntityDocument deleted = existing.get(random.nextInt(existing.size()));
                return new Change(deleted.section(), deleted.id(), Optional.empty());
            }
            if (choice < 28) {
                return new Change("expectations", "e" + random.nextInt(2), Optional.of(Map.of("user", pick(USERS), "dataSource", pick(DATA_SOURCES))));
            }
            String section = pick(SECTIONS);
            Object document = document(section);
            String id = idOf(section, document);
            if (choice < 32) {
                // Under another id than the one it names.
                id = id + "-elsewhere";
            }
            if (choice < 40 && document instanceof Map<?, ?> map) {
                Map<String, Object> broken = new LinkedHashMap<>();
                map.forEach((key, value) -> broken.put((String) key, value));
                switch (random.nextInt(3)) {
                    // Read, with an error.
                    case 0 -> broken.put("colour", "blue");
                    // Not read, under its name.
                    case 1 -> broken.put(broken.containsKey("name") ? "name" : "id", List.of("not", "a", "name"));
                    // Not read, and nameless.
                    default -> broken.keySet().removeIf(key -> !key.equals("name") && !key.equals("id"));
                }
                document = broken;
            }
            return new Change(section, id, Optional.of(document));
        }

        private Object document(String section)
        {
            Map<String, Object> document = new LinkedHashMap<>();
            switch (section) {
                case "tags" -> {
                    return random.nextInt(10) == 0 ? "PII..Broken" : pick(TAGS);
                }
                case "purposes" -> {
                    document.put("name", pick(PURPOSES));
                    document.put("description", "for " + random.nextInt(3));
                }
                case "groups" -> {
                    document.put("name", pick(GROUPS));
                    if (random.nextBoolean()) {
                        document.put("attributes", Map.of("level", List.of("" + random.nextInt(3))));
                    }
                }
                case "users" -> {
                    document.put("name", pick(USERS));
                    document.put("groups", some(GROUPS, 2));
                    if (random.nextBoolean()) {
                        document.put("currentProject", pick(PROJECTS));
                    }
                }
                case "projects" -> {
                    document.put("name", pick(PROJECTS));
                    document.put("purposes", some(PURPOSES, 1));
                    document.put("dataSources", some(DATA_SOURCES, 1));
                    document.put("members", some(USERS, 3));
                }
                case "dataSources" -> {
                    String id = pick(DATA_SOURCES);
                    document.put("id", id);
                    document.put("location", Map.of("technology", "trino", "catalog", "c", "schema", "s", "table", id));
                    document.put("tags", some(TAGS, 1));
                    document.put("owners", some(USERS, 1));
                    List<Object> columns = new ArrayList<>();
                    for (String name : some(COLUMNS, COLUMNS.size())) {
                        String type = switch (name) {
                            case "id" -> random.nextBoolean() ? "bigint" : "varchar";
                            case "created" -> "timestamp(3)";
                            default -> "varchar";
                        };
                        columns.add(Map.of("name", name, "type", type, "tags", some(TAGS, 1)));
                    }
                    if (columns.isEmpty()) {
                        columns.add(Map.of("name", "id", "type", "bigint"));
                    }
                    if (columns.stream().anyMatch(column -> ((Map<?, ?>) column).get("name").equals("created")) && random.nextBoolean()) {
                        document.put("eventTimeColumn", "created");
                    }
                    document.put("columns", columns);
                    document.put("maskingSalt", SALT);
                }
                case "definerViewOwners" -> {
                    // Now and then a user there never is, or a name that does not read.
                    return switch (random.nextInt(10)) {
                        case 0 -> "dee";
                        case 1 -> "bad\u0001name";
                        default -> pick(USERS);
                    };
                }
                case "approvals" -> {
                    document.put("user", pick(USERS));
                    document.put("dataSource", pick(DATA_SOURCES));
                    document.put("access", random.nextBoolean() ? "READ" : "WRITE");
                }
                case "policies" -> {
                    return policy();
                }
                default -> {
                    document.put("READ", List.of("READ"));
                    document.put("WRITE", random.nextBoolean() ? List.of("READ", "WRITE") : List.of("READ", "WRITE", "OWN"));
                }
            }
            return document;
        }

        private Map<String, Object> policy()
        {
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("id", pick(POLICIES));
            Object scope = switch (random.nextInt(3)) {
                case 0 -> "all";
                case 1 -> Map.of("tagged", List.of(pick(TAGS)));
                default -> Map.of("dataSources", some(DATA_SOURCES, 2, 1));
            };
            switch (random.nextInt(3)) {
                case 0 -> {
                    policy.put("type", "subscription");
                    policy.put("access", "READ");
                    policy.put("on", scope);
                    policy.put("who", switch (random.nextInt(3)) {
                        case 0 -> "anyone";
                        case 1 -> Map.of("users", some(USERS, 2, 1));
                        default -> Map.of("group", pick(GROUPS));
                    });
                }
                case 1 -> {
                    policy.put("type", "masking");
                    policy.put("on", scope);
                    policy.put("columns", random.nextBoolean() ? Map.of("named", List.of(pick(COLUMNS))) : Map.of("tagged", List.of(pick(TAGS))));
                    policy.put("mask", random.nextBoolean() ? "nullify" : "hash");
                    if (random.nextInt(4) == 0) {
                        policy.put("onlyWhere", "region = 'EU'");
                    }
                    if (random.nextBoolean()) {
                        policy.put("for", Map.of("everyoneExcept", Map.of("purpose", pick(PURPOSES))));
                    }
                }
                default -> {
                    policy.put("type", "row");
                    policy.put("on", scope);
                    policy.put("rows", switch (random.nextInt(4)) {
                        case 0 -> Map.of("matchAttribute", Map.of("column", pick(COLUMNS), "attribute", "region"));
                        case 1 -> Map.of("recentEvents", Map.of("amount", 3, "unit", "month"));
                        case 2 -> Map.of("onlyForPurposes", some(PURPOSES, 2, 1));
                        default -> Map.of("where", pick(COLUMNS) + " IS NOT NULL");
                    });
                }
            }
            // Now and then a policy without a sequence, numbered by its place among all policies.
            if (random.nextInt(6) != 0) {
                policy.put("sequence", ++sequence);
            }
            return policy;
        }

        private static String idOf(String section, Object document)
        {
            if (document instanceof String path) {
                return path;
            }
            Map<?, ?> map = (Map<?, ?>) document;
            return switch (section) {
                case "dataSources", "policies" -> (String) map.get("id");
                case "approvals" -> map.get("user") + "/" + map.get("dataSource") + "/" + map.get("access");
                case "accessGrantMapping" -> "accessGrantMapping";
                default -> (String) map.get("name");
            };
        }

        private <T> T pick(List<T> values)
        {
            return values.get(random.nextInt(values.size()));
        }

        private <T> List<T> some(List<T> values, int most)
        {
            return some(values, most, 0);
        }

        private <T> List<T> some(List<T> values, int most, int least)
        {
            List<T> shuffled = new ArrayList<>(values);
            Collections.shuffle(shuffled, random);
            return List.copyOf(shuffled.subList(0, least + random.nextInt(most - least + 1)));
        }
    }
}
