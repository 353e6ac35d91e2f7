package dev.warden.policy.state;

import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessGrantMapping;
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

/**
 * The whole policy state at one revision: people, data sources, tags and policies. Construction checks every
 * reference (a policy naming a group that does not exist, a mask that cannot apply to a column's type, custom
 * SQL naming a column the data source lacks, ...) and reports all problems at once, each naming its field as
 * {@code kind[key].field}.
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

    private PolicyState(Builder builder)
    {
        List<InvalidModelException> problems = new ArrayList<>();
        this.revision = builder.revision;
        this.users = byKey("users", builder.users, User::name, problems);
        this.groups = byKey("groups", builder.groups, Group::name, problems);
        this.purposes = byKey("purposes", builder.purposes, Purpose::name, problems);
        this.projects = byKey("projects", builder.projects, Project::name, problems);
        this.tags = unmodifiableSet(new TreeSet<>(builder.tags));
        this.dataSources = byKey("dataSources", builder.dataSources, DataSource::id, problems);
        this.policies = byKey("policies", builder.policies, Policy::id, problems);
        this.approvals = Set.copyOf(builder.approvals);
        this.accessGrantMapping = builder.accessGrantMapping;

        new ReferenceCheck(problems).run();
        if (!problems.isEmpty()) {
            throw new InvalidStateException(problems);
        }
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public static PolicyState empty()
    {
        return builder().build();
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

    /** Checks that everything named exists and that every local policy can apply to the data sources it lists. */
    private final class ReferenceCheck
    {
        private final List<InvalidModelException> problems;

        ReferenceCheck(List<InvalidModelException> problems)
        {
            this.problems = problems;
        }

        void run()
        {
            for (User user : users.values()) {
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
            for (Project project : projects.values()) {
                String field = "projects[" + project.name() + "]";
                project.purposes().forEach(purpose -> requirePurpose(field + ".purposes", purpose));
                project.dataSources().forEach(id -> requireDataSource(field + ".dataSources", id));
                project.members().forEach(member -> requireUser(field + ".members", member));
            }
            for (DataSource dataSource : dataSources.values()) {
                String field = "dataSources[" + dataSource.id() + "]";
                dataSource.tags().forEach(tag -> requireTag(field + ".tags", tag));
                for (Column column : dataSource.columns()) {
                    column.tags().forEach(tag -> requireTag(field + ".columns[" + column.name() + "].tags", tag));
                }
                dataSource.owners().forEach(owner -> requireUser(field + ".owners", owner));
            }
            for (Policy policy : policies.values()) {
                checkPolicy("policies[" + policy.id() + "]", policy);
            }
            for (AccessApproval approval : approvals) {
                String field = "approvals[" + approval.userName() + "/" + approval.dataSourceId() + "]";
                requireUser(field + ".user", approval.userName());
                requireDataSource(field + ".dataSource", approval.dataSourceId());
            }
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

        /** @throws InvalidStateException listing every problem, each naming its field */
        public PolicyState build()
        {
            return new PolicyState(this);
        }
    }
}
