package dev.warden.bundle;

import static java.util.Objects.requireNonNull;

/**
 * One reason documents do not form a valid policy state.
 *
 * @param field where, as {@code section[id].path}: {@code policies[mask-ssn].mask.revealLast}; empty when no one
 *         document is at fault
 */
public record DocumentProblem(String field, String message)
{
    public DocumentProblem
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
