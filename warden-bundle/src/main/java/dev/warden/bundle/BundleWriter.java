package dev.warden.bundle;

import dev.warden.bundle.expectations.Expectation;
import dev.warden.bundle.expectations.Row;
import dev.warden.bundle.expectations.RowsExpectation;
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
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.state.PolicyState;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Writes a policy state and expectations as one bundle file that {@link BundleLoader} reads back to the same
 * state: {@code load(write(x))} equals {@code x}. Policies are written in order of sequence; a policy's
 * {@code sequence} is written only where it differs from its position.
 */
public final class BundleWriter
{
    private BundleWriter() {}

    public static void write(Path file, PolicyState state, List<Expectation> expectations)
            throws IOException
    {
        Files.writeString(file, write(state, expectations), StandardCharsets.UTF_8);
    }

    public static String write(PolicyState state, List<Expectation> expectations)
    {
        Map<String, Object> document = new LinkedHashMap<>();
        List<String> leafTags = state.tags().stream()
                .filter(tag -> state.tags().stream().noneMatch(other -> !other.equals(tag) && other.isWithin(tag)))
                .map(Tag::path)
                .sorted()
                .toList();
        putIfNotEmpty(document, "tags", leafTags);
        putIfNotEmpty(document, "purposes", state.purposes().values().stream().map(BundleWriter::purpose).toList());
        putIfNotEmpty(document, "groups", state.groups().values().stream().map(BundleWriter::group).toList());
        putIfNotEmpty(document, "users", state.users().values().stream().map(BundleWriter::user).toList());
        putIfNotEmpty(document, "projects", state.projects().values().stream().map(BundleWriter::project).toList());
        putIfNotEmpty(document, "dataSources", state.dataSources().values().stream().map(BundleWriter::dataSource).toList());
        if (!state.accessGrantMapping().equals(AccessGrantMapping.DEFAULT)) {
            document.put("accessGrantMapping", accessGrantMapping(state.accessGrantMapping()));
        }
        putIfNotEmpty(document, "definerViewOwners", List.copyOf(state.definerViewOwners()));
        putIfNotEmpty(document, "approvals", state.approvals().stream()
                .sorted(Comparator.comparing(AccessApproval::userName).thenComparing(AccessApproval::dataSourceId).thenComparing(AccessApproval::accessType))
                .map(BundleWriter::approval)
                .toList());
        List<Policy> policies = state.policies().values().stream()
                .sorted(Comparator.comparingLong(Policy::sequence).thenComparing(Policy::id))
                .toList();
        List<Object> writtenPolicies = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            writtenPolicies.add(policy(policies.get(i), i + 1));
        }
        putIfNotEmpty(document, "policies", writtenPolicies);
        putIfNotEmpty(document, "expectations", expectations.stream().map(BundleWriter::expectation).toList());
        return yaml().dump(document);
    }

    /**
     * One entity of a state as a bundle writes it: the bundle section it belongs in ({@code users}, {@code policies},
     * ...), its id within that section, and its document (a map, list or string of plain values).
     */
    public record EntityDocument(String section, String id, Object document)
    {
        public EntityDocument
        {
            requireNonNull(section, "section is null");
            requireNonNull(id, "id is null");
            requireNonNull(document, "document is null");
        }
    }

    /**
     * Every entity of the state as a document of its own, as a store keeps them; {@link #assemble} puts documents
     * back into one bundle. Policies always carry their sequence, so that the order they were created in survives.
     */
    public static List<EntityDocument> documents(PolicyState state)
    {
        List<EntityDocument> documents = new ArrayList<>();
        state.tags().stream().map(Tag::path).sorted().forEach(path -> documents.add(new EntityDocument("tags", path, path)));
        state.purposes().values().forEach(purpose -> documents.add(new EntityDocument("purposes", purpose.name(), purpose(purpose))));
        state.groups().values().forEach(group -> documents.add(new EntityDocument("groups", group.name(), group(group))));
        state.users().values().forEach(user -> documents.add(new EntityDocument("users", user.name(), user(user))));
        state.projects().values().forEach(project -> documents.add(new EntityDocument("projects", project.name(), project(project))));
        state.dataSources().values().forEach(dataSource -> documents.add(new EntityDocument("dataSources", dataSource.id(), dataSource(dataSource))));
        if (!state.accessGrantMapping().equals(AccessGrantMapping.DEFAULT)) {
            documents.add(new EntityDocument("accessGrantMapping", "accessGrantMapping", accessGrantMapping(state.accessGrantMapping())));
        }
        state.definerViewOwners().forEach(owner -> documents.add(new EntityDocument("definerViewOwners", owner, owner)));
        state.approvals().forEach(approval -> documents.add(new EntityDocument("approvals", approvalId(approval), approval(approval))));
        state.policies().values().forEach(policy -> documents.add(new EntityDocument("policies", policy.id(), policy(policy, -1))));
        return documents;
    }

    /** The id an approval is stored under: {@code user/dataSource/ACCESS}. */
    public static String approvalId(AccessApproval approval)
    {
        return approval.userName() + "/" + approval.dataSourceId() + "/" + approval.accessType().name();
    }

    /** One bundle, as YAML, of documents such as {@link #documents} returns; {@link BundleLoader} reads it back. */
    public static String assemble(List<EntityDocument> documents)
    {
        return yaml().dump(bundleOf(documents));
    }

    /** The bundle {@link #assemble} writes, as plain values: each section's documents in the order given. */
    static Map<String, Object> bundleOf(List<EntityDocument> documents)
    {
        Map<String, List<Object>> bySection = new LinkedHashMap<>();
        for (EntityDocument document : documents) {
            bySection.computeIfAbsent(document.section(), _ -> new ArrayList<>()).add(document.document());
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        for (String section : BundleLoader.TOP_LEVEL_KEYS) {
            List<Object> entries = bySection.get(section);
            if (entries != null) {
                bundle.put(section, section.equals("accessGrantMapping") ? entries.getLast() : entries);
            }
        }
        return bundle;
    }

    private static Map<String, Object> accessGrantMapping(AccessGrantMapping accessGrantMapping)
    {
        Map<String, Object> mapping = new LinkedHashMap<>();
        for (AccessType type : AccessType.values()) {
            mapping.put(type.name(), names(accessGrantMapping.valuesFor(type)));
        }
        return mapping;
    }

    private static Yaml yaml()
    {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(160);
        options.setSplitLines(false);
        LoaderOptions loaderOptions = new LoaderOptions();
        return new Yaml(new SafeConstructor(loaderOptions), new Representer(options), options, loaderOptions, new CoreSchemaResolver());
    }

    /**
     * YAML 1.2's core schema: only true/false are booleans, so that keys and values such as {@code on}, {@code yes}
     * or {@code N} are written plainly (the loader reads every scalar as text anyway).
     */
    private static final class CoreSchemaResolver
            extends Resolver
    {
        @Override
        protected void addImplicitResolvers()
        {
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.TIMESTAMP, TIMESTAMP, "0123456789");
        }
    }

    private static void putIfNotEmpty(Map<String, Object> map, String key, List<?> values)
    {
        if (!values.isEmpty()) {
            map.put(key, values);
        }
    }

    private static List<String> names(Set<? extends Enum<?>> values)
    {
        return values.stream().sorted(Comparator.comparingInt(Enum::ordinal)).map(Enum::name).toList();
    }

    private static List<String> tags(Set<Tag> tags)
    {
        return tags.stream().map(Tag::path).sorted().toList();
    }

    private static Object purpose(Purpose purpose)
    {
        if (purpose.description().isEmpty()) {
            return purpose.name();
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", purpose.name());
        map.put("description", purpose.description());
        return map;
    }

    private static Object group(Group group)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", group.name());
        if (!group.attributes().isEmpty()) {
            map.put("attributes", attributes(group.attributes()));
        }
        return map;
    }

    private static Map<String, Object> attributes(Map<String, Set<String>> attributes)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        attributes.forEach((key, values) -> map.put(key, values.stream().sorted().toList()));
        return map;
    }

    private static Object user(User user)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", user.name());
        if (!user.email().isEmpty()) {
            map.put("email", user.email());
        }
        if (!user.groups().isEmpty()) {
            map.put("groups", List.copyOf(user.groups()));
        }
        if (!user.attributes().isEmpty()) {
            map.put("attributes", attributes(user.attributes()));
        }
        user.currentProject().ifPresent(project -> map.put("currentProject", project));
        return map;
    }

    private static Object project(Project project)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", project.name());
        putIfNotEmpty(map, "purposes", List.copyOf(project.purposes()));
        putIfNotEmpty(map, "dataSources", List.copyOf(project.dataSources()));
        putIfNotEmpty(map, "members", List.copyOf(project.members()));
        return map;
    }

    private static Object approval(AccessApproval approval)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("user", approval.userName());
        map.put("dataSource", approval.dataSourceId());
        map.put("access", approval.accessType().name());
        return map;
    }

    private static Object dataSource(DataSource dataSource)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", dataSource.id());
        if (!dataSource.name().equals(dataSource.id())) {
            map.put("name", dataSource.name());
        }
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("technology", dataSource.location().technology());
        location.put("catalog", dataSource.location().catalog());
        location.put("schema", dataSource.location().schema());
        location.put("table", dataSource.location().table());
        map.put("location", location);
        if (dataSource.objectType() != ObjectType.TABLE) {
            map.put("objectType", dataSource.objectType().name().toLowerCase(Locale.ROOT));
        }
        putIfNotEmpty(map, "tags", tags(dataSource.tags()));
        putIfNotEmpty(map, "owners", List.copyOf(dataSource.owners()));
        dataSource.eventTimeColumn().ifPresent(column -> map.put("eventTimeColumn", column));
        map.put("maskingSalt", dataSource.maskingSalt());
        List<Object> columns = new ArrayList<>();
        for (Column column : dataSource.columns()) {
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("name", column.name());
            written.put("type", column.type().toString());
            putIfNotEmpty(written, "tags", tags(column.tags()));
            columns.add(written);
        }
        map.put("columns", columns);
        return map;
    }

    private static Object policy(Policy policy, int position)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", policy.id());
        if (!policy.name().equals(policy.id())) {
            map.put("name", policy.name());
        }
        map.put("type", switch (policy) {
            case SubscriptionPolicy _ -> "subscription";
            case MaskingPolicy _ -> "masking";
            case RowPolicy _ -> "row";
        });
        if (policy.sequence() != position) {
            map.put("sequence", policy.sequence());
        }
        switch (policy) {
            case SubscriptionPolicy subscription -> {
                map.put("access", subscription.accessType().name());
                if (subscription.strength() != SubscriptionPolicy.Strength.GRANT) {
                    map.put("strength", subscription.strength().name().toLowerCase(Locale.ROOT));
                }
                map.put("on", scope(policy.scope()));
                map.put("who", audience(subscription.audience()));
            }
            case MaskingPolicy masking -> {
                map.put("on", scope(policy.scope()));
                map.put("columns", columns(masking.columns()));
                map.put("mask", mask(masking.method()));
                masking.onlyWhere().ifPresent(sql -> map.put("onlyWhere", sql.text()));
                putApplicability(map, masking.applicability());
            }
            case RowPolicy row -> {
                map.put("on", scope(policy.scope()));
                map.put("rows", rule(row.rule()));
                putApplicability(map, row.applicability());
            }
        }
        return map;
    }

    private static Object scope(PolicyScope scope)
    {
        return switch (scope) {
            case PolicyScope.AllDataSources _ -> "all";
            case PolicyScope.DataSources local -> Map.of("dataSources", List.copyOf(local.ids()));
            case PolicyScope.TaggedDataSources tagged -> Map.of("tagged", tags(tagged.tags()));
            case PolicyScope.DataSourcesWithTaggedColumns tagged -> Map.of("columnsTagged", tags(tagged.tags()));
        };
    }

    private static Object audience(Audience audience)
    {
        return switch (audience) {
            case Audience.Anyone _ -> "anyone";
            case Audience.AnyoneWhoAsks _ -> "anyoneWhoAsks";
            case Audience.NamedUsers named -> Map.of("users", List.copyOf(named.users()));
            case Audience.UsersMatching matching -> condition(matching.condition());
        };
    }

    private static Object condition(Condition condition)
    {
        return switch (condition) {
            case Condition.InGroup group -> Map.of("group", group.group());
            case Condition.HasPurpose purpose -> Map.of("purpose", purpose.purpose());
            case Condition.IsUser user -> Map.of("user", user.userName());
            case Condition.HasAttribute attribute -> Map.of("attribute", Map.of(attribute.key(), attribute.value()));
            case Condition.AllOf all -> Map.of("allOf", all.conditions().stream().map(BundleWriter::condition).toList());
            case Condition.AnyOf any -> Map.of("anyOf", any.conditions().stream().map(BundleWriter::condition).toList());
        };
    }

    private static void putApplicability(Map<String, Object> map, Applicability applicability)
    {
        switch (applicability) {
            case Applicability.Everyone _ -> {}
            case Applicability.EveryoneExcept except -> map.put("for", Map.of("everyoneExcept", condition(except.condition())));
            case Applicability.EveryoneWho who -> map.put("for", Map.of("everyoneWho", condition(who.condition())));
        }
    }

    private static Object columns(ColumnSelector selector)
    {
        return switch (selector) {
            case ColumnSelector.ByName named -> Map.of("named", List.copyOf(named.names()));
            case ColumnSelector.ByTag tagged -> Map.of("tagged", tags(tagged.tags()));
            case ColumnSelector.ByNamePattern pattern -> Map.of("matching", pattern.regex());
        };
    }

    private static Object mask(MaskMethod method)
    {
        return switch (method) {
            case MaskMethod.Nullify _ -> "nullify";
            case MaskMethod.KeyedHash _ -> "hash";
            case MaskMethod.Constant constant -> Map.of("constant", constant.value());
            case MaskMethod.RegexReplace replace -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("pattern", replace.regex());
                map.put("replacement", replace.replacement());
                yield Map.of("regexReplace", map);
            }
            // toString, not toPlainString: new BigDecimal(toString()) gives back the same scale, so the value round-trips exactly.
            case MaskMethod.RoundToBucket round -> Map.of("round", round.bucketSize().toString());
            case MaskMethod.TruncateToUnit truncate -> Map.of("truncateTo", truncate.unit().sqlName());
            case MaskMethod.RevealFirst reveal -> Map.of("revealFirst", reveal.count());
            case MaskMethod.RevealLast reveal -> Map.of("revealLast", reveal.count());
        };
    }

    private static Object rule(RowRule rule)
    {
        return switch (rule) {
            case RowRule.MatchAttribute match -> {
                Map<String, Object> map = columnChoice(match.column());
                map.put("attribute", match.attribute());
                yield Map.of("matchAttribute", map);
            }
            case RowRule.MatchGroups match -> Map.of("matchGroups", columnChoice(match.column()));
            case RowRule.Where where -> Map.of("where", where.sql().text());
            case RowRule.RecentEvents recent -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("amount", recent.amount());
                map.put("unit", recent.unit().sqlName());
                yield Map.of("recentEvents", map);
            }
            case RowRule.Minimize minimize -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("percent", minimize.percent());
                putIfNotEmpty(map, "keyColumns", minimize.keyColumns());
                yield Map.of("minimize", map);
            }
            case RowRule.OnlyForPurposes only -> Map.of("onlyForPurposes", List.copyOf(only.purposes()));
        };
    }

    private static Map<String, Object> columnChoice(ColumnChoice choice)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        choice.name().ifPresent(name -> map.put("column", name));
        choice.tag().ifPresent(tag -> map.put("columnTagged", tag.path()));
        return map;
    }

    private static Object expectation(Expectation expectation)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("user", expectation.user());
        expectation.project().ifPresent(project -> map.put("project", project));
        map.put("dataSource", expectation.dataSource());
        expectation.access().ifPresent(access -> map.put("access", names(access.isEmpty() ? EnumSet.noneOf(AccessValue.class) : EnumSet.copyOf(access))));
        putIfNotEmpty(map, "masked", List.copyOf(expectation.masked()));
        putIfNotEmpty(map, "unmasked", List.copyOf(expectation.unmasked()));
        expectation.rowFilter().ifPresent(filter -> map.put("rowFilter", filter));
        expectation.rows().ifPresent(rows -> map.put("rows", rows(rows)));
        return map;
    }

    private static Object rows(RowsExpectation rows)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("given", rows.given().stream().map(BundleWriter::row).toList());
        map.put("visible", rows.visible().stream().map(BundleWriter::row).toList());
        return map;
    }

    private static Object row(Row row)
    {
        // A LinkedHashMap, because a row may hold NULLs, which Map.copyOf refuses.
        return new LinkedHashMap<>(row.values());
    }
}
