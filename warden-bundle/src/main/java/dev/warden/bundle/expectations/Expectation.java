package dev.warden.bundle.expectations;

import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Checks;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

import static java.util.Objects.requireNonNull;

/**
 * What a governor expects the engine to decide for one user on one data source. Every part is optional except
 * the user and the data source; only the parts given are checked.
 *
 * @param access the exact set of access values; empty set means no access; absent means not checked
 * @param masked columns that must be masked
 * @param unmasked columns that must be shown in the clear
 * @param rowFilter the exact row filter rendered for Trino, {@code TRUE} when there is none
 * @param rows rows given and the ones the user may see of them
 */
public record Expectation(
        String user,
        Optional<String> project,
        String dataSource,
        Optional<Set<AccessValue>> access,
        SortedSet<String> masked,
        SortedSet<String> unmasked,
        Optional<String> rowFilter,
        Optional<RowsExpectation> rows)
{
    public Expectation
    {
        Checks.name("user", user);
        Checks.required("project", project).ifPresent(name -> Checks.name("project", name));
        Checks.name("dataSource", dataSource);
        access = Checks.required("access", access).map(values -> values.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(values)));
        masked = Checks.names("masked", masked);
        unmasked = Checks.names("unmasked", unmasked);
        Checks.required("rowFilter", rowFilter).ifPresent(text -> Checks.value("rowFilter", text));
        requireNonNull(rows, "rows is null");
    }

    /** A short label for reports: {@code alice on tpch.orders (project fraud)}. */
    public String describe()
    {
        return user + " on " + dataSource + project.map(name -> " (project " + name + ")").orElse("");
    }
}
