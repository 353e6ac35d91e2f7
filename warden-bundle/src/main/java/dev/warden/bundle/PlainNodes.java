package dev.warden.bundle;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The YAML node tree of plain values already in memory (maps with text keys, lists, text, numbers, booleans and
 * null, as JSON documents parse to), so that documents are read exactly as a bundle is read without being written
 * out as YAML text and parsed back: for a state of thousands of documents, writing and parsing took most of the
 * time. Every scalar carries the text YAML would have read back. The nodes have no place in a file: each node's
 * "line" is its number in the order YAML text would have written it, so that problems come out in the order a
 * file would list them; they are reported by field, as documents' problems are.
 */
final class PlainNodes
{
    private static final int[] NO_TEXT = new int[0];

    private int nodes;

    private PlainNodes() {}

    static Node of(Object value)
    {
        return new PlainNodes().node(value);
    }

    private Node node(Object value)
    {
        Mark at = new Mark("documents", 0, nodes++, 0, NO_TEXT, 0);
        return switch (value) {
            case null -> scalar(Tag.NULL, "null", at);
            case String text -> scalar(Tag.STR, text, at);
            case Boolean bool -> scalar(Tag.BOOL, bool.toString(), at);
            case Integer _, Long _, Short _, Byte _, BigInteger _ -> scalar(Tag.INT, value.toString(), at);
            case Number number -> scalar(Tag.FLOAT, number.toString(), at);
            case Map<?, ?> map -> {
                List<NodeTuple> tuples = new ArrayList<>(map.size());
                map.forEach((key, item) -> tuples.add(new NodeTuple(node(key), node(item))));
                yield new MappingNode(Tag.MAP, true, tuples, at, at, DumperOptions.FlowStyle.BLOCK);
            }
            case List<?> list -> {
                List<Node> items = new ArrayList<>(list.size());
                list.forEach(item -> items.add(node(item)));
                yield new SequenceNode(Tag.SEQ, true, items, at, at, DumperOptions.FlowStyle.BLOCK);
            }
            default -> throw new IllegalArgumentException("not a plain value: " + value.getClass().getName());
        };
    }

    private static ScalarNode scalar(Tag tag, String text, Mark at)
    {
        return new ScalarNode(tag, text, at, at, DumperOptions.ScalarStyle.PLAIN);
    }
}
