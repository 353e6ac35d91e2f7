package dev.warden.bundle;

import org.yaml.snakeyaml.nodes.Node;

import static java.util.Objects.requireNonNull;

/**
 * Stops reading one entity (a data source, a policy, ...) at the node that is wrong; the loader records it as a
 * {@link BundleError} and goes on with the next entity, so that one load reports every broken entity at once.
 */
final class YamlProblem
        extends RuntimeException
{
    private final transient Node node;
    private final String field;
    private final String reason;

    YamlProblem(Node node, String field, String reason)
    {
        super(field + ": " + reason, null, false, false);
        this.node = requireNonNull(node, "node is null");
        this.field = requireNonNull(field, "field is null");
        this.reason = requireNonNull(reason, "reason is null");
    }

    Node node()
    {
        return node;
    }

    String field()
    {
        return field;
    }

    String reason()
    {
        return reason;
    }
}
