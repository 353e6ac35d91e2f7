package dev.warden.bundle;

import dev.warden.bundle.YamlReader.Located;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the YAML node a model field path points at. Model paths use the model's names ({@code scope},
 * {@code audience}, {@code columns[comment]}); the bundle format mostly uses the same names, and
 * {@link #ALIASES} covers where it does not.
 */
final class NodePaths
{
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[([^\\]]*)]");
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");

    /** Model field name to the bundle key that holds it. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("scope", "on"),
            Map.entry("audience", "who"),
            Map.entry("applicability", "for"),
            Map.entry("rule", "rows"),
            Map.entry("method", "mask"),
            Map.entry("tags", "tagged"),
            Map.entry("columnTags", "columnsTagged"),
            Map.entry("except", "everyoneExcept"),
            Map.entry("who", "everyoneWho"),
            Map.entry("columnPattern", "matching"),
            Map.entry("userName", "user"),
            Map.entry("dataSourceId", "dataSource"),
            Map.entry("accessType", "access"),
            Map.entry("regex", "pattern"));

    private NodePaths() {}

    static Located locate(Node root, String rootField, String modelPath)
    {
        Node node = root;
        String field = rootField;
        List<String> unmatched = new ArrayList<>();
        Matcher matcher = SEGMENT.matcher(modelPath);
        while (matcher.find()) {
            Optional<Located> next = matcher.group(1) != null
                    ? child(node, field, matcher.group(1))
                    : element(node, field, matcher.group(2));
            if (next.isPresent()) {
                node = next.get().node();
                field = next.get().field();
                unmatched.clear();
            }
            else {
                unmatched.add(matcher.group(1) != null ? "." + matcher.group(1) : "[" + matcher.group(2) + "]");
            }
        }
        if (!unmatched.isEmpty() && !(node instanceof ScalarNode)) {
            String suffix = String.join("", unmatched);
            field = field.isEmpty() ? suffix.substring(suffix.startsWith(".") ? 1 : 0) : field + suffix;
        }
        return new Located(node, field);
    }

    /** Narrows a location to the value a reason quotes ({@code names group 'x'}) when that value is written under it. */
    static Located refine(Located located, String reason)
    {
        Matcher matcher = QUOTED.matcher(reason);
        if (!matcher.find()) {
            return located;
        }
        return find(located.node(), located.field(), matcher.group(1)).orElse(located);
    }

    private static Optional<Located> find(Node node, String field, String value)
    {
        switch (node) {
            case ScalarNode scalar when scalar.getValue().equals(value) -> {
                return Optional.of(new Located(node, field));
            }
            case SequenceNode sequence -> {
                for (int i = 0; i < sequence.getValue().size(); i++) {
                    Optional<Located> found = find(sequence.getValue().get(i), field + "[" + i + "]", value);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
            case MappingNode mapping -> {
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key) {
                        Optional<Located> found = find(tuple.getValueNode(), YamlReader.join(field, key.getValue()), value);
                        if (found.isPresent()) {
                            return found;
                        }
                    }
                }
            }
            default -> {}
        }
        return Optional.empty();
    }

    private static Optional<Located> child(Node node, String field, String key)
    {
        if (!(node instanceof MappingNode mapping)) {
            return Optional.empty();
        }
        Optional<Located> direct = valueOf(mapping, field, key);
        if (direct.isPresent() || !ALIASES.containsKey(key)) {
            return direct;
        }
        return valueOf(mapping, field, ALIASES.get(key));
    }

    private static Optional<Located> valueOf(MappingNode mapping, String field, String key)
    {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                return Optional.of(new Located(tuple.getValueNode(), YamlReader.join(field, key)));
            }
        }
        return Optional.empty();
    }

    /** {@code [3]} is a list index; {@code [comment]} the list element whose name (or id) is {@code comment}. */
    private static Optional<Located> element(Node node, String field, String selector)
    {
        if (!(node instanceof SequenceNode sequence)) {
            return Optional.empty();
        }
        List<Node> items = sequence.getValue();
        if (selector.matches("\\d+")) {
            int index = Integer.parseInt(selector);
            return index < items.size() ? Optional.of(new Located(items.get(index), field + "[" + index + "]")) : Optional.empty();
        }
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            boolean matches = switch (item) {
                case ScalarNode scalar -> scalar.getValue().equals(selector);
                case MappingNode mapping -> valueOf(mapping, "", "name").or(() -> valueOf(mapping, "", "id"))
                        .map(found -> found.node() instanceof ScalarNode scalar && scalar.getValue().equals(selector))
                        .orElse(false);
                default -> false;
            };
            if (matches) {
                return Optional.of(new Located(item, field + "[" + i + "]"));
            }
        }
        return Optional.empty();
    }
}
