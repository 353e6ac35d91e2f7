package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;

import java.util.Optional;

/**
 * Masks the selected columns of the data sources in scope, for the users it applies to. With {@code onlyWhere},
 * only the rows where that condition holds (or cannot be decided) are masked.
 */
public record MaskingPolicy(
        String id,
        String name,
        long sequence,
        PolicyScope scope,
        ColumnSelector columns,
        MaskMethod method,
        Optional<CustomSql> onlyWhere,
        Applicability applicability)
        implements Policy
{
    public MaskingPolicy
    {
        Checks.name("id", id);
        Checks.name("name", name);
        Checks.required("scope", scope);
        Checks.required("columns", columns);
        Checks.required("method", method);
        Checks.required("onlyWhere", onlyWhere);
        Checks.required("applicability", applicability);
    }

    @Override
    public String kind()
    {
        return "masking";
    }

    @Override
    public String describe()
    {
        return "masks " + columns.describe() + " with " + method.describe()
                + onlyWhere.map(sql -> " where " + sql.text()).orElse("")
                + " for " + applicability.describe();
    }
}
