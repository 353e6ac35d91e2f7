package dev.warden.policy.state;

import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessGrantMapping;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.Project;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.warden.policy.testing.TestPolicies.dataSource;
import static dev.warden.policy.testing.TestPolicies.SALT;
import static dev.warden.policy.testing.TestPolicies.everyone;
import static dev.warden.policy.testing.TestPolicies.grant;
import static dev.warden.policy.testing.TestPolicies.mask;
import static dev.warden.policy.testing.TestPolicies.named;
import static dev.warden.policy.testing.TestPolicies.on;
import static dev.warden.policy.testing.TestPolicies.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyStateUpdateTest
{
    private static final Column ID = new Column("id", SqlType.parse("bigint"), new TreeSet<>());
    private static final Column EMAIL = new Column("email", SqlType.parse("varchar"), new TreeSet<>(Set.of(Tag.of("PII.Email"))));
    private static final Column CREATED = new Column("created", SqlType.parse("timestamp(3)"), new TreeSet<>());

    @Test
    void removingAnEntityStillNamedElsewhereIsRefusedWithTheProblemsOfAWholeCheck()
    {
        PolicyState state = PolicyState.builder()
                .tag(Tag.of("PII.Email"))
                .user(user("alice", Set.of(), Optional.empty()))
                .user(user("bob", Set.of(), Optional.of("audit")))
                .project(new Project("audit", new TreeSet<>(), new TreeSet<>(), new TreeSet<>(Set.of("alice", "bob"))))
                .dataSource(table("orders", List.of(ID, EMAIL), Set.of("bob"), Optional.empty()))
                .policy(grant("bob-reads", on("orders"), AccessType.READ, new Audience.NamedUsers(new TreeSet<>(Set.of("bob")))))
                .approval(new AccessApproval("bob", "orders", AccessType.READ))
                .build();

        Entities withoutBob = Entities.of(state);
        withoutBob.users.remove("bob");
        assertRefusedAsAWhole(state.update().removeUser("bob"), withoutBob, List.of(
                "projects[audit].members: names user 'bob', who does not exist",
                "dataSources[orders].owners: names user 'bob', who does not exist",
                "policies[bob-reads].audience.users: names user 'bob', who does not exist",
                "approvals[bob/orders].user: names user 'bob', who does not exist"));
        Entities withoutEmailTag = Entities.of(state);
        withoutEmailTag.tags.remove(Tag.of("PII.Email"));
        assertRefusedAsAWhole(state.update().removeTag(Tag.of("PII.Email")), withoutEmailTag, List.of(
                "dataSources[orders].columns[email].tags: uses tag 'PII.Email', which is not defined"));
        Entities withoutProject = Entities.of(state);
        withoutProject.projects.remove("audit");
        assertRefusedAsAWhole(state.update().removeProject("audit"), withoutProject, List.of(
                "users[bob].currentProject: names project 'audit', which does not exist"));
    }

    @Test
    void removingADefinerViewOwnerStillListedIsRefusedAsAWholeCheckRefusesIt()
    {
        PolicyState state = PolicyState.builder()
                .user(user("alice", Set.of(), Optional.empty()))
                .user(user("bob", Set.of(), Optional.empty()))
                .dataSource(table("orders", List.of(ID), Set.of(), Optional.empty()))
                .policy(grant("bob-reads", on("orders"), AccessType.READ, new Audience.NamedUsers(new TreeSet<>(Set.of("bob")))))
                .definerViewOwner("bob")
                .definerViewOwner("alice")
                .approval(new AccessApproval("bob", "orders", AccessType.READ))
                .build();

        Entities withoutBob = Entities.of(state);
        withoutBob.users.remove("bob");
        assertRefusedAsAWhole(state.update().removeUser("bob"), withoutBob, List.of(
                "policies[bob-reads].audience.users: names user 'bob', who does not exist",
                "definerViewOwners[bob]: names user 'bob', who does not exist",
                "approvals[bob/orders].user: names user 'bob', who does not exist"));
        Entities carolListed = Entities.of(state);
        carolListed.definerViewOwners.add("carol");
        assertRefusedAsAWhole(state.update().putDefinerViewOwner("carol"), carolListed, List.of(
                "definerViewOwners[carol]: names user 'carol', who does not exist"));

        PolicyState withoutAlice = state.update().removeDefinerViewOwner("alice").removeUser("alice").build();
        assertThat(withoutAlice.definerViewOwners()).containsExactly("bob");
        assertThat(withoutAlice.users()).containsOnlyKeys("bob");
        assertThat(state.update().putUser(user("carol", Set.of(), Optional.empty())).putDefinerViewOwner("carol").build().definerViewOwners())
                .containsExactly("alice", "bob", "carol");
        assertThat(state.update().putUser(user("carol", Set.of(), Optional.empty())).build().definerViewOwners()).isSameAs(state.definerViewOwners());
    }

    @Test
    void changingADataSourceChecksTheLocalPoliciesOnItAndChangingAProjectTheUsersActingUnderIt()
    {
        PolicyState state = PolicyState.builder()
                .tag(Tag.of("PII.Email"))
                .user(user("bob", Set.of(), Optional.of("audit")))
                .project(new Project("audit", new TreeSet<>(), new TreeSet<>(), new TreeSet<>(Set.of("bob"))))
                .dataSource(table("orders", List.of(ID, EMAIL, CREATED), Set.of(), Optional.of("created")))
                .policy(mask("hide-email", on("orders"), named("email"), new MaskMethod.KeyedHash(), everyone()))
                .policy(rows("recent", on("orders"), new RowRule.RecentEvents(3, TimeUnit.MONTH), everyone()))
                .build();

        Entities withoutEmail = Entities.of(state);
        DataSource noEmail = table("orders", List.of(ID, CREATED), Set.of(), Optional.of("created"));
        withoutEmail.dataSources.put("orders", noEmail);
        assertRefusedAsAWhole(state.update().putDataSource(noEmail), withoutEmail, List.of(
                "policies[hide-email].columns: names column 'email', which data source 'orders' does not have"));
        Entities numericEmail = Entities.of(state);
        DataSource numeric = dataSource("orders", List.of(ID, new Column("email", SqlType.parse("bigint"), new TreeSet<>())));
        numericEmail.dataSources.put("orders", numeric);
        assertRefusedAsAWhole(state.update().putDataSource(numeric), numericEmail, List.of(
                "policies[hide-email].method: cannot mask column 'email' of data source 'orders': a keyed hash applies to text, and the column is bigint",
                "policies[recent].rule: data source 'orders' has no event-time column"));
        Entities noMembers = Entities.of(state);
        Project empty = new Project("audit", new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        noMembers.projects.put("audit", empty);
        assertRefusedAsAWhole(state.update().putProject(empty), noMembers, List.of(
                "users[bob].currentProject: names project 'audit', of which the user is not a member"));
    }

    @Test
    void anUpdateSharesWhatItLeavesAloneAndPutsNewEntitiesBeforeTheFirstKeyAfterTheirs()
    {
        PolicyState state = PolicyState.builder()
                .group(Group.of("b"))
                .group(Group.of("d"))
                .group(Group.of("a"))
                .dataSource(dataSource("orders", List.of(ID)))
                .build();

        PolicyState updated = state.update()
                .putGroup(Group.of("c"))
                .putGroup(new Group("d", Map.of("level", Set.of("2"))))
                .putGroup(Group.of("e"))
                .removeGroup("a")
                .build();

        assertThat(updated.groups().keySet()).containsExactly("b", "c", "d", "e");
        assertThat(updated.groups().get("d").attributes()).containsKey("level");
        assertThat(updated.dataSources()).isSameAs(state.dataSources());
        assertThat(updated.users()).isSameAs(state.users());
        assertThat(updated.tags()).isSameAs(state.tags());
        assertThat(state.groups().keySet()).containsExactly("b", "d", "a");
    }

    @Test
    void aTagCannotBeRemovedWhileATagBelowItStays()
    {
        PolicyState state = PolicyState.builder().tag(Tag.of("PII.Email")).build();

        assertThatThrownBy(() -> state.update().removeTag(Tag.of("PII")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag 'PII' cannot be removed while tag 'PII.Email' below it stays");
        assertThat(state.update().removeTag(Tag.of("PII.Email")).removeTag(Tag.of("PII")).build().tags()).isEmpty();
    }

    /**
     * Random sequences of changes, applied as an update and as a whole new state built from the entities that result:
     * each must give the same state (entities in the same order) or be refused with the same problems.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void anUpdateGivesTheStateOrTheProblemsThatBuildingTheWholeStateGives(long seed)
    {
        Random random = new Random(seed);
        Entities entities = new Entities();
        PolicyState state = entities.build();
        int accepted = 0;
        int refused = 0;
        for (int step = 0; step < 200; step++) {
            Entities changed = entities.copy();
            PolicyState.Update update = state.update();
            int changes = 1 + random.nextInt(3);
            for (int i = 0; i < changes; i++) {
                changed.randomChange(random, update);
            }
            PolicyState whole;
            try {
                whole = changed.build();
            }
            catch (InvalidStateException refusal) {
                assertThatThrownBy(update::build)
                        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.problems())
                                .extracting(Exception::getMessage)
                                .containsExactlyInAnyOrderElementsOf(refusal.problems().stream().map(Exception::getMessage).toList()));
                refused++;
                continue;
            }
            PolicyState updated = update.build();
            assertSameState(updated, whole);
            state = updated;
            entities = changed;
            accepted++;
        }
        assertThat(accepted).isGreaterThan(40);
        assertThat(refused).isGreaterThan(40);
    }

    /** The update is refused with the problems given, in the order given, as building {@code whole} is. */
    private static void assertRefusedAsAWhole(PolicyState.Update update, Entities whole, List<String> problems)
    {
        assertThatThrownBy(whole::build)
                .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.problems()).extracting(Exception::getMessage).containsExactlyElementsOf(problems));
        assertThatThrownBy(update::build)
                .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.problems()).extracting(Exception::getMessage).containsExactlyElementsOf(problems));
    }

    private static void assertSameState(PolicyState actual, PolicyState expected)
    {
        assertThat(List.copyOf(actual.users().entrySet())).isEqualTo(List.copyOf(expected.users().entrySet()));
        assertThat(List.copyOf(actual.groups().entrySet())).isEqualTo(List.copyOf(expected.groups().entrySet()));
        assertThat(List.copyOf(actual.purposes().entrySet())).isEqualTo(List.copyOf(expected.purposes().entrySet()));
        assertThat(List.copyOf(actual.projects().entrySet())).isEqualTo(List.copyOf(expected.projects().entrySet()));
        assertThat(List.copyOf(actual.tags())).isEqualTo(List.copyOf(expected.tags()));
        assertThat(List.copyOf(actual.dataSources().entrySet())).isEqualTo(List.copyOf(expected.dataSources().entrySet()));
        assertThat(List.copyOf(actual.policies().entrySet())).isEqualTo(List.copyOf(expected.policies().entrySet()));
        assertThat(actual.approvals()).isEqualTo(expected.approvals());
        assertThat(actual.accessGrantMapping()).isEqualTo(expected.accessGrantMapping());
        assertThat(List.copyOf(actual.definerViewOwners())).isEqualTo(List.copyOf(expected.definerViewOwners()));
        assertThat(actual.revision()).isEqualTo(expected.revision());
    }

    private static User user(String name, Set<String> groups, Optional<String> currentProject)
    {
        return new User(name, "", new TreeSet<>(groups), Map.of(), currentProject);
    }

    private static DataSource table(String id, List<Column> columns, Set<String> owners, Optional<String> eventTimeColumn)
    {
        return new DataSource(id, id, new RemoteLocation("trino", "c", "s", id), ObjectType.TABLE, columns, new TreeSet<>(), new TreeSet<>(owners), eventTimeColumn, SALT);
    }

    /**
     * The entities of a state, kept in key order as a state built from documents holds them, and changed both here
     * and through an update by {@link #randomChange}. Names come from small sets, so that changes often name
     * entities that exist, and sometimes ones that do not.
     */
    private static final class Entities
    {
        private static final List<String> USERS = List.of("ann", "bob", "cyd", "dee");
        private static final List<String> GROUPS = List.of("ops", "hr", "sales");
        private static final List<String> PURPOSES = List.of("audit", "fraud");
        private static final List<String> PROJECTS = List.of("p1", "p2");
        private static final List<Tag> TAGS = List.of(Tag.of("PII"), Tag.of("PII.Email"), Tag.of("PII.Phone"), Tag.of("Finance"), Tag.of("Finance.Amount"));
        private static final List<String> DATA_SOURCES = List.of("orders", "people", "events");
        private static final List<String> POLICIES = List.of("pol-a", "pol-b", "pol-c", "pol-d", "pol-e");
        private static final List<String> COLUMNS = List.of("id", "email", "region", "amount", "created");

        private final TreeMap<String, User> users = new TreeMap<>();
        private final TreeMap<String, Group> groups = new TreeMap<>();
        private final TreeMap<String, Purpose> purposes = new TreeMap<>();
        private final TreeMap<String, Project> projects = new TreeMap<>();
        private final TreeSet<Tag> tags = new TreeSet<>();
        private final TreeMap<String, DataSource> dataSources = new TreeMap<>();
        private final TreeMap<String, Policy> policies = new TreeMap<>();
        private final Set<AccessApproval> approvals = new HashSet<>();
        private AccessGrantMapping accessGrantMapping = AccessGrantMapping.DEFAULT;
        private final TreeSet<String> definerViewOwners = new TreeSet<>();
        private long sequence;

        static Entities of(PolicyState state)
        {
            Entities entities = new Entities();
            entities.users.putAll(state.users());
            entities.groups.putAll(state.groups());
            entities.purposes.putAll(state.purposes());
            entities.projects.putAll(state.projects());
            entities.tags.addAll(state.tags());
            entities.dataSources.putAll(state.dataSources());
            entities.policies.putAll(state.policies());
            entities.approvals.addAll(state.approvals());
            entities.accessGrantMapping = state.accessGrantMapping();
            entities.definerViewOwners.addAll(state.definerViewOwners());
            return entities;
        }

        Entities copy()
        {
            Entities copy = new Entities();
            copy.users.putAll(users);
            copy.groups.putAll(groups);
            copy.purposes.putAll(purposes);
            copy.projects.putAll(projects);
            copy.tags.addAll(tags);
            copy.dataSources.putAll(dataSources);
            copy.policies.putAll(policies);
            copy.approvals.addAll(approvals);
            copy.accessGrantMapping = accessGrantMapping;
            copy.definerViewOwners.addAll(definerViewOwners);
            copy.sequence = sequence;
            return copy;
        }

        PolicyState build()
        {
            PolicyState.Builder builder = PolicyState.builder();
            users.values().forEach(builder::user);
            groups.values().forEach(builder::group);
            purposes.values().forEach(builder::purpose);
            projects.values().forEach(builder::project);
            tags.forEach(builder::tag);
            dataSources.values().forEach(builder::dataSource);
            policies.values().forEach(builder::policy);
            approvals.forEach(builder::approval);
            definerViewOwners.forEach(builder::definerViewOwner);
            return builder.accessGrantMapping(accessGrantMapping).build();
        }

        void randomChange(Random random, PolicyState.Update update)
        {
            boolean remove = random.nextInt(10) < 3;
            switch (random.nextInt(10)) {
                case 0 -> {
                    String name = pick(random, USERS);
                    if (remove) {
                        users.remove(name);
                        update.removeUser(name);
                    }
                    else {
                        User user = new User(name, "", new TreeSet<>(some(random, GROUPS, 2)), Map.of(),
                                random.nextBoolean() ? Optional.of(pick(random, PROJECTS)) : Optional.empty());
                        users.put(name, user);
                        update.putUser(user);
                    }
                }
                case 1 -> {
                    String name = pick(random, GROUPS);
                    if (remove) {
                        groups.remove(name);
                        update.removeGroup(name);
                    }
                    else {
                        Group group = new Group(name, random.nextBoolean() ? Map.of() : Map.of("level", Set.of("" + random.nextInt(3))));
                        groups.put(name, group);
                        update.putGroup(group);
                    }
                }
                case 2 -> {
                    String name = pick(random, PURPOSES);
                    if (remove) {
                        purposes.remove(name);
                        update.removePurpose(name);
                    }
                    else {
                        Purpose purpose = new Purpose(name, "for " + random.nextInt(3));
                        purposes.put(name, purpose);
                        update.putPurpose(purpose);
                    }
                }
                case 3 -> {
                    String name = pick(random, PROJECTS);
                    if (remove) {
                        projects.remove(name);
                        update.removeProject(name);
                    }
                    else {
                        Project project = new Project(name, new TreeSet<>(some(random, PURPOSES, 1)), new TreeSet<>(some(random, DATA_SOURCES, 1)),
                                new TreeSet<>(some(random, USERS, 3)));
                        projects.put(name, project);
                        update.putProject(project);
                    }
                }
                case 4 -> {
                    Tag tag = pick(random, TAGS);
                    if (remove) {
                        // A tag goes with every tag below it, as a state holds the ancestors of each of its tags.
                        for (Tag below : List.copyOf(tags)) {
                            if (below.isWithin(tag)) {
                                tags.remove(below);
                                update.removeTag(below);
                            }
                        }
                    }
                    else {
                        tags.addAll(tag.selfAndAncestors());
                        update.putTag(tag);
                    }
                }
                case 5 -> {
                    String id = pick(random, DATA_SOURCES);
                    if (remove) {
                        dataSources.remove(id);
                        update.removeDataSource(id);
                    }
                    else {
                        DataSource dataSource = randomDataSource(random, id);
                        dataSources.put(id, dataSource);
                        update.putDataSource(dataSource);
                    }
                }
                case 6, 7 -> {
                    String id = pick(random, POLICIES);
                    if (remove) {
                        policies.remove(id);
                        update.removePolicy(id);
                    }
                    else {
                        Policy policy = randomPolicy(random, id);
                        policies.put(id, policy);
                        update.putPolicy(policy);
                    }
                }
                case 8 -> {
                    // Names come from more than the users there may be, so that some name no user.
                    String name = random.nextInt(5) == 0 ? "eve" : pick(random, USERS);
                    if (remove) {
                        definerViewOwners.remove(name);
                        update.removeDefinerViewOwner(name);
                    }
                    else {
                        definerViewOwners.add(name);
                        update.putDefinerViewOwner(name);
                    }
                }
                default -> {
                    if (random.nextInt(4) == 0) {
                        accessGrantMapping = random.nextBoolean() ? AccessGrantMapping.DEFAULT : new AccessGrantMapping(Map.of(
                                AccessType.READ, EnumSet.of(AccessValue.READ),
                                AccessType.WRITE, EnumSet.of(AccessValue.READ, AccessValue.WRITE, AccessValue.OWN)));
                        update.accessGrantMapping(accessGrantMapping);
                        return;
                    }
                    AccessApproval approval = new AccessApproval(pick(random, USERS), pick(random, DATA_SOURCES), random.nextBoolean() ? AccessType.READ : AccessType.WRITE);
                    if (remove) {
                        approvals.remove(approval);
                        update.removeApproval(approval);
                    }
                    else {
                        approvals.add(approval);
                        update.putApproval(approval);
                    }
                }
            }
        }

        private DataSource randomDataSource(Random random, String id)
        {
            List<Column> columns = new ArrayList<>();
            for (String name : some(random, COLUMNS, COLUMNS.size())) {
                String type = switch (name) {
                    case "id" -> random.nextBoolean() ? "bigint" : "varchar";
                    case "amount" -> "decimal(12,2)";
                    case "created" -> "timestamp(3)";
                    default -> "varchar";
                };
                columns.add(new Column(name, SqlType.parse(type), new TreeSet<>(some(random, TAGS, 1))));
            }
            if (columns.isEmpty()) {
                columns.add(ID);
            }
            Optional<String> eventTime = columns.stream().map(Column::name).filter("created"::equals).findFirst().filter(_ -> random.nextBoolean());
            return new DataSource(id, id, new RemoteLocation("trino", "c", "s", id), ObjectType.TABLE, columns, new TreeSet<>(some(random, TAGS, 1)),
                    new TreeSet<>(some(random, USERS, 1)), eventTime, SALT);
        }

        private Policy randomPolicy(Random random, String id)
        {
            long created = ++sequence;
            PolicyScope scope = switch (random.nextInt(4)) {
                case 0 -> new PolicyScope.AllDataSources();
                case 1 -> new PolicyScope.TaggedDataSources(new TreeSet<>(Set.of(pick(random, TAGS))));
                default -> new PolicyScope.DataSources(new TreeSet<>(some(random, DATA_SOURCES, 2, 1)));
            };
            return switch (random.nextInt(3)) {
                case 0 -> new SubscriptionPolicy(id, id, created, scope, AccessType.READ, SubscriptionPolicy.Strength.GRANT, switch (random.nextInt(4)) {
                    case 0 -> new Audience.Anyone();
                    case 1 -> new Audience.NamedUsers(new TreeSet<>(some(random, USERS, 2, 1)));
                    default -> new Audience.UsersMatching(randomCondition(random));
                });
                case 1 -> new MaskingPolicy(id, id, created, scope,
                        random.nextBoolean() ? new ColumnSelector.ByName(new TreeSet<>(Set.of(pick(random, COLUMNS)))) : new ColumnSelector.ByTag(new TreeSet<>(Set.of(pick(random, TAGS)))),
                        random.nextBoolean() ? new MaskMethod.Nullify() : new MaskMethod.KeyedHash(),
                        random.nextInt(4) == 0 ? Optional.of(CustomSql.parse("region = 'EU'")) : Optional.empty(),
                        random.nextBoolean() ? new Applicability.Everyone() : new Applicability.EveryoneExcept(randomCondition(random)));
                default -> new RowPolicy(id, id, created, scope, switch (random.nextInt(6)) {
                    case 0 -> new RowRule.MatchAttribute(ColumnChoice.named(pick(random, COLUMNS)), "region");
                    case 1 -> new RowRule.MatchGroups(ColumnChoice.tagged(pick(random, TAGS)));
                    case 2 -> new RowRule.RecentEvents(3, TimeUnit.MONTH);
                    case 3 -> new RowRule.Minimize(50, List.of(pick(random, COLUMNS)));
                    case 4 -> new RowRule.OnlyForPurposes(new TreeSet<>(some(random, PURPOSES, 2, 1)));
                    default -> new RowRule.Where(CustomSql.parse(pick(random, COLUMNS) + " IS NOT NULL"));
                }, random.nextBoolean() ? new Applicability.Everyone() : new Applicability.EveryoneWho(randomCondition(random)));
            };
        }

        private static Condition randomCondition(Random random)
        {
            return switch (random.nextInt(5)) {
                case 0 -> new Condition.InGroup(pick(random, GROUPS));
                case 1 -> new Condition.HasPurpose(pick(random, PURPOSES));
                case 2 -> new Condition.IsUser(pick(random, USERS));
                case 3 -> new Condition.HasAttribute("region", "EU");
                default -> new Condition.AnyOf(List.of(new Condition.InGroup(pick(random, GROUPS)), new Condition.IsUser(pick(random, USERS))));
            };
        }

        private static <T> T pick(Random random, List<T> values)
        {
            return values.get(random.nextInt(values.size()));
        }

        private static <T> List<T> some(Random random, List<T> values, int most)
        {
            return some(random, values, most, 0);
        }

        private static <T> List<T> some(Random random, List<T> values, int most, int least)
        {
            List<T> shuffled = new ArrayList<>(values);
            java.util.Collections.shuffle(shuffled, random);
            return shuffled.subList(0, least + random.nextInt(most - least + 1));
        }
    }
}
