package dev.warden.bundle;

import dev.warden.policy.model.InvalidModelException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Reads values out of one file's YAML node tree. Structural mistakes throw {@link YamlProblem} at the offending
 * node; mistakes that do not stop reading (an unknown or repeated key) are recorded and reading goes on.
 * Every scalar is read as the text written: the YAML type a scalar would resolve to plays no part.
 */
final class YamlReader
{
    private static final Pattern SQL_POSITION = Pattern.compile("line (\\d+):(\\d+): (.*)", Pattern.DOTALL);

    private final String file;
    private final List<BundleError> errors;

    YamlReader(String file, List<BundleError> errors)
    {
        this.file = requireNonNull(file, "file is null");
        this.errors = requireNonNull(errors, "errors is null");
    }

    String file()
    {
        return file;
    }

    SourcePosition position(Node node, String field)
    {
        return new SourcePosition(file, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1, field);
    }

    void error(Node node, String field, String message)
    {
        errors.add(position(node, field).error(message));
    }

    void record(YamlProblem problem)
    {
        error(problem.node(), problem.field(), problem.reason());
    }

    /** The keys of a mapping, checking that each is allowed and given once. */
    Fields fields(Node node, String field, String... allowed)
    {
        MappingNode mapping = mapping(node, field);
        List<String> allowedKeys = Arrays.asList(allowed);
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = key(tuple.getKeyNode(), field);
            if (!allowedKeys.contains(key)) {
                error(tuple.getKeyNode(), join(field, key), "unknown key '" + key + "'; expected one of: " + String.join(", ", allowed));
                continue;
            }
            if (entries.putIfAbsent(key, tuple) != null) {
                error(tuple.getKeyNode(), join(field, key), "key '" + key + "' is given more than once");
            }
        }
        return new Fields(this, mapping, field, entries);
    }

    MappingNode mapping(Node node, String field)
    {
        if (node instanceof MappingNode mapping) {
            return mapping;
        }
        throw new YamlProblem(node, field, "expected a mapping (key: value), found " + describe(node));
    }

    List<Node> sequence(Node node, String field)
    {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        throw new YamlProblem(node, field, "expected a list, found " + describe(node));
    }

    String key(Node node, String field)
    {
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        throw new YamlProblem(node, field, "a key must be plain text, found " + describe(node));
    }

    /** A scalar's text; YAML null (an empty value, {@code ~} or {@code null}) is refused. */
    String text(Node node, String field)
    {
        if (node instanceof ScalarNode scalar && !isNull(scalar)) {
            return scalar.getValue();
        }
        throw new YamlProblem(node, field, isNull(node) ? "is empty; give a value" : "expected a single value, found " + describe(node));
    }

    /** A scalar's text, or empty for YAML null. */
    Optional<String> nullableText(Node node, String field)
    {
        if (isNull(node)) {
            return Optional.empty();
        }
        return Optional.of(text(node, field));
    }

    List<String> texts(Node node, String field)
    {
        List<String> values = new ArrayList<>();
        List<Node> items = sequence(node, field);
        for (int i = 0; i < items.size(); i++) {
            values.add(text(items.get(i), field + "[" + i + "]"));
        }
        return values;
    }

    int integer(Node node, String field)
    {
        String text = text(node, field);
        try {
            return Integer.parseInt(text.trim());
        }
        catch (NumberFormatException e) {
            throw new YamlProblem(node, field, "expected a whole number, found '" + text + "'");
        }
    }

    long longInteger(Node node, String field)
    {
        String text = text(node, field);
        try {
            return Long.parseLong(text.trim());
        }
        catch (NumberFormatException e) {
            throw new YamlProblem(node, field, "expected a whole number, found '" + text + "'");
        }
    }

    /** An enum constant, written in any case, with '-' or ' ' for '_'. */
    <E extends Enum<E>> E enumValue(Node node, String field, Class<E> type)
    {
        String text = text(node, field);
        String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(normalized)) {
                return constant;
            }
        }
        throw new YamlProblem(node, field, "unknown value '" + text + "'; expected one of: "
                + Arrays.stream(type.getEnumConstants()).map(constant -> constant.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    /**
     * Runs a model constructor; an {@link InvalidModelException} becomes a problem at the node its field names
     * (found by walking {@code node} along the field path), or at {@code node} itself.
     */
    <T> T model(Node node, String field, Supplier<T> constructor)
    {
        try {
            return constructor.get();
        }
        catch (InvalidModelException e) {
            throw problemAt(node, field, e.field(), e.reason());
        }
        catch (IllegalArgumentException e) {
            throw new YamlProblem(node, field, e.getMessage());
        }
    }

    /** A problem whose model field path ({@code columns[2].type}) is resolved against the YAML under {@code node}. */
    YamlProblem problemAt(Node node, String field, String modelField, String reason)
    {
        Located located = NodePaths.locate(node, field, modelField);
        if (located.node() instanceof ScalarNode scalar && modelField.endsWith("sql")) {
            return sqlProblem(scalar, located.field(), reason);
        }
        return new YamlProblem(located.node(), located.field(), reason);
    }

    /** Points a SQL parser's {@code line L:C:} at the character in the file when the SQL is written on one line. */
    private YamlProblem sqlProblem(ScalarNode scalar, String field, String reason)
    {
        Matcher matcher = SQL_POSITION.matcher(reason);
        if (matcher.matches() && matcher.group(1).equals("1")
                && !scalar.getValue().contains("\n")
                && (scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN || scalar.getScalarStyle() == DumperOptions.ScalarStyle.SINGLE_QUOTED
                || scalar.getScalarStyle() == DumperOptions.ScalarStyle.DOUBLE_QUOTED)
                && !scalar.getValue().contains("'") && !scalar.getValue().contains("\\") && !scalar.getValue().contains("\"")) {
            int sqlColumn = Integer.parseInt(matcher.group(2));
            int quote = scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN ? 0 : 1;
            Node at = new ScalarNode(scalar.getTag(), scalar.getValue(),
                    new org.yaml.snakeyaml.error.Mark("", 0, scalar.getStartMark().getLine(), scalar.getStartMark().getColumn() + quote + sqlColumn - 1, new int[0], 0),
                    scalar.getEndMark(), scalar.getScalarStyle());
            return new YamlProblem(at, field, "invalid SQL: " + reason);
        }
        return new YamlProblem(scalar, field, "invalid SQL: " + reason);
    }

    static boolean isNull(Node node)
    {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    static String describe(Node node)
    {
        return switch (node) {
            case MappingNode _ -> "a mapping";
            case SequenceNode _ -> "a list";
            case ScalarNode scalar when isNull(scalar) -> "nothing";
            case ScalarNode scalar -> "'" + scalar.getValue() + "'";
            default -> "a " + node.getNodeId();
        };
    }

    static String join(String field, String key)
    {
        return field.isEmpty() ? key : field + "." + key;
    }

    /** The entries of one mapping whose keys were checked. */
    static final class Fields
    {
        private final YamlReader reader;
        private final MappingNode node;
        private final String field;
        private final Map<String, NodeTuple> entries;

        Fields(YamlReader reader, MappingNode node, String field, Map<String, NodeTuple> entries)
        {
            this.reader = reader;
            this.node = node;
            this.field = field;
            this.entries = entries;
        }

        MappingNode node()
        {
            return node;
        }

        String field()
        {
            return field;
        }

        String field(String key)
        {
            return join(field, key);
        }

        boolean has(String key)
        {
            return entries.containsKey(key);
        }

        Optional<Node> optional(String key)
        {
            return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
        }

        Node required(String key)
        {
            NodeTuple tuple = entries.get(key);
            if (tuple == null) {
                throw new YamlProblem(node, field(key), "is required");
            }
            return tuple.getValueNode();
        }

        String text(String key)
        {
            return reader.text(required(key), field(key));
        }

        Optional<String> optionalText(String key)
        {
            return optional(key).flatMap(value -> reader.nullableText(value, field(key)));
        }

        List<String> texts(String key)
        {
            return optional(key).filter(value -> !isNull(value)).map(value -> reader.texts(value, field(key))).orElse(List.of());
        }

        List<String> keys()
        {
            return List.copyOf(entries.keySet());
        }
    }

    record Located(Node node, String field) {}
}
