package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;

/** Limits the rows of the data sources in scope that the users it applies to can see. All row policies that apply combine with AND. */
public record RowPolicy(String id, String name, long sequence, PolicyScope scope, RowRule rule, Applicability applicability)
        implements Policy
{
    public RowPolicy
    {
        Checks.name("id", id);
        Checks.name("name", name);
        Checks.required("scope", scope);
        Checks.required("rule", rule);
        Checks.required("applicability", applicability);
    }

    @Override
    public String kind()
    {
        return "row-level";
    }

    @Override
    public String describe()
    {
        return rule.describe() + " for " + applicability.describe();
    }
}
