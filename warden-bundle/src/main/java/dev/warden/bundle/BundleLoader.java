package dev.warden.bundle;

import dev.warden.bundle.YamlReader.Fields;
import dev.warden.bundle.YamlReader.Located;
import dev.warden.bundle.expectations.Expectation;
import dev.warden.bundle.expectations.Row;
import dev.warden.bundle.expectations.RowsExpectation;
import dev.warden.bundle.expectations.SqlValues;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessGrantMapping;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.InvalidModelException;
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
import dev.warden.policy.state.InvalidStateException;
import dev.warden.policy.state.PolicyState;
import dev.warden.policy.state.UnknownEntityException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static dev.warden.bundle.YamlReader.isNull;
import static java.util.Objects.requireNonNull;

/**
 * Loads a bundle: every {@code *.yaml} / {@code *.yml} file under a directory, in order of path. Reports every
 * problem in every file at once, each at the line and column of the YAML node that caused it.
 */
public final class BundleLoader
{
    static final String[] TOP_LEVEL_KEYS = {"tags", "purposes", "groups", "users", "projects", "dataSources", "accessGrantMapping", "definerViewOwners", "approvals", "policies", "expectations"};
    private static final String[] POLICY_TYPES = {"subscription", "masking", "row"};

    /** One file of a bundle: the name errors are reported under, and its text. */
    public record SourceFile(String name, String text)
    {
        public SourceFile
        {
            requireNonNull(name, "name is null");
            requireNonNull(text, "text is null");
        }
    }

    /** Where an entity (a user, a policy, ...) was written, to point state-level problems at it. */
    private record Entity(YamlReader reader, Node node, String field) {}

    private record PendingExpectation(YamlReader reader, MappingNode node, String field, Expectation expectation) {}

    private final List<BundleError> errors = new ArrayList<>();
    private final ReadEntities read = new ReadEntities();
    private final Map<String, List<Entity>> entities = new LinkedHashMap<>();
    /** Names of entities that could not be read, so that references to them do not add a second, misleading error. */
    private final Set<String> unreadable = new HashSet<>();
    private final List<PendingExpectation> expectations = new ArrayList<>();
    private Optional<Entity> accessGrantMapping = Optional.empty();
    private long policiesSeen;
    private final String bundleName;

    private BundleLoader(String bundleName)
    {
        this.bundleName = bundleName;
    }

    /** Loads a bundle directory, or a single YAML file. */
    public static Bundle load(Path path)
            throws BundleException
    {
        List<SourceFile> files = new ArrayList<>();
        List<BundleError> readErrors = new ArrayList<>();
        if (Files.isRegularFile(path)) {
            read(path, path.toString(), files, readErrors);
        }
        else if (Files.isDirectory(path)) {
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(path)) {
                paths = walk.filter(Files::isRegularFile)
                        .filter(file -> isYaml(file.getFileName().toString()))
                        .filter(file -> !isHidden(path.relativize(file)))
                        .sorted((a, b) -> slashed(path.relativize(a)).compareTo(slashed(path.relativize(b))))
                        .toList();
            }
            catch (IOException | UncheckedIOException e) {
                throw new BundleException(List.of(new BundleError(path.toString(), 0, 0, "", "cannot list the bundle: " + e.getMessage())));
            }
            if (paths.isEmpty()) {
                throw new BundleException(List.of(new BundleError(path.toString(), 0, 0, "", "the bundle has no *.yaml or *.yml file")));
            }
            for (Path file : paths) {
                read(file, file.toString(), files, readErrors);
            }
        }
        else {
            throw new BundleException(List.of(new BundleError(path.toString(), 0, 0, "", "no such bundle directory or file")));
        }
        if (!readErrors.isEmpty()) {
            throw new BundleException(readErrors);
        }
        return load(path.toString(), files);
    }

    /** Loads files already read, in the order given. */
    public static Bundle load(String bundleName, List<SourceFile> files)
            throws BundleException
    {
        return read(bundleName, files).bundle();
    }

    /**
     * Reads files already read, in the order given, without building the state they describe: {@link #entities()}
     * and the problems reading them, for {@link #bundle()} or {@link #refusal} to report.
     */
    static BundleLoader read(String bundleName, List<SourceFile> files)
    {
        BundleLoader loader = new BundleLoader(bundleName);
        for (SourceFile file : files) {
            loader.readFile(file);
        }
        loader.accessGrantMapping.ifPresent(loader::readAccessGrantMapping);
        return loader;
    }

    /** What the files say, each item as read, before anything is checked across items. */
    ReadEntities entities()
    {
        return read;
    }

    /** Whether reading the files found a problem. */
    boolean hasErrors()
    {
        return !errors.isEmpty();
    }

    /**
     * Every problem reading the files together with {@code stateProblems}, problems of a state built from what was
     * read, each pointed at the YAML that caused it, as {@link #bundle()} reports them; at least one problem.
     */
    BundleException refusal(List<InvalidModelException> stateProblems)
    {
        stateProblems.forEach(this::stateProblem);
        return new BundleException(errors);
    }

    private static void read(Path file, String name, List<SourceFile> files, List<BundleError> errors)
    {
        try {
            files.add(new SourceFile(name, Files.readString(file, StandardCharsets.UTF_8)));
        }
        catch (MalformedInputException e) {
            errors.add(new BundleError(name, 0, 0, "", "is not UTF-8 text"));
        }
        catch (IOException e) {
            errors.add(new BundleError(name, 0, 0, "", "cannot be read: " + e.getMessage()));
        }
    }

    /**
     * SnakeYAML refuses documents over 3 MB by default; a bundle of a whole catalog is far larger. The limit stays,
     * at 1 GB of text, so that a runaway input still stops.
     */
    private static LoaderOptions loaderOptions()
    {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(1 << 30);
        return options;
    }

    private static boolean isYaml(String fileName)
    {
        return fileName.endsWith(".yaml") || fileName.endsWith(".yml");
    }

    private static boolean isHidden(Path relative)
    {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String slashed(Path relative)
    {
        return relative.toString().replace('\\', '/');
    }

    /** The state the files describe, and their expectations checked against it. */
    Bundle bundle()
            throws BundleException
    {
        PolicyState state = null;
        try {
            state = read.builder().build();
        }
        catch (InvalidStateException e) {
            for (InvalidModelException problem : e.problems()) {
                stateProblem(problem);
            }
        }
        if (state == null || !errors.isEmpty()) {
            throw new BundleException(errors);
        }
        for (PendingExpectation pending : expectations) {
            checkExpectation(state, pending);
        }
        if (!errors.isEmpty()) {
            throw new BundleException(errors);
        }
        return new Bundle(state,
                expectations.stream().map(PendingExpectation::expectation).toList(),
                expectations.stream().map(pending -> pending.reader().position(pending.node(), pending.field())).toList());
    }

    /**
     * Reads a bundle held as plain values (as {@link BundleWriter#bundleOf} makes), as {@link #read(String, List)}
     * reads the same bundle written as one file.
     */
    static BundleLoader readPlain(String bundleName, Map<String, Object> bundle)
    {
        BundleLoader loader = new BundleLoader(bundleName);
        loader.readRoot(new YamlReader(bundleName, loader.errors), PlainNodes.of(bundle));
        loader.accessGrantMapping.ifPresent(loader::readAccessGrantMapping);
        return loader;
    }

    private void readFile(SourceFile file)
    {
        YamlReader reader = new YamlReader(file.name(), errors);
        Node root;
        try {
            root = new Yaml(loaderOptions()).compose(new StringReader(file.text()));
        }
        catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            errors.add(new BundleError(file.name(), mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1, "",
                    "invalid YAML: " + (e.getContext() != null ? e.getContext() + ", " : "") + problem));
            return;
        }
        catch (YAMLException e) {
            errors.add(new BundleError(file.name(), 0, 0, "", "invalid YAML: " + e.getMessage()));
            return;
        }
        readRoot(reader, root);
    }

    private void readRoot(YamlReader reader, Node root)
    {
        if (root == null || isNull(root)) {
            return;
        }
        Fields top;
        try {
            top = reader.fields(root, "", TOP_LEVEL_KEYS);
        }
        catch (YamlProblem problem) {
            reader.record(problem);
            return;
        }
        top.optional("tags").ifPresent(node -> read.tags.addAll(each(reader, node, "tags", (item, field) -> reader.model(item, field, () -> Tag.of(reader.text(item, field))))));
        top.optional("purposes").ifPresent(node -> read.purposes.addAll(each(reader, node, "purposes", (item, field) -> readPurpose(reader, item, field))));
        top.optional("groups").ifPresent(node -> read.groups.addAll(each(reader, node, "groups", (item, field) -> readGroup(reader, item, field))));
        top.optional("users").ifPresent(node -> read.users.addAll(each(reader, node, "users", (item, field) -> readUser(reader, item, field))));
        top.optional("projects").ifPresent(node -> read.projects.addAll(each(reader, node, "projects", (item, field) -> readProject(reader, item, field))));
        top.optional("dataSources").ifPresent(node -> read.dataSources.addAll(each(reader, node, "dataSources", (item, field) -> readDataSource(reader, item, field))));
        top.optional("definerViewOwners").ifPresent(node -> read.definerViewOwners.addAll(each(reader, node, "definerViewOwners", (item, field) -> readDefinerViewOwner(reader, item, field))));
        top.optional("approvals").ifPresent(node -> read.approvals.addAll(each(reader, node, "approvals", (item, field) -> readApproval(reader, item, field))));
        top.optional("policies").ifPresent(node -> read.policies.addAll(each(reader, node, "policies", (item, field) -> readPolicy(reader, item, field))));
        top.optional("expectations").ifPresent(node -> each(reader, node, "expectations", (item, field) -> readExpectation(reader, item, field))
                .forEach(expectation -> expectation.ifPresent(expectations::add)));
        top.optional("accessGrantMapping").ifPresent(node -> {
            if (accessGrantMapping.isPresent()) {
                SourcePosition first = accessGrantMapping.get().reader().position(accessGrantMapping.get().node(), "accessGrantMapping");
                reader.error(node, "accessGrantMapping", "is given more than once in the bundle (first at " + first + ")");
            }
            else {
                accessGrantMapping = Optional.of(new Entity(reader, top.node(), ""));
            }
        });
    }

    /**
     * Reads every item of a list: what each item gives, in order, empty for one that could not be read. A problem in
     * one item is recorded and the next item is read.
     */
    private <T> List<Optional<T>> each(YamlReader reader, Node node, String field, BiFunction<Node, String, T> read)
    {
        List<Optional<T>> values = new ArrayList<>();
        if (isNull(node)) {
            return values;
        }
        List<Node> items;
        try {
            items = reader.sequence(node, field);
        }
        catch (YamlProblem problem) {
            reader.record(problem);
            return values;
        }
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemField = field + "[" + i + "]";
            try {
                values.add(Optional.of(read.apply(item, itemField)));
            }
            catch (YamlProblem problem) {
                reader.record(problem);
                rememberUnreadable(item);
                values.add(Optional.empty());
            }
        }
        return values;
    }

    private void rememberUnreadable(Node item)
    {
        if (item instanceof ScalarNode scalar) {
            unreadable.add(scalar.getValue());
        }
        if (item instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && (key.getValue().equals("id") || key.getValue().equals("name"))
                        && tuple.getValueNode() instanceof ScalarNode value) {
                    unreadable.add(value.getValue());
                }
            }
        }
    }

    private void register(String key, YamlReader reader, Node node, String field)
    {
        entities.computeIfAbsent(key, _ -> new ArrayList<>()).add(new Entity(reader, node, field));
    }

    // ---- people and purposes ----

    private Purpose readPurpose(YamlReader reader, Node node, String field)
    {
        Purpose purpose;
        if (node instanceof ScalarNode) {
            String name = reader.text(node, field);
            purpose = reader.model(node, field, () -> new Purpose(name, ""));
        }
        else {
            Fields fields = reader.fields(node, field, "name", "description");
            String name = fields.text("name");
            String description = fields.optionalText("description").orElse("");
            purpose = reader.model(node, field, () -> new Purpose(name, description));
        }
        register("purposes[" + purpose.name() + "]", reader, node, field);
        return purpose;
    }

    private Group readGroup(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "name", "attributes");
        String name = fields.text("name");
        Map<String, Set<String>> attributes = attributes(reader, fields, "attributes");
        Group group = reader.model(node, field, () -> new Group(name, attributes));
        register("groups[" + group.name() + "]", reader, node, field);
        return group;
    }

    private User readUser(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "name", "email", "groups", "attributes", "currentProject");
        String name = fields.text("name");
        String email = fields.optionalText("email").orElse("");
        List<String> groups = fields.texts("groups");
        Map<String, Set<String>> attributes = attributes(reader, fields, "attributes");
        Optional<String> currentProject = fields.optionalText("currentProject");
        User user = reader.model(node, field, () -> new User(name, email, new TreeSet<>(groups), attributes, currentProject));
        register("users[" + user.name() + "]", reader, node, field);
        return user;
    }

    /** {@code {region: [EU, UK], level: senior}}: a key with a list of values, or one value. */
    private static Map<String, Set<String>> attributes(YamlReader reader, Fields fields, String key)
    {
        Map<String, Set<String>> attributes = new TreeMap<>();
        Optional<Node> node = fields.optional(key).filter(value -> !isNull(value));
        if (node.isEmpty()) {
            return attributes;
        }
        String field = fields.field(key);
        for (NodeTuple tuple : reader.mapping(node.get(), field).getValue()) {
            String name = reader.key(tuple.getKeyNode(), field);
            Node value = tuple.getValueNode();
            String valueField = field + "." + name;
            List<String> values = value instanceof ScalarNode ? List.of(reader.text(value, valueField)) : reader.texts(value, valueField);
            if (attributes.put(name, new TreeSet<>(values)) != null) {
                reader.error(tuple.getKeyNode(), valueField, "key '" + name + "' is given more than once");
            }
        }
        return attributes;
    }

    private Project readProject(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "name", "purposes", "dataSources", "members");
        String name = fields.text("name");
        List<String> purposes = fields.texts("purposes");
        List<String> dataSources = fields.texts("dataSources");
        List<String> members = fields.texts("members");
        Project project = reader.model(node, field, () -> new Project(name, new TreeSet<>(purposes), new TreeSet<>(dataSources), new TreeSet<>(members)));
        register("projects[" + project.name() + "]", reader, node, field);
        return project;
    }

    private AccessApproval readApproval(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "user", "dataSource", "access");
        String user = fields.text("user");
        String dataSource = fields.text("dataSource");
        AccessType access = reader.enumValue(fields.required("access"), fields.field("access"), AccessType.class);
        AccessApproval approval = reader.model(node, field, () -> new AccessApproval(user, dataSource, access));
        register("approvals[" + user + "/" + dataSource + "]", reader, node, field);
        return approval;
    }

    private String readDefinerViewOwner(YamlReader reader, Node node, String field)
    {
        String user = reader.text(node, field);
        register("definerViewOwners[" + user + "]", reader, node, field);
        return reader.model(node, field, () -> Checks.name("definerViewOwners", user));
    }

    private void readAccessGrantMapping(Entity top)
    {
        YamlReader reader = top.reader();
        Node node = new Keys((MappingNode) top.node()).get("accessGrantMapping");
        try {
            Map<AccessType, Set<AccessValue>> grants = new EnumMap<>(AccessType.class);
            for (NodeTuple tuple : reader.mapping(node, "accessGrantMapping").getValue()) {
                String keyField = "accessGrantMapping." + reader.key(tuple.getKeyNode(), "accessGrantMapping");
                AccessType type = reader.enumValue(tuple.getKeyNode(), keyField, AccessType.class);
                EnumSet<AccessValue> values = EnumSet.noneOf(AccessValue.class);
                List<Node> items = reader.sequence(tuple.getValueNode(), keyField);
                for (int i = 0; i < items.size(); i++) {
                    values.add(reader.enumValue(items.get(i), keyField + "[" + i + "]", AccessValue.class));
                }
                grants.put(type, values);
            }
            read.accessGrantMapping = Optional.of(reader.model(top.node(), "", () -> new AccessGrantMapping(grants)));
        }
        catch (YamlProblem problem) {
            reader.record(problem);
        }
    }

    // ---- data sources ----

    private DataSource readDataSource(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "id", "name", "location", "objectType", "tags", "owners", "eventTimeColumn", "maskingSalt", "columns");
        String id = fields.text("id");
        String name = fields.optionalText("name").orElse(id);
        RemoteLocation location = readLocation(reader, fields.required("location"), fields.field("location"));
        ObjectType objectType = fields.optional("objectType")
                .map(value -> reader.enumValue(value, fields.field("objectType"), ObjectType.class))
                .orElse(ObjectType.TABLE);
        TreeSet<Tag> tags = tags(reader, fields, "tags");
        List<String> owners = fields.texts("owners");
        Optional<String> eventTimeColumn = fields.optionalText("eventTimeColumn");
        String maskingSalt = fields.text("maskingSalt");
        List<Column> columns = new ArrayList<>();
        List<Node> columnNodes = reader.sequence(fields.required("columns"), fields.field("columns"));
        for (int i = 0; i < columnNodes.size(); i++) {
            columns.add(readColumn(reader, columnNodes.get(i), fields.field("columns") + "[" + i + "]"));
        }
        DataSource dataSource = reader.model(node, field, () -> new DataSource(id, name, location, objectType, columns, tags, new TreeSet<>(owners), eventTimeColumn, maskingSalt));
        register("dataSources[" + dataSource.id() + "]", reader, node, field);
        return dataSource;
    }

    private static RemoteLocation readLocation(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "technology", "catalog", "schema", "table");
        String technology = fields.text("technology");
        String catalog = fields.text("catalog");
        String schema = fields.text("schema");
        String table = fields.text("table");
        return reader.model(node, field, () -> new RemoteLocation(technology, catalog, schema, table));
    }

    private static Column readColumn(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "name", "type", "tags");
        String name = fields.text("name");
        String type = fields.text("type");
        TreeSet<Tag> tags = tags(reader, fields, "tags");
        return reader.model(node, field, () -> new Column(name, SqlType.parse(type), tags));
    }

    private static TreeSet<Tag> tags(YamlReader reader, Fields fields, String key)
    {
        TreeSet<Tag> tags = new TreeSet<>();
        Optional<Node> node = fields.optional(key).filter(value -> !isNull(value));
        if (node.isPresent()) {
            List<Node> items = reader.sequence(node.get(), fields.field(key));
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemField = fields.field(key) + "[" + i + "]";
                String text = reader.text(item, itemField);
                tags.add(reader.model(item, itemField, () -> Tag.of(text)));
            }
        }
        return tags;
    }

    // ---- policies ----

    private Policy readPolicy(YamlReader reader, Node node, String field)
    {
        long appearance = ++policiesSeen;
        MappingNode mapping = reader.mapping(node, field);
        Node typeNode = new Keys(mapping).get("type");
        if (typeNode == null) {
            throw new YamlProblem(node, field + ".type", "is required; one of: " + String.join(", ", POLICY_TYPES));
        }
        String type = reader.text(typeNode, field + ".type");
        Policy policy = switch (type) {
            case "subscription" -> readSubscription(reader, reader.fields(node, field, "id", "name", "type", "sequence", "on", "access", "strength", "who"), appearance);
            case "masking" -> readMasking(reader, reader.fields(node, field, "id", "name", "type", "sequence", "on", "columns", "mask", "onlyWhere", "for"), appearance);
            case "row" -> readRow(reader, reader.fields(node, field, "id", "name", "type", "sequence", "on", "rows", "for"), appearance);
            default -> throw new YamlProblem(typeNode, field + ".type", "unknown policy type '" + type + "'; expected one of: " + String.join(", ", POLICY_TYPES));
        };
        register("policies[" + policy.id() + "]", reader, node, field);
        return policy;
    }

    private static long sequence(YamlReader reader, Fields fields, long appearance)
    {
        return fields.optional("sequence").map(value -> reader.longInteger(value, fields.field("sequence"))).orElse(appearance);
    }

    private static Policy readSubscription(YamlReader reader, Fields fields, long appearance)
    {
        String id = fields.text("id");
        String name = fields.optionalText("name").orElse(id);
        long sequence = sequence(reader, fields, appearance);
        PolicyScope scope = readScope(reader, fields.required("on"), fields.field("on"));
        AccessType access = reader.enumValue(fields.required("access"), fields.field("access"), AccessType.class);
        SubscriptionPolicy.Strength strength = fields.optional("strength")
                .map(value -> reader.enumValue(value, fields.field("strength"), SubscriptionPolicy.Strength.class))
                .orElse(SubscriptionPolicy.Strength.GRANT);
        Audience audience = readAudience(reader, fields.required("who"), fields.field("who"));
        return reader.model(fields.node(), fields.field(), () -> new SubscriptionPolicy(id, name, sequence, scope, access, strength, audience));
    }

    private static Policy readMasking(YamlReader reader, Fields fields, long appearance)
    {
        String id = fields.text("id");
        String name = fields.optionalText("name").orElse(id);
        long sequence = sequence(reader, fields, appearance);
        PolicyScope scope = readScope(reader, fields.required("on"), fields.field("on"));
        ColumnSelector columns = readColumnSelector(reader, fields.required("columns"), fields.field("columns"));
        MaskMethod method = readMaskMethod(reader, fields.required("mask"), fields.field("mask"));
        Optional<CustomSql> onlyWhere = fields.optional("onlyWhere").map(value -> readSql(reader, value, fields.field("onlyWhere")));
        Applicability applicability = readApplicability(reader, fields, "for");
        return reader.model(fields.node(), fields.field(), () -> new MaskingPolicy(id, name, sequence, scope, columns, method, onlyWhere, applicability));
    }

    private static Policy readRow(YamlReader reader, Fields fields, long appearance)
    {
        String id = fields.text("id");
        String name = fields.optionalText("name").orElse(id);
        long sequence = sequence(reader, fields, appearance);
        PolicyScope scope = readScope(reader, fields.required("on"), fields.field("on"));
        RowRule rule = readRowRule(reader, fields.required("rows"), fields.field("rows"));
        Applicability applicability = readApplicability(reader, fields, "for");
        return reader.model(fields.node(), fields.field(), () -> new RowPolicy(id, name, sequence, scope, rule, applicability));
    }

    private static CustomSql readSql(YamlReader reader, Node node, String field)
    {
        String text = reader.text(node, field);
        return reader.model(node, field, () -> CustomSql.parse(text));
    }

    /** {@code all}, or a mapping with exactly one of the keys. */
    private static PolicyScope readScope(YamlReader reader, Node node, String field)
    {
        if (node instanceof ScalarNode) {
            String text = reader.text(node, field);
            if (!text.equals("all")) {
                throw new YamlProblem(node, field, "expected 'all', or one of: {dataSources: [...]}, {tagged: [...]}, {columnsTagged: [...]}; found '" + text + "'");
            }
            return new PolicyScope.AllDataSources();
        }
        Fields fields = reader.fields(node, field, "dataSources", "tagged", "columnsTagged");
        String key = onlyKey(fields);
        return switch (key) {
            case "dataSources" -> {
                List<String> ids = fields.texts(key);
                yield reader.model(node, field, () -> new PolicyScope.DataSources(new TreeSet<>(ids)));
            }
            case "tagged" -> {
                TreeSet<Tag> tags = tags(reader, fields, key);
                yield reader.model(node, field, () -> new PolicyScope.TaggedDataSources(tags));
            }
            default -> {
                TreeSet<Tag> tags = tags(reader, fields, key);
                yield reader.model(node, field, () -> new PolicyScope.DataSourcesWithTaggedColumns(tags));
            }
        };
    }

    /** The one key a choice mapping such as {@code {tagged: [PII]}} must have. */
    private static String onlyKey(Fields fields)
    {
        List<String> keys = fields.keys();
        if (keys.size() != 1) {
            throw new YamlProblem(fields.node(), fields.field(), keys.isEmpty()
                    ? "give exactly one key"
                    : "give exactly one of the keys, not " + String.join(" and ", keys));
        }
        return keys.getFirst();
    }

    private static Audience readAudience(YamlReader reader, Node node, String field)
    {
        if (node instanceof ScalarNode) {
            String text = reader.text(node, field);
            return switch (text) {
                case "anyone" -> new Audience.Anyone();
                case "anyoneWhoAsks" -> new Audience.AnyoneWhoAsks();
                default -> throw new YamlProblem(node, field, "expected 'anyone', 'anyoneWhoAsks', {users: [...]} or a condition such as {group: analysts}; found '" + text + "'");
            };
        }
        MappingNode mapping = reader.mapping(node, field);
        if (mapping.getValue().size() == 1 && mapping.getValue().getFirst().getKeyNode() instanceof ScalarNode key && key.getValue().equals("users")) {
            Fields fields = reader.fields(node, field, "users");
            List<String> users = fields.texts("users");
            return reader.model(node, field, () -> new Audience.NamedUsers(new TreeSet<>(users)));
        }
        return new Audience.UsersMatching(readCondition(reader, node, field));
    }

    private static Condition readCondition(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "group", "attribute", "purpose", "user", "allOf", "anyOf");
        String key = onlyKey(fields);
        Node value = fields.required(key);
        String valueField = fields.field(key);
        return switch (key) {
            case "group" -> {
                String group = reader.text(value, valueField);
                yield reader.model(value, valueField, () -> new Condition.InGroup(group));
            }
            case "purpose" -> {
                String purpose = reader.text(value, valueField);
                yield reader.model(value, valueField, () -> new Condition.HasPurpose(purpose));
            }
            case "user" -> {
                String user = reader.text(value, valueField);
                yield reader.model(value, valueField, () -> new Condition.IsUser(user));
            }
            case "attribute" -> {
                MappingNode attribute = reader.mapping(value, valueField);
                if (attribute.getValue().size() != 1) {
                    throw new YamlProblem(value, valueField, "give one attribute and its value, such as {region: EU}");
                }
                NodeTuple tuple = attribute.getValue().getFirst();
                String name = reader.key(tuple.getKeyNode(), valueField);
                String attributeValue = reader.text(tuple.getValueNode(), valueField + "." + name);
                yield reader.model(value, valueField, () -> new Condition.HasAttribute(name, attributeValue));
            }
            default -> {
                List<Condition> conditions = new ArrayList<>();
                List<Node> items = reader.sequence(value, valueField);
                for (int i = 0; i < items.size(); i++) {
                    conditions.add(readCondition(reader, items.get(i), valueField + "[" + i + "]"));
                }
                yield reader.model(value, valueField, () -> key.equals("allOf") ? new Condition.AllOf(conditions) : new Condition.AnyOf(conditions));
            }
        };
    }

    /** {@code everyone} (also when {@code for} is left out), {@code {everyoneExcept: condition}} or {@code {everyoneWho: condition}}. */
    private static Applicability readApplicability(YamlReader reader, Fields policy, String key)
    {
        Optional<Node> optional = policy.optional(key);
        if (optional.isEmpty()) {
            return new Applicability.Everyone();
        }
        Node node = optional.get();
        String field = policy.field(key);
        if (node instanceof ScalarNode) {
            String text = reader.text(node, field);
            if (!text.equals("everyone")) {
                throw new YamlProblem(node, field, "expected 'everyone', {everyoneExcept: condition} or {everyoneWho: condition}; found '" + text + "'");
            }
            return new Applicability.Everyone();
        }
        Fields fields = reader.fields(node, field, "everyoneExcept", "everyoneWho");
        String choice = onlyKey(fields);
        Condition condition = readCondition(reader, fields.required(choice), fields.field(choice));
        return choice.equals("everyoneExcept") ? new Applicability.EveryoneExcept(condition) : new Applicability.EveryoneWho(condition);
    }

    private static ColumnSelector readColumnSelector(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "named", "tagged", "matching");
        String key = onlyKey(fields);
        return switch (key) {
            case "named" -> {
                List<String> names = fields.texts(key);
                yield reader.model(node, field, () -> new ColumnSelector.ByName(new TreeSet<>(names)));
            }
            case "tagged" -> {
                TreeSet<Tag> tags = tags(reader, fields, key);
                yield reader.model(node, field, () -> new ColumnSelector.ByTag(tags));
            }
            default -> {
                String regex = fields.text(key);
                yield reader.model(fields.required(key), fields.field(key), () -> ColumnSelector.ByNamePattern.of(regex));
            }
        };
    }

    private static MaskMethod readMaskMethod(YamlReader reader, Node node, String field)
    {
        if (node instanceof ScalarNode) {
            String text = reader.text(node, field);
            return switch (text) {
                case "nullify" -> new MaskMethod.Nullify();
                case "hash" -> new MaskMethod.KeyedHash();
                default -> throw new YamlProblem(node, field, "unknown mask '" + text + "'; expected nullify, hash, {constant: ...}, {regexReplace: {pattern: ..., replacement: ...}}, "
                        + "{round: ...}, {truncateTo: ...}, {revealFirst: ...} or {revealLast: ...}");
            };
        }
        Fields fields = reader.fields(node, field, "constant", "regexReplace", "round", "truncateTo", "revealFirst", "revealLast");
        String key = onlyKey(fields);
        Node value = fields.required(key);
        String valueField = fields.field(key);
        return switch (key) {
            case "constant" -> {
                String constant = reader.text(value, valueField);
                yield reader.model(value, valueField, () -> new MaskMethod.Constant(constant));
            }
            case "regexReplace" -> {
                Fields replace = reader.fields(value, valueField, "pattern", "replacement");
                String pattern = replace.text("pattern");
                String replacement = replace.optionalText("replacement").orElse("");
                yield reader.model(value, valueField, () -> new MaskMethod.RegexReplace(pattern, replacement));
            }
            case "round" -> {
                String text = reader.text(value, valueField);
                BigDecimal bucket;
                try {
                    bucket = new BigDecimal(text.trim());
                }
                catch (NumberFormatException e) {
                    throw new YamlProblem(value, valueField, "expected a number, found '" + text + "'");
                }
                yield reader.model(value, valueField, () -> new MaskMethod.RoundToBucket(bucket));
            }
            case "truncateTo" -> new MaskMethod.TruncateToUnit(reader.enumValue(value, valueField, TimeUnit.class));
            case "revealFirst" -> {
                int count = reader.integer(value, valueField);
                yield reader.model(value, valueField, () -> new MaskMethod.RevealFirst(count));
            }
            default -> {
                int count = reader.integer(value, valueField);
                yield reader.model(value, valueField, () -> new MaskMethod.RevealLast(count));
            }
        };
    }

    private static RowRule readRowRule(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "matchAttribute", "matchGroups", "where", "recentEvents", "minimize", "onlyForPurposes");
        String key = onlyKey(fields);
        Node value = fields.required(key);
        String valueField = fields.field(key);
        return switch (key) {
            case "matchAttribute" -> {
                Fields match = reader.fields(value, valueField, "column", "columnTagged", "attribute");
                ColumnChoice column = readColumnChoice(reader, match);
                String attribute = match.text("attribute");
                yield reader.model(value, valueField, () -> new RowRule.MatchAttribute(column, attribute));
            }
            case "matchGroups" -> {
                Fields match = reader.fields(value, valueField, "column", "columnTagged");
                ColumnChoice column = readColumnChoice(reader, match);
                yield new RowRule.MatchGroups(column);
            }
            case "where" -> new RowRule.Where(readSql(reader, value, valueField));
            case "recentEvents" -> {
                Fields recent = reader.fields(value, valueField, "amount", "unit");
                int amount = reader.integer(recent.required("amount"), recent.field("amount"));
                TimeUnit unit = reader.enumValue(recent.required("unit"), recent.field("unit"), TimeUnit.class);
                yield reader.model(value, valueField, () -> new RowRule.RecentEvents(amount, unit));
            }
            case "minimize" -> {
                Fields minimize = reader.fields(value, valueField, "percent", "keyColumns");
                int percent = reader.integer(minimize.required("percent"), minimize.field("percent"));
                List<String> keyColumns = minimize.texts("keyColumns");
                yield reader.model(value, valueField, () -> new RowRule.Minimize(percent, keyColumns));
            }
            default -> {
                List<String> purposes = reader.texts(value, valueField);
                yield reader.model(value, valueField, () -> new RowRule.OnlyForPurposes(new TreeSet<>(purposes)));
            }
        };
    }

    private static ColumnChoice readColumnChoice(YamlReader reader, Fields fields)
    {
        Optional<String> name = fields.optionalText("column");
        Optional<String> tag = fields.optionalText("columnTagged");
        if (name.isPresent() == tag.isPresent()) {
            throw new YamlProblem(fields.node(), fields.field(), "give either column (a column name) or columnTagged (a tag), not both or neither");
        }
        Optional<Tag> parsedTag = tag.map(text -> reader.model(fields.required("columnTagged"), fields.field("columnTagged"), () -> Tag.of(text)));
        return reader.model(fields.node(), fields.field(), () -> new ColumnChoice(name, parsedTag));
    }

    // ---- expectations ----

    private PendingExpectation readExpectation(YamlReader reader, Node node, String field)
    {
        Fields fields = reader.fields(node, field, "user", "project", "dataSource", "access", "masked", "unmasked", "rowFilter", "rows");
        String user = fields.text("user");
        Optional<String> project = fields.optionalText("project");
        String dataSource = fields.text("dataSource");
        Optional<Set<AccessValue>> access = fields.optional("access").map(value -> {
            EnumSet<AccessValue> values = EnumSet.noneOf(AccessValue.class);
            if (!isNull(value)) {
                List<Node> items = reader.sequence(value, fields.field("access"));
                for (int i = 0; i < items.size(); i++) {
                    values.add(reader.enumValue(items.get(i), fields.field("access") + "[" + i + "]", AccessValue.class));
                }
            }
            return values;
        });
        List<String> masked = fields.texts("masked");
        List<String> unmasked = fields.texts("unmasked");
        Optional<String> rowFilter = fields.optionalText("rowFilter");
        Optional<RowsExpectation> rows = fields.optional("rows").map(value -> {
            Fields rowFields = reader.fields(value, fields.field("rows"), "given", "visible");
            return new RowsExpectation(readRows(reader, rowFields, "given"), readRows(reader, rowFields, "visible"));
        });
        Expectation expectation = reader.model(node, field, () -> new Expectation(user, project, dataSource, access, new TreeSet<>(masked), new TreeSet<>(unmasked), rowFilter, rows));
        return new PendingExpectation(reader, reader.mapping(node, field), field, expectation);
    }

    private static List<Row> readRows(YamlReader reader, Fields fields, String key)
    {
        List<Row> rows = new ArrayList<>();
        Optional<Node> node = fields.optional(key).filter(value -> !isNull(value));
        if (node.isEmpty()) {
            return rows;
        }
        List<Node> items = reader.sequence(node.get(), fields.field(key));
        for (int i = 0; i < items.size(); i++) {
            String rowField = fields.field(key) + "[" + i + "]";
            TreeMap<String, String> values = new TreeMap<>();
            for (NodeTuple tuple : reader.mapping(items.get(i), rowField).getValue()) {
                String column = reader.key(tuple.getKeyNode(), rowField);
                if (values.containsKey(column)) {
                    throw new YamlProblem(tuple.getKeyNode(), rowField + "." + column, "column '" + column + "' is given more than once");
                }
                values.put(column, reader.nullableText(tuple.getValueNode(), rowField + "." + column).orElse(null));
            }
            rows.add(new Row(values));
        }
        return rows;
    }

    /** References of an expectation, checked once the state they refer to has loaded. */
    private void checkExpectation(PolicyState state, PendingExpectation pending)
    {
        YamlReader reader = pending.reader();
        Keys fields = new Keys(pending.node());
        Expectation expectation = pending.expectation();
        if (!state.users().containsKey(expectation.user())) {
            reader.error(fields.get("user"), pending.field() + ".user", "names user '" + expectation.user() + "', who does not exist");
        }
        else {
            try {
                state.userContext(expectation.user(), expectation.project());
            }
            catch (UnknownEntityException e) {
                Node at = fields.get("project") != null ? fields.get("project") : fields.get("user");
                reader.error(at, pending.field() + (fields.get("project") != null ? ".project" : ".user"), e.getMessage());
            }
        }
        DataSource dataSource = state.dataSources().get(expectation.dataSource());
        if (dataSource == null) {
            reader.error(fields.get("dataSource"), pending.field() + ".dataSource", "names data source '" + expectation.dataSource() + "', which does not exist");
            return;
        }
        for (String key : List.of("masked", "unmasked")) {
            Node list = fields.get(key);
            if (list == null || isNull(list)) {
                continue;
            }
            List<Node> items = reader.sequence(list, pending.field() + "." + key);
            for (int i = 0; i < items.size(); i++) {
                String column = ((ScalarNode) items.get(i)).getValue();
                if (dataSource.column(column).isEmpty()) {
                    reader.error(items.get(i), pending.field() + "." + key + "[" + i + "]", "names column '" + column + "', which data source '" + dataSource.id() + "' does not have");
                }
            }
        }
        Node rows = fields.get("rows");
        if (rows != null) {
            Keys rowFields = new Keys((MappingNode) rows);
            for (String key : List.of("given", "visible")) {
                Node list = rowFields.get(key);
                if (list == null || isNull(list)) {
                    continue;
                }
                List<Node> items = reader.sequence(list, pending.field() + ".rows." + key);
                for (int i = 0; i < items.size(); i++) {
                    checkRow(reader, dataSource, (MappingNode) items.get(i), pending.field() + ".rows." + key + "[" + i + "]");
                }
            }
        }
    }

    private static void checkRow(YamlReader reader, DataSource dataSource, MappingNode row, String field)
    {
        for (NodeTuple tuple : row.getValue()) {
            String name = ((ScalarNode) tuple.getKeyNode()).getValue();
            Optional<Column> column = dataSource.column(name);
            if (column.isEmpty()) {
                reader.error(tuple.getKeyNode(), field + "." + name, "data source '" + dataSource.id() + "' has no column '" + name + "'");
                continue;
            }
            if (isNull(tuple.getValueNode())) {
                continue;
            }
            String text = ((ScalarNode) tuple.getValueNode()).getValue();
            try {
                SqlValues.parse(column.get().type(), text);
            }
            catch (IllegalArgumentException e) {
                reader.error(tuple.getValueNode(), field + "." + name, e.getMessage());
            }
        }
    }

    // ---- problems found when the state was built ----

    /** Points a problem the policy state reported ({@code policies[p].scope.dataSources: names ...}) at the YAML that caused it. */
    private void stateProblem(InvalidModelException problem)
    {
        String field = problem.field();
        String reason = problem.reason();
        if (reason.contains("does not exist") || reason.contains("is not defined")) {
            for (String name : unreadable) {
                if (reason.contains("'" + name + "'")) {
                    // The entity it names could not be read; that error was reported already.
                    return;
                }
            }
        }
        int close = field.indexOf(']');
        List<Entity> candidates = entityOf(field).map(entities::get).orElse(null);
        if (candidates == null) {
            errors.add(new BundleError(bundleName, 0, 0, field, reason));
            return;
        }
        Entity entity = candidates.getLast();
        if (reason.equals("is defined more than once")) {
            Entity first = candidates.getFirst();
            errors.add(entity.reader().position(entity.node(), entity.field())
                    .error("'" + field.substring(field.indexOf('[') + 1, close) + "' is defined more than once (first at " + first.reader().position(first.node(), first.field()) + ")"));
            return;
        }
        String rest = field.length() > close + 2 ? field.substring(close + 2) : "";
        Located located = NodePaths.refine(NodePaths.locate(entity.node(), entity.field(), rest), reason);
        entity.reader().error(located.node(), located.field(), reason);
    }

    /** The entity a problem of the state names, as entities are registered: {@code users[alice]} for {@code users[alice].groups}. */
    static Optional<String> entityOf(String field)
    {
        int close = field.indexOf(']');
        return close < 0 ? Optional.empty() : Optional.of(field.substring(0, close + 1));
    }

    /** Looks up keys of a mapping without checking them (they are checked where the mapping is read). */
    private static final class Keys
    {
        private final MappingNode node;

        Keys(MappingNode node)
        {
            this.node = node;
        }

        Node get(String key)
        {
            for (NodeTuple tuple : node.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
            return null;
        }
    }

    /**
     * What a bundle's files say: each section's items in the order written, empty where an item could not be read,
     * and the access grant mapping if given and readable.
     */
    static final class ReadEntities
    {
        final List<Optional<Tag>> tags = new ArrayList<>();
        final List<Optional<Purpose>> purposes = new ArrayList<>();
        final List<Optional<Group>> groups = new ArrayList<>();
        final List<Optional<User>> users = new ArrayList<>();
        final List<Optional<Project>> projects = new ArrayList<>();
        final List<Optional<DataSource>> dataSources = new ArrayList<>();
        final List<Optional<String>> definerViewOwners = new ArrayList<>();
        final List<Optional<AccessApproval>> approvals = new ArrayList<>();
        final List<Optional<Policy>> policies = new ArrayList<>();
        Optional<AccessGrantMapping> accessGrantMapping = Optional.empty();

        private ReadEntities() {}

        /** A builder of the state of everything that could be read. */
        PolicyState.Builder builder()
        {
            PolicyState.Builder builder = PolicyState.builder();
            tags.forEach(tag -> tag.ifPresent(builder::tag));
            purposes.forEach(purpose -> purpose.ifPresent(builder::purpose));
            groups.forEach(group -> group.ifPresent(builder::group));
            users.forEach(user -> user.ifPresent(builder::user));
            projects.forEach(project -> project.ifPresent(builder::project));
            dataSources.forEach(dataSource -> dataSource.ifPresent(builder::dataSource));
            definerViewOwners.forEach(owner -> owner.ifPresent(builder::definerViewOwner));
            approvals.forEach(approval -> approval.ifPresent(builder::approval));
            policies.forEach(policy -> policy.ifPresent(builder::policy));
            accessGrantMapping.ifPresent(builder::accessGrantMapping);
            return builder;
        }
    }
}
