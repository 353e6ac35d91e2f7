package dev.warden.policy.model;

import static java.util.Objects.requireNonNull;

/**
 * A model value was refused on construction. {@link #field()} names what was wrong, as a path
 * such as {@code dataSource.columns[3].type}, so that every caller (the YAML loader, the REST API)
 * can point at it.
 */
public final class InvalidModelException
        extends IllegalArgumentException
{
    private final String field;
    private final String reason;

    public InvalidModelException(String field, String reason)
    {
        super(requireNonNull(field, "field is null") + ": " + requireNonNull(reason, "reason is null"));
        this.field = field;
        this.reason = reason;
    }

    public String field()
    {
        return field;
    }

    public String reason()
    {
        return reason;
    }

    /** The same error, one level deeper: {@code within("policies[2]")} turns {@code scope} into {@code policies[2].scope}. */
    public InvalidModelException within(String parent)
    {
        InvalidModelException nested = new InvalidModelException(parent + "." + field, reason);
        nested.initCause(this);
        return nested;
    }
}
