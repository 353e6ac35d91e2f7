package dev.warden.policy.policies;

import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.Checks;

/**
 * Who may READ or WRITE the data sources in scope.
 *
 * <p>Grants combine with OR: one grant that admits the user is enough, and a WRITE grant gives READ too.
 * Guardrails combine with AND: every guardrail in scope must admit the user, whatever grants say. A failed READ
 * guardrail takes away all access; a failed WRITE guardrail takes away only what WRITE adds.
 */
public record SubscriptionPolicy(String id, String name, long sequence, PolicyScope scope, AccessType accessType, Strength strength, Audience audience)
        implements Policy
{
    public enum Strength
    {
        /** Admits users; grants combine with OR. */
        GRANT,
        /** A minimum condition no grant can override; guardrails combine with AND. */
        GUARDRAIL
    }

    public SubscriptionPolicy
    {
        Checks.name("id", id);
        Checks.name("name", name);
        Checks.required("scope", scope);
        Checks.required("accessType", accessType);
        Checks.required("strength", strength);
        Checks.required("audience", audience);
    }

    @Override
    public String kind()
    {
        return "subscription";
    }

    @Override
    public String describe()
    {
        return (strength == Strength.GRANT ? "grants " : "guardrail on ") + accessType + " on " + scope.describe();
    }
}
