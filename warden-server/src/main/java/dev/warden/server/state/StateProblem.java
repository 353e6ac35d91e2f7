package dev.warden.server.state;

import static java.util.Objects.requireNonNull;

/**
 * One reason a change to the policy state was refused.
 *
 * @param field where, as {@code section[id].path}: {@code policies[mask-ssn].mask.revealLast}
 */
public record StateProblem(String field, String message)
{
    public StateProblem
    {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString()
    {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
