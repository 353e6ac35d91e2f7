package dev.warden.policy.expr;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.UserContext;

import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The parts of an expression that depend on the person querying. Renderers decide what they become:
 * that person's values as literals, or lookups of the current database user.
 */
public sealed interface PersonNode
        extends Expression
        permits PersonNode.UserName, PersonNode.ProjectName, PersonNode.SetContains
{
    /** The user's name, a varchar. */
    record UserName()
            implements PersonNode {}

    /** The name of the project the user acts under, or NULL. */
    record ProjectName()
            implements PersonNode {}

    /** Which of the person's value sets a {@link SetContains} looks in. */
    sealed interface PersonSet
            permits Groups, Purposes, Attribute
    {
        /** This set's values for one user. */
        default Set<String> valuesOf(UserContext user)
        {
            return switch (this) {
                case Groups _ -> user.groups();
                case Purposes _ -> user.purposes();
                case Attribute attribute -> user.attributeValues(attribute.key());
            };
        }
    }

    record Groups()
            implements PersonSet {}

    record Purposes()
            implements PersonSet {}

    record Attribute(String key)
            implements PersonSet
    {
        public Attribute
        {
            Checks.name("attribute", key);
        }
    }

    /** True when {@code value}, compared as varchar, is one of the person's groups, purposes or values of one attribute. */
    record SetContains(PersonSet set, Expression value)
            implements PersonNode
    {
        public SetContains
        {
            requireNonNull(set, "set is null");
            requireNonNull(value, "value is null");
        }
    }
}
