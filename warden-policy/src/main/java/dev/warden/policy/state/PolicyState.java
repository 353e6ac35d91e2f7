package dev.warden.policy.state;

import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessGrantMapping;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.Project;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static java.util.Collections.unmodifiableMap;
import static java.util.Collections.unmodifiableSet;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.toUnmodifiableSet;

/**
 * The whole policy state at one revision: people, data sources, tags and policies. Construction checks every
 * reference (a policy naming a group that does not exist, a mask that cannot apply to a column's type, custom
 * SQL naming a column the data source lacks, ...) and reports all problems at once, each naming its field as
 * {@code kind[key].field}. A state made by {@link #update()} from another is checked only where the changes can
 * have made a difference, with the same outcome.
 */
public final class PolicyState
{
    private final long revision;
    private final Map<String, User> users;
    private final Map<String, Group> groups;
    private final Map<String, Purpose> purposes;
    private final Map<String, Project> projects;
    private final Set<Tag> tags;
    private final Map<String, DataSource> dataSources;
    private final Map<String, Policy> policies;
    private final Set<AccessApproval> approvals;
    private final AccessGrantMapping accessGrantMapping;
    private final Set<String> definerViewOwners;

    private PolicyState(
            long revision,
            Map<String, User> users,
            Map<String, Group> groups,
            Map<String, Purpose> purposes,
            Map<String, Project> projects,
            Set<Tag> tags,
            Map<String, DataSource> dataSources,
            Map<String, Policy> policies,
            Set<AccessApproval> approvals,
            AccessGrantMapping accessGrantMapping,
            Set<String> definerViewOwners)
    {
        this.revision = revision;
        this.users = users;
        this.groups = groups;
        this.purposes = purposes;
        this.projects = projects;
        this.tags = tags;
        this.dataSources = dataSources;
        this.policies = policies;
        this.approvals = approvals;
        this.accessGrantMapping = accessGrantMapping;
        this.definerViewOwners = definerViewOwners;
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public static PolicyState empty()
    {
        return builder().build();
    }

    /** Changes to this state, made into a new state by {@link Update#build}; this state stays as it is. */
    public Update update()
    {
        return new Update(this);
    }

    public long revision()
    {
        return revision;
    }

    public Map<String, User> users()
    {
        return users;
    }

    public Map<String, Group> groups()
    {
        return groups;
    }

    public Map<String, Purpose> purposes()
    {
        return purposes;
    }

    public Map<String, Project> projects()
    {
        return projects;
    }

    public Set<Tag> tags()
    {
        return tags;
    }

    public Map<String, DataSource> dataSources()
    {
        return dataSources;
    }

    public Map<String, Policy> policies()
    {
        return policies;
    }

    public Set<AccessApproval> approvals()
    {
        return approvals;
    }

    public AccessGrantMapping accessGrantMapping()
    {
        return accessGrantMapping;
    }

    /**
     * Users whom governors allow to share what they see: through views that run with their owner's rights (Trino's
     * SECURITY DEFINER views), whose readers see what the owner sees, and by storing it where others read it
     * (refreshing a materialized view, copying registered data into a table Warden does not govern). Everyone else's
     * definer views are enforced for the person who queries them.
     */
    public Set<String> definerViewOwners()
    {
        return definerViewOwners;
    }

    public DataSource dataSource(String id)
    {
        DataSource dataSource = dataSources.get(id);
        if (dataSource == null) {
            throw new UnknownEntityException("no data source with id '" + id + "'");
        }
        return dataSource;
    }

    /**
     * What the engine knows of a user acting under a project: their groups, their own attributes merged with
     * those of their groups, and the purposes of the project. Without {@code project}, the user's current project.
     *
     * @throws UnknownEntityException if the user or project does not exist, or the user is not a member of the project
     */
    public UserContext userContext(String userName, Optional<String> project)
    {
        User user = users.get(userName);
        if (user == null) {
            throw new UnknownEntityException("no user named '" + userName + "'");
        }
        Map<String, Set<String>> attributes = new TreeMap<>();
        user.attributes().forEach((key, values) -> attributes.computeIfAbsent(key, _ -> new TreeSet<>()).addAll(values));
        for (String groupName : user.groups()) {
            groups.get(groupName).attributes().forEach((key, values) -> attributes.computeIfAbsent(key, _ -> new TreeSet<>()).addAll(values));
        }
        Optional<String> actingProject = project.isPresent() ? project : user.currentProject();
        TreeSet<String> projectPurposes = new TreeSet<>();
        if (actingProject.isPresent()) {
            Project acting = projects.get(actingProject.get());
            if (acting == null) {
                throw new UnknownEntityException("no project named '" + actingProject.get() + "'");
            }
            if (!acting.members().contains(userName)) {
                throw new UnknownEntityException("user '" + userName + "' is not a member of project '" + acting.name() + "'");
            }
            projectPurposes.addAll(acting.purposes());
        }
        return new UserContext(user.name(), user.groups(), attributes, actingProject, projectPurposes);
    }

    private static <T> Map<String, T> byKey(String kind, Collection<T> values, Function<T, String> key, List<InvalidModelException> problems)
    {
        Map<String, T> result = new LinkedHashMap<>();
        for (T value : values) {
            String name = key.apply(value);
            if (result.putIfAbsent(name, value) != null) {
                problems.add(new InvalidModelException(kind + "[" + name + "]", "is defined more than once"));
            }
        }
        return unmodifiableMap(result);
    }

    private static boolean namesAny(Set<String> named, Set<String> names)
    {
        if (names.isEmpty()) {
            return false;
        }
        for (String name : named) {
            if (names.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the data source or one of its columns carries one of the tags. */
    private static boolean usesAny(DataSource dataSource, Set<Tag> tags)
    {
        if (tags.isEmpty()) {
            return false;
        }
        for (Tag tag : dataSource.tags()) {
            if (tags.contains(tag)) {
                return true;
            }
        }
        for (Column column : dataSource.columns()) {
            for (Tag tag : column.tags()) {
                if (tags.contains(tag)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> union(Set<String> first, Set<String> second)
    {
        Set<String> union = new HashSet<>(first);
        union.addAll(second);
        return union;
    }

    /** Checks that everything named exists and that every local policy can apply to the data sources it lists. */
    private final class ReferenceCheck
    {
        private final List<InvalidModelException> problems;

        ReferenceCheck(List<InvalidModelException> problems)
        {
            this.problems = problems;
        }

        void checkAll()
        {
            users.values().forEach(this::checkUser);
            projects.values().forEach(this::checkProject);
            dataSources.values().forEach(this::checkDataSource);
            policies.values().forEach(policy -> checkPolicy("policies[" + policy.id() + "]", policy));
            definerViewOwners.forEach(this::checkDefinerViewOwner);
            approvals.forEach(this::checkApproval);
        }

        /**
         * Checks, in the order of {@link #checkAll}, every entity whose check the changes can have turned: those put,
         * those naming a removed entity, users acting under a changed project (its members may have changed) and
         * local policies listing a changed data source (its columns may have). The state changed passed every check
         * and nothing else reads what changed, so this finds exactly the problems that checking the whole state
         * would. Each kind is walked in full only when something may concern it.
         */
        void checkAfter(Changes changes)
        {
            Set<String> changedProjects = union(changes.putProjects(), changes.removedProjects());
            if (!changes.putUsers().isEmpty() || !changes.removedGroups().isEmpty() || !changedProjects.isEmpty()) {
                for (User user : users.values()) {
                    if (changes.putUsers().contains(user.name())
                            || namesAny(user.groups(), changes.removedGroups())
                            || user.currentProject().filter(changedProjects::contains).isPresent()) {
                        checkUser(user);
                    }
                }
            }
            if (!changes.putProjects().isEmpty() || !changes.removedPurposes().isEmpty() || !changes.removedDataSources().isEmpty() || !changes.removedUsers().isEmpty()) {
                for (Project project : projects.values()) {
                    if (changes.putProjects().contains(project.name())
                            || namesAny(project.purposes(), changes.removedPurposes())
                            || namesAny(project.dataSources(), changes.removedDataSources())
                            || namesAny(project.members(), changes.removedUsers())) {
                        checkProject(project);
                    }
                }
            }
            if (!changes.putDataSources().isEmpty() || !changes.removedTags().isEmpty() || !changes.removedUsers().isEmpty()) {
                for (DataSource dataSource : dataSources.values()) {
                    if (changes.putDataSources().contains(dataSource.id())
                            || namesAny(dataSource.owners(), changes.removedUsers())
                            || usesAny(dataSource, changes.removedTags())) {
                        checkDataSource(dataSource);
                    }
                }
            }
            // A policy may name data sources, tags, users, groups and purposes anywhere in its scope, audience,
            // applicability and rule: after any of them is removed, every policy is checked again.
            boolean policiesMayNameRemoved = !changes.removedDataSources().isEmpty() || !changes.removedTags().isEmpty() || !changes.removedUsers().isEmpty()
                    || !changes.removedGroups().isEmpty() || !changes.removedPurposes().isEmpty();
            if (policiesMayNameRemoved || !changes.putPolicies().isEmpty() || !changes.putDataSources().isEmpty()) {
                for (Policy policy : policies.values()) {
                    if (policiesMayNameRemoved
                            || changes.putPolicies().contains(policy.id())
                            || (policy.scope() instanceof PolicyScope.DataSources local && namesAny(local.ids(), changes.putDataSources()))) {
                        checkPolicy("policies[" + policy.id() + "]", policy);
                    }
                }
            }
            if (!changes.putDefinerViewOwners().isEmpty() || !changes.removedUsers().isEmpty()) {
                for (String owner : definerViewOwners) {
                    if (changes.putDefinerViewOwners().contains(owner) || changes.removedUsers().contains(owner)) {
                        checkDefinerViewOwner(owner);
                    }
                }
            }
            if (!changes.putApprovals().isEmpty() || !changes.removedUsers().isEmpty() || !changes.removedDataSources().isEmpty()) {
                for (AccessApproval approval : approvals) {
                    if (changes.putApprovals().contains(approval)
                            || changes.removedUsers().contains(approval.userName())
                            || changes.removedDataSources().contains(approval.dataSourceId())) {
                        checkApproval(approval);
                    }
                }
            }
        }

        private void checkUser(User user)
        {
            String field = "users[" + user.name() + "]";
            user.groups().forEach(group -> requireGroup(field + ".groups", group));
            user.currentProject().ifPresent(project -> {
                Project found = projects.get(project);
                if (found == null) {
                    problem(field + ".currentProject", "names project '" + project + "', which does not exist");
                }
                else if (!found.members().contains(user.name())) {
                    problem(field + ".currentProject", "names project '" + project + "', of which the user is not a member");
                }
            });
        }

        private void checkProject(Project project)
        {
            String field = "projects[" + project.name() + "]";
            project.purposes().forEach(purpose -> requirePurpose(field + ".purposes", purpose));
            project.dataSources().forEach(id -> requireDataSource(field + ".dataSources", id));
            project.members().forEach(member -> requireUser(field + ".members", member));
        }

        private void checkDataSource(DataSource dataSource)
        {
            String field = "dataSources[" + dataSource.id() + "]";
            dataSource.tags().forEach(tag -> requireTag(field + ".tags", tag));
            for (Column column : dataSource.columns()) {
                column.tags().forEach(tag -> requireTag(field + ".columns[" + column.name() + "].tags", tag));
            }
            dataSource.owners().forEach(owner -> requireUser(field + ".owners", owner));
        }

        private void checkDefinerViewOwner(String owner)
        {
            requireUser("definerViewOwners[" + owner + "]", owner);
        }

        private void checkApproval(AccessApproval approval)
        {
            String field = "approvals[" + approval.userName() + "/" + approval.dataSourceId() + "]";
            requireUser(field + ".user", approval.userName());
            requireDataSource(field + ".dataSource", approval.dataSourceId());
        }

        private void checkPolicy(String field, Policy policy)
        {
            List<DataSource> listed = new ArrayList<>();
            switch (policy.scope()) {
                case PolicyScope.DataSources local -> local.ids().forEach(id -> {
                    if (requireDataSource(field + ".scope.dataSources", id)) {
                        listed.add(dataSources.get(id));
                    }
                });
                case PolicyScope.TaggedDataSources tagged -> tagged.tags().forEach(tag -> requireTag(field + ".scope.tags", tag));
                case PolicyScope.DataSourcesWithTaggedColumns tagged -> tagged.tags().forEach(tag -> requireTag(field + ".scope.columnTags", tag));
                case PolicyScope.AllDataSources _ -> {}
            }
            switch (policy) {
                case SubscriptionPolicy subscription -> checkAudience(field + ".audience", subscription.audience());
                case MaskingPolicy masking -> {
                    checkApplicability(field + ".applicability", masking.applicability());
                    if (masking.columns() instanceof ColumnSelector.ByTag byTag) {
                        byTag.tags().forEach(tag -> requireTag(field + ".columns.tags", tag));
                    }
                    for (DataSource dataSource : listed) {
                        checkMaskOn(field, masking, dataSource);
                    }
                }
                case RowPolicy row -> {
                    checkApplicability(field + ".applicability", row.applicability());
                    checkRowRule(field + ".rule", row.rule(), listed);
                }
            }
        }

        private void checkMaskOn(String field, MaskingPolicy masking, DataSource dataSource)
        {
            if (masking.columns() instanceof ColumnSelector.ByName byName) {
                for (String name : byName.names()) {
                    if (dataSource.column(name).isEmpty()) {
                        problem(field + ".columns", "names column '" + name + "', which data source '" + dataSource.id() + "' does not have");
                    }
                }
            }
            for (Column column : dataSource.columns()) {
                if (masking.columns().specificity(column).isPresent()) {
                    masking.method().refusalFor(column.type()).ifPresent(why ->
                            problem(field + ".method", "cannot mask column '" + column.name() + "' of data source '" + dataSource.id() + "': " + why));
                }
            }
            masking.onlyWhere().ifPresent(sql -> checkSqlColumns(field + ".onlyWhere", sql, dataSource));
        }

        private void checkRowRule(String field, RowRule rule, List<DataSource> listed)
        {
            switch (rule) {
                case RowRule.MatchAttribute match -> listed.forEach(dataSource -> requireColumn(field + ".column", match.column(), dataSource));
                case RowRule.MatchGroups match -> listed.forEach(dataSource -> requireColumn(field + ".column", match.column(), dataSource));
                case RowRule.Where where -> listed.forEach(dataSource -> checkSqlColumns(field + ".where", where.sql(), dataSource));
                case RowRule.RecentEvents _ -> listed.stream()
                        .filter(dataSource -> dataSource.eventTimeColumn().isEmpty())
                        .forEach(dataSource -> problem(field, "data source '" + dataSource.id() + "' has no event-time column"));
                case RowRule.Minimize minimize -> listed.forEach(dataSource -> minimize.keyColumns().stream()
                        .filter(name -> dataSource.column(name).isEmpty())
                        .forEach(name -> problem(field + ".keyColumns", "names column '" + name + "', which data source '" + dataSource.id() + "' does not have")));
                case RowRule.OnlyForPurposes only -> only.purposes().forEach(purpose -> requirePurpose(field + ".purposes", purpose));
            }
        }

        private void requireColumn(String field, ColumnChoice choice, DataSource dataSource)
        {
            choice.tag().ifPresent(tag -> requireTag(field, tag));
            if (choice.resolve(dataSource).isEmpty()) {
                problem(field, "data source '" + dataSource.id() + "' has no " + choice.describe());
            }
        }

        private void checkSqlColumns(String field, CustomSql sql, DataSource dataSource)
        {
            for (String missing : sql.missingColumns(dataSource)) {
                problem(field, "names column '" + missing + "', which data source '" + dataSource.id() + "' does not have");
            }
        }

        private void checkAudience(String field, Audience audience)
        {
            switch (audience) {
                case Audience.Anyone _, Audience.AnyoneWhoAsks _ -> {}
                case Audience.UsersMatching matching -> checkCondition(field + ".condition", matching.condition());
                case Audience.NamedUsers named -> named.users().forEach(user -> requireUser(field + ".users", user));
            }
        }

        private void checkApplicability(String field, Applicability applicability)
        {
            switch (applicability) {
                case Applicability.Everyone _ -> {}
                case Applicability.EveryoneExcept except -> checkCondition(field + ".except", except.condition());
                case Applicability.EveryoneWho who -> checkCondition(field + ".who", who.condition());
            }
        }

        private void checkCondition(String field, Condition condition)
        {
            switch (condition) {
                case Condition.InGroup inGroup -> requireGroup(field + ".group", inGroup.group());
                case Condition.HasPurpose hasPurpose -> requirePurpose(field + ".purpose", hasPurpose.purpose());
                case Condition.IsUser isUser -> requireUser(field + ".user", isUser.userName());
                case Condition.HasAttribute _ -> {}
                case Condition.AllOf all -> all.conditions().forEach(inner -> checkCondition(field, inner));
                case Condition.AnyOf any -> any.conditions().forEach(inner -> checkCondition(field, inner));
            }
        }

        private void requireUser(String field, String name)
        {
            if (!users.containsKey(name)) {
                problem(field, "names user '" + name + "', who does not exist");
            }
        }

        private void requireGroup(String field, String name)
        {
            if (!groups.containsKey(name)) {
                problem(field, "names group '" + name + "', which does not exist");
            }
        }

        private void requirePurpose(String field, String name)
        {
            if (!purposes.containsKey(name)) {
                problem(field, "names purpose '" + name + "', which does not exist");
            }
        }

        private boolean requireDataSource(String field, String id)
        {
            if (!dataSources.containsKey(id)) {
                problem(field, "names data source '" + id + "', which does not exist");
                return false;
            }
            return true;
        }

        private void requireTag(String field, Tag tag)
        {
            if (!tags.contains(tag)) {
                problem(field, "uses tag '" + tag + "', which is not defined");
            }
        }

        private void problem(String field, String reason)
        {
            problems.add(new InvalidModelException(field, reason));
        }
    }

    public static final class Builder
    {
        private long revision;
        private final List<User> users = new ArrayList<>();
        private final List<Group> groups = new ArrayList<>();
        private final List<Purpose> purposes = new ArrayList<>();
        private final List<Project> projects = new ArrayList<>();
        private final List<Tag> tags = new ArrayList<>();
        private final List<DataSource> dataSources = new ArrayList<>();
        private final List<Policy> policies = new ArrayList<>();
        private final List<AccessApproval> approvals = new ArrayList<>();
        private AccessGrantMapping accessGrantMapping = AccessGrantMapping.DEFAULT;
        private final List<String> definerViewOwners = new ArrayList<>();

        private Builder() {}

        public Builder revision(long revision)
        {
            this.revision = revision;
            return this;
        }

        public Builder user(User user)
        {
            users.add(user);
            return this;
        }

        public Builder group(Group group)
        {
            groups.add(group);
            return this;
        }

        public Builder purpose(Purpose purpose)
        {
            purposes.add(purpose);
            return this;
        }

        public Builder project(Project project)
        {
            projects.add(project);
            return this;
        }

        /** Registers a tag and, implicitly, every ancestor of it. */
        public Builder tag(Tag tag)
        {
            tags.addAll(tag.selfAndAncestors());
            return this;
        }

        public Builder dataSource(DataSource dataSource)
        {
            dataSources.add(dataSource);
            return this;
        }

        public Builder policy(Policy policy)
        {
            policies.add(policy);
            return this;
        }

        public Builder approval(AccessApproval approval)
        {
            approvals.add(approval);
            return this;
        }

        public Builder accessGrantMapping(AccessGrantMapping mapping)
        {
            this.accessGrantMapping = mapping;
            return this;
        }

        /** Allows a user's definer views to show what the user sees; see {@link PolicyState#definerViewOwners()}. */
        public Builder definerViewOwner(String userName)
        {
            definerViewOwners.add(Checks.name("definerViewOwners", userName));
            return this;
        }

        /** @throws InvalidStateException listing every problem, each naming its field */
        public PolicyState build()
        {
            List<InvalidModelException> problems = new ArrayList<>();
            PolicyState state = new PolicyState(
                    revision,
                    byKey("users", users, User::name, problems),
                    byKey("groups", groups, Group::name, problems),
                    byKey("purposes", purposes, Purpose::name, problems),
                    byKey("projects", projects, Project::name, problems),
                    unmodifiableSet(new TreeSet<>(tags)),
                    byKey("dataSources", dataSources, DataSource::id, problems),
                    byKey("policies", policies, Policy::id, problems),
                    Set.copyOf(approvals),
                    accessGrantMapping,
                    unmodifiableSet(new TreeSet<>(definerViewOwners)));
            state.new ReferenceCheck(problems).checkAll();
            if (!problems.isEmpty()) {
                throw new InvalidStateException(problems);
            }
            return state;
        }
    }

    /**
     * Changes to a state, built into a new state that shares what they leave alone: the map of a kind of entity
     * nothing changed is the very map of the state changed. The new state is checked as a whole state would be, but
     * only where the changes can have made a difference (see {@link ReferenceCheck#checkAfter}), and refused with
     * the same problems. Putting an entity adds it or replaces the one with its key, which keeps its place; a new
     * entity goes before the first entity whose key sorts after its own, so that entities in key order (as in a
     * state built from documents) stay in key order.
     */
    public static final class Update
    {
        private final PolicyState base;
        private long revision;
        private final KeyedChanges<User> users = new KeyedChanges<>();
        private final KeyedChanges<Group> groups = new KeyedChanges<>();
        private final KeyedChanges<Purpose> purposes = new KeyedChanges<>();
        private final KeyedChanges<Project> projects = new KeyedChanges<>();
        private final KeyedChanges<DataSource> dataSources = new KeyedChanges<>();
        private final KeyedChanges<Policy> policies = new KeyedChanges<>();
        private final Set<Tag> putTags = new HashSet<>();
        private final Set<Tag> removedTags = new HashSet<>();
        private final Set<AccessApproval> putApprovals = new HashSet<>();
        private final Set<AccessApproval> removedApprovals = new HashSet<>();
        private AccessGrantMapping accessGrantMapping;
        private final Set<String> putDefinerViewOwners = new HashSet<>();
        private final Set<String> removedDefinerViewOwners = new HashSet<>();

        private Update(PolicyState base)
        {
            this.base = base;
            this.revision = base.revision;
            this.accessGrantMapping = base.accessGrantMapping;
        }

        public Update revision(long revision)
        {
            this.revision = revision;
            return this;
        }

        public Update putUser(User user)
        {
            users.put(user.name(), user);
            return this;
        }

        public Update removeUser(String name)
        {
            users.remove(name);
            return this;
        }

        public Update putGroup(Group group)
        {
            groups.put(group.name(), group);
            return this;
        }

        public Update removeGroup(String name)
        {
            groups.remove(name);
            return this;
        }

        public Update putPurpose(Purpose purpose)
        {
            purposes.put(purpose.name(), purpose);
            return this;
        }

        public Update removePurpose(String name)
        {
            purposes.remove(name);
            return this;
        }

        public Update putProject(Project project)
        {
            projects.put(project.name(), project);
            return this;
        }

        public Update removeProject(String name)
        {
            projects.remove(name);
            return this;
        }

        /** Registers a tag and, implicitly, every ancestor of it, as {@link Builder#tag} does. */
        public Update putTag(Tag tag)
        {
            for (Tag registered : tag.selfAndAncestors()) {
                removedTags.remove(registered);
                putTags.add(registered);
            }
            return this;
        }

        /**
         * Removes the tag alone. Every ancestor of a tag in a state is in it too, so tags below it must be removed
         * as well; {@link #build} refuses an update that leaves one.
         */
        public Update removeTag(Tag tag)
        {
            putTags.remove(tag);
            removedTags.add(requireNonNull(tag, "tag is null"));
            return this;
        }

        public Update putDataSource(DataSource dataSource)
        {
            dataSources.put(dataSource.id(), dataSource);
            return this;
        }

        public Update removeDataSource(String id)
        {
            dataSources.remove(id);
            return this;
        }

        public Update putPolicy(Policy policy)
        {
            policies.put(policy.id(), policy);
            return this;
        }

        public Update removePolicy(String id)
        {
            policies.remove(id);
            return this;
        }

        public Update putApproval(AccessApproval approval)
        {
            removedApprovals.remove(approval);
            putApprovals.add(requireNonNull(approval, "approval is null"));
            return this;
        }

        public Update removeApproval(AccessApproval approval)
        {
            putApprovals.remove(approval);
            removedApprovals.add(requireNonNull(approval, "approval is null"));
            return this;
        }

        public Update accessGrantMapping(AccessGrantMapping mapping)
        {
            this.accessGrantMapping = requireNonNull(mapping, "mapping is null");
            return this;
        }

        /** Allows a user's definer views to show what the user sees, as {@link Builder#definerViewOwner} does. */
        public Update putDefinerViewOwner(String userName)
        {
            String name = Checks.name("definerViewOwners", userName);
            removedDefinerViewOwners.remove(name);
            putDefinerViewOwners.add(name);
            return this;
        }

        public Update removeDefinerViewOwner(String userName)
        {
            putDefinerViewOwners.remove(userName);
            removedDefinerViewOwners.add(requireNonNull(userName, "userName is null"));
            return this;
        }

        /**
         * @throws InvalidStateException listing every problem, each naming its field
         * @throws IllegalArgumentException when a tag is removed but a tag below it stays
         */
        public PolicyState build()
        {
            PolicyState state = new PolicyState(
                    revision,
                    users.applyTo(base.users),
                    groups.applyTo(base.groups),
                    purposes.applyTo(base.purposes),
                    projects.applyTo(base.projects),
                    changedTags(),
                    dataSources.applyTo(base.dataSources),
                    policies.applyTo(base.policies),
                    changedApprovals(),
                    accessGrantMapping,
                    changedDefinerViewOwners());
            Changes changes = new Changes(
                    users.putKeys(),
                    users.removedFrom(base.users),
                    groups.removedFrom(base.groups),
                    purposes.removedFrom(base.purposes),
                    projects.putKeys(),
                    projects.removedFrom(base.projects),
                    dataSources.putKeys(),
                    dataSources.removedFrom(base.dataSources),
                    policies.putKeys(),
                    removedTags.stream().filter(base.tags::contains).collect(toUnmodifiableSet()),
                    Set.copyOf(putApprovals),
                    Set.copyOf(putDefinerViewOwners),
                    removedDefinerViewOwners.stream().filter(base.definerViewOwners::contains).collect(toUnmodifiableSet()));
            List<InvalidModelException> problems = new ArrayList<>();
            state.new ReferenceCheck(problems).checkAfter(changes);
            if (!problems.isEmpty()) {
                throw new InvalidStateException(problems);
            }
            return state;
        }

        private Set<Tag> changedTags()
        {
            if (putTags.isEmpty() && removedTags.isEmpty()) {
                return base.tags;
            }
            TreeSet<Tag> tags = new TreeSet<>(base.tags);
            tags.removeAll(removedTags);
            tags.addAll(putTags);
            for (Tag removed : removedTags) {
                for (Tag remaining : tags) {
                    if (remaining.isWithin(removed)) {
                        throw new IllegalArgumentException("tag '" + removed + "' cannot be removed while tag '" + remaining + "' below it stays");
                    }
                }
            }
            return unmodifiableSet(tags);
        }

        private Set<String> changedDefinerViewOwners()
        {
            if (putDefinerViewOwners.isEmpty() && removedDefinerViewOwners.isEmpty()) {
                return base.definerViewOwners;
            }
            TreeSet<String> owners = new TreeSet<>(base.definerViewOwners);
            owners.removeAll(removedDefinerViewOwners);
            owners.addAll(putDefinerViewOwners);
            return unmodifiableSet(owners);
        }

        private Set<AccessApproval> changedApprovals()
        {
            if (putApprovals.isEmpty() && removedApprovals.isEmpty()) {
                return base.approvals;
            }
            Set<AccessApproval> approvals = new HashSet<>(base.approvals);
            approvals.removeAll(removedApprovals);
            approvals.addAll(putApprovals);
            return Set.copyOf(approvals);
        }
    }

    /** What an update changed, by key: what it put (added or replaced) and what it removed of what was there. */
    private record Changes(
            Set<String> putUsers,
            Set<String> removedUsers,
            Set<String> removedGroups,
            Set<String> removedPurposes,
            Set<String> putProjects,
            Set<String> removedProjects,
            Set<String> putDataSources,
            Set<String> removedDataSources,
            Set<String> putPolicies,
            Set<Tag> removedTags,
            Set<AccessApproval> putApprovals,
            Set<String> putDefinerViewOwners,
            Set<String> removedDefinerViewOwners) {}

    /** The entities of one kind an update puts or removes, by key. */
    private static final class KeyedChanges<T>
    {
        private final Map<String, T> puts = new HashMap<>();
        private final Set<String> removals = new HashSet<>();

        void put(String key, T value)
        {
            removals.remove(key);
            puts.put(key, requireNonNull(value, "value is null"));
        }

        void remove(String key)
        {
            puts.remove(key);
            removals.add(requireNonNull(key, "key is null"));
        }

        Set<String> putKeys()
        {
            return Set.copyOf(puts.keySet());
        }

        Set<String> removedFrom(Map<String, T> base)
        {
            return removals.stream().filter(base::containsKey).collect(toUnmodifiableSet());
        }

        /** {@code base} with the changes made; {@code base} itself when there are none. */
        Map<String, T> applyTo(Map<String, T> base)
        {
            if (puts.isEmpty() && removals.isEmpty()) {
                return base;
            }
            List<String> added = puts.keySet().stream().filter(key -> !base.containsKey(key)).sorted().toList();
            Map<String, T> result = LinkedHashMap.newLinkedHashMap(base.size() + added.size());
            int nextAdded = 0;
            for (Map.Entry<String, T> entry : base.entrySet()) {
                while (nextAdded < added.size() && added.get(nextAdded).compareTo(entry.getKey()) < 0) {
                    result.put(added.get(nextAdded), puts.get(added.get(nextAdded)));
                    nextAdded++;
                }
                if (!removals.contains(entry.getKey())) {
                    result.put(entry.getKey(), puts.getOrDefault(entry.getKey(), entry.getValue()));
                }
            }
            for (String key : added.subList(nextAdded, added.size())) {
                result.put(key, puts.get(key));
            }
            return unmodifiableMap(result);
        }
    }
}
